#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Drives the arm64 VM for make: fetches Debian's arm64 kernel and busybox, builds an initramfs,
# boots it under qemu-system-aarch64 and reads the result off the serial console.
#
#   tests/arm64/run.sh scenario VMDIR AGENT LEAK   boots the static agent with android.yaml
#                                                  and passes when the VM reports a confirmed alert
#   tests/arm64/run.sh btf VMDIR                   writes the kernel's BTF to VMDIR/vmlinux.btf
# VM_TIMEOUT (seconds, default 480) bounds the boot.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=${1:?usage: run.sh scenario VMDIR AGENT LEAK | run.sh btf VMDIR}
vm=${2:?usage: run.sh scenario VMDIR AGENT LEAK | run.sh btf VMDIR}
limit=${VM_TIMEOUT:-480}
mkdir -p "$vm"
cache="$vm/cache"
log="$vm/console-$mode.log"

# Prints the lines between "==== NAME-BEGIN..." and "==== NAME-END" of the console log.
section() {
	sed -n "/^==== $1-BEGIN/,/^==== $1-END/p" "$log" | sed '1d;$d'
}

boot() {
	start=$(date +%s)
	status=0
	"$here/qemu.sh" "$cache/vmlinuz" "$1" "$mode" "$log" "$limit" || status=$?
	elapsed=$(($(date +%s) - start))
	if [ "$status" = 124 ]; then
		echo "test-arm64: the VM did not finish within ${limit}s; console (last 40 lines):" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
	if [ "$status" != 0 ]; then
		echo "test-arm64: qemu-system-aarch64 failed ($status); console (last 40 lines):" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
}

"$here/fetch.sh" "$cache"

case $mode in
btf)
	"$here/mkinitramfs.sh" "$vm/btf.cpio.gz" "$cache/busybox"
	boot "$vm/btf.cpio.gz"
	if ! grep -q '^==== BTF-BEGIN' "$log"; then
		echo "btf: kernel $(cat "$cache/kernel-version") has no /sys/kernel/btf/vmlinux" >&2
		exit 1
	fi
	want=$(sed -n 's/^==== BTF-BEGIN \([0-9]*\) ====$/\1/p' "$log")
	section BTF | base64 -d | gunzip >"$vm/vmlinux.btf.tmp"
	got=$(wc -c <"$vm/vmlinux.btf.tmp")
	if [ "$got" != "$want" ]; then
		echo "btf: got $got bytes of BTF off the console, expected $want" >&2
		exit 1
	fi
	mv "$vm/vmlinux.btf.tmp" "$vm/vmlinux.btf"
	cp "$cache/kernel-version" "$vm/vmlinux.btf.kernel"
	echo "btf: $got bytes from $(cat "$cache/kernel-version") (arm64) in ${elapsed}s" >&2
	;;
scenario)
	agent=${3:?usage: run.sh scenario VMDIR AGENT LEAK}
	leak=${4:?usage: run.sh scenario VMDIR AGENT LEAK}
	"$here/mkinitramfs.sh" "$vm/scenario.cpio.gz" "$cache/busybox" \
		"$here/rootfs=/" "$agent=/usr/bin/idsentry" "$leak=/usr/bin/leak" \
		"$top/policies/android.yaml=/etc/idsentry/android.yaml"
	echo "test-arm64: booting $(cat "$cache/kernel-version") under qemu-system-aarch64" \
		"(software emulation, limit ${limit}s)"
	boot "$vm/scenario.cpio.gz"
	grep '^==== VM-UP' "$log" | sed 's/^==== /test-arm64: /; s/ ====$//'
	grep -q '^==== CHECK-OK' "$log" &&
		echo "test-arm64: 'idsentry check /etc/idsentry/android.yaml' passed in the VM"
	ready=$(grep -m 1 '^==== READY-BEGIN' "$log" | sed -n 's/.*(after \(.*\)) ====$/\1/p')
	if [ -n "$ready" ]; then
		echo "test-arm64: agent ready $ready after start; its ready record:"
		section READY
	fi
	grep '^leak: ' "$log" | sed 's/^/test-arm64: /'
	# Informational: how the agent fails on a kernel without BTF (it should name BTF).
	if grep -q '^==== NOBTF-BEGIN' "$log"; then
		echo "test-arm64: with /sys/kernel/btf hidden, the agent gave:"
		section NOBTF | sed 's/^/    /'
		section NOBTF | grep -q 'BTF' ||
			echo "test-arm64: note: that message does not say the kernel lacks BTF"
	fi
	alert=$(section ALERT | grep '"type":"alert"' | head -n 1)
	case $alert in
	*'"confidence":"confirmed"'*)
		echo "test-arm64: alert from the arm64 VM:"
		echo "$alert"
		# The app's uid is 10123, com.example.leaky in the VM's /data/system/packages.list.
		case $alert in
		*'"package":"com.example.leaky"'*)
			echo "test-arm64: process.package names the app (from packages.list)" ;;
		*'"package":'*)
			echo "test-arm64: process.package is not com.example.leaky" >&2
			echo "test-arm64: 0 passed, 1 failed"
			exit 1 ;;
		*) echo "test-arm64: note: the alert has no process.package yet" ;;
		esac
		relay=$(section RELAY | grep '"type":"alert"' | head -n 1)
		case $relay in
		*'"confidence":"confirmed"'*)
			echo "test-arm64: the local relay's send alerted (loopback channel, syscall hooks):"
			echo "$relay" ;;
		*)
			echo "test-arm64: no confirmed alert for the local relay's send" >&2
			grep -E '^leak: |NO-RELAY' "$log" >&2
			echo "test-arm64: 1 passed, 1 failed"
			exit 1 ;;
		esac
		echo "test-arm64: passed in ${elapsed}s (VM boot to power-off, console in $log)"
		echo "test-arm64: 2 passed, 0 failed"
		;;
	*)
		echo "test-arm64: no confirmed alert came back from the VM; console (verifier" \
			"listings left out):" >&2
		sed -n '/^==== VM-UP/,$p' "$log" | grep -Ev '^[0-9]+: |^; |^\[ *[0-9.]+\] ' |
			head -n 60 >&2
		echo "test-arm64: 0 passed, 1 failed"
		exit 1
		;;
	esac
	;;
*)
	echo "run.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
