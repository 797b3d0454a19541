#!/usr/bin/python3
"""The golden cases: for each, a configuration, the frames that arrive on the
transport (IPv6, B4 side) and WAN (IPv4) ports, the frames the AFTR must send
on each, and the counters that must be non-zero (all others must stay 0).

Expected frames are built here from what the RFCs say the AFTR does (RFC 6333
decapsulation and encapsulation, RFC 4787/5382/5508 NAPT, RFC 792/1812 ICMP),
never captured from the AFTR itself.

  python3 cases.py --regenerate    writes data/<case>/ (review the diff)
  python3 cases.py --list          one line per case

Addresses: B4s in 2001:db8:1::/48 behind the transport gateway, the endpoint
2001:db8::1, one pool 198.51.100.1, Internet hosts in 203.0.113.0/24 behind
the WAN gateway. Ports are allocated from the first port of the pool's
dynamic range (first block of worker 0), so the expected ports are known.
"""
import copy
import os
import shutil
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap  # python3-scapy

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

TR_MAC = "02:70:63:61:70:00"  # net_pcap's address for port 0 (transport)
WAN_MAC = "02:70:63:61:70:01"  # and for port 1 (WAN)
GW_T = "02:00:00:00:00:fe"  # transport gateway (static neighbour)
GW_W = "02:00:00:00:01:fe"  # WAN gateway (static neighbour)
EP = "2001:db8::1"
B4 = "2001:db8:1::2"
B4B = "2001:db8:1::3"
POOL = "198.51.100.1"
WAN_ADDR = "192.0.2.1"
ICMP_SRC = "192.0.0.1"
SRV = "203.0.113.7"
LAN = "192.168.1.10"

BASE = """endpoint: 2001:db8::1
icmp_source: 192.0.0.1
acl6: [2001:db8:1::/48]
pools:
  - address: 198.51.100.1
interfaces:
  transport:
    device: net_pcap0,rx_pcap=@IN@/transport_in.pcap,tx_pcap=@OUT@/transport_out.pcap
    address: 2001:db8:ffff::1/64
    gateway: 2001:db8:ffff::fe
    gateway_mac: 02:00:00:00:00:fe
  wan:
    device: net_pcap1,rx_pcap=@IN@/wan_in.pcap,tx_pcap=@OUT@/wan_out.pcap
    address: 192.0.2.1/24
    gateway: 192.0.2.254
    gateway_mac: 02:00:00:00:01:fe
"""

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def from_b4(inner, b4=B4, hlim=64):
    """A frame from a B4's softwire (RFC 6333 section 5)."""
    return Ether(src=GW_T, dst=TR_MAC) / IPv6(src=b4, dst=EP, hlim=hlim) / inner


def from_net(ip):
    return Ether(src=GW_W, dst=WAN_MAC) / ip


def fresh(p):
    """p with lengths and checksums recomputed by scapy."""
    p = copy.deepcopy(p)
    for layer in (IP, TCP, UDP, ICMP):
        if layer in p:
            for f in ("chksum", "len"):
                if f in p[layer].fields and not (layer is IP and f == "len" and False):
                    del p[layer].fields[f]
    return p.__class__(bytes(p))


def to_net(inner, src=POOL, sport=None, ttl_dec=1):
    """What leaves on the WAN for an inner packet after NAPT (RFC 4787/5382)."""
    ip = copy.deepcopy(inner)
    ip.src = src
    ip.ttl = inner.ttl - ttl_dec
    if sport is not None:
        if TCP in ip:
            ip[TCP].sport = sport
        elif UDP in ip:
            ip[UDP].sport = sport
        elif ICMP in ip:
            ip[ICMP].id = sport
    return Ether(src=WAN_MAC, dst=GW_W) / fresh(ip)


def to_b4(ip, dst_lan=LAN, dport=None, b4=B4):
    """What goes into a softwire for an Internet packet after NAPT: IPv4 in
    IPv6 from the endpoint (RFC 2473; traffic class = inner TOS, hop limit 64)."""
    ip = copy.deepcopy(ip)
    ip.dst = dst_lan
    if dport is not None:
        if TCP in ip:
            ip[TCP].dport = dport
        elif UDP in ip:
            ip[UDP].dport = dport
        elif ICMP in ip:
            ip[ICMP].id = dport
    ip = fresh(ip)
    return Ether(src=TR_MAC, dst=GW_T) / IPv6(src=EP, dst=b4, hlim=64, tc=ip.tos, nh=4) / ip


# --- cases -----------------------------------------------------------------


@case
def udp_out_and_back():
    """UDP from a B4 is translated to the pool's first UDP port, the reply comes back"""
    q = IP(src=LAN, dst=SRV, ttl=64, id=1) / UDP(sport=5000, dport=53) / Raw(b"query")
    r = IP(src=SRV, dst=POOL, ttl=55, id=2) / UDP(sport=53, dport=512) / Raw(b"answer")
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=512)], transport_out=[to_b4(r, dport=5000)],
                counters=dict(rx_transport=1, rx_wan=1, tx_wan=1, tx_transport=1, decap=1,
                              encap=1, nat_out=1, nat_in=1, session_created=1,
                              block_allocated=1, tunnel_created=1))


@case
def tcp_syn_out():
    """A TCP SYN from a B4 gets the pool's first TCP port (2048, ISC's default range)"""
    q = IP(src=LAN, dst=SRV, ttl=64, id=7, flags="DF") / TCP(sport=40000, dport=80, flags="S", seq=1)
    return dict(transport_in=[from_b4(q)], wan_out=[to_net(q, sport=2048)],
                counters=dict(rx_transport=1, tx_wan=1, decap=1, nat_out=1, session_created=1,
                              block_allocated=1, tunnel_created=1))


@case
def icmp_echo_out_and_back():
    """Ping from a B4: the echo id is translated (pool echo range starts at 0) and back"""
    q = IP(src=LAN, dst=SRV, ttl=64, id=3) / ICMP(type=8, id=77, seq=1) / Raw(b"ping")
    r = IP(src=SRV, dst=POOL, ttl=60, id=4) / ICMP(type=0, id=0, seq=1) / Raw(b"ping")
    return dict(transport_in=[from_b4(q)], wan_in=[from_net(r)],
                wan_out=[to_net(q, sport=0)], transport_out=[to_b4(r, dport=77)],
                counters=dict(rx_transport=1, rx_wan=1, tx_wan=1, tx_transport=1, decap=1,
                              encap=1, nat_out=1, nat_in=1, session_created=1,
                              block_allocated=1, tunnel_created=1))


@case
def acl6_drop():
    """A softwire from outside acl6 is dropped and counted (ISC: filtered by IPv6 ACL)"""
    q = IP(src=LAN, dst=SRV) / UDP(sport=1, dport=2)
    return dict(transport_in=[from_b4(q, b4="2001:db8:2::2")],
                counters=dict(rx_transport=1, drop_acl6=1))


@case
def not_private_drop():
    """An inner source outside the private prefixes is dropped"""
    q = IP(src="8.8.8.8", dst=SRV) / UDP(sport=1, dport=2)
    return dict(transport_in=[from_b4(q)], counters=dict(rx_transport=1, drop_not_private=1))


@case
def ttl_expired():
    """Inner TTL 1: ICMPv4 time exceeded from the icmp source goes back into the softwire"""
    q = IP(src=LAN, dst=SRV, ttl=1, id=9) / UDP(sport=5000, dport=53) / Raw(b"x" * 12)
    err = IP(src=ICMP_SRC, dst=LAN, ttl=64, id=0) / ICMP(type=11, code=0) / Raw(bytes(q))
    exp = Ether(src=TR_MAC, dst=GW_T) / IPv6(src=EP, dst=B4, hlim=64, nh=4) / fresh(err)
    return dict(transport_in=[from_b4(q)], transport_out=[exp],
                counters=dict(rx_transport=1, tx_transport=1, decap=0, encap=1, icmp_sent=1,
                              drop_ttl_expired=1))


@case
def no_session_drop():
    """A packet from the Internet to a pool port nobody uses is dropped"""
    r = IP(src=SRV, dst=POOL) / UDP(sport=53, dport=512)
    return dict(wan_in=[from_net(r)], counters=dict(rx_wan=1, drop_no_session=1))


@case
def arp_for_pool_address():
    """The AFTR answers ARP for a pool address on the WAN link"""
    req = Ether(src=GW_W, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=GW_W, psrc="192.0.2.254",
                                                       pdst=POOL)
    rep = Ether(src=WAN_MAC, dst=GW_W) / ARP(op=2, hwsrc=WAN_MAC, psrc=POOL, hwdst=GW_W,
                                            pdst="192.0.2.254")
    return dict(wan_in=[req], wan_out=[rep], counters=dict(rx_wan=1, tx_wan=1, to_control=1))


# --- writing ---------------------------------------------------------------


def write_case(fn):
    d = fn()
    name = fn.__name__
    out = os.path.join(DATA, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "aftr.yaml"), "w") as f:
        f.write(BASE + d.get("config", ""))
    for p in ("transport_in", "wan_in", "transport_out", "wan_out"):
        wrpcap(os.path.join(out, p + ".pcap"), d.get(p, []), linktype=1)
    with open(os.path.join(out, "counters.txt"), "w") as f:
        f.write("# counters that must have these values; all others must be 0\n")
        for k, v in sorted(d["counters"].items()):
            if v:
                f.write("%s %d\n" % (k, v))
    with open(os.path.join(out, "README"), "w") as f:
        f.write(fn.__doc__.strip() + "\n")


def main():
    if "--list" in sys.argv:
        for fn in CASES:
            print("%-28s %s" % (fn.__name__, fn.__doc__.strip()))
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
