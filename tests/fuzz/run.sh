#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# run: runs one libFuzzer target for a while and prints one line of stats, or on a crash, leak or
# broken invariant the report, where the input was saved and how to replay it; exits non-zero then.
# Usage: run.sh BINARY NAME SECONDS OUTDIR [SEED_DIR | -libFuzzer_option]...
set -u

bin=$1 name=$2 seconds=$3 out=$4
shift 4
opts= seeds=
for a in "$@"; do
	case $a in
	-*) opts="$opts $a" ;;
	*) seeds="$seeds $a" ;;
	esac
done
corpus=$out/corpus/$name
artifacts=$out/artifacts/$name
log=$out/$name.log

mkdir -p "$corpus" "$artifacts"
marker=$out/.$name.start
: >"$marker"

# New inputs go to the first directory (under OUTDIR); the seed directories are only read.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$bin" $opts -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$corpus" $seeds >"$log" 2>&1
rc=$?

stat_of() {
	sed -n "s/^stat::$1: *//p" "$log" | tail -n 1
}

# The last status line: "#N ... cov: C ft: F corp: K/..."
last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
field() {
	printf '%s\n' "$last" | sed -n "s/.* $1: \([^ ]*\).*/\1/p"
}

if [ $rc -eq 0 ]; then
	printf '  %-9s %s: %s runs in %ss, %s exec/s, cov %s, ft %s, corpus %s, rss %s MB\n' \
		FUZZ "$name" "$(stat_of number_of_executed_units)" "$seconds" \
		"$(stat_of average_exec_per_sec)" "$(field cov)" "$(field ft)" "$(field corp)" \
		"$(stat_of peak_rss_mb)"
	exit 0
fi

printf '  %-9s %s: FAILED (exit %d); full log: %s\n' FUZZ "$name" "$rc" "$log" >&2
# From the sanitizer's or invariant's first line, up to libFuzzer's own summary.
awk '/invariant .* broken|^==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer/ { on = 1 }
	on { print "    " $0; if (++n >= 80) exit }' "$log" >&2
found=0
for f in $(find "$artifacts" -type f -newer "$marker" 2>/dev/null); do
	found=1
	printf '    input saved as %s (%s bytes)\n    replay: %s %s\n' "$f" "$(wc -c <"$f")" \
		"$bin" "$f" >&2
	if [ "$(wc -c <"$f")" -le 4096 ]; then
		printf '    base64: %s\n' "$(base64 -w0 "$f")" >&2
	fi
done
[ $found -eq 1 ] || printf '    no input was saved (see the log)\n' >&2
exit 1
