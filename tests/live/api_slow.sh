#!/bin/bash
# The API under slow, idle and greedy clients (control/api/server.c): with
# 1,000 connections trickling their headers or sending nothing, /health and
# an authenticated client are still answered at once; the tricklers are shut
# at the header deadline; a client over its connection limit is refused; a
# body over api.max_body_mb is answered 413 before it is sent, one of unknown
# length (chunked) 411. aftr-control alone, on loopback.
# Usage: api_slow.sh AFTR_CONTROL. Exit 0 pass, 1 fail.
set -u
control=$(readlink -f "$1")
tmp=$(mktemp -d)
name="apislow$$"
port=$((20000 + $$ % 20000))
pids=()
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# 1,000 sockets here, as many threads' connections there.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "t0k3n-$$" >"$tmp/token"
cat >"$tmp/aftr.yaml" <<EOF
endpoint: 2001:db8::1
icmp_source: 192.0.0.1
acl6: [2001:db8:1::/48]
pools: [{address: 198.51.100.1}]
interfaces:
  transport: {device: "net_null0", address: "2001:db8:ffff::1/64", gateway: "2001:db8:ffff::fe"}
  wan: {device: "net_null1", address: 192.0.2.1/24, gateway: 192.0.2.254}
api: {listen: 127.0.0.1, port: $port, token_file: $tmp/token, header_timeout: 3,
      max_per_client: 128, max_connections: 2048, max_body_mb: 4}
EOF
"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done

/usr/bin/python3 - "$port" "t0k3n-$$" <<'PY'
import select, socket, sys, time

port, token = int(sys.argv[1]), sys.argv[2]
fails = 0


def check(ok, what):
    global fails
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    fails += 0 if ok else 1


def conn(src="127.0.0.1"):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def request(path, auth=True):
    """One request on a fresh connection: (status, seconds)."""
    t = time.time()
    s = conn()
    h = "Authorization: Bearer %s\r\n" % token if auth else ""
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (path, h)).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return int(data.split(b" ")[1]) if data.startswith(b"HTTP/") else 0, time.time() - t


def closed(s, wait):
    """Whether the server ended the connection within wait seconds."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


# 1,000 clients from eight addresses (125 each, under max_per_client):
# half trickle header lines, half send nothing at all.
slow = []
for i in range(1000):
    s = conn("127.0.0.%d" % (2 + i % 8))
    if i % 2 == 0:
        s.sendall(b"GET /api/v1/config HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)
t0 = time.time()
worst = 0.0
codes = set()
for k in range(20):
    for path, auth in (("/api/v1/health", False), ("/api/v1/config", True)):
        code, took = request(path, auth)
        codes.add((path, code))
        worst = max(worst, took)
    for s in slow[0::2]:
        try:
            s.send(b"X-Slow: 1\r\n")
        except OSError:
            pass
    time.sleep(0.05)
check(codes == {("/api/v1/health", 503), ("/api/v1/config", 200)},
      "answered beside 1,000 slow and idle connections: %s" % sorted(codes))
check(worst < 1.0, "every answer within 1 s of its request (worst %.3f s)" % worst)
# Past the header deadline (3 s from each start), all of them are shut.
time.sleep(max(0.0, t0 + 4.0 - time.time()))
n = sum(closed(s, 1.0) for s in slow)
check(n == len(slow), "shut at the header deadline: %d of %d" % (n, len(slow)))
for s in slow:
    s.close()

# One address over its limit: the connections past 128 are refused.
mine = [conn("127.0.0.10") for _ in range(140)]
refused = sum(closed(s, 0.5) for s in mine[128:])
readable, _, _ = select.select(mine[:128], [], [], 0.3)
check(refused == 12 and not readable, "per-client limit: %d of 12 refused, %d of 128 kept"
      % (refused, 128 - len(readable)))
for s in mine:
    s.close()



def refused_upfront(headers, status, what):
    """A POST with these headers and no body is answered with status at once."""
    s = conn()
    s.sendall(("POST /api/v1/tunnels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\n%s\r\n" % (token, headers)).encode())
    s.settimeout(2)
    try:
        head = s.recv(4096)
    except socket.timeout:
        head = b""
    check(head.startswith(b"HTTP/1.1 %d" % status), "%s: %d before the body (%r)"
          % (what, status, head[:12]))
    s.close()


refused_upfront("Content-Length: %d\r\n" % (20 << 20), 413, "20 MB announced")
refused_upfront("Transfer-Encoding: chunked\r\n", 411, "a chunked body (its length unknown)")
code, took = request("/api/v1/config")
check(code == 200, "still answering after all that")
sys.exit(1 if fails else 0)
PY
rc=$?
[ $rc = 0 ] || tail -20 "$tmp/control.log"
exit $rc
