# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""run: the kernel integration test runner: one shared test host, every test_*.py, a closing line.

Usage: python3 tests/integration/run.py [NAME-SUBSTRING...]   (as root)
"""
import fcntl
import importlib
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import idslib  # noqa: E402


def main():
    if os.geteuid() != 0:
        print("integration tests need root (they load BPF programs and create network namespaces)")
        return 1
    if not os.path.exists(idslib.AGENT):
        print("build/idsentry is missing: run 'make' first")
        return 1
    # One kernel test run at a time on a machine: two runs would share the test host's namespace
    # names and each other's fanotify gates. A second run waits here for the first to end.
    lock = open("/run/lock/idsentry-integration.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("another integration run holds /run/lock/idsentry-integration.lock: waiting for it")
        sys.stdout.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)
    wanted = sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    modules = sorted(f[:-3] for f in os.listdir(here) if f.startswith("test_") and f.endswith(".py"))
    passed = failed = skipped = 0
    if idslib.BUSY:
        print("busy run: every agent keeps its syscall hooks attached (--hooks always)")
    with idslib.TestHost() as host:
        for name in modules:
            mod = importlib.import_module(name)
            for fname in sorted(n for n in dir(mod) if n.startswith("test_")):
                full = "%s.%s" % (name, fname)
                if wanted and not any(w in full for w in wanted):
                    continue
                start = time.monotonic()
                try:
                    getattr(mod, fname)(host)
                except idslib.Skip as e:
                    skipped += 1
                    print("skip %s: %s" % (full, e))
                    sys.stdout.flush()
                    continue
                except Exception as e:  # a failing test must not stop the others
                    failed += 1
                    print("FAIL %s (%.1fs)" % (full, time.monotonic() - start))
                    if isinstance(e, idslib.Failure):
                        print("  " + str(e).replace("\n", "\n  "))
                    else:
                        traceback.print_exc()
                else:
                    passed += 1
                    print("ok   %s (%.1fs)" % (full, time.monotonic() - start))
                sys.stdout.flush()
    print("integration: %d passed, %d failed%s" % (passed, failed,
                                                   ", %d skipped" % skipped if skipped else ""))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
