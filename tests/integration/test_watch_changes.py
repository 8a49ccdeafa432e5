# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Globs stay current: an identifier file created after the agent started, or replaced by a new
inode (as a regenerated machine-id is), is watched without a reload."""
import os
import secrets
import subprocess
import sys
import tempfile
import time

from idslib import Agent, RULE_OFF_HOST, expect, expect_eq, run_py

SEND = """
import socket, sys
v = open(sys.argv[2]).read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("id=" + v).encode())
"""


def policy(d):
    return """version: 1
identifiers:
  - name: device-token
    files: ["%s/*.token"]
""" % d + RULE_OFF_HOST


def test_file_created_after_start_is_watched(host):
    d = tempfile.mkdtemp(prefix="idsentry-later-")
    with Agent(policy_text=policy(d)) as agent:
        path = os.path.join(d, "device.token")
        with open(path, "w") as f:
            f.write(secrets.token_hex(16) + "\n")
        time.sleep(2.5)  # the agent registers changes once a second
        pid, _ = run_py(SEND, host.addr, path)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(path, a["identifiers"][0]["path"], "identifiers[].path")


def test_file_replaced_by_a_new_inode_is_watched(host):
    d = tempfile.mkdtemp(prefix="idsentry-renamed-")
    path = os.path.join(d, "device.token")
    with open(path, "w") as f:
        f.write(secrets.token_hex(16) + "\n")
    with Agent(policy_text=policy(d)) as agent:
        # as systemd-machine-id-setup does: write a new file, rename it over the old one
        tmp = os.path.join(d, ".device.tmp")
        with open(tmp, "w") as f:
            f.write(secrets.token_hex(16) + "\n")
        os.rename(tmp, path)
        time.sleep(2.5)
        pid, _ = run_py(SEND, host.addr, path)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")


POLL_THEN_SEND = """
import os, socket, sys, time
path, polled, go = sys.argv[2], sys.argv[3], sys.argv[4]
def poll(n):
    for _ in range(n):
        with open(path) as f:
            v = f.read().strip()
    return v
poll(300)
open(polled, "w").close()
deadline = time.monotonic() + 5
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.005)
v = poll(300)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("id=" + v).encode())
"""


def test_value_rewritten_between_quick_reads_is_learned(host):
    """The kernel tells the agent of a read of the same bytes at the same place of a file only once
    a second (ident.bpf.c): a process polling a file whose value is rewritten in place, same length,
    between two of its reads not a second apart must still have the new value learned from its
    read, and its send of it confirmed; the repeats are counted."""
    d = tempfile.mkdtemp(prefix="idsentry-poll-")
    path = os.path.join(d, "device.token")
    old, new = secrets.token_hex(16), secrets.token_hex(16)
    with open(path, "w") as f:
        f.write(old + "\n")
    polled, go = os.path.join(d, "polled"), os.path.join(d, "go")
    with Agent(policy_text=policy(d), args=["--hooks", "always", "--show-values",
                                             "--stats-interval", "1"]) as agent:
        proc = subprocess.Popen([sys.executable, "-c", POLL_THEN_SEND, host.addr, path, polled, go],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(polled) and time.monotonic() < deadline:
            time.sleep(0.005)
        expect(os.path.exists(polled), "the client polled the file")
        # in place: the same inode, offset and length, other bytes
        with open(path, "r+") as f:
            f.write(new + "\n")
        open(go, "w").close()
        proc.wait(timeout=20)
        a = agent.wait_alert(process__pid=proc.pid)
        s = agent.wait_for(lambda r: r["type"] == "stats" and
                           r["kernel"].get("ident_read_repeats", 0) > 0, timeout=5,
                           what="a stats record counting repeated reads")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(new, a["identifiers"][0]["value"], "the value read after the rewrite")
    expect(s["events"]["ident_read"] < 300, "repeats were not all told: %r" % s["events"])
