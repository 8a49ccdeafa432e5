# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Reading the records: `report` over recorded files (text, HTML in headless Chromium) and `run` on a
terminal (readable lines under a pseudo-terminal, JSON Lines when piped or with --json)."""
import gzip
import html
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time

from idslib import AGENT, HERE, POLICY_MACHINE_ID, Failure, expect, expect_eq, run_py, sh
from test_file_identifiers import READ_AND_SEND_TCP

DATA = os.path.join(HERE, "data")
FIXTURE = "report-ids.jsonl"


def recorded_files():
    """The fixture as rotation leaves it: ids.jsonl, ids.jsonl.1, and ids.jsonl.2.gz (logrotate's
    compress); returns the directory and the current file's path."""
    d = tempfile.mkdtemp(prefix="idsentry-report-")
    cur = os.path.join(d, "ids.jsonl")
    shutil.copy(os.path.join(DATA, FIXTURE), cur)
    shutil.copy(os.path.join(DATA, FIXTURE + ".1"), cur + ".1")
    with open(os.path.join(DATA, FIXTURE + ".2"), "rb") as src, gzip.open(cur + ".2.gz", "wb") as dst:
        dst.write(src.read())
    return d, cur


def table_rows(text):
    """The table's rows: {name: [severity, alerts, confirmed, suspected, blocked, first, last]}, in order."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(\d+)\s+(.+?)\s{2,}(critical|high|medium|low|\?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                     r"(\S+ \S+)\s+(\S+ \S+)$", line)
        if m:
            rows.append((m.group(2), [m.group(3)] + [int(m.group(i)) for i in range(4, 8)]
                         + [m.group(8), m.group(9)]))
    return rows


def test_report_prints_the_table_of_rotated_gzipped_and_bad_input(host):
    d, cur = recorded_files()
    try:
        r = sh([AGENT, "report", cur], check=False, timeout=30)
        expect_eq(0, r.returncode, "exit status (bad lines are reported, not fatal); stderr %r" % r.stderr)
        out = r.stdout
        expect("3 files (1 gzip'd)" in out, "the rotated and gzip'd files read: %r" % out[:200])
        expect("12 alerts from 4 processes or apps" in out, "the alert total (a folded record counts "
               "its repeats): %r" % out[:200])
        rows = table_rows(out)
        expect_eq([
            ("nslookup (/usr/bin/nslookup)", ["critical", 1, 1, 0, 0, "2026-11-23 09:05:00", "2026-11-23 09:05:00"]),
            ("curl (/usr/bin/curl)", ["high", 7, 7, 0, 1, "2026-11-23 08:00:00", "2026-11-23 08:21:00"]),
            ("com.tinno.sts", ["high", 3, 2, 1, 0, "2026-11-23 08:05:00", "2026-11-23 09:00:00"]),
            ("python3 (/usr/bin/python3.11)", ["medium", 1, 0, 1, 0, "2026-11-23 08:10:00", "2026-11-23 08:10:00"]),
        ], rows, "table rows (critical; high blocked; high; medium suspected)")
        for needle in (
                "identifiers:  machine-id (6 confirmed), mac-address (1 confirmed)",
                "identifiers:  imei (1 confirmed, 1 suspected), serial (1 confirmed)",
                "channels:     sms (1), socket (1), tls (1)",
                "report.example.com (93.184.216.34:443/tcp) (1)",
                "+8613800000000/sms (1)",
                "destinations: [2001:db8::53]:53/udp (1)",
                "processes:    uid 10057; pids 4242 (2), 4250 (1)",
                "actions:      alert (6), blocked (1)",
                "events lost (by where: cause): kernel: ringbuf_full (12)",
                "bad input (skipped, the rest was read): 5",
                "2 truncated or malformed records (first at %s.1:5)" % cur,
                "1 lines that are not JSON (first at %s.1:6)" % cur,
                "1 JSON values that are not records (no \"type\") (first at %s:6)" % cur,
                "1 records of an unknown type (first at %s:5): heartbeat (1)" % cur):
            expect(needle in out, "%r in the report:\n%s" % (needle, out))
        # named one by one, with the siblings not looked for: the same table, each file once
        r2 = sh([AGENT, "report", "--no-rotated", cur + ".2.gz", cur + ".1", cur, cur], timeout=30)
        expect_eq(rows, table_rows(r2.stdout), "rows from the files named one by one")
        # a damaged gzip file: what could be read counts, the damage is reported, the rest goes on
        with open(cur + ".2.gz", "rb") as f:
            data = f.read()
        with open(cur + ".2.gz", "wb") as f:
            f.write(data[:len(data) // 2])
        r3 = sh([AGENT, "report", cur], check=False, timeout=30)
        expect_eq(1, r3.returncode, "exit status with a damaged file")
        expect("unreadable files or file ends" in r3.stdout and "ids.jsonl.2.gz" in r3.stderr,
               "the damaged file reported: %r %r" % (r3.stdout[-400:], r3.stderr))
        expect(len(table_rows(r3.stdout)) >= 3, "the other files still summarised")
        expect_eq(1, sh([AGENT, "report", os.path.join(d, "missing.jsonl")], check=False).returncode,
                  "exit status for a missing file")
        expect_eq(2, sh([AGENT, "report"], check=False).returncode, "exit status without a file")
    finally:
        shutil.rmtree(d, ignore_errors=True)


# Appended to a copy of the page for the test only (the page itself has no script): counts what the
# browser built and laid out, into an attribute --dump-dom shows.
PROBE = """<script>
const svg = document.getElementById('timeline');
const marks = svg ? Array.from(svg.querySelectorAll('circle.mark')) : [];
const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
document.body.setAttribute('data-probe', JSON.stringify({
  title: document.title,
  marks: marks.length,
  drawn: marks.filter(m => m.getBBox().width > 0).length,
  confirmed: svg ? svg.querySelectorAll('circle.mark.confirmed').length : -1,
  suspected: svg ? svg.querySelectorAll('circle.mark.suspected').length : -1,
  enforced: svg ? svg.querySelectorAll('circle.mark.enforced').length : -1,
  rows: svg ? svg.querySelectorAll('g.row').length : -1,
  svg_width: box.width, svg_height: box.height,
  table_rows: document.querySelectorAll('#subjects tbody tr').length,
  external: document.querySelectorAll('[src],link[href],script:not(:last-of-type)').length}));
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise Failure("chromium is not installed (sudo make test, or scripts/install-deps.sh --test, "
                  "installs Debian's chromium package)")


def browser(*args, timeout=90):
    # root needs --no-sandbox; a private profile keeps runs apart. The page is a file and the
    # browser's own background traffic is off, and anything left goes to a dead local proxy.
    profile = tempfile.mkdtemp(prefix="idsentry-chromium-")
    try:
        return sh([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,900",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-domain-reliability", "--no-pings", "--proxy-server=http://127.0.0.1:9"]
                  + list(args), timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_report_html_renders_in_headless_chromium(host):
    d, cur = recorded_files()
    try:
        page = os.path.join(d, "report.html")
        sh([AGENT, "report", cur, "--html", page], timeout=30)
        text = open(page, encoding="utf-8").read()
        expect(not re.search(r"<script|<link|\bsrc=|@import|url\(", text), "a self-contained page")
        probed = os.path.join(d, "probed.html")
        with open(probed, "w", encoding="utf-8") as f:
            f.write(text.replace("</body>", PROBE + "</body>"))
        dom = browser("--virtual-time-budget=5000", "--dump-dom", "file://" + probed).stdout
        m = re.search(r'data-probe="([^"]*)"', dom)
        expect(m, "the probe ran in the page (the page loaded): %r" % dom[:300])
        probe = json.loads(html.unescape(m.group(1)))
        expect_eq("idsentry report", probe["title"], "page title")
        # 8 alert records in the fixture: one mark each (the folded one stands for 5 alerts)
        expect_eq(8, probe["marks"], "marks in the timeline")
        expect_eq(8, probe["drawn"], "marks laid out with a size")
        expect_eq((6, 2, 1), (probe["confirmed"], probe["suspected"], probe["enforced"]),
                  "marks by confidence, and those blocked")
        expect_eq(4, probe["rows"], "timeline rows (one per process or app)")
        expect_eq(4, probe["table_rows"], "table rows")
        expect(probe["svg_width"] > 500 and probe["svg_height"] > 100, "the timeline has a size: %r" % probe)
        expect_eq(0, probe["external"], "elements fetching anything")
        png = os.path.join(d, "report.png")
        browser("--screenshot=" + png, "file://" + page)
        with open(png, "rb") as f:
            head = f.read(24)
        expect(head[:8] == b"\x89PNG\r\n\x1a\n", "a PNG written")
        width, height = struct.unpack(">II", head[16:24])
        expect_eq((1280, 900), (width, height), "screenshot size")
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Run:
    """`idsentry run` with stdout on a pseudo-terminal (or a pipe); its output collected by polling."""

    def __init__(self, policy, tty=True, args=(), env=None):
        self.policy = policy
        cmd = [AGENT, "run", "--no-socket", "--hooks-idle", "0", "--policy", policy] + list(args)
        if tty:
            self.master, slave = pty.openpty()
            stdout = slave
        else:
            self.master, stdout = os.pipe()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=self.err,
                                     env=env, cwd=os.path.dirname(os.path.dirname(HERE)))
        os.close(stdout)
        self.data = b""
        self.closed = False

    def pump(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the pty's other side closed
                    return
                if not chunk:
                    return
                self.data += chunk

    def wait_text(self, pred, timeout=20, what="output"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred(self.text()):
                return self.text()
            if self.proc.poll() is not None:
                self.pump(0.5)
                break
            self.pump(0.2)
        if pred(self.text()):
            return self.text()
        self.err.seek(0)
        raise Failure("run printed no %s within %ss; stdout:\n%s\nstderr:\n%s" % (
            what, timeout, self.text()[-3000:], self.err.read().decode(errors="replace")[-2000:]))

    def text(self):
        return self.data.decode("utf-8", errors="replace").replace("\r\n", "\n")

    def stop(self):
        if self.closed:
            return self.proc.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Failure("idsentry run did not exit within 15 s of SIGINT")
        self.pump(0.3)
        os.close(self.master)
        self.err.close()
        self.closed = True
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def policy_file():
    f = tempfile.NamedTemporaryFile("w", prefix="idsentry-policy-", suffix=".yaml", delete=False)
    f.write(POLICY_MACHINE_ID)
    f.close()
    return f.name


def env_without_no_color(**extra):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(extra)
    return env


def test_run_on_a_terminal_prints_readable_lines_and_json_when_piped(host):
    policy = policy_file()
    try:
        with Run(policy, tty=True, env=env_without_no_color(TZ="UTC")) as run:
            run.wait_text(lambda t: "alerts follow" in t, what="the ready summary")
            pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 8080, "/etc/machine-id")
            tag = "[%d]" % pid
            text = run.wait_text(lambda t: tag in t, what="the alert line for pid %d" % pid)
            expect_eq(0, run.stop(), "exit status after SIGINT")
            text = run.text()
        lines = [l for l in text.split("\n") if l.strip()]
        expect(not any(l.lstrip().startswith("{") for l in lines), "no JSON on a terminal:\n%s" % text)
        ready = [l for l in lines if "READY" in l]
        expect(len(ready) == 1 and "probes attached" in ready[0] and policy in ready[0],
               "one READY line naming the probes and the policy:\n%s" % text)
        for needle in ("enforcement: ", "syscall hooks: on-demand", "identifier value"):
            expect(needle in text, "%r in the ready summary:\n%s" % (needle, text))
        expect(len(text.split("alerts follow")[0]) < 2000,
               "a short summary of ready, not the raw object: %d bytes" % len(text.split("alerts follow")[0]))
        alert = [l for l in lines if tag in l]
        expect(len(alert) == 1, "one alert line for pid %d:\n%s" % (pid, text))
        expect("\033[1;31mHIGH\033[0m" in alert[0], "HIGH in colour on a terminal: %r" % alert[0])
        expect("machine-id" in alert[0] and "%s:8080/tcp" % host.addr in alert[0],
               "identifier and destination in %r" % alert[0])

        # piped: JSON Lines as always, the same records
        with Run(policy, tty=False, env=env_without_no_color()) as run:
            run.wait_text(lambda t: '"type":"ready"' in t, what="the ready record")
            pid, _ = run_py(READ_AND_SEND_TCP, host.addr, 8080, "/etc/machine-id")
            run.wait_text(lambda t: '"pid":%d,' % pid in t, what="the JSON alert for pid %d" % pid)
            expect_eq(0, run.stop(), "exit status after SIGINT (piped)")
            records = [json.loads(l) for l in run.text().split("\n") if l.strip()]
        expect_eq("ready", records[0]["type"], "first record when piped")
        expect(any(r["type"] == "alert" and r["process"]["pid"] == pid for r in records),
               "the alert as JSON when piped")
        expect("\033" not in run.text(), "no colour codes in JSON Lines")

        # NO_COLOR: readable, without colour; --json on a terminal: JSON Lines
        with Run(policy, tty=True, env=env_without_no_color(NO_COLOR="1")) as run:
            text = run.wait_text(lambda t: "alerts follow" in t, what="the ready summary (NO_COLOR)")
        expect("READY" in text and "\033" not in text, "no colour with NO_COLOR: %r" % text[:300])
        for args in (["--json"], ["--output", "-"]):
            with Run(policy, tty=True, args=args, env=env_without_no_color()) as run:
                text = run.wait_text(lambda t: '"type":"ready"' in t, what="the ready record (%s)" % args)
            first = text.strip().split("\n")[0]
            expect_eq("ready", json.loads(first)["type"], "%s on a terminal: the first line is the record" % args)
    finally:
        os.unlink(policy)
