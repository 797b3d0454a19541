/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Port Control Protocol (RFC 6887), server side: a request parsed into
 * struct pcp_request, and the responses built from it, success or error,
 * and the unsolicited ANNOUNCE.
 *
 * Nothing here allocates, sends or keeps state: the mappings, the Epoch
 * Time (section 8.5) and the policy are the caller's. A server does, for
 * each datagram to PCP_SERVER_PORT:
 *
 *	rc = pcp_parse(buf, len, &req);
 *	PCP_DROP: nothing is sent.
 *	PCP_SUCCESS: its own checks, in the order of section 8.3: the
 *	    packet's source address against req.client (ADDRESS_MISMATCH),
 *	    then those of the opcode (sections 11.3, 12.3), which give a
 *	    result, a lifetime and the assigned external address and port.
 *	n = pcp_response(&req, rc, rc == PCP_SUCCESS ? lifetime : pcp_error_lifetime(rc),
 *	                 epoch, ext_addr, ext_port, out);
 *
 * Addresses are 16 octets in network order; IPv4 addresses are
 * IPv4-mapped IPv6 addresses, ::ffff:a.b.c.d (section 5).
 */
#ifndef AFTR_PCP_H
#define AFTR_PCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCP_VERSION     2    /* section 7.1: the only one this server speaks */
#define PCP_SERVER_PORT 5351 /* where servers listen (IANA) */
#define PCP_CLIENT_PORT 5350 /* where unsolicited ANNOUNCE goes (14.1.3) */
#define PCP_MAX_LEN     1100 /* section 7: the largest UDP payload, either way */
#define PCP_HDR_LEN     24   /* sections 7.1, 7.2: either common header */
#define PCP_MAX_FILTERS 8    /* FILTER options kept from one MAP request */

/* Section 7.4 recommends these Lifetimes for error responses. */
#define PCP_SHORT_LIFETIME 30   /* seconds */
#define PCP_LONG_LIFETIME  1800 /* seconds */

/* The opcodes this server implements (sections 11, 12, 14.1). */
enum pcp_opcode { PCP_OP_ANNOUNCE = 0, PCP_OP_MAP = 1, PCP_OP_PEER = 2 };

/* The options it implements (section 13). */
enum pcp_option_code {
	PCP_OPT_THIRD_PARTY = 1,    /* 16 octets, MAP and PEER, at most once */
	PCP_OPT_PREFER_FAILURE = 2, /* 0 octets, MAP, at most once */
	PCP_OPT_FILTER = 3,         /* 20 octets, MAP, as many as fit */
};

/*
 * Section 7.4: the result codes, each with the Lifetime section 7.4
 * recommends for it as an error (its long or short lifetime class; the
 * one for CANNOT_PROVIDE_EXTERNAL "depends on the reason for the failure",
 * short here: the port asked for may be free again soon).
 *
 * X(NAME, code, error lifetime)
 */
#define PCP_RESULTS(X)                                                                             \
	X(SUCCESS, 0, 0)                                                                           \
	X(UNSUPP_VERSION, 1, PCP_LONG_LIFETIME)                                                    \
	X(NOT_AUTHORIZED, 2, PCP_LONG_LIFETIME)                                                    \
	X(MALFORMED_REQUEST, 3, PCP_LONG_LIFETIME)                                                 \
	X(UNSUPP_OPCODE, 4, PCP_LONG_LIFETIME)                                                     \
	X(UNSUPP_OPTION, 5, PCP_LONG_LIFETIME)                                                     \
	X(MALFORMED_OPTION, 6, PCP_LONG_LIFETIME)                                                  \
	X(NETWORK_FAILURE, 7, PCP_SHORT_LIFETIME)                                                  \
	X(NO_RESOURCES, 8, PCP_SHORT_LIFETIME)                                                     \
	X(UNSUPP_PROTOCOL, 9, PCP_LONG_LIFETIME)                                                   \
	X(USER_EX_QUOTA, 10, PCP_SHORT_LIFETIME)                                                   \
	X(CANNOT_PROVIDE_EXTERNAL, 11, PCP_SHORT_LIFETIME)                                         \
	X(ADDRESS_MISMATCH, 12, PCP_LONG_LIFETIME)                                                 \
	X(EXCESSIVE_REMOTE_PEERS, 13, PCP_LONG_LIFETIME)

enum pcp_result {
#define PCP_RESULT_ENUM(name, code, lifetime) PCP_##name = (code),
	PCP_RESULTS(PCP_RESULT_ENUM)
#undef PCP_RESULT_ENUM
};

/* pcp_parse: send nothing (section 8.3: shorter than two octets, the R bit
 * set, or a version 2 request shorter than its 24-octet header). */
#define PCP_DROP (-1)

/* A FILTER option (section 13.3): let in only remote peers in this prefix
 * (prefix_len 0: "no filter", remove the mapping's filters). */
struct pcp_filter {
	uint8_t prefix_len; /* of addr as an IPv6 address: 0-128, 0 or 96-128 for IPv4 */
	uint16_t port;      /* host order, 0: every port */
	uint8_t addr[16];
};

struct pcp_request {
	/* The common header (section 7.1). */
	uint8_t version;
	uint8_t opcode;     /* 7 bits */
	uint32_t lifetime;  /* Requested Lifetime, host order (ignored for ANNOUNCE) */
	uint8_t client[16]; /* PCP Client's IP Address */

	/* MAP (section 11.1) and PEER (section 12.1), when has_opdata. */
	bool has_opdata;
	uint8_t nonce[12];
	uint8_t proto;         /* 0: all protocols (MAP only) */
	uint16_t int_port;     /* host order; 0 when proto is 0 (11.1: ignored) */
	uint16_t ext_port;     /* suggested external port, host order, 0: none */
	uint8_t ext_addr[16];  /* suggested external address, :: or ::ffff:0.0.0.0: none */
	uint16_t peer_port;    /* PEER: Remote Peer Port, host order */
	uint8_t peer_addr[16]; /* PEER: Remote Peer IP Address */

	/* The options of section 13, in the order received. */
	bool third_party;
	uint8_t third_party_addr[16]; /* the internal address, for another host */
	bool prefer_failure;
	unsigned int nfilters;
	struct pcp_filter filter[PCP_MAX_FILTERS];
	bool too_many_filters; /* more than PCP_MAX_FILTERS were sent */

	/* The datagram as received, cut to PCP_MAX_LEN octets: an error
	 * response is a copy of it (sections 7.3, 8.3). parsed: pcp_parse found
	 * nothing malformed, so the Reserved field of an error response is
	 * zero rather than copied (section 7.2). */
	bool parsed;
	uint16_t raw_len;
	uint8_t raw[PCP_MAX_LEN];
};

/*
 * Parse the UDP payload buf of len octets (reading nothing past it) into
 * *req, in the order of section 8.3. Returns PCP_DROP; PCP_SUCCESS; or the
 * result code to answer with, *req then filled as far as it could be
 * parsed, which is enough for pcp_response() to build the error response:
 *   UNSUPP_VERSION     version other than 2 (section 9; before the 24-octet minimum)
 *   MALFORMED_REQUEST  longer than 1100 octets or not a multiple of 4, or
 *                      too short for the opcode (8.3); PEER with protocol,
 *                      internal port or remote peer port 0, or with a
 *                      PREFER_FAILURE option (12.1); THIRD_PARTY naming
 *                      the client itself (13.1). (MAP with protocol 0 and
 *                      an internal port is not: 11.1 says the port "MUST
 *                      be ignored on reception", and int_port reads 0.)
 *   UNSUPP_OPCODE      an opcode other than ANNOUNCE, MAP and PEER
 *   UNSUPP_OPTION      an unknown option in the mandatory range 0-127 (7.3)
 *   MALFORMED_OPTION   an option running past the end, of the wrong length,
 *                      repeated where it may appear once, or sent with an
 *                      opcode it is not defined for (7.3, 13); a FILTER
 *                      prefix length above 128, or below 96 (and not 0) for
 *                      an IPv4 address (13.3)
 *   EXCESSIVE_REMOTE_PEERS  more than PCP_MAX_FILTERS FILTER options (13.3),
 *                      the request otherwise well formed
 * Unknown options in the optional range 128-255 are skipped (7.3). The
 * first error found is the one returned: options are processed in the
 * order they appear (7.3).
 */
int pcp_parse(const uint8_t *buf, size_t len, struct pcp_request *req);

/*
 * Build into out (PCP_MAX_LEN octets) the response to req with this result
 * code, Lifetime and Epoch Time; returns its length, a multiple of 4 from
 * 24 to PCP_MAX_LEN, or 0 if there is nothing to send (result outside
 * 0-255, or PCP_SUCCESS for a request pcp_parse did not pass).
 *
 * Success (section 7.2, 11.1, 12.1, 14.1): the response header, then for
 * MAP and PEER the request's opcode data with ext_addr and ext_port as the
 * Assigned External IP Address and Port (NULL: ::), then the options the
 * server processed, which may appear in a response because they appeared
 * in the request (13.1-13.3): THIRD_PARTY, PREFER_FAILURE, each FILTER in
 * order. Unknown optional options are not echoed: they were not
 * processed. An ANNOUNCE response carries Lifetime 0 (14.1).
 *
 * Error (sections 7.3, 8.3): a copy of the request (its first 1100
 * octets, zero-padded to a multiple of 4 and to the 24 octets of the
 * header) with the R bit, version 2 (section 9), the result code, Lifetime
 * and Epoch Time set, and the Reserved field zeroed if the request was
 * parsed, else left as the request's last 96 bits of the client address
 * (section 7.2). So MAP and PEER errors carry the suggested external
 * address and port (11.1, 12.1), and every option of the request; ext_addr
 * and ext_port are not used.
 */
size_t pcp_response(const struct pcp_request *req, int result, uint32_t lifetime, uint32_t epoch,
                    const uint8_t ext_addr[16], uint16_t ext_port, uint8_t *out);

/* An unsolicited ANNOUNCE response (section 14.1.3) with this Epoch Time,
 * for the all-hosts multicast address at PCP_CLIENT_PORT; returns its
 * length, 24. */
size_t pcp_announce(uint32_t epoch, uint8_t *out);

/* The Lifetime section 7.4 recommends for an error response with this
 * result code: PCP_LONG_LIFETIME or PCP_SHORT_LIFETIME; 0 for PCP_SUCCESS
 * or a code it does not define. */
uint32_t pcp_error_lifetime(int result);

/* "SUCCESS", "USER_EX_QUOTA", ...; NULL for a code section 7.4 does not define. */
const char *pcp_result_name(int result);
/* "ANNOUNCE", "MAP", "PEER"; NULL for any other opcode. */
const char *pcp_opcode_name(uint8_t opcode);

/* Whether a is IPv4-mapped, ::ffff:0:0/96, all 96 bits checked (section
 * 5); if so and v4 is not NULL, its IPv4 address, in network order. */
bool pcp_addr_v4(const uint8_t a[16], uint32_t *v4);
/* The IPv4-mapped form of v4 (network order). */
void pcp_addr_from_v4(uint32_t v4, uint8_t a[16]);

#endif /* AFTR_PCP_H */
