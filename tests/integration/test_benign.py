# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The benign corpus: what systems do by design, run under policies/default.yaml, must give no
alert; each case sits beside a leaking twin that must still alert, so the corpus cannot pass by
silencing everything (issue 19; docs/threat-model.md, "Designed to be quiet").

Clients write their output to files, never to a pipe read by this harness."""
import contextlib
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

from idslib import Agent, Failure, ROOT, expect, expect_eq, machine_id, sh

DEFAULT = os.path.join(ROOT, "policies", "default.yaml")


class DhcpLink:
    """A DHCP server (busybox udhcpd) in its own network namespace, across a veth pair from the
    client end here (no address on it: the clients' scripts are no-ops, nothing is configured)."""

    def __init__(self):
        tag = os.getpid() % 10000
        index = 10 + os.getpid() % 240
        self.ns = "idsd%d" % tag
        self.client_if = "idsdc%d" % tag
        self.server_if = "idsds%d" % tag
        self.server = "10.232.%d.1" % index
        self.pool = ("10.232.%d.100" % index, "10.232.%d.150" % index)
        self.dir = tempfile.mkdtemp(prefix="idsentry-dhcp-")
        self.proc = None

    def __enter__(self):
        self.cleanup()
        sh(["ip", "netns", "add", self.ns])
        sh(["ip", "link", "add", self.client_if, "type", "veth", "peer", "name", self.server_if])
        sh(["ip", "link", "set", self.server_if, "netns", self.ns])
        sh(["ip", "-n", self.ns, "addr", "add", self.server + "/24", "dev", self.server_if])
        sh(["ip", "-n", self.ns, "link", "set", self.server_if, "up"])
        sh(["ip", "-n", self.ns, "link", "set", "lo", "up"])
        sh(["ip", "link", "set", self.client_if, "up"])
        conf = os.path.join(self.dir, "udhcpd.conf")
        leases = os.path.join(self.dir, "udhcpd.leases")
        open(leases, "w").close()
        with open(conf, "w") as f:
            f.write("start %s\nend %s\ninterface %s\nlease_file %s\npidfile %s\n"
                    "opt subnet 255.255.255.0\nopt lease 600\n" % (
                        self.pool[0], self.pool[1], self.server_if, leases,
                        os.path.join(self.dir, "udhcpd.pid")))
        self.log = open(os.path.join(self.dir, "udhcpd.log"), "w")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, "busybox", "udhcpd", "-f",
                                      conf], stdout=self.log, stderr=subprocess.STDOUT)
        time.sleep(0.5)
        if self.proc.poll() is not None:
            raise Failure("udhcpd did not start: %s" % open(self.log.name).read())
        return self

    def mac(self):
        with open("/sys/class/net/%s/address" % self.client_if) as f:
            return f.read().strip()

    def path(self, name):
        return os.path.join(self.dir, name)

    def cleanup(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None
        sh(["ip", "link", "del", self.client_if], check=False)
        sh(["ip", "netns", "del", self.ns], check=False)

    def __exit__(self, *exc):
        self.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_to(out, cmd, timeout=30, **kw):
    """Runs a client with its output to a file; returns (status, output)."""
    with open(out, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout, **kw)
    with open(out) as f:
        return r.returncode, f.read()


def udhcpc(link, name, *extra):
    """busybox udhcpc on the link: discover, request, quit with the lease; a no-op script."""
    rc, out = run_to(link.path(name), ["busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T",
                                       "1", "-i", link.client_if, "-s", "/bin/true"] +
                     list(extra))
    expect_eq(0, rc, "udhcpc exit status (output %r)" % out)
    expect("lease of 10.232." in out, "udhcpc obtained a lease, said %r" % out)
    return out


@contextlib.contextmanager
def scratch():
    """A directory for one case's client outputs, removed after it."""
    tmp = tempfile.mkdtemp(prefix="idsentry-benign-")
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def alerts_of_exe(agent, exe):
    return [a for a in agent.alerts() if a["process"].get("exe") == exe]


def settle(agent):
    """Lets the agent read what the kernel has queued (alerts come within tens of ms)."""
    time.sleep(1.5)
    return agent.alerts()


def test_dhcp_clients_are_quiet_and_a_mac_in_another_option_is_not(host):
    busybox = os.path.realpath(shutil.which("busybox"))
    with DhcpLink() as link, Agent(DEFAULT) as agent:
        mac = link.mac()
        udhcpc(link, "udhcpc.out")
        dhclient = os.path.realpath(shutil.which("dhclient"))
        rc, out = run_to(link.path("dhclient.out"), [
            dhclient, "-4", "-1", "-v", "-sf", "/bin/true", "-lf", link.path("dhclient.leases"),
            "-pf", link.path("dhclient.pid"), link.client_if], timeout=40)
        expect_eq(0, rc, "dhclient exit status (output %r)" % out)
        expect("bound to 10.232." in out, "dhclient bound a lease, said %r" % out[-400:])
        with open(link.path("dhclient.pid")) as f:
            os.kill(int(f.read().strip()), 15)
        settle(agent)
        expect_eq([], alerts_of_exe(agent, busybox) + alerts_of_exe(agent, dhclient),
                  "no alert for the DHCP clients")
        # the twin: the same client, the MAC also in the vendor class (option 60)
        udhcpc(link, "udhcpc-twin.out", "-V", mac)
        a = agent.wait_alert(process__exe=busybox)
    expect_eq("confirmed", a["confidence"], "confidence of the MAC in option 60")
    expect_eq("mac-address", a["identifiers"][0]["name"], "identifier")
    expect("dhcp message" in (a["evidence"].get("note") or ""),
           "the note names the DHCP message, got %r" % a["evidence"].get("note"))
    expect_eq("link", a["destination"]["family"], "destination.family of a packet socket")


def discover(mac, extra=b""):
    """A DHCPDISCOVER as a client builds it: chaddr, option 53, option 61 and any extra options."""
    hw = bytes.fromhex(mac.replace(":", ""))
    msg = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x3903f326, 0, 0x8000,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, hw, b"", b"")
    return msg + b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\x3d\x07\x01" + hw + extra + b"\xff"


SIOCGIFHWADDR = 0x8927

# Reads the MAC by ioctl as DHCP clients do, then sends one message; prints its pid.
CLIENT = r"""
import fcntl, os, socket, struct, sys
ifname, kind, dst = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mac = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", ifname.encode()))[18:24]
text = ":".join("%02x" % b for b in mac)
def discover(extra):
    msg = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x3903f326, 0, 0x8000,
                      bytes(4), bytes(4), bytes(4), bytes(4), mac, b"", b"")
    return msg + b"\x63\x82\x53\x63\x35\x01\x01\x3d\x07\x01" + mac + extra + b"\xff"
if kind == "tcp":
    c = socket.create_connection((dst, 9000), timeout=5)
    c.sendall(("mac=" + text + "\n").encode())
    c.close()
else:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    extra = b"" if kind == "dhcp" else b"\x0c" + bytes([len(text)]) + text.encode()
    u.sendto(discover(extra), (dst, 67))
print(os.getpid())
"""


def test_dhcp_message_over_udp_is_quiet_its_twins_are_not(host):
    """A DHCP message sent on an ordinary UDP socket to port 67, the MAC in chaddr and option 61:
    quiet. Twins: the same with the MAC's text in the host name (option 12), and the same
    process sending the MAC over TCP."""
    with DhcpLink() as link, Agent(DEFAULT) as agent:
        pids = {}
        for kind, dst in (("dhcp", link.server), ("dhcp-opt12", link.server),
                          ("tcp", host.addr)):
            rc, out = run_to(link.path(kind + ".out"), ["python3", "-c", CLIENT, link.client_if,
                                                        kind, dst], timeout=20)
            expect_eq(0, rc, "%s client exit status (%r)" % (kind, out))
            pids[kind] = int(out.split()[-1])
        opt12 = agent.wait_alert(process__pid=pids["dhcp-opt12"])
        tcp = agent.wait_alert(process__pid=pids["tcp"])
        settle(agent)
        expect_eq([], agent.alerts(process__pid=pids["dhcp"]), "no alert for the plain DISCOVER")
    expect_eq("confirmed", opt12["confidence"], "MAC in option 12: confidence")
    expect_eq(67, opt12["destination"]["port"], "MAC in option 12: destination port")
    expect_eq("confirmed", tcp["confidence"], "MAC over TCP: confidence")
    expect_eq(9000, tcp["destination"]["port"], "MAC over TCP: destination port")


def test_machine_id_logged_locally_then_unrelated_traffic_from_another_process(host):
    with scratch() as tmp:
        with Agent(DEFAULT) as agent:
            # logs the machine-id to a local file; a different process then talks to the host
            rc, _ = run_to(os.path.join(tmp, "logger.out"), [
                "sh", "-c", "echo \"booted on $(cat /etc/machine-id)\" >> %s/local.log" % tmp])
            expect_eq(0, rc, "the logger's exit status")
            rc, _ = run_to(os.path.join(tmp, "curl.out"), [
                "curl", "-s", "--max-time", "5", "--data-binary", "status=ok",
                "http://%s:8080/health" % host.addr])
            expect_eq(0, rc, "curl's exit status")
            settle(agent)
            expect_eq([], agent.alerts(), "no alert")
            # the twin: the logger's line sent off the host instead
            rc, _ = run_to(os.path.join(tmp, "twin.out"), [
                "sh", "-c", "echo \"booted on $(cat /etc/machine-id)\" | curl -s --max-time 5 "
                "--data-binary @- http://%s:8080/log" % host.addr])
            expect_eq(0, rc, "the twin's exit status")
            a = agent.wait_alert(process__comm="curl")
        expect_eq("confirmed", a["confidence"], "twin confidence")
        expect_eq("machine-id", a["identifiers"][0]["name"], "twin identifier")


# A parent runs a producer that reads the machine-id but prints something else, then sends what
# it printed; with "leak", the producer prints the machine-id itself.
PIPELINE = r"""
import os, subprocess, sys, urllib.request
inner = "cat /etc/machine-id >/dev/null; echo build-ok" if sys.argv[2] == "benign" else \
        "cat /etc/machine-id"
out = subprocess.run(["sh", "-c", inner], stdout=subprocess.PIPE).stdout
urllib.request.urlopen("http://%s:8080/report" % sys.argv[1], data=out, timeout=5).read()
print(os.getpid())
"""


def test_pipeline_producer_that_read_the_machine_id_prints_unrelated_text(host):
    with scratch() as tmp:
        with Agent(DEFAULT) as agent:
            rc, out = run_to(os.path.join(tmp, "benign.out"), ["python3", "-c", PIPELINE,
                                                               host.addr, "benign"])
            expect_eq(0, rc, "the benign parent's exit status (%r)" % out)
            benign = int(out.split()[-1])
            settle(agent)
            expect_eq([], agent.alerts(process__pid=benign), "no alert for the parent")
            rc, out = run_to(os.path.join(tmp, "leak.out"), ["python3", "-c", PIPELINE,
                                                             host.addr, "leak"])
            expect_eq(0, rc, "the leaking parent's exit status (%r)" % out)
            # its request's headers go first (suspected), then the body with the value
            agent.wait_alert(process__pid=int(out.split()[-1]), confidence="confirmed")


def test_ip_listings_written_to_a_local_file(host):
    with scratch() as tmp:
        with Agent(DEFAULT) as agent:
            rc, _ = run_to(os.path.join(tmp, "links.txt"), ["ip", "-o", "link", "show"])
            expect_eq(0, rc, "ip link's exit status")
            rc, _ = run_to(os.path.join(tmp, "neigh.txt"), ["ip", "neigh", "show"])
            expect_eq(0, rc, "ip neigh's exit status")
            settle(agent)
            expect_eq([], agent.alerts(), "no alert for listings kept on the host")
            rc, _ = run_to(os.path.join(tmp, "twin.out"), [
                "sh", "-c", "ip -o link show | curl -s --max-time 5 --data-binary @- "
                "http://%s:8080/inventory" % host.addr])
            expect_eq(0, rc, "the twin's exit status")
            a = agent.wait_alert(process__comm="curl")
        expect_eq("mac-address", a["identifiers"][0]["name"], "twin identifier")
        expect_eq("confirmed", a["confidence"], "twin confidence")


def test_tls_traffic_of_a_process_that_read_no_identifier(host):
    with scratch() as tmp:
        with Agent(DEFAULT) as agent:
            rc, _ = run_to(os.path.join(tmp, "tls.out"), [
                "curl", "-sk", "--max-time", "5", "--data-binary", "hello=world",
                "https://%s:8443/" % host.addr])
            expect_eq(0, rc, "curl's exit status")
            settle(agent)
            expect_eq([], agent.alerts(), "no alert for TLS without an identifier")
            rc, _ = run_to(os.path.join(tmp, "twin.out"), [
                "sh", "-c", "curl -sk --max-time 5 --data-binary @/etc/machine-id "
                "https://%s:8443/" % host.addr])
            expect_eq(0, rc, "the twin's exit status")
            a = agent.wait_alert(process__comm="curl")
        expect_eq("confirmed", a["confidence"], "twin confidence")
        expect_eq("tls", a["evidence"]["channel"], "twin channel")
        expect(machine_id() != "", "a machine-id to send")
