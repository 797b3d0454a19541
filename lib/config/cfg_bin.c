/* The run-time lists in binary; see cfg_bin.h. */
#include "cfg_bin.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_kinds.h"
#include "util.h"

#define MAGIC    "AFTRLST3"
#define MAGIC_V2 "AFTRLST2" /* tunnels without their NAT limits: read only */
#define MAGIC_V1 "AFTRLST1" /* the same, FNV-1a a byte at a time: read only */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static uint8_t *room(struct wbuf *w, size_t n)
{
	if (w->oom)
		return NULL;
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1 << 16;
		uint8_t *p;

		while (cap < w->n + n)
			cap *= 2;
		if ((p = realloc(w->p, cap)) == NULL) {
			w->oom = true;
			return NULL;
		}
		w->p = p;
		w->cap = cap;
	}
	w->n += n;
	return w->p + w->n - n;
}

static void put(struct wbuf *w, const void *v, size_t n)
{
	uint8_t *p = room(w, n);

	if (p)
		memcpy(p, v, n);
}

static void put_le(struct wbuf *w, uint64_t v, size_t n)
{
	uint8_t *p = room(w, n);

	for (size_t i = 0; p && i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define U8(w, v)  put_le(w, (uint8_t)(v), 1)
#define U16(w, v) put_le(w, (uint16_t)(v), 2)
#define U32(w, v) put_le(w, (uint32_t)(v), 4)

static void enc_entry(struct wbuf *w, enum cfg_kind k, const void *e)
{
	switch (k) {
	case K_TUNNEL: {
		const struct cfg_tunnel *t = e;

		put(w, t->b4.b, 16);
		U8(w, t->has_ipv4);
		U32(w, t->ipv4);
		U16(w, t->mtu);
		U8(w, t->mss);
		U8(w, t->toobig);
		U8(w, t->admpro);
		U8(w, t->nat_set);
		U8(w, t->duid_len);
		put(w, t->duid, t->duid_len);
		for (int p = 0; p < CFG_NPROTO; p++) {
			U16(w, t->nat_maxcount[p]);
			U8(w, t->nat_rate[p]);
		}
		break;
	}
	case K_NAT: {
		const struct cfg_nat *m = e;

		put(w, m->b4.b, 16);
		U8(w, m->proto);
		U32(w, m->addr);
		U16(w, m->port);
		U32(w, m->ext_addr);
		U16(w, m->ext_port);
		U8(w, m->has_filter);
		U32(w, m->filter_dst.addr);
		U8(w, m->filter_dst.len);
		U16(w, m->filter_port);
		break;
	}
	case K_PRR: {
		const struct cfg_prr *r = e;

		put(w, r->b4.b, 16);
		U8(w, r->proto);
		U32(w, r->addr);
		U16(w, r->port);
		break;
	}
	case K_NONAT: {
		const struct cfg_nonat *n = e;

		put(w, n->b4.b, 16);
		U32(w, n->prefix.addr);
		U8(w, n->prefix.len);
		break;
	}
	case K_SOFTWIRE: {
		const struct cfg_softwire *s = e;

		put(w, s->b4.b, 16);
		U32(w, s->ipv4);
		U8(w, s->psid.offset);
		U8(w, s->psid.psid_len);
		U16(w, s->psid.psid);
		put(w, s->endpoint.b, 16);
		break;
	}
	case K_ACL6: {
		const struct cfg_prefix6 *p = e;

		put(w, p->p.addr.b, 16);
		U8(w, p->p.len);
		break;
	}
	default: {
		const struct cfg_prefix4 *p = e;

		U32(w, p->p.addr);
		U8(w, p->p.len);
	}
	}
}

/* Version 1's sum: FNV-1a, a byte at a time (100 ms for a million
 * softwires, where hash_mem64 takes a tenth of that). */
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

int cfg_bin_encode(const struct aftr_config *cfg, char **buf, size_t *len)
{
	struct wbuf w = {0};

	put(&w, MAGIC, 8);
	for (int k = 0; k < K_COUNT; k++) {
		size_t n = *kind_list(&kinds[k], cfg).n;

		U32(&w, k);
		put_le(&w, n, 8);
		for (size_t i = 0; i < n; i++)
			enc_entry(&w, k, kind_at(&kinds[k], cfg, i));
	}
	if (!w.oom)
		put_le(&w, hash_mem64(w.p, w.n, 0), 8);
	if (w.oom) {
		free(w.p);
		return -ENOMEM;
	}
	*buf = (char *)w.p;
	*len = w.n;
	return 0;
}

struct rbuf {
	const uint8_t *p;
	size_t n, at;
	bool short_;
	int version; /* of the magic: 1, 2, 3 */
};

static const uint8_t *take(struct rbuf *r, size_t n)
{
	if (r->short_ || r->n - r->at < n) {
		r->short_ = true;
		return NULL;
	}
	r->at += n;
	return r->p + r->at - n;
}

static uint64_t get_le(struct rbuf *r, size_t n)
{
	const uint8_t *p = take(r, n);
	uint64_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void get(struct rbuf *r, void *out, size_t n)
{
	const uint8_t *p = take(r, n);

	if (p)
		memcpy(out, p, n);
}

static bool prefix4_ok(const struct prefix4 *p)
{
	return p->len <= 32 && (p->addr & ~prefix4_mask(p->len)) == 0;
}

static bool prefix6_ok(const struct prefix6 *p)
{
	if (p->len > 128)
		return false;
	for (unsigned int i = p->len; i < 128; i++)
		if (p->addr.b[i / 8] & (0x80 >> (i % 8)))
			return false; /* a host bit */
	return true;
}

static bool tunnel_ok(struct rbuf *r, struct cfg_tunnel *t)
{
	get(r, t->b4.b, 16);
	t->has_ipv4 = get_le(r, 1);
	t->ipv4 = (uint32_t)get_le(r, 4);
	t->mtu = (uint16_t)get_le(r, 2);
	t->mss = (int8_t)get_le(r, 1);
	t->toobig = (int8_t)get_le(r, 1);
	t->admpro = (int8_t)get_le(r, 1);
	if (r->version >= 3) {
		t->nat_set = (uint8_t)get_le(r, 1);
		t->duid_len = (uint8_t)get_le(r, 1);
		if (t->duid_len > CFG_DUID_MAX || (t->duid_len && t->duid_len < 3))
			return false;
		get(r, t->duid, t->duid_len);
		for (int p = 0; p < CFG_NPROTO; p++) {
			t->nat_maxcount[p] = (uint16_t)get_le(r, 2);
			t->nat_rate[p] = (uint8_t)get_le(r, 1);
		}
	}
	return t->nat_set < 1u << (2 * CFG_NPROTO) && (t->mtu == 0 || t->mtu >= CFG_MTU_MIN) &&
	       t->mss >= CFG_INHERIT && t->mss <= 1 && t->toobig >= CFG_INHERIT &&
	       t->toobig <= TOOBIG_STRICT && t->admpro >= CFG_INHERIT && t->admpro <= ADMPRO_ALL &&
	       (t->has_ipv4 || t->ipv4 == 0);
}

static bool nat_ok(struct rbuf *r, struct cfg_nat *m)
{
	get(r, m->b4.b, 16);
	m->proto = (uint8_t)get_le(r, 1);
	m->addr = (uint32_t)get_le(r, 4);
	m->port = (uint16_t)get_le(r, 2);
	m->ext_addr = (uint32_t)get_le(r, 4);
	m->ext_port = (uint16_t)get_le(r, 2);
	m->has_filter = get_le(r, 1);
	m->filter_dst.addr = (uint32_t)get_le(r, 4);
	m->filter_dst.len = (uint8_t)get_le(r, 1);
	m->filter_port = (uint16_t)get_le(r, 2);
	return (m->proto == CFG_TCP || m->proto == CFG_UDP) && m->port && m->ext_port &&
	       prefix4_ok(&m->filter_dst);
}

static bool prr_ok(struct rbuf *r, struct cfg_prr *p)
{
	get(r, p->b4.b, 16);
	p->proto = (uint8_t)get_le(r, 1);
	p->addr = (uint32_t)get_le(r, 4);
	p->port = (uint16_t)get_le(r, 2);
	return p->proto < CFG_NPROTO && (p->port || p->proto == CFG_ICMP);
}

static bool softwire_ok(struct rbuf *r, struct cfg_softwire *s)
{
	get(r, s->b4.b, 16);
	s->ipv4 = (uint32_t)get_le(r, 4);
	s->psid.offset = (uint8_t)get_le(r, 1);
	s->psid.psid_len = (uint8_t)get_le(r, 1);
	s->psid.psid = (uint16_t)get_le(r, 2);
	get(r, s->endpoint.b, 16);
	return psid_params_validate(&s->psid, NULL, 0) == 0;
}

/* One entry of kind k into e (zeroed): whether its fields are in range. */
static bool dec_entry(struct rbuf *r, enum cfg_kind k, void *e)
{
	switch (k) {
	case K_TUNNEL:
		return tunnel_ok(r, e);
	case K_NAT:
		return nat_ok(r, e);
	case K_PRR:
		return prr_ok(r, e);
	case K_NONAT: {
		struct cfg_nonat *n = e;

		get(r, n->b4.b, 16);
		n->prefix.addr = (uint32_t)get_le(r, 4);
		n->prefix.len = (uint8_t)get_le(r, 1);
		return prefix4_ok(&n->prefix);
	}
	case K_SOFTWIRE:
		return softwire_ok(r, e);
	case K_ACL6: {
		struct cfg_prefix6 *p = e;

		get(r, p->p.addr.b, 16);
		p->p.len = (uint8_t)get_le(r, 1);
		return prefix6_ok(&p->p);
	}
	default: {
		struct cfg_prefix4 *p = e;

		p->p.addr = (uint32_t)get_le(r, 4);
		p->p.len = (uint8_t)get_le(r, 1);
		return prefix4_ok(&p->p);
	}
	}
}

/* The entries of kind k appended to cfg: 0 or -errno with err. */
static int dec_kind(struct rbuf *r, enum cfg_kind k, struct aftr_config *cfg, char *err,
                    size_t errlen)
{
	const struct kind *kd = &kinds[k];
	struct kind_list l = kind_list(kd, cfg);
	uint64_t n = get_le(r, 8);

	/* Each entry is at least 5 bytes: a count past that is damage. */
	if (r->short_ || n > (r->n - r->at) / 5) {
		errf(err, errlen, "%s: a count past the end", kd->key);
		return -EINVAL;
	}
	if (vec_reserve(l.v, l.cap, *l.n + n, kd->elem) <
	    0) /* one allocation, not a doubling each */
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		void *e = vec_push(l.v, l.n, l.cap, kd->elem);

		if (e == NULL)
			return -ENOMEM;
		if (!dec_entry(r, k, e) || r->short_) {
			errf(err, errlen, "%s[%llu]: %s", kd->key, (unsigned long long)i,
			     r->short_ ? "cut short" : "a field out of range");
			return -EINVAL;
		}
	}
	return 0;
}

/* The sum of len bytes at buf (its last 8 bytes hold it) is right. */
static bool sum_ok(const uint8_t *buf, size_t len)
{
	struct rbuf sum = {buf, len, len - 8, false, 0};
	uint64_t want = get_le(&sum, 8);

	if (memcmp(buf, MAGIC, 8) == 0 || memcmp(buf, MAGIC_V2, 8) == 0)
		return hash_mem64(buf, len - 8, 0) == want;
	return memcmp(buf, MAGIC_V1, 8) == 0 && fnv(buf, len - 8) == want;
}

int cfg_bin_decode(const void *buf, size_t len, struct aftr_config *cfg, char *err, size_t errlen)
{
	struct rbuf r = {buf, len, 0, false, 3};
	size_t n0[K_COUNT];
	int rc = 0;

	for (int k = 0; k < K_COUNT; k++)
		n0[k] = *kind_list(&kinds[k], cfg).n;

	if (len < 16 || !sum_ok(buf, len)) {
		errf(err, errlen, "not the lists of this AFTR (or damaged: the check sum differs)");
		return -EINVAL;
	}
	r.n = len - 8; /* the sum's bytes are not the lists' */
	if (memcmp(buf, MAGIC, 8) != 0)
		r.version = memcmp(buf, MAGIC_V2, 8) == 0 ? 2 : 1;
	r.at = 8;
	for (int k = 0; k < K_COUNT && rc == 0; k++) {
		if (get_le(&r, 4) != (uint64_t)k) {
			errf(err, errlen, "the lists are not in order");
			rc = -EINVAL;
		} else {
			rc = dec_kind(&r, k, cfg, err, errlen);
		}
	}
	if (rc == 0 && r.at != r.n) {
		errf(err, errlen, "bytes after the lists");
		rc = -EINVAL;
	}
	if (rc == -ENOMEM)
		errf(err, errlen, "out of memory");
	for (int k = 0; rc < 0 && k < K_COUNT; k++)
		*kind_list(&kinds[k], cfg).n = n0[k];
	return rc;
}
