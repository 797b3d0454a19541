/* SPDX-License-Identifier: BSD-2-Clause */
#include "pcp.h"

#include <string.h>

/* Offsets in the common headers (RFC 6887 Figures 2 and 3). */
#define OFF_VERSION  0
#define OFF_OPCODE   1 /* R bit and opcode */
#define OFF_RESULT   3 /* response */
#define OFF_LIFETIME 4
#define OFF_CLIENT   8  /* request: PCP Client's IP Address */
#define OFF_EPOCH    8  /* response: Epoch Time */
#define OFF_RESERVED 12 /* response: 96 reserved bits */
#define PCP_R_BIT    0x80
#define OPCODE_MASK  0x7f

/* Opcode-specific data (Figures 9 to 12), from its start. */
#define MAP_LEN         36
#define PEER_LEN        56
#define OD_NONCE        0
#define OD_PROTO        12
#define OD_INT_PORT     16
#define OD_EXT_PORT     18
#define OD_EXT_ADDR     20
#define OD_PEER_PORT    36
#define OD_PEER_ADDR    40
#define OPT_HDR_LEN     4 /* Figure 4: code, reserved, length */
#define THIRD_PARTY_LEN 16
#define FILTER_LEN      20

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Options are padded to a multiple of 4 octets (section 7.3). */
static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool pcp_addr_v4(const uint8_t a[16], uint32_t *v4)
{
	if (memcmp(a, v4_mapped, sizeof(v4_mapped)) != 0)
		return false;
	if (v4 != NULL)
		memcpy(v4, a + 12, 4);
	return true;
}

void pcp_addr_from_v4(uint32_t v4, uint8_t a[16])
{
	memcpy(a, v4_mapped, sizeof(v4_mapped));
	memcpy(a + 12, &v4, 4);
}

/* The opcode-specific data of MAP (section 11.1) or PEER (section 12.1),
 * all of it in d. */
static int parse_opdata(const uint8_t *d, struct pcp_request *req)
{
	memcpy(req->nonce, d + OD_NONCE, sizeof(req->nonce));
	req->proto = d[OD_PROTO];
	req->int_port = get16(d + OD_INT_PORT);
	req->ext_port = get16(d + OD_EXT_PORT);
	memcpy(req->ext_addr, d + OD_EXT_ADDR, sizeof(req->ext_addr));
	if (req->opcode == PCP_OP_PEER) {
		req->peer_port = get16(d + OD_PEER_PORT);
		memcpy(req->peer_addr, d + OD_PEER_ADDR, sizeof(req->peer_addr));
	}
	req->has_opdata = true;
	if (req->opcode == PCP_OP_MAP) {
		/* 11.1: with protocol 0 (all protocols) the internal port "MUST
		 * be zero on transmission and MUST be ignored on reception". */
		if (req->proto == 0)
			req->int_port = 0;
		return PCP_SUCCESS;
	}
	/* 12.1: the protocol, the internal port and the remote peer port
	 * "MUST NOT be zero". */
	if (req->proto == 0 || req->int_port == 0 || req->peer_port == 0)
		return PCP_MALFORMED_REQUEST;
	return PCP_SUCCESS;
}

/* A FILTER option's data (section 13.3, Figure 15). */
static int parse_filter(const uint8_t *d, struct pcp_request *req)
{
	struct pcp_filter f;

	f.prefix_len = d[1];
	f.port = get16(d + 2);
	memcpy(f.addr, d + 4, sizeof(f.addr));
	/* The prefix length counts bits of the IPv6 form, so for an IPv4
	 * (IPv4-mapped) address only 96 to 128 are valid; 0 is "no filter". */
	if (f.prefix_len > 128 ||
	    (f.prefix_len != 0 && f.prefix_len < 96 && pcp_addr_v4(f.addr, NULL)))
		return PCP_MALFORMED_OPTION;
	if (req->nfilters == PCP_MAX_FILTERS) {
		req->too_many_filters = true;
		return PCP_SUCCESS;
	}
	req->filter[req->nfilters++] = f;
	return PCP_SUCCESS;
}

/* One option (section 7.3) of code with len octets of data at d. Each
 * option of section 13 says for which opcodes it is valid, its length and
 * how often it may appear: the rest is MALFORMED_OPTION ("e.g., appears
 * too many times, invalid length", section 7.4). */
static int parse_option(uint8_t code, const uint8_t *d, size_t len, struct pcp_request *req)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY: /* 13.1: MAP, PEER; 16 octets; once */
		if (req->opcode == PCP_OP_ANNOUNCE || len != THIRD_PARTY_LEN || req->third_party)
			return PCP_MALFORMED_OPTION;
		memcpy(req->third_party_addr, d, sizeof(req->third_party_addr));
		req->third_party = true;
		/* 13.1: "A PCP server receiving a THIRD_PARTY option specifying
		 * the same address as the source address of the packet MUST
		 * return a MALFORMED_REQUEST result code." The source is the
		 * client address, or the caller answers ADDRESS_MISMATCH. */
		if (memcmp(req->third_party_addr, req->client, sizeof(req->client)) == 0)
			return PCP_MALFORMED_REQUEST;
		return PCP_SUCCESS;
	case PCP_OPT_PREFER_FAILURE: /* 13.2: MAP; 0 octets; once */
		/* 12.1: a PEER request with PREFER_FAILURE "MUST return a
		 * MALFORMED_REQUEST error response". */
		if (req->opcode == PCP_OP_PEER)
			return PCP_MALFORMED_REQUEST;
		if (req->opcode != PCP_OP_MAP || len != 0 || req->prefer_failure)
			return PCP_MALFORMED_OPTION;
		req->prefer_failure = true;
		return PCP_SUCCESS;
	case PCP_OPT_FILTER: /* 13.3: MAP; 20 octets; as many as fit */
		if (req->opcode != PCP_OP_MAP || len != FILTER_LEN)
			return PCP_MALFORMED_OPTION;
		return parse_filter(d, req);
	default:
		/* 7.3: the most significant bit of the code says whether the
		 * option is mandatory (0) or optional (1) to process. */
		return code < 128 ? PCP_UNSUPP_OPTION : PCP_SUCCESS;
	}
}

/* The options from p to p + len, in the order they appear (section 7.3). */
static int parse_options(const uint8_t *p, size_t len, struct pcp_request *req)
{
	size_t off = 0;

	while (off < len) {
		size_t left = len - off, olen;
		int rc;

		if (left < OPT_HDR_LEN)
			return PCP_MALFORMED_OPTION;
		olen = get16(p + off + 2);
		/* Its data and padding run past the end of the request. */
		if (pad4(olen) > left - OPT_HDR_LEN)
			return PCP_MALFORMED_OPTION;
		rc = parse_option(p[off], p + off + OPT_HDR_LEN, olen, req);
		if (rc != PCP_SUCCESS)
			return rc;
		off += OPT_HDR_LEN + pad4(olen);
	}
	return PCP_SUCCESS;
}

/* The length of the opcode-specific data, or -1 for an opcode not implemented. */
static int opdata_len(uint8_t opcode)
{
	switch (opcode) {
	case PCP_OP_ANNOUNCE:
		return 0; /* 14.1 */
	case PCP_OP_MAP:
		return MAP_LEN;
	case PCP_OP_PEER:
		return PEER_LEN;
	default:
		return -1;
	}
}

/* Section 8.3, in its order. */
int pcp_parse(const uint8_t *buf, size_t len, struct pcp_request *req)
{
	int need, rc;

	memset(req, 0, sizeof(*req));
	/* Shorter than two octets, or the R bit set (a response): silently
	 * dropped. */
	if (len < 2 || (buf[OFF_OPCODE] & PCP_R_BIT))
		return PCP_DROP;
	req->raw_len = (uint16_t)(len < PCP_MAX_LEN ? len : PCP_MAX_LEN);
	memcpy(req->raw, buf, req->raw_len);
	req->version = buf[OFF_VERSION];
	req->opcode = buf[OFF_OPCODE] & OPCODE_MASK;
	/* A version not supported is answered (section 9) before its length is
	 * looked at; one supported but shorter than the header is dropped. */
	if (req->version != PCP_VERSION)
		return PCP_UNSUPP_VERSION;
	if (len < PCP_HDR_LEN)
		return PCP_DROP;
	req->lifetime = get32(buf + OFF_LIFETIME);
	memcpy(req->client, buf + OFF_CLIENT, sizeof(req->client));
	/* Longer than 1100 octets, not a multiple of 4, or too short for its
	 * opcode: MALFORMED_REQUEST (the response cut to 1100 octets). */
	if (len > PCP_MAX_LEN || len % 4 != 0)
		return PCP_MALFORMED_REQUEST;
	need = opdata_len(req->opcode);
	if (need < 0)
		return PCP_UNSUPP_OPCODE;
	if (len - PCP_HDR_LEN < (size_t)need)
		return PCP_MALFORMED_REQUEST;
	if (need > 0) {
		rc = parse_opdata(buf + PCP_HDR_LEN, req);
		if (rc != PCP_SUCCESS)
			return rc;
	}
	rc = parse_options(buf + PCP_HDR_LEN + need, len - PCP_HDR_LEN - (size_t)need, req);
	if (rc != PCP_SUCCESS)
		return rc;
	req->parsed = true;
	/* 13.3: a MAP request with more filters than the server can hold is
	 * rejected whole with EXCESSIVE_REMOTE_PEERS. */
	return req->too_many_filters ? PCP_EXCESSIVE_REMOTE_PEERS : PCP_SUCCESS;
}

/* The response header (section 7.2) of opcode; the 96 reserved bits zero. */
static void put_header(uint8_t *out, uint8_t opcode, int result, uint32_t lifetime, uint32_t epoch)
{
	memset(out, 0, PCP_HDR_LEN);
	out[OFF_VERSION] = PCP_VERSION;
	out[OFF_OPCODE] = PCP_R_BIT | (opcode & OPCODE_MASK);
	out[OFF_RESULT] = (uint8_t)result;
	put32(out + OFF_LIFETIME, lifetime);
	put32(out + OFF_EPOCH, epoch);
}

/* An option header (Figure 4) and its data; returns the octets written. */
static size_t put_option(uint8_t *out, uint8_t code, const uint8_t *data, uint16_t len)
{
	out[0] = code;
	out[1] = 0;
	put16(out + 2, len);
	if (len > 0)
		memcpy(out + OPT_HDR_LEN, data, len);
	memset(out + OPT_HDR_LEN + len, 0, pad4(len) - len);
	return OPT_HDR_LEN + pad4(len);
}

/* The options of req the server processed (section 13: each "may appear
 * in response only if it appeared in the associated request"). At most
 * 20 + 4 + 8 * 24 octets. */
static size_t put_options(const struct pcp_request *req, uint8_t *out)
{
	size_t n = 0;

	if (req->third_party)
		n += put_option(out + n, PCP_OPT_THIRD_PARTY, req->third_party_addr,
		                THIRD_PARTY_LEN);
	if (req->prefer_failure)
		n += put_option(out + n, PCP_OPT_PREFER_FAILURE, NULL, 0);
	for (unsigned int i = 0; i < req->nfilters && i < PCP_MAX_FILTERS; i++) {
		const struct pcp_filter *f = &req->filter[i];
		uint8_t d[FILTER_LEN] = {0};

		d[1] = f->prefix_len;
		put16(d + 2, f->port);
		memcpy(d + 4, f->addr, sizeof(f->addr));
		n += put_option(out + n, PCP_OPT_FILTER, d, FILTER_LEN);
	}
	return n;
}

/* MAP and PEER success (Figures 10 and 12): the request's fields, the
 * assigned external address and port. */
static size_t put_opdata(const struct pcp_request *req, const uint8_t ext_addr[16],
                         uint16_t ext_port, uint8_t *out)
{
	size_t len = req->opcode == PCP_OP_PEER ? PEER_LEN : MAP_LEN;

	memset(out, 0, len);
	memcpy(out + OD_NONCE, req->nonce, sizeof(req->nonce));
	out[OD_PROTO] = req->proto;
	put16(out + OD_INT_PORT, req->int_port);
	put16(out + OD_EXT_PORT, ext_port);
	if (ext_addr != NULL)
		memcpy(out + OD_EXT_ADDR, ext_addr, 16);
	if (req->opcode == PCP_OP_PEER) {
		put16(out + OD_PEER_PORT, req->peer_port);
		memcpy(out + OD_PEER_ADDR, req->peer_addr, sizeof(req->peer_addr));
	}
	return len;
}

static size_t success_response(const struct pcp_request *req, uint32_t lifetime, uint32_t epoch,
                               const uint8_t ext_addr[16], uint16_t ext_port, uint8_t *out)
{
	size_t n = PCP_HDR_LEN;

	switch (req->opcode) {
	case PCP_OP_ANNOUNCE:
		/* 14.1: no opcode data; the Lifetime is 0 on transmission. */
		put_header(out, req->opcode, PCP_SUCCESS, 0, epoch);
		return n;
	case PCP_OP_MAP:
	case PCP_OP_PEER:
		put_header(out, req->opcode, PCP_SUCCESS, lifetime, epoch);
		n += put_opdata(req, ext_addr, ext_port, out + n);
		return n + put_options(req, out + n);
	default:
		return 0;
	}
}

/* Section 8.3: an error response is the request's UDP payload, or its
 * first 1100 octets, zero-padded to a multiple of 4, with the header's
 * fields set (section 7.3: a complete copy of the request). */
static size_t error_response(const struct pcp_request *req, int result, uint32_t lifetime,
                             uint32_t epoch, uint8_t *out)
{
	size_t n = req->raw_len < PCP_MAX_LEN ? req->raw_len : PCP_MAX_LEN;
	size_t len = n < PCP_HDR_LEN ? PCP_HDR_LEN : pad4(n);
	uint8_t reserved[12];

	memcpy(out, req->raw, n);
	memset(out + n, 0, len - n);
	/* 7.2: the Reserved field of a request not successfully parsed
	 * carries "the last 96 bits of the PCP Client's IP Address field". */
	memcpy(reserved, out + OFF_RESERVED, sizeof(reserved));
	put_header(out, req->opcode, result, lifetime, epoch);
	if (!req->parsed)
		memcpy(out + OFF_RESERVED, reserved, sizeof(reserved));
	return len;
}

size_t pcp_response(const struct pcp_request *req, int result, uint32_t lifetime, uint32_t epoch,
                    const uint8_t ext_addr[16], uint16_t ext_port, uint8_t *out)
{
	if (result < 0 || result > 255)
		return 0;
	if (result == PCP_SUCCESS)
		return req->parsed ? success_response(req, lifetime, epoch, ext_addr, ext_port, out)
		                   : 0;
	return error_response(req, result, lifetime, epoch, out);
}

/* 14.1.3: on a restart or a change of external addresses, the server
 * multicasts ANNOUNCE responses: result SUCCESS, Lifetime 0, its Epoch
 * Time. */
size_t pcp_announce(uint32_t epoch, uint8_t *out)
{
	put_header(out, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, epoch);
	return PCP_HDR_LEN;
}

uint32_t pcp_error_lifetime(int result)
{
	switch (result) {
#define PCP_RESULT_LIFETIME(name, code, lifetime)                                                  \
	case code:                                                                                 \
		return lifetime;
		PCP_RESULTS(PCP_RESULT_LIFETIME)
#undef PCP_RESULT_LIFETIME
	default:
		return 0;
	}
}

const char *pcp_result_name(int result)
{
	switch (result) {
#define PCP_RESULT_NAME(name, code, lifetime)                                                      \
	case code:                                                                                 \
		return #name;
		PCP_RESULTS(PCP_RESULT_NAME)
#undef PCP_RESULT_NAME
	default:
		return NULL;
	}
}

const char *pcp_opcode_name(uint8_t opcode)
{
	return opcode == PCP_OP_ANNOUNCE ? "ANNOUNCE"
	       : opcode == PCP_OP_MAP    ? "MAP"
	       : opcode == PCP_OP_PEER   ? "PEER"
	                                 : NULL;
}
