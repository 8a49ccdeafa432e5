#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""run: the `make bench` driver: idsentry's cost and capacity against no monitor and a bpftrace peer.

Usage (as root): python3 tests/bench/run.py --agent build/idsentry --bin build/bench [--out DIR]
                 [--reps N] [--smoke] [--no-peer] [--no-experiment] [--cpu C]

Every repetition runs each monitor set-up (none, idsentry, bpftrace) as one block, in an order that
rotates between repetitions, and each block runs every case once; a table of medians goes to stdout
and to DIR/results.md, the raw figures to DIR/results.json. Overheads compare CPU time (see
workload.c); the wall-clock figures are printed beside them. The driver fails only when something
does not work (a monitor does not start, alerts do not arrive), never because of a figure.
"""
import argparse
import calendar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_DIR = "/run/idsentry-bench"          # must match tests/bench/policy.yaml
IDENT_FILE = BENCH_DIR + "/device-serial"
BENIGN_FILE = BENCH_DIR + "/benign.txt"
POLICY = os.path.join(HERE, "policy.yaml")
PEER_SCRIPT = os.path.join(HERE, "peer.bt")
CLK_TCK = os.sysconf("SC_CLK_TCK")

FULL = dict(mixed=50000, mixed_pairs=11, count=20000, tcp=50000, tcp_size=1024, ident=50000, flood_max_ms=1000,
            flood_ms=1500, flood_size=256, target_rate=100000, lat_count=1000,
            lat_interval_us=1000, lat_size=128, sys_iters=60000, exp_mixed=20000, emit_ms=700,
            emit_lat_count=500, alloc_idents=5000, alloc_sends=50000, quiet_s=5)
SMOKE = dict(mixed=5000, mixed_pairs=2, count=2000, tcp=2000, tcp_size=1024, ident=2000, flood_max_ms=200, flood_ms=200,
             flood_size=256, target_rate=100000, lat_count=100, lat_interval_us=1000,
             lat_size=128, sys_iters=5000, exp_mixed=2000, emit_ms=200, emit_lat_count=100,
             alloc_idents=200, alloc_sends=5000, quiet_s=1)

TARGETS = {"mixed_overhead": 0.05, "peer_fraction": 0.25, "rate": 100000, "p99_ms": 50.0,
           "rss_mib": 32.0}


# The busy set-ups: a process holding the identifier stays alive during the mixed loop, with
# fanotify (as on a desktop or Debian's kernels) and without it (as on Android's GKI kernels).
BUSY = "idsentry-busy"
BUSY_NOFAN = "idsentry-busy-nofan"


class BenchError(Exception):
    pass


STARTED = []  # every process the driver starts, so that none outlives it


def spawn(cmd, **kw):
    proc = subprocess.Popen(cmd, **kw)
    STARTED.append(proc)
    return proc


def reap_all():
    """Stops, by pid, whatever the driver started and is still running."""
    for proc in STARTED:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


T0 = time.monotonic()


def log(msg):
    print("[%5.1f s] %s" % (time.monotonic() - T0, msg), file=sys.stderr, flush=True)


# ---- monitors ------------------------------------------------------------------------------------

def proc_cpu_s(pid):
    """User + system CPU seconds of a process (all threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_wakeups(pid):
    """Times the process's threads went to sleep and were woken (voluntary context switches)."""
    n = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        n += int(line.split()[1])
        except OSError:
            pass
    return n


def proc_mem_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0])
    return out


class NoMonitor:
    name = "none"
    pid = None

    def start(self):
        pass

    def stop(self):
        pass


class Idsentry:
    """The agent, with its records read back from its --output file. With a holder (the workload
    binary), a process that read the identifier file stays alive throughout: a busy device."""
    def __init__(self, agent, out_dir, rep, name="idsentry", extra=(), holder=None):
        self.name = name
        self.extra = list(extra)
        self.holder = holder
        self.holder_proc = None
        self.agent = agent
        self.path = os.path.join(out_dir, "%s-%s.jsonl" % (name, rep))
        self.err_path = os.path.join(out_dir, "%s-%s.stderr" % (name, rep))
        self.proc = None
        self.pid = None
        self.offset = 0
        self.records = []

    def start(self):
        for p in (self.path, self.err_path):
            if os.path.exists(p):
                os.unlink(p)
        self.err = open(self.err_path, "w")
        # --hooks-idle 1: the syscall hooks go idle one second after start instead of ten
        self.proc = spawn([self.agent, "run", "--policy", POLICY, "--output", self.path,
                                      "--mode", "alert", "--stats-interval", "1",
                                      "--hooks-idle", "1"] + self.extra,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 30
        self.hooks = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("idsentry exited with %d at start; see %s"
                                 % (self.proc.returncode, self.err_path))
            for r in self.read():
                if r.get("type") == "ready":
                    self.hooks = r.get("hooks", {})
            # the untainted cases come first: wait until nobody holds the syscall hooks
            # ... and until the detach is over: it waits out RCU grace periods for about a
            # second, which slows everything else on the machine meanwhile
            if self.hooks is not None and (self.hooks.get("mode") != "on-demand" or any(
                    not r.get("hooks", {}).get("syscalls_attached", True) and
                    (not r["hooks"].get("socket_layer_attached", False) or
                     r["hooks"].get("gate") == "open-exits") and
                    not r["hooks"].get("detaching") and r["hooks"].get("detaches", 0) >= 1
                    for r in self.records if r.get("type") == "stats")):
                time.sleep(0.5)
                if self.holder:
                    self.start_holder()
                return
            time.sleep(0.05)
        raise BenchError("idsentry wrote no ready record, or kept its syscall hooks attached, "
                         "within 30 s; see %s" % self.path)

    def start_holder(self):
        """The holder reads the identifier (its open brings the syscall hooks back) and keeps it;
        then whatever the agent does with its hooks for a holder settles (up to 15 s)."""
        self.read()
        before = [r for r in self.records if r.get("type") == "stats"]
        attaches = before[-1]["hooks"].get("attaches", 0) if before else 0
        self.holder_proc = spawn([self.holder, "hold", "--taint", IDENT_FILE, "--ms", "600000"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        if self.hooks.get("mode") != "on-demand":
            time.sleep(1)
            return
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if any(r.get("type") == "stats" and r["hooks"].get("attaches", 0) > attaches and
                   not r["hooks"]["syscalls_attached"] and not r["hooks"].get("detaching")
                   for r in self.read()):
                time.sleep(0.5)
                return
            time.sleep(0.1)
        log("  %s: the syscall hooks stayed attached with a holder alive" % self.name)

    def read(self):
        """New records since the last call (also kept in self.records)."""
        new = []
        try:
            with open(self.path) as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return new
        end = chunk.rfind("\n")
        if end < 0:
            return new
        self.offset += len(chunk[:end + 1].encode())
        for line in chunk[:end + 1].splitlines():
            try:
                new.append(json.loads(line))
            except ValueError:
                new.append({"type": "unparsable", "line": line})
        self.records.extend(new)
        return new

    def last_stats(self):
        self.read()
        for r in reversed(self.records):
            if r.get("type") == "stats":
                return r
        return None

    def wait_stats_after(self, t_realtime_ns, timeout=5.0):
        """The first stats record stamped after a moment, or the latest one at the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.last_stats()
            if s and ts_ns(s["ts"]) > t_realtime_ns:
                return s
            if time.monotonic() > deadline:
                return s
            time.sleep(0.1)

    def stop(self):
        holder = getattr(self, "holder_proc", None)  # subclasses (Emit, Fastpath) have none
        if holder and holder.poll() is None:
            holder.kill()
            holder.wait()
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.read()
        self.err.close()
        if self.proc.returncode not in (0, None):
            raise BenchError("idsentry exited with %d; see %s" % (self.proc.returncode,
                                                                 self.err_path))


class Bpftrace:
    """The peer: tests/bench/peer.bt, its output lines stamped (CLOCK_REALTIME) on arrival."""
    name = "bpftrace"

    def __init__(self, workload):
        self.workload = workload
        self.proc = None
        self.pid = None
        self.lines = []  # (arrival realtime ns, line)
        self.lock = threading.Lock()

    def _reader(self):
        for raw in self.proc.stdout:
            now = time.time_ns()
            with self.lock:
                self.lines.append((now, raw.decode(errors="replace").rstrip("\n")))

    def start(self):
        self.proc = spawn(["bpftrace", "-B", "none", PEER_SCRIPT, IDENT_FILE],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        threading.Thread(target=self._reader, daemon=True).start()
        # ready when a probe send from a freshly tainted process comes out
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("bpftrace exited at start:\n" + "\n".join(l for _, l in self.lines))
            if any("Attaching" in l for _, l in self.snapshot()):
                r = run_workload(self.workload, ["latency", "--count", "1", "--interval-us", "0",
                                                 "--size", "128", "--taint", IDENT_FILE])
                time.sleep(0.3)
                if self.sends_of(r["pid"]):
                    return
            time.sleep(0.2)
        raise BenchError("bpftrace did not report a tainted send within 60 s")

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def sends_of(self, pid):
        tag = "send pid=%d " % pid
        return [(t, l) for t, l in self.snapshot() if l.startswith(tag)]

    def lost_since(self, index):
        lost = 0
        for _, l in self.snapshot()[index:]:
            m = re.match(r"Lost (\d+) events", l)
            if m:
                lost += int(m.group(1))
        return lost

    def wait_quiet(self, quiet=0.5, timeout=15.0):
        deadline = time.monotonic() + timeout
        n = len(self.snapshot())
        last_change = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            m = len(self.snapshot())
            if m != n:
                n, last_change = m, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Fastpath:
    """tests/bench/fastpath: one attach style of idsentry's untainted fast path."""

    def __init__(self, binary, mode):
        self.binary = binary
        self.mode = mode
        self.name = mode
        self.proc = None
        self.pid = None

    def start(self):
        self.proc = spawn([self.binary, self.mode], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("ready"):
            raise BenchError("fastpath %s did not start: %s" % (self.mode,
                                                               self.proc.stderr.read().decode()))
        self.pid = self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)


class Emit:
    """tests/bench/emit: a tainted sender's events written to the ring buffer one way, read back."""

    def __init__(self, binary, mode, extra=()):
        self.binary = binary
        self.mode = mode
        self.name = mode
        self.extra = list(extra)
        self.proc = None
        self.pid = None
        self.report = None

    def start(self):
        self.proc = spawn([self.binary, self.mode, "--watch", IDENT_FILE] + self.extra,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("ready"):
            raise BenchError("emit %s did not start: %s" % (self.mode,
                                                           self.proc.stderr.read().decode()))
        self.pid = self.proc.pid

    def stop(self):
        holder = getattr(self, "holder_proc", None)  # subclasses (Emit, Fastpath) have none
        if holder and holder.poll() is None:
            holder.kill()
            holder.wait()
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=60)
        if self.proc.returncode != 0:
            raise BenchError("emit %s failed: %s" % (self.mode, err.decode()))
        self.report = json.loads(out.decode().strip().splitlines()[-1])


class AllocCounter:
    """bpftrace counting the agent's heap allocations (libc malloc, calloc, realloc)."""

    def __init__(self, pid):
        self.pid = pid
        self.proc = None

    def start(self):
        libc = None
        with open("/proc/%d/maps" % self.pid) as f:
            for line in f:
                path = line.split()[-1]
                if re.search(r"/libc[.-].*so", path):
                    libc = path
                    break
        if not libc:
            raise BenchError("no libc in the agent's address space")
        prog = ("uprobe:%s:malloc, uprobe:%s:calloc, uprobe:%s:realloc /pid == %d/ "
                "{ @allocs = count(); }" % (libc, libc, libc, self.pid))
        self.proc = spawn(["bpftrace", "-e", prog], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        seen = []
        while len(seen) < 20:
            line = self.proc.stdout.readline().decode()
            seen.append(line)
            if not line or "Attaching" in line:
                break
        if "Attaching" not in seen[-1]:
            raise BenchError("bpftrace allocation counter did not start: " + "".join(seen))
        time.sleep(0.5)

    def stop(self):
        if not self.proc:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out = self.proc.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            # a counter that hangs costs the allocation figures, not the whole run's
            self.proc.kill()
            self.proc.communicate()
            raise BenchError("the bpftrace allocation counter did not exit within 60 s of "
                             "SIGINT (killed)")
        m = re.search(r"@allocs: (\d+)", out)
        return int(m.group(1)) if m else 0


# ---- workloads -----------------------------------------------------------------------------------

# Workloads report through regular files, never pipes: idsentry follows taint through pipes, and
# a driver that read a tainted workload's output would be tainted, and every workload after it.
def result_file():
    return tempfile.TemporaryFile(mode="w+", dir=BENCH_DIR, prefix="result-")


def bpf_prog_runs():
    """Runs of every BPF program on the machine so far (kernel.bpf_stats_enabled must be 1),
    or None when bpftool cannot say."""
    try:
        r = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True,
                           timeout=20)
        return sum(p.get("run_cnt", 0) for p in json.loads(r.stdout or "[]"))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def tcp_out_segs():
    """TCP segments this network namespace has sent (Tcp OutSegs of /proc/net/snmp), or None."""
    try:
        with open("/proc/net/snmp") as f:
            rows = [l.split() for l in f if l.startswith("Tcp:")]
        return int(rows[1][rows[0].index("OutSegs")])
    except (OSError, IndexError, ValueError):
        return None


class BpfStats:
    """kernel.bpf_stats_enabled on for the run (it costs a clock read per program run, which
    every monitor pays alike), back to what it was after."""
    PATH = "/proc/sys/kernel/bpf_stats_enabled"

    def __enter__(self):
        try:
            with open(self.PATH) as f:
                self.old = f.read().strip()
            with open(self.PATH, "w") as f:
                f.write("1")
        except OSError:
            self.old = None
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(self.old)


def run_workload(binary, args, cpu=None):
    cmd = [binary] + args + ([] if cpu is None else ["--cpu", str(cpu)])
    with result_file() as f:
        subprocess.run(cmd, check=True, stdout=f, timeout=300)
        f.seek(0)
        return json.loads(f.read().strip().splitlines()[-1])


def ts_ns(ts):
    """RFC 3339 UTC ("2026-11-23T08:00:00.123456Z", any number of fraction digits) to ns."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$", ts)
    if not m:
        raise BenchError("bad timestamp %r" % ts)
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
    frac = (m.group(7) or "0")[:9].ljust(9, "0")
    return secs * 1000000000 + int(frac)


def kernel_losses(stats):
    k = stats.get("kernel", {}) if stats else {}
    return sum(v for name, v in k.items() if name != "sample_truncated")


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    i = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[i]


def run_parallel(binary, argsets):
    """Runs workloads at once (unpinned); their JSON results, in order."""
    files = [result_file() for _ in argsets]
    procs = [spawn([binary] + a, stdout=f) for a, f in zip(argsets, files)]
    out = []
    for pr, f in zip(procs, files):
        pr.wait(timeout=300)
        if pr.returncode:
            raise subprocess.CalledProcessError(pr.returncode, pr.args)
        f.seek(0)
        out.append(json.loads(f.read().strip().splitlines()[-1]))
        f.close()
    return out


class Bench:
    def __init__(self, a):
        self.a = a
        self.p = SMOKE if a.smoke else FULL
        self.workload = os.path.join(a.bin, "workload")
        self.fastpath = os.path.join(a.bin, "fastpath")
        self.emit = os.path.join(a.bin, "emit")
        self.cpu = a.cpu
        self.results = {}   # (monitor, case, metric) -> [values per repetition]

    def add(self, mon, case, metric, value):
        if value is not None:
            self.results.setdefault((mon, case, metric), []).append(value)

    def wl(self, args, pin=True):
        return run_workload(self.workload, args, self.cpu if pin else None)

    # -- overhead cases: every monitor --
    def overhead_cases(self, mon):
        p = self.p
        # the BPF programs the loop sets off (only the monitor's are loaded), counted on a
        # separate untimed pass: counting costs every program run two clock reads
        with BpfStats():
            runs = bpf_prog_runs()
            self.wl(["mixed", "--iters", str(p["count"]), "--file", BENIGN_FILE])
            after = bpf_prog_runs()
        if runs is not None and after is not None:
            self.add(mon.name, "mixed", "bpf_runs", (after - runs) / p["count"])
        r = self.wl(["tcp", "--iters", str(p["tcp"]), "--size", str(p["tcp_size"])])
        self.add_loop(mon, "tcp", r)
        self.tcp_tainted(mon.name)
        self.drain(mon)
        r = self.wl(["ident", "--iters", str(p["ident"]), "--file", IDENT_FILE])
        self.add_loop(mon, "ident", r)
        self.drain(mon)

    def tcp_tainted(self, name):
        """The tainted TCP loop; beside its time, the TCP segments a send took: the sender and
        its receiver share a CPU, and the slower each send, the fewer sends the kernel
        coalesces into one segment (more segments, more receiver wake-ups: the loop's own cost
        grows with whatever a monitor adds to a send)."""
        p = self.p
        s0 = tcp_out_segs()
        r = self.wl(["tcp", "--iters", str(p["tcp"]), "--size", str(p["tcp_size"]),
                     "--taint", IDENT_FILE])
        s1 = tcp_out_segs()
        self.add(name, "tcp_tainted", "cpu_ns", r["cpu_ns_per_op"])
        self.add(name, "tcp_tainted", "wall_ns", r["wall_ns_per_op"])
        if s0 is not None and s1 is not None:
            self.add(name, "tcp_tainted", "segs_per_send", (s1 - s0) / p["tcp"])

    def mixed_pairs(self):
        """The mixed loop, each monitor right after a run without one, many times over: on this
        VM the no-monitor time alone drifts by a third over minutes (neighbours), so the ratio
        is only worth something between runs seconds apart."""
        p = self.p
        for i in range(p["mixed_pairs"]):
            mons = [NoMonitor(), Idsentry(self.a.agent, self.a.out, "mixed-%d" % i),
                    Idsentry(self.a.agent, self.a.out, "busy-%d" % i, name=BUSY,
                             holder=self.workload),
                    Idsentry(self.a.agent, self.a.out, "busy-nofan-%d" % i, name=BUSY_NOFAN,
                             extra=["--no-fanotify"], holder=self.workload)]
            if self.peer:
                mons.append(Bpftrace(self.workload))
            for mon in mons:
                try:
                    mon.start()
                    r = self.wl(["mixed", "--iters", str(p["mixed"]), "--file", BENIGN_FILE])
                    self.add_loop(mon, "mixed", r)
                    # the busy set-ups' program runs, counted once on an untimed pass
                    if i == 0 and mon.name in (BUSY, BUSY_NOFAN):
                        with BpfStats():
                            runs = bpf_prog_runs()
                            self.wl(["mixed", "--iters", str(p["count"]), "--file",
                                     BENIGN_FILE])
                            after = bpf_prog_runs()
                        if runs is not None and after is not None:
                            self.add(mon.name, "mixed", "bpf_runs", (after - runs) / p["count"])
                    if i == 0 and not isinstance(mon, NoMonitor):
                        self.quiet(mon)
                finally:
                    mon.stop()

    def quiet(self, mon):
        """What the monitor itself costs while nothing it watches happens (a phone's usual
        state: its holders alive, idle): wake-ups a second and CPU over quiet_s seconds."""
        secs = self.p["quiet_s"]
        time.sleep(0.5)  # the loop's last events read
        w0, c0, t0 = proc_wakeups(mon.pid), proc_cpu_s(mon.pid), time.monotonic()
        time.sleep(secs)
        w1, c1, t1 = proc_wakeups(mon.pid), proc_cpu_s(mon.pid), time.monotonic()
        self.add(mon.name, "quiet", "wakeups_per_s", (w1 - w0) / (t1 - t0))
        self.add(mon.name, "quiet", "cpu_pct", 100.0 * (c1 - c0) / (t1 - t0))

    def add_loop(self, mon, case, r):
        self.add(mon.name, case, "cpu_ns", r["cpu_ns_per_op"])
        self.add(mon.name, case, "wall_ns", r["wall_ns_per_op"])

    def drain(self, mon):
        """Lets a monitor catch up with the events of the previous case."""
        if isinstance(mon, Idsentry):
            mon.wait_stats_after(time.time_ns(), timeout=3)
        elif isinstance(mon, Bpftrace):
            mon.wait_quiet(quiet=0.3)

    # -- capacity, latency, monitor footprint --
    def flood(self, mon, rate, vary=False):
        """Tainted UDP senders: one flat out (rate 0), or two sharing a target rate; vary: each
        payload differs from the one before (the agent scans each: no repeat to skip)."""
        p = self.p
        case = "flood_max" if rate == 0 else "flood_target"
        if vary:
            case += "_vary"
        ms = p["flood_max_ms"] if rate == 0 else p["flood_ms"]
        base = ["flood", "--ms", str(ms), "--size", str(p["flood_size"]), "--taint", IDENT_FILE]
        if vary:
            base += ["--vary", "1"]
        if rate == 0:
            argsets = [base + ["--rate", "0", "--cpu", str(self.cpu)]]
        else:
            argsets = [base + ["--rate", str(rate // 2)]] * 2
        if isinstance(mon, NoMonitor):
            rs = run_parallel(self.workload, argsets)
            self.add(mon.name, case, "sends_per_s", sum(r["per_s"] for r in rs))
            return
        before_stats = mon.last_stats() if isinstance(mon, Idsentry) else None
        n_lines = len(mon.snapshot()) if isinstance(mon, Bpftrace) else 0
        cpu0 = proc_cpu_s(mon.pid)
        rs = run_parallel(self.workload, argsets)
        ops = sum(r["ops"] for r in rs)
        secs = max(r["wall_ns"] for r in rs) / 1e9
        end_ns = time.time_ns()
        if isinstance(mon, Idsentry):
            # drained when a stats record after the flood accounts for every send
            deadline = time.monotonic() + 10
            while True:
                st = mon.wait_stats_after(end_ns, timeout=3)
                got = (st or {}).get("events", {}).get("send", 0) - \
                    (before_stats or {}).get("events", {}).get("send", 0)
                reported = kernel_losses(st) - kernel_losses(before_stats)
                if got + reported >= ops + len(rs) or time.monotonic() > deadline:
                    break
                end_ns = time.time_ns()
            handled = got - len(rs)  # each sender's connect() is an event too
        else:
            mon.wait_quiet()
            handled = sum(len(mon.sends_of(r["pid"])) for r in rs)
            reported = mon.lost_since(n_lines)
        cpu = proc_cpu_s(mon.pid) - cpu0
        mem = proc_mem_kib(mon.pid)
        self.add(mon.name, case, "sends_per_s", sum(r["per_s"] for r in rs))
        self.add(mon.name, case, "handled_per_s", handled / secs)
        self.add(mon.name, case, "lost", max(0, ops - handled, reported))
        self.add(mon.name, case, "cpu_pct", 100.0 * cpu / secs)
        self.add(mon.name, case, "rss_mib", mem.get("VmHWM", 0) / 1024.0)
        self.add(mon.name, case, "anon_mib", mem.get("RssAnon", 0) / 1024.0)

    def latency_run(self, count=None):
        p = self.p
        return self.wl(["latency", "--count", str(count or p["lat_count"]), "--interval-us",
                        str(p["lat_interval_us"]), "--size", str(p["lat_size"]),
                        "--taint", IDENT_FILE])

    def latency(self, mon):
        r = self.latency_run()
        sent = r["sent_realtime_ns"]
        deadline = time.monotonic() + 10
        while True:
            if isinstance(mon, Idsentry):
                mon.read()
                got = [ts_ns(x["ts"]) for x in mon.records
                       if x.get("type") == "alert" and x.get("confidence") == "confirmed" and
                       x.get("process", {}).get("pid") == r["pid"]]
            else:
                got = [t for t, _ in mon.sends_of(r["pid"])]
            if len(got) >= len(sent) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if not got:
            raise BenchError("%s reported none of %d sends carrying the identifier"
                             % (mon.name, len(sent)))
        self.add(mon.name, "latency", "missing", max(0, len(sent) - len(got)))
        lat = [(g - s) / 1e6 for s, g in zip(sent, got)]
        self.add(mon.name, "latency", "p50_ms", percentile(lat, 50))
        self.add(mon.name, "latency", "p99_ms", percentile(lat, 99))
        self.add(mon.name, "latency", "max_ms", max(lat))

    def block(self, mon):
        try:
            mon.start()
            self.overhead_cases(mon)
            self.flood(mon, 0)
            self.flood(mon, 0, vary=True)
            self.flood(mon, self.p["target_rate"])
            if not isinstance(mon, NoMonitor):
                self.latency(mon)
        finally:
            mon.stop()

    # -- experiment: attach styles of the fast path --
    def fastpath_block(self, mon):
        try:
            mon.start()
            for call in ("getppid", "write", "read", "open", "udp"):
                r = self.wl(["sys", "--iters", str(self.p["sys_iters"]), "--file", call])
                self.add("fp:" + mon.name, "sys_" + call, "cpu_ns", r["cpu_ns_per_op"])
            r = self.wl(["mixed", "--iters", str(self.p["exp_mixed"]), "--file", BENIGN_FILE])
            self.add("fp:" + mon.name, "mixed", "cpu_ns", r["cpu_ns_per_op"])
        finally:
            mon.stop()

    # -- experiment: ring buffer output vs reserve/submit vs batched wake-ups --
    def emit_block(self, mode):
        p = self.p
        name = "emit:" + mode
        mon = Emit(self.emit, mode)
        try:
            mon.start()
            cpu0 = proc_cpu_s(mon.pid)
            r = self.wl(["flood", "--ms", str(p["emit_ms"]), "--size", str(p["flood_size"]),
                         "--rate", "0", "--taint", IDENT_FILE])
            cpu = proc_cpu_s(mon.pid) - cpu0
        finally:
            mon.stop()
        rep = mon.report
        self.add(name, "flood", "sends_per_s", r["per_s"])
        self.add(name, "flood", "lost", max(0, r["ops"] - rep["events"]))
        self.add(name, "flood", "reader_cpu_pct", 100.0 * cpu / (r["wall_ns"] / 1e9))
        self.add(name, "flood", "p99_ms", rep["lat_p99_ms"])
        try:
            mon.start()
            self.latency_run(p["emit_lat_count"])
        finally:
            mon.stop()
        self.add(name, "paced", "p50_ms", mon.report["lat_p50_ms"])
        self.add(name, "paced", "p99_ms", mon.report["lat_p99_ms"])

    # -- experiment: what any monitor that copies a tainted send pays on the TCP loop --
    def send_floor_block(self, mode):
        """The tainted TCP loop under tests/bench/emit at the socket layer: 'check' looks the
        sender's taint up and writes nothing; 'batched' also copies each send into a ring
        record (idsentry's record size), read by a minimal reader."""
        mon = None
        if mode != "none":
            mon = Emit(self.emit, mode, ["--hook", "sock", "--sample-bytes",
                                         str(self.p["tcp_size"])])
        try:
            if mon:
                mon.start()
            self.tcp_tainted("send:" + mode)
        finally:
            if mon:
                mon.stop()

    # -- the agent's heap allocations per event --
    def alloc_check(self):
        """Allocations the agent makes while handling a kind of event, less those it makes
        anyway in the same time (periodic work: stats records, library rescans)."""
        p = self.p
        mon = Idsentry(self.a.agent, self.a.out, "alloc")
        steps = (("idle", None),
                 ("send", ["flood", "--ms", "1000", "--size", str(p["flood_size"]), "--rate",
                           str(p["alloc_sends"]), "--taint", IDENT_FILE]),
                 ("ident_read", ["ident", "--iters", str(p["alloc_idents"]), "--file",
                                 IDENT_FILE]),
                 ("alert", []))
        idle_rate = 0.0
        try:
            mon.start()
            for what, args in steps:
                before = mon.wait_stats_after(time.time_ns(), timeout=3)
                counter = AllocCounter(mon.pid)
                try:
                    counter.start()
                    t0 = time.monotonic()
                    if args is None:
                        time.sleep(2)
                    elif args:
                        self.wl(args)
                    else:
                        self.latency_run()
                    after = mon.wait_stats_after(time.time_ns(), timeout=3)
                    secs = time.monotonic() - t0
                finally:
                    allocs = counter.stop()
                if what == "idle":
                    idle_rate = allocs / secs
                    continue
                if what == "alert":
                    n = after["alerts"]["confirmed"] - before["alerts"]["confirmed"]
                elif what == "ident_read":
                    # per read made: the kernel tells the agent of a repeated read once a second
                    n = p["alloc_idents"]
                else:
                    n = after["events"][what] - before["events"][what]
                net = max(0.0, allocs - idle_rate * secs)
                self.add("idsentry", "allocs", what, net / n if n else None)
        finally:
            mon.stop()

    def run(self):
        a = self.a
        self.peer = not a.no_peer and shutil.which("bpftrace") is not None
        self.exp = not a.no_experiment and os.path.exists(self.fastpath) and \
            os.path.exists(self.emit)
        # warm-up: page cache, sockets, binaries
        self.wl(["mixed", "--iters", "2000", "--file", BENIGN_FILE])
        log("  mixed loop, monitor after no monitor, %d times" % self.p["mixed_pairs"])
        self.mixed_pairs()
        for rep in range(a.reps):
            mons = [NoMonitor(), Idsentry(a.agent, a.out, rep)]
            mons += [Idsentry(path, a.out, rep, name) for name, path in a.candidates]
            if self.peer:
                mons.append(Bpftrace(self.workload))
            k = rep % len(mons)
            for mon in mons[k:] + mons[:k]:
                log("  rep %d/%d: %s" % (rep + 1, a.reps, mon.name))
                self.block(mon)
        if self.peer and not a.smoke:
            log("  agent heap allocations per event")
            try:
                self.alloc_check()
            except BenchError as e:
                log("bench: allocation count skipped: %s" % e)
        if not self.exp:
            return
        modes = ["one-tracepoint", "tracepoint", "tracepoint-btf", "tracepoint-bits", "raw_tp",
                 "tp_btf", "cgroup"]
        emit_modes = ["output", "reserve", "batched", "output-batched"]
        floor_modes = ["none", "check", "batched"]
        for rep in range(a.reps):
            log("  experiments rep %d/%d" % (rep + 1, a.reps))
            mons = [NoMonitor()] + [Fastpath(self.fastpath, m) for m in modes]
            k = rep % len(mons)
            for mon in mons[k:] + mons[:k]:
                self.fastpath_block(mon)
            k = rep % len(emit_modes)
            for m in emit_modes[k:] + emit_modes[:k]:
                self.emit_block(m)
            k = rep % len(floor_modes)
            for m in floor_modes[k:] + floor_modes[:k]:
                self.send_floor_block(m)


# ---- report --------------------------------------------------------------------------------------

def med(results, mon, case, metric):
    v = results.get((mon, case, metric))
    return statistics.median(v) if v else None


def paired_ratio(results, mon, case, metric="cpu_ns", base="none"):
    """Median over repetitions of monitor / no monitor, each repetition against its own baseline."""
    a = results.get((mon, case, metric)) or []
    b = results.get((base, case, metric)) or []
    r = [x / y for x, y in zip(a, b) if y]
    return statistics.median(r) if r else None


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 1024 / 1024
    distro = "?"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    virt = ""
    if shutil.which("systemd-detect-virt"):
        v = subprocess.run(["systemd-detect-virt"], stdout=subprocess.PIPE, text=True).stdout
        virt = v.strip() if v.strip() and v.strip() != "none" else ""
    elif "hypervisor" in open("/proc/cpuinfo").read():
        virt = "virtual machine"
    return "%s, %d CPUs%s, %.1f GiB, %s, kernel %s" % (
        cpu, os.cpu_count(), " (%s)" % virt if virt else "", mem, distro, platform.release())


def other_monitors(own):
    """Monitors other than ours that are running (they add to every figure, baseline included)."""
    seen = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in own:
            continue
        try:
            with open("/proc/%s/comm" % pid) as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm in ("idsentry", "bpftrace", "fastpath"):
            seen.append("%s[%s]" % (comm, pid))
    return seen


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def pct(r):
    return "—" if r is None else "%.3f (%+.1f %%)" % (r, (r - 1) * 100)


def report(b, info):
    R = b.results
    p = b.p
    peer = b.peer
    mons = ["idsentry"] + [m for m in (BUSY, BUSY_NOFAN) if (m, "mixed", "cpu_ns") in b.results] + \
        [name for name, _ in b.a.candidates] + (["bpftrace"] if peer else [])
    out = []
    out.append("Machine: " + info["machine"])
    out.append("Load average at start / end: %s / %s; other monitors running: %s"
               % (info["load_start"], info["load_end"], ", ".join(info["others"]) or "none"))
    out.append("Command: `%s`: %d repetitions, medians. Ratios are monitor / no monitor, the "
               "median of per-repetition ratios, on CPU time (user+sys of the workload: "
               "robust to other load on the machine); wall time is shown beside it."
               % (info["command"], b.a.reps))
    out.append("")
    head = "| case | metric | no monitor |"
    sep = "|---|---|---:|"
    for m in mons:
        head += " %s | %s / none |" % (m, m)
        sep += "---:|---:|"
    out += [head, sep]

    def mrow(label, case, metric, spec, unit, ratio=False):
        none = med(R, "none", case, metric)
        cells = [fmt(none, spec)]
        for mon in mons:
            v = med(R, mon, case, metric)
            cells += [fmt(v, spec),
                      pct(paired_ratio(R, mon, case, metric)) if ratio else ""]
        return "| %s | %s | %s |" % (label, unit, " | ".join(cells))

    loops = [("mixed", "mixed loop, untainted: %s × (open/read/close + sendto + write), %d runs "
              "each right after one without a monitor" % (format(p["mixed"], ","),
                                                         p["mixed_pairs"]), "µs/iter"),
             ("tcp", "TCP send loop on loopback, untainted: %s × %d B"
              % (format(p["tcp"], ","), p["tcp_size"]), "µs/send"),
             ("tcp_tainted", "TCP send loop on loopback, tainted: %s × %d B"
              % (format(p["tcp"], ","), p["tcp_size"]), "µs/send"),
             ("ident", "open/read/close of the watched identifier file: %s ×"
              % format(p["ident"], ","), "µs/iter")]
    for case, label, unit in loops:
        for metric, mname in (("cpu_ns", "CPU " + unit), ("wall_ns", "wall " + unit)):
            row = "| %s | %s | %s |" % (label if metric == "cpu_ns" else "", mname,
                                       fmt(div(med(R, "none", case, metric), 1000), ".2f"))
            for m in mons:
                row += " %s | %s |" % (fmt(div(med(R, m, case, metric), 1000), ".2f"),
                                       pct(paired_ratio(R, m, case, metric)))
            out.append(row)
        if case == "mixed":
            # noise-free: the BPF programs the untainted loop set off (kernel.bpf_stats_enabled)
            out.append(mrow("", "mixed", "bpf_runs", ".3f", "BPF program runs per iter"))
            # the monitor alone, nothing happening (each state's own: idle, a holder alive)
            out.append(mrow("monitor while nothing is sent, %d s" % p["quiet_s"], "quiet",
                            "wakeups_per_s", ".1f", "monitor wake-ups/s"))
            out.append(mrow("", "quiet", "cpu_pct", ".2f", "monitor CPU, % of a core"))
        if case == "tcp_tainted":
            out.append(mrow("", "tcp_tainted", "segs_per_send", ".3f", "TCP segments per send"))


    secs = p["flood_ms"] / 1000
    out.append(mrow("capacity: one tainted sender flat out, UDP %d B to loopback, %.1f s"
                    % (p["flood_size"], p["flood_max_ms"] / 1000), "flood_max", "sends_per_s",
                    ",.0f", "sends/s", True))
    out.append(mrow("", "flood_max", "handled_per_s", ",.0f", "events handled/s"))
    out.append(mrow("", "flood_max", "lost", ",.0f", "events lost"))
    out.append(mrow("", "flood_max", "cpu_pct", ".0f", "monitor CPU, % of a core"))
    out.append(mrow("... the same, each payload differing from the last (a counter in its first "
                    "16 bytes)", "flood_max_vary", "sends_per_s", ",.0f", "sends/s", True))
    out.append(mrow("", "flood_max_vary", "handled_per_s", ",.0f", "events handled/s"))
    out.append(mrow("", "flood_max_vary", "lost", ",.0f", "events lost"))
    out.append(mrow("", "flood_max_vary", "cpu_pct", ".0f", "monitor CPU, % of a core"))
    out.append(mrow("target load: two tainted senders, %s sends/s together, %.1f s"
                    % (format(p["target_rate"], ","), secs), "flood_target", "sends_per_s",
                    ",.0f", "sends/s"))
    out.append(mrow("", "flood_target", "handled_per_s", ",.0f", "events handled/s"))
    out.append(mrow("", "flood_target", "lost", ",.0f", "events lost"))
    out.append(mrow("", "flood_target", "cpu_pct", ".0f", "monitor CPU, % of a core"))
    out.append(mrow("", "flood_target", "rss_mib", ".1f", "monitor peak RSS, MiB"))
    out.append(mrow("", "flood_target", "anon_mib", ".1f", "monitor anonymous RSS, MiB"))
    out.append(mrow("alert latency: send → alert line, %s sends %g ms apart"
                    % (format(p["lat_count"], ","), p["lat_interval_us"] / 1000), "latency",
                    "p50_ms", ".2f", "p50 ms"))
    out.append(mrow("", "latency", "p99_ms", ".2f", "p99 ms"))
    out.append(mrow("", "latency", "missing", ".0f", "sends without an alert line"))
    if ("idsentry", "allocs", "send") in R:
        out.append("")
        out.append("Agent heap allocations (libc malloc/calloc/realloc, counted by a bpftrace "
                   "uprobe, less the idle rate): %s per send event, %s per read of an "
                   "identifier file (one process reading it again and again), %s per alert."
                   % tuple(fmt(med(R, "idsentry", "allocs", k), ".2f")
                           for k in ("send", "ident_read", "alert")))
    out.append("")

    # targets
    mixed = paired_ratio(R, "idsentry", "mixed")
    peer_mixed = paired_ratio(R, "bpftrace", "mixed") if peer else None
    t = []
    if mixed is not None:
        ov = mixed - 1
        t.append(("mixed untainted loop overhead ≤ %d %%" % (TARGETS["mixed_overhead"] * 100),
                  "%+.1f %%" % (ov * 100), ov <= TARGETS["mixed_overhead"]))
        if peer_mixed is not None:
            pov = peer_mixed - 1
            name = "≤ ¼ of the bpftrace peer's overhead (peer: %+.1f %%)" % (pov * 100)
            if pov < 0.01:
                t.append((name, "undetermined: the peer's overhead is within the noise", False))
            else:
                frac = max(ov, 0) / pov
                t.append((name, "%.2f of it" % frac, frac <= TARGETS["peer_fraction"]))
    for m, what in ((BUSY, "busy: a holder alive"),
                    (BUSY_NOFAN, "busy, no fanotify permission events")):
        r = paired_ratio(R, m, "mixed")
        if r is None:
            continue
        ov = r - 1
        t.append(("mixed untainted loop, %s: overhead ≤ %d %%" % (what, TARGETS["mixed_overhead"] * 100),
                  "%+.1f %%" % (ov * 100), ov <= TARGETS["mixed_overhead"]))
        if peer_mixed is not None and peer_mixed - 1 >= 0.01:
            frac = max(ov, 0) / (peer_mixed - 1)
            t.append(("... ≤ ¼ of the bpftrace peer's overhead", "%.2f of it" % frac,
                      frac <= TARGETS["peer_fraction"]))
        runs = med(R, m, "mixed", "bpf_runs")
        if runs is not None:
            # the machine's own background runs (a few per thousand iterations) count too
            t.append(("... BPF program runs per untainted iteration ≤ 1", "%.3f" % runs,
                      runs <= 1.005))
    handled = med(R, "idsentry", "flood_target", "handled_per_s")
    if handled is not None:
        worst = max(R.get(("idsentry", "flood_target", "lost"), [0]))
        t.append(("zero kernel-side loss at %s events/s" % format(TARGETS["rate"], ","),
                  "%s events/s handled; most lost in a repetition: %d"
                  % (fmt(handled, ",.0f"), worst),
                  worst == 0 and handled >= 0.98 * TARGETS["rate"]))
    p99 = med(R, "idsentry", "latency", "p99_ms")
    if p99 is not None:
        t.append(("alert p99 ≤ %d ms" % TARGETS["p99_ms"], "%.2f ms" % p99,
                  p99 <= TARGETS["p99_ms"]))
    rss = med(R, "idsentry", "flood_target", "rss_mib")
    if rss is not None:
        t.append(("agent RSS ≤ %d MiB" % TARGETS["rss_mib"], "%.1f MiB" % rss,
                  rss <= TARGETS["rss_mib"]))
    reps = []
    for m in mons:
        a_ = R.get((m, "mixed", "cpu_ns")) or []
        b_ = R.get(("none", "mixed", "cpu_ns")) or []
        if a_ and b_:
            reps.append("%s %s" % (m, " ".join("%.3f" % (x / y) for x, y in zip(a_, b_))))
    if reps:
        out.append("Mixed loop, monitor / no monitor in each pair of runs (the spread is the noise): "
                   + "; ".join(reps) + ".")
        out.append("")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")
    for name, val, ok in t:
        out.append("| %s | %s | %s |" % (name, val, "yes" if ok else "**no**"))

    if b.exp:
        out.append("")
        out.append("Experiment 1: idsentry's untainted fast path (its maps and lookups, "
                   "tests/bench/fastpath.bpf.c) under five attach styles, its cgroup hooks "
                   "alone, and one empty tracepoint program (syscall tracing merely on): CPU ns "
                   "added per syscall (median of per-repetition differences) and the mixed loop "
                   "ratio (%s iterations)." % format(p["exp_mixed"], ","))
        out.append("")
        out.append("| attach style | getppid (unhooked) | write | read | open+close | "
                   "UDP sendto | mixed loop |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for m in ("one-tracepoint", "tracepoint", "tracepoint-btf", "tracepoint-bits", "raw_tp",
                  "tp_btf", "cgroup"):
            cells = []
            for c in ("sys_getppid", "sys_write", "sys_read", "sys_open", "sys_udp"):
                a_ = R.get(("fp:" + m, c, "cpu_ns")) or []
                b_ = R.get(("fp:none", c, "cpu_ns")) or []
                d = [x - y for x, y in zip(a_, b_)]
                cells.append("%+.0f" % statistics.median(d) if d else "—")
            cells.append(pct(paired_ratio(R, "fp:" + m, "mixed", base="fp:none")))
            out.append("| %s | %s |" % (m, " | ".join(cells)))
        base = [med(R, "fp:none", c, "cpu_ns") for c in
                ("sys_getppid", "sys_write", "sys_read", "sys_open", "sys_udp", "mixed")]
        out.append("| no monitor (absolute, ns) | %s |" % " | ".join(fmt(x, ".0f") for x in base))
        out.append("")
        out.append("Experiment 2: a tainted sender's events (send_event, %d B samples; "
                   "tests/bench/emit.bpf.c) into the ring buffer four ways, read by a "
                   "minimal reader that polls every 10 ms; ages are from bpf_ktime to the "
                   "reader's callback, paced at 1 kHz (%d sends) and flat out."
                   % (p["flood_size"], p["emit_lat_count"]))
        out.append("")
        out.append("| ring buffer write | sender flat out, sends/s | events lost | "
                   "reader CPU % | p99 age at read, flat out, ms | p50 / p99 age, 1 kHz, ms |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for m, label in (("output", "bpf_ringbuf_output, wake-up per event (idsentry before)"),
                         ("reserve", "reserve/submit, wake-up per event"),
                         ("batched", "reserve/submit, wake-up past 1 MiB backlog"),
                         ("output-batched",
                          "bpf_ringbuf_output, wake-up past 1 MiB backlog (idsentry now)")):
            n = "emit:" + m
            out.append("| %s | %s | %s | %s | %s | %s / %s |" % (
                label, fmt(med(R, n, "flood", "sends_per_s"), ",.0f"),
                fmt(med(R, n, "flood", "lost"), ".0f"),
                fmt(med(R, n, "flood", "reader_cpu_pct"), ".0f"),
                fmt(med(R, n, "flood", "p99_ms"), ".2f"),
                fmt(med(R, n, "paced", "p50_ms"), ".2f"),
                fmt(med(R, n, "paced", "p99_ms"), ".2f")))
        if ("send:none", "tcp_tainted", "cpu_ns") in R:
            out.append("")
            out.append("Experiment 3: the tainted TCP loop (%s × %d B) under a minimal monitor "
                       "at the same hook as idsentry's (tp_btf/sock_send_length; "
                       "tests/bench/emit.bpf.c): the taint lookup alone, and the lookup plus a "
                       "copy of each send into a ring record, read by a minimal reader. What "
                       "any monitor that sees every tainted send's bytes pays here; idsentry's "
                       "row is from the table above."
                       % (format(p["tcp"], ","), p["tcp_size"]))
            out.append("")
            out.append("| monitor | CPU µs/send | / none | TCP segments per send |")
            out.append("|---|---:|---:|---:|")
            for m, label in (("send:none", "none"),
                             ("send:check", "taint lookup, no record"),
                             ("send:batched", "taint lookup + %d B ring record a send"
                              % p["tcp_size"])):
                out.append("| %s | %s | %s | %s |" % (
                    label, fmt(div(med(R, m, "tcp_tainted", "cpu_ns"), 1000), ".2f"),
                    pct(paired_ratio(R, m, "tcp_tainted", base="send:none")),
                    fmt(med(R, m, "tcp_tainted", "segs_per_send"), ".3f")))
            out.append("| idsentry (above) | %s | %s | %s |" % (
                fmt(div(med(R, "idsentry", "tcp_tainted", "cpu_ns"), 1000), ".2f"),
                pct(paired_ratio(R, "idsentry", "tcp_tainted")),
                fmt(med(R, "idsentry", "tcp_tainted", "segs_per_send"), ".3f")))
    return "\n".join(out)


def div(v, d):
    return None if v is None else v / d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agent", required=True)
    ap.add_argument("--bin", required=True, help="directory of the workload and fastpath binaries")
    ap.add_argument("--out", default=None)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--smoke", action="store_true", help="one short repetition: checks it all runs")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--no-experiment", action="store_true")
    ap.add_argument("--cpu", type=int, default=None,
                    help="CPU the workloads are pinned to (default: the last one)")
    ap.add_argument("--command", default=None, help="the command line to print in the report")
    ap.add_argument("--candidate", action="append", default=[], metavar="NAME=PATH",
                    help="another agent build to measure beside --agent (a proposed change)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("bench: needs root (it loads BPF programs)", file=sys.stderr)
        return 1
    a.reps = a.reps or (1 if a.smoke else 5)
    a.out = a.out or a.bin
    if a.cpu is None:
        a.cpu = os.cpu_count() - 1
    a.agent = os.path.abspath(a.agent)
    a.candidates = []
    for c in a.candidate:
        name, sep_, path = c.partition("=")
        if not sep_ or not name or not os.path.exists(path):
            ap.error("--candidate wants NAME=PATH of an agent binary, got %r" % c)
        a.candidates.append((name, os.path.abspath(path)))
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(BENCH_DIR, exist_ok=True)
    with open(IDENT_FILE, "w") as f:
        f.write(secrets.token_hex(16) + "\n")
    with open(BENIGN_FILE, "w") as f:
        f.write("nothing identifying in here\n" * 4)
    info = {"machine": machine(), "load_start": "%.2f" % os.getloadavg()[0],
            "others": other_monitors(set()),
            "command": a.command or " ".join(sys.argv)}
    if not shutil.which("bpftrace") and not a.no_peer:
        log("bench: bpftrace is not installed: no peer column (apt-get install bpftrace)")
    started = time.monotonic()
    b = Bench(a)
    try:
        b.run()
    except (BenchError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        reap_all()
        for p in (IDENT_FILE, BENIGN_FILE):
            if os.path.exists(p):
                os.unlink(p)
        if os.path.isdir(BENCH_DIR) and not os.listdir(BENCH_DIR):
            os.rmdir(BENCH_DIR)
    info["load_end"] = "%.2f" % os.getloadavg()[0]
    info["others"] = sorted(set(info["others"]) | set(other_monitors(set())))
    text = report(b, info)
    text += "\n\n(%s in %.0f s)\n" % ("smoke run" if a.smoke else "bench", time.monotonic() - started)
    print(text)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"info": info, "params": b.p, "reps": a.reps,
                   "results": [{"monitor": k[0], "case": k[1], "metric": k[2], "values": v}
                               for k, v in sorted(b.results.items())]}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
