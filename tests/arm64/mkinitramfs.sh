#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Builds the arm64 VM's initramfs (gzip'd newc cpio): a static busybox, tests/arm64/init as /init,
# and any further files given as SRC=DEST (DEST absolute in the VM; SRC a file, or a directory
# whose contents go under DEST).
#
#   tests/arm64/mkinitramfs.sh OUT.cpio.gz BUSYBOX [SRC=DEST]...
set -eu

out=${1:?usage: mkinitramfs.sh OUT.cpio.gz BUSYBOX [SRC=DEST]...}
busybox=${2:?usage: mkinitramfs.sh OUT.cpio.gz BUSYBOX [SRC=DEST]...}
shift 2
here=$(cd "$(dirname "$0")" && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run" \
	"$root/etc" "$root/root"
install -m 0755 "$busybox" "$root/bin/busybox"
install -m 0755 "$here/init" "$root/init"
# The kernel opens /dev/console before devtmpfs is mounted; without the node init starts with no
# stdio (the init script reopens the console then, so an unprivileged build still works).
mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true

for spec in "$@"; do
	src=${spec%%=*}
	dest=${spec#*=}
	case $dest in
	/*) ;;
	*) echo "mkinitramfs.sh: destination '$dest' must be absolute" >&2; exit 1 ;;
	esac
	if [ -d "$src" ]; then
		# a directory's contents go under DEST
		mkdir -p "$root$dest"
		cp -a "$src/." "$root$dest/"
	else
		mkdir -p "$root$(dirname "$dest")"
		cp "$src" "$root$dest"
	fi
done

(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
