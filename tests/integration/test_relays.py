# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Local relays: TCP and UDP between processes of this host carry taint like unix sockets.

A forwarder on the same host (socat, a DNS stub such as dnsmasq or systemd-resolved's 127.0.0.53,
the app's own helper) receives the value over loopback, which rules except, and re-sends it: the
relay's outbound send must alert with the lineage through it, and block rules must hold there."""
import contextlib
import os
import socket
import subprocess
import tempfile
import time

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, Failure, expect, expect_eq, machine_id, run_py

BLOCK_POLICY = """version: 1
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
rules:
  - name: stop-machine-id
    identifiers: [machine-id]
    destinations:
      except: [127.0.0.0/8, "::1/128", unix]
    window: 10m
    action: block
"""

SEND = """
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
mid = open("/etc/machine-id").read().strip()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(("id=" + mid + "\\n").encode())
s.shutdown(socket.SHUT_WR)
s.recv(100)
"""


def free_port(family=socket.AF_INET, addr="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def wait_listening(port, proto="t", timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", "-ln" + proto], capture_output=True, text=True).stdout
        if ":%d " % port in out:
            return
        time.sleep(0.05)
    raise Failure("nothing listening on port %d after %ds" % (port, timeout))


@contextlib.contextmanager
def daemon(argv):
    """A relay started for one test, its output to a file (not a pipe from the harness)."""
    log = tempfile.NamedTemporaryFile(prefix="idsentry-relay-", suffix=".log", delete=False)
    p = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        yield p
    finally:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
        log.close()
        os.unlink(log.name)


def socat_relay(listen, target):
    return daemon(["socat", "-T", "10", listen, target])


def test_socat_tcp_relay_sends_on_the_clients_taint(host):
    port = free_port()
    with Agent(policy_text=POLICY_MACHINE_ID) as agent, \
            socat_relay("TCP4-LISTEN:%d,bind=127.0.0.1,reuseaddr" % port,
                        "TCP4:%s:9000" % host.addr) as relay:
        wait_listening(port)
        pid, _ = run_py(SEND, "127.0.0.1", port)
        a = agent.wait_alert(process__pid=relay.pid)
        client_alerts = agent.alerts(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence of the relay's send")
    expect_eq({"addr": host.addr, "port": 9000},
              {k: a["destination"][k] for k in ("addr", "port")}, "the relay's destination")
    lineage = a.get("lineage") or ""
    expect("-loopback->" in lineage and lineage.endswith("socat[%d]" % relay.pid),
           "a lineage 'python[N] -loopback-> socat[M]', got %r" % lineage)
    expect_eq([], client_alerts, "alerts for the client's own send to loopback (excepted)")


def test_relay_on_ipv6_loopback_and_on_the_hosts_own_address(host):
    """::1, and the host's own veth address: not 127/8, but routed through the loopback device."""
    for family, listen_addr, proto in ((socket.AF_INET6, "::1", "TCP6"),
                                       (socket.AF_INET, host.local, "TCP4")):
        port = free_port(family, listen_addr)
        bind = "[%s]" % listen_addr if family == socket.AF_INET6 else listen_addr
        with Agent(policy_text=POLICY_MACHINE_ID) as agent, \
                socat_relay("%s-LISTEN:%d,bind=%s,reuseaddr" % (proto, port, bind),
                            "TCP4:%s:9000" % host.addr) as relay:
            wait_listening(port)
            run_py(SEND, listen_addr, port)
            a = agent.wait_alert(process__pid=relay.pid)
        expect_eq("confirmed", a["confidence"], "confidence of the relay's send (via %s)" % listen_addr)


def test_dns_stub_forwarding_a_query_alerts_for_the_stub(host):
    """dnsmasq as a local stub (as systemd-resolved's 127.0.0.53 is on Ubuntu): the query name
    carries the machine-id; the stub's upstream query is the leak."""
    stub = "127.0.0.54"
    code = """
import socket, struct, sys
mid = open("/etc/machine-id").read().strip()
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
for label in (mid[:16], mid[16:], "t", "example"):
    q += bytes([len(label)]) + label.encode()
q += b"\\x00" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, (sys.argv[1], 53))
s.recv(512)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent, \
            daemon(["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--bind-interfaces", "--listen-address=" + stub, "--port=53",
                    "--server=" + host.addr, "--cache-size=0", "--user=root",
                    "--pid-file=", "--log-facility=-"]) as dnsmasq:
        wait_listening(53, "u")
        time.sleep(0.2)
        run_py(code, stub)
        a = agent.wait_alert(process__pid=dnsmasq.pid)
    expect_eq("confirmed", a["confidence"], "confidence of the stub's upstream query")
    expect_eq("dns", a["evidence"]["channel"], "evidence.channel")
    expect_eq({"proto": "udp", "port": 53, "addr": host.addr},
              {k: a["destination"][k] for k in ("proto", "port", "addr")}, "destination")
    expect("-loopback->" in (a.get("lineage") or ""), "lineage through loopback, got %r" % a.get("lineage"))


def test_block_rule_holds_through_a_relay(host):
    port = free_port()
    before = host.quiet_received()
    with Agent(policy_text=BLOCK_POLICY) as agent, \
            socat_relay("TCP4-LISTEN:%d,bind=127.0.0.1,reuseaddr" % port,
                        "TCP4:%s:9000" % host.addr) as relay:
        wait_listening(port)
        p = subprocess.Popen([PYTHON, "-c", SEND, "127.0.0.1", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        p.wait(20)
        a = agent.wait_alert(process__pid=relay.pid)
        time.sleep(0.5)
    expect_eq("blocked", a["action"], "action on the relay's send")
    got = host.received()[len(before):]
    expect(machine_id() not in got, "the machine-id not to reach the host through the relay")
