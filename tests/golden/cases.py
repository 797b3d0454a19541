#!/usr/bin/python3
"""The golden cases: for each, a configuration, the frames that arrive on the
transport (IPv6, B4 side) and WAN (IPv4) ports, the frames the AFTR must send
on each, and the counters that must be non-zero (all others must stay 0).

Expected frames are built here from what the RFCs say the AFTR does (RFC 6333
decapsulation and encapsulation, RFC 4787/5382/5508/6888 NAPT, RFC 792/1812
ICMP and forwarding, RFC 826 ARP, RFC 4861 ND, RFC 4443 ICMPv6), never
captured from the AFTR itself.

  python3 cases.py --regenerate    writes data/<case>/ (review the diff)
  python3 cases.py --list          one line per case

Addresses: B4s in 2001:db8:1::/48 behind the transport gateway, the endpoint
2001:db8::1, one pool 198.51.100.1, Internet hosts in 203.0.113.0/24 behind
the WAN gateway. Ports are allocated from the first port of the pool's
dynamic range (first block of worker 0), so the expected ports are known:
UDP 512-519 is the first block (ISC's default range and bucket of 8), then
520-527 for the next subscriber; TCP 2048 (blocks of 10); echo ids 0 (blocks
of 3).

Each case is a function returning a dict:
  transport_in, wan_in     frames fed to the ports (all at once: the worker
                           polls the transport port, then the WAN port, 32
                           frames a burst, so a WAN reply is handled after
                           the first 32 transport frames)
  transport_out, wan_out   frames the AFTR must send, in this order
  counters                 counters that must have these values; all others
                           (and every drop reason not listed) must be 0
  config                   YAML appended to the base configuration
  pools                    the pools list instead of the single pool
  transport_mtu            interfaces.transport.mtu
  wan_mtu                  interfaces.wan.mtu
  vlans                    (transport VLAN id, WAN VLAN id), 0: untagged
  macs                     (transport MAC, WAN MAC) of interfaces.*.mac, or None
  one_port                 both interfaces on the transport's device: every
                           frame in transport_in, every one expected in
                           transport_out (compared as a multiset)
  wan_gateway_mac          False: the WAN gateway must be resolved with ARP
  workers                  worker lcores (default 1); net_pcap then gets one
                           TX queue per worker and outputs are compared as
                           a multiset
  wait                     run at least this many seconds (timers)
  unordered                compare outputs as a multiset
The first line of the docstring is the case's description (data/*/README).
"""
import copy
import ipaddress
import os
import shutil
import struct
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, ICMPv6EchoReply,  # python3-scapy
                       IPOption_NOP, IPOption_Router_Alert, IPOption_RR,
                       ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6ParamProblem, ICMPv6TimeExceeded,
                       ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrRouting,
                       Padding, PadN, Raw, HBHOptUnknown,
                       in4_chksum, wrpcap)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

TR_MAC = "02:70:63:61:70:00"  # net_pcap's address for port 0 (transport)
WAN_MAC = "02:70:63:61:70:01"  # and for port 1 (WAN)
GW_T = "02:00:00:00:00:fe"  # transport gateway (static neighbour)
GW_W = "02:00:00:00:01:fe"  # WAN gateway (static neighbour)
BCAST = "ff:ff:ff:ff:ff:ff"
EP = "2001:db8::1"
TR_ADDR = "2001:db8:ffff::1"  # our address on the transport link
TR_GW = "2001:db8:ffff::fe"
B4 = "2001:db8:1::2"
B4B = "2001:db8:1::3"
B4C = "2001:db8:1::4"
POOL = "198.51.100.1"
POOL2 = "198.51.100.2"
WAN_ADDR = "192.0.2.1"
WAN_GW = "192.0.2.254"
ICMP_SRC = "192.0.0.1"
SRV = "203.0.113.7"
SRV2 = "203.0.113.8"
ROUTER = "203.0.113.1"  # a router on the way to SRV (ICMP errors)
LAN = "192.168.1.10"
LAN2 = "192.168.1.20"

UDP0, TCP0, ECHO0 = 512, 2048, 0  # first port / echo id of the dynamic ranges
UDP_BLOCK, TCP_BLOCK, ECHO_BLOCK = 8, 10, 3  # ISC's bucket sizes


def device(n, port, workers):
    """A net_pcap port: one RX queue from the case's input, one TX queue (and
    output file) per worker."""
    s = "net_pcap%d,rx_pcap=@IN@/%s_in.pcap,tx_pcap=@OUT@/%s_out.pcap" % (n, port, port)
    for q in range(1, workers):
        s += ",tx_pcap=@OUT@/%s_out_q%d.pcap" % (port, q)
    return s


def iface_extra(d, i):
    """The VLAN and MAC lines of interface i (0 transport, 1 WAN)."""
    y = ""
    vlan = d.get("vlans", (0, 0))[i]
    mac = d.get("macs", (None, None))[i]
    if vlan:
        y += "    vlan: %d\n" % vlan
    if mac:
        y += "    mac: \"%s\"\n" % mac
    return y


def aftr_yaml(d):
    """The configuration of a case (see the module docstring for the keys)."""
    workers = d.get("workers", 1)
    y = ("endpoint: %s\n" % EP + "icmp_source: %s\n" % ICMP_SRC + "acl6: [2001:db8:1::/48]\n"
         + "pools:\n" + d.get("pools", "  - address: %s\n" % POOL)
         + "interfaces:\n"
         + "  transport:\n"
         + "    device: %s\n" % device(0, "transport", workers)
         + "    address: %s/64\n" % TR_ADDR
         + "    gateway: %s\n" % TR_GW
         + "    gateway_mac: %s\n" % GW_T)
    if "transport_mtu" in d:
        y += "    mtu: %d\n" % d["transport_mtu"]
    y += iface_extra(d, 0)
    wan_dev = device(0, "transport", workers) if d.get("one_port") else device(1, "wan", workers)
    y += ("  wan:\n"
          + "    device: %s\n" % wan_dev
          + "    address: %s/24\n" % WAN_ADDR
          + "    gateway: %s\n" % WAN_GW)
    if "wan_mtu" in d:
        y += "    mtu: %d\n" % d["wan_mtu"]
    y += iface_extra(d, 1)
    if d.get("wan_gateway_mac", True):
        y += "    gateway_mac: %s\n" % GW_W
    return y + d.get("config", "")


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# --- building frames -------------------------------------------------------


def fresh(p):
    """p with lengths and checksums recomputed by scapy."""
    p = copy.deepcopy(p)
    for layer in (IP, TCP, UDP, ICMP):
        if layer in p:
            for f in ("chksum", "len"):
                p[layer].fields.pop(f, None)
    return p.__class__(bytes(p))


def from_b4(inner, b4=B4, hlim=64, tc=0, dst=EP):
    """A frame from a B4's softwire (RFC 6333 section 5)."""
    return Ether(src=GW_T, dst=TR_MAC) / IPv6(src=b4, dst=dst, hlim=hlim, tc=tc) / inner


def from_net(ip, src_mac=GW_W):
    """A frame from the Internet, through the WAN gateway."""
    return Ether(src=src_mac, dst=WAN_MAC) / ip


def translated(ip, src=None, dst=None, sport=None, dport=None, ttl_dec=1):
    """ip as the AFTR forwards it: addresses and ports (echo id for ICMP)
    rewritten as given (RFC 4787, RFC 5382, RFC 5508), TTL decremented
    (RFC 1812 section 5.2.1: in both directions, the AFTR is a router),
    checksums recomputed."""
    ip = copy.deepcopy(ip)
    if src is not None:
        ip.src = src
    if dst is not None:
        ip.dst = dst
    ip.ttl -= ttl_dec
    for port, field in ((sport, "sport"), (dport, "dport")):
        if port is None:
            continue
        if TCP in ip:
            setattr(ip[TCP], field, port)
        elif UDP in ip:
            setattr(ip[UDP], field, port)
        elif ICMP in ip:
            ip[ICMP].id = port
    return fresh(ip)


def wan_frame(ip, dst_mac=GW_W):
    """An IPv4 packet the AFTR sends to the Internet (through the gateway)."""
    return Ether(src=WAN_MAC, dst=dst_mac) / ip


def softwire(ip, b4=B4, ep=EP):
    """An IPv4 packet the AFTR sends into a softwire: IPv4 in IPv6 from the
    endpoint (RFC 6333 section 6.2, RFC 2473; traffic class = inner TOS,
    RFC 2473 section 6.4 and RFC 6040; hop limit 64, RFC 2473 section 6.3)."""
    return (Ether(src=TR_MAC, dst=GW_T) / IPv6(src=ep, dst=b4, hlim=64, tc=ip.tos, nh=4)
            / fresh(ip))


def to_net(inner, src=POOL, sport=None):
    """What leaves on the WAN for an inner packet after NAPT."""
    return wan_frame(translated(inner, src=src, sport=sport))


def to_b4(ip, dst_lan=LAN, dport=None, b4=B4):
    """What goes into a softwire for an Internet packet after NAPT."""
    return softwire(translated(ip, dst=dst_lan, dport=dport), b4)


def udp_q(sport=5000, dst=SRV, dport=53, src=LAN, data=b"query", **ip):
    """A UDP packet from a host behind a B4."""
    ip.setdefault("ttl", 64)
    ip.setdefault("id", 1)
    return IP(src=src, dst=dst, **ip) / UDP(sport=sport, dport=dport) / Raw(data)


def udp_r(dport, src=SRV, sport=53, dst=POOL, data=b"answer", **ip):
    """A UDP packet from the Internet to a pool address."""
    ip.setdefault("ttl", 55)
    ip.setdefault("id", 2)
    return IP(src=src, dst=dst, **ip) / UDP(sport=sport, dport=dport) / Raw(data)


def tcp_q(sport=40000, dst=SRV, dport=80, flags="S", seq=1, ack=0, src=LAN, **ip):
    ip.setdefault("ttl", 64)
    ip.setdefault("id", 7)
    return IP(src=src, dst=dst, **ip) / TCP(sport=sport, dport=dport, flags=flags, seq=seq,
                                           ack=ack, window=8192)


def tcp_r(dport, src=SRV, sport=80, flags="SA", seq=1000, ack=2, dst=POOL, **ip):
    ip.setdefault("ttl", 55)
    ip.setdefault("id", 8)
    return IP(src=src, dst=dst, **ip) / TCP(sport=sport, dport=dport, flags=flags, seq=seq,
                                           ack=ack, window=8192)


def ping_q(id=77, seq=1, src=LAN, dst=SRV, **ip):
    ip.setdefault("ttl", 64)
    ip.setdefault("id", 3)
    return IP(src=src, dst=dst, **ip) / ICMP(type=8, id=id, seq=seq) / Raw(b"ping")


def ping_r(id, seq=1, src=SRV, dst=POOL, **ip):
    ip.setdefault("ttl", 60)
    ip.setdefault("id", 4)
    return IP(src=src, dst=dst, **ip) / ICMP(type=0, id=id, seq=seq) / Raw(b"ping")


def icmp_error(src, dst, type, code, quote, ttl=58, **icmp):
    """An ICMPv4 error quoting `quote` (bytes of the offending packet)."""
    return IP(src=src, dst=dst, ttl=ttl, id=0x4242) / ICMP(type=type, code=code, **icmp) / Raw(
        quote)


def arp(op, src_mac, psrc, pdst, dst_mac=BCAST, hwdst="00:00:00:00:00:00", eth_src=None):
    return Ether(src=eth_src or src_mac, dst=dst_mac) / ARP(op=op, hwsrc=src_mac, psrc=psrc,
                                                           hwdst=hwdst, pdst=pdst)


def solicited_node(addr):
    """The solicited-node multicast address of addr and its MAC (RFC 4291
    section 2.7.1, RFC 2464 section 7)."""
    low = ipaddress.IPv6Address(addr).packed[13:]
    ip = str(ipaddress.IPv6Address(bytes.fromhex("ff02" + "00" * 9 + "01ff") + low))
    return ip, "33:33:ff:" + ":".join("%02x" % b for b in low)


def napt(out=0, back=0, sessions=0, blocks=0, tunnels=0, **more):
    """Counters of `out` packets translated from B4s to the Internet and
    `back` packets from the Internet into softwires; `more` is added."""
    c = dict(rx_transport=out, decap=out, nat_out=out, tx_wan=out, rx_wan=back, nat_in=back,
             encap=back, tx_transport=back, session_created=sessions, block_allocated=blocks,
             tunnel_created=tunnels)
    for k, v in more.items():
        c[k] = c.get(k, 0) + v
    return c


# The RSS key the dataplane programs (lib/net/rss.c: Microsoft's).
RSS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                        "6a42b73bbeac01fa")


def b4_owner(b4, workers):
    """The worker that owns a softwire (DESIGN: the RX queue RSS puts its
    packets on): the Toeplitz hash of the B4 address under RSS_KEY (each set
    input bit adds the 32 key bits from its place on), then entry hash % 128
    of a table of the workers in turn (dataplane/app/app.c rss_init, for a
    device without RSS such as net_pcap)."""
    key = int.from_bytes(RSS_KEY, "big")
    bits = len(RSS_KEY) * 8
    data = ipaddress.IPv6Address(b4).packed
    h = 0
    for i in range(128):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (key >> (bits - 32 - i)) & 0xffffffff
    return (h & 127) % workers


# --- NAPT, both directions --------------------------------------------------


@case
def udp_out_and_back():
    """UDP from a B4 is translated to the pool's first UDP port, the reply comes back"""
    q = udp_q()
    r = udp_r(UDP0)
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def udp_with_ip_options():
    """IPv4 options (RFC 791 3.1) both ways: NAPT finds the UDP header after them and rewrites its port there, the checksums stay right"""
    opts = [IPOption_Router_Alert(), IPOption_NOP(), IPOption_NOP(), IPOption_NOP(),
            IPOption_NOP()]
    q = udp_q(options=opts)
    r = udp_r(UDP0, options=opts)
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


# nat.deterministic over 2001:db8:1::/52 by /60 (256 B4s), 2 blocks a
# protocol each: B4 2001:db8:1:120::/60 is number 0x12 = 18, so its UDP
# blocks are 36 and 37 (ports 800-815), with no log needed to say so.
DETERM = ("nat:\n  max_blocks: {tcp: 2, udp: 2, icmp: 2}\n"
          "  deterministic: {prefix: \"2001:db8:1::/52\", subscriber_length: 60}\n")


@case
def deterministic_blocks():
    """nat.deterministic: B4 18 of the prefix gets UDP port 800 (its blocks 36-37); a B4 outside the prefix is refused (nat_no_mapping)"""
    q = udp_q()
    r = udp_r(800)
    return dict(config=DETERM,
                transport_in=[from_b4(q, b4="2001:db8:1:120::2"),
                              from_b4(q, b4="2001:db8:1:1000::2")],
                wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=800)],
                transport_out=[to_b4(r, dport=5000, b4="2001:db8:1:120::2")],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              decap=1, drop_nat_no_mapping=1))


@case
def tcp_syn_out():
    """A TCP SYN from a B4 gets the pool's first TCP port (2048, ISC's default range)"""
    q = tcp_q(flags="S")
    q.flags = "DF"  # the IPv4 flags: DF is kept
    return dict(transport_in=[from_b4(q)], wan_out=[to_net(q, sport=TCP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1))


@case
def tcp_handshake():
    """TCP SYN out, SYN-ACK back, ACK out: one session, the same public port both ways"""
    syn = tcp_q(flags="S", seq=1)
    synack = tcp_r(TCP0, flags="SA", seq=1000, ack=2)
    ack = tcp_q(flags="A", seq=2, ack=1001)
    return dict(transport_in=[from_b4(syn), from_b4(ack)], wan_in=[from_net(synack)],
                wan_out=[to_net(syn, sport=TCP0), to_net(ack, sport=TCP0)],
                transport_out=[to_b4(synack, dport=40000)],
                counters=napt(out=2, back=1, sessions=1, blocks=1, tunnels=1))


@case
def mss_clamped_both_ways():
    """MSS clamping on (tunnel MTU 1400): SYN and SYN-ACK MSS 1460 become 1320, 1200 stays"""
    def syn_with(mss, sport=40000, seq=1, wscale=True):
        opts = [("MSS", mss)] + ([("NOP", None), ("WScale", 7)] if wscale else [])
        return IP(src=LAN, dst=SRV, ttl=64, id=7) / TCP(sport=sport, dport=80, flags="S",
                                                        seq=seq, window=8192, options=opts)

    def synack_with(mss):
        return IP(src=SRV, dst=POOL, ttl=55, id=8) / TCP(sport=80, dport=TCP0, flags="SA",
                                                          seq=1000, ack=2, window=8192,
                                                          options=[("MSS", mss)])
    syn, syn_c = syn_with(1460), syn_with(1320)
    synack, synack_c = synack_with(1460), synack_with(1320)
    small = syn_with(1200, sport=40001, seq=5, wscale=False)
    return dict(config="tunnel_defaults:\n  mss: true\n  mtu: 1400\n",
                transport_in=[from_b4(syn), from_b4(small)], wan_in=[from_net(synack)],
                wan_out=[to_net(syn_c, sport=TCP0), to_net(small, sport=TCP0 + 1)],
                transport_out=[to_b4(synack_c, dport=40000)],
                counters=napt(out=2, back=1, sessions=2, blocks=1, tunnels=1, mss_clamped=2))


@case
def tcp_fin_rst_pass():
    """TCP FIN from the B4 and RST from the server pass through the session (RFC 5382)"""
    syn = tcp_q(flags="S", seq=1)
    fin = tcp_q(flags="FA", seq=2, ack=1001)
    rst = tcp_r(TCP0, flags="R", seq=1001, ack=0)
    return dict(transport_in=[from_b4(syn), from_b4(fin)], wan_in=[from_net(rst)],
                wan_out=[to_net(syn, sport=TCP0), to_net(fin, sport=TCP0)],
                transport_out=[to_b4(rst, dport=40000)],
                counters=napt(out=2, back=1, sessions=1, blocks=1, tunnels=1))


@case
def icmp_echo_out_and_back():
    """Ping from a B4: the echo id is translated (pool echo range starts at 0) and back"""
    q = ping_q(id=77)
    r = ping_r(ECHO0)
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=ECHO0)], transport_out=[to_b4(r, dport=77)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def icmp_wan_incoming_drop():
    """icmp.wan.incoming drop: a ping goes out, its reply from the Internet is dropped (drop_icmp_refused); UDP still comes back"""
    q, r = ping_q(id=77), ping_r(ECHO0)
    u, ur = udp_q(), udp_r(UDP0)
    return dict(config="icmp: {wan: {incoming: drop}}\n", transport_in=[from_b4(q), from_b4(u)],
                wan_in=[from_net(r), from_net(ur)],
                wan_out=[to_net(q, sport=ECHO0), to_net(u, sport=UDP0)],
                transport_out=[to_b4(ur, dport=5000)],
                counters=napt(out=2, back=1, sessions=2, blocks=2, tunnels=1, rx_wan=1,
                              drop_icmp_refused=1))


# --- per-interface filters (filters.IFACE.in|out) ---------------------------

@case
def filter_wan_in():
    """filters.wan.in: BCP 38 (a private source from the Internet) and a blocked port (TCP 7547) are dropped (drop_filter_rule), each counted by its rule; a reply passes"""
    q = udp_q()
    ok, spoofed = udp_r(UDP0), udp_r(UDP0, src="10.1.2.3", data=b"spoofed")
    cwmp = tcp_r(7547, sport=40000, flags="S", seq=5, ack=0)
    cfg = ("filters:\n  wan:\n    in:\n      - {action: drop, source: 10.0.0.0/8}\n"
           "      - {action: drop, protocol: tcp, destination_port: 7547}\n")
    return dict(config=cfg, transport_in=[from_b4(q)],
                wan_in=[from_net(spoofed), from_net(cwmp), from_net(ok)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(ok, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_wan=2,
                              drop_filter_rule=2, filter_wan_in_0=1, filter_wan_in_1=1))


@case
def filter_transport_in():
    """filters.transport.in by B4 prefix: the first matching rule decides - a B4's DNS is accepted (counted), its other UDP dropped (drop_filter_rule)"""
    dns, other = udp_q(), udp_q(sport=5001, dport=123, data=b"ntp")
    cfg = ("filters:\n  transport:\n    in:\n"
           "      - {action: accept, b4: \"%s/128\", protocol: udp, destination_port: 53}\n"
           "      - {action: drop, b4: \"2001:db8:1::/48\", protocol: udp}\n" % B4)
    return dict(config=cfg, transport_in=[from_b4(dns), from_b4(other)],
                wan_out=[to_net(dns, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_filter_rule=1, filter_transport_in_0=1,
                              filter_transport_in_1=1))


@case
def filter_out_both_sides():
    """filters.wan.out drops a B4's packet to 198.18.0.0/15 after NAT; filters.transport.out drops an echo reply into the softwire (drop_filter_rule)"""
    bench, ping = udp_q(dst="198.18.0.1"), ping_q(id=77)
    r = ping_r(ECHO0)
    cfg = ("filters:\n  wan:\n    out:\n      - {action: drop, destination: 198.18.0.0/15}\n"
           "  transport:\n    out:\n      - {action: drop, protocol: icmp}\n")
    return dict(config=cfg, transport_in=[from_b4(bench), from_b4(ping)], wan_in=[from_net(r)],
                wan_out=[to_net(ping, sport=ECHO0)],
                counters=napt(out=2, back=1, sessions=2, blocks=2, tunnels=1, tx_wan=-1,
                              encap=-1, tx_transport=-1, drop_filter_rule=2,
                              filter_wan_out_0=1, filter_transport_out_0=1))


def bad_icmp_checksum(ip):
    """ip with its ICMP checksum off by one (RFC 792: over the whole message)."""
    b = bytearray(bytes(fresh(ip)))
    at = (b[0] & 15) * 4 + 2
    b[at + 1] ^= 1
    return IP(bytes(b))


@case
def icmp_bad_checksum():
    """ICMP with a wrong checksum is dropped before NAT rewrites it, either way (drop_icmp_bad_checksum): a B4's echo request, then an Internet echo reply and error for its session"""
    q = ping_q(id=77)
    r = ping_r(ECHO0)
    out = translated(q, src=POOL, sport=ECHO0)
    err = icmp_error(ROUTER, POOL, 11, 0, bytes(out))
    return dict(transport_in=[from_b4(bad_icmp_checksum(ping_q(id=78, seq=9))), from_b4(q)],
                wan_in=[from_net(bad_icmp_checksum(r)), from_net(bad_icmp_checksum(err)),
                        from_net(r)],
                wan_out=[wan_frame(out)], transport_out=[to_b4(r, dport=77)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              decap=1, rx_wan=2, drop_icmp_bad_checksum=3))


@case
def icmp_echo_ids():
    """Two echo ids of one host get ids 0 and 1; the first id's next request keeps 0"""
    a1, b1, a2 = ping_q(id=77, seq=1), ping_q(id=78, seq=1), ping_q(id=77, seq=2)
    return dict(transport_in=[from_b4(a1), from_b4(b1), from_b4(a2)],
                wan_out=[to_net(a1, sport=ECHO0), to_net(b1, sport=ECHO0 + 1),
                         to_net(a2, sport=ECHO0)],
                counters=napt(out=3, sessions=2, blocks=1, tunnels=1))


@case
def udp_consecutive_ports():
    """Three UDP sessions of one subscriber get consecutive ports of its block"""
    qs = [udp_q(sport=5000), udp_q(sport=5001), udp_q(sport=6000, src="192.168.1.11")]
    return dict(transport_in=[from_b4(q) for q in qs],
                wan_out=[to_net(q, sport=UDP0 + i) for i, q in enumerate(qs)],
                counters=napt(out=3, sessions=3, blocks=1, tunnels=1))


@case
def udp_endpoint_independent_mapping():
    """One inside port to two servers keeps one public port (RFC 4787 REQ-1)"""
    q1, q2 = udp_q(dst=SRV), udp_q(dst=SRV2, dport=123)
    return dict(transport_in=[from_b4(q1), from_b4(q2)],
                wan_out=[to_net(q1, sport=UDP0), to_net(q2, sport=UDP0)],
                counters=napt(out=2, sessions=1, blocks=1, tunnels=1))


@case
def tcp_endpoint_independent_mapping():
    """One inside TCP port to two servers keeps one public port (RFC 5382 REQ-1)"""
    q1, q2 = tcp_q(dst=SRV), tcp_q(dst=SRV2, dport=443)
    return dict(transport_in=[from_b4(q1), from_b4(q2)],
                wan_out=[to_net(q1, sport=TCP0), to_net(q2, sport=TCP0)],
                counters=napt(out=2, sessions=1, blocks=1, tunnels=1))


@case
def udp_endpoint_independent_filtering():
    """A packet from another host and port reaches the mapping (RFC 4787 REQ-8, RFC 6888 REQ-7)"""
    q = udp_q()
    r = udp_r(UDP0, src=SRV2, sport=9999, data=b"hello")
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def address_dependent_filtering():
    """Address-dependent filtering: another port of the server gets in, another host does not (drop_filtered)"""
    q = udp_q()
    ok, other = udp_r(UDP0, sport=9999, data=b"ok"), udp_r(UDP0, src=SRV2, data=b"no")
    return dict(config="nat:\n  filtering: address-dependent\n",
                transport_in=[from_b4(q)], wan_in=[from_net(other), from_net(ok)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(ok, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_wan=1,
                              drop_filtered=1))


@case
def address_and_port_dependent_filtering():
    """Address-and-port-dependent filtering: only the server's port gets in (RFC 4787 REQ-8)"""
    q = udp_q()
    ok = udp_r(UDP0, data=b"ok")
    port, host = udp_r(UDP0, sport=9999, data=b"no"), udp_r(UDP0, src=SRV2, data=b"no")
    return dict(config="nat:\n  filtering: address-and-port-dependent\n",
                transport_in=[from_b4(q)], wan_in=[from_net(port), from_net(host), from_net(ok)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(ok, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_wan=2,
                              drop_filtered=2))


# --- stateless modes: lw4o6 (RFC 7596), prr, nonat --------------------------

LW = "198.51.100.77"  # a lw4o6 address (not a pool)
B4S, B4S2, B4N = "2001:db8:1::5", "2001:db8:1::6", "2001:db8:1::7"
# PSID length 6, offset 6 (RFC 7597 section 5.1): PSID 5 holds A<<10 | 5<<4 | M,
# A = 1..63: 1104-1119, 2128-2143, ..., 64592-64607; PSID 6 holds 1120-1135, ...
LW_FIRST, LW_LAST, LW2_FIRST = 1104, 64607, 1120
NONAT_PFX, NONAT_HOST = "203.0.113.64/28", "203.0.113.70"


def lw4o6(extra=""):
    return ("softwires:\n"
            "  - {b4: \"%s\", ipv4: %s, psid: 5, psid_len: 6, offset: 6}\n"
            "  - {b4: \"%s\", ipv4: %s, psid: 6, psid_len: 6, offset: 6}\n" % (B4S, LW, B4S2, LW)
            + extra)


def stateless(out=0, back=0, **more):
    """Counters of packets forwarded untranslated both ways."""
    c = dict(rx_transport=out, decap=out, stateless_out=out, tx_wan=out, rx_wan=back,
             stateless_in=back, encap=back, tx_transport=back)
    for k, v in more.items():
        c[k] = c.get(k, 0) + v
    return c


def admin_prohibited(quote, dst, src=ICMP_SRC):
    """The ICMPv4 administratively prohibited error the AFTR sends (ISC admpro)."""
    return IP(src=src, dst=dst, ttl=64, id=0) / ICMP(type=3, code=13) / Raw(bytes(quote))


def policy_fail(q, b4, ep=EP, hlim=64):
    """The ICMPv6 source address failed ingress/egress policy (type 1 code 5,
    RFC 4443 section 3.1) a lw4o6 B4 gets for a packet outside its bindings
    (RFC 7596 section 5.2): from the endpoint it went to, quoting the
    softwire packet (its IPv6 header rebuilt, the inner TTL lowered)."""
    inner = translated(q)
    quoted = IPv6(src=b4, dst=ep, hlim=hlim, tc=inner.tos, nh=4, plen=len(inner)) / inner
    return (Ether(src=TR_MAC, dst=GW_T) / IPv6(src=ep, dst=b4, hlim=64)
            / ICMPv6DestUnreach(code=5) / Raw(bytes(quoted)[:1280 - 48]))


def host_unreachable(r):
    """The ICMPv4 host unreachable (type 3 code 1) an Internet source gets for
    a lw4o6 address and port no softwire holds (RFC 7596 section 6.2)."""
    return wan_frame(IP(src=WAN_ADDR, dst=r.src, ttl=64, id=0) / ICMP(type=3, code=1)
                     / Raw(bytes(translated(r))))


@case
def lw4o6_both_ways():
    """lw4o6 (RFC 7596): a B4's packet from its address and port set goes out untranslated, the reply finds the B4 by (address, PSID)"""
    q = udp_q(src=LW, sport=LW_FIRST)
    r = udp_r(LW_FIRST, dst=LW)
    return dict(config=lw4o6(), transport_in=[from_b4(q, b4=B4S)], wan_in=[from_net(r)],
                wan_out=[wan_frame(translated(q))], transport_out=[softwire(translated(r), B4S)],
                counters=stateless(out=1, back=1))


@case
def lw4o6_with_ip_options():
    """lw4o6 with IPv4 options (RFC 791 3.1) both ways: the port set is checked on the UDP header after them"""
    opts = [IPOption_Router_Alert(), IPOption_NOP(), IPOption_NOP(), IPOption_NOP(),
            IPOption_NOP()]
    q = udp_q(src=LW, sport=LW_FIRST, options=opts)
    r = udp_r(LW_FIRST, dst=LW, options=opts)
    return dict(config=lw4o6(), transport_in=[from_b4(q, b4=B4S)], wan_in=[from_net(r)],
                wan_out=[wan_frame(translated(q))], transport_out=[softwire(translated(r), B4S)],
                counters=stateless(out=1, back=1))


@case
def lw4o6_edge_ports():
    """lw4o6: the last port of the set works both ways; the excluded low ports (offset 6: below 1024) are out of range: ICMPv6 source address failed policy to the B4 (RFC 7596 5.2)"""
    last = udp_q(src=LW, sport=LW_LAST)
    low = udp_q(src=LW, sport=80, data=b"low")  # PSID bits of 80 are 5, but A = 0
    back = udp_r(LW_LAST, dst=LW)
    return dict(config=lw4o6(), transport_in=[from_b4(last, b4=B4S), from_b4(low, b4=B4S)],
                wan_in=[from_net(back)], wan_out=[wan_frame(translated(last))],
                transport_out=[policy_fail(low, B4S), softwire(translated(back), B4S)],
                counters=stateless(out=1, back=1, rx_transport=1, decap=1, tx_transport=1,
                                   icmp_sent=1, drop_out_of_range=1),
                unordered=True)


@case
def lw4o6_wrong_b4():
    """lw4o6: a B4 sending from another B4's port set is dropped (drop_wrong_b4), with ICMPv6 source address failed policy (RFC 7596 5.2)"""
    q = udp_q(src=LW, sport=LW_FIRST)
    return dict(config=lw4o6(), transport_in=[from_b4(q, b4=B4S2, hlim=61)],
                transport_out=[policy_fail(q, B4S2, hlim=61)],
                counters=dict(rx_transport=1, decap=1, drop_wrong_b4=1, icmp_sent=1,
                              tx_transport=1))


@case
def lw4o6_icmp6_errors_off():
    """lw4o6 with icmp.transport.errors off: an out-of-range port is dropped silently (icmp_not_sent); admpro does not govern lw4o6"""
    q = udp_q(src=LW, sport=1200)
    return dict(config=lw4o6("icmp: {transport: {errors: false}}\n"
                             "tunnel_defaults: {admpro: all}\n"),
                transport_in=[from_b4(q, b4=B4S)],
                counters=dict(rx_transport=1, decap=1, drop_out_of_range=1, icmp_not_sent=1))


@case
def lw4o6_no_icmp6_about_icmp_error():
    """lw4o6: an ICMPv4 error from a B4 about a port outside its set is dropped (drop_out_of_range) with no ICMPv6 error about it (RFC 1812 4.3.2.7)"""
    quoted = IP(src=SRV, dst=LW, ttl=50, id=3) / UDP(sport=53, dport=1200) / Raw(b"q")
    e = icmp_error(LW, SRV, 3, 3, bytes(fresh(quoted))[:28], ttl=64)
    return dict(config=lw4o6(), transport_in=[from_b4(e, b4=B4S)],
                counters=dict(rx_transport=1, decap=1, drop_out_of_range=1))


@case
def lw4o6_admpro_off():
    """lw4o6 with admpro off: an out-of-range port still gets ICMPv6 source address failed policy (admpro is ISC's, for prr)"""
    q = udp_q(src=LW, sport=1200)
    return dict(config=lw4o6("tunnel_defaults: {admpro: off}\n"),
                transport_in=[from_b4(q, b4=B4S)], transport_out=[policy_fail(q, B4S)],
                counters=dict(rx_transport=1, decap=1, drop_out_of_range=1, icmp_sent=1,
                              tx_transport=1))


@case
def lw4o6_unbound_port_from_internet():
    """lw4o6: a packet to a port no softwire holds is dropped (drop_no_binding), with ICMPv4 host unreachable from the WAN address (RFC 7596 6.2)"""
    r = udp_r(1200, dst=LW)  # PSID 11: nobody's
    return dict(config=lw4o6(), wan_in=[from_net(r)], wan_out=[host_unreachable(r)],
                counters=dict(rx_wan=1, drop_no_binding=1, icmp_sent=1, tx_wan=1))


@case
def lw4o6_unbound_port_errors_off():
    """lw4o6 with icmp.wan.errors off: a packet to a port no softwire holds is dropped silently (icmp_not_sent)"""
    r = udp_r(1200, dst=LW)
    return dict(config=lw4o6("icmp: {wan: {errors: false}}\n"), wan_in=[from_net(r)],
                counters=dict(rx_wan=1, drop_no_binding=1, icmp_not_sent=1))


@case
def lw4o6_icmp_rate():
    """icmp.wan.rate 2: of three errors within a second two are sent, the third is not (icmp_rate_limited)"""
    rs = [udp_r(1200 + i, dst=LW, data=b"n%d" % i) for i in range(3)]
    return dict(config=lw4o6("icmp: {wan: {rate: 2}}\n"), wan_in=[from_net(r) for r in rs],
                wan_out=[host_unreachable(r) for r in rs[:2]],
                counters=dict(rx_wan=3, drop_no_binding=3, icmp_sent=2, tx_wan=2,
                              icmp_rate_limited=1))


@case
def lw4o6_two_softwires_one_b4():
    """A B4 holding two softwires (two addresses; RFC 7596 5.1): each works both ways, a port of neither is out of range"""
    lw2 = "198.51.100.78"
    cfg = lw4o6("  - {b4: \"%s\", ipv4: %s, psid: 9, psid_len: 4, offset: 0}\n" % (B4S, lw2))
    q1, q2 = udp_q(src=LW, sport=LW_FIRST), udp_q(src=lw2, sport=0x9123, data=b"two")
    r1, r2 = udp_r(LW_FIRST, dst=LW), udp_r(0x9123, dst=lw2, data=b"two")
    bad = udp_q(src=lw2, sport=0x8123, data=b"bad")
    return dict(config=cfg, transport_in=[from_b4(q, b4=B4S) for q in (q1, q2, bad)],
                wan_in=[from_net(r1), from_net(r2)],
                wan_out=[wan_frame(translated(q1)), wan_frame(translated(q2))],
                transport_out=[softwire(translated(r1), B4S), softwire(translated(r2), B4S),
                               policy_fail(bad, B4S)],
                counters=stateless(out=2, back=2, rx_transport=1, decap=1, tx_transport=1,
                                   icmp_sent=1, drop_out_of_range=1),
                unordered=True)


@case
def lw4o6_second_endpoint():
    """A softwire naming a second endpoint (BR) address: its packets go to that address and come back from it; a packet to the other endpoint, or a NAPT B4's to the second, is dropped (drop_wrong_endpoint); ND answers for it"""
    ep2 = "2001:db8::2"
    cfg = ("endpoints: [\"%s\"]\nsoftwires:\n"
           "  - {b4: \"%s\", ipv4: %s, psid: 5, psid_len: 6, offset: 6, endpoint: \"%s\"}\n"
           % (ep2, B4S, LW, ep2))
    q, r = udp_q(src=LW, sport=LW_FIRST), udp_r(LW_FIRST, dst=LW)
    wrong = udp_q(src=LW, sport=LW_FIRST + 1, data=b"wrong")
    napt_q = udp_q(data=b"napt")
    return dict(config=cfg,
                transport_in=[from_b4(q, b4=B4S, dst=ep2), from_b4(wrong, b4=B4S),
                              from_b4(napt_q, dst=ep2), neighbor_solicitation(ep2)],
                wan_in=[from_net(r)], wan_out=[wan_frame(translated(q))],
                transport_out=[softwire(translated(r), B4S, ep=ep2),
                               neighbor_advertisement(ep2)],
                counters=stateless(out=1, back=1, rx_transport=3, decap=2, tx_transport=1,
                                   to_control=1, drop_wrong_endpoint=2),
                unordered=True)


@case
def lw4o6_icmp_echo_and_error():
    """lw4o6: an echo id in the port set goes out and back; an ICMP error from the Internet finds the B4 by the quoted source"""
    q = ping_q(id=LW_FIRST + 1, src=LW)
    r = ping_r(LW_FIRST + 1, dst=LW)
    u = udp_q(src=LW, sport=LW_FIRST + 2)
    e = icmp_error(ROUTER, LW, 3, 3, bytes(translated(u))[:28])
    return dict(config=lw4o6(), transport_in=[from_b4(q, b4=B4S), from_b4(u, b4=B4S)],
                wan_in=[from_net(r), from_net(e)],
                wan_out=[wan_frame(translated(q)), wan_frame(translated(u))],
                transport_out=[softwire(translated(r), B4S), softwire(translated(e), B4S)],
                counters=stateless(out=2, back=2))


@case
def lw4o6_hairpin():
    """lw4o6 hairpinning (RFC 7596 section 6): a packet to another softwire's address and port goes straight into it"""
    q = udp_q(src=LW, sport=LW_FIRST, dst=LW, dport=LW2_FIRST)
    return dict(config=lw4o6(), transport_in=[from_b4(q, b4=B4S)],
                transport_out=[softwire(translated(q), B4S2)],
                counters=dict(rx_transport=1, decap=1, stateless_out=1, hairpin=1,
                              stateless_in=1, encap=1, tx_transport=1))


@case
def lw4o6_hairpin_off():
    """lw4o6 with softwire_hairpinning off: the same packet leaves by the WAN port"""
    q = udp_q(src=LW, sport=LW_FIRST, dst=LW, dport=LW2_FIRST)
    return dict(config=lw4o6("softwire_hairpinning: false\n"),
                transport_in=[from_b4(q, b4=B4S)], wan_out=[wan_frame(translated(q))],
                counters=dict(rx_transport=1, decap=1, stateless_out=1, tx_wan=1))


@case
def lw4o6_b4_not_natted():
    """A B4 known only by its softwire (outside acl6) is not NATed: its private source is dropped (drop_not_private, ICMPv6 source address failed policy), its lw4o6 source goes out"""
    b4 = "2001:db8:2::5"
    p = udp_q(sport=5000)
    q = udp_q(src=LW, sport=LW_FIRST)
    cfg = "softwires:\n  - {b4: \"%s\", ipv4: %s, psid: 5, psid_len: 6, offset: 6}\n" % (b4, LW)
    return dict(config=cfg, transport_in=[from_b4(p, b4=b4), from_b4(q, b4=b4)],
                wan_out=[wan_frame(translated(q))], transport_out=[policy_fail(p, b4)],
                counters=stateless(out=1, rx_transport=1, decap=1, drop_not_private=1,
                                   icmp_sent=1, tx_transport=1))


@case
def lw4o6_mss_clamped():
    """lw4o6 with MSS clamping (tunnel MTU 1400): a SYN from the Internet to a softwire's port gets MSS 1320, as does the B4's"""
    def syn(src, dst, sport, dport, mss, flags="S"):
        return IP(src=src, dst=dst, ttl=60, id=9) / TCP(sport=sport, dport=dport, flags=flags,
                                                         seq=7, window=8192,
                                                         options=[("MSS", mss)])
    inb, inb_c = syn(SRV, LW, 40000, LW_FIRST, 1460), syn(SRV, LW, 40000, LW_FIRST, 1320)
    out, out_c = (syn(LW, SRV, LW_FIRST, 40000, 1460, "SA"),
                  syn(LW, SRV, LW_FIRST, 40000, 1320, "SA"))
    return dict(config=lw4o6("tunnel_defaults: {mss: true, mtu: 1400}\n"),
                wan_in=[from_net(inb)], transport_in=[from_b4(out, b4=B4S)],
                transport_out=[softwire(translated(inb_c), B4S)],
                wan_out=[wan_frame(translated(out_c))],
                counters=stateless(out=1, back=1, mss_clamped=2))


@case
def lw4o6_only():
    """A lw4o6-only AFTR (no pool): softwires work; a private source has nothing to be NATed to (drop_not_private, ICMPv6 source address failed policy)"""
    q = udp_q(src=LW, sport=LW_FIRST)
    p = udp_q(sport=5000)
    return dict(pools="  []\n", config=lw4o6(),
                transport_in=[from_b4(q, b4=B4S), from_b4(p, b4=B4S)],
                wan_out=[wan_frame(translated(q))], transport_out=[policy_fail(p, B4S)],
                counters=stateless(out=1, rx_transport=1, decap=1, drop_not_private=1,
                                   icmp_sent=1, tx_transport=1))


@case
def prr_both_ways():
    """ISC prr (A+P): a B4's packet from its (pool address, port) goes out untranslated and the reply comes back; another port of it is out of range"""
    q = udp_q(src=POOL, sport=1000)
    other = udp_q(src=POOL, sport=1001, data=b"other")
    r = udp_r(1000)
    err = admin_prohibited(translated(other), POOL)
    cfg = "prr:\n  - {b4: \"%s\", protocol: udp, address: %s, port: 1000}\n" % (B4, POOL)
    return dict(pools="  - {address: %s, udp: 2000-65535}\n" % POOL, config=cfg,
                transport_in=[from_b4(q), from_b4(other)], wan_in=[from_net(r)],
                wan_out=[wan_frame(translated(q))],
                transport_out=[softwire(err), softwire(translated(r))],
                counters=stateless(out=1, back=1, rx_transport=1, decap=1, encap=1,
                                   tx_transport=1, icmp_sent=1, drop_out_of_range=1),
                unordered=True)


@case
def nonat_both_ways():
    """ISC nonat: a B4 owning a prefix sends from any of its addresses untranslated; the reply goes to that B4"""
    q = tcp_q(src=NONAT_HOST, sport=22222)
    r = tcp_r(22222, dst=NONAT_HOST, sport=80)
    cfg = "nonat:\n  - {b4: \"%s\", prefix: %s}\n" % (B4N, NONAT_PFX)
    return dict(config=cfg, transport_in=[from_b4(q, b4=B4N)], wan_in=[from_net(r)],
                wan_out=[wan_frame(translated(q))], transport_out=[softwire(translated(r), B4N)],
                counters=stateless(out=1, back=1))


@case
def nonat_tunnel_settings():
    """ISC per-tunnel settings on a nonat B4 outside acl6 (a tunnels entry with mtu 1300 only): a reply one byte over goes in IPv6 fragments; its private source is still not NATed (drop_not_private)"""
    b4 = "2001:db8:2::7"
    big = udp_r(5000, dst=NONAT_HOST, data=b"n" * (1300 - 40 + 1 - 28))
    p = udp_q(sport=5000)
    cfg = ("nonat:\n  - {b4: \"%s\", prefix: %s}\ntunnels:\n  - {b4: \"%s\", mtu: 1300}\n"
           % (b4, NONAT_PFX, b4))
    fr = frags6(translated(big), 1300, b4=b4)
    return dict(config=cfg, wan_in=[from_net(big)], transport_in=[from_b4(p, b4=b4)],
                transport_out=fr,
                counters=dict(rx_wan=1, stateless_in=1, encap=1, encap_fragmented=1,
                              ip6_fragments_sent=len(fr), tx_transport=len(fr), rx_transport=1,
                              decap=1, drop_not_private=1))


@case
def mixed_modes():
    """NAPT, lw4o6 and nonat side by side: each B4's packet takes its own path"""
    n = udp_q()
    l = udp_q(src=LW, sport=LW_FIRST)
    o = udp_q(src=NONAT_HOST, sport=7000)
    cfg = lw4o6("nonat:\n  - {b4: \"%s\", prefix: %s}\n" % (B4N, NONAT_PFX))
    return dict(config=cfg,
                transport_in=[from_b4(n), from_b4(l, b4=B4S), from_b4(o, b4=B4N)],
                wan_out=[to_net(n, sport=UDP0), wan_frame(translated(l)),
                         wan_frame(translated(o))],
                counters=dict(rx_transport=3, decap=3, nat_out=1, stateless_out=2, tx_wan=3,
                              session_created=1, block_allocated=1, tunnel_created=1))


# --- static NAT (ISC "nat"), with and without its filter -------------------

def static_nat(filter_=""):
    """A port forward: pool TCP port 1080 (below the dynamic range) to LAN:80 of B4."""
    return ("static_nat:\n  - {b4: \"%s\", protocol: tcp, address: %s, port: 80, "
            "external_address: %s, external_port: 1080%s}\n" % (B4, LAN, POOL, filter_))


@case
def static_nat_both_ways():
    """Static NAT (ISC nat): a SYN to pool port 1080 reaches LAN:80 behind the B4, the SYN-ACK leaves from 1080; no port block"""
    syn = tcp_r(1080, sport=40000, flags="S", seq=1000, ack=0)
    synack = tcp_q(sport=80, dport=40000, flags="SA", seq=5, ack=1001)
    return dict(config=static_nat(), transport_in=[from_b4(synack)], wan_in=[from_net(syn)],
                wan_out=[to_net(synack, sport=1080)], transport_out=[to_b4(syn, dport=80)],
                counters=napt(out=1, back=1, sessions=1, static_session_created=1))


@case
def static_nat_filter():
    """A static mapping's filter (ISC filter): only 203.0.113.7 gets in (drop_filtered); the other host's SYN does not"""
    other = tcp_r(1080, src=SRV2, sport=40001, flags="S", seq=1, ack=0)
    syn = tcp_r(1080, sport=40000, flags="S", seq=1000, ack=0)
    return dict(config=static_nat(", filter: {destination: %s/32}" % SRV),
                wan_in=[from_net(other), from_net(syn)], transport_out=[to_b4(syn, dport=80)],
                counters=napt(back=1, sessions=1, static_session_created=1, rx_wan=1,
                              drop_filtered=1))


@case
def static_nat_unmapped_port():
    """A pool port outside every block and mapping finds nothing (drop_no_session)"""
    syn = tcp_r(1081, sport=40000, flags="S", seq=1000, ack=0)
    return dict(config=static_nat(), wan_in=[from_net(syn)],
                counters=dict(rx_wan=1, drop_no_session=1))


@case
def two_b4s_same_private_address():
    """Two B4s using the same private address and port get different public ports, replies go to each"""
    qa, qb = udp_q(), udp_q()
    ra, rb = udp_r(UDP0, data=b"to A"), udp_r(UDP0 + UDP_BLOCK, data=b"to B")
    return dict(transport_in=[from_b4(qa, b4=B4), from_b4(qb, b4=B4B)],
                wan_in=[from_net(rb), from_net(ra)],
                wan_out=[to_net(qa, sport=UDP0), to_net(qb, sport=UDP0 + UDP_BLOCK)],
                transport_out=[to_b4(rb, dport=5000, b4=B4B), to_b4(ra, dport=5000, b4=B4)],
                counters=napt(out=2, back=2, sessions=2, blocks=2, tunnels=2))


@case
def ttl_and_tos():
    """TTL is decremented both ways; the inner TOS is kept and copied to the outer traffic class"""
    q = udp_q(ttl=30, tos=0xb8)  # DSCP EF
    r = udp_r(UDP0, ttl=20, tos=0xb9)  # EF, ECT(1)
    return dict(transport_in=[from_b4(q, tc=0x20)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def outer_hop_limit_one():
    """Outer hop limit 1 is fine: the endpoint is the softwire's destination (RFC 8200)"""
    q = udp_q()
    return dict(transport_in=[from_b4(q, hlim=1)], wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1))


def encap_limit(nh, limit=4):
    """A destination options header with the Tunnel Encapsulation Limit
    option (RFC 2473 section 4.1.1), as a Linux ip6tnl B4 adds."""
    return IPv6ExtHdrDestOpt(nh=nh, options=[HBHOptUnknown(otype=4, optdata=bytes([limit])),
                                             PadN(optdata=b"\0")])


@case
def softwire_with_encap_limit():
    """A softwire packet behind a destination options header (encapsulation limit, RFC 2473 4.1.1) is decapsulated"""
    q = udp_q()
    frame = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=64) / encap_limit(4) / q
    return dict(transport_in=[frame], wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1))


@case
def udp_zero_checksum():
    """UDP without checksum (0) stays without one both ways (RFC 768)"""
    q = udp_q()
    q[UDP].chksum = 0
    r = udp_r(UDP0)
    r[UDP].chksum = 0
    out, back = to_net(q, sport=UDP0), to_b4(r, dport=5000)
    out[UDP].chksum = 0
    back[UDP].chksum = 0
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)], wan_out=[out],
                transport_out=[back],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def udp_checksum_all_ones():
    """A translated UDP checksum that computes to 0 is sent as 0xffff (RFC 768)"""
    # Two payload bytes chosen so that the translated datagram sums to zero.
    for x in range(65536):
        q = udp_q(data=struct.pack("!H", x))
        t = translated(q, src=POOL, sport=UDP0)
        t[UDP].chksum = 0
        if in4_chksum(17, t, bytes(t[UDP])) == 0:
            break
    out = to_net(q, sport=UDP0)
    assert out[UDP].chksum == 0xffff
    return dict(transport_in=[from_b4(q)], wan_out=[out],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1))


@case
def ethernet_padding_trimmed():
    """Bytes after the IPv6 payload and Ethernet padding on the WAN are not forwarded"""
    q = udp_q()
    r = udp_r(UDP0, data=b"a")  # 43 bytes: padded to 60 on the wire
    return dict(transport_in=[from_b4(q) / Padding(b"\0" * 6)],
                wan_in=[from_net(r) / Padding(b"\0" * 17)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def hairpin_udp():
    """B4 A sends to the public address and port of B4 B: it hairpins with A's public source (RFC 4787 REQ-9)"""
    qb = udp_q(src=LAN2, sport=6000)  # B's session: 512 (first subscriber)
    qa = udp_q(dst=POOL, dport=UDP0)  # A's session: 520, to B's 512
    back = softwire(translated(qa, src=POOL, sport=UDP0 + UDP_BLOCK, dst=LAN2, dport=6000),
                    b4=B4B)
    return dict(transport_in=[from_b4(qb, b4=B4B), from_b4(qa, b4=B4)],
                wan_out=[to_net(qb, sport=UDP0)], transport_out=[back],
                counters=dict(rx_transport=2, decap=2, nat_out=2, tx_wan=1, hairpin=1, nat_in=1,
                              encap=1, tx_transport=1, session_created=2, block_allocated=2,
                              tunnel_created=2))


@case
def wan_ttl_expired():
    """A reply with TTL 1 is not forwarded: ICMP time exceeded from the WAN address (RFC 1812 5.3.1)"""
    q = udp_q()
    r = udp_r(UDP0, ttl=1)
    err = icmp_error(WAN_ADDR, SRV, 11, 0, bytes(r), ttl=64)
    err.id = 0
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0), wan_frame(fresh(err))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, tx_wan=1,
                              icmp_sent=1, drop_ttl_expired=1))


@case
def no_icmp_about_icmp_errors():
    """ICMP errors whose TTL runs out are dropped without a time exceeded about them (RFC 1812 4.3.2.7)"""
    about = bytes(fresh(IP(src=SRV, dst=LAN, ttl=50) / UDP(sport=53, dport=5000)))
    inner = icmp_error(LAN, SRV, 3, 3, about, ttl=1)
    quote = bytes(fresh(IP(src=POOL, dst=SRV, ttl=63) / UDP(sport=UDP0, dport=53)))
    outer = icmp_error(ROUTER, POOL, 11, 0, quote, ttl=1)
    return dict(transport_in=[from_b4(inner)], wan_in=[from_net(outer)],
                counters=dict(rx_transport=1, rx_wan=1, drop_ttl_expired=2))


# --- per-subscriber limits (RFC 6888 REQ-4, REQ-5) ---------------------------


@case
def nat_limit():
    """nat_maxcount udp 1: a second UDP session is refused (drop_nat_limit), the first goes on"""
    s1, s2, s1b = udp_q(sport=5000), udp_q(sport=5001), udp_q(sport=5000, data=b"again")
    return dict(config="tunnel_defaults:\n  nat_maxcount:\n    udp: 1\n",
                transport_in=[from_b4(s1), from_b4(s2), from_b4(s1b)],
                wan_out=[to_net(s1, sport=UDP0), to_net(s1b, sport=UDP0)],
                counters=napt(out=2, sessions=1, blocks=1, tunnels=1, rx_transport=1, decap=1,
                              drop_nat_limit=1))


@case
def nat_rate():
    """nat_rate udp 1: a second new UDP session in the same second is refused (drop_nat_rate)"""
    s1, s2, s1b = udp_q(sport=5000), udp_q(sport=5001), udp_q(sport=5000, data=b"again")
    return dict(config="tunnel_defaults:\n  nat_rate:\n    udp: 1\n",
                transport_in=[from_b4(s1), from_b4(s2), from_b4(s1b)],
                wan_out=[to_net(s1, sport=UDP0), to_net(s1b, sport=UDP0)],
                counters=napt(out=2, sessions=1, blocks=1, tunnels=1, rx_transport=1, decap=1,
                              drop_nat_rate=1))


@case
def ports_exhausted_max_blocks():
    """One block of 2 UDP ports per subscriber: the third session finds no port (drop_ports_exhausted)"""
    qs = [udp_q(sport=5000 + i) for i in range(3)]
    return dict(config="nat:\n  port_block:\n    udp: 2\n  max_blocks:\n    udp: 1\n",
                transport_in=[from_b4(q) for q in qs],
                wan_out=[to_net(qs[0], sport=UDP0), to_net(qs[1], sport=UDP0 + 1)],
                counters=napt(out=2, sessions=2, blocks=1, tunnels=1, rx_transport=1, decap=1,
                              drop_ports_exhausted=1))


@case
def ports_exhausted_pool():
    """A pool with one UDP block: the second subscriber gets no port (drop_ports_exhausted)"""
    qa, qb = udp_q(), udp_q()
    return dict(pools="  - address: %s\n    udp: 512-519\n" % POOL,
                transport_in=[from_b4(qa, b4=B4), from_b4(qb, b4=B4B)],
                wan_out=[to_net(qa, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=2, rx_transport=1, decap=1,
                              drop_ports_exhausted=1))


@case
def session_expiry():
    """With 1 s lifetimes and no hold time the idle session expires and its block is freed"""
    q = udp_q()
    return dict(config="nat:\n  lifetime:\n    udp: 1\n    retrans: 1\n  hold_lifetime: 0\n",
                transport_in=[from_b4(q)], wan_out=[to_net(q, sport=UDP0)], wait=3,
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, session_expired=1,
                              block_freed=1))


# --- tunnels and pools --------------------------------------------------------


@case
def acl6_drop():
    """A softwire from outside acl6 is dropped and counted (ISC: filtered by IPv6 ACL)"""
    q = udp_q()
    return dict(transport_in=[from_b4(q, b4="2001:db8:2::2")],
                counters=dict(rx_transport=1, drop_acl6=1))


@case
def auto_tunnels_off():
    """Automatic tunnels off: an unconfigured B4 is dropped (drop_no_tunnel), a configured one passes"""
    qa, qb = udp_q(), udp_q()
    return dict(config="tunnel_defaults:\n  auto: false\ntunnels:\n  - b4: %s\n" % B4B,
                transport_in=[from_b4(qa, b4=B4), from_b4(qb, b4=B4B)],
                wan_out=[to_net(qb, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_no_tunnel=1))


@case
def paired_pooling():
    """A tunnel bound to the second pool address uses it for UDP, TCP and ping (RFC 6888 REQ-2)"""
    qs = [udp_q(), tcp_q(), ping_q()]
    r = udp_r(UDP0, dst=POOL2)
    return dict(pools="  - address: %s\n  - address: %s\n" % (POOL, POOL2),
                config="tunnels:\n  - b4: %s\n    ipv4: %s\n" % (B4, POOL2),
                transport_in=[from_b4(q) for q in qs], wan_in=[from_net(r)],
                wan_out=[to_net(q, src=POOL2, sport=p) for q, p in zip(qs, (UDP0, TCP0, ECHO0))],
                transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=3, back=1, sessions=3, blocks=3, tunnels=1))


def frags6(inner, mtu, b4=B4, ident=0, equal=False):
    """An inner packet encapsulated and sent in IPv6 fragments of at most
    mtu bytes (RFC 2473 section 7, RFC 8200 section 4.5): the fragment
    header right after the IPv6 header, offsets in 8-byte units."""
    data = bytes(fresh(inner))
    size = (mtu - 40 - 8) & ~7
    if equal:
        n = (len(data) + size - 1) // size
        size = ((len(data) + n - 1) // n + 7) & ~7
    out = []
    for off in range(0, len(data), size):
        chunk = data[off:off + size]
        more = 1 if off + len(chunk) < len(data) else 0
        out.append(Ether(src=TR_MAC, dst=GW_T)
                   / IPv6(src=EP, dst=b4, hlim=64, tc=inner.tos, nh=44)
                   / IPv6ExtHdrFragment(nh=4, offset=off // 8, m=more, id=ident)
                   / Raw(chunk))
    return out


def frag_needed(quote, mtu):
    """ICMPv4 fragmentation needed (RFC 1191) from the WAN address, quoting
    the IPv4 header and 8 bytes of the packet as forwarded."""
    q = bytes(quote)
    hl = (q[0] & 15) * 4
    return IP(src=WAN_ADDR, dst=SRV, ttl=64, id=0) / ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(
        q[:hl + 8])


def too_big(policy=None, df=True, mtu=1280, equal=False, tunnel_mtu=None):
    """A reply 1 byte too big for the softwire (MTU `mtu`), under `policy`."""
    q = udp_q()
    big = udp_r(UDP0, data=b"b" * (mtu - 40 + 1 - 28), flags="DF" if df else 0)
    inner = translated(big, dst=LAN, dport=5000)
    cfg = ""
    if policy or equal:
        cfg += "tunnel_defaults: {toobig: %s}\n" % (policy or "on")
    if equal:
        cfg += "fragment: {equal: true}\n"
    if tunnel_mtu:
        cfg += "tunnels: [{b4: \"%s\", mtu: %d}]\n" % (B4, tunnel_mtu)
    d = dict(config=cfg, transport_in=[from_b4(q)], wan_in=[from_net(big)],
             wan_out=[to_net(q, sport=UDP0)],
             counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))
    if not tunnel_mtu:
        d["transport_mtu"] = mtu
    err = df and policy != "off"
    if err:
        d["wan_out"].append(wan_frame(frag_needed(translated(big), mtu - 40)))
        d["counters"].update(icmp_sent=1, tx_wan=2)
    if df and policy == "strict":
        d["counters"].update(encap=0, tx_transport=0, drop_too_big=1)
    else:
        fr = frags6(inner, mtu, equal=equal)
        d["transport_out"] = fr
        d["counters"].update(encap_fragmented=1, ip6_fragments_sent=len(fr), tx_transport=len(fr))
    return d


@case
def too_big_fragmented():
    """RFC 6333 6.3: a DF-clear reply too big for the softwire (MTU 1280) is encapsulated and sent in IPv6 fragments"""
    return too_big(df=False)


@case
def too_big_df_on():
    """toobig on (the default): a DF reply too big is sent in IPv6 fragments and its source gets fragmentation needed with MTU 1240"""
    return too_big()


@case
def too_big_df_off():
    """toobig off: a DF reply too big is sent in IPv6 fragments, no ICMP"""
    return too_big("off")


@case
def too_big_df_strict():
    """toobig strict: a DF reply too big is dropped (drop_too_big) with fragmentation needed back"""
    return too_big("strict")


@case
def too_big_df_strict_silent():
    """toobig strict with icmp.wan.too_big off: a DF reply too big is dropped silently (icmp_not_sent)"""
    d = too_big("strict")
    d["config"] += "icmp: {wan: {too_big: false}}\n"
    d["wan_out"] = d["wan_out"][:1]
    d["counters"].update(icmp_sent=0, tx_wan=1, icmp_not_sent=1)
    return d


@case
def too_big_equal_fragments():
    """default fragment equal (ISC eqfrag): the IPv6 fragments are of one size"""
    return too_big(df=False, equal=True)


@case
def too_big_tunnel_mtu():
    """A tunnel's own MTU (1300, transport 1500): a reply of 1261 bytes is fragmented"""
    return too_big(df=False, mtu=1300, tunnel_mtu=1300)


# --- the WAN MTU (RFC 791, RFC 1191) ----------------------------------------

WAN_MTU = 1280


def frags4(ip, mtu, copied=None):
    """An IPv4 packet in fragments of at most `mtu` bytes, as a router makes
    them (RFC 791 section 3.2): the first with the whole header, the others
    with only the options given as `copied` (those with the copied flag);
    MF and the offset set, data in multiples of 8 bytes but the last."""
    raw = bytes(fresh(ip))
    hl = (raw[0] & 15) * 4
    data, out, off = raw[hl:], [], 0
    while off < len(data):
        if off == 0:
            f = IP(raw[:hl])
        else:
            f = IP(raw[:20])
            f.options = copied or []
            f.ihl = None
        h = len(bytes(f)) if off else hl
        piece = data[off:off + ((mtu - h) & ~7)]
        f.flags = "MF" if off + len(piece) < len(data) else 0
        f.frag = off // 8
        f.len = h + len(piece)
        f.chksum = None
        out.append(IP(bytes(f) + piece))
        off += len(piece)
    return out


def wan_mtu_udp(size, flags=0):
    """A UDP packet of `size` bytes in all from a host behind B4."""
    return udp_q(data=b"w" * (size - 28), flags=flags)


@case
def wan_mtu_exact():
    """A packet of exactly the WAN MTU (1280) leaves whole"""
    q = wan_mtu_udp(WAN_MTU)
    return dict(wan_mtu=WAN_MTU, transport_in=[from_b4(q)], wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1))


@case
def wan_mtu_fragmented():
    """RFC 791: a DF-clear packet one byte over the WAN MTU (1280) leaves in two IPv4 fragments"""
    q = wan_mtu_udp(WAN_MTU + 1)
    fr = frags4(translated(q, src=POOL, sport=UDP0), WAN_MTU)
    return dict(wan_mtu=WAN_MTU, transport_in=[from_b4(q)], wan_out=[wan_frame(f) for f in fr],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, tx_wan=len(fr) - 1,
                              ip4_fragmented=1, ip4_fragments_sent=len(fr)))


@case
def wan_mtu_big_fragmented():
    """RFC 791: a 1,460-byte DF-clear TCP segment leaves in fragments of at most the WAN MTU (576)"""
    q = tcp_q(flags="A") / Raw(b"t" * (1460 - 40))
    fr = frags4(translated(fresh(q), src=POOL, sport=TCP0), 576)
    return dict(wan_mtu=576, transport_in=[from_b4(q)], wan_out=[wan_frame(f) for f in fr],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, tx_wan=len(fr) - 1,
                              ip4_fragmented=1, ip4_fragments_sent=len(fr)))


@case
def wan_mtu_options():
    """RFC 791 3.1: over the WAN MTU, the first fragment keeps every option, the others only router alert (copied flag), not a full record route"""
    ra, rr = IPOption_Router_Alert(), IPOption_RR(pointer=8, routers=["10.0.0.1"])
    q = udp_q(data=b"o" * (WAN_MTU + 1 - 28 - 12), options=[ra, rr])
    fr = frags4(translated(q, src=POOL, sport=UDP0), WAN_MTU, copied=[IPOption_Router_Alert()])
    return dict(wan_mtu=WAN_MTU, transport_in=[from_b4(q)], wan_out=[wan_frame(f) for f in fr],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, tx_wan=len(fr) - 1,
                              ip4_fragmented=1, ip4_fragments_sent=len(fr)))


@case
def wan_mtu_df():
    """RFC 1191: a DF packet one byte over the WAN MTU is dropped (drop_wan_too_big); fragmentation needed with MTU 1280 goes back into the softwire, translated (RFC 5508)"""
    q = wan_mtu_udp(WAN_MTU + 1, flags="DF")
    quote = bytes(translated(q))[:576 - 28]  # RFC 1812 4.3.2.3, as the host sent it
    err = IP(src=WAN_ADDR, dst=LAN, ttl=64, id=0) / ICMP(type=3, code=4, nexthopmtu=WAN_MTU) / Raw(
        quote)
    return dict(wan_mtu=WAN_MTU, transport_in=[from_b4(q)], transport_out=[softwire(err)],
                counters=dict(rx_transport=1, decap=1, nat_out=1, session_created=1,
                              block_allocated=1, tunnel_created=1, drop_wan_too_big=1,
                              icmp_sent=1, icmp_error_in=1, encap=1, tx_transport=1))


@case
def wan_mtu_df_silent():
    """icmp.transport.too_big off: a DF packet over the WAN MTU is dropped with no fragmentation needed (icmp_not_sent)"""
    q = wan_mtu_udp(WAN_MTU + 1, flags="DF")
    return dict(wan_mtu=WAN_MTU, config="icmp: {transport: {too_big: false}}\n",
                transport_in=[from_b4(q)],
                counters=dict(rx_transport=1, decap=1, nat_out=1, session_created=1,
                              block_allocated=1, tunnel_created=1, drop_wan_too_big=1,
                              icmp_not_sent=1))


@case
def wan_mtu_df_lw4o6():
    """RFC 1191 for lw4o6: fragmentation needed for a DF packet over the WAN MTU finds the B4's softwire by the quoted source address and port"""
    q = udp_q(src=LW, sport=LW_FIRST, data=b"w" * (WAN_MTU + 1 - 28), flags="DF")
    quote = bytes(translated(q))[:576 - 28]
    err = IP(src=WAN_ADDR, dst=LW, ttl=64, id=0) / ICMP(type=3, code=4, nexthopmtu=WAN_MTU) / Raw(
        quote)
    return dict(config=lw4o6(), wan_mtu=WAN_MTU, transport_in=[from_b4(q, b4=B4S)],
                transport_out=[softwire(err, B4S)],
                counters=dict(rx_transport=1, decap=1, stateless_out=1, drop_wan_too_big=1,
                              icmp_sent=1, stateless_in=1, encap=1, tx_transport=1))


# --- 802.1Q VLANs, one-port mode, own MACs ----------------------------------

VT, VW = 100, 200  # the transport's and the WAN's VLAN ids


def tag(f, vlan, tpid=0x8100, prio=0):
    """f with an 802.1Q tag (or, with tpid 0x88a8, an 802.1ad service tag)
    after its Ethernet addresses (IEEE 802.1Q: the tag's TCI is priority,
    DEI, VLAN id)."""
    e = f[Ether]
    return Ether(src=e.src, dst=e.dst, type=tpid) / Dot1Q(vlan=vlan, prio=prio) / e.payload.copy()


def vlan_udp(one_port=False, macs=None):
    """UDP out and back with the transport on VLAN 100 and the WAN on 200."""
    q, r = udp_q(), udp_r(UDP0)
    tr_mac, wan_mac = macs or ((TR_MAC, TR_MAC) if one_port else (TR_MAC, WAN_MAC))
    out, back = to_net(q, sport=UDP0), to_b4(r, dport=5000)
    out[Ether].src, back[Ether].src = wan_mac, tr_mac
    up = tag(from_b4(q), VT)
    up[Ether].dst = tr_mac
    return dict(vlans=(VT, VW), one_port=one_port, macs=macs or (None, None),
                transport_in=[up], wan_in=[tag(Ether(src=GW_W, dst=wan_mac) / r, VW)],
                wan_out=[tag(out, VW)], transport_out=[tag(back, VT)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def vlan_both_ways():
    """802.1Q: the transport on VLAN 100 and the WAN on VLAN 200 (two devices): tagged frames in, tags written on output"""
    return vlan_udp()


@case
def vlan_wrong_tags():
    """802.1Q: frames of another VLAN, untagged, or with an 802.1ad service tag are dropped (drop_wrong_vlan)"""
    q = udp_q()
    d = vlan_udp()
    d["transport_in"] = [tag(from_b4(udp_q(sport=5001)), VT + 1), from_b4(udp_q(sport=5002)),
                         tag(from_b4(udp_q(sport=5003)), VT, tpid=0x88a8),
                         tag(from_b4(q), VT)]
    d["counters"].update(rx_transport=4, drop_wrong_vlan=3)
    return d


@case
def vlan_tag_on_untagged_interface():
    """An untagged interface drops a frame tagged with a VLAN (drop_wrong_vlan) and takes a priority-tagged one (VLAN id 0, IEEE 802.1Q) as untagged"""
    q = udp_q()
    return dict(transport_in=[tag(from_b4(udp_q(sport=5001)), VT), tag(from_b4(q), 0, prio=5)],
                wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_wrong_vlan=1))


@case
def vlan_arp_and_nd():
    """ARP for the WAN address is answered on VLAN 200 and neighbor solicitation for the endpoint on VLAN 100"""
    req = tag(arp(1, GW_W, WAN_GW, WAN_ADDR), VW)
    rep = tag(arp(2, WAN_MAC, WAN_ADDR, WAN_GW, dst_mac=GW_W, hwdst=GW_W), VW)
    return dict(vlans=(VT, VW), wan_in=[req], wan_out=[rep],
                transport_in=[tag(neighbor_solicitation(EP), VT)],
                transport_out=[tag(neighbor_advertisement(EP), VT)],
                counters=dict(rx_wan=1, tx_wan=1, rx_transport=1, tx_transport=1,
                              to_control=2))


@case
def one_port_vlans():
    """One-port mode: the transport (VLAN 100) and the WAN (VLAN 200) on one device, told apart by tag, with ARP answered on the WAN's VLAN"""
    d = vlan_udp(one_port=True)
    req = tag(arp(1, GW_W, WAN_GW, WAN_ADDR, dst_mac=BCAST), VW)
    rep = tag(arp(2, TR_MAC, WAN_ADDR, WAN_GW, dst_mac=GW_W, hwdst=GW_W), VW)
    d["wan_in"].append(req)
    d["wan_out"].append(rep)
    d["counters"].update(rx_wan=2, tx_wan=2, to_control=1)
    return d


@case
def one_port_untagged():
    """One-port mode, both interfaces untagged: IPv6 is the transport's, IPv4 and ARP the WAN's (by EtherType)"""
    q, r = udp_q(), udp_r(UDP0)
    out, back = to_net(q, sport=UDP0), to_b4(r, dport=5000)
    out[Ether].src = TR_MAC
    req = arp(1, GW_W, WAN_GW, WAN_ADDR)
    rep = arp(2, TR_MAC, WAN_ADDR, WAN_GW, dst_mac=GW_W, hwdst=GW_W)
    return dict(one_port=True, transport_in=[from_b4(q)],
                wan_in=[Ether(src=GW_W, dst=TR_MAC) / r, req], wan_out=[out, rep],
                transport_out=[back],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, tx_wan=1,
                              to_control=1))


@case
def own_macs():
    """interfaces.*.mac: frames leave from the configured MACs, and ARP answers with the WAN's"""
    macs = ("02:00:5e:00:10:01", "02:00:5e:00:20:01")
    d = vlan_udp(macs=macs)
    req = tag(arp(1, GW_W, WAN_GW, WAN_ADDR), VW)
    rep = tag(arp(2, macs[1], WAN_ADDR, WAN_GW, dst_mac=GW_W, hwdst=GW_W), VW)
    d["wan_in"].append(req)
    d["wan_out"].append(rep)
    d["counters"].update(rx_wan=2, tx_wan=2, to_control=1)
    d["unordered"] = True
    return d


# --- jumbo frames -----------------------------------------------------------

JUMBO = 9000  # the IPv4 packet; its 4in6 packet is 9040 bytes
JUMBO_CFG = "tunnel_defaults: {mtu: 9040}\n"


@case
def jumbo_napt_both_ways():
    """Jumbo frames: a 9,000-byte UDP packet from a B4 (transport MTU 9040) and its 9,000-byte reply (WAN MTU 9000) pass whole, translated both ways"""
    q = udp_q(data=b"j" * (JUMBO - 28))
    r = udp_r(UDP0, data=b"k" * (JUMBO - 28))
    return dict(config=JUMBO_CFG, transport_mtu=JUMBO + 40, wan_mtu=JUMBO,
                transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1))


@case
def jumbo_lw4o6_both_ways():
    """Jumbo frames, lw4o6: 9,000-byte packets both ways through a softwire with MTU 9040"""
    q = udp_q(src=LW, sport=LW_FIRST, data=b"j" * (JUMBO - 28))
    r = udp_r(LW_FIRST, dst=LW, data=b"k" * (JUMBO - 28))
    return dict(config=lw4o6(JUMBO_CFG), transport_mtu=JUMBO + 40, wan_mtu=JUMBO,
                transport_in=[from_b4(q, b4=B4S)], wan_in=[from_net(r)],
                wan_out=[wan_frame(translated(q))], transport_out=[softwire(translated(r), B4S)],
                counters=stateless(out=1, back=1))


@case
def jumbo_to_1500_softwire():
    """A 9,000-byte reply from a jumbo WAN (MTU 9000) into a 1500-byte softwire leaves in seven IPv6 fragments (RFC 6333 6.3)"""
    q = udp_q()
    r = udp_r(UDP0, data=b"k" * (JUMBO - 28))
    fr = frags6(translated(r, dst=LAN, dport=5000), 1500)
    return dict(wan_mtu=JUMBO, transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=fr,
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1,
                              tx_transport=len(fr) - 1, encap_fragmented=1,
                              ip6_fragments_sent=len(fr)))


@case
def jumbo_to_1500_wan():
    """A 9,000-byte packet from a jumbo softwire (MTU 9040) to a 1500-byte WAN leaves in seven IPv4 fragments (RFC 791)"""
    q = udp_q(data=b"j" * (JUMBO - 28))
    fr = frags4(translated(q, src=POOL, sport=UDP0), 1500)
    return dict(config=JUMBO_CFG, transport_mtu=JUMBO + 40, transport_in=[from_b4(q)],
                wan_out=[wan_frame(f) for f in fr],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, tx_wan=len(fr) - 1,
                              ip4_fragmented=1, ip4_fragments_sent=len(fr)))


@case
def jumbo_reassembled():
    """A 9,000-byte packet a B4 sends in seven IPv6 fragments is reassembled into one buffer and leaves whole on a jumbo WAN"""
    q = udp_q(data=b"j" * (JUMBO - 28))
    fr = b4_frags(q, 1448)
    return dict(wan_mtu=JUMBO, transport_in=fr, wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=len(fr) - 1,
                              ip6_fragments_received=len(fr), ip6_reassembled=1))


@case
def frame_over_the_buffers():
    """With 1500-byte MTUs (2 KB buffers) a 3,000-byte frame cannot be one buffer: dropped (drop_multi_segment), the next one forwarded"""
    big = udp_q(data=b"x" * (3000 - 28 - 40 - 14))
    q = udp_q(sport=5001)
    return dict(transport_in=[from_b4(big), from_b4(q)], wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_multi_segment=1))


def b4_frags(inner, size, b4=B4, ident=7):
    """An inner packet a B4 sends in IPv6 fragments carrying `size` bytes
    each (the last fewer), as its kernel does above its path MTU."""
    data = bytes(fresh(inner))
    out = []
    for off in range(0, len(data), size):
        chunk = data[off:off + size]
        more = 1 if off + len(chunk) < len(data) else 0
        out.append(Ether(src=GW_T, dst=TR_MAC) / IPv6(src=b4, dst=EP, hlim=64, nh=44)
                   / IPv6ExtHdrFragment(nh=4, offset=off // 8, m=more, id=ident) / Raw(chunk))
    return out


def big_udp_q(n=1400):
    return udp_q(data=b"q" * (n - 28))


@case
def frag6_reassembled():
    """RFC 6333 6.3: a 4in6 packet a B4 sent in two IPv6 fragments is reassembled, then NATed"""
    q = big_udp_q()
    fr = b4_frags(q, 1232)
    return dict(transport_in=fr, wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              ip6_fragments_received=2, ip6_reassembled=1))


@case
def frag6_out_of_order():
    """IPv6 fragments out of order (the last first, three of them) are reassembled"""
    q = big_udp_q()
    fr = b4_frags(q, 512)
    return dict(transport_in=list(reversed(fr)), wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=2,
                              ip6_fragments_received=3, ip6_reassembled=1))


@case
def frag6_overlap():
    """Overlapping IPv6 fragments (RFC 5722): the packet is dropped whole (ip6_fragment_dropped)"""
    q = big_udp_q()
    data = bytes(fresh(q))
    f1 = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=64, nh=44)
          / IPv6ExtHdrFragment(nh=4, offset=0, m=1, id=9) / Raw(data[:800]))
    f2 = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=64, nh=44)
          / IPv6ExtHdrFragment(nh=4, offset=(800 - 8 * 8) // 8, m=0, id=9)
          / Raw(data[800 - 64:]))
    return dict(transport_in=[f1, f2],
                counters=dict(rx_transport=2, ip6_fragments_received=2,
                              drop_ip6_fragment_dropped=2))


@case
def frag6_hole_found_when_chained():
    """Fragments that add up to the datagram but overlap in one place and leave a hole in another (RFC 5722): all four dropped and counted, two of them already chained when the hole showed"""
    data = bytes(fresh(big_udp_q()))
    assert len(data) == 1400
    parts = ((0, 496, 1), (488, 104, 1), (600, 400, 1), (1000, 400, 0))
    fr = [Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=64, nh=44)
          / IPv6ExtHdrFragment(nh=4, offset=o // 8, m=m, id=11) / Raw(data[o:o + n])
          for o, n, m in parts]
    return dict(transport_in=fr,
                counters=dict(rx_transport=4, ip6_fragments_received=4,
                              drop_ip6_fragment_dropped=4))


@case
def frag6_disabled():
    """fragment ipv6_maxcount 0 disables reassembly: the fragments are dropped (ip6_fragment_dropped)"""
    fr = b4_frags(big_udp_q(), 1232)
    return dict(config="fragment: {ipv6_maxcount: 0}\n", transport_in=fr,
                counters=dict(rx_transport=2, ip6_fragments_received=2,
                              drop_ip6_fragment_dropped=2))


@case
def frag6_timeout():
    """A fragment whose other half never comes is dropped after the fragment lifetime (1 s here)"""
    q = big_udp_q()
    fr = b4_frags(q, 1232)
    return dict(config="fragment: {lifetime: 1}\n", transport_in=fr[:1], wait=3,
                counters=dict(rx_transport=1, ip6_fragments_received=1,
                              drop_ip6_fragment_dropped=1))


@case
def two_workers_handoff():
    """Two workers: the softwire owned by worker 1 is handed over both ways and uses worker 1's block"""
    assert b4_owner(B4, 2) == 1 and b4_owner(B4C, 2) == 0
    # Only one RX queue per port (one rx_pcap): worker 0 receives everything.
    qa, qc = udp_q(data=b"from A"), udp_q(data=b"from C")
    pa, pc = UDP0 + 1 * UDP_BLOCK, UDP0  # first block of each owner
    ra, rc = udp_r(pa, data=b"to A"), udp_r(pc, data=b"to C")
    return dict(workers=2, transport_in=[from_b4(qa, b4=B4), from_b4(qc, b4=B4C)],
                wan_in=[from_net(ra), from_net(rc)],
                wan_out=[to_net(qa, sport=pa), to_net(qc, sport=pc)],
                transport_out=[to_b4(ra, dport=5000, b4=B4), to_b4(rc, dport=5000, b4=B4C)],
                counters=napt(out=2, back=2, sessions=2, blocks=2, tunnels=2, handoff_sent=2,
                              handoff_received=2))


# --- ICMP errors from the Internet (RFC 5508 REQ-3) ---------------------------


@case
def icmp_port_unreachable_udp():
    """Port unreachable about a UDP session: outer destination, quoted source and all checksums rewritten"""
    q = udp_q()
    out = translated(q, src=POOL, sport=UDP0)
    err = icmp_error(SRV, POOL, 3, 3, bytes(out))
    back = icmp_error(SRV, LAN, 3, 3, bytes(translated(q)))  # the quote as it left, inside
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(err)],
                wan_out=[wan_frame(out)], transport_out=[softwire(translated(back))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, encap=1,
                              tx_transport=1, icmp_error_in=1))


@case
def icmp_time_exceeded_tcp():
    """Time exceeded from a router quoting 8 bytes of TCP: the quoted port and IP checksum are rewritten"""
    q = tcp_q()
    out = translated(q, src=POOL, sport=TCP0)
    err = icmp_error(ROUTER, POOL, 11, 0, bytes(out)[:28])  # RFC 792: header + 64 bits
    back = icmp_error(ROUTER, LAN, 11, 0, bytes(translated(q))[:28])
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(err)],
                wan_out=[wan_frame(out)], transport_out=[softwire(translated(back))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, encap=1,
                              tx_transport=1, icmp_error_in=1))


@case
def icmp_error_not_filtered():
    """With address-and-port-dependent filtering an error from a router on the path still gets in (RFC 5508 REQ-3)"""
    q = udp_q()
    out = translated(q, src=POOL, sport=UDP0)
    err = icmp_error(ROUTER, POOL, 11, 0, bytes(out))
    back = icmp_error(ROUTER, LAN, 11, 0, bytes(translated(q)))
    return dict(config="nat:\n  filtering: address-and-port-dependent\n",
                transport_in=[from_b4(q)], wan_in=[from_net(err)],
                wan_out=[wan_frame(out)], transport_out=[softwire(translated(back))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, encap=1,
                              tx_transport=1, icmp_error_in=1))


@case
def icmp_frag_needed_tcp():
    """Fragmentation needed (MTU 1400) quoting a whole TCP header: the quoted TCP checksum is fixed too"""
    q = tcp_q(flags="S")
    q.flags = "DF"
    out = translated(q, src=POOL, sport=TCP0)
    err = icmp_error(ROUTER, POOL, 3, 4, bytes(out), nexthopmtu=1400)
    back = icmp_error(ROUTER, LAN, 3, 4, bytes(translated(q)), nexthopmtu=1400)
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(err)],
                wan_out=[wan_frame(out)], transport_out=[softwire(translated(back))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, encap=1,
                              tx_transport=1, icmp_error_in=1))


@case
def icmp_host_unreachable_echo():
    """Host unreachable about a ping: the quoted echo id and its ICMP checksum are translated back"""
    q = ping_q(id=77)
    out = translated(q, src=POOL, sport=ECHO0)
    err = icmp_error(ROUTER, POOL, 3, 1, bytes(out))
    back = icmp_error(ROUTER, LAN, 3, 1, bytes(translated(q)))
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(err)],
                wan_out=[wan_frame(out)], transport_out=[softwire(translated(back))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1, encap=1,
                              tx_transport=1, icmp_error_in=1))


@case
def icmp_error_no_session():
    """An ICMP error about a pool port with no session is dropped (drop_no_session)"""
    quote = bytes(fresh(IP(src=POOL, dst=SRV, ttl=63) / UDP(sport=600, dport=53) / Raw(b"x")))
    err = icmp_error(SRV, POOL, 3, 3, quote)
    return dict(wan_in=[from_net(err)], counters=dict(rx_wan=1, drop_no_session=1))


# --- drops on the transport side ------------------------------------------------


@case
def not_private_drop():
    """An inner source neither private nor in a binding of its B4 is dropped (no ICMP)"""
    q = udp_q(src="8.8.8.8")
    return dict(transport_in=[from_b4(q)],
                counters=dict(rx_transport=1, decap=1, drop_not_private=1))


@case
def ttl_expired():
    """Inner TTL 1: ICMPv4 time exceeded from the icmp source goes back into the softwire"""
    q = IP(src=LAN, dst=SRV, ttl=1, id=9) / UDP(sport=5000, dport=53) / Raw(b"x" * 12)
    err = IP(src=ICMP_SRC, dst=LAN, ttl=64, id=0) / ICMP(type=11, code=0) / Raw(bytes(q))
    return dict(transport_in=[from_b4(q)], transport_out=[softwire(err)],
                counters=dict(rx_transport=1, tx_transport=1, decap=0, encap=1, icmp_sent=1,
                              drop_ttl_expired=1))


@case
def ttl_expired_errors_off():
    """icmp.transport.errors off: inner TTL 1 is dropped with no time exceeded (icmp_not_sent)"""
    q = IP(src=LAN, dst=SRV, ttl=1, id=9) / UDP(sport=5000, dport=53) / Raw(b"x" * 12)
    return dict(config="icmp: {transport: {errors: false}}\n", transport_in=[from_b4(q)],
                counters=dict(rx_transport=1, drop_ttl_expired=1, icmp_not_sent=1))


@case
def icmp_in_not_echo():
    """An ICMP timestamp request from a B4 is not translated (drop_icmp_in)"""
    q = IP(src=LAN, dst=SRV, ttl=64) / ICMP(type=13, id=5, seq=1, ts_ori=1, ts_rx=0, ts_tx=0)
    return dict(transport_in=[from_b4(q)],
                counters=dict(rx_transport=1, decap=1, drop_icmp_in=1))


@case
def proto_in_gre():
    """GRE inside a softwire is not translated (drop_proto_in)"""
    q = IP(src=LAN, dst=SRV, ttl=64, proto=47) / Raw(b"\x00\x00\x08\x00" + b"x" * 20)
    return dict(transport_in=[from_b4(q)],
                counters=dict(rx_transport=1, decap=1, drop_proto_in=1))


@case
def bad_ether():
    """Frames that are neither IPv6 (transport) nor IPv4/ARP (WAN) are dropped (drop_bad_ether)"""
    lldp = b"\x02\x07\x04" + b"\x00" * 40
    return dict(transport_in=[Ether(src=GW_T, dst=TR_MAC, type=0x88cc) / Raw(lldp),
                              Ether(src=GW_T, dst=TR_MAC) / IP(src=LAN, dst=SRV) / UDP()],
                wan_in=[Ether(src=GW_W, dst=WAN_MAC, type=0x88cc) / Raw(lldp)],
                counters=dict(rx_transport=2, rx_wan=1, drop_bad_ether=3))


@case
def bad_ip6():
    """A truncated IPv6 packet, a version 4 header in an IPv6 frame and an extension header past the payload are dropped (drop_bad_ip6)"""
    q = udp_q()
    short = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=4, plen=100) / q
    v4 = Ether(src=GW_T, dst=TR_MAC, type=0x86dd) / q
    ext = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP) / Raw(b"\x04\x07" + b"\0" * 14)
    ext[IPv6].nh = 60  # a destination options header claiming 64 bytes in a payload of 16
    return dict(transport_in=[short, v4, ext], counters=dict(rx_transport=3, drop_bad_ip6=3))


@case
def not_endpoint():
    """A softwire packet to an IPv6 address that is not the endpoint is dropped (drop_not_endpoint)"""
    return dict(transport_in=[from_b4(udp_q(), dst="2001:db8::99")],
                counters=dict(rx_transport=1, drop_not_endpoint=1))


@case
def ip6_udp_to_endpoint():
    """IPv6 UDP to the endpoint is neither 4in6 nor ICMPv6 (drop_ip6_unsupported)"""
    p = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP) / UDP(sport=1, dport=2) / Raw(b"x")
    return dict(transport_in=[p], counters=dict(rx_transport=1, drop_ip6_unsupported=1))


@case
def ip6_fragment_to_endpoint():
    """An IPv6 fragment whose header is not right after the fixed one (here after destination options) is not reassembled (drop_ip6_fragment)"""
    p = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP)
         / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00\x00\x00\x00")])
         / IPv6ExtHdrFragment(nh=4, offset=0, m=1, id=1) / Raw(bytes(udp_q(data=b"y" * 40))[:48]))
    return dict(transport_in=[p], counters=dict(rx_transport=1, drop_ip6_fragment=1))


# --- malformed and unusual packets (RFC 6946, RFC 8200, RFC 1812) ----------------


def param_problem(p, ptr):
    """The ICMPv6 parameter problem, code 0 (RFC 4443 section 3.4), a B4
    gets for softwire packet p (a frame it sent): from the endpoint,
    pointing at octet ptr of the packet, quoting it."""
    return (Ether(src=TR_MAC, dst=GW_T) / IPv6(src=EP, dst=p[IPv6].src, hlim=64)
            / ICMPv6ParamProblem(code=0, ptr=ptr) / Raw(bytes(p[IPv6])[:1280 - 48]))


@case
def ip6_atomic_fragment():
    """An IPv6 atomic fragment (offset 0, M clear) is processed on its own, as if it had no fragment header (RFC 6946 section 4)"""
    q = udp_q()
    p = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=44)
         / IPv6ExtHdrFragment(nh=4, offset=0, m=0, id=9) / q)
    return dict(transport_in=[p], wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1))


@case
def frag6_past_65535():
    """An IPv6 fragment ending past 65,535 bytes is dropped with a parameter problem pointing at its offset; one with M set and a length not a multiple of 8, pointing at its payload length (RFC 8200 section 4.5)"""
    data = bytes(udp_q(data=b"z" * 40))
    far = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=44)
           / IPv6ExtHdrFragment(nh=4, offset=8190, m=1, id=5) / Raw(data[:48]))
    odd = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=44)
           / IPv6ExtHdrFragment(nh=4, offset=0, m=1, id=6) / Raw(data[:44]))
    return dict(transport_in=[far, odd], transport_out=[param_problem(far, 42),
                                                        param_problem(odd, 4)],
                counters=dict(rx_transport=2, ip6_fragments_received=2, drop_ip6_fragment=2, icmp_sent=2,
                              tx_transport=2))


@case
def ip6_routing_header():
    """A softwire packet with a routing header still to be followed (segments left 1) is dropped with a parameter problem pointing at its routing type; one with segments left 0 is decapsulated (RFC 8200 section 4.4)"""
    q = udp_q()
    rh = IPv6ExtHdrRouting(nh=4, segleft=1, addresses=["2001:db8::99"])
    p = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=43) / rh / q
    done = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=43)
            / IPv6ExtHdrRouting(nh=4, segleft=0, addresses=["2001:db8::99"]) / q)
    return dict(transport_in=[p, done], transport_out=[param_problem(p, 42)],
                wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_ip6_routing_header=1, icmp_sent=1, tx_transport=1))


@case
def ip6_bad_headers():
    """A truncated 34-byte frame, a payload length past the frame and version 5 are each dropped as bad_ip6; with ICMPv6 inside too (never reaching the main lcore)"""
    q = udp_q()
    short = Ether(src=GW_T, dst=TR_MAC, type=0x86dd) / Raw(bytes(IPv6(src=B4, dst=EP))[:20])
    long = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=4, plen=len(q) + 8) / q
    v5 = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=4, version=5) / q
    ping = ICMPv6EchoRequest(id=1, seq=1)
    long6 = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, nh=58, plen=100) / ping
    v5_6 = Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, version=5) / ping
    wan_short = Ether(src=GW_W, dst=WAN_MAC, type=0x0800) / Raw(bytes(IP(src=SRV, dst=POOL, len=40))[:20])
    return dict(transport_in=[short, long, v5, long6, v5_6], wan_in=[wan_short],
                counters=dict(rx_transport=5, rx_wan=1, drop_bad_ip6=5, drop_bad_ip4_out=1))


@case
def tcp_bad_data_offset():
    """TCP with a data offset under 5 words, or past its segment, is malformed: dropped from a B4 (bad_ip4_in) and from the Internet (bad_ip4_out), making no session"""
    short = tcp_q()
    short[TCP].dataofs = 1
    past = tcp_q(sport=40001)
    past[TCP].dataofs = 15
    r = tcp_r(TCP0)
    r[TCP].dataofs = 2
    return dict(transport_in=[from_b4(fresh(short)), from_b4(fresh(past))],
                wan_in=[from_net(fresh(r))],
                counters=dict(rx_transport=2, decap=2, drop_bad_ip4_in=2, rx_wan=1,
                              drop_bad_ip4_out=1))


MARTIANS = ["0.0.0.0", "0.1.2.3", "127.0.0.1", "169.254.1.1", "224.0.0.1", "239.1.1.1",
            "240.0.0.1", "255.255.255.255"]


@case
def martian_destinations():
    """A B4's packets to 0/8, 127/8, 169.254/16, multicast, 240/4 and broadcast destinations are dropped, making no session (drop_martian: RFC 1812 section 5.3.7, RFC 3927 section 7); Internet packets from such sources too"""
    qs = [from_b4(udp_q(sport=5000 + i, dst=d)) for i, d in enumerate(MARTIANS)]
    rs = [from_net(udp_r(UDP0, src=s)) for s in ("127.0.0.1", "224.0.0.5", "0.0.0.0")]
    return dict(transport_in=qs, wan_in=rs,
                counters=dict(rx_transport=len(qs), rx_wan=len(rs),
                              drop_martian=len(qs) + len(rs)))


@case
def lw4o6_martian_destination():
    """A lw4o6 B4's packet to a martian destination is dropped too (drop_martian)"""
    q = udp_q(src=LW, sport=LW_FIRST, dst="255.255.255.255")
    return dict(config=lw4o6(), transport_in=[from_b4(q, b4=B4S)],
                counters=dict(rx_transport=1, drop_martian=1))


# --- ICMPv6 errors from routers on the way to B4s (RFC 2473 section 8) --------------

ROUTER6 = "2001:db8:1::fe"  # a router between the AFTR and the B4s, inside acl6
ROUTER6_OUT = "2001:db8:ffff::fe"  # one outside acl6


def icmp6_error(kind, sent, src=ROUTER6, **kw):
    """A router's ICMPv6 error (RFC 4443) to the endpoint about the softwire
    packet `sent` (a frame the AFTR sent), quoting as much as fits in 1280."""
    quote = bytes(sent[IPv6])[:1280 - 48]
    return Ether(src=GW_T, dst=TR_MAC) / IPv6(src=src, dst=EP, hlim=60) / kind(**kw) / Raw(quote)


def tunnel_error(code, quote, rest=None, dst=SRV):
    """The ICMPv4 error the AFTR makes of it: from the WAN address to the
    Internet source, quoting the packet as that source sent it (TTL already
    lowered by the AFTR), up to 576 bytes in all (RFC 1812 4.3.2.3)."""
    icmp = ICMP(type=3, code=code, nexthopmtu=rest) if rest else ICMP(type=3, code=code)
    return IP(src=WAN_ADDR, dst=dst, ttl=64, id=0) / icmp / Raw(bytes(quote)[:548])


def ptb_case(df, said, learned, router=ROUTER6, **kw):
    """A router says a 1400-byte reply (to the B4, DF as `df`) was too big
    for `said`; the next reply of that size is fragmented to the MTU
    learned."""
    q = udp_q()
    r0 = udp_r(UDP0, data=b"0" * 1372, flags="DF" if df else 0)
    r = udp_r(UDP0, data=b"1" * 1372, flags="DF" if df else 0)
    ptb = icmp6_error(ICMPv6PacketTooBig, to_b4(r0, dport=5000), src=router, mtu=said)
    fr = frags6(translated(r, dst=LAN, dport=5000), learned)
    wan_out = [to_net(q, sport=UDP0)]
    c = napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=1, icmp6_error_in=1,
             tunnel_mtu_learned=1, encap_fragmented=1, ip6_fragments_sent=len(fr),
             tx_transport=len(fr) - 1)
    if df:  # the error about r0, then toobig's about r
        wan_out += [wan_frame(tunnel_error(4, translated(r0), learned - 40)),
                    wan_frame(frag_needed(translated(r), learned - 40))]
        c.update(icmp_sent=2, icmp_error_out=1, tx_wan=3)
    return dict(transport_in=[from_b4(q), ptb], wan_in=[from_net(r)], wan_out=wan_out,
                transport_out=fr, counters=c, **kw)


@case
def icmp6_too_big_df():
    """ICMPv6 packet too big (1400) from a router about a DF reply: its Internet source gets fragmentation needed with 1360, quoting what it sent; the next reply goes in IPv6 fragments of 1400"""
    return ptb_case(True, 1400, 1400)


@case
def icmp6_too_big_no_df():
    """Packet too big (1300) about a DF-clear reply: no ICMPv4 to its source; the next reply goes in IPv6 fragments of 1300"""
    return ptb_case(False, 1300, 1300)


@case
def icmp6_too_big_under_minimum():
    """Packets too big below the IPv6 minimum MTU (1000, 0) are discarded (RFC 8201 section 4; drop_icmp6_error): the softwire's MTU stays, the next reply goes whole"""
    q = udp_q()
    r0 = udp_r(UDP0, data=b"0" * 1372)
    r = udp_r(UDP0, data=b"1" * 1372)
    ptbs = [icmp6_error(ICMPv6PacketTooBig, to_b4(r0, dport=5000), mtu=m) for m in (1000, 0)]
    return dict(transport_in=[from_b4(q)] + ptbs, wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=2,
                              drop_icmp6_error=2))


@case
def icmp6_too_big_twice():
    """Two packets too big (packets in flight) about DF replies from two servers: the MTU is learned once, both servers are told"""
    q = udp_q()
    r1 = udp_r(UDP0, data=b"1" * 1372, flags="DF")
    r2 = udp_r(UDP0, src=SRV2, data=b"2" * 1372, flags="DF")
    ptbs = [icmp6_error(ICMPv6PacketTooBig, to_b4(r, dport=5000), mtu=1400) for r in (r1, r2)]
    return dict(transport_in=[from_b4(q)] + ptbs,
                wan_out=[to_net(q, sport=UDP0),
                         wan_frame(tunnel_error(4, translated(r1), 1360)),
                         wan_frame(tunnel_error(4, translated(r2), 1360, dst=SRV2))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=2,
                              icmp6_error_in=2, tunnel_mtu_learned=1, icmp_sent=2,
                              icmp_error_out=2, tx_wan=2))


@case
def icmp6_unreachable_and_time_exceeded():
    """ICMPv6 unreachable and hop limit exceeded about a reply become ICMPv4 host unreachable to its Internet source (RFC 2473 section 8.1)"""
    q = udp_q()
    r = udp_r(UDP0)
    sent = to_b4(r, dport=5000)
    errs = [icmp6_error(ICMPv6DestUnreach, sent, code=3),
            icmp6_error(ICMPv6TimeExceeded, sent, code=0)]
    err4 = wan_frame(tunnel_error(1, translated(r)))
    return dict(transport_in=[from_b4(q)] + errs, wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0), err4, err4], transport_out=[sent],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=2,
                              icmp6_error_in=2, icmp_sent=2, icmp_error_out=2, tx_wan=2))


@case
def icmp6_error_incoming_drop():
    """icmp.transport.incoming drop: an ICMPv6 unreachable about a reply is dropped (drop_icmp_refused), nothing goes to the Internet"""
    q, r = udp_q(), udp_r(UDP0)
    sent = to_b4(r, dport=5000)
    err = icmp6_error(ICMPv6DestUnreach, sent, code=3)
    return dict(config="icmp: {transport: {incoming: drop}}\n",
                transport_in=[from_b4(q), err], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[sent],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_icmp_refused=1))


@case
def icmp6_error_outside_acl6():
    """acl6_icmp (ISC acl6 icmp, default on): a packet too big from outside acl6 is dropped (drop_acl6), the MTU unchanged"""
    q = udp_q()
    r = udp_r(UDP0, data=b"x" * 1372)
    sent = to_b4(r, dport=5000)
    ptb = icmp6_error(ICMPv6PacketTooBig, sent, src=ROUTER6_OUT, mtu=1300)
    return dict(transport_in=[from_b4(q), ptb], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[sent],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              drop_acl6=1))


@case
def icmp6_error_acl6_icmp_off():
    """acl6_icmp false: a packet too big from outside acl6 is taken (the next reply is fragmented)"""
    return ptb_case(False, 1300, 1300, router=ROUTER6_OUT, config="acl6_icmp: false\n")


@case
def icmp6_error_not_ours():
    """ICMPv6 errors about packets that are not the endpoint's softwire packets, or with a bad checksum, are dropped (drop_icmp6_error)"""
    q = udp_q()
    r = udp_r(UDP0)
    sent = to_b4(r, dport=5000)
    other = copy.deepcopy(sent)
    other[IPv6].src = "2001:db8::99"
    bad = icmp6_error(ICMPv6DestUnreach, sent)
    bad[ICMPv6DestUnreach].cksum = 0x1234
    udp6 = copy.deepcopy(sent)
    udp6[IPv6].nh = 17
    return dict(transport_in=[from_b4(q), icmp6_error(ICMPv6DestUnreach, other), bad,
                              icmp6_error(ICMPv6DestUnreach, udp6)],
                wan_in=[from_net(r)], wan_out=[to_net(q, sport=UDP0)], transport_out=[sent],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_transport=3,
                              drop_icmp6_error=3))


@case
def icmp6_too_big_lw4o6():
    """Packet too big about a DF packet to a lw4o6 address: fragmentation needed back, its quote untranslated; the next one is fragmented"""
    r0 = udp_r(LW_FIRST, dst=LW, data=b"0" * 1372, flags="DF")
    r = udp_r(LW_FIRST, dst=LW, data=b"1" * 1372, flags="DF")
    ptb = icmp6_error(ICMPv6PacketTooBig, softwire(translated(r0), B4S), mtu=1320)
    fr = frags6(translated(r), 1320, b4=B4S)
    return dict(config=lw4o6(), transport_in=[ptb], wan_in=[from_net(r)], transport_out=fr,
                wan_out=[wan_frame(tunnel_error(4, translated(r0), 1280)),
                         wan_frame(tunnel_error(4, translated(r), 1280))],
                counters=stateless(back=1, rx_transport=1, icmp6_error_in=1,
                                   tunnel_mtu_learned=1, icmp_sent=2, stateless_out=1,
                                   tx_wan=2, encap_fragmented=1, ip6_fragments_sent=len(fr),
                                   tx_transport=len(fr) - 1))


@case
def icmp_error_from_b4_translated():
    """An ICMPv4 port unreachable from a host behind a B4 about an Internet packet goes out translated: outer source and quoted destination the public ones (RFC 5508 REQ-3)"""
    q = udp_q()
    r = translated(udp_r(UDP0), dst=LAN, dport=5000)
    err = IP(src=LAN, dst=SRV, ttl=64, id=5) / ICMP(type=3, code=3) / Raw(bytes(r))
    out = IP(src=POOL, dst=SRV, ttl=63, id=5) / ICMP(type=3, code=3) / Raw(
        bytes(translated(udp_r(UDP0))))
    return dict(transport_in=[from_b4(q), from_b4(err)],
                wan_out=[to_net(q, sport=UDP0), wan_frame(fresh(out))],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1, decap=1,
                              icmp_error_out=1, tx_wan=1))


@case
def frag6_duplicate():
    """A fragment that comes twice (RFC 5722: it overlaps itself): the packet is given up whole (ip6_fragment_dropped), the fragments after it too, once their lifetime ends"""
    fr = b4_frags(big_udp_q(), 512)
    return dict(config="fragment: {lifetime: 1}\n", wait=3,
                transport_in=[fr[0], fr[0], fr[1], fr[2]],
                counters=dict(rx_transport=4, ip6_fragments_received=4,
                              drop_ip6_fragment_dropped=4))


@case
def frag6_queue_full():
    """fragment ipv6_maxcount 1: while one packet is being reassembled, a second one's fragment finds no room (ip6_fragment_dropped); the first completes; the second's last fragment then waits out its lifetime"""
    q1, q2 = big_udp_q(), udp_q(sport=5001, data=b"w" * 1372)
    f1, f2 = b4_frags(q1, 1232), b4_frags(q2, 1232, ident=8)
    return dict(config="fragment: {ipv6_maxcount: 1, lifetime: 1}\n", wait=3,
                transport_in=[f1[0], f2[0], f1[1], f2[1]],
                wan_out=[to_net(q1, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=3,
                              ip6_fragments_received=4, ip6_reassembled=1,
                              drop_ip6_fragment_dropped=2))


@case
def frag6_held_cap():
    """fragment ipv6_maxcount 4: the table holds at most 8 fragments (2 a packet), so unfinished packets cannot take the buffers RX needs; the 9th is dropped (ip6_fragment_dropped), 8 wait"""
    q = big_udp_q()
    fr = [f for ident in (21, 22, 23) for f in b4_frags(q, 344, ident=ident)[:3]]
    return dict(config="fragment: {ipv6_maxcount: 4}\n", transport_in=fr,
                counters=dict(rx_transport=9, ip6_fragments_received=9, fragments_held_ip6=8,
                              drop_ip6_fragment_dropped=1))


@case
def frag6_too_many():
    """A packet in more than 8 IPv6 fragments (DPDK's limit per packet) is given up (ip6_fragment_dropped): the first 9 at once, the rest after their lifetime"""
    fr = b4_frags(big_udp_q(), 128)
    assert len(fr) == 11
    return dict(config="fragment: {lifetime: 1}\n", wait=3, transport_in=fr,
                counters=dict(rx_transport=11, ip6_fragments_received=11,
                              drop_ip6_fragment_dropped=11))


@case
def frag6_tunnel_limit():
    """default tunnel fragment ipv6 maxcount 2: a B4 holding 2 fragments gets no more in (drop_fragment_tunnel_limit); another B4 reassembles three packets of 2 fragments one after the other (its count goes back down)"""
    mine = b4_frags(big_udp_q(), 256)
    assert len(mine) == 6
    qs = [udp_q(data=bytes([0x61 + i]) * 1272) for i in range(3)]
    other = [f for i, q in enumerate(qs) for f in b4_frags(q, 1232, b4=B4B, ident=20 + i)]
    return dict(config="tunnel_defaults: {fragment_ipv6_maxcount: 2}\nfragment: {lifetime: 1}\n",
                transport_in=mine + other, wait=3,
                wan_out=[to_net(q, sport=UDP0) for q in qs],
                counters=napt(out=3, sessions=1, blocks=1, tunnels=1, rx_transport=9,
                              ip6_fragments_received=12, ip6_reassembled=3,
                              drop_fragment_tunnel_limit=4, drop_ip6_fragment_dropped=2))


@case
def inner_fragments_tunnel_limit_zero():
    """default tunnel fragment ipv4 maxcount 0: IPv4 fragments inside softwires are not reassembled (drop_fragment_tunnel_limit)"""
    fr = ip4_frags(udp_q(data=b"i" * 1000), 512)
    return dict(config="tunnel_defaults: {fragment_ipv4_maxcount: 0}\n",
                transport_in=[from_b4(f) for f in fr],
                counters=dict(rx_transport=2, ip4_fragments_received=2,
                              drop_fragment_tunnel_limit=2))


@case
def inner_bad_checksum():
    """An inner IPv4 header with a wrong checksum is dropped (drop_bad_ip4_in)"""
    q = fresh(udp_q())
    q.chksum ^= 0x0101
    return dict(transport_in=[from_b4(q)], counters=dict(rx_transport=1, drop_bad_ip4_in=1))


@case
def inner_length_mismatch():
    """An inner total length beyond the IPv6 payload is dropped (drop_bad_ip4_in)"""
    q = udp_q()
    q.len = len(q) + 8
    return dict(transport_in=[from_b4(q)], counters=dict(rx_transport=1, drop_bad_ip4_in=1))


@case
def inner_truncated_tcp():
    """An inner TCP segment shorter than a TCP header is dropped (drop_bad_ip4_in)"""
    q = IP(src=LAN, dst=SRV, ttl=64, proto=6) / Raw(bytes(TCP(sport=40000, dport=80))[:12])
    return dict(transport_in=[from_b4(q)],
                counters=dict(rx_transport=1, decap=1, drop_bad_ip4_in=1))


@case
def inner_fragments_reassembled():
    """Inner IPv4 fragments from a B4 (the last first) are reassembled at its owner, then NATed"""
    q = udp_q(data=b"i" * 1000)
    return dict(transport_in=[from_b4(f) for f in reversed(ip4_frags(q, 512))],
                wan_out=[to_net(q, sport=UDP0)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_transport=1,
                              ip4_fragments_received=2, ip4_reassembled=1))


@case
def inner_fragments_two_b4s():
    """Two B4s send inner fragments with the same source, destination and id, interleaved: each B4's datagram is reassembled apart (the IPv4 key alone would mix them)"""
    q1, q2 = udp_q(data=b"1" * 1000), udp_q(data=b"2" * 1000)
    f1, f2 = ip4_frags(q1, 512), ip4_frags(q2, 512)
    return dict(transport_in=[from_b4(f1[0]), from_b4(f2[0], b4=B4B), from_b4(f1[1]),
                              from_b4(f2[1], b4=B4B)],
                wan_out=[to_net(q1, sport=UDP0), to_net(q2, sport=UDP0 + UDP_BLOCK)],
                counters=napt(out=2, sessions=2, blocks=2, tunnels=2, rx_transport=2,
                              ip4_fragments_received=4, ip4_reassembled=2))


@case
def inner_fragment_timeout():
    """An inner IPv4 fragment whose rest never comes is dropped after the lifetime (ip4_fragment_dropped)"""
    frag = ip4_frags(udp_q(data=b"z" * 100), 64)[0]
    return dict(config="fragment: {lifetime: 1}\n", transport_in=[from_b4(frag)], wait=3,
                counters=dict(rx_transport=1, decap=0, ip4_fragments_received=1,
                              drop_ip4_fragment_dropped=1))


# --- drops on the WAN side -----------------------------------------------------------


@case
def no_session_drop():
    """A packet from the Internet to a pool port nobody uses is dropped"""
    return dict(wan_in=[from_net(udp_r(UDP0))], counters=dict(rx_wan=1, drop_no_session=1))


def ip4_frags(ip, size):
    """ip in IPv4 fragments carrying `size` bytes of payload each (RFC 791)."""
    ip = fresh(ip)
    hl = ip.ihl * 4
    data = bytes(ip)[hl:]
    out = []
    for off in range(0, len(data), size):
        chunk = data[off:off + size]
        more = off + len(chunk) < len(data)
        out.append(IP(src=ip.src, dst=ip.dst, ttl=ip.ttl, id=ip.id, proto=ip.proto,
                      flags="MF" if more else 0, frag=off // 8) / Raw(chunk))
    return out


@case
def wan_fragments_reassembled():
    """IPv4 fragments from the Internet (the last first) are reassembled, then NATed into the softwire"""
    q = udp_q()
    r = udp_r(UDP0, data=b"r" * 1200)
    return dict(transport_in=[from_b4(q)],
                wan_in=[from_net(f) for f in reversed(ip4_frags(r, 600))],
                wan_out=[to_net(q, sport=UDP0)], transport_out=[to_b4(r, dport=5000)],
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_wan=2,
                              ip4_fragments_received=3, ip4_reassembled=1))


@case
def wan_fragments_too_big():
    """A reassembled 1600-byte datagram is too big for the softwire (MTU 1500): it goes on in IPv6 fragments"""
    q = udp_q()
    r = udp_r(UDP0, data=b"R" * (1600 - 28))
    return dict(transport_in=[from_b4(q)],
                wan_in=[from_net(f) for f in ip4_frags(r, 1000)],
                wan_out=[to_net(q, sport=UDP0)],
                transport_out=frags6(translated(r, dst=LAN, dport=5000), 1500),
                counters=napt(out=1, back=1, sessions=1, blocks=1, tunnels=1, rx_wan=1,
                              ip4_fragments_received=2, ip4_reassembled=1, encap_fragmented=1,
                              ip6_fragments_sent=2, tx_transport=1))


@case
def wan_fragment_timeout():
    """A fragment from the Internet whose rest never comes is dropped after the lifetime (ip4_fragment_dropped)"""
    q = udp_q()
    frag = ip4_frags(udp_r(UDP0, data=b"z" * 100), 64)[0]
    return dict(config="fragment: {lifetime: 1}\n", transport_in=[from_b4(q)],
                wan_in=[from_net(frag)], wan_out=[to_net(q, sport=UDP0)], wait=3,
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1,
                              ip4_fragments_received=1, drop_ip4_fragment_dropped=1))


@case
def wan_bad_ip4():
    """A bad IPv4 header checksum and a UDP header cut short from the Internet are dropped (drop_bad_ip4_out)"""
    bad = fresh(udp_r(UDP0))
    bad.chksum ^= 0x0101
    short = IP(src=SRV, dst=POOL, ttl=55, proto=17) / Raw(b"\x00\x35")
    return dict(wan_in=[from_net(bad), from_net(short)],
                counters=dict(rx_wan=2, drop_bad_ip4_out=2))


@case
def not_ours():
    """IPv4 to an address that is not ours is dropped (drop_not_ours)"""
    return dict(wan_in=[from_net(udp_r(53, dst="203.0.113.99"))],
                counters=dict(rx_wan=1, drop_not_ours=1))


@case
def icmp_out_not_translated():
    """A timestamp request to the pool and an error quoting another address are dropped (drop_icmp_out)"""
    ts = IP(src=SRV, dst=POOL, ttl=55) / ICMP(type=13, id=5, seq=1, ts_ori=1, ts_rx=0, ts_tx=0)
    quote = bytes(fresh(IP(src="198.51.100.99", dst=SRV) / UDP(sport=UDP0, dport=53)))
    err = icmp_error(SRV, POOL, 3, 3, quote)
    return dict(wan_in=[from_net(ts), from_net(err)],
                counters=dict(rx_wan=2, drop_icmp_out=2))


# --- the AFTR's own addresses: ARP, ND, ping -----------------------------------------


@case
def arp_for_pool_address():
    """The AFTR answers ARP for a pool address on the WAN link"""
    req = arp(1, GW_W, WAN_GW, POOL)
    rep = arp(2, WAN_MAC, POOL, WAN_GW, dst_mac=GW_W, hwdst=GW_W)
    return dict(wan_in=[req], wan_out=[rep], counters=dict(rx_wan=1, tx_wan=1, to_control=1))


@case
def arp_for_wan_address():
    """The AFTR answers ARP for its WAN address (RFC 826)"""
    req = arp(1, GW_W, WAN_GW, WAN_ADDR)
    rep = arp(2, WAN_MAC, WAN_ADDR, WAN_GW, dst_mac=GW_W, hwdst=GW_W)
    return dict(wan_in=[req], wan_out=[rep], counters=dict(rx_wan=1, tx_wan=1, to_control=1))


@case
def ecn_ce_on_the_softwire():
    """Outer CE copied to an ECN-capable inner packet, and one not ECN-capable dropped (RFC 6040)"""
    ect = IP(src=LAN, dst=SRV, ttl=64, id=31, tos=0x02) / UDP(sport=5000, dport=53) / Raw(b"e")
    plain = IP(src=LAN, dst=SRV, ttl=64, id=32, tos=0x00) / UDP(sport=5000, dport=53) / Raw(b"p")
    ce = copy.deepcopy(ect)
    ce.tos = 0x03
    frames = [Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=64, tc=0x03) / p
              for p in (ect, plain)]
    return dict(transport_in=frames, wan_out=[to_net(ce, sport=512)],
                counters=dict(rx_transport=2, tx_wan=1, decap=1, nat_out=1, session_created=1,
                              block_allocated=1, tunnel_created=1, drop_ecn=1))


@case
def ping_aftr_from_b4():
    """A B4 pings the AFTR's 192.0.0.1 (RFC 6333 section 5.7): answered inside the softwire"""
    q = IP(src=LAN, dst=ICMP_SRC, ttl=64, id=21) / ICMP(type=8, id=5, seq=1) / Raw(b"hi")
    r = IP(src=ICMP_SRC, dst=LAN, ttl=64, id=21) / ICMP(type=0, id=5, seq=1) / Raw(b"hi")
    exp = Ether(src=TR_MAC, dst=GW_T) / IPv6(src=EP, dst=B4, hlim=64, nh=4) / fresh(r)
    return dict(transport_in=[from_b4(q)], transport_out=[exp],
                counters=dict(rx_transport=1, tx_transport=1, decap=1, encap=1, icmp_sent=1,
                              tunnel_created=0))


@case
def arp_for_foreign_address():
    """ARP between two other hosts: no answer, not learned, counted as arp_ignored"""
    req = arp(1, "02:00:00:00:02:55", "192.0.2.55", "192.0.2.77")
    return dict(wan_in=[req], counters=dict(rx_wan=1, to_control=1, drop_arp_ignored=1))


@case
def ping_wan_and_icmp_source():
    """Echo requests to the WAN address and to the ICMP source address are answered (RFC 792)"""
    reqs = [IP(src=SRV, dst=a, ttl=50, id=0x77) / ICMP(type=8, id=9, seq=s) / Raw(b"are you there")
            for s, a in ((1, WAN_ADDR), (2, ICMP_SRC))]
    reps = [wan_frame(fresh(IP(src=r.dst, dst=SRV, ttl=64, id=0x77)
                            / ICMP(type=0, id=9, seq=r[ICMP].seq) / Raw(b"are you there")))
            for r in reqs]
    return dict(wan_in=[from_net(r) for r in reqs], wan_out=reps,
                counters=dict(rx_wan=2, tx_wan=2, to_control=2, icmp_sent=2))


def neighbor_solicitation(target, src=TR_GW, src_mac=GW_T):
    dst, mac = solicited_node(target)
    return (Ether(src=src_mac, dst=mac) / IPv6(src=src, dst=dst, hlim=255)
            / ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=src_mac))


def neighbor_advertisement(target, dst=TR_GW, dst_mac=GW_T, solicited=1):
    """RFC 4861 section 7.2.4: from the target, to the solicitation's source,
    Override set, not a router (the AFTR does not forward IPv6)."""
    return (Ether(src=TR_MAC, dst=dst_mac) / IPv6(src=target, dst=dst, hlim=255)
            / ICMPv6ND_NA(tgt=target, R=1, S=solicited, O=1)  # R: the AFTR forwards (RFC 4861 7.2.4)
            / ICMPv6NDOptDstLLAddr(lladdr=TR_MAC))


@case
def nd_for_endpoint():
    """A neighbor solicitation for the endpoint gets a solicited advertisement (RFC 4861)"""
    return dict(transport_in=[neighbor_solicitation(EP)],
                transport_out=[neighbor_advertisement(EP)],
                counters=dict(rx_transport=1, tx_transport=1, to_control=1))


@case
def nd_for_transport_address():
    """A neighbor solicitation for the transport address gets a solicited advertisement (RFC 4861)"""
    return dict(transport_in=[neighbor_solicitation(TR_ADDR)],
                transport_out=[neighbor_advertisement(TR_ADDR)],
                counters=dict(rx_transport=1, tx_transport=1, to_control=1))


@case
def nd_dad_for_endpoint():
    """Duplicate address detection for the endpoint is answered to all-nodes (RFC 4861 7.2.4)"""
    dst, mac = solicited_node(EP)
    dad = (Ether(src="02:00:00:00:00:77", dst=mac) / IPv6(src="::", dst=dst, hlim=255)
           / ICMPv6ND_NS(tgt=EP))
    return dict(transport_in=[dad],
                transport_out=[neighbor_advertisement(EP, dst="ff02::1",
                                                      dst_mac="33:33:00:00:00:01", solicited=0)],
                counters=dict(rx_transport=1, tx_transport=1, to_control=1))


@case
def nd_for_foreign_address():
    """A neighbor solicitation for another node's address gets no answer"""
    return dict(transport_in=[neighbor_solicitation("2001:db8:ffff::77")],
                counters=dict(rx_transport=1, to_control=1))


@case
def ping6_endpoint_and_address():
    """ICMPv6 echo requests to the endpoint and the transport address are answered (RFC 4443)"""
    reqs = [Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=a, hlim=60)
            / ICMPv6EchoRequest(id=1, seq=s, data=b"ping6") for s, a in ((1, EP), (2, TR_ADDR))]
    reps = [Ether(src=TR_MAC, dst=GW_T) / IPv6(src=a, dst=B4, hlim=64)
            / ICMPv6EchoReply(id=1, seq=s, data=b"ping6") for s, a in ((1, EP), (2, TR_ADDR))]
    return dict(transport_in=reqs, transport_out=reps,
                counters=dict(rx_transport=2, tx_transport=2, to_control=2, icmp_sent=2))


@case
def ping6_trailing_bytes():
    """An ICMPv6 echo request with bytes past its IPv6 payload is answered without them"""
    req = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=60)
           / ICMPv6EchoRequest(id=1, seq=1, data=b"ping6"))
    rep = (Ether(src=TR_MAC, dst=GW_T) / IPv6(src=EP, dst=B4, hlim=64)
           / ICMPv6EchoReply(id=1, seq=1, data=b"ping6"))
    return dict(transport_in=[Ether(bytes(req) + b"\xee" * 40)], transport_out=[rep],
                counters=dict(rx_transport=1, tx_transport=1, to_control=1, icmp_sent=1))


@case
def icmp6_bad_checksum():
    """An ICMPv6 echo request with a wrong checksum is dropped (drop_bad_ip6)"""
    p = (Ether(src=GW_T, dst=TR_MAC) / IPv6(src=B4, dst=EP, hlim=60)
         / ICMPv6EchoRequest(id=1, seq=1, data=b"ping6", cksum=0x1234))
    return dict(transport_in=[p], counters=dict(rx_transport=1, to_control=1, drop_bad_ip6=1))


# --- next hops ---------------------------------------------------------------------


def arp_request_gw():
    """Who has the WAN gateway (RFC 826), from our WAN address."""
    return arp(1, WAN_MAC, WAN_ADDR, WAN_GW)


@case
def wan_next_hop_learned():
    """No gateway MAC configured: the AFTR ARPs for the gateway and sends the packet once it answers"""
    new_mac = "02:00:00:00:01:aa"
    q = udp_q()
    reply = arp(2, new_mac, WAN_GW, WAN_ADDR, dst_mac=WAN_MAC, hwdst=WAN_MAC)
    # The gateway is also resolved once at start; both requests are the same.
    return dict(wan_gateway_mac=False, unordered=True,
                transport_in=[from_b4(q)], wan_in=[reply],
                wan_out=[arp_request_gw(), arp_request_gw(),
                         wan_frame(translated(q, src=POOL, sport=UDP0), dst_mac=new_mac)],
                counters=napt(out=1, sessions=1, blocks=1, tunnels=1, rx_wan=1,
                              tx_wan=2, to_control=2))  # tx_wan: the packet and 2 requests


@case
def wan_next_hop_unresolved():
    """The WAN gateway never answers: the packet waits through 3 ARP requests 1 s apart, then is dropped (drop_no_neighbor)"""
    q = udp_q()
    return dict(wan_gateway_mac=False, wait=5, transport_in=[from_b4(q)],
                # The start-up resolution of the gateway, then the packet's three tries.
                wan_out=[arp_request_gw()] * 4,
                counters=dict(rx_transport=1, decap=1, nat_out=1, session_created=1,
                              block_allocated=1, tunnel_created=1, tx_wan=4, to_control=1,
                              drop_no_neighbor=1))


# --- writing ---------------------------------------------------------------


def write_pcap(path, pkts):
    """Fixed timestamps, so that regenerating changes nothing that did not change."""
    out = []
    for i, p in enumerate(pkts):
        p = p.copy()
        p.time = 1700000000 + i / 1000.0
        out.append(p)
    wrpcap(path, out, linktype=1)


def write_case(fn):
    d = fn()
    name = fn.__name__
    if d.get("one_port"):  # one device: the WAN's frames are on the transport's
        for io in ("_in", "_out"):
            d["transport" + io] = d.get("transport" + io, []) + d.pop("wan" + io, [])
        d["unordered"] = True
    out = os.path.join(DATA, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "aftr.yaml"), "w") as f:
        f.write(aftr_yaml(d))
    for p in ("transport_in", "wan_in", "transport_out", "wan_out"):
        write_pcap(os.path.join(out, p + ".pcap"), d.get(p, []))
    with open(os.path.join(out, "counters.txt"), "w") as f:
        f.write("# counters that must have these values; all others must be 0\n")
        for k, v in sorted(d["counters"].items()):
            if v:
                f.write("%s %d\n" % (k, v))
    opts = {k: int(d[k]) for k in ("workers", "wait", "unordered", "one_port") if d.get(k)}
    if opts:
        with open(os.path.join(out, "options"), "w") as f:
            for k, v in sorted(opts.items()):
                f.write("%s %d\n" % (k, v))
    with open(os.path.join(out, "README"), "w") as f:
        f.write(fn.__doc__.strip() + "\n")


def main():
    names = [fn.__name__ for fn in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    if "--list" in sys.argv:
        for fn in CASES:
            print("%-34s %s" % (fn.__name__, fn.__doc__.strip().splitlines()[0]))
        return 0
    if "--regenerate" not in sys.argv:
        print(__doc__)
        return 2
    shutil.rmtree(DATA, ignore_errors=True)
    for fn in CASES:
        write_case(fn)
    print("wrote %d cases to %s" % (len(CASES), DATA))
    return 0


if __name__ == "__main__":
    sys.exit(main())
