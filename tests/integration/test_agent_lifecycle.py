# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Agent lifecycle: ready record, SIGHUP reloads (good and bad), SIGINT detaches everything."""
import json
import os
import signal
import time

from idslib import Agent, POLICY_MACHINE_ID, expect, expect_eq, run_py, sh
from test_file_identifiers import READ_AND_SEND_TCP

BROKEN = POLICY_MACHINE_ID.replace("action: alert", "action: explode")


def prog_ids_of(pid):
    """Ids of the BPF programs a process holds through its fds (program and link fds say
    'prog_id:' in fdinfo); other agents may be running at the same time."""
    ids = set()
    fdinfo = "/proc/%d/fdinfo" % pid
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def handle_prog_ids():
    progs = json.loads(sh(["bpftool", "-j", "prog", "show"]).stdout or "[]")
    return {p["id"] for p in progs if p.get("name", "").startswith("handle_")}


def test_ready_lists_probes(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        ready = agent.records()[0]
    expect_eq("ready", ready["type"], "first record type")
    for name in ("handle_sys_exit_openat", "handle_sys_exit_read", "handle_sys_exit_sendto",
                 "handle_cgroup_sendmsg4", "handle_sched_process_fork"):
        expect(name in ready["probes"]["attached"], "%s among the attached probes" % name)
    expect(isinstance(ready["probes"]["skipped"], list), "a skipped list")
    expect_eq(1, ready["watched_files"], "watched files (/etc/machine-id)")


def test_sigint_detaches_every_program(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    with agent:
        during = prog_ids_of(agent.proc.pid)
        expect(len(during) >= 10, "idsentry's programs loaded while running, got %d" % len(during))
        expect(during <= handle_prog_ids(), "the agent's programs named after their hooks")
        expect_eq(0, agent.stop(), "exit status after SIGINT")
    # the kernel frees a program after a grace period once its last link and fd are gone
    # (raw tracepoint links wait for one more): a moment, not a leak
    deadline = time.monotonic() + 5
    while handle_prog_ids() & during and time.monotonic() < deadline:
        time.sleep(0.2)
    expect_eq(set(), handle_prog_ids() & during, "idsentry programs left 5 s after SIGINT")


def test_sigterm_exits_zero(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    with agent:
        agent.signal(signal.SIGTERM)
        expect_eq(0, agent.proc.wait(10), "exit status after SIGTERM")


def test_sighup_with_broken_policy_keeps_the_old_one(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    with agent:
        path = agent.policies[0]
        agent.write_policy(BROKEN)
        agent.signal(signal.SIGHUP)
        rec = agent.wait_for(lambda r: r["type"] == "policy", what="a policy record")
        expect_eq("rejected", rec["status"], "policy status")
        expect_eq(["%s:11:13: error: unknown action 'explode' (expected alert, block or kill)" % path],
                  rec["errors"], "policy errors")
        pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
        agent.wait_alert(process__pid=pid, confidence="confirmed")
        expect("unknown action 'explode'" in open(agent.err).read(), "the error on stderr too")


def test_sighup_with_valid_policy_applies_it(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    with agent:
        agent.write_policy(POLICY_MACHINE_ID.replace("unix]", "unix, 9000]"))
        agent.signal(signal.SIGHUP)
        rec = agent.wait_for(lambda r: r["type"] == "policy", what="a policy record")
        expect_eq("applied", rec["status"], "policy status")
        excepted, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
        control, _ = run_py(READ_AND_SEND_TCP, host.addr, 8080, "/etc/machine-id")
        agent.wait_alert(process__pid=control)
        expect_eq([], agent.alerts(process__pid=excepted), "alerts to the newly excepted port")


def test_run_with_invalid_policy_exits_at_once(host):
    agent = Agent(policy_text=BROKEN)
    start = time.monotonic()
    r = sh([agent.__class__.__module__ and __import__("idslib").AGENT, "run", "--policy", agent.policies[0]],
           check=False, timeout=10)
    elapsed = time.monotonic() - start
    expect(r.returncode != 0, "a non-zero exit status")
    expect(elapsed < 1.0, "exit within a second, took %.2fs" % elapsed)
    expect("%s:11:13: error: unknown action 'explode'" % agent.policies[0] in r.stderr,
           "the diagnostic on stderr, got %r" % r.stderr)
