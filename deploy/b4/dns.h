/*
 * The software B4's DNS lookup of its AFTR (RFC 6334 section 5: the B4 resolves the
 * AFTR-Name through the DNS servers DHCPv6 gave it): one AAAA question (RFC 3596) over UDP
 * (RFC 1035 4.2.1), built and its answer read here without I/O; aftr-b4.c sends it and
 * retries.
 */
#ifndef AFTR_B4_DNS_H
#define AFTR_B4_DNS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT    53
#define DNS_MSG_MAX 512 /* RFC 1035 4.2.1 without EDNS */

/* A query with id for the AAAA records of name (dotted, no trailing dot needed), with
 * recursion desired. Returns its length, or -EINVAL for a name that is not one. */
int dns_aaaa_query(uint8_t *buf, size_t cap, uint16_t id, const char *name);

/*
 * The answer to query id: the AAAA records of the answer section (CNAMEs followed by the
 * server, as it lists them) into out, at most max; *ttl their least TTL. Returns how many
 * (0: the name has none), -ENOMSG when it is not the answer to id (ignore it), -ENOENT
 * for NXDOMAIN, -EAGAIN for another error code (another server may know), -EMSGSIZE when
 * truncated, -EBADMSG when malformed.
 */
int dns_aaaa_parse(const uint8_t *buf, size_t len, uint16_t id, struct in6_addr *out, size_t max,
                   uint32_t *ttl);

#endif /* AFTR_B4_DNS_H */
