# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Unconnected unix datagram sockets: a value sent with sendto/sendmsg to a name (a path or an
abstract name) taints whoever is bound to it, as connected sockets do."""
import os
import subprocess
import tempfile

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, expect, expect_eq, run_py

# Bound to argv[2] (a path, or "@name" for an abstract one): receives one datagram, then sends it
# on to the test host. An unrelated process: it never reads the identifier itself.
RECEIVER = """
import socket, sys
name = sys.argv[2]
r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
r.bind("\\0" + name[1:] if name.startswith("@") else name)
print("ready", flush=True)
r.settimeout(10)
data = r.recv(4096)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"got=" + data)
"""

# Reads the identifier and sends it to the name, unconnected, with sendto or sendmsg (argv[2]).
SENDER = """
import socket, sys
name, call = sys.argv[1], sys.argv[2]
addr = "\\0" + name[1:] if name.startswith("@") else name
value = open("/etc/machine-id", "rb").read()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if call == "sendto":
    s.sendto(value, addr)
else:
    s.sendmsg([b"id=", value], [], 0, addr)
"""


def relay(host, name, call):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        rx = subprocess.Popen([PYTHON, "-c", RECEIVER, host.addr, name], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        try:
            expect_eq("ready", rx.stdout.readline().strip(), "the receiver bound")
            run_py(SENDER, name, call)
            expect_eq(0, rx.wait(20), "receiver exit status (stderr %r)" % rx.stderr.read())
        finally:
            if rx.poll() is None:
                rx.kill()
                rx.wait()
        return agent.wait_alert(process__pid=rx.pid)


def test_sendto_a_path_taints_the_receiver(host):
    path = os.path.join(tempfile.mkdtemp(prefix="idsentry-dgram-"), "rx.sock")
    a = relay(host, path, "sendto")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect("-unix->" in (a.get("lineage") or ""), "a unix hop in the lineage, got %r" % a.get("lineage"))


def test_sendmsg_to_an_abstract_name_taints_the_receiver(host):
    a = relay(host, "@idsentry-test-%d" % os.getpid(), "sendmsg")
    expect_eq("confirmed", a["confidence"], "confidence")
