#!/bin/bash
# The live status page: aftr-control's page and files with curl (served
# without the token, their types and security headers, 405 and 404), then
# the page in headless Chromium (ui_check.py): first with aftr-control
# alone, then beside an aftr-dataplane whose net_pcap port replays its
# pcap without end (infinite_rx), so rates move and a drop reason counts.
# Usage: ui_live.sh AFTR_DATAPLANE AFTR_CONTROL
# Exit 0 pass, 1 fail, 77 skip (curl, chromium, chromedriver or selenium
# missing: deploy/install-deps.sh installs them).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
here=$(dirname "$(readlink -f "$0")")
for t in curl /usr/bin/chromium /usr/bin/chromedriver; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { echo "SKIP: python3-selenium is missing"; exit 77; }
tmp=$(mktemp -d)
name="uitest$$"
port=$((20000 + ($$ + 7) % 20000))
pids=()
# shellcheck source=procs.sh
. "$here/procs.sh"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0

# Three flows of a B4 inside acl6 (translated) and one of a B4 outside it
# (dropped: acl6), replayed without end.
/usr/bin/python3 - "$tmp/in.pcap" <<'PY'
import sys
from scapy.all import Ether, IPv6, IP, UDP, wrpcap
e = Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
wrpcap(sys.argv[1], [e / IPv6(src=b4, dst="2001:db8::1") / IP(src="192.168.1.2", dst="203.0.113.7")
                     / UDP(sport=1000 + i, dport=53)
                     for i, b4 in enumerate(["2001:db8:1::2"] * 3 + ["2001:db8:2::5"])])
PY
token="t0k3n-$$"
echo "$token" >"$tmp/token"
{
	echo "endpoint: 2001:db8::1"
	echo "icmp_source: 192.0.0.1"
	echo "acl6: [2001:db8:1::/48]"
	echo "pools: [{address: 198.51.100.1}]"
	echo "interfaces:"
	echo "  transport: {device: \"net_pcap0,rx_pcap=$tmp/in.pcap,tx_pcap=/dev/null,infinite_rx=1\"," \
		"address: \"2001:db8:ffff::1/64\", gateway: \"2001:db8:ffff::fe\"," \
		"gateway_mac: \"02:00:00:00:00:fe\"}"
	echo "  wan: {device: \"net_null1,no-rx=1\", address: 192.0.2.1/24, gateway: 192.0.2.254," \
		"gateway_mac: \"02:00:00:00:01:fe\"}"
	echo "api: {listen: 127.0.0.1, port: $port, token_file: $tmp/token}"
} >"$tmp/aftr.yaml"
url="http://127.0.0.1:$port"

result() {
	if [ "$2" = 0 ]; then
		echo "ok   $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		fail=$((fail + 1))
	fi
}

# head_is DESCRIPTION STATUS HEADER_REGEX CURL_ARGS...: the status, and a
# header line matching the regex (case-insensitive).
head_is() {
	local what=$1 want=$2 re=$3
	shift 3
	curl -s -D "$tmp/head" -o "$tmp/body" "$@"
	head -n1 "$tmp/head" | grep -q " $want " && grep -qiE "$re" "$tmp/head"
	result "$what" $?
}

# The browser's checks; MODE nodp or live.
browse() {
	/usr/bin/python3 "$here/ui_check.py" "$url/" "$token" 2001:db8:1::2 "$1" 2001:db8:2::5 \
		>"$tmp/ui.out" 2>&1
	local rc=$?
	sed 's/^/     /' "$tmp/ui.out"
	pass=$((pass + $(grep -c '^ok ' "$tmp/ui.out")))
	fail=$((fail + $(grep -c '^FAIL ' "$tmp/ui.out")))
	result "the page in Chromium ($1): ui_check.py exits 0" "$rc"
}

start_control
for _ in $(seq 50); do curl -s "$url/api/v1/health" >/dev/null && break; sleep 0.1; done

head_is "the page without the token: 200 HTML" 200 '^content-type: text/html; charset=utf-8' "$url/"
head_is "the page: a Content-Security-Policy with no inline script" 200 \
	"^content-security-policy: default-src 'self'; script-src 'self';" "$url/"
head_is "the page: nosniff" 200 '^x-content-type-options: nosniff' "$url/"
head_is "the page: Cache-Control" 200 '^cache-control: no-cache' "$url/"
grep -q '<script src="/ui/app.js"' "$tmp/body" && ! grep -qiE '<script>|<script [^s]|on(click|load)=' "$tmp/body"
result "the page: its script a file, none inline" $?
[ "$(curl -s -I -o "$tmp/head" -w '%{http_code} %{size_download}' "$url/")" = "200 0" ] &&
	grep -qiE '^content-length: [1-9]' "$tmp/head"
result "HEAD of the page: 200, its length and no body" $?
head_is "the script: JavaScript" 200 '^content-type: text/javascript' "$url/ui/app.js"
head_is "the style sheet: CSS" 200 '^content-type: text/css' "$url/ui/style.css"
head_is "the icon: SVG" 200 '^content-type: image/svg\+xml' "$url/ui/icon.svg"
head_is "POST on the page: 405, GET and HEAD allowed" 405 '^allow: GET, HEAD' -X POST "$url/"
head_is "an unknown file of the page: 404" 404 '^content-type: application/json' "$url/ui/x"
head_is "the API still needs the token" 401 '^www-authenticate: Bearer' "$url/api/v1/version"

browse nodp

start_dataplane
for _ in $(seq 100); do
	curl -s "$url/api/v1/health" | grep -q '"running": true' && break
	sleep 0.1
done
# Rates need a second of counters at least; the drops counted first.
for _ in $(seq 50); do
	curl -s -H "Authorization: Bearer $token" "$url/api/v1/rates" | grep -q '"drop_acl6"' && break
	sleep 0.2
done
browse live

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
