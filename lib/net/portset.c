/* SPDX-License-Identifier: BSD-2-Clause */
#include "portset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Format the message for the user into err, when there is one; returns -EINVAL. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * Scan the decimal number at s. Returns the first character after it, or
 * NULL if there is no digit. The value saturates just above 65535 so that
 * any length of digits is reported as too large rather than wrapping.
 */
static const char *scan_port(const char *s, uint32_t *val, bool *leading_zero)
{
	const char *p = s;
	uint32_t v = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v <= UINT16_MAX)
			v = v * 10 + (uint32_t)(*p - '0');
	}
	*val = v;
	*leading_zero = p - s > 1 && *s == '0';
	return p == s ? NULL : p;
}

int port_range_parse(const char *s, uint16_t lowest, struct port_range *out, char *err,
                     size_t errlen)
{
	bool zero_lo, zero_hi = false;
	uint32_t lo, hi;
	const char *p;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "empty port range");
	p = scan_port(s, &lo, &zero_lo);
	hi = lo;
	if (p != NULL && *p == '-')
		p = scan_port(p + 1, &hi, &zero_hi);
	if (p == NULL || *p != '\0')
		return fail(err, errlen, "%s: not a port range", s);
	/* "010" reads as 8 to some tools and 10 to others: refuse the doubt. */
	if (zero_lo || zero_hi)
		return fail(err, errlen, "%s: leading zeros are not allowed", s);
	if (lo > UINT16_MAX || hi > UINT16_MAX)
		return fail(err, errlen, "%s is beyond 65535", s);
	if (lo > hi)
		return fail(err, errlen, "%s: start above end", s);
	if (lo < lowest)
		return fail(err, errlen, "%s: ports below %u are not allowed", s, lowest);
	out->min = (uint16_t)lo;
	out->max = (uint16_t)hi;
	return 0;
}

int port_range_format(struct port_range r, char *buf, size_t len)
{
	if (r.min == r.max)
		return snprintf(buf, len, "%u", (unsigned int)r.min);
	return snprintf(buf, len, "%u-%u", (unsigned int)r.min, (unsigned int)r.max);
}

void port_ranges_init(struct port_ranges *set)
{
	set->n = 0;
}

/* Overlapping or adjacent; computed in 32 bits so that max + 1 cannot wrap. */
static bool touches(struct port_range a, struct port_range b)
{
	return a.min <= (uint32_t)b.max + 1 && b.min <= (uint32_t)a.max + 1;
}

int port_ranges_add(struct port_ranges *set, struct port_range r)
{
	unsigned int lo = 0, hi;

	if (r.min > r.max)
		return -EINVAL;
	/* Ranges are sorted and apart, so those r absorbs are consecutive. */
	while (lo < set->n && (uint32_t)set->r[lo].max + 1 < r.min)
		lo++;
	for (hi = lo; hi < set->n && touches(set->r[hi], r); hi++) {
		if (set->r[hi].min < r.min)
			r.min = set->r[hi].min;
		if (set->r[hi].max > r.max)
			r.max = set->r[hi].max;
	}
	if (hi == lo && set->n == PORT_RANGES_MAX)
		return -ENOSPC;
	memmove(&set->r[lo + 1], &set->r[hi], (set->n - hi) * sizeof(set->r[0]));
	set->r[lo] = r;
	set->n = set->n - (hi - lo) + 1;
	return 0;
}

bool port_ranges_contains(const struct port_ranges *set, uint16_t port)
{
	for (unsigned int i = 0; i < set->n && set->r[i].min <= port; i++) {
		if (port <= set->r[i].max)
			return true;
	}
	return false;
}

bool port_ranges_overlap(const struct port_ranges *set, struct port_range r)
{
	for (unsigned int i = 0; i < set->n && set->r[i].min <= r.max; i++) {
		if (port_range_overlap(set->r[i], r))
			return true;
	}
	return false;
}

uint32_t port_ranges_size(const struct port_ranges *set)
{
	uint32_t size = 0;

	for (unsigned int i = 0; i < set->n; i++)
		size += port_range_size(set->r[i]);
	return size;
}

int psid_params_validate(const struct psid_params *p, char *err, size_t errlen)
{
	/* RFC 7598 S46 port parameters: the offset ranges over 0..15. */
	if (p->offset > 15)
		return fail(err, errlen, "PSID offset %u is above 15", p->offset);
	/* RFC 7597 section 5.1: a, k and m share the 16 bits of the port. */
	if (p->offset + p->psid_len > 16)
		return fail(err, errlen, "PSID offset %u + PSID length %u exceed 16 bits",
		            p->offset, p->psid_len);
	if ((uint32_t)p->psid >> p->psid_len != 0)
		return fail(err, errlen, "PSID %u does not fit in PSID length %u (max %u)", p->psid,
		            p->psid_len, (1u << p->psid_len) - 1);
	return 0;
}

static unsigned int psid_m(const struct psid_params *p)
{
	return 16u - p->offset - p->psid_len;
}

uint32_t psid_port_count(const struct psid_params *p)
{
	/* A runs over 1 .. 2^a - 1 when a > 0 (section 5.1: A > 0), else A = 0. */
	uint32_t blocks = p->offset > 0 ? (1u << p->offset) - 1 : 1;

	return blocks << psid_m(p);
}

/*
 * RFC 7597 Appendix B numbers the ports of a set as
 * P = R * M * j + M * K + i (R = 2^k, M = 2^m, K = PSID, i < M), which with
 * powers of two is the bit concatenation of section 5.1: j is A and i is M.
 */
uint16_t psid_port_nth(const struct psid_params *p, uint32_t i)
{
	unsigned int m = psid_m(p);
	uint32_t a_idx = (i >> m) + (p->offset > 0);
	uint32_t m_idx = i & ((1u << m) - 1);

	return (uint16_t)((a_idx << (16 - p->offset)) | ((uint32_t)p->psid << m) | m_idx);
}

uint32_t psid_port_index(const struct psid_params *p, uint16_t port)
{
	unsigned int m = psid_m(p);
	uint32_t a_idx = (uint32_t)port >> (16 - p->offset);
	uint32_t m_idx = port & ((1u << m) - 1);

	return ((a_idx - (p->offset > 0)) << m) | m_idx;
}

uint32_t psid_ports_fill(const struct psid_params *p, uint16_t *ports, uint32_t cap)
{
	uint32_t count = psid_port_count(p);

	for (uint32_t i = 0; i < count && i < cap; i++)
		ports[i] = psid_port_nth(p, i);
	return count;
}
