#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Fetches what the arm64 VM boots, with apt, into a cache directory: Debian's current cloud-arm64
# kernel (vmlinuz and its config; the scenario uses loopback: no modules) and busybox-static:arm64.
# FLAVOUR arm64 takes the generic kernel instead, and its binder_linux.ko (tests/android).
# Idempotent: a cached kernel is reused when the archive cannot be reached.
# KERNEL_SUITE (e.g. bookworm-backports) takes the kernel from that suite of deb.debian.org,
# through package lists kept in DIR/apt (the system's apt sources are not touched).
#
#   tests/arm64/fetch.sh DIR [FLAVOUR]  → DIR/vmlinuz, DIR/config, DIR/busybox, DIR/kernel-version
#                                         (and DIR/binder_linux.ko for FLAVOUR arm64)
set -eu

dir=${1:?usage: fetch.sh DIR [cloud-arm64|arm64]}
flavour=${2:-cloud-arm64}
case $flavour in
cloud-arm64 | arm64) ;;
*) echo "fetch.sh: unknown kernel flavour '$flavour' (cloud-arm64 or arm64)" >&2; exit 2 ;;
esac
meta=linux-image-$flavour
mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)

dpkg --print-foreign-architectures | grep -qx arm64 || {
	echo "fetch.sh: the arm64 architecture is not enabled: run scripts/install-cross-deps.sh" >&2
	exit 1
}

# A download directory apt's sandbox user may write to (else apt warns and downloads as root).
sandbox_dir() {
	t=$(mktemp -d)
	id _apt >/dev/null 2>&1 && chown _apt "$t"
	echo "$t"
}

# A suite other than the system's: its own sources and lists, for the kernel only.
apt_opts=
if [ -n "${KERNEL_SUITE:-}" ]; then
	mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial"
	echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		"http://deb.debian.org/debian $KERNEL_SUITE main" >"$dir/apt/sources.list"
	apt_opts="-o Dir::Etc::SourceList=$dir/apt/sources.list -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists=$dir/apt/lists -o Dir::Cache=$dir/apt/cache
		-o APT::Default-Release=$KERNEL_SUITE"
	# shellcheck disable=SC2086
	apt-get $apt_opts update -qq 2>/dev/null || echo "fetch.sh: $KERNEL_SUITE unreachable" >&2
fi

# The meta-package names the current ABI's image; a security update moves it, which is fine.
image_name() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts show --no-all-versions "$meta:arm64" 2>/dev/null |
		sed -n 's/^Depends: \([^ ,]*\).*/\1/p' | head -n 1
}
image=$(image_name)
# Package lists from before arm64 was enabled, or cleaned ones: refresh them once.
if [ -z "$image" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq || true
	image=$(image_name)
fi
if [ -z "$image" ]; then
	if [ -s "$dir/kernel-version" ] && [ -s "$dir/vmlinuz" ] &&
		{ [ "$flavour" != arm64 ] || [ -s "$dir/binder_linux.ko" ]; }; then
		echo "fetch.sh: apt knows no $meta:arm64;" \
			"reusing $(cat "$dir/kernel-version")" >&2
		exit 0
	fi
	echo "fetch.sh: apt knows no $meta:arm64 (run apt-get update)" >&2
	exit 1
fi
version=${image#linux-image-}

if [ "$(cat "$dir/kernel-version" 2>/dev/null)" != "$version" ] || [ ! -s "$dir/vmlinuz" ] ||
	{ [ "$flavour" = arm64 ] && [ ! -s "$dir/binder_linux.ko" ]; }; then
	rm -f "$dir"/debs/linux-image-*.deb
	tmp=$(sandbox_dir)
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get $apt_opts download -qq "$image:arm64") && mv "$tmp"/*.deb "$dir/debs/"
	rm -rf "$tmp"
	deb=$(find "$dir/debs" -name "linux-image-*.deb" | head -n 1)
	[ -n "$deb" ] || { echo "fetch.sh: could not download $image:arm64" >&2; exit 1; }
	rm -rf "$dir/x"
	dpkg-deb -x "$deb" "$dir/x"
	cp "$dir/x/boot/vmlinuz-$version" "$dir/vmlinuz"
	cp "$dir/x/boot/config-$version" "$dir/config"
	rm -f "$dir/binder_linux.ko"
	if [ "$flavour" = arm64 ]; then
		# Debian 6.1 ships it uncompressed; later releases compress modules with xz.
		ko=$(find "$dir/x/lib/modules" -name 'binder_linux.ko*' | head -n 1)
		case $ko in
		*.ko) cp "$ko" "$dir/binder_linux.ko" ;;
		*.ko.xz) xz -dc "$ko" >"$dir/binder_linux.ko" ;;
		*) echo "fetch.sh: $image has no binder_linux.ko" >&2; rm -rf "$dir/x"; exit 1 ;;
		esac
	fi
	rm -rf "$dir/x"
	echo "$version" >"$dir/kernel-version"
fi

if [ ! -x "$dir/busybox" ]; then
	tmp=$(sandbox_dir)
	(cd "$tmp" && apt-get download -qq busybox-static:arm64)
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
	cp "$tmp/x/bin/busybox" "$dir/busybox"
	rm -rf "$tmp"
fi
echo "fetch.sh: kernel $(cat "$dir/kernel-version")" >&2
