# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""TLS: plaintext handed to OpenSSL is matched before encryption; ciphertext raises nothing."""
import json
import os
import shutil
import subprocess
import tempfile
import time

from idslib import (AGENT, Agent, POLICY_MACHINE_ID, build_go_client, expect, expect_eq, machine_id,
                    needs_gate, run_py, sh)


def curl_tls(host, header):
    cmd = 'curl -sk -o /dev/null --max-time 5 https://%s:8443/ -H "%s"' % (host.addr, header)
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=20)
    expect_eq(0, r.returncode, "curl exit status (stderr %r)" % r.stderr)


def test_identifier_in_https_header_is_confirmed_on_the_tls_channel(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        ready = agent.records()[0]
        expect("handle_ssl_write" in ready["probes"]["attached"],
               "the SSL_write probe attached, skipped: %r" % ready["probes"]["skipped"])
        curl_tls(host, "X-Device: $(cat /etc/machine-id)")
        a = agent.wait_alert(process__comm="curl")
        alerts = agent.alerts(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("tls", a["evidence"]["channel"], "evidence.channel")
    expect_eq("ssl_write", a["evidence"]["call"], "evidence.call")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")
    expect_eq(1, len(alerts), "alerts for curl (the ciphertext itself raises none)")
    expect("X-Device: " + machine_id() in host.received(), "the test host to have decrypted the header")


def test_tls_client_without_identifier_is_quiet(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        curl_tls(host, "X-Device: $(cat /etc/hostname)")
        curl_tls(host, "X-Marker: $(cat /etc/machine-id)")
        marker = agent.wait_alert(process__comm="curl", evidence__channel="tls")
        alerts = agent.alerts(process__comm="curl")
    expect_eq([marker], alerts, "alerts for curl: only the request that carried the machine-id")


def test_tls_server_holding_an_identifier_is_quiet_in_its_handshake(host):
    """A server that read the machine-id before it listens (openssl s_server, its stdin empty)
    handshakes with a client on the test host: the certificate and key exchange, and the session
    tickets it flushes in an SSL_write of no bytes, are the library's records, no ground for an
    alert (nor is the netlink socket glibc opens for it). A request that does carry the value
    (curl's, after the tickets reached the client) is the only alert."""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        d = agent.tmp
        sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", d + "/key.pem", "-out", d + "/cert.pem", "-days", "1",
            "-subj", "/CN=localhost"])
        port = 20000 + os.getpid() % 20000
        # the shell reads the value, so the server it becomes holds it from the start
        server = subprocess.Popen(
            ["sh", "-c", "read v < /etc/machine-id; exec openssl s_server -accept %s:%d "
             "-cert %s/cert.pem -key %s/key.pem -naccept 1 -quiet </dev/null >%s/server.out 2>&1"
             % (host.local, port, d, d, d)])
        for _ in range(100):
            if os.path.exists(d + "/server.out") and "ACCEPT" in open(d + "/server.out").read():
                break
            time.sleep(0.05)
        # the client on the test host, so that the server's records leave this host; it keeps
        # the session once a ticket came
        client = subprocess.Popen(["ip", "netns", "exec", host.ns, "sh", "-c",
                                   "sleep 6 | openssl s_client -connect %s:%d -quiet -sess_out "
                                   "%s/session.pem >%s/client.out 2>&1" % (host.local, port, d, d)])
        for _ in range(100):
            if os.path.exists(d + "/session.pem"):
                break
            time.sleep(0.05)
        expect(os.path.exists(d + "/session.pem"), "a session ticket at the client (its output %r)"
               % open(d + "/client.out").read())
        curl_tls(host, "X-Device: $(cat /etc/machine-id)")
        agent.wait_alert(process__comm="curl")
        alerts = [r for r in agent.alerts() if "s_server" in r["process"]["cmdline"]]
        client.kill()
        server.kill()
        client.wait(5)
        server.wait(5)
    expect_eq([], alerts, "the server's alerts")


def test_gnutls_cli_request_is_confirmed_on_the_tls_channel(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        libs = agent.records()[0]["tls_libraries"]
        expect(any("libgnutls" in l["path"] and l["attached"] for l in libs),
               "a GnuTLS library among the probed ones: %r" % libs)
        cmd = ('printf "GET / HTTP/1.0\\r\\nX-Device: %%s\\r\\n\\r\\n" "$(cat /etc/machine-id)" | '
               "gnutls-cli --insecure --port 8443 %s >/dev/null 2>&1" % host.addr)
        subprocess.run(["sh", "-c", cmd], timeout=20)
        a = agent.wait_alert(process__comm="gnutls-cli", evidence__channel="tls")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")


def test_nss_tstclnt_request_is_confirmed_on_the_tls_channel(host):
    """NSS (tstclnt from libnss3-tools, as Firefox and Thunderbird use the library): the request
    goes through NSPR's PR_Write/PR_Send on the SSL layer's descriptor. One confirmed alert with
    the socket's destination; the handshake and alerts NSS writes itself raise none."""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        libs = agent.records()[0]["tls_libraries"]
        expect(any("libnspr4" in l["path"] and l["attached"] for l in libs),
               "NSPR among the probed libraries: %r" % libs)
        out = os.path.join(agent.tmp, "tstclnt.out")
        cmd = ('printf "GET / HTTP/1.0\\r\\nX-Device: %%s\\r\\n\\r\\n" "$(cat /etc/machine-id)" | '
               "timeout 5 tstclnt -h %s -p 8443 -D -o -f -m 1 >%s 2>&1" % (host.addr, out))
        # tstclnt polls on after its stdin ended and the server closed (-m 1: a 50 ms pause a
        # turn, not a spin): timeout ends it
        subprocess.run(["sh", "-c", cmd], timeout=20)
        a = agent.wait_alert(process__comm="tstclnt", evidence__channel="tls")
        time.sleep(0.5)
        alerts = agent.alerts(process__comm="tstclnt")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("ssl_write", a["evidence"]["call"], "evidence.call")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")
    expect_eq(1, len(alerts), "alerts for tstclnt (the ciphertext itself raises none): %r" % alerts)
    expect("X-Device: " + machine_id() in host.received(), "the test host to have decrypted the header")


NODE_HTTPS = """
const https = require("https"), fs = require("fs");
const id = fs.readFileSync("/etc/machine-id", "utf8").trim();
const req = https.request({host: process.argv[1], port: 8443, method: "POST", path: "/v1/device",
                           rejectUnauthorized: false, headers: {"content-type": "application/json"}},
                          res => { res.resume(); res.on("end", () => process.exit(0)); });
req.on("error", e => { console.error(e.message); process.exit(1); });
req.end(JSON.stringify({device: id, platform: process.platform}));
"""


def test_node_https_with_its_own_openssl_is_confirmed(host):
    """Node.js links OpenSSL into its executable (no libssl.so): the executable exports SSL_write,
    and is probed as a library when it opens the machine-id (the gate holds it meanwhile). Its
    TLS runs over a memory BIO (the event loop writes the records): one confirmed alert, with the
    socket's destination."""
    node = os.path.realpath(shutil.which("node") or "/usr/bin/node")
    sock = os.path.join(tempfile.mkdtemp(prefix="idsentry-node-"), "agent.sock")
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--socket", sock]) as agent:
        err = os.path.join(agent.tmp, "node.err")
        with open(err, "w") as e:
            p = subprocess.Popen(["node", "-e", NODE_HTTPS, host.addr], stdout=subprocess.DEVNULL,
                                 stderr=e)
            expect_eq(0, p.wait(timeout=30), "node's exit status (%s)" % err)
        a = agent.wait_alert(process__pid=p.pid, evidence__channel="tls")
        time.sleep(0.5)
        alerts = agent.alerts(process__pid=p.pid)
        status = go_status(agent, sock)
    shutil.rmtree(os.path.dirname(sock), ignore_errors=True)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("ssl_write", a["evidence"]["call"], "evidence.call")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")
    expect_eq(1, len(alerts), "alerts for node (its handshake and records raise none): %r" % alerts)
    entry = [l for l in status["tls_libraries"] if l["path"] == node]
    expect(entry and entry[0].get("kind") == "static" and entry[0]["attached"],
           "node probed as an executable with its own TLS library: %r" % entry)
    expect('"device": "%s"' % machine_id() in host.received().replace('":"', '": "'),
           "the test host to have decrypted the body")


def test_asyncio_memory_bio_tls_is_confirmed_with_its_socket(host):
    """asyncio encrypts into a memory BIO (SSLObject): SSL_write writes no socket; the ciphertext
    leaves by the event loop's send. One confirmed alert, with the real destination."""
    code = """
import asyncio, ssl, sys
async def main():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    mid = open("/etc/machine-id").read().strip()
    r, w = await asyncio.open_connection(sys.argv[1], 8443, ssl=ctx)
    w.write(("GET /sync HTTP/1.1\\r\\nHost: t\\r\\nX-Device: " + mid + "\\r\\n\\r\\n").encode())
    await w.drain()
    await asyncio.wait_for(r.read(100), 5)
    w.close()
asyncio.run(main())
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
        time.sleep(1)  # a second alert (for the ciphertext) would have come by now
        alerts = agent.alerts(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("tls", a["evidence"]["channel"], "evidence.channel")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")
    expect_eq(1, len(alerts), "alerts for the client (its ciphertext raises none)")


def test_curl_http2_header_is_confirmed_after_hpack_decoding(host):
    """curl --http2 over TLS: the header value travels HPACK-coded (Huffman) in a HEADERS frame."""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        r = subprocess.run(["sh", "-c", 'curl -sk --http2 -o /dev/null --max-time 5 https://%s:8444/h2 '
                            '-H "X-Device: $(cat /etc/machine-id)"' % host.addr],
                           capture_output=True, text=True, timeout=20)
        # the connection preface and SETTINGS go first (a holder's send with no value: suspected)
        a = agent.wait_alert(process__comm="curl", confidence="confirmed")
    expect_eq("confirmed", a["confidence"], "confidence (curl exited %d)" % r.returncode)
    expect_eq("tls", a["evidence"]["channel"], "evidence.channel")
    expect_eq("hpack", a["evidence"]["encoding"], "evidence.encoding")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8444},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")


def go_leak(host, delay_ms=None, stripped=False):
    """The Go client: reads /etc/machine-id, POSTs it with net/http (crypto/tls) to the test host."""
    exe = build_go_client("gotls_leak", stripped)
    cmd = [exe, "/etc/machine-id", "https://%s:8443/collect" % host.addr]
    if delay_ms is not None:
        cmd.append(str(delay_ms))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    expect_eq(0, p.returncode, "the Go client's exit status (stderr %r)" % p.stderr)
    return exe


def go_status(agent, sock):
    return json.loads(sh([AGENT, "status", "--socket", sock, "--json"], timeout=10).stdout)


def expect_one_go_alert(agent, host, comm="gotls_leak"):
    a = agent.wait_alert(process__comm=comm)
    time.sleep(1)  # a second alert (for the ciphertext) would have come by now
    alerts = agent.alerts(process__comm=comm)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("tls", a["evidence"]["channel"], "evidence.channel")
    expect_eq("go_tls_write", a["evidence"]["call"], "evidence.call")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")}, "destination")
    expect_eq(1, len(alerts), "alerts for the Go client (its ciphertext raises none)")
    expect(machine_id() in host.received(), "the test host to have decrypted the body")


def go_entry(status, exe):
    entries = [l for l in status["tls_libraries"] if l.get("kind") == "go"]
    expect(any(l["path"] == exe for l in entries),
           "the Go client among tls_libraries: %r" % entries)
    return [l for l in entries if l["path"] == exe][0]


def test_go_crypto_tls_post_is_confirmed_with_its_destination(host):
    """Go links crypto/tls into the executable: the probe at the entry of (*Conn).Write takes the
    plaintext, the TLS record the program writes next gives it its destination."""
    exe = build_go_client("gotls_leak")  # built before the agent: the build reads no identifier
    sock = os.path.join(os.path.dirname(exe), "gotls-1.sock")
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--socket", sock]) as agent:
        expect("handle_go_tls_write" in agent.records()[0]["probes"]["attached"],
               "the Go TLS program loaded: %r" % agent.records()[0]["probes"]["skipped"])
        go_leak(host, delay_ms=500)
        expect_one_go_alert(agent, host)
        e = go_entry(go_status(agent, sock), exe)
    expect_eq(True, e["attached"], "the Go client probed (%r)" % e)
    expect(e.get("version", "").startswith("go1."), "its Go version: %r" % e)


def test_go_client_sending_at_once_is_probed_while_its_open_is_held(host):
    """With the syscall hooks away, the fanotify gate holds the Go client in its open of the
    machine-id: its executable is probed then, before it can read and send (it does at once)."""
    needs_gate()
    exe = build_go_client("gotls_leak")
    sock = os.path.join(os.path.dirname(exe), "gotls-2.sock")
    args = ["--socket", sock, "--stats-interval", "1"]
    with Agent(policy_text=POLICY_MACHINE_ID, args=args) as agent:
        agent.wait_for(lambda r: r["type"] == "stats" and not r["hooks"]["syscalls_attached"] and
                       not r["hooks"]["detaching"], timeout=15, what="the syscall hooks detached")
        go_leak(host)
        expect_one_go_alert(agent, host)
        st = go_status(agent, sock)
        e = go_entry(st, exe)
    expect_eq(True, e["attached"], "the Go client probed (%r)" % e)
    expect("last_opener_us" in st["hooks"], "the gate's look at the opener timed: %r" % st["hooks"])
    print("go probe: look-up and attach %d us (ELF look-up %d us); the opener waited %d us for it "
          "(the syscall hooks' attach: %d us)" % (e["attach_us"], e["lookup_us"],
                                                   st["hooks"]["last_opener_us"],
                                                   st["hooks"]["last_attach_us"]))


def test_go_client_exec_d_by_a_shell_that_opened_the_identifier_is_probed(host):
    """`gotls_leak - URL < /etc/machine-id`: the shell opens the file, then execs the Go client,
    which reads the fd it was handed. With the hooks attached the shell's open marks the fd and
    introduces the shell (its executable looked at then); the exec must make the agent look at
    the new image before its first read is judged, or the Go client's plaintext is missed and
    only its ciphertext raises a (suspected) alert."""
    exe = build_go_client("gotls_leak")
    sock = os.path.join(os.path.dirname(exe), "gotls-4.sock")
    args = ["--socket", sock, "--hooks", "always"]
    with Agent(policy_text=POLICY_MACHINE_ID, args=args) as agent:
        with open(os.path.join(os.path.dirname(exe), "gotls-4.out"), "w") as out:
            # the shell holds the file a while before the exec: the agent has introduced it
            # (and looked at /bin/sh) by then; the client waits 500 ms before it sends, as
            # go_leak's callers do, for the probe's attach
            p = subprocess.run(["sh", "-c", 'exec 0</etc/machine-id; sleep 0.3; '
                                'exec "$0" - "$1" 500', exe,
                                "https://%s:8443/collect" % host.addr],
                               stdout=out, stderr=subprocess.STDOUT, timeout=30)
        expect_eq(0, p.returncode, "the Go client's exit status")
        expect_one_go_alert(agent, host)


def test_stripped_go_executable_is_probed_by_its_function_table(host):
    """Stripped of .symtab (-ldflags=-s -w), a Go executable still carries the function table its
    runtime needs (.gopclntab): (*Conn).Write is found there."""
    exe = build_go_client("gotls_leak", stripped=True)
    expect(" .symtab " not in sh(["readelf", "-SW", exe]).stdout, "the client stripped of .symtab")
    sock = os.path.join(os.path.dirname(exe), "gotls-3.sock")
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--socket", sock]) as agent:
        go_leak(host, delay_ms=500, stripped=True)
        expect_one_go_alert(agent, host, comm="gotls_leak_s")
        e = go_entry(go_status(agent, sock), exe)
    expect_eq(True, e["attached"], "the stripped Go client probed (%r)" % e)
