#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs the Debian/Ubuntu packages idsentry needs to build and test, when any is missing.
# --test: also what only the tests need (headless Chromium renders the report's HTML page; jansson is
# fuzz_json_oracle's oracle), which
# `sudo make run` does not download.
set -eu

need=""
only_tests=""
# the integration tests' own clients: a browser for the report page, relays (socat, dnsmasq), Go
# (a crypto/tls client built at test time), NSS's tstclnt (libnss3-tools)
[ "${1:-}" = "--test" ] && only_tests="chromium socat dnsmasq-base libjansson-dev ethtool dmidecode golang-go libnss3-tools"
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in clang llvm libbpf-dev libelf-dev zlib1g-dev libyaml-dev libssl-dev pkg-config make gcc \
	iproute2 curl python3 openssl liburing-dev gnutls-bin busybox isc-dhcp-client $only_tests; do
	have_pkg "$pkg" || need="$need $pkg"
done
command -v bpftool >/dev/null 2>&1 || need="$need bpftool"
# rsyslog: only the fleet test runs it (its own daemons, in a temporary directory)
if [ -n "$only_tests" ] && ! have_pkg rsyslog; then
	test_need="rsyslog"
fi

[ -z "$need" ] && [ -z "${test_need:-}" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "idsentry: missing packages:$need ${test_need:-}" >&2
	echo "idsentry: run 'sudo make run' or 'sudo apt-get install$need ${test_need:-}'" >&2
	exit 1
fi
echo "idsentry: installing:$need ${test_need:-}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Ubuntu ships bpftool in linux-tools; Debian in its own package.
if echo "$need" | grep -q bpftool && ! apt-cache show bpftool >/dev/null 2>&1; then
	need=$(echo "$need" | sed 's/bpftool/linux-tools-common linux-tools-generic/')
fi
[ -n "$need" ] && apt-get install -y -qq $need
[ -z "${test_need:-}" ] && exit 0
# Installing rsyslog must not start (or replace) the machine's syslog daemon: the test starts its
# own. policy-rc.d answering 101 tells invoke-rc.d and deb-systemd-invoke to start nothing.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	guard=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$guard"
	chmod 755 "$guard"
	trap 'rm -f "$guard"' EXIT
fi
apt-get install -y -qq --no-install-recommends $test_need
