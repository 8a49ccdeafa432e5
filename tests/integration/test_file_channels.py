# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Files as channels (issue 15.3): a process holding an identifier writes a form of it into a file
of its own (a cache, SharedPreferences, a log line); the file becomes an identifier file for it,
so a later, unrelated reader that sends its content is reported. A holder writing other text
makes no such file."""
import os
import shutil
import subprocess
import tempfile

from idslib import Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id


def run_to(out, cmd, timeout=20):
    with open(out, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout).returncode


def test_value_cached_in_a_file_taints_a_later_reader(host):
    tmp = tempfile.mkdtemp(prefix="idsentry-cache-")
    cache, notes = os.path.join(tmp, "prefs.json"), os.path.join(tmp, "notes.txt")
    try:
        with Agent(policy_text=POLICY_MACHINE_ID) as agent:
            # the holder: reads the machine-id, caches it as an SDK would, writes notes too
            code = ("import json, sys\nv = open('/etc/machine-id').read().strip()\n"
                    "json.dump({'device_id': v, 'v': 2}, open(sys.argv[1], 'w'))\n"
                    "open(sys.argv[2], 'w').write('nothing to see here\\n')\n")
            expect_eq(0, run_to(os.path.join(tmp, "w.out"), ["python3", "-c", code, cache,
                                                             notes]), "the writer's status")
            rec = agent.wait_for(lambda r: r["type"] == "derived_file", what="a derived_file")
            expect_eq(os.path.realpath(cache), rec["path"], "the derived file's path")
            expect_eq(["machine-id"], rec["identifiers"], "its identifiers")
            # later, an unrelated process (the value is nowhere else) sends the cache
            for name in ("notes", "prefs"):
                path = notes if name == "notes" else cache
                expect_eq(0, run_to(os.path.join(tmp, name + ".out"), [
                    "curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                    "@" + path, "http://%s:8080/%s" % (host.addr, name)]), "curl's status")
            a = agent.wait_alert(process__comm="curl", confidence="confirmed")
            expect("/prefs" in a["process"]["cmdline"], "the cache's reader: %r" % a["process"])
            derived = [r for r in agent.records() if r["type"] == "derived_file"]
            expect_eq(1, len(derived), "one derived file (the notes hold no value)")
            expect_eq([], [x for x in agent.alerts() if "/notes" in x["process"]["cmdline"]],
                      "no alert for the notes' reader")
        expect_eq("machine-id", a["identifiers"][0]["name"], "identifier")
        expect(machine_id() in host.quiet_received(), "the host got the value")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_derived_file_expires_by_policy(host):
    """derived_files.expire: a cache last written longer ago than that is an identifier file no
    more (a derived_file record says so), and a later reader of it is not reported."""
    tmp = tempfile.mkdtemp(prefix="idsentry-cache-")
    cache = os.path.join(tmp, "prefs.json")
    policy = POLICY_MACHINE_ID + "derived_files:\n  expire: 2s\n"
    try:
        with Agent(policy_text=policy) as agent:
            code = ("import sys\nv = open('/etc/machine-id').read().strip()\n"
                    "open(sys.argv[1], 'w').write('id=' + v + '\\n')\n")
            expect_eq(0, run_to(os.path.join(tmp, "w.out"), ["python3", "-c", code, cache]),
                      "the writer's status")
            agent.wait_for(lambda r: r["type"] == "derived_file" and "state" not in r,
                           what="a derived_file")
            gone = agent.wait_for(lambda r: r["type"] == "derived_file" and r.get("state") == "expired",
                                  timeout=10, what="the derived file's expiry")
            expect_eq(os.path.realpath(cache), gone["path"], "the expired file's path")
            expect_eq(0, run_to(os.path.join(tmp, "c.out"), [
                "curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary", "@" + cache,
                "http://%s:8080/expired" % host.addr]), "curl's status")
            # a control: the policy's own file still taints its reader
            expect_eq(0, run_to(os.path.join(tmp, "k.out"), [
                "curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                "@/etc/machine-id", "http://%s:8080/control" % host.addr]), "curl's status")
            agent.wait_alert(process__comm="curl")
            late = [a for a in agent.alerts() if "/expired" in a["process"]["cmdline"]]
        expect_eq([], late, "alerts for the reader of the expired cache")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_cached_value_found_at_any_write_size(host):
    """A cache written in one write() of any size up to the sample: the value is found wherever
    it sits in it. Writes of 256-511 and 768-1023 bytes were read 256 bytes short (a mask of
    the wrong form in bpf/filewrite.bpf.c), so a value past their first bytes was never seen."""
    tmp = tempfile.mkdtemp(prefix="idsentry-cache-")
    sizes = (120, 300, 600, 900, 1000)
    try:
        with Agent(policy_text=POLICY_MACHINE_ID) as agent:
            # one writer per size: the value near the end of a JSON document of that size
            code = ("import json, sys\nv = open('/etc/machine-id').read().strip()\n"
                    "for path, size in zip(sys.argv[1::2], sys.argv[2::2]):\n"
                    "    doc = json.dumps({'pad': 'x' * (int(size) - 28 - len(v)),"
                    " 'device_id': v})\n"
                    "    assert len(doc) == int(size), (len(doc), size)\n"
                    "    with open(path, 'w') as f:\n"
                    "        f.write(doc)\n")
            args = []
            for size in sizes:
                args += [os.path.join(tmp, "cache-%d.json" % size), str(size)]
            expect_eq(0, run_to(os.path.join(tmp, "w.out"), ["python3", "-c", code] + args),
                      "the writer's status")
            want = {os.path.realpath(os.path.join(tmp, "cache-%d.json" % s)) for s in sizes}
            agent.wait_for(lambda r: want <= {x.get("path") for x in agent.records()
                                              if x["type"] == "derived_file"},
                           timeout=10, what="a derived_file for each of %s" % (sizes,))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_cached_value_in_a_long_writev_segment(host):
    """With samples of 2 KiB and more (--sample-bytes 4096), a writev into a file whose first
    segment is 2 KiB or longer: that segment is sampled, not skipped (2048 masked by 2047 is 0)."""
    tmp = tempfile.mkdtemp(prefix="idsentry-cache-")
    cache = os.path.join(tmp, "long.json")
    try:
        with Agent(policy_text=POLICY_MACHINE_ID, args=["--sample-bytes", "4096"]) as agent:
            code = ("import os, sys\nv = open('/etc/machine-id').read().strip()\n"
                    "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)\n"
                    "first = ('{\"device_id\": \"%s\", \"pad\": \"' % v + 'x' * 2400).encode()\n"
                    "os.writev(fd, [first, b'\"}\\n'])\n"
                    "os.close(fd)\n")
            expect_eq(0, run_to(os.path.join(tmp, "w.out"), ["python3", "-c", code, cache]),
                      "the writer's status")
            rec = agent.wait_for(lambda r: r["type"] == "derived_file", what="a derived_file")
            expect_eq(os.path.realpath(cache), rec["path"], "the derived file's path")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
