#!/usr/bin/python3
"""The control plane at scale (bench/control_scale.sh runs it): with the
AFTR running N softwires and forwarding, over persistent HTTP connections
to aftr-control's API, each write answered only once the dataplane runs it
("applied": true):

- single changes: softwires added, replaced and deleted one request at a
  time (their latency, p50/p99/max);
- other kinds: DS-Lite tunnels, static mappings, prr and nonat entries
  added, replaced and deleted one at a time (up to 100 of each);
- bulk: 10,000 softwires added in one request, then deleted in one;
- mixed: reads (a page of softwires, /health, /counters) and writes
  (add, delete) at a fixed rate from several connections, each request's
  latency measured from when it was due (a late answer makes the next
  late: no coordinated omission).

Prints one JSON object. Usage: control_bench.py URL N SINGLE MIXED_RATE MIXED_SECONDS
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

url = urllib.parse.urlparse(sys.argv[1])
n, single, rate, secs = (int(a) for a in sys.argv[2:6])
others_n = min(single, 100)


def conn():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def call(c, method, path, body=None):
    data = json.dumps(body) if body is not None else None
    hdr = {"Content-Type": "application/json"} if data else {}
    c.request(method, path, body=data, headers=hdr)
    r = c.getresponse()
    text = r.read()
    j = json.loads(text) if text else {}
    if r.status >= 300 or (method != "GET" and not j.get("applied", False)):
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, text[:300]))
    return j


# The generator's softwires (control_scale.sh): PSID length 6, offset 6,
# 63 a lw4o6 address (PSIDs 0-62); PSID 63 of each address is free, so new
# ones stay inside the span and shape of the running set.
def sw(i, b4_tag=0):
    return {"b4": "2001:db8:%x:%x::%x" % (0x8000 | i >> 16, i & 0xffff, 1 + b4_tag),
            "ipv4": "10.%d.%d.%d" % (100 + (i >> 16 & 63), i >> 8 & 255, i & 255),
            "psid": 63, "psid_len": 6, "offset": 6}


def pct(v, p):
    v = sorted(v)
    return round(v[min(len(v) - 1, int(len(v) * p / 100))] * 1e3, 2) if v else None


def stats(v):
    return {"n": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99),
            "max_ms": round(max(v) * 1e3, 2) if v else None}


def timed(c, method, path, body=None):
    t = time.perf_counter()
    call(c, method, path, body)
    return time.perf_counter() - t


def singles(c):
    add, rep, dele = [], [], []
    addrs = n // 63
    for k in range(single):
        add.append(timed(c, "POST", "/api/v1/softwires", sw(k * addrs // single)))
    for k in range(single):
        s = sw(k * addrs // single, b4_tag=0)
        s["endpoint"] = "2001:db8::1"
        rep.append(timed(c, "PUT", "/api/v1/softwires/%s/63" % s["ipv4"], s))
    for k in range(single):
        s = sw(k * addrs // single)
        dele.append(timed(c, "DELETE", "/api/v1/softwires/%s/63" % s["ipv4"]))
    return {"add": stats(add), "replace": stats(rep), "delete": stats(dele)}


# The other kinds, entry k of each and its replacement.
def tunnel(k, rep):
    return {"b4": "2001:db8:fffe:%x::1" % k, "mtu": 1400 if rep else 1460}


def static_nat(k, rep):
    return {"b4": "2001:db8:fffd:%x::1" % k, "protocol": "tcp",
            "address": "192.168.%d.%d" % (k >> 8, k & 255), "port": 8080 if rep else 80,
            "external_address": "198.51.100.1", "external_port": 100 + k}


def prr(k, rep):
    return {"b4": "2001:db8:fffc:%x::%d" % (k, 2 if rep else 1), "protocol": "udp",
            "address": "198.51.100.1", "port": 300 + k}


def nonat(k, rep):
    return {"b4": "2001:db8:fffb:%x::%d" % (k, 2 if rep else 1),
            "prefix": "198.18.%d.%d/30" % (k >> 6, (k & 63) << 2)}


OTHERS = (("tunnels", tunnel, lambda e: e["b4"]),
          ("static-nat", static_nat, lambda e: "tcp/198.51.100.1/%d" % e["external_port"]),
          ("prr", prr, lambda e: "udp/198.51.100.1/%d" % e["port"]),
          ("nonat", nonat, lambda e: e["prefix"]))


def others(c):
    """Each kind but softwires added, replaced (a new setting, inside port
    or B4) and deleted one entry at a time."""
    out = {}
    for kind, entry, ident in OTHERS:
        add, rep, dele = [], [], []
        for k in range(others_n):
            add.append(timed(c, "POST", "/api/v1/" + kind, entry(k, False)))
        for k in range(others_n):
            e = entry(k, True)
            rep.append(timed(c, "PUT", "/api/v1/%s/%s" % (kind, ident(e)), e))
        for k in range(others_n):
            dele.append(timed(c, "DELETE", "/api/v1/%s/%s" % (kind, ident(entry(k, False)))))
        out[kind] = {"add": stats(add), "replace": stats(rep), "delete": stats(dele)}
    return out


def bulk(c):
    addrs = n // 63
    size = min(10000, addrs)  # one free port set an address
    body = [sw(k * addrs // size) for k in range(size)]
    t_add = timed(c, "POST", "/api/v1/softwires", body)
    t_del = timed(c, "DELETE", "/api/v1/softwires", body)
    return {"size": size, "add_s": round(t_add, 3), "delete_s": round(t_del, 3)}


def mixed():
    addrs = n // 63
    workers, lock, lat_r, lat_w, errors = 4, threading.Lock(), [], [], []
    t0 = time.perf_counter() + 0.2
    total = rate * secs

    def run(w):
        c = conn()
        for i in range(w, total, workers):
            due = t0 + i / rate
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            kind = i % 10
            if (kind == 0 and i < 10) or (kind == 5 and i < 20):
                kind = 1  # nothing added yet
            try:
                if kind == 0:  # write: a softwire in, then out (10% each)
                    call(c, "POST", "/api/v1/softwires", sw((i // 10) % addrs, 1))
                elif kind == 5:  # the one added 10 requests before
                    call(c, "DELETE",
                         "/api/v1/softwires/%s/63" % sw((i // 10 - 1) % addrs)["ipv4"])
                elif kind % 3 == 0:
                    call(c, "GET", "/api/v1/softwires?offset=%d&limit=10" % (i * 7919 % n))
                elif kind % 3 == 1:
                    call(c, "GET", "/api/v1/health")
                else:
                    call(c, "GET", "/api/v1/counters")
            except Exception as e:  # counted, and the run goes on
                with lock:
                    errors.append(str(e)[:200])
                c = conn()
                continue
            d = time.perf_counter() - due
            with lock:
                (lat_w if kind in (0, 5) else lat_r).append(d)

    th = [threading.Thread(target=run, args=(w,)) for w in range(workers)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    return {"rate": rate, "seconds": secs, "reads": stats(lat_r), "writes": stats(lat_w),
            "all": stats(lat_r + lat_w), "errors": len(errors), "first_errors": errors[:3]}


c = conn()
out = {"softwires": n, "single": singles(c), "others": others(c), "bulk": bulk(c),
       "mixed": mixed()}
print(json.dumps(out))
