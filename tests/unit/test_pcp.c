/* SPDX-License-Identifier: BSD-2-Clause */
/* The PCP codec (lib/net/pcp.c) against RFC 6887: requests built octet by
 * octet as its figures lay them out, their responses read back at the
 * offsets the figures give. */
#include "pcp.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

/* A datagram under construction; room past PCP_MAX_LEN for the too long. */
struct msg {
	uint8_t b[1200];
	size_t len;
};

/* ::ffff:192.0.2.1, the B4-side client; 2001:db8::1 for an IPv6 one. */
static const uint8_t client4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
static const uint8_t client6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
/* ::ffff:198.51.100.7, a pool address; ::ffff:203.0.113.9, a remote peer. */
static const uint8_t pool4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7};
static const uint8_t peer4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 9};
static const uint8_t other4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 20};
static const uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static void put(struct msg *m, const void *p, size_t n)
{
	if (n > 0)
		memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put8(struct msg *m, uint8_t v)
{
	put(m, &v, 1);
}

static void put16(struct msg *m, uint16_t v)
{
	put8(m, (uint8_t)(v >> 8));
	put8(m, (uint8_t)v);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

static uint16_t at16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] << 8 | p[off + 1]);
}

static uint32_t at32(const uint8_t *p, size_t off)
{
	return (uint32_t)at16(p, off) << 16 | at16(p, off + 2);
}

/* Figure 2: the request header. */
static void hdr(struct msg *m, uint8_t version, uint8_t opcode, uint32_t lifetime,
                const uint8_t client[16])
{
	m->len = 0;
	put8(m, version);
	put8(m, opcode);
	put16(m, 0xbeef); /* Reserved: "MUST be ignored on reception" */
	put32(m, lifetime);
	put(m, client, 16);
}

/* Figure 9: MAP's data (Figure 11, PEER's, begins alike). */
static void map_data(struct msg *m, uint8_t proto, uint16_t int_port, uint16_t ext_port,
                     const uint8_t ext_addr[16])
{
	put(m, nonce, sizeof(nonce));
	put8(m, proto);
	put8(m, 0xaa); /* Reserved, ignored */
	put16(m, 0xaaaa);
	put16(m, int_port);
	put16(m, ext_port);
	put(m, ext_addr, 16);
}

static void map_req(struct msg *m, uint8_t proto, uint16_t int_port)
{
	static const uint8_t none[16];

	hdr(m, 2, PCP_OP_MAP, 7200, client4);
	map_data(m, proto, int_port, 0, none);
}

static void peer_req(struct msg *m, uint8_t proto, uint16_t int_port, uint16_t peer_port)
{
	hdr(m, 2, PCP_OP_PEER, 600, client4);
	map_data(m, proto, int_port, 40000, pool4);
	put16(m, peer_port);
	put16(m, 0xaaaa); /* Reserved */
	put(m, peer4, 16);
}

/* Figure 4: an option, its data padded to a multiple of 4. */
static void opt(struct msg *m, uint8_t code, const void *data, uint16_t len)
{
	static const uint8_t zero[3];

	put8(m, code);
	put8(m, 0);
	put16(m, len);
	put(m, data, len);
	put(m, zero, (4 - len % 4) % 4);
}

/* Figure 15: a FILTER option. */
static void filter(struct msg *m, uint8_t prefix_len, uint16_t port, const uint8_t addr[16])
{
	uint8_t d[20] = {0};

	d[1] = prefix_len;
	d[2] = (uint8_t)(port >> 8);
	d[3] = (uint8_t)port;
	memcpy(d + 4, addr, 16);
	opt(m, PCP_OPT_FILTER, d, sizeof(d));
}

static struct pcp_request req;
static uint8_t out[PCP_MAX_LEN];

static int parse(const struct msg *m)
{
	return pcp_parse(m->b, m->len, &req);
}

/* Figure 3 and section 8.3: the header of a response to opcode. */
static void expect_header(size_t n, uint8_t opcode, int result, uint32_t lifetime, uint32_t epoch)
{
	ck_assert_uint_ge(n, 24);
	ck_assert_uint_le(n, PCP_MAX_LEN);
	ck_assert_uint_eq(n % 4, 0);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(out[1], 0x80 | opcode);
	ck_assert_uint_eq(out[2], 0);
	ck_assert_uint_eq(out[3], result);
	ck_assert_uint_eq(at32(out, 4), lifetime);
	ck_assert_uint_eq(at32(out, 8), epoch);
}

static void expect_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(p[i] == 0, "octet %zu is %u", i, p[i]);
}

/* An error response (section 8.3): the request copied after the 12-octet
 * head the response header rewrites, zero-padded to n; the Reserved field
 * zero if the request was parsed, its client address' last 96 bits if not. */
static void expect_copy(const struct msg *m, size_t n, bool parsed)
{
	size_t copied = m->len < PCP_MAX_LEN ? m->len : PCP_MAX_LEN;

	if (parsed)
		expect_zero(out + 12, 12);
	else if (copied >= 24)
		ck_assert(memcmp(out + 12, m->b + 12, 12) == 0);
	if (copied > 24)
		ck_assert(memcmp(out + 24, m->b + 24, copied - 24) == 0);
	if (n > copied && copied > 24)
		expect_zero(out + copied, n - copied);
}

/* ---- Section 8.3: what is dropped -------------------------------------------------------- */

START_TEST(test_drop)
{
	struct msg m;

	ck_assert_int_eq(pcp_parse(NULL, 0, &req), PCP_DROP);
	m.b[0] = 2;
	ck_assert_int_eq(pcp_parse(m.b, 1, &req), PCP_DROP);
	/* The R bit: a response, whatever the version. */
	map_req(&m, 6, 80);
	m.b[1] |= 0x80;
	ck_assert_int_eq(parse(&m), PCP_DROP);
	m.b[0] = 1;
	ck_assert_int_eq(parse(&m), PCP_DROP);
	/* Version 2 but shorter than the 24-octet header. */
	map_req(&m, 6, 80);
	for (size_t len = 2; len < 24; len++)
		ck_assert_int_eq(pcp_parse(m.b, len, &req), PCP_DROP);
	ck_assert_int_eq(pcp_parse(m.b, 24, &req), PCP_MALFORMED_REQUEST);
}
END_TEST

/* ---- Section 9: versions ----------------------------------------------------------------- */

START_TEST(test_unsupp_version)
{
	/* A NAT-PMP (version 0) request for the external address (RFC 6886
	 * section 3.2): two octets, answered before any length check. */
	const uint8_t natpmp[2] = {0, 0};
	/* A NAT-PMP mapping request, twelve octets. */
	const uint8_t natpmp_map[12] = {0, 2, 0, 0, 0x1f, 0x90, 0x1f, 0x90, 0, 0, 0x1c, 0x20};
	struct msg m;
	size_t n;

	ck_assert_int_eq(pcp_parse(natpmp, sizeof(natpmp), &req), PCP_UNSUPP_VERSION);
	ck_assert_uint_eq(req.version, 0);
	n = pcp_response(&req, PCP_UNSUPP_VERSION, pcp_error_lifetime(PCP_UNSUPP_VERSION), 77, NULL,
	                 0, out);
	ck_assert_uint_eq(n, 24);
	expect_header(n, 0, PCP_UNSUPP_VERSION, 1800, 77);
	expect_zero(out + 12, 12);

	ck_assert_int_eq(pcp_parse(natpmp_map, sizeof(natpmp_map), &req), PCP_UNSUPP_VERSION);
	ck_assert_uint_eq(req.opcode, 2);
	n = pcp_response(&req, PCP_UNSUPP_VERSION, 1800, 77, NULL, 0, out);
	ck_assert_uint_eq(n, 24);
	expect_header(n, 2, PCP_UNSUPP_VERSION, 1800, 77);
	expect_zero(out + 12, 12);

	/* Version 1 (a draft's) and 3: the whole request is copied back,
	 * under a version 2 header (the highest this server speaks). */
	for (uint8_t v = 1; v <= 3; v += 2) {
		map_req(&m, 17, 5000);
		m.b[0] = v;
		ck_assert_int_eq(parse(&m), PCP_UNSUPP_VERSION);
		ck_assert(!req.parsed);
		n = pcp_response(&req, PCP_UNSUPP_VERSION, 1800, 77, NULL, 0, out);
		ck_assert_uint_eq(n, 60);
		expect_header(n, PCP_OP_MAP, PCP_UNSUPP_VERSION, 1800, 77);
		expect_copy(&m, n, false);
	}
}
END_TEST

/* ---- Section 8.3: lengths; section 7.1: opcodes ------------------------------------------- */

START_TEST(test_bad_length)
{
	static const uint8_t pad[1200];
	struct msg m;
	size_t n;

	/* Not a multiple of 4: the response is padded to one. */
	for (size_t extra = 1; extra < 4; extra++) {
		map_req(&m, 6, 80);
		put(&m, pad, extra);
		ck_assert_int_eq(parse(&m), PCP_MALFORMED_REQUEST);
		ck_assert_uint_eq(req.lifetime, 7200);
		ck_assert(memcmp(req.client, client4, 16) == 0);
		n = pcp_response(&req, PCP_MALFORMED_REQUEST, 1800, 5, NULL, 0, out);
		ck_assert_uint_eq(n, 64);
		expect_header(n, PCP_OP_MAP, PCP_MALFORMED_REQUEST, 1800, 5);
		expect_copy(&m, n, false);
	}

	/* Longer than 1100 octets: the response is cut to 1100. */
	for (size_t len = 1101; len <= 1104; len++) {
		map_req(&m, 6, 80);
		put(&m, pad, len - m.len);
		ck_assert_int_eq(parse(&m), PCP_MALFORMED_REQUEST);
		n = pcp_response(&req, PCP_MALFORMED_REQUEST, 1800, 5, NULL, 0, out);
		ck_assert_uint_eq(n, PCP_MAX_LEN);
		expect_copy(&m, n, false);
	}
	/* 1100 is allowed: a MAP followed by an unknown optional option. */
	map_req(&m, 6, 80);
	opt(&m, 200, pad, (uint16_t)(PCP_MAX_LEN - m.len - 4));
	ck_assert_uint_eq(m.len, PCP_MAX_LEN);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);

	/* Too short for the opcode: MAP is 24 + 36, PEER 24 + 56. */
	map_req(&m, 6, 80);
	for (size_t len = 24; len < 60; len += 4)
		ck_assert_int_eq(pcp_parse(m.b, len, &req), PCP_MALFORMED_REQUEST);
	peer_req(&m, 6, 80, 443);
	ck_assert_uint_eq(m.len, 80);
	for (size_t len = 24; len < 80; len += 4)
		ck_assert_int_eq(pcp_parse(m.b, len, &req), PCP_MALFORMED_REQUEST);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
}
END_TEST

START_TEST(test_unsupp_opcode)
{
	struct msg m;
	size_t n;

	for (unsigned int op = 3; op < 128; op++) {
		map_req(&m, 6, 80);
		m.b[1] = (uint8_t)op;
		ck_assert_int_eq(parse(&m), PCP_UNSUPP_OPCODE);
		ck_assert_uint_eq(req.opcode, op);
		ck_assert(!req.has_opdata);
		/* "copies the rest of the PCP payload as is". */
		n = pcp_response(&req, PCP_UNSUPP_OPCODE, 1800, 9, NULL, 0, out);
		ck_assert_uint_eq(n, 60);
		expect_header(n, (uint8_t)op, PCP_UNSUPP_OPCODE, 1800, 9);
		expect_copy(&m, n, false);
	}
}
END_TEST

/* ---- Section 11: MAP --------------------------------------------------------------------- */

START_TEST(test_map_round_trip)
{
	static const uint8_t suggested[16] = {0, 0, 0,    0,    0,   0,  0,   0,
	                                      0, 0, 0xff, 0xff, 198, 51, 100, 9};
	struct msg m;
	size_t n;

	hdr(&m, 2, PCP_OP_MAP, 7200, client4);
	map_data(&m, 17, 5060, 15060, suggested);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert(req.parsed && req.has_opdata);
	ck_assert_uint_eq(req.version, 2);
	ck_assert_uint_eq(req.opcode, PCP_OP_MAP);
	ck_assert_uint_eq(req.lifetime, 7200);
	ck_assert(memcmp(req.client, client4, 16) == 0);
	ck_assert(memcmp(req.nonce, nonce, 12) == 0);
	ck_assert_uint_eq(req.proto, 17);
	ck_assert_uint_eq(req.int_port, 5060);
	ck_assert_uint_eq(req.ext_port, 15060);
	ck_assert(memcmp(req.ext_addr, suggested, 16) == 0);
	ck_assert(!req.third_party && !req.prefer_failure);
	ck_assert_uint_eq(req.nfilters, 0);

	n = pcp_response(&req, PCP_SUCCESS, 3600, 123456, pool4, 40000, out);
	/* Figure 3, then Figure 10. */
	ck_assert_uint_eq(n, 60);
	expect_header(n, PCP_OP_MAP, PCP_SUCCESS, 3600, 123456);
	expect_zero(out + 12, 12);                   /* Reserved */
	ck_assert(memcmp(out + 24, nonce, 12) == 0); /* Mapping Nonce */
	ck_assert_uint_eq(out[36], 17);              /* Protocol */
	expect_zero(out + 37, 3);                    /* Reserved */
	ck_assert_uint_eq(at16(out, 40), 5060);      /* Internal Port */
	ck_assert_uint_eq(at16(out, 42), 40000);     /* Assigned External Port */
	ck_assert(memcmp(out + 44, pool4, 16) == 0); /* Assigned External IP Address */

	/* An IPv6 client (a firewall mapping) and no external address given. */
	hdr(&m, 2, PCP_OP_MAP, 0, client6);
	map_data(&m, 6, 22, 0, suggested);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert(memcmp(req.client, client6, 16) == 0);
	ck_assert_uint_eq(req.lifetime, 0);
	n = pcp_response(&req, PCP_SUCCESS, 0, 1, NULL, 22, out);
	ck_assert_uint_eq(n, 60);
	expect_zero(out + 44, 16);
}
END_TEST

/* 11.1: with protocol 0 the internal port "MUST be ignored on reception". */
START_TEST(test_map_all_protocols)
{
	struct msg m;

	map_req(&m, 0, 8080);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert_uint_eq(req.proto, 0);
	ck_assert_uint_eq(req.int_port, 0);
	map_req(&m, 0, 0);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	/* Internal port 0 with a protocol: "all ports", legal (policy's to refuse). */
	map_req(&m, 6, 0);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert_uint_eq(req.int_port, 0);
}
END_TEST

/* ---- Section 12: PEER -------------------------------------------------------------------- */

START_TEST(test_peer_round_trip)
{
	struct msg m;
	size_t n;

	peer_req(&m, 6, 51000, 443);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert_uint_eq(req.opcode, PCP_OP_PEER);
	ck_assert_uint_eq(req.lifetime, 600);
	ck_assert_uint_eq(req.proto, 6);
	ck_assert_uint_eq(req.int_port, 51000);
	ck_assert_uint_eq(req.ext_port, 40000);
	ck_assert(memcmp(req.ext_addr, pool4, 16) == 0);
	ck_assert_uint_eq(req.peer_port, 443);
	ck_assert(memcmp(req.peer_addr, peer4, 16) == 0);

	n = pcp_response(&req, PCP_SUCCESS, 600, 99, pool4, 40001, out);
	/* Figure 3, then Figure 12. */
	ck_assert_uint_eq(n, 80);
	expect_header(n, PCP_OP_PEER, PCP_SUCCESS, 600, 99);
	expect_zero(out + 12, 12);
	ck_assert(memcmp(out + 24, nonce, 12) == 0); /* Mapping Nonce */
	ck_assert_uint_eq(out[36], 6);               /* Protocol */
	expect_zero(out + 37, 3);                    /* Reserved */
	ck_assert_uint_eq(at16(out, 40), 51000);     /* Internal Port */
	ck_assert_uint_eq(at16(out, 42), 40001);     /* Assigned External Port */
	ck_assert(memcmp(out + 44, pool4, 16) == 0); /* Assigned External IP Address */
	ck_assert_uint_eq(at16(out, 60), 443);       /* Remote Peer Port */
	expect_zero(out + 62, 2);                    /* Reserved */
	ck_assert(memcmp(out + 64, peer4, 16) == 0); /* Remote Peer IP Address */
}
END_TEST

/* 12.1: protocol, internal port and remote peer port "MUST NOT be zero". */
START_TEST(test_peer_zero)
{
	const uint16_t cases[][3] = {{0, 51000, 443}, {6, 0, 443}, {6, 51000, 0}};
	struct msg m;
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		peer_req(&m, (uint8_t)cases[i][0], cases[i][1], cases[i][2]);
		ck_assert_int_eq(parse(&m), PCP_MALFORMED_REQUEST);
		ck_assert(req.has_opdata && !req.parsed);
		/* The error copies the suggested external address and port. */
		n = pcp_response(&req, PCP_MALFORMED_REQUEST, 1800, 3, pool4, 1, out);
		ck_assert_uint_eq(n, 80);
		expect_header(n, PCP_OP_PEER, PCP_MALFORMED_REQUEST, 1800, 3);
		expect_copy(&m, n, false);
		ck_assert_uint_eq(at16(out, 42), 40000);
	}
}
END_TEST

/* ---- Section 14.1: ANNOUNCE -------------------------------------------------------------- */

START_TEST(test_announce)
{
	static const uint8_t data[4] = {1, 2, 3, 4};
	struct msg m;
	size_t n;

	/* A request: no opcode data; its lifetime ignored, the response's 0. */
	hdr(&m, 2, PCP_OP_ANNOUNCE, 1234, client4);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	n = pcp_response(&req, PCP_SUCCESS, 3600, 42, pool4, 1, out);
	ck_assert_uint_eq(n, 24);
	expect_header(n, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, 42);
	expect_zero(out + 12, 12);
	/* Unknown optional options are skipped, not echoed. */
	opt(&m, 130, data, 3);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert_uint_eq(pcp_response(&req, PCP_SUCCESS, 0, 42, NULL, 0, out), 24);
	/* No option of section 13 is valid for ANNOUNCE. */
	hdr(&m, 2, PCP_OP_ANNOUNCE, 0, client4);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
	hdr(&m, 2, PCP_OP_ANNOUNCE, 0, client4);
	opt(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
	hdr(&m, 2, PCP_OP_ANNOUNCE, 0, client4);
	filter(&m, 128, 0, peer4);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);

	/* 14.1.3: the unsolicited one. */
	memset(out, 0xee, sizeof(out));
	n = pcp_announce(0x01020304, out);
	ck_assert_uint_eq(n, 24);
	expect_header(n, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, 0x01020304);
	ck_assert_uint_eq(out[8], 1); /* big-endian */
	ck_assert_uint_eq(out[11], 4);
	expect_zero(out + 12, 12);
	/* It is a response: a server reading it drops it. */
	ck_assert_int_eq(pcp_parse(out, n, &req), PCP_DROP);
}
END_TEST

/* ---- Sections 7.3 and 13: options -------------------------------------------------------- */

START_TEST(test_options_echoed)
{
	static const uint8_t v6peer[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff};
	static const uint8_t opaque[5] = {9, 9, 9, 9, 9};
	struct msg m;
	size_t n;

	map_req(&m, 6, 80);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	opt(&m, 250, opaque, sizeof(opaque)); /* optional, unknown: skipped */
	filter(&m, 0, 0, peer4);              /* "no filter": clear them */
	opt(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	filter(&m, 120, 443, peer4);
	filter(&m, 48, 0, v6peer);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert(req.third_party);
	ck_assert(memcmp(req.third_party_addr, other4, 16) == 0);
	ck_assert(req.prefer_failure);
	ck_assert_uint_eq(req.nfilters, 3);
	ck_assert_uint_eq(req.filter[0].prefix_len, 0);
	ck_assert_uint_eq(req.filter[1].prefix_len, 120);
	ck_assert_uint_eq(req.filter[1].port, 443);
	ck_assert(memcmp(req.filter[1].addr, peer4, 16) == 0);
	ck_assert_uint_eq(req.filter[2].prefix_len, 48);
	ck_assert(memcmp(req.filter[2].addr, v6peer, 16) == 0);
	ck_assert(!req.too_many_filters);

	n = pcp_response(&req, PCP_SUCCESS, 7200, 1, pool4, 8080, out);
	ck_assert_uint_eq(n, 60 + 20 + 4 + 3 * 24);
	/* THIRD_PARTY (Figure 13). */
	ck_assert_uint_eq(out[60], PCP_OPT_THIRD_PARTY);
	ck_assert_uint_eq(out[61], 0);
	ck_assert_uint_eq(at16(out, 62), 16);
	ck_assert(memcmp(out + 64, other4, 16) == 0);
	/* PREFER_FAILURE (Figure 14). */
	ck_assert_uint_eq(out[80], PCP_OPT_PREFER_FAILURE);
	ck_assert_uint_eq(out[81], 0);
	ck_assert_uint_eq(at16(out, 82), 0);
	/* The FILTERs in order (Figure 15). */
	for (size_t i = 0, off = 84; i < 3; i++, off += 24) {
		ck_assert_uint_eq(out[off], PCP_OPT_FILTER);
		ck_assert_uint_eq(at16(out, off + 2), 20);
		ck_assert_uint_eq(out[off + 4], 0);
		ck_assert_uint_eq(out[off + 5], req.filter[i].prefix_len);
		ck_assert_uint_eq(at16(out, off + 6), req.filter[i].port);
		ck_assert(memcmp(out + off + 8, req.filter[i].addr, 16) == 0);
	}

	/* THIRD_PARTY with PEER. */
	peer_req(&m, 17, 5000, 53);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	n = pcp_response(&req, PCP_SUCCESS, 60, 1, pool4, 5000, out);
	ck_assert_uint_eq(n, 80 + 20);
	ck_assert_uint_eq(out[80], PCP_OPT_THIRD_PARTY);
	ck_assert(memcmp(out + 84, other4, 16) == 0);
}
END_TEST

static int parse_map_with(uint8_t code, const void *data, uint16_t len)
{
	struct msg m;

	map_req(&m, 6, 80);
	opt(&m, code, data, len);
	return parse(&m);
}

START_TEST(test_option_errors)
{
	static const uint8_t zero[20];
	const uint8_t *v4 = peer4;
	struct msg m;

	/* 7.3: an option running past the end of the request. */
	map_req(&m, 6, 80);
	put8(&m, 200);
	put8(&m, 0);
	put16(&m, 4);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
	map_req(&m, 6, 80);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	m.len -= 4; /* cut inside its address */
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
	/* ... or its padding: 5 octets of data padded to 8, the packet ending after 4. */
	map_req(&m, 6, 80);
	put8(&m, 200);
	put8(&m, 0);
	put16(&m, 5);
	put32(&m, 0);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);

	/* 7.3: mandatory (0-127) unknown; optional (128-255) skipped. */
	ck_assert_int_eq(parse_map_with(0, NULL, 0), PCP_UNSUPP_OPTION);
	ck_assert_int_eq(parse_map_with(4, zero, 4), PCP_UNSUPP_OPTION);
	ck_assert_int_eq(parse_map_with(127, zero, 1), PCP_UNSUPP_OPTION);
	ck_assert_int_eq(parse_map_with(128, zero, 1), PCP_SUCCESS);
	ck_assert_int_eq(parse_map_with(255, zero, 20), PCP_SUCCESS);

	/* Lengths (13.1: 16, 13.2: 0, 13.3: 20). */
	ck_assert_int_eq(parse_map_with(PCP_OPT_THIRD_PARTY, other4, 12), PCP_MALFORMED_OPTION);
	ck_assert_int_eq(parse_map_with(PCP_OPT_THIRD_PARTY, zero, 20), PCP_MALFORMED_OPTION);
	ck_assert_int_eq(parse_map_with(PCP_OPT_PREFER_FAILURE, zero, 4), PCP_MALFORMED_OPTION);
	ck_assert_int_eq(parse_map_with(PCP_OPT_FILTER, zero, 16), PCP_MALFORMED_OPTION);

	/* Once only: THIRD_PARTY and PREFER_FAILURE. */
	map_req(&m, 6, 80);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
	map_req(&m, 6, 80);
	opt(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	opt(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);

	/* 13.1: THIRD_PARTY naming the client itself. */
	ck_assert_int_eq(parse_map_with(PCP_OPT_THIRD_PARTY, client4, 16), PCP_MALFORMED_REQUEST);

	/* Opcodes: PREFER_FAILURE in PEER (12.1), FILTER in PEER. */
	peer_req(&m, 6, 80, 443);
	opt(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_REQUEST);
	peer_req(&m, 6, 80, 443);
	filter(&m, 128, 443, peer4);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);

	/* 13.3: prefix lengths. */
	map_req(&m, 6, 80);
	filter(&m, 129, 0, client6);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
	for (unsigned int len = 0; len <= 255; len++) {
		int want = len > 128 || (len > 0 && len < 96) ? PCP_MALFORMED_OPTION : PCP_SUCCESS;

		map_req(&m, 6, 80);
		filter(&m, (uint8_t)len, 0, v4);
		EXPECT(parse(&m) == want, "IPv4 prefix length %u", len);
		map_req(&m, 6, 80);
		filter(&m, (uint8_t)len, 0, client6);
		want = len > 128 ? PCP_MALFORMED_OPTION : PCP_SUCCESS;
		EXPECT(parse(&m) == want, "IPv6 prefix length %u", len);
	}

	/* 7.3: in order; the first error is the one answered. */
	map_req(&m, 6, 80);
	opt(&m, 5, zero, 4);
	opt(&m, PCP_OPT_THIRD_PARTY, zero, 3);
	ck_assert_int_eq(parse(&m), PCP_UNSUPP_OPTION);
	map_req(&m, 6, 80);
	opt(&m, PCP_OPT_THIRD_PARTY, zero, 3);
	opt(&m, 5, zero, 4);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
}
END_TEST

/* 13.3: past what the server can hold, EXCESSIVE_REMOTE_PEERS. */
START_TEST(test_too_many_filters)
{
	struct msg m;
	size_t n;

	map_req(&m, 6, 80);
	for (int i = 0; i < PCP_MAX_FILTERS; i++)
		filter(&m, 128, (uint16_t)(1000 + i), peer4);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert_uint_eq(req.nfilters, PCP_MAX_FILTERS);
	ck_assert_uint_eq(req.filter[PCP_MAX_FILTERS - 1].port, 1000 + PCP_MAX_FILTERS - 1);
	n = pcp_response(&req, PCP_SUCCESS, 60, 1, pool4, 80, out);
	ck_assert_uint_eq(n, 60 + PCP_MAX_FILTERS * 24);

	filter(&m, 128, 2000, peer4);
	ck_assert_int_eq(parse(&m), PCP_EXCESSIVE_REMOTE_PEERS);
	ck_assert(req.too_many_filters && req.parsed);
	ck_assert_uint_eq(req.nfilters, PCP_MAX_FILTERS);
	n = pcp_response(&req, PCP_EXCESSIVE_REMOTE_PEERS, 1800, 1, pool4, 80, out);
	ck_assert_uint_eq(n, m.len);
	expect_header(n, PCP_OP_MAP, PCP_EXCESSIVE_REMOTE_PEERS, 1800, 1);
	expect_copy(&m, n, true);
	/* A malformed option after them is still found. */
	opt(&m, PCP_OPT_FILTER, peer4, 16);
	ck_assert_int_eq(parse(&m), PCP_MALFORMED_OPTION);
}
END_TEST

/* ---- Sections 7.2, 7.3, 8.3: error responses --------------------------------------------- */

START_TEST(test_error_copies_request)
{
	static const uint8_t opaque[7] = {1, 2, 3, 4, 5, 6, 7};
	static const int server_errors[] = {
	        PCP_NOT_AUTHORIZED,   PCP_NETWORK_FAILURE,        PCP_NO_RESOURCES,
	        PCP_UNSUPP_PROTOCOL,  PCP_USER_EX_QUOTA,          PCP_CANNOT_PROVIDE_EXTERNAL,
	        PCP_ADDRESS_MISMATCH, PCP_EXCESSIVE_REMOTE_PEERS,
	};
	struct msg m;
	size_t n;

	/* Errors the server finds in a parsed request: the whole request,
	 * options and all, the suggested address and port (11.1) kept. */
	hdr(&m, 2, PCP_OP_MAP, 7200, client4);
	map_data(&m, 6, 80, 8080, pool4);
	opt(&m, PCP_OPT_THIRD_PARTY, other4, 16);
	opt(&m, 222, opaque, sizeof(opaque));
	filter(&m, 128, 443, peer4);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	for (size_t i = 0; i < sizeof(server_errors) / sizeof(server_errors[0]); i++) {
		int rc = server_errors[i];
		uint32_t life = pcp_error_lifetime(rc);

		memset(out, 0xee, sizeof(out));
		n = pcp_response(&req, rc, life, 1000, peer4, 1, out);
		ck_assert_uint_eq(n, m.len);
		expect_header(n, PCP_OP_MAP, rc, life, 1000);
		expect_copy(&m, n, true);
		ck_assert_uint_eq(at16(out, 42), 8080);
		ck_assert(memcmp(out + 44, pool4, 16) == 0);
	}

	/* An error pcp_parse found: the Reserved field keeps the last 96 bits
	 * of the client address (7.2). */
	opt(&m, 77, NULL, 0);
	ck_assert_int_eq(parse(&m), PCP_UNSUPP_OPTION);
	n = pcp_response(&req, PCP_UNSUPP_OPTION, 1800, 1000, NULL, 0, out);
	ck_assert_uint_eq(n, m.len);
	expect_header(n, PCP_OP_MAP, PCP_UNSUPP_OPTION, 1800, 1000);
	expect_copy(&m, n, false);
	ck_assert(memcmp(out + 12, client4 + 4, 12) == 0);
}
END_TEST

START_TEST(test_nothing_to_send)
{
	struct msg m;

	map_req(&m, 6, 80);
	ck_assert_int_eq(parse(&m), PCP_SUCCESS);
	ck_assert_uint_eq(pcp_response(&req, PCP_DROP, 0, 0, NULL, 0, out), 0);
	ck_assert_uint_eq(pcp_response(&req, 256, 0, 0, NULL, 0, out), 0);
	/* A result code this server does not name still goes out. */
	ck_assert_uint_eq(pcp_response(&req, 200, 0, 0, NULL, 0, out), 60);
	/* SUCCESS for what was not parsed: nothing. */
	m.b[1] = 9;
	ck_assert_int_eq(parse(&m), PCP_UNSUPP_OPCODE);
	ck_assert_uint_eq(pcp_response(&req, PCP_SUCCESS, 0, 0, NULL, 0, out), 0);
}
END_TEST

/* ---- Names, lifetimes, addresses --------------------------------------------------------- */

START_TEST(test_names)
{
	static const char *const names[] = {
	        "SUCCESS",           "UNSUPP_VERSION",         "NOT_AUTHORIZED",
	        "MALFORMED_REQUEST", "UNSUPP_OPCODE",          "UNSUPP_OPTION",
	        "MALFORMED_OPTION",  "NETWORK_FAILURE",        "NO_RESOURCES",
	        "UNSUPP_PROTOCOL",   "USER_EX_QUOTA",          "CANNOT_PROVIDE_EXTERNAL",
	        "ADDRESS_MISMATCH",  "EXCESSIVE_REMOTE_PEERS",
	};
	/* 7.4: which errors are short lifetime ones. */
	static const uint32_t lifetimes[] = {0,  1800, 1800, 1800, 1800, 1800, 1800,
	                                     30, 30,   1800, 30,   30,   1800, 1800};

	for (int i = 0; i < 14; i++) {
		ck_assert_str_eq(pcp_result_name(i), names[i]);
		ck_assert_uint_eq(pcp_error_lifetime(i), lifetimes[i]);
	}
	ck_assert_ptr_null(pcp_result_name(14));
	ck_assert_ptr_null(pcp_result_name(PCP_DROP));
	ck_assert_uint_eq(pcp_error_lifetime(14), 0);
	ck_assert_str_eq(pcp_opcode_name(PCP_OP_ANNOUNCE), "ANNOUNCE");
	ck_assert_str_eq(pcp_opcode_name(PCP_OP_MAP), "MAP");
	ck_assert_str_eq(pcp_opcode_name(PCP_OP_PEER), "PEER");
	ck_assert_ptr_null(pcp_opcode_name(3));
	ck_assert_ptr_null(pcp_opcode_name(0x81));
}
END_TEST

START_TEST(test_addr_v4)
{
	const uint8_t want[4] = {192, 0, 2, 1};
	uint8_t a[16];
	uint32_t v4 = 0;

	ck_assert(pcp_addr_v4(client4, &v4));
	ck_assert(memcmp(&v4, want, 4) == 0);
	ck_assert(pcp_addr_v4(client4, NULL));
	pcp_addr_from_v4(v4, a);
	ck_assert(memcmp(a, client4, 16) == 0);
	ck_assert(!pcp_addr_v4(client6, &v4));
	/* Section 5: all of the first 96 bits are checked. */
	for (int bit = 0; bit < 80; bit++) {
		memcpy(a, client4, 16);
		a[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		EXPECT(!pcp_addr_v4(a, NULL), "bit %d", bit);
	}
	memcpy(a, client4, 16);
	a[11] = 0xfe;
	ck_assert(!pcp_addr_v4(a, NULL));
}
END_TEST

/* Marsaglia's xorshift32: a fixed pseudo-random sequence. */
static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Arbitrary requests: pcp_parse answers each, and every response is whole
 * words of 4 octets within 1100. */
START_TEST(test_arbitrary)
{
	static const uint8_t codes[] = {0, 1, 2, 3, 4, 127, 128, 255};
	static const uint8_t data[20] = {0, 100, 1, 187, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	uint32_t seed = 2463534242u;
	struct msg m;

	for (int iter = 0; iter < 20000; iter++) {
		uint32_t x = next(&seed);
		size_t n;
		int rc;

		map_req(&m, (uint8_t)(x & 1 ? 6 : 0), (uint16_t)x);
		m.b[0] = x % 7 ? 2 : (uint8_t)(x >> 8);
		m.b[1] = (uint8_t)(x >> 16) % 4;
		m.len = 24 + (x >> 20) % 80;
		while (m.len < 400 && (x & 3)) {
			x = next(&seed);
			if (m.len + 4 + 20 <= sizeof(m.b))
				opt(&m, codes[x % 8], data, (uint16_t)((x >> 8) % 21));
		}
		if (x % 5 == 0)
			m.len -= (x >> 3) % 4;
		rc = parse(&m);
		EXPECT(rc == PCP_DROP || pcp_result_name(rc) != NULL, "rc %d", rc);
		if (rc == PCP_DROP)
			continue;
		n = pcp_response(&req, rc, pcp_error_lifetime(rc), 1, pool4, 9, out);
		EXPECT(n >= 24 && n <= PCP_MAX_LEN && n % 4 == 0, "%zu octets", n);
		EXPECT(out[1] & 0x80, "no R bit");
		EXPECT(out[3] == rc, "result %u, not %d", out[3], rc);
	}
}
END_TEST

static Suite *pcp_suite(void)
{
	Suite *s = suite_create("pcp");
	TCase *hdrs = tcase_create("header");
	TCase *ops = tcase_create("opcodes");
	TCase *opts = tcase_create("options");
	TCase *misc = tcase_create("misc");

	tcase_add_test(hdrs, test_drop);
	tcase_add_test(hdrs, test_unsupp_version);
	tcase_add_test(hdrs, test_bad_length);
	tcase_add_test(hdrs, test_unsupp_opcode);
	tcase_add_test(hdrs, test_error_copies_request);
	tcase_add_test(hdrs, test_nothing_to_send);
	suite_add_tcase(s, hdrs);

	tcase_add_test(ops, test_map_round_trip);
	tcase_add_test(ops, test_map_all_protocols);
	tcase_add_test(ops, test_peer_round_trip);
	tcase_add_test(ops, test_peer_zero);
	tcase_add_test(ops, test_announce);
	suite_add_tcase(s, ops);

	tcase_add_test(opts, test_options_echoed);
	tcase_add_test(opts, test_option_errors);
	tcase_add_test(opts, test_too_many_filters);
	suite_add_tcase(s, opts);

	tcase_add_test(misc, test_names);
	tcase_add_test(misc, test_addr_v4);
	/* Sanitizer builds are several times slower than the default 4 s allows. */
	tcase_set_timeout(misc, 60);
	tcase_add_test(misc, test_arbitrary);
	suite_add_tcase(s, misc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
