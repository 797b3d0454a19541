/* libFuzzer target: the packet path. The real dataplane (dataplane/: RX,
 * the graph's nodes, the fast path, NAPT, reassembly, the main lcore's
 * slow path) runs on two in-memory ports (net_ring) with a configuration
 * that has every mode: NAPT with a static mapping and a configured
 * tunnel, prr, nonat, lw4o6 softwires on two endpoints, filters, IPv6 and
 * IPv4 reassembly. An input is frames: each a byte that picks the port
 * (even: transport, odd: WAN), two bytes of length, then the frame; all go
 * in, then the worker and the main lcore run until nothing moves. Frames
 * get right checksums first (bit 1 of their port byte set: left as they
 * are), else the fuzzer would hardly get past RX. What leaves must be
 * sane: each frame whole (its IP lengths those of the frame), every IPv4
 * header checksum and every ICMPv6 checksum right, and, when every input
 * had right ones and no fragment was in play, every TCP, UDP and ICMP
 * checksum too; and every packet accounted for (lib/shm/counters.h).
 * State (sessions, fragments) carries over from input to input, as in a
 * running AFTR. */
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cksum.h"
#include "dp.h"
#include "dp_ring.h"
#include "fuzz.h"
#include "pkt.h"

static const char config_fmt[] =
        "endpoint: 2001:db8::1\n"
        "endpoints: [2001:db8::2]\n"
        "icmp_source: 192.0.0.1\n"
        "acl6: [2001:db8:1::/48]\n"
        "pools: [{address: 198.51.100.1}, {address: 198.51.100.2}]\n"
        "nat: {sessions_per_worker: 4096, subscribers_per_worker: 1024}\n"
        "tunnels: [{b4: \"2001:db8:1::2\", mtu: 1400}]\n"
        "static_nat: [{b4: \"2001:db8:1::2\", protocol: tcp, address: 192.168.1.2, port: 80,"
        " external_address: 198.51.100.1, external_port: 80}]\n"
        "prr: [{b4: \"2001:db8:1::5\", protocol: udp, address: 198.51.100.2, port: 81}]\n"
        "nonat: [{b4: \"2001:db8:1::6\", prefix: 203.0.113.0/29}]\n"
        "softwires:\n"
        "  - {b4: \"2001:db8:1::7\", ipv4: 203.0.113.77, psid: 5, psid_len: 6, offset: 6}\n"
        "  - {b4: \"2001:db8:1::8\", ipv4: 203.0.113.77, psid: 6, psid_len: 6, offset: 6,"
        " endpoint: \"2001:db8::2\"}\n"
        "filters: {wan: {in: [{action: drop, protocol: tcp, destination_port: 23}]}}\n"
        "interfaces:\n"
        "  transport: {device: %s, address: 2001:db8:ffff::1/64, gateway: 2001:db8:ffff::fe,"
        " gateway_mac: \"02:00:00:00:00:fe\"}\n"
        "  wan: {device: %s, address: 192.0.2.1/24, gateway: 192.0.2.254,"
        " gateway_mac: \"02:00:00:00:01:fe\"}\n";

static void fini(void)
{
	dp_ring_stop();
	rte_eal_cleanup();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {(*argv)[0],    "--no-huge",
	               "-m",          "256",
	               "-l",          "0",
	               "--no-pci",    "--no-telemetry",
	               "--no-shconf", "--file-prefix",
	               "fuzzpkt",     "--log-level=*:error",
	               NULL};
	char shm[32];

	(void)argc;
	FUZZ_ASSERT(rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) >= 0, "EAL");
	snprintf(shm, sizeof(shm), "fuzzpkt%d", (int)getpid());
	FUZZ_ASSERT(dp_ring_start(config_fmt, shm) == 0, "dataplane");
	atexit(fini);
	return 0;
}

/* Inputs get right checksums (unless their port byte says not to), so
 * that the fuzzer reaches past the checks instead of guessing sums: the
 * IPv4 header's, and TCP's, UDP's or ICMP's over what the IPv4 length
 * says (fragments: only the header's), in a WAN frame or inside a 4in6
 * one; an ICMPv6 message's. */
static uint16_t l4_sum(const uint8_t *ip, uint32_t hl, uint32_t total)
{
	const struct l3_ip4_hdr *h = (const struct l3_ip4_hdr *)ip;
	uint32_t s = h->proto == IPPROTO_ICMP
	                     ? 0
	                     : cksum_add(0, ip + 12, 8) + htons(h->proto) + htons(total - hl);

	return cksum_finish(cksum_add(s, ip + hl, total - hl));
}

static int l4_sum_off(uint8_t proto, uint32_t l4len)
{
	return proto == IPPROTO_TCP && l4len >= 20   ? 16
	       : proto == IPPROTO_UDP && l4len >= 8  ? 6
	       : proto == IPPROTO_ICMP && l4len >= 4 ? 2
	                                             : -1;
}

static void repair_ip4(uint8_t *ip, uint32_t len)
{
	struct l3_ip4_hdr *h = (struct l3_ip4_hdr *)ip;
	uint32_t hl, total;
	int off;

	if (len < 20 || (h->version_ihl >> 4) != 4 || (hl = pkt_ip4_hdr_len(h)) < 20 || hl > len)
		return;
	h->cksum = 0;
	h->cksum = cksum_finish(cksum_add(0, ip, hl));
	total = ntohs(h->total_len);
	if (total < hl || total > len || pkt_ip4_is_fragment(h) ||
	    (off = l4_sum_off(h->proto, total - hl)) < 0)
		return;
	memset(ip + hl + off, 0, 2);
	*(uint16_t *)(ip + hl + off) = l4_sum(ip, hl, total);
}

static void repair(int port, uint8_t *p, uint32_t len)
{
	struct l3_ip6_hdr *h = (struct l3_ip6_hdr *)(p + 14);
	uint32_t plen;

	if (len < 14)
		return;
	if (port == DP_PORT_WAN) {
		repair_ip4(p + 14, len - 14);
		return;
	}
	if (len < 54 || (plen = ntohs(h->payload_len)) > len - 54)
		return;
	if (h->next_hdr == AFTR_IPPROTO_IPIP)
		repair_ip4(p + 54, plen);
	if (h->next_hdr == AFTR_IPPROTO_ICMPV6 && plen >= 4) {
		memset(p + 56, 0, 2);
		*(uint16_t *)(p + 56) = cksum_finish(cksum_add(
		        cksum_ip6_pseudo(h->src, h->dst, plen, AFTR_IPPROTO_ICMPV6), p + 54, plen));
	}
}

/* Whether this input's outputs must carry right L4 checksums: its frames
 * were all repaired and none is a fragment, and no fragment was held
 * from earlier inputs (a datagram reassembled now would be theirs). */
static bool sums_known;

static void note_frame(int port, const uint8_t *p, uint32_t len, bool repaired)
{
	const struct l3_ip6_hdr *h = (const struct l3_ip6_hdr *)(p + 14);
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)(p + (port ? 14 : 54));

	if (!repaired || len < (port ? 34u : 74u) ||
	    (port == DP_PORT_TRANSPORT && h->next_hdr != AFTR_IPPROTO_IPIP &&
	     h->next_hdr != AFTR_IPPROTO_ICMPV6) ||
	    ((port == DP_PORT_WAN || h->next_hdr == AFTR_IPPROTO_IPIP) && pkt_ip4_is_fragment(ip)))
		sums_known = false;
}

static bool none_held(void)
{
	const uint64_t *c = dp.worker[0].ctr->cnt;

	return c[CNT_FRAG_HELD_IP6] + c[CNT_FRAG_HELD_IN] + c[CNT_FRAG_HELD_OUT] == 0;
}

/* The IPv4 packet at ip (len bytes of frame from it) is whole, its header
 * checksum right, and its L4 checksum too when the inputs' were. */
static void check_ip4(const uint8_t *ip, uint32_t len, const char *where)
{
	const struct l3_ip4_hdr *h = (const struct l3_ip4_hdr *)ip;
	uint32_t hl, total;

	FUZZ_ASSERT(len >= 20 && (h->version_ihl >> 4) == 4, "%s: not IPv4", where);
	hl = pkt_ip4_hdr_len(h);
	total = ntohs(h->total_len);
	FUZZ_ASSERT(hl >= 20 && total >= hl && total == len, "%s: IPv4 length %u, frame %u", where,
	            total, len);
	FUZZ_ASSERT(cksum_fold(cksum_add(0, ip, hl)) == 0xffff, "%s: IPv4 header checksum", where);
	if (!sums_known || pkt_ip4_is_fragment(h) || l4_sum_off(h->proto, total - hl) < 0 ||
	    (h->proto == IPPROTO_UDP && *(const uint16_t *)(ip + hl + 6) == 0))
		return;
	FUZZ_ASSERT(l4_sum(ip, hl, total) == 0, "%s: protocol %u checksum", where, h->proto);
}

static void check_ip6(const uint8_t *p, uint32_t len)
{
	const struct l3_ip6_hdr *h = (const struct l3_ip6_hdr *)p;
	uint32_t plen;

	FUZZ_ASSERT(len >= 40 && (p[0] >> 4) == 6, "transport: not IPv6");
	plen = ntohs(h->payload_len);
	FUZZ_ASSERT(40 + plen == len, "transport: IPv6 payload %u, frame %u", plen, len);
	if (h->next_hdr == AFTR_IPPROTO_IPIP)
		check_ip4(p + 40, plen, "softwire");
	else if (h->next_hdr == AFTR_IPPROTO_ICMPV6)
		FUZZ_ASSERT(cksum_fold(cksum_add(
		                    cksum_ip6_pseudo(h->src, h->dst, plen, AFTR_IPPROTO_ICMPV6),
		                    p + 40, plen)) == 0xffff,
		            "ICMPv6 checksum");
	else
		FUZZ_ASSERT(h->next_hdr == AFTR_IPPROTO_FRAGMENT, "transport: next header %u",
		            h->next_hdr);
}

static void check_frame(int port, struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t type;

	FUZZ_ASSERT(m->nb_segs == 1 && len == rte_pktmbuf_pkt_len(m) && len >= 14, "a frame");
	memcpy(&type, p + 12, 2);
	if (type == htons(RTE_ETHER_TYPE_ARP))
		return;
	if (port == 0)
		check_ip6(p + 14, len - 14);
	else
		check_ip4(p + 14, len - 14, "wan");
}

static void out(int port, struct rte_mbuf *m)
{
	check_frame(port, m);
	rte_pktmbuf_free(m);
}

/* Runs the dataplane until nothing moves, checking what leaves; then,
 * quiet, that every packet is accounted for. */
static void settle(void)
{
	if (dp_ring_settle(out))
		FUZZ_ASSERT(dp_ring_conserved(), "every packet accounted for");
}

/* One frame of the input onto its port's RX ring: false when none is
 * left (or no buffer). */
static bool feed(const uint8_t *data, size_t size, size_t *at)
{
	int port;
	bool fix;
	size_t len;
	struct rte_mbuf *m;
	uint8_t *p;

	if (*at + 3 > size)
		return false;
	port = data[*at] & 1;
	fix = !(data[*at] & 2);
	len = (size_t)data[*at + 1] << 8 | data[*at + 2];
	*at += 3;
	if (len > size - *at)
		len = size - *at;
	m = dp_ring_feed(port, data + *at, (uint32_t)len);
	if (m == NULL)
		return false;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	if (fix)
		repair(port, p, (uint32_t)len);
	note_frame(port, (const uint8_t *)p, (uint32_t)len, fix);
	*at += len;
	return true;
}

/* The frames of an input go in all at once (a burst the look-ahead
 * sees whole), or, when its first byte's bit 2 is set, one at a time,
 * each run through before the next: every packet accounted for after
 * each. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool each = size > 0 && (data[0] & 4);
	size_t at = 0;

	sums_known = none_held();
	while (feed(data, size, &at))
		if (each)
			settle();
	settle();
	return 0;
}
