/* Unit tests of the lwB4's NAPT44 (deploy/b4/napt.c, napt_icmp.c): every public port it
 * hands out lies in the port set (RFC 7597 section 5.1) for every PSID length at offsets 0, 4
 * and 6, port 0 and the excluded A = 0 block never; the edge ports of a set; exhaustion;
 * ICMP echo identifiers as ports; ICMP errors translated both ways with their quote (RFC
 * 5508); the timeouts (RFC 4787, 5382, 5508); fragments; what is dropped and counted. Every
 * translated packet's IPv4 and transport checksums are verified from scratch. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "napt.h"

#define EXT     0xc6336407u /* 198.51.100.7 */
#define INSIDE  0x0a000002u /* 10.0.0.2 */
#define SERVER  0xcb007109u /* 203.0.113.9 */
#define SELF    0xc0000002u /* 192.0.0.2, the TUN's */
#define SEC     1000ull
#define MAXPORT 65536

static struct b4_counters ctr;
static struct napt n;

static void bind_set(unsigned int offset, unsigned int len, unsigned int psid)
{
	struct psid_params ps = {(uint8_t)offset, (uint8_t)len, (uint16_t)psid};
	struct napt_timeouts to = NAPT_TIMEOUTS_DEFAULT;
	char err[128];

	memset(&ctr, 0, sizeof(ctr));
	n.self_addr = htonl(SELF);
	ck_assert_int_eq(napt_bind(&n, htonl(EXT), &ps, &to, &ctr, err, sizeof(err)), 0);
}

static void teardown(void)
{
	napt_free(&n);
}

/* An IPv4 packet of proto from src:sport to dst:dport (the ICMP type and identifier for ICMP)
 * with plen bytes of payload, checksums right. Returns its length. */
static size_t build(uint8_t *b, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
                    uint16_t dport, size_t plen)
{
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)b;
	size_t l4len = (proto == AFTR_IPPROTO_TCP ? 20 : 8) + plen;
	uint8_t *l4 = b + 20;

	memset(b, 0, 20 + l4len);
	*ip = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                          .total_len = htons((uint16_t)(20 + l4len)),
	                          .id = htons(0x1234),
	                          .ttl = 64,
	                          .proto = proto,
	                          .src = htonl(src),
	                          .dst = htonl(dst)};
	for (size_t i = l4len - plen; i < l4len; i++)
		l4[i] = (uint8_t)(i * 7);
	if (proto == AFTR_IPPROTO_ICMP) {
		l4[0] = (uint8_t)sport; /* the type */
		l4[4] = (uint8_t)(dport >> 8);
		l4[5] = (uint8_t)dport;
	} else {
		l4[0] = (uint8_t)(sport >> 8);
		l4[1] = (uint8_t)sport;
		l4[2] = (uint8_t)(dport >> 8);
		l4[3] = (uint8_t)dport;
		if (proto == AFTR_IPPROTO_UDP)
			l4[5] = (uint8_t)l4len;
		else
			l4[12] = 0x50;
	}
	ip->cksum = cksum_ip4_hdr(ip);
	{
		uint16_t ck = cksum_ip4_l4(ip, l4, (uint16_t)l4len);

		memcpy(l4 + (proto == AFTR_IPPROTO_TCP   ? 16
		             : proto == AFTR_IPPROTO_UDP ? 6
		                                         : 2),
		       &ck, 2);
	}
	return 20 + l4len;
}

static void tcp_flags(uint8_t *b, uint8_t flags)
{
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)b;
	uint16_t zero = 0, ck;

	b[20 + 13] = flags;
	memcpy(b + 36, &zero, 2);
	ck = cksum_ip4_l4(ip, b + 20, (uint16_t)(ntohs(ip->total_len) - 20));
	memcpy(b + 36, &ck, 2);
}

/* The IPv4 header checksum and the whole transport checksum verify. */
static void assert_cksums(const uint8_t *b, size_t len)
{
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)b;
	uint32_t sum = 0;

	ck_assert_uint_eq(cksum_fold(cksum_add(0, b, 20)), 0xffff);
	if (ip->proto != AFTR_IPPROTO_ICMP)
		sum = cksum_ip4_pseudo(ip->src, ip->dst, ip->proto, (uint16_t)(len - 20));
	ck_assert_uint_eq(cksum_fold(cksum_add(sum, b + 20, len - 20)), 0xffff);
}

static uint32_t src_of(const uint8_t *b)
{
	return ntohl(((const struct l3_ip4_hdr *)b)->src);
}

static uint32_t dst_of(const uint8_t *b)
{
	return ntohl(((const struct l3_ip4_hdr *)b)->dst);
}

static uint16_t port16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Every layout: new UDP flows take distinct ports of the set only, never port 0; small sets
 * fill up and the next flow is refused and counted; replies find their flows. */
static void fill_set(unsigned int offset, unsigned int len, unsigned int psid)
{
	struct psid_params ps = {(uint8_t)offset, (uint8_t)len, (uint16_t)psid};
	static uint8_t seen[MAXPORT], b[128];
	/* Port 0 belongs to the set of PSID 0 at offset 0, but is never handed out. */
	uint32_t usable = psid_port_count(&ps) - psid_port_in_set(&ps, 0), made = 0;
	uint32_t want = usable > 4096 ? 4096 : usable;
	size_t l;

	bind_set(offset, len, psid);
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; made < want && i < 3 * want + 10; i++) {
		uint16_t sport = (uint16_t)(10000 + i), ext;

		l = build(b, AFTR_IPPROTO_UDP, INSIDE, sport, SERVER, 53, 4);
		if (!napt_out(&n, b, l, 0)) {
			ck_assert_uint_eq(ctr.v[CTR_tx_drop_ports_exhausted], 1);
			break;
		}
		ext = port16(b + 20);
		ck_assert_uint_eq(src_of(b), EXT);
		ck_assert_msg(psid_port_in_set(&ps, ext) && ext != 0,
		              "offset %u len %u psid %u: port %u outside the set", offset, len,
		              psid, ext);
		ck_assert_msg(!seen[ext], "port %u twice", ext);
		seen[ext] = 1;
		assert_cksums(b, l);
		made++;
		/* The reply comes back to the inside port. */
		l = build(b, AFTR_IPPROTO_UDP, SERVER, 53, EXT, ext, 4);
		ck_assert(napt_in(&n, b, l, 1));
		ck_assert_uint_eq(dst_of(b), INSIDE);
		ck_assert_uint_eq(port16(b + 22), sport);
		assert_cksums(b, l);
	}
	ck_assert_uint_eq(made, want);
	if (usable <= 4096) { /* full: the next flow is refused */
		l = build(b, AFTR_IPPROTO_UDP, INSIDE, 9, SERVER, 53, 4);
		ck_assert(!napt_out(&n, b, l, 2));
		ck_assert_uint_eq(ctr.v[CTR_tx_drop_ports_exhausted], 1);
	}
	ck_assert_uint_eq(ctr.v[CTR_napt_mappings_created], made);
	napt_free(&n);
}

START_TEST(test_every_layout)
{
	static const unsigned int offsets[] = {0, 4, 6};

	for (unsigned int o = 0; o < 3; o++) {
		for (unsigned int k = 0; k + offsets[o] <= 16; k++) {
			unsigned int max = (1u << k) - 1;

			fill_set(offsets[o], k, 0);
			fill_set(offsets[o], k, max);
			if (max > 2)
				fill_set(offsets[o], k, max / 2 + 1);
		}
	}
}
END_TEST

/* Out with inside port sport: the public port. */
static uint16_t out_port(uint8_t proto, uint16_t sport, uint64_t now)
{
	uint8_t b[128];
	size_t l = build(b, proto, INSIDE, sport, SERVER, 80, 10);

	ck_assert(napt_out(&n, b, l, now));
	assert_cksums(b, l);
	return port16(b + 20);
}

START_TEST(test_edge_ports)
{
	/* Offset 0, PSID length 5, PSID 1: ports 2048-4095, one range. */
	bind_set(0, 5, 1);
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 2048, 0), 2048); /* kept: in the set */
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 4095, 0), 4095);
	for (uint16_t p = 2040; p < 2048; p++) {
		uint16_t e = out_port(AFTR_IPPROTO_UDP, p, 0);

		ck_assert(e > 2048 && e < 4095);
	}
	ck_assert_uint_ge(out_port(AFTR_IPPROTO_TCP, 4096, 0), 2048);
	ck_assert_uint_le(out_port(AFTR_IPPROTO_TCP, 4097, 0), 4095);
	/* The same inside port again: the same mapping, whatever the destination. */
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 4095, 0), 4095);
	ck_assert_uint_eq(ctr.v[CTR_napt_mappings_created], 12);

	/* Offset 6, PSID length 8, PSID 255: m = 2, A = 1..63; the first port 2044, the last
	 * 65535; 1020-1023 (A = 0) belongs to no set. */
	bind_set(6, 8, 255);
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 2044, 0), 2044);
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 65535, 0), 65535);
	for (uint16_t p = 1020; p < 1024; p++) {
		uint16_t e = out_port(AFTR_IPPROTO_UDP, p, 0);

		ck_assert_uint_ne(e, p);
		ck_assert_uint_ge(e, 1024);
		ck_assert_uint_eq((e >> 2) & 0xff, 255);
	}

	/* Offset 0, PSID 0: ports 0-1023; port 0 is never taken, 1 and 1023 are kept. */
	bind_set(0, 6, 0);
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 1, 0), 1);
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 1023, 0), 1023);
	ck_assert_uint_ne(out_port(AFTR_IPPROTO_UDP, 0, 0), 0);
}
END_TEST

/* A full set refuses new flows (without a scan for a second) until a mapping expires. */
START_TEST(test_full_until_expiry)
{
	bind_set(0, 16, 5); /* one port: 5 */
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 7000, 0), 5);
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 7000, 299 * SEC), 5); /* refreshed */
	for (uint64_t t = 300; t < 600; t += 100) {
		uint8_t b[128];
		size_t l = build(b, AFTR_IPPROTO_UDP, INSIDE, 7001, SERVER, 80, 0);

		ck_assert(!napt_out(&n, b, l, t * SEC));
	}
	ck_assert_uint_eq(ctr.v[CTR_tx_drop_ports_exhausted], 3);
	/* 7000's mapping ends at 599 s: 7001 gets the port. */
	ck_assert_uint_eq(out_port(AFTR_IPPROTO_UDP, 7001, 599 * SEC), 5);
	ck_assert_uint_eq(ctr.v[CTR_napt_mappings_expired], 1);
}
END_TEST

START_TEST(test_icmp_echo)
{
	uint8_t b[128];
	size_t l;
	uint16_t id;

	bind_set(6, 6, 5); /* m = 4: ids like 0x0450-0x045f, ... */
	l = build(b, AFTR_IPPROTO_ICMP, INSIDE, 8, SERVER, 7, 56);
	ck_assert(napt_out(&n, b, l, 0));
	id = port16(b + 24);
	ck_assert(psid_port_in_set(&(struct psid_params){6, 6, 5}, id));
	ck_assert_uint_eq(src_of(b), EXT);
	assert_cksums(b, l);
	/* The reply. */
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 0, EXT, id, 56);
	ck_assert(napt_in(&n, b, l, 1));
	ck_assert_uint_eq(port16(b + 24), 7);
	ck_assert_uint_eq(dst_of(b), INSIDE);
	assert_cksums(b, l);
	/* A ping of the public address goes to the host (the TUN's address); its answer comes
	 * from the public address; the identifier stays. */
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 8, EXT, 0x4242, 8);
	ck_assert(napt_in(&n, b, l, 1));
	ck_assert_uint_eq(dst_of(b), SELF);
	ck_assert_uint_eq(port16(b + 24), 0x4242);
	assert_cksums(b, l);
	l = build(b, AFTR_IPPROTO_ICMP, SELF, 0, SERVER, 0x4242, 8);
	ck_assert(napt_out(&n, b, l, 1));
	ck_assert_uint_eq(src_of(b), EXT);
	ck_assert_uint_eq(port16(b + 24), 0x4242);
	assert_cksums(b, l);
	/* An echo reply from inside is not: nothing inside was pinged. */
	l = build(b, AFTR_IPPROTO_ICMP, INSIDE, 0, SERVER, 0x4242, 8);
	ck_assert(!napt_out(&n, b, l, 1));
	ck_assert_uint_eq(ctr.v[CTR_tx_drop_napt_unsupported], 1);
	/* A reply to an identifier with no mapping. */
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 0, EXT, (uint16_t)(id ^ 1), 8);
	ck_assert(!napt_in(&n, b, l, 1));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_no_mapping], 1);
}
END_TEST

/* An ICMP error of type/code from src to dst quoting qlen bytes of the packet q. */
static size_t icmp_error(uint8_t *b, uint8_t type, uint8_t code, uint32_t src, uint32_t dst,
                         const uint8_t *q, size_t qlen)
{
	size_t l = build(b, AFTR_IPPROTO_ICMP, src, type, dst, 0, qlen);
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)b;
	uint16_t ck = 0;

	b[21] = code;
	memcpy(b + 28, q, qlen);
	memcpy(b + 22, &ck, 2);
	ck = cksum_finish(cksum_add(0, b + 20, l - 20));
	memcpy(b + 22, &ck, 2);
	ip->cksum = 0;
	ip->cksum = cksum_ip4_hdr(ip);
	return l;
}

START_TEST(test_icmp_error_in)
{
	uint8_t b[256], sent[128], err[256];
	size_t l, el;
	uint16_t ext;

	bind_set(0, 5, 1);
	l = build(sent, AFTR_IPPROTO_UDP, INSIDE, 5000, SERVER, 53, 12);
	ck_assert(napt_out(&n, sent, l, 0));
	ext = port16(sent + 20);
	/* Port unreachable from the server, quoting the whole datagram. */
	el = icmp_error(err, 3, 3, SERVER, EXT, sent, l);
	memcpy(b, err, el);
	ck_assert(napt_in(&n, b, el, 1));
	ck_assert_uint_eq(dst_of(b), INSIDE);
	ck_assert_uint_eq(ntohl(((struct l3_ip4_hdr *)(b + 28))->src), INSIDE);
	ck_assert_uint_eq(port16(b + 48), 5000);
	assert_cksums(b, el);     /* the ICMP checksum */
	assert_cksums(b + 28, l); /* the quote's IPv4 and UDP checksums */
	/* Time exceeded quoting only 8 bytes of a TCP segment: no TCP checksum to fix. */
	l = build(sent, AFTR_IPPROTO_TCP, INSIDE, 6000, SERVER, 443, 0);
	ck_assert(napt_out(&n, sent, l, 0));
	el = icmp_error(err, 11, 0, 0xc0000201u, EXT, sent, 28);
	ck_assert(napt_in(&n, err, el, 1));
	ck_assert_uint_eq(port16(err + 48), 6000);
	ck_assert_uint_eq(cksum_fold(cksum_add(0, err + 28, 20)), 0xffff);
	assert_cksums(err, el);
	/* About a port with no mapping; a quote too short; a quote of another address. */
	l = build(sent, AFTR_IPPROTO_UDP, EXT, (uint16_t)(ext + 1), SERVER, 53, 0);
	el = icmp_error(err, 3, 3, SERVER, EXT, sent, l);
	ck_assert(!napt_in(&n, err, el, 1));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_no_mapping], 1);
	el = icmp_error(err, 3, 3, SERVER, EXT, sent, 24);
	ck_assert(!napt_in(&n, err, el, 1));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_bad_icmp], 1);
	l = build(sent, AFTR_IPPROTO_UDP, SERVER, ext, SERVER, 53, 0);
	el = icmp_error(err, 3, 3, SERVER, EXT, sent, l);
	ck_assert(!napt_in(&n, err, el, 1));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_no_mapping], 2);
}
END_TEST

START_TEST(test_icmp_error_out)
{
	uint8_t b[128], got[128], err[256];
	size_t l, el;
	uint16_t ext;

	bind_set(6, 4, 3);
	l = build(b, AFTR_IPPROTO_UDP, INSIDE, 5000, SERVER, 53, 0);
	ck_assert(napt_out(&n, b, l, 0));
	ext = port16(b + 20);
	l = build(got, AFTR_IPPROTO_UDP, SERVER, 53, EXT, ext, 20);
	ck_assert(napt_in(&n, got, l, 1));
	/* The inside host's port is closed by now: it says so about what it got. */
	el = icmp_error(err, 3, 3, INSIDE, SERVER, got, l);
	ck_assert(napt_out(&n, err, el, 2));
	ck_assert_uint_eq(src_of(err), EXT);
	ck_assert_uint_eq(ntohl(((struct l3_ip4_hdr *)(err + 28))->dst), EXT);
	ck_assert_uint_eq(port16(err + 50), ext);
	assert_cksums(err, el);
	assert_cksums(err + 28, l);
	/* About a flow of no mapping. */
	l = build(got, AFTR_IPPROTO_UDP, SERVER, 53, INSIDE, 5001, 0);
	el = icmp_error(err, 3, 3, INSIDE, SERVER, got, l);
	ck_assert(!napt_out(&n, err, el, 2));
	ck_assert_uint_eq(ctr.v[CTR_tx_drop_napt_no_mapping], 1);
}
END_TEST

/* Is the mapping of public port ext alive at now (a reply gets in)? */
static bool alive(uint8_t proto, uint16_t ext, uint64_t now)
{
	uint8_t b[128];
	size_t l = build(b, proto, SERVER, 80, EXT, ext, 0);

	return napt_in(&n, b, l, now);
}

START_TEST(test_timeouts)
{
	uint8_t b[128];
	size_t l;
	uint16_t u, t, e;

	bind_set(0, 4, 2);
	u = out_port(AFTR_IPPROTO_UDP, 7000, 0);
	ck_assert(!alive(AFTR_IPPROTO_UDP, u, 300 * SEC)); /* RFC 4787 REQ-5 default 5 min */
	u = out_port(AFTR_IPPROTO_UDP, 7000, 300 * SEC);
	ck_assert(alive(AFTR_IPPROTO_UDP, u, 599 * SEC)); /* inbound refreshes too */
	ck_assert(alive(AFTR_IPPROTO_UDP, u, 898 * SEC));
	ck_assert(!alive(AFTR_IPPROTO_UDP, u, 1199 * SEC));

	/* TCP: a SYN alone lives 4 minutes; answered, 2 h 4 min; after FIN both ways, 4 min. */
	l = build(b, AFTR_IPPROTO_TCP, INSIDE, 8000, SERVER, 80, 0);
	tcp_flags(b, AFTR_TCP_SYN);
	ck_assert(napt_out(&n, b, l, 0));
	t = port16(b + 20);
	assert_cksums(b, l);
	ck_assert(!alive(AFTR_IPPROTO_TCP, t, 240 * SEC));
	l = build(b, AFTR_IPPROTO_TCP, INSIDE, 8000, SERVER, 80, 0);
	tcp_flags(b, AFTR_TCP_SYN);
	ck_assert(napt_out(&n, b, l, 1000 * SEC));
	t = port16(b + 20);
	ck_assert(alive(AFTR_IPPROTO_TCP, t, 1001 * SEC)); /* the SYN-ACK: established */
	ck_assert(alive(AFTR_IPPROTO_TCP, t, 8000 * SEC));
	ck_assert(!alive(AFTR_IPPROTO_TCP, t, 15441 * SEC));
	l = build(b, AFTR_IPPROTO_TCP, INSIDE, 8001, SERVER, 80, 0);
	tcp_flags(b, AFTR_TCP_SYN);
	ck_assert(napt_out(&n, b, l, 0));
	t = port16(b + 20);
	ck_assert(alive(AFTR_IPPROTO_TCP, t, 1 * SEC));
	l = build(b, AFTR_IPPROTO_TCP, INSIDE, 8001, SERVER, 80, 0);
	tcp_flags(b, AFTR_TCP_FIN | AFTR_TCP_ACK);
	ck_assert(napt_out(&n, b, l, 2 * SEC));
	l = build(b, AFTR_IPPROTO_TCP, SERVER, 80, EXT, t, 0);
	tcp_flags(b, AFTR_TCP_FIN | AFTR_TCP_ACK);
	ck_assert(napt_in(&n, b, l, 3 * SEC));
	ck_assert(!alive(AFTR_IPPROTO_TCP, t, 243 * SEC));

	/* ICMP echo: 60 s (RFC 5508 REQ-1). */
	l = build(b, AFTR_IPPROTO_ICMP, INSIDE, 8, SERVER, 99, 0);
	ck_assert(napt_out(&n, b, l, 0));
	e = port16(b + 24);
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 0, EXT, e, 0);
	ck_assert(napt_in(&n, b, l, 59 * SEC));
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 0, EXT, e, 0);
	ck_assert(!napt_in(&n, b, l, 119 * SEC + 1));

	/* The sweep frees what expired and tells what lives. */
	out_port(AFTR_IPPROTO_UDP, 7100, 20000 * SEC);
	napt_sweep(&n, 20000 * SEC);
	ck_assert_uint_eq(ctr.v[CTR_napt_active_udp], 1);
	ck_assert_uint_eq(ctr.v[CTR_napt_active_tcp], 0);
	ck_assert_uint_eq(ctr.v[CTR_napt_active_icmp], 0);
	ck_assert_uint_eq(ctr.v[CTR_napt_mappings_created] - ctr.v[CTR_napt_mappings_expired], 1);
}
END_TEST

/* Makes the packet at b a fragment: frag_off (host order: flags and offset), IPv4 ID id. */
static void fragment(uint8_t *b, uint16_t frag_off, uint16_t id)
{
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)b;

	ip->frag_off = htons(frag_off);
	ip->id = htons(id);
	ip->cksum = 0;
	ip->cksum = cksum_ip4_hdr(ip);
}

START_TEST(test_fragments)
{
	uint8_t b[256];
	size_t l;
	uint16_t ext;

	bind_set(0, 5, 1);
	/* Out: the first fragment by its ports, a later one gets the public address. */
	l = build(b, AFTR_IPPROTO_UDP, INSIDE, 5000, SERVER, 53, 24);
	fragment(b, AFTR_IP4_FLAG_MF, 76);
	ck_assert(napt_out(&n, b, l, 0));
	ext = port16(b + 20);
	ck_assert_uint_ge(ext, 2048);
	l = build(b, AFTR_IPPROTO_UDP, INSIDE, 1, SERVER, 3, 24);
	fragment(b, 4, 76);
	ck_assert(napt_out(&n, b, l, 0));
	ck_assert_uint_eq(src_of(b), EXT);
	ck_assert_uint_eq(cksum_fold(cksum_add(0, b, 20)), 0xffff);
	ck_assert_uint_eq(port16(b + 20), 1); /* payload, not a header: untouched */

	/* In: a later fragment goes where its first went; one that comes alone is dropped. */
	l = build(b, AFTR_IPPROTO_UDP, SERVER, 53, EXT, ext, 24);
	fragment(b, AFTR_IP4_FLAG_MF, 77);
	ck_assert(napt_in(&n, b, l, 10));
	ck_assert_uint_eq(dst_of(b), INSIDE);
	l = build(b, AFTR_IPPROTO_UDP, SERVER, 1, EXT, 2, 24);
	fragment(b, 4, 77);
	ck_assert(napt_in(&n, b, l, 20));
	ck_assert_uint_eq(dst_of(b), INSIDE);
	ck_assert_uint_eq(cksum_fold(cksum_add(0, b, 20)), 0xffff);
	l = build(b, AFTR_IPPROTO_UDP, SERVER, 1, EXT, 2, 24);
	fragment(b, 4, 78);
	ck_assert(!napt_in(&n, b, l, 20));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_fragment], 1);
	/* A large ping of the public address: every fragment goes to the host. */
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 8, EXT, 9, 24);
	fragment(b, AFTR_IP4_FLAG_MF, 79);
	ck_assert(napt_in(&n, b, l, 30));
	ck_assert_uint_eq(dst_of(b), SELF);
	l = build(b, AFTR_IPPROTO_ICMP, SERVER, 1, EXT, 2, 24);
	fragment(b, 4, 79);
	ck_assert(napt_in(&n, b, l, 30));
	ck_assert_uint_eq(dst_of(b), SELF);
	ck_assert_uint_eq(cksum_fold(cksum_add(0, b, 20)), 0xffff);
}
END_TEST

START_TEST(test_drops)
{
	uint8_t b[128];
	size_t l;

	bind_set(0, 5, 1);
	/* GRE cannot share an address by port, either way. */
	l = build(b, 47, INSIDE, 0, SERVER, 0, 8);
	ck_assert(!napt_out(&n, b, l, 0));
	ck_assert_uint_eq(ctr.v[CTR_tx_drop_napt_unsupported], 1);
	l = build(b, 47, SERVER, 0, EXT, 0, 8);
	ck_assert(!napt_in(&n, b, l, 0));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_unsupported], 1);
	/* To another address; to a port outside the set; to one of no mapping. */
	l = build(b, AFTR_IPPROTO_UDP, SERVER, 53, EXT + 1, 2048, 0);
	ck_assert(!napt_in(&n, b, l, 0));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_not_ours], 1);
	ck_assert(!alive(AFTR_IPPROTO_UDP, 5000, 0));
	ck_assert(!alive(AFTR_IPPROTO_UDP, 2048, 0));
	ck_assert_uint_eq(ctr.v[CTR_rx_drop_napt_no_mapping], 2);
	/* A TCP first fragment too short for the TCP header. */
	l = build(b, AFTR_IPPROTO_UDP, INSIDE, 5000, SERVER, 80, 0);
	b[9] = AFTR_IPPROTO_TCP;
	ck_assert(!napt_out(&n, b, l, 0));
	ck_assert_uint_eq(ctr.v[CTR_tx_drop_napt_truncated], 1);
	/* No binding (--dhcp without one yet). */
	napt_free(&n);
	l = build(b, AFTR_IPPROTO_UDP, INSIDE, 5000, SERVER, 80, 0);
	ck_assert(!napt_out(&n, b, l, 0));
	ck_assert_uint_eq(ctr.v[CTR_tx_drop_no_binding], 1);
}
END_TEST

START_TEST(test_bind_errors)
{
	struct psid_params ps = {10, 7, 0};
	struct napt_timeouts to = NAPT_TIMEOUTS_DEFAULT;
	char err[128];

	ck_assert_int_eq(napt_bind(&n, htonl(EXT), &ps, &to, &ctr, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "exceed 16 bits"));
	ps = (struct psid_params){0, 4, 16};
	ck_assert_int_eq(napt_bind(&n, htonl(EXT), &ps, &to, &ctr, err, sizeof(err)), -EINVAL);
	ck_assert(!n.on);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("b4_napt");
	TCase *tc = tcase_create("napt");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_layout);
	tcase_add_test(tc, test_edge_ports);
	tcase_add_test(tc, test_full_until_expiry);
	tcase_add_test(tc, test_icmp_echo);
	tcase_add_test(tc, test_icmp_error_in);
	tcase_add_test(tc, test_icmp_error_out);
	tcase_add_test(tc, test_timeouts);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_drops);
	tcase_add_test(tc, test_bind_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
