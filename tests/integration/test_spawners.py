# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The Android process model on Linux: a zygote-like spawner that read an identifier forks apps
that change uid and name without exec; only what an app itself sends may implicate it."""
import time

from idslib import Agent, RULE_OFF_HOST, expect_eq, run_py

POLICY = """version: 1
%s
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
""" + RULE_OFF_HOST

# The spawner reads the identifier, then forks two "apps": each takes its own uid and name (as
# zygote's children do, with no exec) and sends to the test host; one sends the value, the other
# something else. Prints the apps' pids.
SPAWNER = """
import ctypes, encodings.idna, os, socket, sys, time  # codecs loaded before the uid changes
libc = ctypes.CDLL(None, use_errno=True)
def rename(name):
    libc.prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME
rename("zygotest")
value = open("/etc/machine-id").read().strip()
pids = []
for uid, name, payload in ((10201, "app.benign", b"weather?city=Paris"),
                           (10202, "app.leaky", ("id=" + value).encode())):
    pid = os.fork()
    if pid == 0:
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        rename(name)
        time.sleep(0.2)
        s = socket.create_connection((sys.argv[1], 9000), timeout=5)
        s.sendall(payload)
        s.close()
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
print(" ".join(map(str, pids)))
"""


def test_spawned_app_without_the_value_is_quiet(host):
    with Agent(policy_text=POLICY % "spawners: [zygotest]") as agent:
        _, out = run_py(SPAWNER, host.addr)
        benign, leaky = map(int, out.split())
        leak = agent.wait_alert(process__pid=leaky)
        time.sleep(1.5)  # both apps sent at once: a late alert for the other would be here now
        expect_eq([], agent.alerts(process__pid=benign), "alerts for the app that sent no identifier")
    expect_eq("confirmed", leak["confidence"], "confidence of the app that sent it")
    # identity at the event, not at fork: the app's own uid and name
    expect_eq(10202, leak["process"]["uid"], "process.uid")
    expect_eq("app.leaky", leak["process"]["comm"], "process.comm")


def test_without_spawners_the_inherited_taint_is_suspected(host):
    # the control: the same apps with no spawner named make the benign one suspected
    with Agent(policy_text=POLICY % "") as agent:
        _, out = run_py(SPAWNER, host.addr)
        benign, leaky = map(int, out.split())
        quiet = agent.wait_alert(process__pid=benign)
        leak = agent.wait_alert(process__pid=leaky)
    expect_eq("suspected", quiet["confidence"], "confidence of the app that sent no identifier")
    expect_eq("confirmed", leak["confidence"], "confidence of the app that sent it")
