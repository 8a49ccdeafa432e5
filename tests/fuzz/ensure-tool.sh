#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ensure-tool: makes sure libFuzzer links (clang's runtime) or valgrind runs, installing the Debian
# package when it is missing and we are root; otherwise says what to install and fails.
# Usage: ensure-tool.sh fuzzer CLANG | ensure-tool.sh valgrind
set -u

tool=$1
clang=${2:-clang}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
	case $tool in
	fuzzer)
		printf '%s\n' '#include <stddef.h>' \
			'int LLVMFuzzerTestOneInput(const char *d, size_t n) { return 0; }' \
			>"$tmp/probe.c"
		"$clang" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" \
			>"$tmp/log" 2>&1
		;;
	valgrind)
		command -v valgrind >/dev/null 2>&1
		;;
	*)
		echo "ensure-tool: unknown tool '$tool' (expected fuzzer or valgrind)" >&2
		exit 2
		;;
	esac
}

check && exit 0

case $tool in
fuzzer)
	if ! command -v "$clang" >/dev/null 2>&1; then
		pkg=clang
	else
		major=$("$clang" -dumpversion | cut -d. -f1)
		pkg=libclang-rt-$major-dev
	fi
	what="'$clang -fsanitize=fuzzer' cannot link (libFuzzer is in clang's runtime)"
	;;
valgrind)
	pkg=valgrind
	what="valgrind is not installed"
	;;
esac

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "error: $what; install the package '$pkg' (as root: apt-get install $pkg)" >&2
	[ "$tool" = fuzzer ] && [ -s "$tmp/log" ] && sed 's/^/  /' "$tmp/log" | head -n 5 >&2
	exit 1
fi
echo "  APT       $pkg ($what)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "$pkg" >"$tmp/apt.log" 2>&1 ||
	{ apt-get update -q >>"$tmp/apt.log" 2>&1 &&
	  apt-get install -y -q --no-install-recommends "$pkg" >>"$tmp/apt.log" 2>&1; } || {
	echo "error: apt-get install $pkg failed:" >&2
	tail -n 20 "$tmp/apt.log" >&2
	exit 1
}
check && exit 0
echo "error: $what, even after installing $pkg" >&2
exit 1
