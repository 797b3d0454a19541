/*
 * The software B4's DHCPv6 client (RFC 8415), for provisioning as deployments do it: the
 * B4 asks with an Information-Request (stateless DHCPv6, section 18.2.6) for the options a
 * B4 needs and takes from the Reply:
 * - AFTR-Name (RFC 6334, option 64): the AFTR's FQDN, resolved through the DNS servers of
 *   option 23 (RFC 3646; dns.h);
 * - the lw4o6 container (RFC 7598 section 4.5, option 96): the BR address (option 90), the
 *   B4's IPv4 address and bound prefix (option 92) and the port parameters (option 93);
 * - the Information Refresh Time (RFC 8415 section 21.23, option 32): when to ask again.
 * Messages are built and parsed here without I/O; the retransmission schedule (section
 * 15) is a pure function too. aftr-b4.c owns the socket and the timers.
 */
#ifndef AFTR_B4_DHCP6_H
#define AFTR_B4_DHCP6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
#define DHCP6_MSG_MAX     1500

/* Message types and options (RFC 8415 section 7.3, 21; RFC 6334, 7598, 3646). */
#define DHCP6_REPLY               7
#define DHCP6_INFORMATION_REQUEST 11
#define DHCP6_OPT_CLIENTID        1
#define DHCP6_OPT_SERVERID        2
#define DHCP6_OPT_ORO             6
#define DHCP6_OPT_ELAPSED_TIME    8
#define DHCP6_OPT_STATUS_CODE     13
#define DHCP6_OPT_DNS_SERVERS     23
#define DHCP6_OPT_IRT             32
#define DHCP6_OPT_AFTR_NAME       64
#define DHCP6_OPT_S46_BR          90
#define DHCP6_OPT_S46_V4V6BIND    92
#define DHCP6_OPT_S46_PORTPARAMS  93
#define DHCP6_OPT_S46_CONT_LW     96
#define DHCP6_OPT_INF_MAX_RT      83

/* RFC 8415 section 7.6: Information-Request timers (seconds), the refresh time's floor and
 * default (section 21.23). */
#define DHCP6_INF_TIMEOUT 1
#define DHCP6_INF_MAX_RT  3600
#define DHCP6_IRT_DEFAULT 86400
#define DHCP6_IRT_MINIMUM 600
#define DHCP6_DNS_MAX     4
#define DHCP6_NAME_MAX    256 /* an FQDN in dotted text, with its NUL */

/* A lw4o6 binding (RFC 7598 sections 4.3-4.5; RFC 7597 section 5.1 for the port set). */
struct dhcp6_lw4o6 {
	bool present;
	struct in6_addr br;      /* option 90: the BR (AFTR) address */
	struct in_addr ipv4;     /* option 92: the B4's IPv4 address */
	uint8_t bindprefix6_len; /* its bound IPv6 prefix length (the B4's, unused here) */
	struct in6_addr bindprefix6;
	uint8_t offset, psid_len; /* option 93: offset a and PSID length k */
	uint16_t psid;            /* the PSID, right-aligned */
};

/* What a Reply gave. */
struct dhcp6_info {
	char aftr_name[DHCP6_NAME_MAX]; /* "" when the option was not there */
	struct in6_addr dns[DHCP6_DNS_MAX];
	unsigned int n_dns;
	uint32_t refresh; /* seconds: the option's, at least IRT_MINIMUM; DEFAULT without it */
	struct dhcp6_lw4o6 lw;
	uint16_t status;     /* option 13's code, 0 (Success) without it */
	uint32_t inf_max_rt; /* seconds: option 83's (60-86400), 0 without it */
};

/*
 * An Information-Request of transaction xid from the client with the given DUID, elapsed
 * time in hundredths of a second (capped at 0xffff), asking for AFTR-Name, the DNS servers,
 * the lw4o6 container, the refresh time and INF_MAX_RT (RFC 8415 section 18.2.6). Returns
 * its length, or -ENOSPC.
 */
int dhcp6_info_request(uint8_t *buf, size_t len, uint32_t xid, const uint8_t *duid, size_t duid_len,
                       unsigned int elapsed_cs);

/*
 * Parses a message received on the client port: 0 with *out when it is a Reply to xid that
 * carries our DUID; -ENOMSG for anything else (another type, transaction or client: to be
 * ignored); -EBADMSG when it is malformed (options that overrun, a bad FQDN or container).
 */
int dhcp6_parse_reply(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t *duid,
                      size_t duid_len, struct dhcp6_info *out);

/* DUID-LL (type 3, RFC 8415 section 11.4) of an Ethernet address: 10 bytes into duid. */
size_t dhcp6_duid_ll(uint8_t duid[10], const uint8_t mac[6]);

/*
 * RFC 8415 section 15: the retransmission timeout after prev (0: the first, from
 * INF_TIMEOUT), in milliseconds, with rand in [-0.1, 0.1] given as an integer in
 * [-1000, 1000] (thousandths of RT); capped by max_rt_s seconds, the server's INF_MAX_RT
 * option (section 21.25), or INF_MAX_RT when 0.
 */
unsigned int dhcp6_next_rt_ms(unsigned int prev_ms, int rand_milli, unsigned int max_rt_s);

#endif /* AFTR_B4_DHCP6_H */
