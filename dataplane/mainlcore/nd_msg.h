/* Neighbor Discovery messages (RFC 4861): the layout the main lcore sends
 * and reads, and the sending (solicit.c). */
#ifndef AFTR_ND_MSG_H
#define AFTR_ND_MSG_H

#include <rte_ether.h>
#include <stdint.h>

#define ND_HOP_LIMIT      255 /* RFC 4861 section 7.1: anything else is off-link */
#define ND_OPT_SLLA       1
#define ND_OPT_TLLA       2
#define NA_FLAG_ROUTER    0x80 /* the AFTR forwards (RFC 4861 section 7.2.4) */
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE  0x20

struct nd_msg { /* NS and NA share the layout (RFC 4861 sections 4.3, 4.4) */
	uint8_t type, code;
	uint16_t cksum;
	uint8_t flags, reserved[3];
	uint8_t target[16];
	uint8_t opt_type, opt_len; /* one link-layer address option */
	uint8_t mac[RTE_ETHER_ADDR_LEN];
} __attribute__((packed));

/* The address our ND messages come from: the transport address, else the
 * endpoint. */
const uint8_t *nd_our_source(void);

/* Builds an NS or NA as a new frame (ip6 destination, Ethernet dst) and
 * sends it. */
void nd_send(uint8_t type, const uint8_t src[16], const uint8_t dst[16],
             const struct rte_ether_addr *eth_dst, const uint8_t target[16], uint8_t flags);

#endif
