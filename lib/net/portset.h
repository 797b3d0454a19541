/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Port ranges and PSID port sets.
 *
 * struct port_range and struct port_ranges hold inclusive ranges as the
 * configuration writes them ("1024-65535"). struct psid_params describes the
 * port set owned by one Port Set ID, as defined by RFC 7597 section 5.1 (MAP-E)
 * and reused by lw4o6 (RFC 7596) and the DHCPv6 S46 port parameters (RFC 7598).
 *
 * Nothing here allocates. The per-packet predicates are inline so that the
 * dataplane pays no call for them.
 */
#ifndef AFTR_PORTSET_H
#define AFTR_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Inclusive range of transport ports, min <= max. */
struct port_range {
	uint16_t min, max;
};

/* Room for "65535-65535" and its terminating NUL. */
#define PORT_RANGE_STRLEN 12

/*
 * Parse "N" or "N-M" (decimal, no sign, no blanks, no leading zero).
 * Ports below lowest are refused, so callers that forbid port 0 pass 1.
 * Returns 0 and fills *out, or -EINVAL with a message quoting s in err.
 */
int port_range_parse(const char *s, uint16_t lowest, struct port_range *out, char *err,
                     size_t errlen);

/* Write "N" or "N-M" to buf; returns what snprintf() returns. */
int port_range_format(struct port_range r, char *buf, size_t len);

static inline bool port_range_contains(struct port_range r, uint16_t port)
{
	return port >= r.min && port <= r.max;
}

static inline bool port_range_overlap(struct port_range a, struct port_range b)
{
	return a.min <= b.max && b.min <= a.max;
}

/* Number of ports, 1 .. 65536. */
static inline uint32_t port_range_size(struct port_range r)
{
	return (uint32_t)r.max - r.min + 1;
}

/* Configuration lists few ranges; a fixed array keeps the set copyable. */
#define PORT_RANGES_MAX 16

/* Sorted, disjoint and non-adjacent ranges: adjacent ones are merged. */
struct port_ranges {
	unsigned int n;
	struct port_range r[PORT_RANGES_MAX];
};

void port_ranges_init(struct port_ranges *set);

/*
 * Add r, merging it with every range it overlaps or touches.
 * Returns 0, -EINVAL if r.min > r.max, -ENOSPC if r needs a new slot and the
 * set is full (a range that merges always fits).
 */
int port_ranges_add(struct port_ranges *set, struct port_range r);

bool port_ranges_contains(const struct port_ranges *set, uint16_t port);
bool port_ranges_overlap(const struct port_ranges *set, struct port_range r);

/* Number of ports in the set, 0 .. 65536. */
uint32_t port_ranges_size(const struct port_ranges *set);

/*
 * RFC 7597 section 5.1, Figure 2: a port is split into
 *
 *	| A (a bits, offset) | PSID (k bits, psid_len) | M (m bits) |   m = 16 - a - k
 *
 * A port belongs to the set of PSID when its k middle bits equal PSID. With
 * a > 0, A must be > 0: ports 0 .. 2^(16-a) - 1 (the A = 0 block, e.g. the
 * system ports 0-1023 for the MAP default a = 6) belong to no set. With
 * a = 0 (the lw4o6 default) each set is one contiguous range. k = 0 means
 * no sharing: the single PSID 0 owns every port that is not excluded.
 */
struct psid_params {
	uint8_t offset;   /* a, 0..15 (RFC 7598 S46 port parameters) */
	uint8_t psid_len; /* k, a + k <= 16 */
	uint16_t psid;    /* < 2^k */
};

/* Returns 0, or -EINVAL with a message in err. */
int psid_params_validate(const struct psid_params *p, char *err, size_t errlen);

/* True if port lies in the A = 0 block that a > 0 keeps out of every set. */
static inline bool psid_port_excluded(uint8_t offset, uint16_t port)
{
	return offset > 0 && (port >> (16 - offset)) == 0;
}

/*
 * The k PSID bits of port, as RFC 7597 Appendix B writes it:
 * PSID = trunc((P modulo (R * M)) / M) with R = 2^k, M = 2^m.
 * For a port of the excluded block the bits are returned all the same, but
 * that port belongs to no PSID: test psid_port_excluded() first.
 */
static inline uint16_t psid_of_port(uint8_t offset, uint8_t psid_len, uint16_t port)
{
	unsigned int m = 16u - offset - psid_len;

	return (uint16_t)(((uint32_t)port >> m) & ((1u << psid_len) - 1));
}

static inline bool psid_port_in_set(const struct psid_params *p, uint16_t port)
{
	return !psid_port_excluded(p->offset, port) &&
	       psid_of_port(p->offset, p->psid_len, port) == p->psid;
}

/* psid_port_in_set with the shifts done once: a port is in the set when
 * its PSID bits, masked in place, equal the PSID shifted to them and it is
 * not below the excluded block (2^(16-a) when a > 0). For the packet path,
 * which tests one port against one set per packet. */
struct psid_test {
	uint16_t mask, val, min;
};

static inline struct psid_test psid_test_of(const struct psid_params *p)
{
	unsigned int m = 16u - p->offset - p->psid_len;

	return (struct psid_test){(uint16_t)(((1u << p->psid_len) - 1) << m),
	                          (uint16_t)((uint32_t)p->psid << m),
	                          (uint16_t)(p->offset ? 1u << (16 - p->offset) : 0)};
}

static inline bool psid_test_port(struct psid_test t, uint16_t port)
{
	return (port & t.mask) == t.val && port >= t.min;
}

/* (2^a - 1) * 2^m ports when a > 0, 2^m when a = 0; at most 65536. */
uint32_t psid_port_count(const struct psid_params *p);

/*
 * The i-th port of the set in increasing order, i < psid_port_count(p), in
 * O(1): P = (A << (16 - a)) | (PSID << m) | M with A = i / 2^m (+ 1 when
 * a > 0) and M = i mod 2^m. The result for a larger i is unspecified.
 */
uint16_t psid_port_nth(const struct psid_params *p, uint32_t i);

/* Inverse of psid_port_nth() for a port for which psid_port_in_set() holds. */
uint32_t psid_port_index(const struct psid_params *p, uint16_t port);

/*
 * Write the first min(count, cap) ports of the set to ports, in increasing
 * order. Returns psid_port_count(p), so a result above cap means truncation.
 */
uint32_t psid_ports_fill(const struct psid_params *p, uint16_t *ports, uint32_t cap);

#endif /* AFTR_PORTSET_H */
