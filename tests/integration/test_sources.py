# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Identifier sources beyond files: ioctl replies, modem AT replies (and SMS out), system properties."""
import os
import random
import select
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import tty

from idslib import RULE_OFF_HOST as RULE, Agent, build_client, build_library, expect, expect_eq, run_py



def confirmed(agent, pid, name, **match):
    a = agent.wait_alert(process__pid=pid, confidence="confirmed", **match)
    expect_eq([name], [i["name"] for i in a["identifiers"]], "identifiers")
    return a


def test_mac_from_siocgifhwaddr_sent_as_hex(host):
    policy = """version: 1
identifiers:
  - name: mac-address
    ioctls: [SIOCGIFHWADDR]
""" + RULE
    with Agent(policy_text=policy) as agent:
        pid, out = run_py("""
import fcntl, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", sys.argv[2].encode()))
mac = r[18:24].hex()
c = socket.create_connection((sys.argv[1], 9000), timeout=5)
c.sendall(("id=" + mac).encode())
print(mac)
""", host.addr, host.veth)
        a = confirmed(agent, pid, "mac-address")
        expect_eq("ioctl", a["identifiers"][0]["source"], "identifiers[].source")
        expect(host.veth in (a["identifiers"][0]["path"] or ""), "the interface in the path")


def interface_with_a_permanent_address():
    """A host interface whose driver reports a permanent MAC (a NIC), or (None, None) after
    saying that the test is skipped (veth and dummy report none)."""
    for name in sorted(os.listdir("/sys/class/net")):
        r = subprocess.run(["ethtool", "-P", name], capture_output=True, text=True)
        addr = r.stdout.strip().rsplit(" ", 1)[-1]
        if r.returncode == 0 and addr.count(":") == 5 and addr != "00:00:00:00:00:00":
            return name, addr
    print("  skipped: no interface here reports a permanent address (veth and dummy do not)")
    return None, None


def test_permanent_mac_from_ethtool_piped_to_curl(host):
    """`ethtool -P` (6.x asks rtnetlink for IFLA_PERM_ADDRESS; older ones SIOCETHTOOL) piped to
    curl."""
    iface, addr = interface_with_a_permanent_address()
    if not iface:
        return
    policy = """version: 1
identifiers:
  - name: mac-address
    ioctls: [SIOCETHTOOL]
    netlink: [RTM_GETLINK]
""" + RULE
    with Agent(policy_text=policy) as agent:
        r = subprocess.run(["sh", "-c", "ethtool -P %s | curl -s -o /dev/null --max-time 5 "
                            "--data-binary @- http://%s:8080/perm" % (iface, host.addr)],
                           capture_output=True, timeout=30)
        expect_eq(0, r.returncode, "the pipeline's status")
        a = agent.wait_alert(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(["mac-address"], [i["name"] for i in a["identifiers"]], "identifiers")


def test_permanent_mac_by_the_siocethtool_ioctl(host):
    """ETHTOOL_GPERMADDR through SIOCETHTOOL, as ethtool before netlink and libraries ask it."""
    iface, addr = interface_with_a_permanent_address()
    if not iface:
        return
    policy = """version: 1
identifiers:
  - name: mac-address
    ioctls: [SIOCETHTOOL]
""" + RULE
    code = """
import ctypes, fcntl, socket, struct, sys
perm = ctypes.create_string_buffer(struct.pack("II", 0x20, 32) + bytes(32))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(s.fileno(), 0x8946, struct.pack("16sP16x", sys.argv[2].encode(), ctypes.addressof(perm)))
size = struct.unpack("I", perm.raw[4:8])[0]
mac = ":".join("%02x" % b for b in perm.raw[8:8 + size])
c = socket.create_connection((sys.argv[1], 9000), timeout=5)
c.sendall(("perm=" + mac).encode())
print(mac)
"""
    with Agent(policy_text=policy) as agent:
        pid, out = run_py(code, host.addr, iface)
        a = confirmed(agent, pid, "mac-address")
    expect_eq(addr.lower(), out.strip(), "the address the ioctl gave")
    expect_eq("ioctl", a["identifiers"][0]["source"], "identifiers[].source")
    expect_eq("SIOCETHTOOL ETHTOOL_GPERMADDR", a["identifiers"][0]["path"], "where the value came from")


def smbios_dump(path):
    """An SMBIOS table as `dmidecode --dump-bin` writes it (the DMTF's DSP0134 layout): system
    (serial, UUID), board and chassis structures. Returns the system serial and UUID text."""
    def structure(kind, handle, formatted, strings):
        body = struct.pack("<BBH", kind, 4 + len(formatted), handle) + formatted
        return body + (b"".join(x.encode() + b"\0" for x in strings) or b"\0") + b"\0"
    serial = "SN-%08X" % random.getrandbits(32)
    uuid = bytes(random.getrandbits(8) for _ in range(16))
    table = (structure(1, 0x100, bytes([1, 2, 3, 4]) + uuid + bytes([6, 0, 0]),
                       ["Acme", "Box 9", "1.0", serial])
             + structure(2, 0x200, bytes([1, 2, 3, 4]), ["Acme", "Board", "r2", "BRD-99812-ZX"])
             + structure(3, 0x300, bytes([1, 3, 2, 3, 4]), ["Acme", "1.0", "CHS-4410-PL", "tag"])
             + structure(127, 0x7f00, b"", []))
    ep = bytearray(b"_SM3_" + bytes(19))
    ep[6], ep[7], ep[8], ep[10] = 0x18, 3, 2, 1
    struct.pack_into("<IQ", ep, 12, len(table), 32)
    ep[5] = (-sum(ep)) & 0xff
    with open(path, "wb") as f:
        f.write(bytes(ep) + bytes(8) + table)
    u = uuid
    text = "%s-%s-%s-%s-%s" % (u[3::-1].hex(), u[5:3:-1].hex(), u[7:5:-1].hex(), u[8:10].hex(), u[10:].hex())
    return serial, text


def test_dmidecode_output_piped_to_curl(host):
    """dmidecode reads the raw SMBIOS table (here a dump it is pointed at with --from-dump; this
    machine has none in /sys/firmware/dmi/tables): the serial and UUID inside are values of the
    identifiers named for them."""
    tmp = tempfile.mkdtemp(prefix="idsentry-dmi-")
    dump = os.path.join(tmp, "DMI")
    serial, uuid = smbios_dump(dump)
    policy = """version: 1
identifiers:
  - name: product-serial
    files: [%s]
  - name: product-uuid
    files: [%s]
""" % (dump, dump) + RULE
    try:
        with Agent(policy_text=policy) as agent:
            r = subprocess.run(["sh", "-c", "dmidecode --from-dump %s -t system | curl -s -o /dev/null "
                                "--max-time 5 --data-binary @- http://%s:8080/dmi" % (dump, host.addr)],
                               capture_output=True, timeout=30)
            expect_eq(0, r.returncode, "the pipeline's status")
            a = agent.wait_alert(process__comm="curl")
        expect_eq("confirmed", a["confidence"], "confidence")
        expect_eq(["product-serial", "product-uuid"], sorted({i["name"] for i in a["identifiers"]}),
                  "identifiers (each value its own)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


DEFAULT = os.path.join(os.path.dirname(__file__), "..", "..", "policies", "default.yaml")
UDEV_DATA = "/run/udev/data"


class UdevDisk:
    """A block device with a udev database entry, as udevd leaves one for a disk: a loop device
    on a scratch file, and /run/udev/data/b7:N written with the serial properties that the
    persistent-storage rules import (this machine runs no udevd, so no device has an entry).
    Everything made is removed on exit, whatever happened; an entry that was there is put back."""

    def __init__(self):
        self.serial = "LSN%012X" % random.getrandbits(48)
        self.wwn = "0x5%015x" % random.getrandbits(60)
        self.made_dirs, self.saved, self.dev, self.entry = [], None, None, None

    def write(self, path, text):
        """As udevd writes an entry: a new file renamed over the old (a new inode each time)."""
        tmp = os.path.join(UDEV_DATA, ".#%s" % os.path.basename(path))
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, path)

    def text(self):
        return ("S:disk/by-id/ata-Acme_Loop_Disk_%s\nW:1\nI:%d\nE:ID_ATA=1\nE:ID_TYPE=disk\n"
                "E:ID_BUS=ata\nE:ID_MODEL=Acme_Loop_Disk\nE:ID_REVISION=1.0\n"
                "E:ID_SERIAL=Acme_Loop_Disk_%s\nE:ID_SERIAL_SHORT=%s\nE:ID_WWN=%s\n"
                "E:ID_WWN_WITH_EXTENSION=%s\nE:ID_PATH=pci-0000:00:17.0-ata-1\nG:systemd\n"
                "Q:systemd\nV:1\n" % (self.serial, int(time.monotonic() * 1e6), self.serial,
                                       self.serial, self.wwn, self.wwn))

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="idsentry-disk-")
        img = os.path.join(self.tmp, "disk.img")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        try:
            self.dev = subprocess.run(["losetup", "-f", "--show", img], capture_output=True, text=True,
                                      check=True, timeout=10).stdout.strip()
            with open("/sys/block/%s/dev" % os.path.basename(self.dev)) as f:
                self.entry = os.path.join(UDEV_DATA, "b" + f.read().strip())
            for d in ("/run/udev", UDEV_DATA):
                if not os.path.isdir(d):
                    os.mkdir(d, 0o755)
                    self.made_dirs.insert(0, d)
            if os.path.exists(self.entry):
                with open(self.entry) as f:
                    self.saved = f.read()
            self.write(self.entry, self.text())
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.entry:
            try:
                if self.saved is not None:
                    self.write(self.entry, self.saved)
                else:
                    os.unlink(self.entry)
            except OSError:
                pass
        for d in self.made_dirs:
            shutil.rmtree(d, ignore_errors=True)
        if self.dev:
            subprocess.run(["losetup", "-d", self.dev], timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def lsblk_to_curl(disk, host, path):
    """`lsblk -dno SERIAL,WWN` (util-linux, which asks libudev, which reads the entry) piped to
    curl; what lsblk showed."""
    cmd = ("lsblk -dno SERIAL,WWN %s | tee %s/lsblk.out | curl -s -o /dev/null --max-time 5 "
           "--data-binary @- http://%s:8080/%s" % (disk.dev, disk.tmp, host.addr, path))
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, timeout=30)
    expect_eq(0, r.returncode, "the pipeline's status")
    with open(os.path.join(disk.tmp, "lsblk.out")) as f:
        return f.read().split()


def expect_disk_serial_alert(a, disk, host):
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(["disk-serial"], sorted({i["name"] for i in a["identifiers"]}), "identifiers")
    expect_eq(disk.entry, a["identifiers"][0]["path"], "the entry the value came from")
    expect_eq(host.addr, a["destination"]["addr"], "destination.addr")
    expect_eq(8080, a["destination"]["port"], "destination.port")
    expect_eq("plain", a["evidence"]["encoding"], "evidence.encoding")


def test_lsblk_disk_serial_piped_to_curl(host):
    """A disk's serial and WWN as lsblk shows them, read from udev's database entry of the device
    (policies/default.yaml's disk-serial identifier watches /run/udev/data/b*)."""
    with UdevDisk() as disk, Agent(DEFAULT) as agent:
        expect_eq([disk.serial, disk.wwn], lsblk_to_curl(disk, host, "disk"),
                  "what lsblk showed (from the udev entry)")
        expect_disk_serial_alert(agent.wait_alert(process__comm="curl"), disk, host)


def test_udev_entry_rewritten_after_start(host):
    """udevd rewrites a device's entry on every event (a new file renamed over the old): the new
    inode, and the new values in it, are watched without a reload."""
    with UdevDisk() as disk, Agent(DEFAULT) as agent:
        disk.serial = "LSN%012X" % random.getrandbits(48)
        disk.write(disk.entry, disk.text())
        # the agent learns of the new inode from inotify: until it has, a read of it taints nothing
        deadline = time.monotonic() + 5
        while not agent.alerts(process__comm="curl") and time.monotonic() < deadline:
            expect_eq([disk.serial, disk.wwn], lsblk_to_curl(disk, host, "rewritten"),
                      "what lsblk showed (from the rewritten entry)")
            time.sleep(0.2)
        expect_disk_serial_alert(agent.wait_alert(process__comm="curl"), disk, host)


BY_ID = "/dev/disk/by-id"


class DiskLinks:
    """/dev/disk/by-id as udev's persistent-storage rules fill it for an ATA disk: links named
    after its serial (the disk and a partition) and its WWN (this machine runs no udevd and has
    no /dev/disk). Made before the agent starts, removed on exit link by link (listing the
    directory to remove it would taint the harness while an agent runs)."""

    def __init__(self):
        self.serial = "BYI%012X" % random.getrandbits(48)
        self.wwn = "0x5%015x" % random.getrandbits(60)
        self.names = ["ata-Acme_Loop_Disk_%s" % self.serial,
                      "ata-Acme_Loop_Disk_%s-part1" % self.serial, "wwn-%s" % self.wwn]
        self.made_dirs, self.made_links = [], []

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="idsentry-byid-")
        try:
            for d in ("/dev/disk", BY_ID):
                if not os.path.isdir(d):
                    os.mkdir(d, 0o755)
                    self.made_dirs.insert(0, d)
            for name in self.names:
                link = os.path.join(BY_ID, name)
                os.symlink("../../loop7", link)
                self.made_links.append(link)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for link in self.made_links:
            os.unlink(link)
        for d in self.made_dirs:
            os.rmdir(d)
        shutil.rmtree(self.tmp, ignore_errors=True)


def expect_by_id_alert(a, disk, host, encoding="plain"):
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(["disk-serial"], sorted({i["name"] for i in a["identifiers"]}), "identifiers")
    expect_eq(BY_ID, a["identifiers"][0]["path"], "the directory the value came from")
    expect_eq(host.addr, a["destination"]["addr"], "destination.addr")
    expect_eq(8080, a["destination"]["port"], "destination.port")
    expect_eq(encoding, a["evidence"]["encoding"], "evidence.encoding")


def test_disk_by_id_listing_piped_to_curl(host):
    """`ls /dev/disk/by-id` (coreutils: openat of the directory, then getdents64) piped to curl:
    the directory is watched by policies/default.yaml's disk-serial identifier, its opener is
    tainted at the open and the serials in its names are values."""
    with DiskLinks() as disk, Agent(DEFAULT) as agent:
        out = os.path.join(disk.tmp, "ls.out")
        r = subprocess.run(["sh", "-c", "ls %s | tee %s | curl -s -o /dev/null --max-time 5 "
                            "--data-binary @- http://%s:8080/by-id" % (BY_ID, out, host.addr)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        expect_eq(0, r.returncode, "the pipeline's status")
        with open(out) as f:
            expect_eq(sorted(disk.names), sorted(f.read().split()), "what ls listed")
        expect_by_id_alert(agent.wait_alert(process__comm="curl"), disk, host)


NODE_BY_ID = """
const fs = require("fs"), http = require("http");
const id = fs.readdirSync(process.argv[2]).find(n => n.startsWith("ata-") && !n.includes("-part"));
const serial = id.split("_").pop();
const req = http.request({host: process.argv[1], port: 8080, method: "POST", path: "/v1/disk"},
                         res => { res.resume(); res.on("end", () => process.exit(0)); });
req.on("error", e => { console.error(e.message); process.exit(1); });
req.end(Buffer.from(JSON.stringify({disk: serial})).toString("base64"));
"""


BY_ID_POLICY = """version: 1
identifiers:
  - name: disk-serial
    files: [/dev/disk/by-id]
""" + RULE


def test_disk_serial_from_a_by_id_name_posted_by_node(host):
    """A Node.js program lists /dev/disk/by-id (fs.readdirSync), keeps the serial of the disk's
    name and posts it base64'd in a JSON body. The directory alone is watched: fanotify is the
    gate (a mark for the directory's own opens), no open exit waits."""
    with DiskLinks() as disk, Agent(policy_text=BY_ID_POLICY,
                                    args=["--hooks-idle", "1", "--stats-interval", "1"]) as agent:
        expect_eq("fanotify", agent.records()[0]["hooks"].get("gate"), "ready.hooks.gate")
        agent.wait_for(lambda r: r["type"] == "stats" and not r["hooks"]["syscalls_attached"] and
                       not r["hooks"]["detaching"], timeout=15, what="the hooks away")
        err = os.path.join(disk.tmp, "node.err")
        with open(err, "w") as e:
            p = subprocess.Popen(["node", "-e", NODE_BY_ID, host.addr, BY_ID],
                                 stdout=subprocess.DEVNULL, stderr=e)
            expect_eq(0, p.wait(timeout=30), "node's exit status (%s)" % err)
        expect_by_id_alert(agent.wait_alert(process__pid=p.pid), disk, host, encoding="base64")
        woken = agent.wait_for(lambda r: r["type"] == "stats" and r["hooks"]["wakes"] >= 1,
                               what="a stats record counting the wake")
        expect(woken["hooks"]["attaches"] >= 1, "the opener brought the hooks: %r" % woken["hooks"])


def sysfs_disk_serial():
    """A block device's serial file in sysfs that holds one (virtio's /sys/block/vda/serial, a
    SCSI or NVMe device's device/serial), or (None, None) after saying the test is skipped."""
    for name in sorted(os.listdir("/sys/block")):
        for rel in ("serial", "device/serial"):
            path = os.path.join("/sys/block", name, rel)
            try:
                with open(path) as f:
                    value = f.read().strip()
            except OSError:
                continue
            if len(value) >= 4:
                return path, value
    print("  skipped: no block device here has a serial in sysfs")
    return None, None


def test_sysfs_disk_serial_piped_to_curl(host):
    """A disk's serial from sysfs (what udev's rules import into ID_SERIAL), cat piped to curl,
    under policies/default.yaml."""
    path, value = sysfs_disk_serial()
    if not path:
        return
    with Agent(DEFAULT) as agent:
        r = subprocess.run(["sh", "-c", "cat %s | curl -s -o /dev/null --max-time 5 --data-binary @- "
                            "http://%s:8080/sysfs" % (path, host.addr)], capture_output=True, timeout=30)
        expect_eq(0, r.returncode, "the pipeline's status")
        a = agent.wait_alert(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(["disk-serial"], sorted({i["name"] for i in a["identifiers"]}), "identifiers")
    expect_eq(host.addr, a["destination"]["addr"], "destination.addr")


class FakeModem:
    """A modem on a pty pair: answers AT commands written to the slave, as a real one would."""

    def __init__(self, imei, creg):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no line editing: bytes pass as written
        self.path = os.ttyname(self.slave)
        self.imei = imei
        self.creg = creg
        self.sms = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join(2)
        os.close(self.master)
        os.close(self.slave)

    def reply(self, text):
        os.write(self.master, text.encode())

    def answer(self, cmd):
        c = cmd.strip().upper()
        if c in ("AT+CGSN", "AT+GSN"):
            self.reply("\r\n%s\r\n\r\nOK\r\n" % self.imei)
        elif c == "AT+CREG?":
            self.reply("\r\n+CREG: 2,1,\"%s\",\"%s\"\r\n\r\nOK\r\n" % self.creg)
        elif c.startswith("AT+CMGS"):
            self.reply("\r\n> ")
            return True
        else:
            self.reply("\r\nOK\r\n")
        return False

    def run(self):
        buf, in_sms = b"", False
        while not self.stop:
            r, _, _ = select.select([self.master], [], [], 0.1)
            if not r:
                continue
            try:
                buf += os.read(self.master, 1024)
            except OSError:
                return
            while True:
                if in_sms:
                    if b"\x1a" not in buf:
                        break
                    body, buf = buf.split(b"\x1a", 1)
                    self.sms.append(body)
                    self.reply("\r\n+CMGS: 7\r\n\r\nOK\r\n")
                    in_sms = False
                elif b"\r" in buf:
                    line, buf = buf.split(b"\r", 1)
                    if line.strip():
                        in_sms = self.answer(line.decode("latin-1"))
                else:
                    break


def modem_policy(path):
    return """version: 1
identifiers:
  - name: imei
    modem: [%s]
  - name: cell-location
    modem: [%s]
""" % (path, path) + RULE


MODEM_CLIENT = """
import os, socket, sys
fd = os.open(sys.argv[2], os.O_RDWR | os.O_NOCTTY)
def at(cmd, until=(b"OK\\r\\n", b"ERROR")):
    os.write(fd, cmd + b"\\r")
    data = b""
    while not any(u in data for u in until):
        data += os.read(fd, 256)
    return data.decode("latin-1")
def udp(text):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(text.encode(), (sys.argv[1], 9999))
"""


def new_imei():
    return "35" + "".join(random.choice("0123456789") for _ in range(13))


def test_modem_imei_reply_sent_over_udp(host):
    imei = new_imei()
    with FakeModem(imei, ("00C3", "0A2B3C4D")) as modem, \
            Agent(policy_text=modem_policy(modem.path)) as agent:
        pid, _ = run_py(MODEM_CLIENT + """
r = at(b"AT+CGSN")
imei = [w for w in r.split() if w.isdigit()][0]
udp("imei=" + imei)
""", host.addr, modem.path)
        a = confirmed(agent, pid, "imei")
        expect_eq("modem", a["identifiers"][0]["source"], "identifiers[].source")
        expect_eq(modem.path, a["identifiers"][0]["path"], "identifiers[].path")


# An SMS-SUBMIT (TS 23.040) with an empty SMSC part and GSM-7 text, built inside the client.
SUBMIT_SRC = '''
def gsm7_pack(text):
    bits = nbits = 0
    out = bytearray()
    for ch in text:
        bits |= (ord(ch) & 0x7f) << nbits
        nbits += 7
        while nbits >= 8:
            out.append(bits & 0xff)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xff)
    return bytes(out)
def submit_pdu(number, text):
    digits = number.lstrip("+")
    padded = digits + ("F" if len(digits) % 2 else "")
    bcd = "".join(padded[i + 1] + padded[i] for i in range(0, len(padded), 2))
    tpdu = "1100%02X91%s0000AA%02X%s" % (len(digits), bcd, len(text), gsm7_pack(text).hex().upper())
    return "00" + tpdu, len(tpdu) // 2
'''


def test_sms_pdu_with_the_imei_in_gsm7_text(host):
    imei = new_imei()
    number = "+15551234567"
    with FakeModem(imei, ("00C3", "0A2B3C4D")) as modem, \
            Agent(policy_text=modem_policy(modem.path)) as agent:
        pid, _ = run_py(MODEM_CLIENT + SUBMIT_SRC + """
r = at(b"AT+CGSN")
imei = [w for w in r.split() if w.isdigit()][0]
at(b"AT+CMGF=0")
pdu, n = submit_pdu(sys.argv[3], "Device " + imei + " ok")
at(b"AT+CMGS=%d" % n, until=(b"> ",))
os.write(fd, pdu.encode() + b"\\x1a")
data = b""
while b"OK" not in data:
    data += os.read(fd, 256)
""", host.addr, modem.path, number)
        a = confirmed(agent, pid, "imei", evidence__channel="sms")
        expect_eq({"proto": "sms", "addr": number}, a["destination"], "destination")
        expect_eq(1, len(modem.sms), "messages the modem got")


def test_sms_text_mode_with_the_imei(host):
    imei = new_imei()
    number = "+15557654321"
    with FakeModem(imei, ("00C3", "0A2B3C4D")) as modem, \
            Agent(policy_text=modem_policy(modem.path)) as agent:
        pid, _ = run_py(MODEM_CLIENT + """
r = at(b"AT+CGSN")
imei = [w for w in r.split() if w.isdigit()][0]
at(b"AT+CMGF=1")
at(b'AT+CMGS="' + sys.argv[3].encode() + b'"', until=(b"> ",))
os.write(fd, b"my id: " + imei.encode() + b"\\x1a")
data = b""
while b"OK" not in data:
    data += os.read(fd, 256)
""", host.addr, modem.path, number)
        a = confirmed(agent, pid, "imei", evidence__channel="sms")
        expect_eq({"proto": "sms", "addr": number}, a["destination"], "destination")


def test_cell_id_from_creg_sent_over_udp(host):
    ci = "%08X" % random.randrange(0x1000000, 0xFFFFFFF)
    with FakeModem(new_imei(), ("00C3", ci)) as modem, \
            Agent(policy_text=modem_policy(modem.path)) as agent:
        pid, _ = run_py(MODEM_CLIENT + """
at(b"AT+CREG=2")
r = at(b"AT+CREG?")
ci = r.split('"')[3]
udp("cell=" + ci)
""", host.addr, modem.path)
        a = confirmed(agent, pid, "cell-location")
        expect_eq("modem", a["identifiers"][0]["source"], "identifiers[].source")


def property_case(host, how):
    lib = build_library("testprop")
    exe = build_client("prop_leak", "testprop")
    serial = "TS%010d" % random.randrange(10 ** 9, 10 ** 10)
    policy = """version: 1
property_libraries: [%s]
identifiers:
  - name: serial
    properties: [ro.serialno]
""" % lib + RULE
    with Agent(policy_text=policy) as agent:
        p = subprocess.run([exe, host.addr, how], env=dict(os.environ, TESTPROP_SERIALNO=serial),
                           capture_output=True, text=True, timeout=20)
        expect_eq(0, p.returncode, "prop_leak exit status")
        a = agent.wait_alert(process__comm="prop_leak", confidence="confirmed")
        expect_eq(["serial"], [i["name"] for i in a["identifiers"]], "identifiers")
        expect_eq("property", a["identifiers"][0]["source"], "identifiers[].source")
        expect_eq("ro.serialno", a["identifiers"][0]["path"], "identifiers[].path")


def test_property_get_of_the_serial(host):
    property_case(host, "get")


def test_property_read_callback_of_the_serial(host):
    property_case(host, "callback")
