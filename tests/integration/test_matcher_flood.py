# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Matcher robustness (issue 15.9): values learnt from sources any process can drive are bounded.
Ten thousand MACs forged with SIOCSIFHWADDR and read back with SIOCGIFHWADDR in a private
network namespace neither grow the matcher nor slow the README's curl case down."""
import os
import subprocess
import tempfile
import time

from idslib import RULE_OFF_HOST, Agent, expect, expect_eq, machine_id, sh

POLICY = """version: 1
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
  - name: mac-address
    ioctls: [SIOCGIFHWADDR]
""" + RULE_OFF_HOST

FORGE = r"""
import fcntl, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
name = sys.argv[1].encode()
for i in range(int(sys.argv[2])):
    mac = bytes([2, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255])
    fcntl.ioctl(s.fileno(), 0x8924, struct.pack("16sH6s8s", name, 1, mac, bytes(8)))
    fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", name))
print("forged", sys.argv[2])
"""


def test_ten_thousand_forged_macs_do_not_slow_matching(host):
    ns = "idsf%d" % (os.getpid() % 10000)
    tmp = tempfile.mkdtemp(prefix="idsentry-forge-")
    sh(["ip", "netns", "del", ns], check=False)
    sh(["ip", "netns", "add", ns])
    try:
        # a veth end, down: its address can be changed (no dummy driver on every kernel)
        sh(["ip", "-n", ns, "link", "add", "forge0", "type", "veth", "peer", "name", "forge1"])
        with Agent(policy_text=POLICY, args=["--stats-interval", "1"]) as agent:
            with open(os.path.join(tmp, "forge.out"), "w") as out:
                r = subprocess.run(["ip", "netns", "exec", ns, "python3", "-c", FORGE, "forge0",
                                    "10000"], stdout=out, stderr=out, timeout=120)
            expect_eq(0, r.returncode, "the forger's exit status")
            # the forger's replies reach the agent: it has seen them all once a stats record
            # counts at least as many ident reads
            agent.wait_for(lambda x: x["type"] == "stats" and
                           x["events"]["ident_read"] >= 10000, timeout=30,
                           what="stats with the 10,000 replies read")
            with open(os.path.join(tmp, "curl.out"), "w") as out:
                r = subprocess.run(["sh", "-c", "cat /etc/machine-id | curl -s -o /dev/null "
                                    "--max-time 5 --data-binary @- http://%s:8080/" % host.addr],
                                   stdout=out, stderr=out, timeout=20)
            sent = time.monotonic()
            expect_eq(0, r.returncode, "curl's exit status")
            a = agent.wait_alert(process__comm="curl", confidence="confirmed", timeout=5)
            took = time.monotonic() - sent
            stats = agent.wait_for(lambda x: x["type"] == "stats" and
                                   x["ts"] > a["ts"], timeout=5, what="a later stats record")
        print("  confirmed %.0f ms after the send; %d values known, %d replaced" % (
            took * 1000, stats["known_values"], stats.get("values_replaced", -1)))
        expect(took <= 1.0, "the confirmed alert within 1 s of the send, took %.2f s" % took)
        expect_eq("machine-id", a["identifiers"][0]["name"], "identifier")
        expect(stats["known_values"] <= 64 + 1, "known values bounded: %d" % stats["known_values"])
        expect(all(v == 0 for v in stats["kernel"].values()), "nothing lost in the kernel: %r" %
               stats["kernel"])
        expect(machine_id() in host.quiet_received(), "the host got the value")
    finally:
        sh(["ip", "netns", "del", ns], check=False)
        subprocess.run(["rm", "-rf", tmp])
