#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Drives the Android VM for make: fetches Debian's generic arm64 kernel (it has binder_linux.ko),
# builds the initramfs with the agent and the Android-like userspace, boots it under
# qemu-system-aarch64 and checks what came back on the serial console.
#
#   tests/android/run.sh VMDIR AGENT BINDIR    BINDIR holds servicemanager, phone, fakemodem and
#                                              app_process64 (static arm64)
# VM_TIMEOUT (seconds, default 480) bounds the boot. Debugging:
#   ANDROID_VM_NOAGENT=1      boot without the agent: the Binder userspace alone (its checks only)
#   ANDROID_VM_PASSES=alert   the passes to run (default alert,block,kill)
#   ANDROID_VM_DEBUG=1        binder debugfs, agent stderr and every log on the console
#   ANDROID_VM_KEEP=1         keep the initramfs tree in VMDIR/rootfs to look at
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
arm64=$top/tests/arm64
usage="usage: run.sh VMDIR AGENT BINDIR"
vm=${1:?$usage}
agent=${2:?$usage}
bin=${3:?$usage}
limit=${VM_TIMEOUT:-480}
noagent=${ANDROID_VM_NOAGENT:-0}
passes=${ANDROID_VM_PASSES:-alert,block,kill}
mkdir -p "$vm"
cache="$vm/cache"
log="$vm/console.log"
# What tests/android/init gives the fake modem and the sts app.
IMEI=354620071234563
SMS_TO=+33700000001
STS=com.tinno.sts
BENIGN="com.example.weather com.example.imeicheck"

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "test-android: ok: $1"
}
fail() {
	failed=$((failed + 1))
	echo "test-android: FAILED: $1"
}
# Prints the lines between "==== NAME-BEGIN [PASS]..." and "==== NAME-END [PASS]" of the log.
section() {
	sed -n "/^==== $1-BEGIN${2:+ $2}\\b/,/^==== $1-END${2:+ $2}\\b/p" "$log" | sed '1d;$d'
}
# The alert records of one pass.
alerts() {
	section ALERTS "$1" | grep '"type":"alert"' || true
}

"$arm64/fetch.sh" "$cache" arm64
if [ ! -s "$cache/binder_linux.ko" ]; then
	echo "test-android: no binder_linux.ko in $cache" >&2
	exit 1
fi

specs="$here/rootfs=/ $cache/binder_linux.ko=/lib/modules/binder_linux.ko"
for p in servicemanager phone fakemodem app_process64; do
	[ -x "$bin/$p" ] || { echo "test-android: $bin/$p is missing" >&2; exit 1; }
	specs="$specs $bin/$p=/system/bin/$p"
done
specs="$specs $top/policies/android.yaml=/etc/idsentry/android.yaml"
# without the agent (ANDROID_VM_NOAGENT=1) it need not have been built
if [ "$noagent" != 1 ] || [ -e "$agent" ]; then
	specs="$specs $agent=/usr/bin/idsentry"
fi
# tests/android/init replaces tests/arm64/init as /init
specs="$specs $here/init=/init"
# shellcheck disable=SC2086
"$arm64/mkinitramfs.sh" "$vm/android.cpio.gz" "$cache/busybox" $specs
if [ "${ANDROID_VM_KEEP:-0}" = 1 ]; then
	rm -rf "$vm/rootfs"
	mkdir -p "$vm/rootfs"
	(cd "$vm/rootfs" && gzip -dc ../android.cpio.gz | cpio --quiet -id 2>/dev/null) || true
	echo "test-android: initramfs tree kept in $vm/rootfs"
fi

append="idsentry.passes=$passes"
[ "$noagent" = 1 ] && append="$append idsentry.noagent=1"
[ "${ANDROID_VM_DEBUG:-0}" = 1 ] && append="$append idsentry.debug=1"
echo "test-android: booting $(cat "$cache/kernel-version") under qemu-system-aarch64" \
	"(software emulation, limit ${limit}s, $append)"
start=$(date +%s)
status=0
"$arm64/qemu.sh" "$cache/vmlinuz" "$vm/android.cpio.gz" scenario "$log" "$limit" "$append" ||
	status=$?
elapsed=$(($(date +%s) - start))
if [ "$status" != 0 ]; then
	[ "$status" = 124 ] && echo "test-android: the VM did not finish within ${limit}s" >&2 ||
		echo "test-android: qemu-system-aarch64 failed ($status)" >&2
	echo "test-android: console (last 60 lines):" >&2
	grep -Ev '^[0-9]+: |^; ' "$log" | tail -n 60 >&2
	exit 1
fi
echo "test-android: the VM ran ${elapsed}s (boot to power-off); console in $log"

# ---- what the VM said ----------------------------------------------------------------------
markers='VM-UP|BINDER-OK|NO-DEV-BINDER|USERSPACE-FAILED|SERVICES-UP|CHECK-OK|NOTE|AGENT-FAILED'
grep -E "^==== ($markers|SCENARIO-TIME)" "$log" | sed 's/^==== /test-android: /; s/ ====$//'
grep -m 1 '^fakemodem: ready' "$log" | sed 's/^/test-android: /' || true
for pass in alert block kill; do
	case ",$passes," in *,$pass,*) ;; *) continue ;; esac
	ready=$(grep -m 1 "^==== READY-BEGIN $pass" "$log" | sed -n 's/.*(after \(.*\)) ====$/\1/p')
	if [ -n "$ready" ]; then
		echo "test-android: [$pass] agent ready after $ready"
		[ "$pass" = alert ] && section READY alert | sed "s/^/    /"
	fi
	# why the agent did not start: its stderr and records, up to the next marker
	sed -n "/^==== AGENT-FAILED $pass/,/^==== [A-Z]*-BEGIN/p" "$log" | sed '1d;$d;s/^/    /'
	if [ "${ANDROID_VM_DEBUG:-0}" = 1 ]; then
		echo "test-android: [$pass] agent stderr:"
		section AGENT-STDERR "$pass" | sed "s/^/    /"
	fi
	grep "^==== APPS-BEGIN $pass" "$log" |
		sed "s/^==== APPS-BEGIN $pass/test-android: [$pass] apps/; s/ ====$//"
	section APPS "$pass" | sed "s/^/    /"
	if [ "$noagent" != 1 ]; then
		echo "test-android: [$pass] records from the agent:"
		section ALERTS "$pass" | sed "s/^/    /"
	fi
	for f in servicemanager phone; do
		echo "test-android: [$pass] $f:"
		section LOG "$f-$pass" | sed "s/^/    /"
	done
done
echo "test-android: SMS the fake modem received:"
section SMS | sed "s/^/    /"
if grep -q '^==== BINDER-DEBUG-BEGIN' "$log"; then
	echo "test-android: binder debugfs:"
	section BINDER-DEBUG | sed "s/^/    /"
fi

# ---- the Binder userspace --------------------------------------------------------------------
# From here a failing grep is a verdict, not the end of the script.
set +e
# A check: "ok: WHAT" when the last command succeeded ($? given as $1), else "FAILED: WHY".
verdict() {
	if [ "$1" = 0 ]; then ok "$2"; else fail "$3"; fi
}
has() {
	grep -q "$@"
}

has '^==== BINDER-OK' "$log"
verdict $? "binder_linux.ko loaded, /dev/binder present" "no /dev/binder in the VM"
has '^==== SERVICES-UP alert' "$log" &&
	[ "$(section LOG phone-alert | grep -c '^phone: registered ')" = 3 ]
verdict $? "servicemanager up; phone registered iphonesubinfo, phone and isms" \
	"servicemanager or phone did not come up"
apps=$(section APPS alert)
echo "$apps" | has '^sts: IMEI by Binder'
verdict $? "sts got the IMEI over Binder (IPhoneSubInfo)" "sts did not get the IMEI over Binder"
echo "$apps" | has '^sts: cell by Binder'
verdict $? "sts got the cell id over Binder (ITelephony.getCellLocation)" \
	"sts did not get the cell id over Binder"
echo "$apps" | has '^sts: serial by __system_property_get'
verdict $? "sts read ro.serialno through __system_property_get" "sts did not read ro.serialno"
echo "$apps" | has '^sts: HTTP report sent'
verdict $? "sts sent its encrypted report by HTTP (alert pass)" \
	"sts's HTTP report did not go out in the alert pass"
section SMS | grep "to=$SMS_TO " | has "text=\"TN:IMEI1,$IMEI,"
verdict $? "the sts report reached the fake modem as an SMS-SUBMIT PDU to $SMS_TO" \
	"no SMS to $SMS_TO with the report in the fake modem's log"
for p in $BENIGN; do
	echo "$apps" | has "^zygote: $p (.*): exited 0"
	verdict $? "benign app $p ran (exit 0)" "benign app $p did not exit 0"
done
echo "$apps" | has "^weather: sent .* server answered 'HTTP/1.[01] 200"
verdict $? "weather's GET got an HTTP answer" "weather's GET got no HTTP answer"

# ---- the agent (the issue's acceptance) ------------------------------------------------------
if [ "$noagent" = 1 ]; then
	echo "test-android: ANDROID_VM_NOAGENT=1: the agent's checks are skipped"
else
	has '^==== READY-BEGIN alert' "$log"
	verdict $? "agent ready (alert pass)" "agent not ready in the alert pass"
	a=$(alerts alert)
	# the HTTP send: imei learnt from a Binder reply, serial from the property getter
	echo "$a" | grep "\"package\":\"$STS\"" | grep -v '"channel":"sms"' |
		grep -E '"name":"imei"[^}]*"source":"binder"' | has '"name":"serial"'
	verdict $? "alert for sts's HTTP send names imei (source binder) and serial" \
		"no alert for $STS's HTTP send with imei from binder and serial"
	echo "$a" | grep '"channel":"sms"' | grep '"confidence":"confirmed"' |
		grep "\"package\":\"$STS\"" | has -F "\"addr\":\"$SMS_TO\""
	verdict $? "confirmed sms alert for $STS to $SMS_TO" \
		"no confirmed sms alert for $STS to $SMS_TO"
	# an app that names itself like the excepted phone process is still itself
	echo "$a" | grep '"package":"com.example.flashlight"' | grep '"comm":"m.android.phone"' |
		grep '"confidence":"confirmed"' | has '"name":"imei"'
	verdict $? "the app posing as m.android.phone is reported (confirmed imei)" \
		"no confirmed imei alert for com.example.flashlight posing as m.android.phone"
	for p in $BENIGN; do
		echo "$a" | has "\"package\":\"$p\""
		verdict $((!$?)) "no alert for benign app $p" "alert for benign app $p"
	done
	case ",$passes," in *,block,*)
		section APPS block | has '^sts: connect to 127.0.0.1:8080 refused: .*EPERM'
		verdict $? "block pass: sts's connect refused (EPERM)" \
			"block pass: sts's connect was not refused"
		alerts block | grep "\"package\":\"$STS\"" | has '"action":"blocked"'
		verdict $? "block pass: alert with action blocked" \
			"block pass: no alert with action blocked for $STS"
		# the ISms call is stopped too: the modem got only the alert pass's SMS
		sent=$(section SMS | grep -c '^sms ')
		want=0
		case ",$passes," in *,alert,*) want=1 ;; esac
		section APPS block | has '^sts: SMS report refused' && [ "$sent" = "$want" ]
		verdict $? "block pass: sts's SMS stopped at the ISms call (the modem got $sent SMS)" \
			"block pass: sts's SMS was not stopped (the modem got $sent SMS, $want expected)"
		;;
	esac
	case ",$passes," in *,kill,*)
		section APPS kill | has "^zygote: $STS (.*): killed by signal 9"
		verdict $? "kill pass: sts killed (SIGKILL)" "kill pass: sts was not killed"
		alerts kill | grep "\"package\":\"$STS\"" | has '"action":"killed"'
		verdict $? "kill pass: alert with action killed" \
			"kill pass: no alert with action killed for $STS"
		;;
	esac
fi

# ---- cost: BPF program runs per Binder transaction (counts, not qemu's meaningless wall time) --
if [ "$noagent" != 1 ]; then
	prev=0
	for pass in alert block kill; do
		case ",$passes," in *,$pass,*) ;; *) continue ;; esac
		stats=$(section STATS "$pass")
		tx=$(sed -n "s/^==== BINDER-TX $pass \([0-9]*\) ====$/\1/p" "$log")
		runs_in=$(echo "$stats" | sed -n 's/.*"handle_binder_ioctl":\([0-9]*\).*/\1/p')
		runs_out=$(echo "$stats" | sed -n 's/.*"handle_binder_ioctl_return":\([0-9]*\).*/\1/p')
		if [ -n "$tx" ] && [ -n "$runs_in" ] && [ "$tx" -gt "$prev" ]; then
			echo "test-android: [$pass] Binder: $((tx - prev)) transactions;" \
				"handle_binder_ioctl ran $runs_in times, handle_binder_ioctl_return" \
				"${runs_out:-0} times: $(awk -v r=$((runs_in + ${runs_out:-0})) \
				-v t=$((tx - prev)) 'BEGIN { printf "%.2f", r / t }') runs per transaction"
		fi
		[ -n "$tx" ] && prev=$tx
	done
	stats=$(section STATS alert)
	echo "$stats" | grep -o '"binder":{[^}]*}' | sed 's/^/test-android: [alert] agent /'
	# getter replies: sts's IMEI and cell id, imeicheck's IMEI with the tokens of Android 11+,
	# 10 and 9: each read by the kernel and its value by the agent
	replies=$(echo "$stats" | sed -n 's/.*"binder":{[^}]*"replies":\([0-9]*\).*/\1/p')
	values=$(echo "$stats" | sed -n 's/.*"binder":{[^}]*"values":\([0-9]*\).*/\1/p')
	[ "${replies:-0}" -ge 5 ] && [ "$values" = "$replies" ]
	verdict $? "the agent read $values getter replies, Android 9, 10 and 11+ tokens among them" \
		"getter replies read: ${replies:-none}, values learnt: ${values:-none} (5 of each expected)"
	# the phone's AT+CMGS of the app's message is the same SMS: not a second leak
	echo "$stats" | has '"modem_sms_seen_at_binder":[1-9]'
	verdict $? "the phone's AT+CMGS of sts's SMS was paired with sts's ISms call" \
		"the agent did not pair the modem's AT+CMGS with sts's ISms call"
	alerts alert | grep '"layer":"modem"' | has -F "\"addr\":\"$SMS_TO\""
	verdict $((!$?)) "no second (modem-level) alert for sts's SMS" \
		"the modem-level copy of sts's SMS was reported too"
fi

echo "test-android: VM time ${elapsed}s; $passed passed, $failed failed"
[ "$failed" = 0 ]
