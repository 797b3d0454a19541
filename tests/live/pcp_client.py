#!/usr/bin/python3
"""A Port Control Protocol client (RFC 6887) for the live tests, which need
exact requests, malformed ones too, and every field of the answers; Debian
packages no PCP client. Standard library only. Run with -h for the usage.

Each datagram received is printed as one JSON object on a line of stdout:
version, opcode (name), r, result, result_name (section 7.4), lifetime,
epoch; for MAP/PEER nonce (hex), nonce_ok (the request's nonce, sections
11.3, 12.3), proto, internal_port, external_port, external_addr, and for
PEER remote_port, remote_addr; options, a list of {code, name, length and
the decoded fields}; bytes, from, from_port. An IPv4-mapped address is
printed dotted. A datagram shorter than a PCP header has an "error" key and
does not count as a response. Exit status: 0 a response arrived (whatever
its result code), 1 none did, 2 a usage error.

Sent as RFC 6887 lays it out:
  7.1  the header: version 2, opcode, requested lifetime, PCP Client's IP
       Address. That is the source address the kernel picks for reaching the
       server unless --client-addr says otherwise (for ADDRESS_MISMATCH).
       Address fields are 128 bits, IPv4 IPv4-mapped (section 5).
  7.3  options: code, reserved, length, data padded to 4 octets; 13.1
       THIRD_PARTY (1), 13.2 PREFER_FAILURE (2), 13.3 FILTER (3). A FILTER's
       prefix length counts bits of the 128-bit field: 198.51.100.0/24 is
       sent as ::ffff:198.51.100.0 and 120; an IPv6 prefix's length (e.g.
       ::ffff:198.51.100.0/100) is sent as written.
  11.1 MAP: nonce, protocol, internal port, suggested external port and
       address. The suggested address's family picks the family of the
       mapping: by default IPv4's all-zeros (an AFTR's external side is
       IPv4); --external-addr :: asks for IPv6.
  12.1 PEER: MAP's fields, the remote peer's port and address; the default
       suggested external address is all-zeros of the remote peer's family.
  14.1 ANNOUNCE: lifetime 0, no opcode data. Unsolicited responses (14.1.3
       ANNOUNCE, 14.2 MAP) go to the client's port 5350, multicast to
       224.0.0.1 and ff02::1 or unicast: `listen` binds it on the wildcard
       addresses, IPv4 and IPv6, and prints those from --server if given.
  8.1.1 retransmission: the same request, same nonce, after --timeout
       seconds, --tries sends in all. A fixed interval and a bounded count,
       not 8.1.1's 3 s doubling without end: tests want it short.
After the first response come any more already queued (answers to the
earlier tries), or that arrive within --linger seconds."""
import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import time

MAX_LEN = 1100                                   # section 7
OPCODES = {0: "ANNOUNCE", 1: "MAP", 2: "PEER"}
RESULTS = ["SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "MALFORMED_REQUEST",
           "UNSUPP_OPCODE", "UNSUPP_OPTION", "MALFORMED_OPTION", "NETWORK_FAILURE",
           "NO_RESOURCES", "UNSUPP_PROTOCOL", "USER_EX_QUOTA",
           "CANNOT_PROVIDE_EXTERNAL", "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS"]
THIRD_PARTY, PREFER_FAILURE, FILTER = 1, 2, 3
OPTIONS = {THIRD_PARTY: "THIRD_PARTY", PREFER_FAILURE: "PREFER_FAILURE", FILTER: "FILTER"}
PROTOS = {"all": 0, "tcp": 6, "udp": 17}


def addr16(text):
    """An address as a 128-bit field, IPv4 IPv4-mapped (section 5)."""
    ip = ipaddress.ip_address(text.split("%")[0])
    return b"\0" * 10 + b"\xff\xff" + ip.packed if ip.version == 4 else ip.packed


def addr_text(field):
    ip = ipaddress.IPv6Address(field)
    return str(ip.ipv4_mapped or ip)


def option(code, data=b""):
    """An option (section 7.3), its data padded to a multiple of 4."""
    return struct.pack("!BBH", code, 0, len(data)) + data + bytes(-len(data) % 4)


def filter_option(spec):
    """A FILTER option (section 13.3) from PREFIX/LEN:PORT."""
    prefix, port = spec.rsplit(":", 1)
    addr, plen = prefix.split("/")
    plen = int(plen) + (96 if ipaddress.ip_address(addr).version == 4 else 0)
    return option(FILTER, struct.pack("!BBH16s", 0, plen, int(port), addr16(addr)))


def request(opcode, lifetime, client, body=b"", options=b""):
    """A request (section 7.1): header, opcode data, options."""
    return struct.pack("!BBHI16s", 2, opcode, 0, lifetime, addr16(client)) + body + options


def map_body(nonce, proto, iport, eport, eaddr):
    """MAP's opcode data (section 11.1), 36 octets."""
    return struct.pack("!12sB3xHH16s", nonce, proto, iport, eport, addr16(eaddr))


def peer_body(nonce, proto, iport, eport, eaddr, rport, raddr):
    """PEER's opcode data (section 12.1), 56 octets."""
    return (map_body(nonce, proto, iport, eport, eaddr)
            + struct.pack("!H2x16s", rport, addr16(raddr)))


def decode_option(code, data):
    opt = {"code": code, "name": OPTIONS.get(code, "OPTION_%d" % code), "length": len(data)}
    if code == THIRD_PARTY and len(data) == 16:
        opt["addr"] = addr_text(data)
    elif code == FILTER and len(data) == 20:
        _, plen, port, field = struct.unpack("!BBH16s", data)
        opt.update(prefix_length=plen, remote_port=port, remote_addr=addr_text(field))
        if ipaddress.IPv6Address(field).ipv4_mapped and plen >= 96:
            opt["prefix"] = "%s/%d" % (addr_text(field), plen - 96)
    elif data:
        opt["data"] = data.hex()
    return opt


def decode(pkt, sent=None):
    """A response (sections 7.2, 11.1, 12.1, 7.3) as a dict; sent, the
    request it answers, for the nonce."""
    out = {"bytes": len(pkt)}
    if len(pkt) < 24:
        return dict(out, error="shorter than a PCP header", hex=pkt.hex())
    ver, op, _, result, lifetime, epoch = struct.unpack("!BBBBII", pkt[:12])
    op, r = op & 0x7f, bool(op & 0x80)
    out.update(version=ver, opcode=OPCODES.get(op, "OPCODE_%d" % op), r=r, result=result,
               result_name=RESULTS[result] if result < len(RESULTS) else "RESULT_%d" % result,
               lifetime=lifetime, epoch=epoch)
    rest, size = pkt[24:], {1: 36, 2: 56}.get(op, 0)
    if size and len(rest) >= size:
        nonce, proto, iport, eport, eaddr = struct.unpack("!12sB3xHH16s", rest[:36])
        out.update(nonce=nonce.hex(), proto=proto, internal_port=iport,
                   external_port=eport, external_addr=addr_text(eaddr))
        if size == 56:
            rport, raddr = struct.unpack("!H2x16s", rest[36:56])
            out.update(remote_port=rport, remote_addr=addr_text(raddr))
        if sent and len(sent) >= 36 and sent[1] & 0x7f in (1, 2):
            out["nonce_ok"] = nonce == sent[24:36]
        rest = rest[size:]
    out["options"] = []
    while len(rest) >= 4:
        code, _, length = struct.unpack("!BBH", rest[:4])
        if len(rest) < 4 + length:
            out["options"].append(dict(decode_option(code, b""), length=length, error="truncated"))
            rest = b""
        else:
            out["options"].append(decode_option(code, rest[4:4 + length]))
            rest = rest[4 + length + (-length % 4):]
    if rest:
        out["trailing"] = rest.hex()
    return out


def receive(socks, seconds, sent=None, only=None, stop=0):
    """Print what arrives on socks within seconds (0: what is queued), from
    only (a 128-bit address) if given; stop after stop responses. The
    count of responses."""
    seen, deadline = 0, time.monotonic() + seconds
    while ready := select.select(socks, [], [], max(deadline - time.monotonic(), 0))[0]:
        for sock in ready:
            try:
                pkt, frm = sock.recvfrom(65535)
            except ConnectionRefusedError:           # ICMP port unreachable
                continue
            if only and addr16(frm[0]) != only:
                continue
            out = decode(pkt, sent)
            out.update({"from": addr_text(addr16(frm[0])), "from_port": frm[1]})
            print(json.dumps(out), flush=True)
            seen += "error" not in out
            if stop and seen >= stop:
                return seen
    return seen


def exchange(args, build):
    """Send build(client address) to the server until a response comes,
    --tries times at most. The exit status."""
    ai = socket.getaddrinfo(args.server, args.port, 0, socket.SOCK_DGRAM)[0]
    sock = socket.socket(ai[0], socket.SOCK_DGRAM)
    if args.source:
        sock.bind((args.source, 0))
    sock.connect(ai[4])
    pkt = build(args.client_addr or sock.getsockname()[0])
    for attempt in range(1, args.tries + 1):
        if attempt > 1:
            print("pcp_client: no response in %gs, sending again (%d/%d)"
                  % (args.timeout, attempt, args.tries), file=sys.stderr)
        try:
            sock.send(pkt)
        except ConnectionRefusedError:               # the last try's ICMP error
            sock.send(pkt)
        if receive([sock], args.timeout, pkt, stop=1):
            receive([sock], args.linger, pkt)
            return 0
    print("pcp_client: no response from %s port %d after %d tries"
          % (args.server, args.port, args.tries), file=sys.stderr)
    return 1


def listen(args):
    """Print the responses arriving at --port within --wait seconds."""
    socks = []
    for fam, wildcard in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        if args.source and (fam == socket.AF_INET6) != (":" in args.source):
            continue
        # Two sockets: Linux gives IPv4 multicast to no IPv6 socket.
        sock = socket.socket(fam, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((args.source or wildcard, args.listen_port))
        socks.append(sock)
    only = args.server and addr16(args.server)
    return 0 if receive(socks, args.wait, only=only, stop=args.count) else 1


def selftest():
    """The encoder against a MAP request written out by hand from sections
    7.1, 11.1 and 13; the decoder against a MAP response written by hand and
    against PEER and ANNOUNCE requests turned round. The exit status."""
    fails = []

    def check(what, got, want):
        print(("ok   " if got == want else "FAIL ") + what
              + ("" if got == want else ": %r, not %r" % (got, want)))
        fails.extend([what] if got != want else [])

    nonce = bytes(range(12))
    req = request(1, 120, "192.0.2.1", map_body(nonce, 6, 8080, 0, "0.0.0.0"),
                  option(THIRD_PARTY, addr16("192.0.2.99")) + option(PREFER_FAILURE)
                  + filter_option("198.51.100.0/24:443"))
    check("MAP request", req.hex(), bytes.fromhex(
        "02 01 0000"                              # 0: version 2, R=0 MAP, reserved
        "00000078"                                # 4: requested lifetime 120
        "00000000 00000000 0000ffff c0000201"     # 8: client ::ffff:192.0.2.1
        "000102030405060708090a0b"                # 24: mapping nonce
        "06 000000"                               # 36: protocol TCP, reserved
        "1f90 0000"                               # 40: internal 8080, suggested 0
        "00000000 00000000 0000ffff 00000000"     # 44: suggested ::ffff:0.0.0.0
        "01 00 0010"                              # 60: THIRD_PARTY, length 16
        "00000000 00000000 0000ffff c0000263"     # 64: ::ffff:192.0.2.99
        "02 00 0000"                              # 80: PREFER_FAILURE, length 0
        "03 00 0014 00 78 01bb"                   # 84: FILTER, 20, /120, port 443
        "00000000 00000000 0000ffff c6336400"     # 92: ::ffff:198.51.100.0
    ).hex())                                      # 108 octets

    resp = bytes.fromhex(
        "02 81 00 00 00000078 00001234" + "00" * 12    # MAP response, SUCCESS
        + "000102030405060708090a0b 11 000000 1f90 4e20"
        "00000000 00000000 0000ffff cb007105" "02 00 0000")
    want = dict(bytes=64, version=2, opcode="MAP", r=True, result=0, result_name="SUCCESS",
                lifetime=120, epoch=0x1234, nonce=nonce.hex(), proto=17, internal_port=8080,
                external_port=20000, external_addr="203.0.113.5", nonce_ok=True,
                options=[{"code": 2, "name": "PREFER_FAILURE", "length": 0}])
    check("MAP response", decode(resp, req), want)
    check("MAP response, other nonce", decode(resp, req[:24] + bytes(12) + req[36:])["nonce_ok"],
          False)

    peer = request(2, 60, "2001:db8::2", peer_body(nonce, 6, 1234, 5678, "0.0.0.0", 80,
                                                     "192.0.2.7"),
                   option(THIRD_PARTY, addr16("2001:db8::9")) + filter_option("2001:db8::/32:0"))
    d = decode(struct.pack("!BBBBII12x", 2, 0x82, 0, 10, 30, 7) + peer[24:], peer)
    check("PEER turned round", {k: d.get(k) for k in (
        "opcode", "result_name", "lifetime", "epoch", "nonce_ok", "external_port",
        "external_addr", "remote_port", "remote_addr", "bytes", "options")}, dict(
        opcode="PEER", result_name="USER_EX_QUOTA", lifetime=30, epoch=7, nonce_ok=True,
        external_port=5678, external_addr="0.0.0.0", remote_port=80, remote_addr="192.0.2.7",
        bytes=124, options=[
            {"code": 1, "name": "THIRD_PARTY", "length": 16, "addr": "2001:db8::9"},
            {"code": 3, "name": "FILTER", "length": 20, "prefix_length": 32,
             "remote_port": 0, "remote_addr": "2001:db8::"}]))
    ann = request(0, 0, "::1")
    check("ANNOUNCE request", ann.hex(), "02000000" "00000000" + "00" * 15 + "01")
    d = decode(bytes([2, 0x80, 0, 1]) + ann[4:] + bytes([9, 0, 0, 2, 1, 2, 0, 0, 3, 0, 0, 20]))
    check("ANNOUNCE turned round", (d["opcode"], d["r"], d["result_name"], d["options"]),
          ("ANNOUNCE", True, "UNSUPP_VERSION", [
              {"code": 9, "name": "OPTION_9", "length": 2, "data": "0102"},
              {"code": 3, "name": "FILTER", "length": 20, "error": "truncated"}]))
    check("short datagram", decode(b"\x02\x81")["error"], "shorter than a PCP header")
    check("result codes", (len(RESULTS), RESULTS[10], RESULTS[12]),
          (14, "USER_EX_QUOTA", "ADDRESS_MISMATCH"))
    print("selftest: %d failed" % len(fails))
    return 1 if fails else 0


def port(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError("%s is not a port" % text)
    return int(text)


def protocol(text):
    if text not in PROTOS and not (text.isdigit() and int(text) < 256):
        raise argparse.ArgumentTypeError("%s is not tcp, udp, all or 0-255" % text)
    return PROTOS[text] if text in PROTOS else int(text)


def address(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError("%s is not an IPv4 or IPv6 address" % text)


def hexbytes(n=None):
    def parse(text):
        try:
            b = bytes.fromhex(text.replace(":", ""))
        except ValueError:
            raise argparse.ArgumentTypeError("%s is not hex" % text)
        if n and len(b) != n:
            raise argparse.ArgumentTypeError("%s is not %d bytes" % (text, n))
        return b
    return parse


def filter_spec(text):
    try:
        return filter_option(text)
    except (ValueError, struct.error):
        raise argparse.ArgumentTypeError("%s is not PREFIX/LEN:PORT" % text)


def main():
    ap = argparse.ArgumentParser(description="A PCP (RFC 6887) client for the live tests.")
    ap.add_argument("--server", type=address, metavar="ADDR", help="the PCP server")
    ap.add_argument("--port", type=port, default=5351, metavar="N", help="the server's port (5351)")
    ap.add_argument("--source", type=address, metavar="ADDR", help="the address to send from")
    ap.add_argument("--timeout", type=float, default=1, metavar="SECONDS",
                    help="wait for a response before sending again (1)")
    ap.add_argument("--tries", type=int, default=3, metavar="N", help="sends at most (3)")
    ap.add_argument("--linger", type=float, default=0, metavar="SECONDS",
                    help="after a response, print more arriving within this (0)")
    ap.add_argument("--client-addr", type=address, metavar="ADDR",
                    help="the PCP Client's IP Address to send (the source address)")
    ap.add_argument("--selftest", action="store_true", help="check the encoder and decoder")
    ops = ap.add_subparsers(dest="op", metavar="OP")
    for name, section in (("map", 11), ("peer", 12)):
        p = ops.add_parser(name, help="a %s request (section %d)" % (name.upper(), section))
        p.add_argument("--proto", type=protocol, required=True, help="tcp|udp|all|NUMBER")
        p.add_argument("--internal-port", type=port, required=True, metavar="N")
        if name == "peer":
            p.add_argument("--remote-addr", type=address, required=True, metavar="ADDR")
            p.add_argument("--remote-port", type=port, required=True, metavar="N")
        p.add_argument("--external-port", type=port, default=0, metavar="N", help="suggested")
        p.add_argument("--external-addr", type=address, metavar="ADDR", help="suggested")
        p.add_argument("--lifetime", type=int, default=120, metavar="S", help="(120)")
        p.add_argument("--third-party", type=address, metavar="ADDR", help="THIRD_PARTY option")
        if name == "map":
            p.add_argument("--prefer-failure", action="store_true", help="PREFER_FAILURE option")
            p.add_argument("--filter", type=filter_spec, action="append", default=[],
                           metavar="PREFIX/LEN:PORT", help="a FILTER option (repeatable)")
        p.add_argument("--nonce", type=hexbytes(12), metavar="HEX24", help="(random)")
    ops.add_parser("announce", help="an ANNOUNCE request (section 14.1)")
    p = ops.add_parser("raw", help="send exactly these bytes")
    p.add_argument("--hex", type=hexbytes(), required=True, metavar="HEXBYTES")
    p = ops.add_parser("listen", help="print unsolicited responses (14.1.3, 14.2)")
    p.add_argument("--port", dest="listen_port", type=port, default=5350, metavar="N",
                   help="the local port (5350)")
    p.add_argument("--wait", type=float, default=5, metavar="S", help="seconds (5)")
    p.add_argument("--count", type=int, default=0, metavar="N", help="stop after N (no limit)")
    args = ap.parse_args()

    if args.selftest:
        return selftest()
    if args.op == "listen":
        return listen(args)
    if not args.op or not args.server:
        ap.error("give --server and an OP: map, peer, announce, raw or listen")
    if args.tries < 1 or args.timeout <= 0 or args.linger < 0:
        ap.error("--tries and --timeout must be positive, --linger not negative")
    if args.op == "raw":
        return exchange(args, lambda client: args.hex)
    if args.op == "announce":
        return exchange(args, lambda client: request(0, 0, client))
    if not 0 <= args.lifetime < 1 << 32:
        ap.error("--lifetime must fit 32 bits")
    nonce = args.nonce or os.urandom(12)
    opts = option(THIRD_PARTY, addr16(args.third_party)) if args.third_party else b""
    if args.op == "map":
        opcode, body = 1, map_body(nonce, args.proto, args.internal_port, args.external_port,
                                   args.external_addr or "0.0.0.0")
        opts += (option(PREFER_FAILURE) if args.prefer_failure else b"") + b"".join(args.filter)
    else:
        zeros = "::" if ":" in args.remote_addr else "0.0.0.0"
        opcode, body = 2, peer_body(nonce, args.proto, args.internal_port, args.external_port,
                                    args.external_addr or zeros, args.remote_port,
                                    args.remote_addr)
    if 24 + len(body) + len(opts) > MAX_LEN:
        ap.error("the request would be over %d octets" % MAX_LEN)
    return exchange(args, lambda client: request(opcode, args.lifetime, client, body, opts))


if __name__ == "__main__":
    sys.exit(main())
