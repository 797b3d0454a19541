#!/usr/bin/python3
"""Seed corpora of the fuzz targets, made from what the tree already holds:
the configurations (config/, tests/config/, the golden cases'), ISC
aftr.conf files, the golden cases' input frames (pcaps), and a few API
requests, ring messages and PCP requests of each kind.

  seeds.py TARGET OUTDIR     TARGET: yaml isc api ctl_msg packet pcp
"""
import glob
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def files(*patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(ROOT, p), recursive=True))
    return out


def pcap_frames(path):
    """The frames of a classic pcap file (no scapy needed)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    at, out = 24, []
    while at + 16 <= len(data):
        incl = struct.unpack(end + "I", data[at + 8:at + 12])[0]
        out.append(data[at + 16:at + 16 + incl])
        at += 16 + incl
    return out


def seeds_packet():
    """Each golden case's inputs as one input (port byte, length, frame)."""
    for d in sorted(glob.glob(os.path.join(ROOT, "tests/golden/data/*"))):
        out = b""
        for port, name in ((0, "transport_in.pcap"), (1, "wan_in.pcap")):
            for fr in pcap_frames(os.path.join(d, name))[:64]:
                out += struct.pack(">BH", port, len(fr)) + fr
        if out:
            yield os.path.basename(d), out


def seeds_api():
    reqs = [
        (0, "/api/v1/health", b""), (0, "/api/v1/config?sparse=1", b""),
        (0, "/api/v1/tunnels?offset=0&limit=2", b""), (0, "/api/v1/sessions?b4=2001:db8:1::2", b""),
        (0, "/api/v1/who?address=198.51.100.1&port=80&protocol=tcp", b""),
        (1, "/api/v1/tunnels", b'{"b4": "2001:db8:1::9", "mtu": 1400}'),
        (1, "/api/v1/static-nat", b'[{"b4": "2001:db8:1::9", "protocol": "udp", "address":'
         b' "192.168.1.3", "port": 53, "external_address": "198.51.100.1", "external_port": 53}]'),
        (1, "/api/v1/softwires", b'{"b4": "2001:db8:1::a", "ipv4": "203.0.113.77", "psid": 9,'
         b' "psid_len": 6, "offset": 6}'),
        (1, "/api/v1/nonat", b'{"b4": "2001:db8:1::b", "prefix": "203.0.113.8/29"}'),
        (1, "/api/v1/prr", b'{"b4": "2001:db8:1::c", "protocol": "icmp", "address":'
         b' "198.51.100.1", "port": 7}'),
        (1, "/api/v1/acl6", b'{"prefix": "2001:db8:2::/48"}'),
        (1, "/api/v1/private", b'{"prefix": "100.64.0.0/10"}'),
        (2, "/api/v1/tunnels/2001:db8:1::1", b'{"b4": "2001:db8:1::1", "mtu": 1300}'),
        (3, "/api/v1/softwires/2001:db8:1::7/5", b""), (3, "/api/v1/nonat/203.0.113.0/29", b""),
        (3, "/api/v1/static-nat", b'[{"b4": "2001:db8:1::1", "protocol": "tcp", "address":'
         b' "192.168.1.2", "port": 80, "external_address": "198.51.100.1", "external_port": 80}]'),
        (1, "/api/v1/reload", b""), (0, "/metrics", b""), (0, "/api/v1/counters?per_worker=1", b""),
    ]
    for i, (m, url, body) in enumerate(reqs):
        yield "req%02d" % i, bytes([m]) + url.encode() + b"\n" + body


def seeds_ctl_msg():
    """Messages of each type (ctl_msg.h: 64 bytes, host order)."""
    b4 = bytes.fromhex("20010db8000100000000000000000002")
    pool = bytes([198, 51, 100, 1])
    for t, body in ((64, struct.pack("<iI40s", 0, 0, b"ok")),
                    (65, b4 + pool + struct.pack("<HHB", 1024, 8, 17)),
                    (66, b4 + pool + struct.pack("<HHB", 1024, 8, 6)),
                    (67, b4 + bytes([192, 168, 1, 2]) + pool + struct.pack("<HHBBI", 5000, 1024, 17, 1, 30)),
                    (71, b4 + bytes([192, 168, 1, 2]) + pool + struct.pack("<HHBBI", 5000, 1024, 6, 0, 0)),
                    (73, b4 + pool),
                    (75, b4 + pool + struct.pack("<IBB", 10, 17, 1)),
                    (76, b4 + pool + struct.pack("<IBB", 0, 1, 0))):
        msg = struct.pack("<HHIQ", t, 0, 7, 1700000000000) + body
        yield "type%d" % t, msg.ljust(64, b"\0")[:64]


def seeds_pcp():
    """PCP requests (RFC 6887 sections 7.1, 11.1, 12.1, 13, 14.1) and others'."""
    def v4(a, b, c, d):
        return bytes(10) + b"\xff\xff" + bytes([a, b, c, d])

    client, pool, peer = v4(192, 0, 2, 1), v4(198, 51, 100, 7), v4(203, 0, 113, 9)
    nonce = bytes(range(1, 13))

    def hdr(op, lifetime, version=2):
        return struct.pack(">BBHI", version, op, 0, lifetime) + client

    def mapd(proto, iport, eport, eaddr):
        return nonce + struct.pack(">B3xHH", proto, iport, eport) + eaddr

    def opt(code, data):
        return struct.pack(">BBH", code, 0, len(data)) + data + bytes(-len(data) % 4)

    def filt(plen, port, addr):
        return opt(3, struct.pack(">xBH", plen, port) + addr)

    peerd = struct.pack(">H2x", 443) + peer
    yield "announce", hdr(0, 0)
    yield "map", hdr(1, 7200) + mapd(6, 80, 0, bytes(16))
    yield "map_all", hdr(1, 0) + mapd(0, 0, 0, bytes(16))
    yield "map_opts", (hdr(1, 3600) + mapd(17, 5060, 5060, pool) + opt(1, v4(10, 0, 0, 2)) +
                       opt(2, b"") + filt(0, 0, peer) + filt(120, 443, peer) + opt(200, b"x"))
    yield "map_filters", hdr(1, 60) + mapd(6, 22, 0, pool) + b"".join(
        filt(128, 1000 + i, peer) for i in range(9))
    yield "peer", hdr(2, 600) + mapd(6, 51000, 0, bytes(16)) + peerd
    yield "peer_opts", hdr(2, 600) + mapd(17, 53, 53, pool) + peerd + opt(1, v4(10, 0, 0, 3))
    yield "bad_option", hdr(1, 60) + mapd(6, 80, 0, pool) + struct.pack(">BBH", 4, 0, 400)
    yield "version1", hdr(1, 60, version=1) + mapd(6, 80, 0, pool)
    yield "natpmp_addr", bytes([0, 0])
    yield "natpmp_map", bytes([0, 2, 0, 0]) + struct.pack(">HHI", 8080, 8080, 7200)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if target == "yaml":
        src = files("config/*.yaml", "tests/config/**/*.yaml", "tests/golden/data/*/aftr.yaml")
        items = (("%03d" % i, open(p, "rb").read()) for i, p in enumerate(src))
    elif target == "isc":
        src = files("config/isc/*", "tests/config/**/*.conf")
        items = (("%03d" % i, open(p, "rb").read()) for i, p in enumerate(src))
    else:
        items = {"api": seeds_api, "ctl_msg": seeds_ctl_msg, "packet": seeds_packet,
                 "pcp": seeds_pcp}[target]()
    n = 0
    for name, data in items:
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        n += 1
    print("%s: %d seeds" % (target, n))
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
