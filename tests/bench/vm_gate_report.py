# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Reads the gate-count VM's console (tests/bench/vm-init) and prints BPF program runs per
iteration of the untainted mixed loop for each hook state, and whether the inotify gate caught
the fresh reader's leak. Exits 1 when a case is missing, a state was not reached or the leak was
not reported."""
import json
import re
import sys

# what each state must cost at most, in program runs per untainted iteration (issue 14)
TARGETS = {"idle": 0.01, "busy": 1.005, "busy-nofan": 1.005}


def section(text, name, case):
    m = re.search(r"^==== %s-BEGIN %s ====\n(.*?)^==== %s-END %s ====" %
                  (name, re.escape(case), name, re.escape(case)), text, re.S | re.M)
    return m.group(1) if m else None


def records(block):
    out = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def main():
    text = open(sys.argv[1], errors="replace").read()
    iters = int(sys.argv[2])
    bad = 0
    kernel = re.search(r"^==== VM-UP kernel (\S+)", text, re.M)
    print("bench-vm: kernel %s" % (kernel.group(1) if kernel else "?"))
    for line in re.findall(r"^==== (?:AGENT-FAILED|STATE-NOT-REACHED) .*$", text, re.M):
        print("bench-vm: " + line.strip("= "))
        bad = 1
    print("%-11s %12s %8s  %s" % ("state", "runs/iter", "target", "gate, programs that ran"))
    for case in ("idle", "busy", "busy-nofan"):
        block = section(text, "CASE", case)
        stats = [r for r in records(block or "") if r.get("type") == "stats"]
        if len(stats) < 2:
            print("%-11s %12s  (no stats around the loop)" % (case, "-"))
            bad = 1
            continue
        before, after = stats[0].get("program_runs", {}), stats[-1].get("program_runs", {})
        deltas = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
        runs = sum(deltas.values()) / iters
        hooks = stats[-1].get("hooks", {})
        top = sorted(deltas.items(), key=lambda kv: -kv[1])[:4]
        ok = runs <= TARGETS[case]
        bad |= not ok
        print("%-11s %12.3f %8s  %s; %s" % (case, runs, "%.3g" % TARGETS[case] + ("" if ok else "!"),
              hooks.get("gate", hooks.get("mode")),
              ", ".join("%s %.3f" % (k, v / iters) for k, v in top) or "none"))
    leak = [r for r in records(section(text, "LEAK", "busy-nofan") or "")
            if r.get("type") == "alert"]
    if leak:
        print("bench-vm: inotify gate: a fresh reader's send was reported (%s, %s)" %
              (leak[0].get("confidence"), leak[0].get("rule")))
    else:
        print("bench-vm: inotify gate: the fresh reader's send was NOT reported")
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
