# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Enforcement: blocking and killing in the kernel before the first byte leaves, and only then."""
import signal
import subprocess
import time

from idslib import PYTHON, Agent, build_client, expect, expect_eq, machine_id

POLICY = """version: 1
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
rules:
  - name: stop-machine-id
    identifiers: [machine-id]
    destinations:
      except: [127.0.0.0/8, "::1/128", unix, 9000]
    window: 10m
    action: %s
"""


def curl_machine_id(host, port=8080):
    return subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                           "@/etc/machine-id", "http://%s:%d/" % (host.addr, port)],
                          capture_output=True, timeout=20)


def client(code, *args):
    """A python client; returns (pid, exit status, stdout)."""
    p = subprocess.Popen([PYTHON, "-c", code] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=20)
    return p.pid, p.returncode, out.strip()


# reads the machine-id and sends it in one UDP datagram to ADDR:9999; says "sent" or "refused ERRNO"
UDP_SENDTO = """
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(open("/etc/machine-id", "rb").read(), (sys.argv[1], 9999))
    print("sent")
except OSError as e:
    print("refused", e.errno)
"""


def settle():
    time.sleep(0.5)  # anything the host would get has arrived within this on a veth


def test_curl_is_refused_before_connecting(host):
    before = host.quiet_received()
    with Agent(policy_text=POLICY % "block") as agent:
        r = curl_machine_id(host)
        a = agent.wait_alert(process__comm="curl")
    settle()
    expect(r.returncode != 0, "curl to fail, it exited %d" % r.returncode)
    expect_eq(before, host.received(), "what the host received")
    expect_eq("blocked", a["action"], "action")
    expect_eq("cgroup/connect", a["evidence"]["hook"], "evidence.hook")
    expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers")
    expect_eq(8080, a["destination"]["port"], "destination.port")


def test_send_on_a_connection_made_before_the_taint_is_dropped(host):
    code = """
import socket, sys
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
mid = open("/etc/machine-id").read().strip()
try:
    s.sendall(("POST / HTTP/1.0\\r\\nContent-Length: 32\\r\\n\\r\\n" + mid).encode())
    print("sent")
except OSError as e:
    print("refused", e.errno)
"""
    before = host.quiet_received()
    with Agent(policy_text=POLICY % "block") as agent:
        pid, status, out = client(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    settle()
    expect(out.startswith("refused"), "the send to fail, the client said %r" % out)
    expect_eq(before, host.received(), "what the host received")
    expect_eq("blocked", a["action"], "action")
    expect_eq("sk_msg", a["evidence"]["hook"], "evidence.hook")
    expect_eq("confirmed", a["confidence"], "confidence (the refused payload held the value)")


def test_udp_sendto_is_refused(host):
    before = host.quiet_received()
    with Agent(policy_text=POLICY % "block") as agent:
        pid, status, out = client(UDP_SENDTO, host.addr)
        a = agent.wait_alert(process__pid=pid)
    settle()
    expect_eq("refused 1", out, "the client's view (EPERM)")
    expect_eq(before, host.received(), "what the host received")
    expect_eq("cgroup/sendmsg", a["evidence"]["hook"], "evidence.hook")
    expect_eq("confirmed", a["confidence"], "confidence")


def test_connected_udp_socket_is_stopped_at_egress(host):
    code = """
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect((sys.argv[1], 9999))
mid = open("/etc/machine-id", "rb").read()
try:
    u.send(mid)
    print("sent")
except OSError as e:
    print("refused", e.errno)
"""
    before = host.quiet_received()
    with Agent(policy_text=POLICY % "block") as agent:
        pid, status, out = client(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    settle()
    expect(out.startswith("refused"), "the send to fail, the client said %r" % out)
    expect_eq(before, host.received(), "what the host received")
    expect_eq("cgroup_skb/egress", a["evidence"]["hook"], "evidence.hook")


def test_untainted_traffic_and_excepted_destinations_pass(host):
    code = """
import socket, sys
mid = open("/etc/machine-id").read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("excepted:" + mid).encode())
s.close()
"""
    with Agent(policy_text=POLICY % "block") as agent:
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                            "untainted-hello", "http://%s:8080/" % host.addr], timeout=20)
        expect_eq(0, r.returncode, "exit status of the untainted curl")
        pid, status, _ = client(code, host.addr)
        expect_eq(0, status, "exit status of the tainted client to the excepted port")
        settle()
        expect_eq([], agent.alerts(process__pid=pid), "alerts for the excepted destination")
    got = host.received()
    expect("untainted-hello" in got, "the untainted request to arrive")
    expect("excepted:" + machine_id() in got, "the excepted send to arrive")


def test_kill_rule_kills_the_sender(host):
    code = """
import socket, sys
mid = open("/etc/machine-id").read().strip()
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
s.sendall(mid.encode())
print("survived")
"""
    before = host.quiet_received()
    with Agent(policy_text=POLICY % "kill") as agent:
        pid, status, out = client(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    settle()
    expect_eq(-signal.SIGKILL, status, "the client's exit status")
    expect_eq("", out, "the client's output")
    expect_eq(before, host.received(), "what the host received")
    expect_eq("killed", a["action"], "action")


def test_nothing_stays_blocked_after_the_agent_stops(host):
    with Agent(policy_text=POLICY % "block") as agent:
        expect(curl_machine_id(host).returncode != 0, "curl blocked while the agent runs")
        expect_eq(0, agent.stop(), "agent exit status")
    r = curl_machine_id(host)
    expect_eq(0, r.returncode, "curl exit status once the agent is gone")
    settle()
    expect(machine_id() in host.received(), "the machine-id to arrive once the agent is gone")


def test_alert_mode_blocks_nothing(host):
    with Agent(policy_text=POLICY % "block", args=["--mode", "alert"]) as agent:
        ready = agent.records()[0]
        expect_eq("alert", ready["enforcement"]["mode"], "enforcement.mode")
        r = curl_machine_id(host)
        a = agent.wait_alert(process__comm="curl", confidence="confirmed")
    expect_eq(0, r.returncode, "curl exit status under --mode alert")
    expect_eq("alert", a["action"], "action")


def test_ready_reports_enforcement(host):
    with Agent(policy_text=POLICY % "block") as agent:
        e = agent.records()[0]["enforcement"]
    expect_eq(True, e["available"], "enforcement.available (degraded: %r)" % e["degraded"])
    expect_eq(1, e["blocking_rules"], "enforcement.blocking_rules")
    for hook in ("handle_cgroup_connect4", "handle_sk_msg", "handle_cgroup_skb_egress"):
        expect(hook in e["hooks"], "%s among the enforcement hooks" % hook)


def test_io_uring_send_on_a_connection_made_before_the_taint_is_dropped(host):
    """A connection made before the taint, then IORING_OP_SEND or IORING_OP_WRITE: no syscall
    hook sees the send begin; sk_msg judges it."""
    exe = build_client("uring_leak", "uring")
    for op in ("send", "write"):
        before = host.quiet_received()
        with Agent(policy_text=POLICY % "block") as agent:
            r = subprocess.run([exe, host.addr, "8080", op], capture_output=True, text=True,
                               timeout=20)
            a = agent.wait_alert(process__comm="uring_leak")
        settle()
        expect_eq(5, r.returncode, "uring_leak exit status with %s (5: its send failed)" % op)
        expect_eq(before, host.received(), "what the host received (%s)" % op)
        expect_eq("blocked", a["action"], "action (%s)" % op)
        expect_eq("sk_msg", a["evidence"]["hook"], "evidence.hook (%s)" % op)
        expect_eq("confirmed", a["confidence"], "confidence (%s)" % op)


def test_io_uring_connect_is_refused_too(host):
    """The socket-layer hooks see io_uring's connect as they see connect(2)."""
    exe = build_client("uring_leak", "uring")
    before = host.quiet_received()
    with Agent(policy_text=POLICY % "block") as agent:
        r = subprocess.run([exe, host.addr, "8080"], capture_output=True, text=True, timeout=20)
        a = agent.wait_alert(process__comm="uring_leak")
    settle()
    expect_eq(4, r.returncode, "uring_leak exit status (4: its connect failed)")
    expect_eq(before, host.received(), "what the host received")
    expect_eq("blocked", a["action"], "action")
    expect_eq("cgroup/connect", a["evidence"]["hook"], "evidence.hook")


def test_blocking_rule_brought_by_sighup_attaches_the_send_hooks(host):
    """Without a blocking rule the socket layer reports sends and the send syscalls' hooks stay
    away; a reload that brings one attaches them, and the next send is stopped at its entry."""
    before = host.quiet_received()
    agent = Agent(policy_text=POLICY % "alert")
    with agent:
        hooks = agent.records()[0]["hooks"]
        expect_eq(True, hooks["socket_layer"], "this kernel's socket layer (6.3+)")
        expect_eq(False, hooks["send_syscalls_attached"], "send hooks without a blocking rule")
        agent.write_policy(POLICY % "block")
        agent.signal(signal.SIGHUP)
        rec = agent.wait_for(lambda r: r["type"] == "policy", what="a policy record")
        expect_eq("applied", rec["status"], "policy status")
        pid, status, out = client(UDP_SENDTO, host.addr)
        a = agent.wait_alert(process__pid=pid)
    settle()
    expect_eq("refused 1", out, "the client's view (EPERM)")
    expect_eq(before, host.received(), "what the host received")
    expect_eq("blocked", a["action"], "action")
    expect_eq("cgroup/sendmsg", a["evidence"]["hook"], "evidence.hook")
