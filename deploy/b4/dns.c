/* The AFTR's AAAA lookup; see dns.h. */
#include "dns.h"

#include <errno.h>
#include <string.h>

#define T_AAAA   28
#define C_IN     1
#define HDR      12
#define FLAG_QR  0x8000
#define FLAG_TC  0x0200
#define FLAG_RD  0x0100
#define RCODE(f) ((f)&0x000f)
#define NXDOMAIN 3

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

int dns_aaaa_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
	size_t at = HDR, n = strlen(name);

	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || cap < HDR + n + 2 + 4)
		return -EINVAL;
	memset(buf, 0, HDR);
	put16(buf, id);
	put16(buf + 2, FLAG_RD);
	put16(buf + 4, 1); /* one question */
	for (size_t i = 0; i < n;) {
		size_t l = strcspn(name + i, ".");

		if (l == 0 || l > 63 || i + l > n)
			return -EINVAL;
		buf[at++] = (uint8_t)l;
		memcpy(buf + at, name + i, l);
		at += l;
		i += l + 1;
	}
	buf[at++] = 0;
	put16(buf + at, T_AAAA);
	put16(buf + at + 2, C_IN);
	return (int)(at + 4);
}

/* Past the (maybe compressed, RFC 1035 4.1.4) name at *at: 0, or -EBADMSG. */
static int skip_name(const uint8_t *buf, size_t len, size_t *at)
{
	while (*at < len) {
		uint8_t l = buf[*at];

		if (l == 0) {
			(*at)++;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) { /* a pointer ends the name */
			if (*at + 2 > len)
				return -EBADMSG;
			*at += 2;
			return 0;
		}
		if (l & 0xc0)
			return -EBADMSG;
		*at += 1u + l;
	}
	return -EBADMSG;
}

int dns_aaaa_parse(const uint8_t *buf, size_t len, uint16_t id, struct in6_addr *out, size_t max,
                   uint32_t *ttl)
{
	unsigned int flags, qd, an, n = 0;
	size_t at = HDR;

	if (len < HDR || get16(buf) != id || !(get16(buf + 2) & FLAG_QR))
		return -ENOMSG;
	flags = get16(buf + 2);
	if (flags & FLAG_TC)
		return -EMSGSIZE;
	if (RCODE(flags) == NXDOMAIN)
		return -ENOENT;
	if (RCODE(flags) != 0)
		return -EAGAIN;
	qd = get16(buf + 4);
	an = get16(buf + 6);
	*ttl = UINT32_MAX;
	for (unsigned int i = 0; i < qd; i++)
		if (skip_name(buf, len, &at) < 0 || (at += 4) > len)
			return -EBADMSG;
	for (unsigned int i = 0; i < an; i++) {
		unsigned int type, class, rdlen;
		uint32_t t;

		if (skip_name(buf, len, &at) < 0 || at + 10 > len)
			return -EBADMSG;
		type = get16(buf + at);
		class = get16(buf + at + 2);
		t = (uint32_t)get16(buf + at + 4) << 16 | get16(buf + at + 6);
		rdlen = get16(buf + at + 8);
		at += 10;
		if (at + rdlen > len)
			return -EBADMSG;
		if (type == T_AAAA && class == C_IN) {
			if (rdlen != 16)
				return -EBADMSG;
			if (n < max)
				memcpy(&out[n++], buf + at, 16);
			if (t < *ttl)
				*ttl = t;
		}
		at += rdlen;
	}
	return (int)n;
}
