/* Unit tests of lib/net/pkt_hdr.h, pkt.h and pkt.c: header layouts, accessors, IPv4 and IPv6
 * checks and the IPv6 extension header walk. */

#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "pkt.h"

START_TEST(test_layout)
{
	ck_assert_uint_eq(sizeof(struct l3_ip4_hdr), 20);
	ck_assert_uint_eq(sizeof(struct l3_ip6_hdr), 40);
	ck_assert_uint_eq(sizeof(struct l3_ip6_frag_hdr), 8);
	ck_assert_uint_eq(sizeof(struct l4_tcp_hdr), 20);
	ck_assert_uint_eq(sizeof(struct l4_udp_hdr), 8);
	ck_assert_uint_eq(sizeof(struct l4_icmp4_hdr), 8);
	ck_assert_uint_eq(sizeof(struct l4_icmp6_hdr), 8);
	ck_assert_uint_eq(offsetof(struct l3_ip4_hdr, cksum), 10);
	ck_assert_uint_eq(offsetof(struct l3_ip4_hdr, src), 12);
	ck_assert_uint_eq(offsetof(struct l3_ip4_hdr, dst), 16);
	ck_assert_uint_eq(offsetof(struct l3_ip6_hdr, next_hdr), 6);
	ck_assert_uint_eq(offsetof(struct l3_ip6_hdr, src), 8);
	ck_assert_uint_eq(offsetof(struct l3_ip6_hdr, dst), 24);
	ck_assert_uint_eq(offsetof(struct l3_ip6_frag_hdr, id), 4);
	ck_assert_uint_eq(offsetof(struct l4_tcp_hdr, data_off), 12);
	ck_assert_uint_eq(offsetof(struct l4_tcp_hdr, cksum), 16);
	ck_assert_uint_eq(offsetof(struct l4_udp_hdr, cksum), 6);
	ck_assert_uint_eq(offsetof(struct l4_icmp4_hdr, echo.seq), 6);
	ck_assert_uint_eq(offsetof(struct l4_icmp4_hdr, frag.mtu), 6);
	ck_assert_uint_eq(offsetof(struct l4_icmp6_hdr, mtu), 4);
	ck_assert_uint_eq(offsetof(struct l4_icmp6_hdr, echo.id), 4);
}
END_TEST

START_TEST(test_accessors)
{
	struct l3_ip4_hdr ip = {.version_ihl = 0x46};
	struct l3_ip6_frag_hdr fh = {.frag_off_m = htons(185 << 3 | AFTR_IP6_FRAG_M)};
	struct l4_tcp_hdr tcp = {.data_off = 0x8f};

	ck_assert_uint_eq(pkt_ip4_hdr_len(&ip), 24);
	ip.frag_off = htons(AFTR_IP4_FLAG_DF);
	ck_assert(!pkt_ip4_is_fragment(&ip));
	ip.frag_off = htons(AFTR_IP4_FLAG_DF | AFTR_IP4_FLAG_MF);
	ck_assert(pkt_ip4_is_fragment(&ip));
	ck_assert_uint_eq(pkt_ip4_frag_offset(&ip), 0);
	ip.frag_off = htons(185);
	ck_assert(pkt_ip4_is_fragment(&ip));
	ck_assert_uint_eq(pkt_ip4_frag_offset(&ip), 1480);
	ck_assert_uint_eq(pkt_ip6_frag_offset(&fh), 1480);
	ck_assert(pkt_ip6_frag_more(&fh));
	fh.frag_off_m = htons(AFTR_IP6_FRAG_OFF_MASK);
	ck_assert_uint_eq(pkt_ip6_frag_offset(&fh), 8191 * 8);
	ck_assert(!pkt_ip6_frag_more(&fh));
	ck_assert_uint_eq(pkt_tcp_hdr_len(&tcp), 32);
}
END_TEST

/* Names are the snake_case symbols, unique, with help; see PKT_VERDICTS. */
START_TEST(test_verdict_names)
{
#define SYM(sym, name, help) #sym,
	static const char *const syms[] = {PKT_VERDICTS(SYM)};
#undef SYM
	int v, w;

	ck_assert_uint_eq(sizeof(syms) / sizeof(syms[0]), PKT_VERDICT_COUNT);
	for (v = 0; v < PKT_VERDICT_COUNT; v++) {
		const char *name = pkt_verdict_name(v);
		size_t i;

		ck_assert_uint_eq(strlen(name), strlen(syms[v]));
		for (i = 0; name[i]; i++)
			ck_assert_int_eq(name[i], tolower((unsigned char)syms[v][i]));
		ck_assert_uint_gt(strlen(pkt_verdict_help(v)), 10);
		for (w = 0; w < v; w++)
			ck_assert_str_ne(name, pkt_verdict_name(w));
	}
	ck_assert_str_eq(pkt_verdict_name(PKT_IP4_BAD_CKSUM), "ip4_bad_cksum");
	ck_assert_str_eq(pkt_verdict_name(PKT_VERDICT_COUNT), "invalid");
	ck_assert_str_eq(pkt_verdict_name(PKT_VERDICT_COUNT + 7), "invalid");
	ck_assert_ptr_nonnull(pkt_verdict_help(PKT_VERDICT_COUNT));
}
END_TEST

/* An IPv4 header of ihl words, zero options, with a correct checksum and 12 bytes of
 * payload, in a zeroed buffer of IP4_BUF bytes. */
enum { IP4_BUF = 128 };

static void make_ip4(uint8_t *p, unsigned int ihl)
{
	struct l3_ip4_hdr *ip = (void *)p;

	memset(p, 0, IP4_BUF);
	ip->version_ihl = (uint8_t)(0x40 | ihl);
	ip->total_len = htons((uint16_t)(ihl * 4 + 12));
	ip->ttl = 64;
	ip->proto = AFTR_IPPROTO_UDP;
	ip->src = htonl(0xc0000201);
	ip->dst = htonl(0xc6336407);
	ip->cksum = cksum_ip4_hdr(ip);
}

START_TEST(test_ip4_valid)
{
	uint8_t p[IP4_BUF];

	make_ip4(p, 5);
	ck_assert_int_eq(pkt_ip4_check(p, 32), PKT_OK);
	/* Ethernet pads short frames: bytes past total_len are not the datagram's. */
	ck_assert_int_eq(pkt_ip4_check(p, 38), PKT_OK);
	make_ip4(p, 15);
	ck_assert_int_eq(pkt_ip4_check(p, 72), PKT_OK);
}
END_TEST

/* Each mutation of a valid header and the verdict it must produce. */
START_TEST(test_ip4_verdicts)
{
	uint8_t p[IP4_BUF];
	struct l3_ip4_hdr *ip = (void *)p;

	make_ip4(p, 5);
	ck_assert_int_eq(pkt_ip4_check(p, 19), PKT_IP4_TRUNCATED);
	ck_assert_int_eq(pkt_ip4_check(p, 0), PKT_IP4_TRUNCATED);
	ip->version_ihl = 0x65;
	ck_assert_int_eq(pkt_ip4_check(p, 32), PKT_IP4_BAD_VERSION);
	ip->version_ihl = 0x44;
	ck_assert_int_eq(pkt_ip4_check(p, 32), PKT_IP4_BAD_IHL);
	ip->version_ihl = 0x40;
	ck_assert_int_eq(pkt_ip4_check(p, 32), PKT_IP4_BAD_IHL);
	ip->version_ihl = 0x4f;
	ck_assert_int_eq(pkt_ip4_check(p, 59), PKT_IP4_HDR_TRUNCATED);
	make_ip4(p, 6);
	ip->total_len = htons(23);
	ck_assert_int_eq(pkt_ip4_check(p, 36), PKT_IP4_TOTAL_LEN_SHORT);
	make_ip4(p, 5);
	ck_assert_int_eq(pkt_ip4_check(p, 31), PKT_IP4_TOTAL_LEN_LONG);
	ip->cksum ^= htons(1);
	ck_assert_int_eq(pkt_ip4_check(p, 32), PKT_IP4_BAD_CKSUM);
	make_ip4(p, 5);
	ip->ttl--;
	ck_assert_int_eq(pkt_ip4_check(p, 32), PKT_IP4_BAD_CKSUM);
}
END_TEST

/* The inline check of a 20-byte header (a sum modulo 0xffff) against the
 * full one (RFC 1071's folds), on random headers: right checksums, every
 * wrong one near them, and the sums that fold to 0xffff or 0 the most
 * ways (all-ones words; a checksum of 0 and of 0xffff). */
START_TEST(test_ip4_check_fast)
{
	uint8_t p[IP4_BUF];
	struct l3_ip4_hdr *ip = (void *)p;
	unsigned int ok = 0, bad = 0;

	srand(1071);
	for (int i = 0; i < 20000; i++) {
		make_ip4(p, 5);
		for (int b = 2; b < 20; b++)
			if (b != 10 && b != 11 && (b > 3 || i % 3))
				p[b] = (uint8_t)(i % 7 == 0 ? 0xff : rand());
		ip->total_len = htons((uint16_t)(20 + rand() % 12));
		ip->cksum = 0;
		ip->cksum = cksum_ip4_hdr(ip);
		if (i % 2)
			ip->cksum =
			        (uint16_t)(i % 4 == 1 ? ip->cksum ^ htons((uint16_t)(1 << i % 16))
			                              : (i % 8 == 3 ? 0 : 0xffff));
		enum pkt_verdict want = pkt_ip4_check(p, 32);

		ck_assert_int_eq(pkt_ip4_check_fast(p, 32), want);
		ok += want == PKT_OK;
		bad += want == PKT_IP4_BAD_CKSUM;
	}
	ck_assert_uint_gt(ok, 10000);
	ck_assert_uint_gt(bad, 5000);
}
END_TEST

START_TEST(test_ip6_check)
{
	uint8_t p[64] = {0x60, 0x0a, 0xbc, 0xde, 0x00, 0x08, AFTR_IPPROTO_IPIP, 64};

	ck_assert_int_eq(pkt_ip6_check(p, 48), PKT_OK);
	ck_assert_int_eq(pkt_ip6_check(p, 64), PKT_OK);
	ck_assert_int_eq(pkt_ip6_check(p, 39), PKT_IP6_TRUNCATED);
	ck_assert_int_eq(pkt_ip6_check(p, 47), PKT_IP6_PAYLOAD_LEN_LONG);
	p[0] = 0x45;
	ck_assert_int_eq(pkt_ip6_check(p, 48), PKT_IP6_BAD_VERSION);
}
END_TEST

/* One extension header of a test chain: type and length, or fragment offset and M. */
struct ext {
	uint8_t type;
	uint16_t len;
	uint16_t frag_off;
	bool more;
};

/* Lay out an IPv6 header, the chain and 8 bytes of upper layer; returns the packet length. */
static size_t build_chain(uint8_t *p, const struct ext *e, size_t n, uint8_t l4_proto)
{
	struct l3_ip6_hdr *ip6 = (void *)p;
	uint8_t *nh = &ip6->next_hdr;
	size_t off = AFTR_IP6_HDR_LEN, i;

	memset(p, 0xee, 512);
	memset(p, 0, AFTR_IP6_HDR_LEN);
	p[0] = 0x60;
	for (i = 0; i < n; i++) {
		*nh = e[i].type;
		nh = p + off;
		if (e[i].type == AFTR_IPPROTO_FRAGMENT) {
			struct l3_ip6_frag_hdr *fh = (void *)(p + off);

			fh->reserved = 0;
			fh->frag_off_m = htons((uint16_t)(e[i].frag_off | e[i].more));
			off += sizeof(*fh);
		} else {
			p[off + 1] = (uint8_t)(e[i].len / 8 - 1);
			if (e[i].type == AFTR_IPPROTO_ROUTING)
				p[off + 3] = 0; /* Segments Left: done with */
			off += e[i].len;
		}
	}
	*nh = l4_proto;
	off += 8;
	ip6->payload_len = htons((uint16_t)(off - AFTR_IP6_HDR_LEN));
	return off;
}

/* Walk a copy of exactly len bytes on the heap, so that ASan sees any over-read. */
static enum pkt_verdict walk(const uint8_t *p, size_t len, struct pkt_ip6_l4 *out)
{
	uint8_t *copy = malloc(len);
	enum pkt_verdict v;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, len);
	v = pkt_ip6_find_l4(copy, len, out);
	free(copy);
	return v;
}

START_TEST(test_ip6_no_ext)
{
	uint8_t p[512];
	struct pkt_ip6_l4 l4;
	size_t len = build_chain(p, NULL, 0, AFTR_IPPROTO_IPIP);

	ck_assert_int_eq(pkt_ip6_check(p, len), PKT_OK);
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.l4_proto, AFTR_IPPROTO_IPIP);
	ck_assert_uint_eq(l4.l4_off, 40);
	ck_assert_uint_eq(l4.frag_hdr_off, 0);
}
END_TEST

/* Every walked header type, a first fragment in the middle; every truncation of it fails. */
static const struct ext full_chain[] = {
        {AFTR_IPPROTO_HOPOPTS, 8, 0, false},  {AFTR_IPPROTO_DSTOPTS, 16, 0, false},
        {AFTR_IPPROTO_ROUTING, 24, 0, false}, {AFTR_IPPROTO_FRAGMENT, 8, 0, true},
        {AFTR_IPPROTO_DSTOPTS, 8, 0, false},
};

START_TEST(test_ip6_chain)
{
	uint8_t p[512];
	struct pkt_ip6_l4 l4;
	size_t len = build_chain(p, full_chain, 5, AFTR_IPPROTO_UDP);
	size_t cut;

	ck_assert_int_eq(pkt_ip6_check(p, len), PKT_OK);
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.l4_proto, AFTR_IPPROTO_UDP);
	ck_assert_uint_eq(l4.l4_off, 40 + 8 + 16 + 24 + 8 + 8);
	ck_assert_uint_eq(l4.frag_hdr_off, 40 + 8 + 16 + 24);
	ck_assert_uint_eq(l4.rh_off, 0); /* segments left 0: to be ignored */
	/* The upper-layer header itself is the caller's to bound. */
	ck_assert_int_eq(walk(p, l4.l4_off, &l4), PKT_OK);
	for (cut = AFTR_IP6_HDR_LEN; cut < 40 + 8 + 16 + 24 + 8 + 8; cut++)
		ck_assert_int_eq(walk(p, cut, &l4), PKT_IP6_EXT_TRUNCATED);
}
END_TEST

/* A non-first fragment: the walk stops at its fragment header. */
START_TEST(test_ip6_later_fragment)
{
	static const struct ext e[] = {{AFTR_IPPROTO_HOPOPTS, 8, 0, false},
	                               {AFTR_IPPROTO_FRAGMENT, 8, 1480, false}};
	uint8_t p[512];
	struct pkt_ip6_l4 l4;
	size_t len = build_chain(p, e, 2, AFTR_IPPROTO_IPIP);
	const struct l3_ip6_frag_hdr *fh = (const void *)(p + 48);

	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.frag_hdr_off, 48);
	ck_assert_uint_eq(l4.l4_off, 56);
	ck_assert_uint_eq(l4.l4_proto, AFTR_IPPROTO_IPIP);
	ck_assert_uint_eq(pkt_ip6_frag_offset(fh), 1480);
	ck_assert(!pkt_ip6_frag_more(fh));
	ck_assert_int_eq(walk(p, 55, &l4), PKT_IP6_EXT_TRUNCATED);
}
END_TEST

/* A routing header with segments left: where it is, the walk goes on. */
START_TEST(test_ip6_routing_segments_left)
{
	static const struct ext e[] = {{AFTR_IPPROTO_DSTOPTS, 8, 0, false},
	                               {AFTR_IPPROTO_ROUTING, 24, 0, false},
	                               {AFTR_IPPROTO_ROUTING, 24, 0, false}};
	uint8_t p[512];
	struct pkt_ip6_l4 l4;
	size_t len = build_chain(p, e, 3, AFTR_IPPROTO_IPIP);

	p[48 + 3] = 1; /* the first routing header's Segments Left */
	p[72 + 3] = 2;
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.rh_off, 48);
	ck_assert_uint_eq(l4.l4_proto, AFTR_IPPROTO_IPIP);
	ck_assert_uint_eq(l4.l4_off, 96);
	p[48 + 3] = 0;
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.rh_off, 72);
}
END_TEST

START_TEST(test_ip6_bad_chains)
{
	static const struct ext hbh_late[] = {{AFTR_IPPROTO_DSTOPTS, 8, 0, false},
	                                      {AFTR_IPPROTO_HOPOPTS, 8, 0, false}};
	static const struct ext two_frags[] = {{AFTR_IPPROTO_FRAGMENT, 8, 0, true},
	                                       {AFTR_IPPROTO_FRAGMENT, 8, 0, true}};
	struct ext many[PKT_IP6_EXT_MAX + 1];
	uint8_t p[512];
	struct pkt_ip6_l4 l4;
	size_t len, i;

	len = build_chain(p, hbh_late, 2, AFTR_IPPROTO_TCP);
	ck_assert_int_eq(walk(p, len, &l4), PKT_IP6_HOPOPTS_NOT_FIRST);
	len = build_chain(p, two_frags, 2, AFTR_IPPROTO_TCP);
	ck_assert_int_eq(walk(p, len, &l4), PKT_IP6_FRAG_DUP);
	for (i = 0; i < PKT_IP6_EXT_MAX + 1; i++)
		many[i] = (struct ext){AFTR_IPPROTO_DSTOPTS, 8, 0, false};
	len = build_chain(p, many, PKT_IP6_EXT_MAX, AFTR_IPPROTO_TCP);
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.l4_off, 40 + 8 * PKT_IP6_EXT_MAX);
	len = build_chain(p, many, PKT_IP6_EXT_MAX + 1, AFTR_IPPROTO_TCP);
	ck_assert_int_eq(walk(p, len, &l4), PKT_IP6_EXT_TOO_MANY);
	/* A length field pointing far past the packet. */
	len = build_chain(p, many, 1, AFTR_IPPROTO_TCP);
	p[41] = 255;
	ck_assert_int_eq(walk(p, len, &l4), PKT_IP6_EXT_TRUNCATED);
}
END_TEST

/* No Next Header and protocols we do not walk (ESP) end the chain as the upper layer. */
START_TEST(test_ip6_chain_ends)
{
	static const struct ext e[] = {{AFTR_IPPROTO_DSTOPTS, 8, 0, false}};
	uint8_t p[512];
	struct pkt_ip6_l4 l4;
	size_t len;

	len = build_chain(p, e, 1, AFTR_IPPROTO_NONE);
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.l4_proto, AFTR_IPPROTO_NONE);
	ck_assert_uint_eq(l4.l4_off, 48);
	len = build_chain(p, e, 1, 50);
	ck_assert_int_eq(walk(p, len, &l4), PKT_OK);
	ck_assert_uint_eq(l4.l4_proto, 50);
}
END_TEST

static Suite *pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *hdr = tcase_create("headers");
	TCase *ip4 = tcase_create("ip4");
	TCase *ip6 = tcase_create("ip6");

	tcase_add_test(hdr, test_layout);
	tcase_add_test(hdr, test_accessors);
	tcase_add_test(hdr, test_verdict_names);
	suite_add_tcase(s, hdr);
	tcase_add_test(ip4, test_ip4_valid);
	tcase_add_test(ip4, test_ip4_verdicts);
	tcase_add_test(ip4, test_ip4_check_fast);
	suite_add_tcase(s, ip4);
	tcase_add_test(ip6, test_ip6_check);
	tcase_add_test(ip6, test_ip6_no_ext);
	tcase_add_test(ip6, test_ip6_chain);
	tcase_add_test(ip6, test_ip6_later_fragment);
	tcase_add_test(ip6, test_ip6_routing_segments_left);
	tcase_add_test(ip6, test_ip6_bad_chains);
	tcase_add_test(ip6, test_ip6_chain_ends);
	suite_add_tcase(s, ip6);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pkt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
