# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Fleet: records forwarded by a real rsyslog to a central one (contrib/rsyslog), and the
Prometheus metrics file (--metrics-file) parsed strictly and counting alerts."""
import glob
import json
import math
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from idslib import ROOT, Agent, Failure, POLICY_MACHINE_ID, expect, expect_eq, sh

CONTRIB = os.path.join(ROOT, "contrib", "rsyslog")
CENTRAL_PORT = 10514  # as in the contrib files


def rsyslogd():
    path = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.path.exists(path):
        raise Failure("rsyslogd is missing: 'make deps' (scripts/install-deps.sh) installs rsyslog")
    return path


def site_config(name, out, replacements):
    """The shipped contrib file with its site values replaced; each must be in it."""
    with open(os.path.join(CONTRIB, name), encoding="utf-8") as f:
        text = f.read()
    for old, new in replacements:
        expect(old in text, "%r in contrib/rsyslog/%s" % (old, name))
        text = text.replace(old, new)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return out


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    raise Failure("no %s within %ss" % (what, timeout))


def stop_process(p):
    if p is None or p.poll() is not None:
        return
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(5)


def agent_line(agent, pred):
    """The line of the agent's output file whose record satisfies pred, as written."""
    with open(agent.out, encoding="utf-8") as f:
        for line in f:
            if line.strip() and pred(json.loads(line)):
                return line.rstrip("\n")
    raise Failure("no such record in the agent's output")


def readme_jq_program():
    """The jq program of the README's journald recipe, as written there."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("journalctl _COMM=idsentry -o json | jq -c '"):
                return line.split("'")[1]
    raise Failure("no journalctl recipe in README.md")


RFC5424 = re.compile(r'<(\d{1,3})>1 (\S+) ([!-~]{1,255}) idsentry (\d+) ([!-~]{1,32}) '
                     r'(-|\[idsentry@32473((?: [^ ="\]]{1,32}="(?:[^"\\\]]|\\.)*")*)\]) (\{.*\})$')


def test_rsyslog_forwards_records_whole_to_a_central_rsyslog(host):
    tmp = tempfile.mkdtemp(prefix="idsentry-fleet-")
    sock = os.path.join(tmp, "idsentry-syslog.sock")
    logs = os.path.join(tmp, "central-logs")
    for d in ("local-work", "central-work", "central-logs"):
        os.makedirs(os.path.join(tmp, d))
    # the shipped files, with the central host (the test host), the agent's socket and the log
    # directory changed; each daemon gets a top-level config of its own (work directory, and no
    # /dev/log: the machine's syslog socket is left alone)
    fwd = site_config("idsentry-forward.conf", os.path.join(tmp, "forward.conf"),
                      [("central.example.org", host.addr), ("/run/idsentry/syslog.sock", sock)])
    cen = site_config("idsentry-central.conf", os.path.join(tmp, "central.conf"),
                      [("/var/log/idsentry", logs)])
    local_top, central_top = os.path.join(tmp, "local-rsyslog.conf"), os.path.join(tmp, "central-rsyslog.conf")
    with open(local_top, "w") as f:
        f.write('global(workDirectory="%s/local-work")\n'
                'module(load="imuxsock" SysSock.Use="off")\n'
                'include(file="%s")\n' % (tmp, fwd))
    with open(central_top, "w") as f:
        f.write('global(workDirectory="%s/central-work")\ninclude(file="%s")\n' % (tmp, cen))
    for conf in (local_top, central_top):
        r = sh([rsyslogd(), "-N1", "-f", conf], check=False)
        expect_eq(0, r.returncode, "rsyslogd -N1 exit status for %s (%s)" % (conf, r.stderr))
    central = local = None
    try:
        # the central one inside the test host's namespace, the local one beside the agent
        central = subprocess.Popen(["ip", "netns", "exec", host.ns, rsyslogd(), "-n", "-f", central_top,
                                    "-i", os.path.join(tmp, "central.pid")],
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "central.err"), "w"))
        wait_until(lambda: ":%d " % CENTRAL_PORT in sh(["ip", "netns", "exec", host.ns, "ss", "-ltn"]).stdout,
                   10, "central rsyslogd listening on %s:%d" % (host.addr, CENTRAL_PORT))
        local = subprocess.Popen([rsyslogd(), "-n", "-f", local_top, "-i", os.path.join(tmp, "local.pid")],
                                 stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "local.err"), "w"))
        wait_until(lambda: os.path.exists(sock), 10, "local rsyslogd socket %s" % sock)
        with Agent(policy_text=POLICY_MACHINE_ID, args=["--syslog-socket", sock]) as agent:
            curl = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                                     "@/etc/machine-id", "http://%s:8080/" % host.addr])
            expect_eq(0, curl.wait(10), "curl exit status")
            agent.wait_alert(process__pid=curl.pid)
            alert_line = agent_line(agent, lambda r: r["type"] == "alert" and r["process"]["pid"] == curl.pid)
            ready_line = agent_line(agent, lambda r: r["type"] == "ready")
            agent_pid = agent.proc.pid

            def central_lines():
                lines = []
                for path in glob.glob(os.path.join(logs, "*.jsonl")):
                    with open(path, encoding="utf-8") as f:
                        lines += [l.rstrip("\n") for l in f]
                return lines if any('"pid":%d,' % curl.pid in l for l in lines) else None
            got = wait_until(central_lines, 20, "alert of curl[%d] in the central rsyslog's files" % curl.pid)
        files = glob.glob(os.path.join(logs, "*.jsonl"))
        expect_eq([os.path.join(logs, socket.gethostname() + ".jsonl")], files, "one file, named after the host")
        # the alert, byte for byte; and as JSON, equal to the agent's own record
        expect(alert_line in got, "the agent's alert line among the central lines:\n%s\n--- central:\n%s" % (
            alert_line, "\n".join(got)))
        central_alert = [json.loads(l) for l in got if '"pid":%d,' % curl.pid in l and '"type":"alert"' in l]
        expect_eq(json.loads(alert_line), central_alert[0], "the alert record as the central rsyslog wrote it")
        expect("…" in alert_line, "a redacted (UTF-8) value in the alert")
        # the largest record, ready, whole too
        expect(ready_line in got, "the ready record (%d bytes) whole at the central end" % len(ready_line))
        for line in got:
            json.loads(line)  # every line the central end wrote is a record
        # the whole message, with its structured data, in messages.log
        with open(os.path.join(logs, "messages.log"), encoding="utf-8") as f:
            messages = [l.rstrip("\n") for l in f]
        alert_msgs = [m for m in messages if m.endswith(alert_line)]
        expect_eq(1, len(alert_msgs), "messages ending with the alert record")
        g = RFC5424.match(alert_msgs[0])
        expect(g, "an RFC 5424 message: %r" % alert_msgs[0])
        expect_eq(3 * 8 + 3, int(g.group(1)), "PRI of a high alert (daemon.err)")
        expect_eq(json.loads(alert_line)["ts"], g.group(2), "TIMESTAMP: the record's ts")
        expect_eq(socket.gethostname(), g.group(3), "HOSTNAME")
        expect_eq(str(agent_pid), g.group(4), "PROCID: the agent's pid")
        expect_eq("alert", g.group(5), "MSGID")
        params = dict(re.findall(r' ([^ =]+)="((?:[^"\\]|\\.)*)"', g.group(7)))
        for k, v in (("rule", "identifier-exfiltration"), ("severity", "high"), ("action", "alert"),
                     ("confidence", "confirmed"), ("pid", str(curl.pid)), ("comm", "curl"),
                     ("identifiers", "machine-id"), ("proto", "tcp"), ("addr", host.addr), ("port", "8080")):
            expect_eq(v, params.get(k), "SD-PARAM %s at the central end" % k)
        # the README's journald recipe: MESSAGE is the message after its PRI (journald parses
        # only RFC 3164 headers); its jq program must give back every record whole
        program = readme_jq_program()
        entries = "".join(json.dumps({"MESSAGE": re.sub(r"^<\d+>", "", m)}) + "\n" for m in messages)
        r = sh(["jq", "-c", program], input=entries)
        for m in messages:
            expect(RFC5424.match(m), "an RFC 5424 message at the central end: %r" % m)
        expect_eq([json.loads(RFC5424.match(m).group(8)) for m in messages],
                  [json.loads(l) for l in r.stdout.splitlines()], "records the README's jq program extracts")
        expect(json.loads(alert_line) in [json.loads(l) for l in r.stdout.splitlines()],
               "the alert among what the README's jq program extracts")
    finally:
        stop_process(local)
        stop_process(central)
        shutil.rmtree(tmp, ignore_errors=True)


# The Prometheus text format (exposition format 0.0.4), strictly: what node_exporter's textfile
# collector and promtool accept, and a little more (no blank lines, every family typed first).
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def parse_value(s):
    if s in ("NaN", "+Inf", "-Inf"):
        return float(s.replace("Inf", "inf"))
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueError("not a sample value: %r" % s)
    return float(s)


def unescape(v):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], v)


def parse_exposition(text):
    """{family: {"type", "help", "samples": {(name, ((label, value), ...)): value}}}; raises
    Failure with the line number on anything the format does not allow."""
    families, current, done = {}, None, set()

    def fail(n, why, line):
        raise Failure("metrics line %d: %s: %r" % (n, why, line))

    if not text.endswith("\n"):
        raise Failure("the metrics text does not end with a newline")
    for n, line in enumerate(text[:-1].split("\n"), 1):
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not METRIC_NAME.fullmatch(parts[2]):
                fail(n, "malformed %s line" % parts[1], line)
            name = parts[2]
            if name != current:
                if name in families:
                    fail(n, "family %s seen before, not contiguous" % name, line)
                if current:
                    done.add(current)
                current = name
                families[name] = {"type": None, "help": None, "samples": {}}
            fam = families[name]
            if parts[1] == "HELP":
                if fam["help"] is not None:
                    fail(n, "second HELP", line)
                if not re.fullmatch(r"(?:[^\\\n]|\\[\\n])*", parts[3]):
                    fail(n, "a HELP escape other than \\\\ and \\n", line)
                fam["help"] = parts[3]
            else:
                if fam["type"] is not None or fam["samples"]:
                    fail(n, "TYPE after samples or twice", line)
                if parts[3] not in TYPES:
                    fail(n, "unknown type", line)
                fam["type"] = parts[3]
            continue
        if not line or line.startswith("#"):
            fail(n, "blank line or stray comment", line)
        m = METRIC_NAME.match(line)
        if not m:
            fail(n, "no metric name", line)
        name, rest = m.group(0), line[m.end():]
        labels = []
        if rest.startswith("{"):
            rest = rest[1:]
            while not rest.startswith("}"):
                lm = LABEL.match(rest)
                if not lm:
                    fail(n, "malformed label", line)
                if lm.group(1).startswith("__"):
                    fail(n, "reserved label name", line)
                labels.append((lm.group(1), unescape(lm.group(2))))
                rest = rest[lm.end():]
                if rest.startswith(","):
                    rest = rest[1:]
                elif not rest.startswith("}"):
                    fail(n, "expected , or }", line)
            rest = rest[1:]
            if len(set(k for k, _ in labels)) != len(labels):
                fail(n, "a label twice", line)
        fields = rest.split(" ")
        if fields[0] != "" or len(fields) not in (2, 3):
            fail(n, "expected ' value [timestamp]'", line)
        if len(fields) == 3:
            fail(n, "a timestamp (the textfile collector refuses them)", line)
        try:
            value = parse_value(fields[1])
        except ValueError as e:
            fail(n, str(e), line)
        if name != current or families[name]["type"] is None:
            fail(n, "sample of a family without a TYPE line before it", line)
        fam = families[name]
        if fam["type"] == "counter":
            if not name.endswith("_total"):
                fail(n, "a counter not named *_total", line)
            if value < 0 or math.isnan(value):
                fail(n, "a negative counter", line)
        key = (name, tuple(sorted(labels)))
        if key in fam["samples"]:
            fail(n, "the same series twice", line)
        fam["samples"][key] = value
    for name, fam in families.items():
        if fam["help"] is None or fam["type"] is None:
            raise Failure("family %s lacks HELP or TYPE" % name)
    return families


def sample(families, name, **labels):
    return families.get(name, {"samples": {}})["samples"].get((name, tuple(sorted(labels.items()))))


def read_metrics(path):
    with open(path, encoding="utf-8") as f:
        return parse_exposition(f.read())


def test_parser_refuses_what_the_format_does_not_allow(host):
    good = '# HELP a_total A "quoted" \\\\ help.\n# TYPE a_total counter\na_total{l="x\\"y\\\\z\\n"} 3\n'
    expect_eq('x"y\\z\n', [dict(k[1]) for k in parse_exposition(good)["a_total"]["samples"]][0]["l"],
              "an unescaped label value")
    for bad in ("a_total 1\n",                                        # no TYPE
                "# HELP a_total h\n# TYPE a_total counter\na_total{l=\"\\x\"} 1\n",  # bad escape
                "# HELP a h\n# TYPE a counter\na 1\n",              # counter without _total
                "# HELP a_total h\n# TYPE a_total counter\na_total 1 1700000000\n",  # timestamp
                "# HELP a_total h\n# TYPE a_total counter\na_total 1\na_total 2\n",  # series twice
                "# HELP a_total h\n# TYPE a_total counter\na_total 1"):   # no final newline
        try:
            parse_exposition(bad)
        except Failure:
            continue
        raise Failure("the parser accepted %r" % bad)


def test_metrics_file_parses_and_alert_counters_move(host):
    agent = Agent(policy_text=POLICY_MACHINE_ID, args=["--stats-interval", "1", "--metrics-file", "PATH"])
    path = os.path.join(agent.tmp, "idsentry.prom")
    agent.args[agent.args.index("PATH")] = path
    key = dict(rule="identifier-exfiltration", confidence="confirmed", action="alert")
    with agent:
        before = wait_until(lambda: os.path.exists(path) and read_metrics(path), 5, "metrics file %s" % path)
        expect_eq(0, sample(before, "idsentry_alerts_total", **key), "confirmed alerts before any")
        expect_eq(0, sample(before, "idsentry_alerts_total", rule="identifier-exfiltration",
                            confidence="suspected", action="alert"), "suspected alerts before any")
        expect_eq(1, sample(before, "idsentry_build_info", version="0.1.0"), "build info")
        expect(sample(before, "idsentry_probes", state="attached") > 0, "attached probes counted")
        expect(sample(before, "idsentry_known_values") >= 1, "the machine-id value learnt at start")
        for fam in ("idsentry_events_total", "idsentry_lost_total", "idsentry_hooks_attached",
                    "idsentry_taint_table_entries"):
            expect(fam in before, "family %s" % fam)
        expect_eq("counter", before["idsentry_alerts_total"]["type"], "type of idsentry_alerts_total")
        expect_eq("gauge", before["idsentry_taint_table_entries"]["type"], "type of the taint table size")
        curl = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "--data-binary",
                                 "@/etc/machine-id", "http://%s:8080/" % host.addr])
        expect_eq(0, curl.wait(10), "curl exit status")
        agent.wait_alert(process__pid=curl.pid)

        # rewritten every second: each read is a whole file (rename), never half of one
        def moved():
            m = read_metrics(path)
            return m if (sample(m, "idsentry_alerts_total", **key) or 0) >= 1 else None
        after = wait_until(moved, 5, "idsentry_alerts_total%r moving" % key)
        expect(sample(after, "idsentry_events_total", type="send") > sample(before, "idsentry_events_total",
                                                                             type="send"), "send events counted")
        expect(sample(after, "idsentry_taint_table_entries") >= 1 or
               sample(after, "idsentry_events_total", type="ident_read") >= 1, "curl's read seen")
    # the agent writes the counters as they end; no temporary file is left
    final = read_metrics(path)
    expect(not os.path.exists(path + ".tmp"), "no %s.tmp left" % path)
    alerts = [r for r in agent.records() if r["type"] == "alert"]
    total = sum(v for (_, labels), v in final["idsentry_alerts_total"]["samples"].items())
    expect_eq(len([r for r in alerts if not r.get("aggregated")]) + sample(final, "idsentry_alerts_folded_total"),
              total, "alerts counted = alert records written + folded repeats")
    expect_eq(sample(final, "idsentry_alert_records_total") + sample(final, "idsentry_alerts_folded_total"),
              total, "idsentry_alerts_total summed = records + folded")
    expect(sample(final, "idsentry_alerts_total", **key) >= 1, "the confirmed alert in the final file")
