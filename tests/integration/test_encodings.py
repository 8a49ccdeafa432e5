# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Shapes real programs give identifiers: Python's uuid module on the machine-id, its raw bytes,
compressed bodies (gzip piped into curl, zlib and raw deflate from Python)."""
import subprocess

from idslib import Agent, POLICY_MACHINE_ID, expect_eq, run_py

# Reads the machine-id and sends it as argv[2] says, with Python's own libraries.
SEND = """
import socket, sys, uuid
mid = open("/etc/machine-id").read().strip()
shape = sys.argv[2]
if shape == "uuid":
    body = ('{"device":"%s"}' % uuid.UUID(hex=mid)).encode()
else:
    body = b"\\x00\\x01" + bytes.fromhex(mid) + b"\\xff"
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(body)
"""


def sent_as(host, shape):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(SEND, host.addr, shape)
        return agent.wait_alert(process__pid=pid)


def test_machine_id_as_a_uuid_is_confirmed(host):
    a = sent_as(host, "uuid")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("uuid", a["evidence"]["encoding"], "evidence.encoding")


def test_machine_id_as_raw_bytes_is_confirmed(host):
    a = sent_as(host, "raw")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("raw", a["evidence"]["encoding"], "evidence.encoding")
    expect_eq(2, a["evidence"]["offset"], "evidence.offset")


def test_gzip_body_piped_into_curl_is_confirmed(host):
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        r = subprocess.run(["sh", "-c", "gzip -c /etc/machine-id | curl -s -o /dev/null --max-time 5 "
                            "-H 'Content-Encoding: gzip' --data-binary @- http://%s:8080/" % host.addr],
                           capture_output=True, timeout=20)
        expect_eq(0, r.returncode, "exit status of gzip | curl")
        a = agent.wait_alert(process__comm="curl")
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("gzip", a["evidence"]["encoding"], "evidence.encoding")


# An HTTP request whose body is the machine-id in JSON, compressed as argv[2] says, in one send.
COMPRESSED = """
import json, socket, sys, zlib
mid = open("/etc/machine-id").read().strip()
body = json.dumps({"events": [{"name": "start", "device_id": mid, "n": 1}]}).encode()
if sys.argv[2] == "zlib":
    body, enc = zlib.compress(body), "deflate"
else:
    c = zlib.compressobj(wbits=-15)
    body, enc = c.compress(body) + c.flush(), "deflate"
head = ("POST /v1/batch HTTP/1.1\\r\\nHost: t\\r\\nContent-Encoding: %s\\r\\n"
        "Content-Length: %d\\r\\n\\r\\n" % (enc, len(body))).encode()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(head + body)
"""


def test_zlib_and_raw_deflate_bodies_are_confirmed(host):
    for kind, want in (("zlib", "zlib"), ("raw", "deflate")):
        with Agent(policy_text=POLICY_MACHINE_ID) as agent:
            pid, _ = run_py(COMPRESSED, host.addr, kind)
            a = agent.wait_alert(process__pid=pid)
        expect_eq("confirmed", a["confidence"], "confidence (%s)" % kind)
        expect_eq(want, a["evidence"]["encoding"], "evidence.encoding (%s)" % kind)
