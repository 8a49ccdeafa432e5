#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs the Debian/Ubuntu packages idsentry needs to build and test, when any is missing.
# libjansson-dev is for the tests only: fuzz_json_oracle checks json.c and jsonread.c against it.
set -eu

need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in clang llvm libbpf-dev libelf-dev zlib1g-dev libyaml-dev libssl-dev pkg-config make gcc \
	iproute2 curl python3 openssl liburing-dev gnutls-bin busybox isc-dhcp-client libjansson-dev; do
	have_pkg "$pkg" || need="$need $pkg"
done
command -v bpftool >/dev/null 2>&1 || need="$need bpftool"

[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "idsentry: missing packages:$need" >&2
	echo "idsentry: run 'sudo make run' or 'sudo apt-get install$need'" >&2
	exit 1
fi
echo "idsentry: installing:$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Ubuntu ships bpftool in linux-tools; Debian in its own package.
if echo "$need" | grep -q bpftool && ! apt-cache show bpftool >/dev/null 2>&1; then
	need=$(echo "$need" | sed 's/bpftool/linux-tools-common linux-tools-generic/')
fi
apt-get install -y -qq $need
