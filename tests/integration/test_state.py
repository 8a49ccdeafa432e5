# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""--state-dir: a restart of the agent keeps the taint of living holders, the values learnt and the
files made identifier files; a state file that fails its integrity check is not used, and the
agent says so."""
import os
import shutil
import subprocess
import tempfile
import time

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, expect, expect_eq

# Reads the machine-id at once, then waits for a go file, then sends it.
HOLDER = r"""
import os, socket, sys, time
v = open("/etc/machine-id").read().strip()
open(sys.argv[3], "w").write("read\n")
deadline = time.monotonic() + 60
while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:
    time.sleep(0.1)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(("id=" + v).encode(), (sys.argv[1], 9999))
"""

WRITER = ("import sys\nv = open('/etc/machine-id').read().strip()\n"
          "open(sys.argv[1], 'w').write('cache ' + v + '\\n')\n")


def wait_file(path, timeout=10):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    expect(os.path.exists(path), "%s within %ss" % (path, timeout))


def test_restart_keeps_holders_and_derived_files(host):
    tmp = tempfile.mkdtemp(prefix="idsentry-state-")
    state, go, ready = os.path.join(tmp, "state"), os.path.join(tmp, "go"), os.path.join(tmp, "ready")
    cache = os.path.join(tmp, "cache.txt")
    holder = None
    try:
        with Agent(policy_text=POLICY_MACHINE_ID, args=["--state-dir", state]) as agent:
            holder = subprocess.Popen([PYTHON, "-c", HOLDER, host.addr, go, ready],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_file(ready)
            with open(os.path.join(tmp, "w.out"), "w") as out:
                expect_eq(0, subprocess.run([PYTHON, "-c", WRITER, cache], stdout=out,
                                            stderr=out, timeout=20).returncode, "writer status")
            agent.wait_for(lambda r: r["type"] == "derived_file", what="the derived file")
        expect(os.path.exists(os.path.join(state, "state.jsonl")), "a state file at exit")
        expect_eq(0o600, os.stat(os.path.join(state, "state.jsonl")).st_mode & 0o777,
                  "the state file's mode")
        with Agent(policy_text=POLICY_MACHINE_ID, args=["--state-dir", state]) as agent:
            rec = agent.wait_for(lambda r: r["type"] == "state", what="the state record")
            expect_eq("restored", rec["status"], "state status")
            expect(rec["taint"] >= 1 and rec["derived_files"] == 1,
                   "the holder's taint and the derived file restored: %r" % rec)
            # the holder read before this agent started: only the restored taint follows it
            open(go, "w").close()
            holder.wait(20)
            a = agent.wait_alert(process__pid=holder.pid)
            expect_eq("confirmed", a["confidence"], "the holder's late send")
            with open(os.path.join(tmp, "r.out"), "w") as out:
                subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "5",
                                "--data-binary", "@" + cache, "http://%s:8080/c" % host.addr],
                               stdout=out, stderr=out, timeout=20)
            b = agent.wait_alert(process__comm="curl", confidence="confirmed")
            expect_eq("machine-id", b["identifiers"][0]["name"], "the cache reader's identifier")
        # a state file changed behind the agent's back is not used
        path = os.path.join(state, "state.jsonl")
        with open(path) as f:
            lines = f.readlines()
        lines[-1] = lines[-1].replace('"kind"', '"kinx"', 1)
        with open(path, "w") as f:
            f.writelines(lines)
        with Agent(policy_text=POLICY_MACHINE_ID, args=["--state-dir", state]) as agent:
            rec = agent.wait_for(lambda r: r["type"] == "state", what="the state record")
            expect_eq("not-used", rec["status"], "the tampered state's status")
            time.sleep(0.5)
            err = open(agent.err).read()
        expect("integrity check" in err, "the reason on stderr: %r" % err[-400:])
    finally:
        if holder and holder.poll() is None:
            holder.kill()
        shutil.rmtree(tmp, ignore_errors=True)
