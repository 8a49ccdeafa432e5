#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs what `make ARCH=arm64` needs on a Debian/Ubuntu host when any of it is missing: the
# aarch64 cross compiler and the :arm64 -dev packages (multiarch) whose static libraries the agent
# links. With --vm, also what `make test-arm64` needs to boot an arm64 kernel: qemu-system-aarch64,
# cpio.
set -eu

arch=arm64
need=""
add_arch=0
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The host tools the BPF side and the skeleton need are the native ones.
for pkg in clang llvm libbpf-dev pkg-config make gcc-aarch64-linux-gnu libc6-dev-arm64-cross; do
	have_pkg "$pkg" || need="$need $pkg"
done
command -v bpftool >/dev/null 2>&1 || need="$need bpftool"
# Static libraries of the target: libbpf, libelf (+ zlib), libyaml, libcrypto.
for pkg in libbpf-dev libelf-dev zlib1g-dev libyaml-dev libssl-dev linux-libc-dev; do
	have_pkg "$pkg:$arch" || need="$need $pkg:$arch"
done
if [ "${1:-}" = "--vm" ]; then
	for pkg in qemu-system-arm cpio gzip; do
		have_pkg "$pkg" || need="$need $pkg"
	done
fi
dpkg --print-foreign-architectures | grep -qx "$arch" || add_arch=1

[ -z "$need" ] && [ "$add_arch" = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "idsentry: missing packages for the arm64 build:$need" >&2
	[ "$add_arch" = 1 ] && echo "idsentry: and the $arch architecture is not enabled" >&2
	echo "idsentry: run 'sudo make ARCH=arm64' or, as root: dpkg --add-architecture $arch &&" \
		"apt-get update && apt-get install$need" >&2
	exit 1
fi
echo "idsentry: installing for the arm64 build:$need"
export DEBIAN_FRONTEND=noninteractive
[ "$add_arch" = 1 ] && dpkg --add-architecture "$arch"
apt-get update -qq
# Ubuntu ships bpftool in linux-tools; Debian in its own package.
if echo "$need" | grep -q bpftool && ! apt-cache show bpftool >/dev/null 2>&1; then
	need=$(echo "$need" | sed 's/bpftool/linux-tools-common linux-tools-generic/')
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
