# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""idslib: what the kernel integration tests share: the netns test host, the real agent, assertions."""
import inspect
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AGENT = os.environ.get("IDSENTRY_BIN") or os.path.join(ROOT, "build", "idsentry")
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable


class Failure(AssertionError):
    pass


class Skip(Exception):
    """A test that does not apply to this run (run.py prints why and counts it apart)."""


# `make test-busy`: every agent keeps its syscall hooks attached (--hooks always), the state of a
# device where some process always holds an identifier; what the tests catch must not change.
BUSY = os.environ.get("IDSENTRY_TEST_HOOKS") == "always"


def needs_gate():
    """For the tests of the on-demand gate itself (hooks away, woken, detached): not in a busy
    run, where the hooks never go."""
    if BUSY:
        raise Skip("tests the on-demand gate: the busy run keeps the hooks attached")


def where(depth=2):
    frame = inspect.stack()[depth]
    return "%s:%d" % (os.path.relpath(frame.filename, ROOT), frame.lineno)


def expect(cond, what):
    """Fails the test with file:line of the caller when cond is false."""
    if not cond:
        raise Failure("%s: expected %s" % (where(), what))


def expect_eq(expected, got, what=""):
    if expected != got:
        raise Failure("%s: expected %s%r, got %r" % (where(), what + " " if what else "", expected, got))


def sh(cmd, check=True, timeout=30, **kw):
    """Runs a command (list or shell string); returns CompletedProcess with text output."""
    r = subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise Failure("%s: command failed (%d): %s\n%s%s" % (where(), r.returncode, cmd, r.stdout, r.stderr))
    return r


class TestHost:
    """A peer in its own network namespace, reached over a veth pair; records what it receives."""

    def __init__(self, index=None):
        tag = os.getpid() % 10000
        # runs at the same time (several developers, CI) must not share a subnet
        if index is None:
            index = 10 + os.getpid() % 240
        self.ns = "idst%d" % tag
        self.veth = "idsv%d" % tag
        self.local = "10.231.%d.1" % index
        self.addr = "10.231.%d.2" % index
        self.local6 = "fd00:231:%d::1" % index
        self.addr6 = "fd00:231:%d::2" % index
        self.log = tempfile.NamedTemporaryFile(prefix="idsentry-host-", suffix=".jsonl", delete=False).name
        self.proc = None

    def __enter__(self):
        self.cleanup()
        sh(["ip", "netns", "add", self.ns])
        sh(["ip", "link", "add", self.veth, "type", "veth", "peer", "name", self.veth + "p"])
        sh(["ip", "link", "set", self.veth + "p", "netns", self.ns])
        sh(["ip", "addr", "add", self.local + "/24", "dev", self.veth])
        sh(["ip", "link", "set", self.veth, "up"])
        sh(["ip", "-n", self.ns, "addr", "add", self.addr + "/24", "dev", self.veth + "p"])
        sh(["ip", "-n", self.ns, "link", "set", self.veth + "p", "up"])
        sh(["ip", "-n", self.ns, "link", "set", "lo", "up"])
        sh(["ip", "addr", "add", self.local6 + "/64", "dev", self.veth, "nodad"])
        sh(["ip", "-n", self.ns, "addr", "add", self.addr6 + "/64", "dev", self.veth + "p", "nodad"])
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, PYTHON, os.path.join(HERE, "testhost.py"),
                                      "--addr", self.addr, "--addr6", self.addr6, "--log", self.log,
                                      "--max-seconds", "3600"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            listening = sh(["ip", "netns", "exec", self.ns, "ss", "-ltn"], check=False).stdout
            if ":8080 " in listening and ":8443 " in listening:
                return self
            time.sleep(0.1)
        raise Failure("test host did not start listening on %s:8080 and :8443" % self.addr)

    def quiet_received(self, quiet=0.5, timeout=5):
        """What the host got, once nothing more has arrived for `quiet` seconds (clients of earlier
        tests may still be in flight)."""
        deadline = time.monotonic() + timeout
        last = self.received()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.received()
            if now == last:
                break
            last = now
        return last

    def received(self):
        """Everything the host got so far, as one latin-1 string."""
        with open(self.log, encoding="utf-8") as f:
            return "".join(json.loads(line)["data"] for line in f if line.strip())

    def cleanup(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None
        sh(["ip", "link", "del", self.veth], check=False)
        sh(["ip", "netns", "del", self.ns], check=False)

    def __exit__(self, *exc):
        self.cleanup()
        try:
            os.unlink(self.log)
        except OSError:
            pass


class Agent:
    """The real idsentry agent, started with policies; records are read from its --output file."""

    def __init__(self, *policies, args=(), policy_text=None):
        self.tmp = tempfile.mkdtemp(prefix="idsentry-test-")
        self.out = os.path.join(self.tmp, "out.jsonl")
        self.err = os.path.join(self.tmp, "err.txt")
        self.policies = list(policies)
        if policy_text is not None:
            self.policies.append(self.write_policy(policy_text))
        self.args = list(args)
        # syscall hooks detach at the first idle second, so that tests go through the
        # fanotify gate that brings them back (test_hooks covers the gate itself); in a busy
        # run they stay attached
        if not any(a.startswith("--hooks") for a in self.args):
            self.args += ["--hooks", "always"] if BUSY else ["--hooks-idle", "0"]
        self.proc = None
        self.records_seen = []

    def write_policy(self, text, name="policy.yaml"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def __enter__(self):
        # tests that want the socket pass --socket, which overrides --no-socket
        cmd = [AGENT, "run", "--no-socket", "--output", self.out] + self.args
        for p in self.policies:
            cmd += ["--policy", p]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(self.err, "w"), cwd=ROOT)
        self.wait_for(lambda r: r["type"] == "ready", timeout=20, what="the ready record")
        return self

    def records(self):
        try:
            with open(self.out, encoding="utf-8") as f:
                # a line the agent is still writing (no newline yet) is read next time
                return [json.loads(line) for line in f if line.strip() and line.endswith("\n")]
        except FileNotFoundError:
            return []

    def alerts(self, **match):
        return [r for r in self.records() if r["type"] == "alert" and all(
            dig(r, k) == v for k, v in match.items())]

    def wait_for(self, pred, timeout=10, what="a record"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in self.records():
                if pred(r):
                    return r
            if self.proc.poll() is not None:
                raise Failure("%s: agent exited (%d) while waiting for %s; stderr:\n%s" % (
                    where(), self.proc.returncode, what, open(self.err).read()))
            time.sleep(0.05)
        raise Failure("%s: no %s within %ss; records:\n%s\nstderr:\n%s" % (
            where(), what, timeout, "\n".join(json.dumps(r) for r in self.records()[-10:]),
            open(self.err).read()))

    def wait_alert(self, timeout=10, **match):
        return self.wait_for(lambda r: r["type"] == "alert" and all(dig(r, k) == v for k, v in match.items()),
                             timeout, "alert matching %r" % match)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10):
        """SIGINT, then the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Failure("agent did not exit within %ss of SIGINT" % timeout)
        return self.proc.returncode

    def __exit__(self, exc_type, *exc):
        if not self.proc:
            return
        rc = self.stop()
        # the contract: SIGINT detaches and exits 0 (under ASan, leaks make it non-zero too)
        if exc_type is None and rc != 0:
            raise Failure("agent exited %d after SIGINT; stderr:\n%s" % (rc, open(self.err).read()[-3000:]))


def dig(record, dotted):
    """record['a']['b'] for 'a__b' (keyword-friendly path)."""
    v = record
    for part in dotted.split("__"):
        if not isinstance(v, dict):
            return None
        v = v.get(part)
    return v


def run_py(code, *args, timeout=20):
    """Runs a python client; returns (pid, CompletedProcess)."""
    p = subprocess.Popen([PYTHON, "-c", code] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=timeout)
    if p.returncode != 0:
        raise Failure("%s: client failed (%d): %s" % (where(), p.returncode, err))
    return p.pid, out


def client_dir():
    return os.path.join(tempfile.gettempdir(), "idsentry-clients-%d" % os.getpid())


def build_client(name, *libs):
    """Compiles tests/integration/clients/NAME.c once per run; returns the executable's path.
    Libraries built by build_library are found in the same directory."""
    run_dir = client_dir()
    exe = os.path.join(run_dir, name)  # its own name, so that comm is the client's name
    if not os.path.exists(exe):
        os.makedirs(run_dir, exist_ok=True)
        src = os.path.join(HERE, "clients", name + ".c")
        sh(["gcc", "-O1", "-Wall", "-Werror", src, "-o", exe, "-L" + run_dir,
            "-Wl,-rpath," + run_dir] + ["-l" + l for l in libs])
    return exe


def build_library(name):
    """Compiles tests/integration/clients/libNAME.c into libNAME.so once per run; returns its path."""
    run_dir = client_dir()
    lib = os.path.join(run_dir, "lib%s.so" % name)
    if not os.path.exists(lib):
        os.makedirs(run_dir, exist_ok=True)
        src = os.path.join(HERE, "clients", "lib%s.c" % name)
        sh(["gcc", "-O1", "-Wall", "-Werror", "-shared", "-fPIC", src, "-o", lib])
    return lib


def build_go_client(name, stripped=False):
    """Builds tests/integration/clients/NAME.go (standard library only: no network) with the
    machine's Go toolchain once per run; returns the executable's path. Its caches live in the
    run's client directory. CGO_ENABLED=0: a static executable, as Go programs usually ship.
    stripped: without .symtab and DWARF (-ldflags=-s -w), as release builds often are; the
    executable is then NAME_s."""
    run_dir = client_dir()
    exe = os.path.join(run_dir, name + ("_s" if stripped else ""))
    if not os.path.exists(exe):
        os.makedirs(run_dir, exist_ok=True)
        env = dict(os.environ, CGO_ENABLED="0", GOFLAGS="", GO111MODULE="off", HOME=run_dir,
                   GOCACHE=os.path.join(run_dir, "gocache"), GOPATH=os.path.join(run_dir, "gopath"))
        flags = ["-ldflags=-s -w"] if stripped else []
        sh(["go", "build"] + flags + ["-o", exe, os.path.join(HERE, "clients", name + ".go")],
           env=env, timeout=300)
    return exe


def machine_id():
    with open("/etc/machine-id") as f:
        return f.read().strip()


# The rules: section of a policy that alerts on any identifier sent off the host.
RULE_OFF_HOST = """rules:
  - name: identifier-exfiltration
    identifiers: any
    destinations:
      except: [127.0.0.0/8, "::1/128", unix]
    window: 10m
    action: alert
"""

POLICY_MACHINE_ID = """version: 1
identifiers:
  - name: machine-id
    files: [/etc/machine-id]
rules:
  - name: identifier-exfiltration
    identifiers: [machine-id]
    destinations:
      except: [127.0.0.0/8, "::1/128", unix]
    window: 10m
    action: alert
"""
