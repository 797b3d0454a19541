/* The software B4's DHCPv6 messages; see dhcp6.h. */
#include "dhcp6.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Appends option code with len bytes of data at buf + *at: false when it does not fit. */
static bool put_opt(uint8_t *buf, size_t cap, size_t *at, unsigned int code, const void *data,
                    size_t len)
{
	if (*at + 4 + len > cap)
		return false;
	put16(buf + *at, code);
	put16(buf + *at + 2, (unsigned int)len);
	memcpy(buf + *at + 4, data, len);
	*at += 4 + len;
	return true;
}

int dhcp6_info_request(uint8_t *buf, size_t len, uint32_t xid, const uint8_t *duid, size_t duid_len,
                       unsigned int elapsed_cs)
{
	static const unsigned int oro[] = {DHCP6_OPT_DNS_SERVERS, DHCP6_OPT_AFTR_NAME,
	                                   DHCP6_OPT_S46_CONT_LW, DHCP6_OPT_IRT,
	                                   DHCP6_OPT_INF_MAX_RT};
	uint8_t o[2 * 5], el[2];
	size_t at = 4;

	if (len < 4)
		return -ENOSPC;
	buf[0] = DHCP6_INFORMATION_REQUEST;
	buf[1] = (uint8_t)(xid >> 16);
	buf[2] = (uint8_t)(xid >> 8);
	buf[3] = (uint8_t)xid;
	for (size_t i = 0; i < 5; i++)
		put16(o + 2 * i, oro[i]);
	put16(el, elapsed_cs > 0xffff ? 0xffff : elapsed_cs);
	if (!put_opt(buf, len, &at, DHCP6_OPT_CLIENTID, duid, duid_len) ||
	    !put_opt(buf, len, &at, DHCP6_OPT_ELAPSED_TIME, el, sizeof(el)) ||
	    !put_opt(buf, len, &at, DHCP6_OPT_ORO, o, sizeof(o)))
		return -ENOSPC;
	return (int)at;
}

size_t dhcp6_duid_ll(uint8_t duid[10], const uint8_t mac[6])
{
	put16(duid, 3);     /* DUID-LL */
	put16(duid + 2, 1); /* hardware type: Ethernet (RFC 826) */
	memcpy(duid + 4, mac, 6);
	return 10;
}

/* An FQDN in DNS wire format (RFC 1035 3.1, no compression, RFC 8415 section 10) as dotted
 * text: 0, or -EBADMSG. */
static int fqdn_text(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t at = 0, o = 0;

	while (at < len && p[at] != 0) {
		size_t l = p[at++];

		if (l > 63 || at + l > len || o + l + 2 > cap)
			return -EBADMSG;
		for (size_t i = 0; i < l; i++) {
			uint8_t c = p[at + i];

			/* A host name's letters, digits, hyphens (RFC 1123 2.1), and
			 * underscores some zones have: nothing a resolver would reject. */
			if (!(c == '-' || c == '_' || (c >= '0' && c <= '9') ||
			      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
				return -EBADMSG;
			out[o++] = (char)c;
		}
		out[o++] = '.';
		at += l;
	}
	/* Ends with the root label, and nothing after it; not the root alone. */
	if (at + 1 != len || o == 0)
		return -EBADMSG;
	out[o - 1] = '\0';
	return 0;
}

/* Sub-options of OPTION_S46_V4V6BIND (RFC 7598 4.4): the IPv4 address, the bound prefix,
 * then options of which S46_PORTPARAMS (4.5). */
static int v4v6bind(const uint8_t *p, size_t len, struct dhcp6_lw4o6 *lw)
{
	size_t plen, at;

	if (len < 5 || p[4] > 128)
		return -EBADMSG;
	memcpy(&lw->ipv4, p, 4);
	lw->bindprefix6_len = p[4];
	plen = (p[4] + 7u) / 8u;
	if (5 + plen > len)
		return -EBADMSG;
	memset(&lw->bindprefix6, 0, sizeof(lw->bindprefix6));
	memcpy(&lw->bindprefix6, p + 5, plen);
	for (at = 5 + plen; at + 4 <= len;) {
		unsigned int code = get16(p + at), l = get16(p + at + 2);

		if (at + 4 + l > len)
			return -EBADMSG;
		if (code == DHCP6_OPT_S46_PORTPARAMS) {
			/* offset, PSID length, then the PSID left-aligned in 16 bits. */
			if (l != 4 || p[at + 4] > 15 || p[at + 5] > 16 ||
			    p[at + 4] + p[at + 5] > 16)
				return -EBADMSG;
			lw->offset = p[at + 4];
			lw->psid_len = p[at + 5];
			lw->psid =
			        (uint16_t)(lw->psid_len ? get16(p + at + 6) >> (16 - lw->psid_len)
			                                : 0);
			if (lw->psid_len && (get16(p + at + 6) & ((1u << (16 - lw->psid_len)) - 1)))
				return -EBADMSG; /* padding that is not zero */
		}
		at += 4 + l;
	}
	return at == len ? 0 : -EBADMSG;
}

/* OPTION_S46_CONT_LW (RFC 7598 4.5, 5): a BR and one binding. */
static int cont_lw(const uint8_t *p, size_t len, struct dhcp6_lw4o6 *lw)
{
	bool br = false, bind = false;
	size_t at;

	for (at = 0; at + 4 <= len;) {
		unsigned int code = get16(p + at), l = get16(p + at + 2);

		if (at + 4 + l > len)
			return -EBADMSG;
		if (code == DHCP6_OPT_S46_BR && l == 16 && !br) {
			memcpy(&lw->br, p + at + 4, 16);
			br = true;
		} else if (code == DHCP6_OPT_S46_V4V6BIND && !bind) {
			if (v4v6bind(p + at + 4, l, lw) < 0)
				return -EBADMSG;
			bind = true;
		} else if (code == DHCP6_OPT_S46_BR || code == DHCP6_OPT_S46_V4V6BIND) {
			return -EBADMSG;
		}
		at += 4 + l;
	}
	/* Both are required (RFC 7598 section 5.3). */
	if (at != len || !br || !bind)
		return -EBADMSG;
	lw->present = true;
	return 0;
}

/* One option of a Reply into out: 0, or -EBADMSG. */
static int reply_option(unsigned int code, const uint8_t *p, size_t l, struct dhcp6_info *out)
{
	switch (code) {
	case DHCP6_OPT_AFTR_NAME:
		return fqdn_text(p, l, out->aftr_name, sizeof(out->aftr_name));
	case DHCP6_OPT_DNS_SERVERS:
		if (l % 16)
			return -EBADMSG;
		for (size_t i = 0; i < l / 16 && out->n_dns < DHCP6_DNS_MAX; i++)
			memcpy(&out->dns[out->n_dns++], p + 16 * i, 16);
		return 0;
	case DHCP6_OPT_IRT:
		if (l != 4)
			return -EBADMSG;
		out->refresh = get32(p) < DHCP6_IRT_MINIMUM ? DHCP6_IRT_MINIMUM : get32(p);
		return 0;
	case DHCP6_OPT_INF_MAX_RT:
		if (l != 4)
			return -EBADMSG;
		/* Section 21.25: a value outside 60-86400 is ignored. */
		if (get32(p) >= 60 && get32(p) <= 86400)
			out->inf_max_rt = get32(p);
		return 0;
	case DHCP6_OPT_S46_CONT_LW:
		return cont_lw(p, l, &out->lw);
	case DHCP6_OPT_STATUS_CODE:
		if (l < 2)
			return -EBADMSG;
		out->status = (uint16_t)get16(p);
		return 0;
	default:
		return 0; /* not ours to read */
	}
}

int dhcp6_parse_reply(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t *duid,
                      size_t duid_len, struct dhcp6_info *out)
{
	bool server = false, client = false;
	size_t at;

	if (len < 4 || buf[0] != DHCP6_REPLY ||
	    ((uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3]) != (xid & 0xffffff))
		return -ENOMSG;
	memset(out, 0, sizeof(*out));
	out->refresh = DHCP6_IRT_DEFAULT;
	for (at = 4; at + 4 <= len;) {
		unsigned int code = get16(buf + at), l = get16(buf + at + 2);

		if (at + 4 + l > len)
			return -EBADMSG;
		if (code == DHCP6_OPT_CLIENTID)
			client = l == duid_len && memcmp(buf + at + 4, duid, duid_len) == 0;
		else if (code == DHCP6_OPT_SERVERID)
			server = l > 0;
		else if (reply_option(code, buf + at + 4, l, out) < 0)
			return -EBADMSG;
		at += 4 + l;
	}
	if (at != len)
		return -EBADMSG;
	/* RFC 8415 section 16.10: a Server Identifier, and our Client Identifier back. */
	return server && client ? 0 : -ENOMSG;
}

unsigned int dhcp6_next_rt_ms(unsigned int prev_ms, int rand_milli, unsigned int max_rt_s)
{
	long long base = prev_ms ? 2LL * prev_ms : DHCP6_INF_TIMEOUT * 1000LL;
	long long rt = base + (prev_ms ? (long long)prev_ms : base) * rand_milli / 1000;
	long long mrt = max_rt_s ? max_rt_s : DHCP6_INF_MAX_RT;

	/* Past the maximum: MRT with its own randomness (section 15). */
	if (rt > mrt * 1000LL)
		rt = mrt * 1000LL + mrt * (long long)rand_milli;
	return (unsigned int)(rt < 1 ? 1 : rt);
}
