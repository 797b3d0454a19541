/* Indexes over the effective configuration; see state_index.h. */
#include "state_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"
#include "cfg_kinds.h"

bool sindex_kind(enum cfg_kind k)
{
	return k == K_TUNNEL || k == K_NAT || k == K_PRR || k == K_NONAT || k == K_SOFTWIRE;
}

uint32_t sindex_hash_b4(const struct addr6 *b4)
{
	return (uint32_t)hash_words16(b4->b, 0x9e3779b97f4a7c15ULL);
}

uint32_t sindex_hash_v4(uint32_t addr)
{
	return (uint32_t)hash_fmix64(0x9e3779b97f4a7c15ULL ^ addr);
}

const struct addr6 *sindex_b4_of(enum cfg_kind k, const void *e)
{
	switch (k) {
	case K_TUNNEL:
		return &((const struct cfg_tunnel *)e)->b4;
	case K_NAT:
		return &((const struct cfg_nat *)e)->b4;
	case K_PRR:
		return &((const struct cfg_prr *)e)->b4;
	case K_NONAT:
		return &((const struct cfg_nonat *)e)->b4;
	default:
		return &((const struct cfg_softwire *)e)->b4;
	}
}

/* A tunnel's is its NAT address (0: none): tunnels are found by B4. */
uint32_t sindex_v4_of(enum cfg_kind k, const void *e)
{
	switch (k) {
	case K_TUNNEL:
		return ((const struct cfg_tunnel *)e)->ipv4;
	case K_NAT:
		return ((const struct cfg_nat *)e)->ext_addr;
	case K_PRR:
		return ((const struct cfg_prr *)e)->addr;
	case K_NONAT:
		return ((const struct cfg_nonat *)e)->prefix.addr;
	default:
		return ((const struct cfg_softwire *)e)->ipv4;
	}
}

static int smap_init(struct smap *m, uint32_t n)
{
	void *mem;

	n = n < 1024 ? 1024 : n;
	mem = big_calloc(1, sidx_mem_size(n));
	if (mem == NULL)
		return -ENOMEM;
	sidx_init(&m->x, n, mem);
	m->cap = n;
	return 0;
}

static void smap_free(struct smap *m)
{
	big_free(m->x.slots);
	memset(m, 0, sizeof(*m));
}

/* Twice the room: every slot re-added (once per doubling). */
static int smap_grow(struct smap *m)
{
	struct smap g;

	if (m->cap > SIDX_MAX / 2 || smap_init(&g, m->cap * 2) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i <= m->x.mask; i++)
		if (m->x.slots[i].val != SIDX_NONE)
			sidx_add(&g.x, m->x.slots[i].hash, m->x.slots[i].val);
	smap_free(m);
	*m = g;
	return 0;
}

static int smap_add(struct smap *m, uint32_t hash, uint32_t val)
{
	if (m->x.n >= m->cap && smap_grow(m) < 0)
		return -ENOMEM;
	return sidx_add(&m->x, hash, val);
}

int sindex_add(struct sindex *x, const struct aftr_config *cfg, enum cfg_kind k, size_t i)
{
	const void *e = kind_at(&kinds[k], cfg, i);

	if (!sindex_kind(k))
		return 0;
	if (i > SINDEX_POS_MAX)
		return -ENOMEM;
	if (smap_add(&x->by_b4, sindex_hash_b4(sindex_b4_of(k, e)), SINDEX_VAL(k, i)) < 0)
		return -ENOMEM;
	if (k != K_TUNNEL &&
	    smap_add(&x->by_v4, sindex_hash_v4(sindex_v4_of(k, e)), SINDEX_VAL(k, i)) < 0) {
		sidx_del(&x->by_b4.x, sindex_hash_b4(sindex_b4_of(k, e)), SINDEX_VAL(k, i));
		return -ENOMEM;
	}
	return 0;
}

void sindex_del(struct sindex *x, const struct aftr_config *cfg, enum cfg_kind k, size_t i)
{
	const void *e = kind_at(&kinds[k], cfg, i);

	if (!sindex_kind(k))
		return;
	sidx_del(&x->by_b4.x, sindex_hash_b4(sindex_b4_of(k, e)), SINDEX_VAL(k, i));
	if (k != K_TUNNEL)
		sidx_del(&x->by_v4.x, sindex_hash_v4(sindex_v4_of(k, e)), SINDEX_VAL(k, i));
}

int sindex_reserve(struct sindex *x, size_t more)
{
	while (x->by_b4.x.n + more > x->by_b4.cap)
		if (smap_grow(&x->by_b4) < 0)
			return -ENOMEM;
	while (x->by_v4.x.n + more > x->by_v4.cap)
		if (smap_grow(&x->by_v4) < 0)
			return -ENOMEM;
	return 0;
}

void sindex_remove(struct sindex *x, struct aftr_config *cfg, enum cfg_kind k, size_t i)
{
	const struct kind *kd = &kinds[k];
	size_t *n = kind_list(kd, cfg).n, last = *n - 1;

	sindex_del(x, cfg, k, i);
	if (i != last) {
		sindex_del(x, cfg, k, last);
		memcpy(kind_at(kd, cfg, i), kind_at(kd, cfg, last), kd->elem);
		(void)sindex_add(x, cfg, k, i); /* two went out: room for one */
	}
	(*n)--;
}

int sindex_build(struct sindex *x, const struct aftr_config *cfg)
{
	size_t n = 0;

	for (int k = 0; k < K_COUNT; k++)
		if (sindex_kind(k))
			n += *kind_list(&kinds[k], cfg).n;
	/* A quarter more: changes after a load do not start with a rehash. */
	n += n / 4;
	memset(x, 0, sizeof(*x));
	if (n > SIDX_MAX / 2 || smap_init(&x->by_b4, (uint32_t)n) < 0 ||
	    smap_init(&x->by_v4, (uint32_t)n) < 0)
		goto fail;
	for (int k = 0; k < K_COUNT; k++)
		for (size_t i = 0; sindex_kind(k) && i < *kind_list(&kinds[k], cfg).n; i++)
			if (sindex_add(x, cfg, k, i) < 0)
				goto fail;
	return 0;
fail:
	sindex_free(x);
	return -ENOMEM;
}

void sindex_free(struct sindex *x)
{
	smap_free(&x->by_b4);
	smap_free(&x->by_v4);
}

long sindex_find(const struct sindex *x, const struct aftr_config *cfg, enum cfg_kind k,
                 const void *probe)
{
	const struct kind *kd = &kinds[k];
	const struct smap *m = k == K_TUNNEL ? &x->by_b4 : &x->by_v4;
	uint32_t h, v;

	if (!sindex_kind(k))
		return kind_find(kd, cfg, probe, 0);
	h = k == K_TUNNEL ? sindex_hash_b4(sindex_b4_of(k, probe))
	                  : sindex_hash_v4(sindex_v4_of(k, probe));
	for (uint32_t pos = h; (v = sidx_next(&m->x, h, &pos)) != SIDX_NONE;)
		if (SINDEX_KIND(v) == k && kd->eq(kind_at(kd, cfg, SINDEX_POS(v)), probe))
			return (long)SINDEX_POS(v);
	return -1;
}
