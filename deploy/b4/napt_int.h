/*
 * Inside the lwB4's NAPT (napt_table.c: the mappings; napt_pkt.c: header rewriting; napt.c: the
 * TCP, UDP and echo path; napt_icmp.c: ICMP errors): IPv4 header access by offset and the calls
 * they share.
 *
 * 16- and 32-bit fields are loaded "as stored" (network order in a host integer) for the
 * checksum updates of lib/net/cksum.h, and as numbers with be16() where a port is compared.
 */
#ifndef AFTR_B4_NAPT_INT_H
#define AFTR_B4_NAPT_INT_H

#include <stdint.h>
#include <string.h>

#include "napt.h"
#include "pkt_hdr.h"

#define NAPT_NIL UINT32_MAX

#define IP_SRC 12 /* offsets in the IPv4 header */
#define IP_DST 16

static inline uint16_t ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void st16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* pkt_hdr.h's IPv4 header helpers, on a byte pointer. */
static inline size_t ip_hlen(const uint8_t *ip)
{
	return pkt_ip4_hdr_len((const struct l3_ip4_hdr *)ip);
}

/* A fragment other than the first: no transport header. */
static inline bool ip_later_frag(const uint8_t *ip)
{
	return pkt_ip4_frag_offset((const struct l3_ip4_hdr *)ip) != 0;
}

static inline bool ip_more_frags(const uint8_t *ip)
{
	return (((const struct l3_ip4_hdr *)ip)->frag_off & htons(AFTR_IP4_FLAG_MF)) != 0;
}

/* The port (the identifier for ICMP) of the source or destination end of the transport
 * header at l4. */
static inline uint16_t napt_port_of(enum napt_proto pr, const uint8_t *l4, bool src)
{
	return be16(l4 + (pr == NAPT_ICMP ? 4 : src ? 0 : 2));
}

/* A new mapping for inside (addr, port) at now, its expiry still to set; NAPT_NIL when every
 * port of the set is mapped (counted as tx_drop_ports_exhausted). napt_table.c. */
uint32_t napt_map_new(struct napt *n, enum napt_proto pr, uint32_t addr, uint16_t port,
                      uint64_t now);

/* The table of an IPv4 protocol number, or NAPT_NPROTO. */
enum napt_proto napt_proto_of(uint8_t proto);

/* The live mapping of inside (addr, port) or of public port ext_port, or NAPT_NIL. */
uint32_t napt_find_int(struct napt *n, enum napt_proto pr, uint32_t addr, uint16_t port,
                       uint64_t now);
uint32_t napt_find_ext(struct napt *n, enum napt_proto pr, uint16_t ext_port, uint64_t now);

static inline uint16_t napt_ext_port(const struct napt *n, uint32_t idx)
{
	return psid_port_nth(&n->ps, idx);
}

/*
 * Rewrites the address at field (IP_SRC or IP_DST) of the IPv4 packet ip (len bytes, maybe a
 * quoted and cut one) to addr and, when port >= 0, that side's port (the identifier for
 * ICMP), updating the IPv4 header checksum and the transport checksum when its field is within
 * len (RFC 1624). A later fragment has no transport header: only the address changes.
 */
void napt_rewrite(uint8_t *ip, size_t len, unsigned int field, uint32_t addr, int port);

/* ICMP errors (napt_icmp.c): the quoted packet is translated with the outer one. The caller
 * checked the ICMP header is there and the packet is not a fragment. */
bool napt_icmp_err_out(struct napt *n, uint8_t *p, size_t len, uint64_t now);
bool napt_icmp_err_in(struct napt *n, uint8_t *p, size_t len, uint64_t now);

#endif /* AFTR_B4_NAPT_INT_H */
