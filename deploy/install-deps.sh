#!/bin/sh
# Installs the Debian 12 packages the project needs that are missing.
# Idempotent and quick when everything is there; needs root otherwise.
# Usage: deploy/install-deps.sh [--update]   (--update: apt-get update first)
set -eu

# Build: compiler, meson, and the libraries lib/ and control/ link.
PACKAGES="gcc meson ninja-build pkg-config libyaml-dev libjansson-dev check"
# The control process: the REST API; aftrctl talks to it with libcurl.
PACKAGES="$PACKAGES libmicrohttpd-dev libcurl4-openssl-dev"
# The dataplane: DPDK (with its PMDs, net_pcap and net_af_packet among them).
PACKAGES="$PACKAGES libdpdk-dev libnuma-dev"
# Golden tests: scapy makes and reads the pcaps. Live tests and the demo:
# namespaces, ping, ethtool (checksum offload off on veths), curl, iperf3;
# tcpdump catches what a B4 gets back, nftables lets a lw4o6 B4 NAT into
# its port set as the seed's B4 does, openssl makes the API's test
# certificate.
PACKAGES="$PACKAGES python3-scapy iproute2 iputils-ping ethtool curl iperf3 tcpdump nftables"
PACKAGES="$PACKAGES openssl"
# The NAT event records' real receivers (tests/live/events_live.sh):
# rsyslog (RFC 5424 over UDP and TCP), nfdump's nfcapd and tshark (IPFIX).
PACKAGES="$PACKAGES rsyslog tshark nfdump"
# bench/check counts the worker's instructions per packet with callgrind.
PACKAGES="$PACKAGES valgrind"
# The lint gates (tests/lint.sh): clang-format and clang-tidy 14, the
# versions .clang-format and .clang-tidy are written for, and shellcheck.
PACKAGES="$PACKAGES clang-format-14 clang-tidy-14 shellcheck"
# The fuzz targets (tests/fuzz/): clang and its libFuzzer runtime.
PACKAGES="$PACKAGES clang libclang-rt-14-dev"
# promtool checks /metrics and the sample alerting rules (tests/live/api.sh,
# tests/prometheus/); it comes in Debian's prometheus package, whose server
# the tests do not need (stopped below when this script installed it).
PACKAGES="$PACKAGES prometheus"
# What checks the installed files (tests/config/install.sh): bash-completion
# runs aftrctl's completion, logrotate reads its file (groff and
# systemd-analyze are in every Debian install).
PACKAGES="$PACKAGES bash-completion logrotate"
# The Debian package (deploy/debian/build.sh, tests/config/deb.sh).
PACKAGES="$PACKAGES debhelper dpkg-dev fakeroot"
# The live status page in a headless browser (tests/live/ui_live.sh):
# Chromium, its WebDriver and selenium for the system python3.
PACKAGES="$PACKAGES chromium chromium-driver python3-selenium"
# Provisioning the B4s (tests/live/provision_live.sh): Kea's DHCPv6 server and
# unbound, run by the test in its namespaces (their own services stopped below).
PACKAGES="$PACKAGES kea-dhcp6-server unbound"
# The BGP speaker beside the AFTR (control/README.md, "BGP"; tests/live/bgp_live.sh).
PACKAGES="$PACKAGES bird2"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ] && [ "${1:-}" != --update ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing; run as root (sudo) to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${1:-}" = --update ] || [ -n "$missing" ]; then
	apt-get update -q
fi
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
	# Servers the tests run themselves: not left running on the host.
	for s in prometheus kea-dhcp6-server unbound bird2; do
		case " $missing " in
		*" $s "*)
			[ "$s" = bird2 ] && s=bird # its service's name
			if command -v systemctl >/dev/null && systemctl is-active -q "$s" 2>/dev/null; then
				systemctl disable -q --now "$s" || true
			fi
			;;
		esac
	done
fi
