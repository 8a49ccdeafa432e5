# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Globs stay current: an identifier file created after the agent started, or replaced by a new
inode (as a regenerated machine-id is), is watched without a reload."""
import os
import secrets
import tempfile
import time

from idslib import Agent, RULE_OFF_HOST, expect_eq, run_py

SEND = """
import socket, sys
v = open(sys.argv[2]).read().strip()
s = socket.create_connection((sys.argv[1], 9000), timeout=5)
s.sendall(("id=" + v).encode())
"""


def policy(d):
    return """version: 1
identifiers:
  - name: device-token
    files: ["%s/*.token"]
""" % d + RULE_OFF_HOST


def test_file_created_after_start_is_watched(host):
    d = tempfile.mkdtemp(prefix="idsentry-later-")
    with Agent(policy_text=policy(d)) as agent:
        path = os.path.join(d, "device.token")
        with open(path, "w") as f:
            f.write(secrets.token_hex(16) + "\n")
        time.sleep(2.5)  # the agent registers changes once a second
        pid, _ = run_py(SEND, host.addr, path)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
    expect_eq(path, a["identifiers"][0]["path"], "identifiers[].path")


def test_file_replaced_by_a_new_inode_is_watched(host):
    d = tempfile.mkdtemp(prefix="idsentry-renamed-")
    path = os.path.join(d, "device.token")
    with open(path, "w") as f:
        f.write(secrets.token_hex(16) + "\n")
    with Agent(policy_text=policy(d)) as agent:
        # as systemd-machine-id-setup does: write a new file, rename it over the old one
        tmp = os.path.join(d, ".device.tmp")
        with open(tmp, "w") as f:
            f.write(secrets.token_hex(16) + "\n")
        os.rename(tmp, path)
        time.sleep(2.5)
        pid, _ = run_py(SEND, host.addr, path)
        a = agent.wait_alert(process__pid=pid)
    expect_eq("confirmed", a["confidence"], "confidence")
