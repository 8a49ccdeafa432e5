# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A flood of identifier sends: the agent keeps up, stays small, and folds repeats into counts."""
import time

from idslib import Agent, POLICY_MACHINE_ID, expect, run_py

FLOOD = """
import socket, sys, time
mid = open("/etc/machine-id", "rb").read()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dest = (sys.argv[1], 9999)
rate, seconds = int(sys.argv[2]), float(sys.argv[3])
sent, start = 0, time.monotonic()
while time.monotonic() - start < seconds:
    # paced in bursts of 500 so the rate holds without a busy wait between sends
    for _ in range(500):
        u.sendto(mid, dest)
    sent += 500
    ahead = sent / rate - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
print(sent, time.monotonic() - start)
"""


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_flood_of_identifier_sends(host):
    rate, seconds = 50000, 5
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--stats-interval", "1"]) as agent:
        rss_before = rss_kib(agent.proc.pid)
        pid, out = run_py(FLOOD, host.addr, rate, seconds, timeout=60)
        sent, took = out.split()
        sent, took = int(sent), float(took)
        # the agent has handled the flood when the counted records stop growing
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            stats = [r for r in agent.records() if r["type"] == "stats"]
            if stats and stats[-1]["events"]["send"] >= sent:
                break
            time.sleep(0.5)
        rss_peak = rss_kib(agent.proc.pid)
        expect(agent.proc.poll() is None, "the agent alive after the flood")
        alerts = agent.alerts(process__pid=pid)
        expect(agent.stop() == 0, "a clean exit")
    records = agent.records()
    lost = sum(r["count"] for r in records if r["type"] == "lost")
    stats = [r for r in records if r["type"] == "stats"][-1]
    alerts = [r for r in records if r["type"] == "alert" and r["process"]["pid"] == pid]
    counted = sum(r.get("count", 1) for r in alerts)
    print("  flood: %d sends in %.1fs (%.0f/s); events %d; alerts written %d covering %d sends; "
          "lost %d; agent RSS %d KiB before, %d KiB after" % (
              sent, took, sent / took, stats["events"]["send"], len(alerts), counted, lost,
              rss_before, rss_peak))
    expect(len(alerts) <= 20, "a readable alert stream (<= 20 lines), got %d" % len(alerts))
    expect(any(r.get("aggregated") for r in alerts), "repeats folded into a counted record")
    expect(counted + lost >= sent * 0.99, "every send accounted for in alerts or lost records: "
           "%d + %d of %d" % (counted, lost, sent))
    expect(rss_peak < 64 * 1024, "agent RSS bounded (< 64 MiB), got %d KiB" % rss_peak)
