/* The real dataplane (tests/unit/dp_ring.h: its own start, RX, the
 * graph's nodes, the main lcore) with its packet buffer pool exhausted,
 * as when something holds every buffer: each packet the AFTR makes (an
 * ICMP error to a B4, fragmentation needed to the Internet, the IPv6
 * fragments of a packet over a softwire's MTU) is counted as made and
 * dropped under no_mbuf, the packets it only forwards still go, every
 * packet is accounted for, and nothing is lost: with the buffers back,
 * the same packets bring their errors and fragments, and the pool ends
 * as full as it began. */
#include <check.h>
#include <netinet/in.h>
#include <rte_mbuf.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "dp.h"
#include "dp_ring.h"
#include "dp_test.h"
#include "pkt.h"

#define INSIDE 0xc0a80102u /* 192.168.1.2, behind B4 2001:db8:1::2 */
#define REMOTE 0xcb007109u /* 203.0.113.9 */
#define BIG    1400        /* over the B4's tunnel MTU once in IPv6 */

static const char config[] =
        "endpoint: 2001:db8::1\n"
        "icmp_source: 192.0.0.1\n"
        "acl6: [2001:db8:1::/48]\n"
        "pools: [{address: 198.51.100.1}]\n"
        "nat: {sessions_per_worker: 4096, subscribers_per_worker: 1024}\n"
        "tunnels: [{b4: \"2001:db8:1::2\", mtu: 1400}]\n"
        "interfaces:\n"
        "  transport: {device: %s, address: 2001:db8:ffff::1/64, gateway: 2001:db8:ffff::fe,"
        " gateway_mac: \"02:00:00:00:00:fe\"}\n"
        "  wan: {device: %s, address: 192.0.2.1/24, gateway: 192.0.2.254,"
        " gateway_mac: \"02:00:00:00:01:fe\"}\n";

static uint8_t frame[2][2048];
static uint32_t frame_len[2];
static unsigned int sent[2];
static uint32_t public_addr;
static uint16_t public_port;

/* An IPv4 UDP packet of total bytes at ip, its header checksum right
 * (UDP's left 0: none computed). */
static void udp4(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 uint16_t total, uint8_t ttl, bool df)
{
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)p;
	struct l4_udp_hdr *udp = (struct l4_udp_hdr *)(ip + 1);

	memset(p, 0, total);
	*ip = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                          .total_len = htons(total),
	                          .frag_off = htons(df ? AFTR_IP4_FLAG_DF : 0),
	                          .ttl = ttl,
	                          .proto = IPPROTO_UDP,
	                          .src = htonl(src),
	                          .dst = htonl(dst)};
	ip->cksum = cksum_ip4_hdr(ip);
	*udp = (struct l4_udp_hdr){htons(sport), htons(dport), htons((uint16_t)(total - 20)), 0};
}

static void ether(uint8_t *p, uint16_t type)
{
	static const uint8_t dst[6] = {2, 0x70, 0x63, 0x61, 0x70, 0},
	                     src[6] = {2, 0, 0, 0, 0, 0xfe};

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = (uint8_t)(type >> 8);
	p[13] = (uint8_t)type;
}

/* From B4 2001:db8:1::2 in its softwire: UDP from INSIDE to REMOTE. */
static struct rte_mbuf *from_b4(uint8_t ttl)
{
	uint8_t f[14 + 40 + 60];
	struct l3_ip6_hdr *ip6 = (struct l3_ip6_hdr *)(f + 14);
	static const uint8_t b4[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2},
	                     ep[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	ether(f, 0x86dd);
	*ip6 = (struct l3_ip6_hdr){.vtc_flow = htonl(6u << 28),
	                           .payload_len = htons(60),
	                           .next_hdr = AFTR_IPPROTO_IPIP,
	                           .hop_limit = 64};
	memcpy(ip6->src, b4, 16);
	memcpy(ip6->dst, ep, 16);
	udp4(f + 54, INSIDE, REMOTE, 5000, 53, 60, ttl, false);
	return dp_ring_feed(DP_PORT_TRANSPORT, f, sizeof(f));
}

/* From the Internet to the B4's session: total bytes of IPv4. */
static struct rte_mbuf *to_b4(uint16_t total, bool df)
{
	uint8_t f[14 + BIG];

	ether(f, 0x0800);
	udp4(f + 14, REMOTE, public_addr, 53, public_port, total, 60, df);
	return dp_ring_feed(DP_PORT_WAN, f, 14u + total);
}

static void out(int port, struct rte_mbuf *m)
{
	sent[port]++;
	if (port == DP_PORT_WAN && rte_pktmbuf_data_len(m) >= 14 + 28) {
		const struct l3_ip4_hdr *ip =
		        (const struct l3_ip4_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + 14);
		const struct l4_udp_hdr *udp = (const struct l4_udp_hdr *)(ip + 1);

		if (ip->proto == IPPROTO_UDP) {
			public_addr = ntohl(ip->src);
			public_port = ntohs(udp->src_port);
		}
	}
	frame_len[port] = RTE_MIN(rte_pktmbuf_data_len(m), (uint32_t)sizeof(frame[port]));
	memcpy(frame[port], rte_pktmbuf_mtod(m, uint8_t *), frame_len[port]);
	rte_pktmbuf_free(m);
}

static void settle(void)
{
	sent[0] = sent[1] = 0;
	ck_assert(dp_ring_settle(out));
	ck_assert_msg(dp_ring_conserved(), "every packet accounted for");
}

/* Every buffer left in the pool, taken: how many (the array is malloc'd). */
static unsigned int hoard(struct rte_mbuf ***all)
{
	unsigned int n = 0, cap = rte_mempool_avail_count(dp.mp) + 1024;
	struct rte_mbuf *m;

	*all = malloc(sizeof(**all) * cap);
	ck_assert_ptr_nonnull(*all);
	while (n < cap && (m = rte_pktmbuf_alloc(dp.mp)) != NULL)
		(*all)[n++] = m;
	ck_assert_uint_lt(n, cap);
	return n;
}

/* The packets, each with what leaves (to the WAN, to the transport) and
 * the buffers the AFTR wants for it: with none to be had, and with. */
static const struct {
	const char *what;
	/* WAN, transport frames out; packets made; of them dropped no_mbuf */
	unsigned int starved[4], fed[4];
} cases[] = {
        {"TTL 1 from the B4: time exceeded to it", {0, 0, 1, 1}, {0, 1, 1, 0}},
        {"over the tunnel MTU, DF: fragmentation needed, and IPv6 fragments (toobig on)",
         {0, 0, 2, 2},
         {1, 2, 3, 0}},
        {"over the tunnel MTU: IPv6 fragments", {0, 0, 1, 1}, {0, 2, 2, 0}},
        {"from the B4, forwarded in its own buffer", {1, 0, 0, 0}, {1, 0, 0, 0}},
        {"to the B4, encapsulated in its own buffer", {0, 1, 0, 0}, {0, 1, 0, 0}},
};

static struct rte_mbuf *feed(unsigned int i)
{
	switch (i) {
	case 0:
		return from_b4(1);
	case 1:
		return to_b4(BIG, true);
	case 2:
		return to_b4(BIG, false);
	case 3:
		return from_b4(64);
	default:
		return to_b4(100, false);
	}
}

/* Case i, with every buffer taken (starved) or not: what leaves, and
 * each buffer the AFTR could not have counted as made and dropped. */
static void run(unsigned int i, bool starved)
{
	const unsigned int *want = starved ? cases[i].starved : cases[i].fed;
	uint64_t made = dp_ring_counter("created"), nombuf = dp_ring_counter("drop_no_mbuf");
	struct rte_mbuf **all = NULL;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(feed(i));
	if (starved)
		n = hoard(&all);
	settle();
	for (unsigned int k = 0; k < n; k++)
		rte_pktmbuf_free(all[k]);
	free(all);
	ck_assert_msg(sent[DP_PORT_WAN] == want[0] && sent[DP_PORT_TRANSPORT] == want[1],
	              "%s%s: %u to the WAN, %u to the transport", cases[i].what,
	              starved ? ", no buffer" : "", sent[DP_PORT_WAN], sent[DP_PORT_TRANSPORT]);
	ck_assert_uint_eq(dp_ring_counter("created") - made, want[2]);
	ck_assert_uint_eq(dp_ring_counter("drop_no_mbuf") - nombuf, want[3]);
	if (!starved && i == 0) /* ICMP time exceeded inside 4in6 */
		ck_assert_uint_eq(frame[DP_PORT_TRANSPORT][14 + 40 + 20], AFTR_ICMP4_TIME_EXCEEDED);
	if (!starved && i == 1) /* destination unreachable, fragmentation needed */
		ck_assert_uint_eq(frame[DP_PORT_WAN][14 + 20] << 8 | frame[DP_PORT_WAN][14 + 21],
		                  AFTR_ICMP4_DEST_UNREACH << 8 | 4);
}

START_TEST(test_exhausted)
{
	unsigned int avail;

	/* A session: the B4's packet leaves by the WAN. */
	ck_assert_ptr_nonnull(from_b4(64));
	settle();
	ck_assert_uint_eq(sent[DP_PORT_WAN], 1);
	ck_assert_uint_eq(public_addr, 0xc6336401u);
	avail = rte_mempool_avail_count(dp.mp);
	for (unsigned int i = 0; i < RTE_DIM(cases); i++)
		run(i, true);
	for (unsigned int i = 0; i < RTE_DIM(cases); i++)
		run(i, false);
	/* Nothing kept: the pool as full as before. */
	ck_assert_uint_eq(rte_mempool_avail_count(dp.mp), avail);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("exhausted");
	char shm[32];

	if (dp_test_eal("test_pool", "256") < 0)
		return EXIT_FAILURE;
	snprintf(shm, sizeof(shm), "test_pool%d", (int)getpid());
	if (dp_ring_start(config, shm) < 0)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_exhausted);
	suite_add_tcase(s, tc);
	return dp_test_run_then(s, dp_ring_stop);
}
