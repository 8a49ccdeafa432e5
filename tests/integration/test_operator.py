# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Operator experience: live socket with tail and status, slow subscribers, rotation, syslog, docs, install."""
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from idslib import AGENT, ROOT, Agent, Failure, POLICY_MACHINE_ID, expect, expect_eq, run_py, sh
from test_file_identifiers import READ_AND_SEND_TCP

SUBCOMMANDS = ("run", "check", "tail", "status", "report")


class Tail:
    """`idsentry tail ARGS` in the background; its stdout and stderr lines are collected."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([AGENT, "tail"] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines, self.errors = [], []
        for stream, into in ((self.proc.stdout, self.lines), (self.proc.stderr, self.errors)):
            threading.Thread(target=self._collect, args=(stream, into), daemon=True).start()

    @staticmethod
    def _collect(stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))

    def wait_line(self, pred, timeout=10, what="a line"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if pred(line):
                    return line
            time.sleep(0.05)
        raise Failure("tail printed no %s within %ss; stdout:\n%s\nstderr:\n%s" % (
            what, timeout, "\n".join(self.lines[-10:]), "\n".join(self.errors[-10:])))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Failure("idsentry tail did not exit within 5 s of SIGINT")
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def status(sock, check=True):
    """The agent's status record, through `idsentry status --json`."""
    r = sh([AGENT, "status", "--socket", sock, "--json"], check=check, timeout=10)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wait_clients(sock, n, timeout=10):
    """Until n clients besides the asking one are connected: records reach a client only once the
    agent has accepted it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = status(sock)
        if st["output"]["socket"]["clients"] >= n + 1:
            return st
        time.sleep(0.05)
    raise Failure("fewer than %d socket clients within %ss" % (n, timeout))


def raw_line(agent, pid):
    """The alert line for pid exactly as the agent wrote it to its output file."""
    with open(agent.out, encoding="utf-8") as f:
        for line in f:
            if json.loads(line).get("process", {}).get("pid") == pid:
                return line.rstrip("\n")
    raise Failure("no alert line for pid %d in %s" % (pid, agent.out))


def sock_path(agent):
    return os.path.join(agent.tmp, "ids.sock")


def agent_with_socket(*extra):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    agent.args = ["--socket", sock_path(agent)] + list(extra)
    return agent


def test_tail_prints_a_readable_line_and_json_to_two_subscribers(host):
    agent = agent_with_socket()
    with agent:
        sock = sock_path(agent)
        with Tail("--socket", sock) as human, Tail("--socket", sock, "--json") as raw:
            wait_clients(sock, 2)
            pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
            a = agent.wait_alert(process__pid=pid)
            tag = "%s[%d]" % (a["process"]["comm"], pid)
            line = human.wait_line(lambda l: tag in l, what="alert line naming %s" % tag)
            got = raw.wait_line(lambda l: '"pid":%d,' % pid in l, what="JSON alert for pid %d" % pid)
        expect(not line.lstrip().startswith("{"), "a readable line, not JSON: %r" % line)
        expect("machine-id" in line, "the identifier named in %r" % line)
        expect("HIGH" in line and "%s:9000/tcp" % host.addr in line,
               "severity and destination in %r" % line)
        expect("\033" not in line, "no colour when stdout is not a terminal: %r" % line)
        expect_eq(raw_line(agent, pid), got, "--json line (the record unchanged)")


def test_tail_filters_select_alerts(host):
    agent = agent_with_socket()
    with agent:
        sock = sock_path(agent)
        with Tail("--socket", sock, "--json", "--identifier", "machine-id", "--comm", "pyth*",
                  "--min-severity", "high", "--pid", "1") as by_pid_1, \
                Tail("--socket", sock, "--json", "--rule", "identifier-exfiltration",
                     "--min-severity", "critical") as critical:
            wait_clients(sock, 2)
            pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
            agent.wait_alert(process__pid=pid)
            agent.signal(signal.SIGHUP)  # a policy record: never filtered out
            for t in (by_pid_1, critical):
                t.wait_line(lambda l: '"type":"policy"' in l, what="the policy record")
        for t in (by_pid_1, critical):
            expect_eq([], [l for l in t.lines if '"type":"alert"' in l], "alerts through the filters")
        with Tail("--file", agent.out, "--no-follow", "--pid", str(pid), "--comm", "pyth*",
                  "--identifier", "machine-id", "--min-severity", "high", "--color", "never") as t:
            expect_eq(0, t.proc.wait(10), "tail --file --no-follow exit status")
        alerts = [l for l in t.lines if "[%d]" % pid in l]
        expect_eq(1, len(alerts), "alert lines for pid %d from the file, got %r" % (pid, t.lines))


def test_slow_subscriber_does_not_stop_alerts(host):
    agent = agent_with_socket("--socket-backlog", "4K")
    with agent:
        sock = sock_path(agent)
        slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        slow.connect(sock)
        # ask for far more status records than it will read: the agent's writes to it would block
        slow.sendall(b"status\n" * 400)
        deadline = time.monotonic() + 10
        while status(sock)["output"]["socket"]["dropped"] == 0:
            expect(time.monotonic() < deadline, "records dropped for the slow client within 10 s")
            time.sleep(0.1)
        pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
        agent.wait_alert(process__pid=pid)  # the agent kept writing its output file
        dropped = status(sock)["output"]["socket"]["dropped"]
        # it reads at last: whole records, and a lost record says how many it missed
        slow.settimeout(10)
        buf, lost = b"", []
        while sum(lost) < dropped:
            chunk = slow.recv(1 << 16)
            expect(chunk, "the stream to go on until the lost records")
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                rec = json.loads(line)
                if rec["type"] == "lost":
                    expect_eq(("socket", "subscriber_backlog_full"), (rec["where"], rec["cause"]),
                              "lost record")
                    lost.append(rec["count"])
        slow.close()
        # alerts of other tests on this machine may have been dropped for it since
        expect(sum(lost) >= dropped, "told of at least the %d records it lost, got %r" % (dropped, lost))
        expect_eq(0, agent.stop(), "exit status")


# Sends the machine-id, then stays alive (tainted) until its stdin closes.
SEND_AND_LINGER = READ_AND_SEND_TCP + """
sys.stdin.read()
"""


def test_status_shows_probes_counters_and_policy(host):
    agent = agent_with_socket()
    with agent:
        sock = sock_path(agent)
        client = subprocess.Popen([sys.executable, "-c", SEND_AND_LINGER, host.addr, "9000", "/etc/machine-id"],
                                  stdin=subprocess.PIPE)
        try:
            agent.wait_alert(process__pid=client.pid)
            text = sh([AGENT, "status", "--socket", sock]).stdout
            st = status(sock)
        finally:
            client.stdin.close()
            client.wait(10)
    # other tests on this machine may exfiltrate too: this agent sees every process
    for what in ("handle_sys_exit_openat", "handle_cgroup_sendmsg4", "probes: ", "alerts: confirmed ",
                 "events: ident_read", "kernel (lost and truncated, by cause): ringbuf_full 0",
                 "enforcement: ", "taint table ", agent.policies[0], "socket: " + sock):
        expect(what in text, "%r in the status report:\n%s" % (what, text))
    expect(re.search(r"^idsentry \S+ \(pid %d\), up \d+s, mode enforce$" % agent.proc.pid, text, re.M),
           "the headline with pid, uptime and mode:\n" + text)
    expect_eq("status", st["type"], "record type")
    expect("handle_sys_exit_openat" in st["probes"]["attached"], "attached probes in --json")
    expect(st["alerts"]["confirmed"] >= 1, "confirmed alerts counted, got %r" % st["alerts"])
    expect(st["events"]["send"] >= 1 and st["events"]["ident_read"] >= 1, "event counters")
    expect_eq(0, st["kernel"]["ringbuf_full"], "lost ring buffer events")
    expect(st["taint_table"] >= 1, "the exfiltrating process in the taint table")
    with open(agent.policies[0], "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    expect_eq([{"file": agent.policies[0], "sha256": digest}], st["policy"], "policy files")
    expect(not os.path.exists(sock), "the socket removed when the agent stops")
    r = sh([AGENT, "status", "--socket", sock], check=False)
    expect_eq(1, r.returncode, "status exit with no agent")
    expect("no agent is listening on '%s'" % sock in r.stderr, "why, on stderr: %r" % r.stderr)


def test_tail_reconnects_when_the_agent_restarts(host):
    tmp = tempfile.mkdtemp(prefix="idsentry-tail-")
    sock = os.path.join(tmp, "ids.sock")
    try:
        with Tail("--socket", sock) as t:
            deadline = time.monotonic() + 10
            while not any("waiting for an agent" in e for e in t.errors):
                expect(time.monotonic() < deadline, "a waiting notice from tail: %r" % t.errors)
                time.sleep(0.05)
            for round_ in range(2):
                agent = Agent(policy_text=POLICY_MACHINE_ID, args=["--socket", sock])
                with agent:
                    wait_clients(sock, 1)
                    pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
                    agent.wait_alert(process__pid=pid)
                    t.wait_line(lambda l: "[%d] sent machine-id" % pid in l,
                                what="the alert of agent %d" % (round_ + 1))
            expect(any("reconnecting" in e for e in t.errors), "a reconnecting notice: %r" % t.errors)
            expect(t.proc.poll() is None, "tail still running")
            expect_eq(0, t.stop(), "tail exit status after SIGINT")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_socket_in_use_is_refused(host):
    agent = agent_with_socket()
    with agent:
        r = sh([AGENT, "run", "--socket", sock_path(agent), "--policy", agent.policies[0]],
               check=False, timeout=10)
        expect(r.returncode != 0, "a second agent on the same --socket to fail")
        expect("another agent is listening on '%s'" % sock_path(agent) in r.stderr, "why: %r" % r.stderr)
        expect(status(sock_path(agent))["pid"] == agent.proc.pid, "the first agent still serving")


def policy_lines(tail):
    return [l for l in tail.lines if '"type":"policy"' in l]


def test_rotation_keeps_the_configured_number_of_files(host):
    agent = agent_with_socket("--rotate-size", "1K", "--rotate-keep", "2")
    with agent:
        files = [agent.out] + ["%s.%d" % (agent.out, i) for i in range(1, 5)]
        sock = sock_path(agent)
        with Tail("--socket", sock, "--json") as live, Tail("--file", agent.out, "--json") as follower:
            wait_clients(sock, 1)
            for i in range(30):
                agent.signal(signal.SIGHUP)  # one policy record each (~130 bytes)
                live.wait_line(lambda l: len(policy_lines(live)) > i, what="policy record %d" % (i + 1))
                time.sleep(0.1)
            deadline = time.monotonic() + 10
            while len(policy_lines(follower)) < 30:
                expect(time.monotonic() < deadline, "tail --file to follow the rotations, got %d of 30"
                       % len(policy_lines(follower)))
                time.sleep(0.1)
        rotations = status(sock)["output"]["rotations"]
    expect([os.path.exists(f) for f in files] == [True, True, True, False, False],
           "the current file and FILE.1, FILE.2 only: %r" % sorted(os.listdir(agent.tmp)))
    expect(rotations >= 4, "at least 4 rotations, got %d" % rotations)
    kept = []
    for f in reversed(files[:3]):
        size = os.path.getsize(f)
        with open(f, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        expect(size <= 1024 or len(lines) == 1, "%s within the rotation size (%d bytes)" % (f, size))
        kept += lines
    stamps = [json.loads(line)["ts"] for line in kept]  # whole records only
    expect_eq(sorted(stamps), stamps, "records in order across FILE.2, FILE.1, FILE")
    # alerts caused by other tests running on this machine may be among them
    kept = [l for l in kept if '"type":"policy"' in l]
    expect_eq(policy_lines(live)[-len(kept):], kept, "the kept files holding the newest records")
    expect_eq(policy_lines(live), policy_lines(follower), "tail --file across rotations: every record once")


def test_rotation_refuses_what_is_not_a_regular_file(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    fifo = os.path.join(agent.tmp, "fifo")  # stands in for /dev/null: rotating must never rename it
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        r = sh([AGENT, "run", "--no-socket", "--output", fifo, "--rotate-size", "1K", "--policy",
                agent.policies[0]], check=False, timeout=10)
    finally:
        os.close(reader)
    expect(r.returncode != 0, "a non-zero exit status")
    expect("cannot rotate '%s': not a regular file" % fifo in r.stderr, "why: %r" % r.stderr)
    expect_eq(["fifo", "policy.yaml"], sorted(os.listdir(agent.tmp)), "nothing renamed or created")


def test_output_symlink_is_not_followed(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    victim = os.path.join(agent.tmp, "victim")
    with open(victim, "w") as f:
        f.write("keep\n")
    link = os.path.join(agent.tmp, "alerts.jsonl")
    os.symlink(victim, link)  # planted where the log goes
    r = sh([AGENT, "run", "--no-socket", "--output", link, "--policy", agent.policies[0]],
           check=False, timeout=10)
    expect(r.returncode != 0, "a non-zero exit status")
    expect("is a symbolic link, which is not followed" in r.stderr, "why: %r" % r.stderr)
    with open(victim) as f:
        expect_eq("keep\n", f.read(), "the link's target")


RFC5424 = re.compile(r'<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) ([!-~]{1,255}) idsentry (\d+) '
                     r'([!-~]{1,32}) (-|\[idsentry@32473((?: [^ ="\]]{1,32}="(?:[^"\\\]]|\\.)*")*)\]) (.*)$', re.S)


def test_syslog_sink_delivers_rfc5424(host):
    tmp = tempfile.mkdtemp(prefix="idsentry-syslog-")
    path = os.path.join(tmp, "log.sock")
    log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log.bind(path)
    log.settimeout(10)
    try:
        agent = Agent(policy_text=POLICY_MACHINE_ID, args=["--no-socket", "--syslog-socket", path])
        with agent:
            pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 9000, "/etc/machine-id")
            agent.wait_alert(process__pid=pid)
            messages = []
            while not any(" alert [" in m and 'pid="%d"' % pid in m for m in messages):
                messages.append(log.recv(1 << 16).decode("utf-8"))
            line = raw_line(agent, pid)
            agent_pid = agent.proc.pid
    finally:
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    parsed = []
    for m in messages:
        g = RFC5424.match(m)
        expect(g, "an RFC 5424 message: %r" % m)
        parsed.append(g)
    ready, alert = parsed[0], parsed[-1]
    expect_eq("ready", ready.group(5), "MSGID of the first message")
    expect_eq(3 * 8 + 6, int(ready.group(1)), "PRI of ready (daemon.info)")
    expect_eq("alert", alert.group(5), "MSGID")
    expect_eq(3 * 8 + 3, int(alert.group(1)), "PRI of a high alert (daemon.err)")
    expect_eq(socket.gethostname(), alert.group(3), "HOSTNAME")
    expect_eq(str(agent_pid), alert.group(4), "PROCID")
    expect_eq(line, alert.group(8), "MSG (the record as in the output file)")
    rec = json.loads(line)
    expect_eq(rec["ts"], alert.group(2), "TIMESTAMP (the record's ts)")
    params = dict(re.findall(r' ([^ =]+)="((?:[^"\\]|\\.)*)"', alert.group(7)))
    for k, v in (("rule", "identifier-exfiltration"), ("severity", "high"), ("action", "alert"),
                 ("pid", str(pid)), ("identifiers", "machine-id"), ("addr", host.addr), ("port", "9000"),
                 ("proto", "tcp"), ("comm", rec["process"]["comm"])):
        expect_eq(v, params.get(k), "SD-PARAM %s" % k)


def test_syslog_without_a_daemon_fails_at_start(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID)
    r = sh([AGENT, "run", "--no-socket", "--syslog-socket", os.path.join(agent.tmp, "none.sock"),
            "--policy", agent.policies[0]], check=False, timeout=10)
    expect(r.returncode != 0, "a non-zero exit status")
    expect("cannot connect to the syslog socket" in r.stderr, "why: %r" % r.stderr)


def help_options(cmd):
    """Long options listed by `idsentry CMD --help`."""
    r = sh([AGENT, cmd, "--help"])
    return r.stdout, sorted(set(re.findall(r"^\s+(?:-\w, )?--([a-z][a-z-]+)", r.stdout, re.M)) - {"help", "usage", "version"})


def test_every_subcommand_has_help_with_examples_and_a_man_page_entry(host):
    man = os.path.join(ROOT, "docs", "idsentry.8")
    with open(man, encoding="utf-8") as f:
        page = f.read().replace("\\-", "-")
    r = sh(["groff", "-man", "-ww", "-z", man])
    expect_eq("", r.stderr, "groff warnings for docs/idsentry.8")
    for cmd in SUBCOMMANDS:
        text, options = help_options(cmd)
        expect("EXAMPLES:" in text and "idsentry %s" % cmd in text.split("EXAMPLES:")[1],
               "EXAMPLES in 'idsentry %s --help'" % cmd)
        expect(".SS %s" % cmd in page or '.SS "%s' % cmd in page, "a section for %s in the man page" % cmd)
        for opt in options:
            expect("--" + opt in page, "--%s (idsentry %s) in the man page" % (opt, cmd))
    expect_eq(2, sh([AGENT, "tail", "--min-severity", "severe"], check=False).returncode,
              "exit status of a bad --min-severity")
    r = sh([AGENT, "run", "--rotate-size", "10"], check=False)
    expect(r.returncode == 2 and "--rotate-size must be 1K..1T" in r.stderr, "a range error: %r" % r.stderr)


def test_make_install_honours_destdir_and_prefix(host):
    out = os.path.dirname(os.path.abspath(AGENT))
    for prefix, etc in (("/usr", "/etc"), ("/usr/local", "/usr/local/etc")):
        dest = tempfile.mkdtemp(prefix="idsentry-install-")
        try:
            sh(["make", "-C", ROOT, "--no-print-directory", "OUTPUT=" + out, "--old-file=" + AGENT,
                "install", "DESTDIR=" + dest, "PREFIX=" + prefix], timeout=120)
            for rel in ("%s/sbin/idsentry" % prefix, "%s/share/man/man8/idsentry.8" % prefix,
                        "%s/idsentry/default.yaml" % etc, "%s/lib/systemd/system/idsentry.service" % prefix,
                        "%s/share/doc/idsentry/idsentry.rc" % prefix):
                expect(os.path.isfile(dest + rel), "%s installed under DESTDIR" % rel)
            expect(os.access(dest + prefix + "/sbin/idsentry", os.X_OK), "an executable binary")
            with open(dest + prefix + "/lib/systemd/system/idsentry.service") as f:
                unit = f.read()
            expect("ExecStart=%s/sbin/idsentry run --policy %s/idsentry/default.yaml" % (prefix, etc) in unit,
                   "the unit pointing at the installed paths:\n" + unit)
            expect(dest not in unit and "@" not in unit, "no DESTDIR or placeholders left in the unit")
        finally:
            shutil.rmtree(dest, ignore_errors=True)
