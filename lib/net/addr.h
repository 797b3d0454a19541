/* IPv4 and IPv6 addresses and prefixes: parsing, formatting, containment,
 * and small prefix lists (acl6, private IPv4 prefixes).
 *
 * The configuration model keeps IPv4 addresses as uint32_t in host byte
 * order (arithmetic and ordering are natural there); the dataplane converts
 * once when it builds its tables. IPv6 addresses are 16 bytes in network
 * order. */
#ifndef AFTR_ADDR_H
#define AFTR_ADDR_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ADDR4_STRLEN   16 /* "255.255.255.255" + NUL */
#define ADDR6_STRLEN   46 /* INET6_ADDRSTRLEN */
#define PREFIX4_STRLEN (ADDR4_STRLEN + 3)
#define PREFIX6_STRLEN (ADDR6_STRLEN + 4)

/* 4-byte aligned so it can be hashed and compared a word at a time. */
struct addr6 {
	uint8_t b[16];
} __attribute__((aligned(4)));

struct prefix4 {
	uint32_t addr; /* host order, host bits zero unless PFX_HOST */
	uint8_t len;   /* 0..32 */
};

struct prefix6 {
	struct addr6 addr; /* host bits zero unless PFX_HOST */
	uint8_t len;       /* 0..128 */
};

/* Parsers return 0, or -EINVAL with a reason in err (which may be NULL). */
int addr4_parse(const char *s, uint32_t *out, char *err, size_t errlen);
int addr6_parse(const char *s, struct addr6 *out, char *err, size_t errlen);
/* Flags for the prefix parsers. By default "a.b.c.d/len" is required and
 * host bits set below the length are an error (they usually mean a typo). */
#define PFX_BARE 0x1 /* a bare address is a host prefix (/32, /128) */
#define PFX_HOST 0x2 /* interface form: keep host bits (192.0.2.1/24) */
int prefix4_parse(const char *s, unsigned int flags, struct prefix4 *out, char *err, size_t errlen);
int prefix6_parse(const char *s, unsigned int flags, struct prefix6 *out, char *err, size_t errlen);

char *addr4_format(uint32_t a, char buf[ADDR4_STRLEN]);
char *addr6_format(const struct addr6 *a, char buf[ADDR6_STRLEN]);
char *prefix4_format(const struct prefix4 *p, char buf[PREFIX4_STRLEN]);
char *prefix6_format(const struct prefix6 *p, char buf[PREFIX6_STRLEN]);

/* By an IPv4 address's first octet: ADDR4_MARTIAN when every address of
 * that /8 is a martian, ADDR4_MARTIAN_16 when one /16 of it is. */
#define ADDR4_MARTIAN    1
#define ADDR4_MARTIAN_16 2
extern const uint8_t addr4_martian8[256];

/* An IPv4 address (host order) no router forwards to or from (a
 * martian): "this network" 0/8 and loopback 127/8 (RFC 1812 section
 * 5.3.7), link-local 169.254/16 (RFC 3927 section 7), multicast 224/4
 * (unicast NAT and softwires carry none), reserved 240/4 with the limited
 * broadcast (RFC 6890). Inline, by a table: the packet path asks it of
 * every packet, and one load and test is all a public address costs. */
static inline bool addr4_is_martian(uint32_t a)
{
	uint8_t v = addr4_martian8[a >> 24];

	return v != 0 && (v == ADDR4_MARTIAN || a >> 16 == 0xa9feu);
}

/* Inline: the packet path asks these per packet (private sources). */
static inline uint32_t prefix4_mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

static inline bool prefix4_contains(const struct prefix4 *p, uint32_t a)
{
	return (a & prefix4_mask(p->len)) == p->addr;
}
bool prefix4_overlap(const struct prefix4 *a, const struct prefix4 *b);
/* On the packet path (acl6, on-link B4s): two 64-bit words compared under
 * the prefix's mask (an interface address keeps its host bits). */
static inline bool prefix6_contains(const struct prefix6 *p, const struct addr6 *a)
{
	uint64_t p0, p1, a0, a1, m0, m1;

	memcpy(&p0, p->addr.b, 8);
	memcpy(&p1, p->addr.b + 8, 8);
	memcpy(&a0, a->b, 8);
	memcpy(&a1, a->b + 8, 8);
	m0 = p->len >= 64 ? ~0ull : p->len ? ~0ull << (64 - p->len) : 0;
	m1 = p->len >= 128 ? ~0ull : p->len > 64 ? ~0ull << (128 - p->len) : 0;
	return ((be64toh(p0 ^ a0) & m0) | (be64toh(p1 ^ a1) & m1)) == 0;
}
bool prefix6_overlap(const struct prefix6 *a, const struct prefix6 *b);
/* Inline: the packet path compares B4s (a memcmp of a constant 16 bytes
 * is two loads and compares). */
static inline bool addr6_equal(const struct addr6 *a, const struct addr6 *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}
int addr6_cmp(const struct addr6 *a, const struct addr6 *b);
/* :: (the unspecified address, RFC 4291 section 2.5.2). */
bool addr6_is_zero(const struct addr6 *a);

/* Small prefix lists: a linear scan, for configuration-sized lists. The
 * dataplane compiles its own lookup structures from them. */
const struct prefix4 *prefix4_list_match(const struct prefix4 *v, size_t n, uint32_t a);
const struct prefix6 *prefix6_list_match(const struct prefix6 *v, size_t n, const struct addr6 *a);

#endif
