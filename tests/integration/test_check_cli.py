# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""`idsentry check`: FILE:LINE:COL diagnostics, the source line and a caret, exit status."""
import os
import tempfile

from idslib import AGENT, expect, expect_eq, sh

HEAD = "version: 1\nidentifiers:\n  - name: machine-id\n    files: [/etc/machine-id]\n"

CASES = {
    "yaml syntax": (HEAD + "rules:\n  - name: r\n    action: [alert\n  - name: s\n",
                    "8:9: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 7, column 13)"),
    "unknown key": (HEAD + "    colour: blue\n",
                    "5:5: error: unknown key 'colour' in identifier"),
    "unknown action": (HEAD + "rules:\n  - name: r\n    action: explode\n",
                       "7:13: error: unknown action 'explode' (expected alert, block or kill)"),
    "unknown identifier": (HEAD + "rules:\n  - name: r\n    identifiers: [machine-id, imei]\n",
                           "7:31: error: unknown identifier 'imei'"),
    "bad cidr": (HEAD + "rules:\n  - name: r\n    destinations:\n      except: [127.0.0.0/8, 10.0.0.0/33]\n",
                 "8:29: error: invalid CIDR '10.0.0.0/33'"),
}


def write(text):
    fd, path = tempfile.mkstemp(suffix=".yaml", prefix="idsentry-check-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def test_each_error_is_reported_at_its_line_and_column(host):
    for name, (text, want) in CASES.items():
        path = write(text)
        r = sh([AGENT, "check", path], check=False)
        expect_eq(1, r.returncode, "exit status for %s" % name)
        first = r.stderr.splitlines()[0] if r.stderr else ""
        expect(first.startswith("%s:%s" % (path, want)), "'%s:%s...' for %s, got %r" % (path, want, name, r.stderr))
        line, col = map(int, want.split(":")[:2])
        lines = r.stderr.splitlines()
        expect_eq("  " + text.splitlines()[line - 1], lines[1], "the source line for %s" % name)
        expect_eq("  " + " " * (col - 1) + "^", lines[2], "the caret for %s" % name)
        os.unlink(path)


def test_all_errors_of_a_file_are_collected(host):
    path = write(HEAD + "    colour: blue\nrules:\n  - name: r\n    identifiers: [imei]\n    action: explode\n"
                 "    window: soon\n")
    r = sh([AGENT, "check", path], check=False)
    expect_eq(1, r.returncode, "exit status")
    errors = [l for l in r.stderr.splitlines() if l.startswith(path + ":")]
    expect_eq(4, len(errors), "errors reported, got %r" % r.stderr)
    expect(r.stderr.rstrip().endswith("4 errors"), "a closing count")
    os.unlink(path)


def test_shipped_policies_are_valid(host):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for name in ("default.yaml", "example.yaml"):
        r = sh([AGENT, "check", os.path.join(root, "policies", name)], check=False)
        expect_eq(0, r.returncode, "exit status of check %s (stderr %r)" % (name, r.stderr))
        expect_eq("", r.stderr, "diagnostics for %s" % name)


def test_check_verbose_explains_each_quiet_entry(host):
    """The default policy's exceptions by design, each with its fields and why, for a reviewer."""
    r = sh([AGENT, "check", "--verbose", "policies/default.yaml"],
           cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    for name in ("dhcp-client", "dhcpv6-client", "arp", "ndp", "lldp"):
        expect("quiet '%s':" % name in r.stdout, "check --verbose names %s: %r" % (name, r.stdout))
    expect_eq(5, r.stdout.count("\n  why: "), "one why per entry")
    expect("chaddr" in r.stdout, "the DHCP fields named")
    bad = write(HEAD + "quiet:\n  - name: q\n    protocol: dhcp\n    identifiers: [machine-id]\n")
    try:
        r = sh([AGENT, "check", bad], check=False)
    finally:
        os.unlink(bad)
    expect_eq(1, r.returncode, "exit status of a quiet entry without why")
    expect("6:5: error: quiet entry has no 'why'" in r.stderr, "the missing why named: %r" % r.stderr)
