/* Address and prefix helpers; see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const uint8_t addr4_martian8[256] = {[0] = ADDR4_MARTIAN,
                                     [127] = ADDR4_MARTIAN,
                                     [169] = ADDR4_MARTIAN_16,
                                     [224 ... 255] = ADDR4_MARTIAN};

int addr4_parse(const char *s, uint32_t *out, char *err, size_t errlen)
{
	struct in_addr in;

	/* inet_pton accepts exactly the dotted-quad form, no shorthand. */
	if (s == NULL || inet_pton(AF_INET, s, &in) != 1) {
		errf(err, errlen, "%s: not an IPv4 address", s ? s : "(null)");
		return -EINVAL;
	}
	*out = ntohl(in.s_addr);
	return 0;
}

int addr6_parse(const char *s, struct addr6 *out, char *err, size_t errlen)
{
	if (s == NULL || inet_pton(AF_INET6, s, out->b) != 1) {
		errf(err, errlen, "%s: not an IPv6 address", s ? s : "(null)");
		return -EINVAL;
	}
	return 0;
}

/* Splits "addr/len" into addr (copied into buf) and the length. */
static int split_prefix(const char *s, char *buf, size_t buflen, unsigned int max, bool allow_bare,
                        unsigned int *len, char *err, size_t errlen)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t alen;
	char *end;
	unsigned long l;

	if (s == NULL || (slash == NULL && !allow_bare)) {
		errf(err, errlen, "%s: not a prefix (expected address/length)", s ? s : "(null)");
		return -EINVAL;
	}
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= buflen) {
		errf(err, errlen, "%s: not a prefix", s);
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	*len = max;
	if (slash == NULL)
		return 0;
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 || l > max) {
		errf(err, errlen, "%s: prefix length must be 0..%u", s, max);
		return -EINVAL;
	}
	*len = (unsigned int)l;
	return 0;
}

int prefix4_parse(const char *s, unsigned int flags, struct prefix4 *out, char *err, size_t errlen)
{
	char buf[ADDR4_STRLEN + 1], good[PREFIX4_STRLEN];
	unsigned int len;
	uint32_t a;

	if (split_prefix(s, buf, sizeof(buf), 32, flags & PFX_BARE, &len, err, errlen) < 0)
		return -EINVAL;
	if (addr4_parse(buf, &a, NULL, 0) < 0) {
		errf(err, errlen, "%s: not an IPv4 prefix", s);
		return -EINVAL;
	}
	out->len = (uint8_t)len;
	out->addr = flags & PFX_HOST ? a : a & prefix4_mask(out->len);
	if (out->addr != a) {
		errf(err, errlen, "%s: host bits set (did you mean %s?)", s,
		     prefix4_format(out, good));
		return -EINVAL;
	}
	return 0;
}

static void prefix6_apply(struct addr6 *a, unsigned int len)
{
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;

		a->b[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
	}
}

int prefix6_parse(const char *s, unsigned int flags, struct prefix6 *out, char *err, size_t errlen)
{
	char buf[ADDR6_STRLEN + 1], good[PREFIX6_STRLEN];
	unsigned int len;
	struct addr6 a;

	if (split_prefix(s, buf, sizeof(buf), 128, flags & PFX_BARE, &len, err, errlen) < 0)
		return -EINVAL;
	if (addr6_parse(buf, &a, NULL, 0) < 0) {
		errf(err, errlen, "%s: not an IPv6 prefix", s);
		return -EINVAL;
	}
	out->len = (uint8_t)len;
	out->addr = a;
	if (!(flags & PFX_HOST))
		prefix6_apply(&out->addr, len);
	if (!addr6_equal(&out->addr, &a)) {
		errf(err, errlen, "%s: host bits set (did you mean %s?)", s,
		     prefix6_format(out, good));
		return -EINVAL;
	}
	return 0;
}

char *addr4_format(uint32_t a, char buf[ADDR4_STRLEN])
{
	snprintf(buf, ADDR4_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
	         a & 0xff);
	return buf;
}

char *addr6_format(const struct addr6 *a, char buf[ADDR6_STRLEN])
{
	/* RFC 5952 canonical text form, as inet_ntop produces it. */
	inet_ntop(AF_INET6, a->b, buf, ADDR6_STRLEN);
	return buf;
}

char *prefix4_format(const struct prefix4 *p, char buf[PREFIX4_STRLEN])
{
	char a[ADDR4_STRLEN];

	snprintf(buf, PREFIX4_STRLEN, "%s/%u", addr4_format(p->addr, a), p->len);
	return buf;
}

char *prefix6_format(const struct prefix6 *p, char buf[PREFIX6_STRLEN])
{
	char a[ADDR6_STRLEN];

	snprintf(buf, PREFIX6_STRLEN, "%s/%u", addr6_format(&p->addr, a), p->len);
	return buf;
}

bool prefix4_overlap(const struct prefix4 *a, const struct prefix4 *b)
{
	/* Two prefixes overlap iff the shorter one contains the longer. */
	return a->len <= b->len ? prefix4_contains(a, b->addr) : prefix4_contains(b, a->addr);
}

bool prefix6_overlap(const struct prefix6 *a, const struct prefix6 *b)
{
	return a->len <= b->len ? prefix6_contains(a, &b->addr) : prefix6_contains(b, &a->addr);
}

int addr6_cmp(const struct addr6 *a, const struct addr6 *b)
{
	return memcmp(a->b, b->b, 16);
}

bool addr6_is_zero(const struct addr6 *a)
{
	static const struct addr6 zero;

	return addr6_equal(a, &zero);
}

const struct prefix4 *prefix4_list_match(const struct prefix4 *v, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++)
		if (prefix4_contains(&v[i], a))
			return &v[i];
	return NULL;
}

const struct prefix6 *prefix6_list_match(const struct prefix6 *v, size_t n, const struct addr6 *a)
{
	for (size_t i = 0; i < n; i++)
		if (prefix6_contains(&v[i], a))
			return &v[i];
	return NULL;
}
