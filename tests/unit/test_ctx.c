/* Unit tests of dataplane/worker/ctx.h's readers of an IPv4 header into a
 * packet's context: RX's shortcut for the usual header, dp_ctx_ip4_plain,
 * gives every field dp_ctx_ip4_fresh gives (TCP, UDP, ICMP echo and
 * others, fragments first and later, L4 too short for ports). DPDK's EAL
 * is started (no hugepages) for the mbufs and their private area. */
#include <check.h>
#include <limits.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_test.h"
#include "ctx.h"

static struct rte_mempool *mp;

/* A frame: 14 bytes of Ethernet, then a 20-byte IPv4 header of proto,
 * total length len and fragment field frag (host order), then L4 bytes
 * (ports 1234 -> 80, or an ICMP type), then padding to 64 bytes. */
static struct rte_mbuf *frame(uint8_t proto, uint16_t len, uint16_t frag, uint8_t icmp_type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;
	struct l3_ip4_hdr *ip;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + (len > 50 ? len : 50)));
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 14 + (len > 50 ? len : 50));
	ip = (struct l3_ip4_hdr *)(p + 14);
	ip->version_ihl = 0x45;
	ip->total_len = htons(len);
	ip->frag_off = htons(frag);
	ip->ttl = 64;
	ip->proto = proto;
	if (proto == IPPROTO_ICMP) {
		p[34] = icmp_type;
		p[38] = 0x12; /* the echo identifier */
		p[39] = 0x34;
	} else {
		p[34] = 0x04; /* 1234 */
		p[35] = 0xd2;
		p[37] = 80;
	}
	return m;
}

/* Both readers over the same frame, from fresh contexts: the same fields. */
static void same(uint8_t proto, uint16_t len, uint16_t frag, uint8_t icmp_type)
{
	struct rte_mbuf *a = frame(proto, len, frag, icmp_type);
	struct rte_mbuf *b = frame(proto, len, frag, icmp_type);
	struct dp_ctx *ca = dp_ctx_new(a, 1), *cb = dp_ctx_new(b, 1);

	rte_pktmbuf_trim(a, (uint16_t)(rte_pktmbuf_data_len(a) - 14 - len));
	rte_pktmbuf_trim(b, (uint16_t)(rte_pktmbuf_data_len(b) - 14 - len));
	dp_ctx_ip4_fresh(a, 14);
	dp_ctx_ip4_plain(b, 14);
	ck_assert_msg(memcmp(ca, cb, offsetof(struct dp_ctx, orig_len)) == 0,
	              "proto %u len %u frag %#x: l4 %u/%u l4_len %u/%u flags %#x/%#x ports %u/%u",
	              proto, len, frag, ca->l4, cb->l4, ca->l4_len, cb->l4_len, ca->flags,
	              cb->flags, ntohs(ca->sport), ntohs(cb->sport));
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

START_TEST(test_plain_is_fresh)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 47};
	static const uint16_t lens[] = {20, 22, 24, 27, 28, 40, 100};
	static const uint16_t frags[] = {0, 0x4000, AFTR_IP4_FLAG_MF, AFTR_IP4_FLAG_MF | 3, 3};
	static const uint8_t icmp_types[] = {AFTR_ICMP4_ECHO_REQUEST, AFTR_ICMP4_ECHO_REPLY, 3};

	for (size_t i = 0; i < sizeof(protos); i++)
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
			for (size_t f = 0; f < sizeof(frags) / sizeof(frags[0]); f++)
				for (size_t t = 0; t < sizeof(icmp_types); t++)
					same(protos[i], lens[k], frags[f], icmp_types[t]);
}
END_TEST

/* What the shortcut reads, spelled out for one UDP datagram and one later
 * fragment (no L4 header: no ports). */
START_TEST(test_plain_fields)
{
	struct rte_mbuf *m = frame(IPPROTO_UDP, 60, 0, 0);
	struct dp_ctx *c = dp_ctx_new(m, 1);

	dp_ctx_ip4_plain(m, 14);
	ck_assert_uint_eq(c->l3, 14);
	ck_assert_uint_eq(c->l4, 34);
	ck_assert_uint_eq(c->l4_len, 40);
	ck_assert_uint_eq(c->proto, IPPROTO_UDP);
	ck_assert_uint_eq(c->flags, CTX_PORTS);
	ck_assert_uint_eq(ntohs(c->sport), 1234);
	ck_assert_uint_eq(ntohs(c->dport), 80);
	rte_pktmbuf_free(m);
	m = frame(IPPROTO_UDP, 60, 10, 0);
	c = dp_ctx_new(m, 1);
	dp_ctx_ip4_plain(m, 14);
	ck_assert_uint_eq(c->flags, CTX_FRAG4);
	ck_assert_uint_eq(c->sport, 0);
	rte_pktmbuf_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("ctx");

	if (dp_test_eal("test_ctx", "64") < 0)
		return EXIT_FAILURE;
	mp = rte_pktmbuf_pool_create("mp", 63, 0, DP_CTX_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
	                             SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "test_ctx: cannot make the mbuf pool\n");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_plain_is_fresh);
	tcase_add_test(tc, test_plain_fields);
	suite_add_tcase(s, tc);
	return dp_test_run(s);
}
