/* Validating a change by its neighbourhood; see state_delta.h. */
#include "state_delta.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_kinds.h"
#include "util.h"

/* A nonat prefix up to this many addresses has its addresses looked up
 * one by one (a /20); a wider one is validated whole. */
#define NONAT_SPAN_MAX 4096

/* The indexed kinds as the sub-configuration's lists, with the list names
 * errors use ("softwires[3]"). */
static const enum cfg_kind listed[] = {K_TUNNEL, K_NAT, K_PRR, K_NONAT, K_SOFTWIRE};
#define NLISTED (sizeof(listed) / sizeof(listed[0]))
static const char *const list_names[] = {"tunnels", "static_nat", "prr", "nonat", "softwires"};

struct hood {
	uint32_t *v; /* SINDEX_VAL of the existing entries gathered */
	size_t n, cap;
	bool oom;
};

static void take(struct hood *h, uint32_t v)
{
	uint32_t *slot = VEC_PUSH(h->v, h->n, h->cap);

	if (slot == NULL)
		h->oom = true;
	else
		*slot = v;
}

/* Every entry indexed by b4. */
static void near_b4(struct hood *h, const struct aftr_config *cfg, const struct sindex *x,
                    const struct addr6 *b4)
{
	uint32_t hash = sindex_hash_b4(b4), v;

	for (uint32_t pos = hash; (v = sidx_next(&x->by_b4.x, hash, &pos)) != SIDX_NONE;) {
		enum cfg_kind k = SINDEX_KIND(v);

		if (addr6_equal(sindex_b4_of(k, kind_at(&kinds[k], cfg, SINDEX_POS(v))), b4))
			take(h, v);
	}
}

/* Every entry indexed by addr; only nonats of length len when len <= 32. */
static void near_v4(struct hood *h, const struct aftr_config *cfg, const struct sindex *x,
                    uint32_t addr, int len)
{
	uint32_t hash = sindex_hash_v4(addr), v;

	for (uint32_t pos = hash; (v = sidx_next(&x->by_v4.x, hash, &pos)) != SIDX_NONE;) {
		enum cfg_kind k = SINDEX_KIND(v);
		const void *e = kind_at(&kinds[k], cfg, SINDEX_POS(v));

		if (sindex_v4_of(k, e) != addr)
			continue;
		if (len <= 32 && (k != K_NONAT || ((const struct cfg_nonat *)e)->prefix.len != len))
			continue;
		take(h, v);
	}
}

/* The entries one new entry could clash with; false when too many. */
static bool gather(struct hood *h, const struct aftr_config *cfg, const struct sindex *x,
                   enum cfg_kind k, const void *e)
{
	uint32_t a;

	near_b4(h, cfg, x, sindex_b4_of(k, e));
	if (k == K_TUNNEL)
		return true; /* its NAT address is checked against the pools */
	a = sindex_v4_of(k, e);
	/* The nonats holding its (first) address: one lookup a length. */
	for (int len = 0; cfg->lists.n_nonats && len <= 32; len++)
		near_v4(h, cfg, x, a & prefix4_mask((uint8_t)len), len);
	if (k != K_NONAT) {
		near_v4(h, cfg, x, a, 33);
		return true;
	}
	/* A nonat prefix: every entry with an address inside it. */
	const struct prefix4 *p = &((const struct cfg_nonat *)e)->prefix;
	uint64_t span = (uint64_t)1 << (32 - p->len);

	if (span > NONAT_SPAN_MAX)
		return false;
	for (uint64_t i = 0; i < span; i++)
		near_v4(h, cfg, x, p->addr + (uint32_t)i, 33);
	return true;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The sub-configuration: cfg's fixed part and short lists (shared, not
 * copied), the gathered entries in cfg's order and the new ones; pos[l][i]
 * is where its entry i of listed[l] is in the changed cfg. */
struct sub {
	struct aftr_config c;
	size_t *pos[NLISTED];
};

static void sub_free(struct sub *s)
{
	for (size_t l = 0; l < NLISTED; l++) {
		free(*kind_list(&kinds[listed[l]], &s->c).v);
		free(s->pos[l]);
	}
}

/* List l of the sub-configuration from the sorted values v[0..n) of its
 * kind, with the change (add, n_add, at) when it is of that kind. */
static int sub_list(struct sub *s, const struct aftr_config *cfg, size_t l, const uint32_t *v,
                    size_t n, const void *add, size_t n_add, long at)
{
	const struct kind *kd = &kinds[listed[l]];
	struct kind_list dst = kind_list(kd, &s->c);
	size_t extra = add && at < 0 ? n_add : 0, total = n + extra, base = *kind_list(kd, cfg).n;

	*dst.v = calloc(total + 1, kd->elem);
	s->pos[l] = calloc(total + 1, sizeof(size_t));
	if (*dst.v == NULL || s->pos[l] == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t p = SINDEX_POS(v[i]);
		const void *from = add && (long)p == at ? add : kind_at(kd, cfg, p);

		memcpy((char *)*dst.v + i * kd->elem, from, kd->elem);
		s->pos[l][i] = p;
	}
	for (size_t j = 0; j < extra; j++) {
		memcpy((char *)*dst.v + (n + j) * kd->elem, (const char *)add + j * kd->elem,
		       kd->elem);
		s->pos[l][n + j] = base + j;
	}
	*dst.n = *dst.cap = total;
	return 0;
}

/* Rewrites each "LIST[i]" of s (a list of listed) to the position in the
 * whole configuration; a new string, or NULL. */
static char *remap(const struct sub *s, const char *str)
{
	size_t cap = strlen(str) + 64, n = 0;
	char *out = malloc(cap);

	for (const char *p = str; out && *p;) {
		size_t l = NLISTED, len = 0;
		char *end;
		unsigned long i;

		if (p == str || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			for (l = 0; l < NLISTED; l++) {
				len = strlen(list_names[l]);
				if (strncmp(p, list_names[l], len) == 0 && p[len] == '[')
					break;
			}
		if (l < NLISTED && isdigit((unsigned char)p[len + 1]) &&
		    (i = strtoul(p + len + 1, &end, 10)) < *kind_list(&kinds[listed[l]], &s->c).n &&
		    *end == ']') {
			n += (size_t)snprintf(out + n, cap - n, "%s[%zu]", list_names[l],
			                      s->pos[l][i]);
			p = end + 1;
		} else {
			out[n++] = *p++;
		}
		if (cap - n < 40) {
			char *bigger = realloc(out, cap *= 2);

			if (bigger == NULL)
				free(out);
			out = bigger;
		}
	}
	if (out)
		out[n] = '\0';
	return out;
}

/* Validates s into d, with positions mapped back. */
static long sub_validate(const struct sub *s, struct diag *d)
{
	size_t before = d->n, errors = d->errors;

	cfg_validate(&s->c, d);
	for (size_t i = before; i < d->n; i++) {
		char *path = remap(s, d->v[i].path), *msg = remap(s, d->v[i].msg);

		if (path == NULL || msg == NULL) {
			free(path);
			free(msg);
			return -ENOMEM;
		}
		free(d->v[i].path);
		free(d->v[i].msg);
		d->v[i].path = path;
		d->v[i].msg = msg;
	}
	return (long)(d->errors - errors);
}

/* The gathered values, sorted by kind and position, made into s. */
static int sub_build(struct sub *s, const struct aftr_config *cfg, struct hood *h, enum cfg_kind k,
                     const void *add, size_t n_add, long at)
{
	size_t first;

	if (h->n)
		qsort(h->v, h->n, sizeof(*h->v), u32_cmp);
	s->c.fixed = cfg->fixed;
	s->c.lists = cfg->lists; /* acl6, private and filters shared */
	for (size_t l = 0; l < NLISTED; l++)
		*kind_list(&kinds[listed[l]], &s->c).v = NULL; /* ours, made below */
	for (size_t l = 0, i = 0; l < NLISTED; l++) {
		size_t n = 0;

		for (first = i; i < h->n && SINDEX_KIND(h->v[i]) == listed[l]; i++)
			if (i == first || h->v[i] != h->v[i - 1])
				h->v[first + n++] = h->v[i];
		if (sub_list(s, cfg, l, n ? h->v + first : NULL, n, k == listed[l] ? add : NULL,
		             k == listed[l] ? n_add : 0, at) < 0)
			return -ENOMEM;
	}
	return 0;
}

long state_check_delta(const struct aftr_config *cfg, const struct sindex *x, enum cfg_kind k,
                       const void *add, size_t n_add, long at, struct diag *d)
{
	struct hood h = {0};
	struct sub s = {0};
	long rc = -1;

	if (!sindex_kind(k))
		return -1;
	for (size_t i = 0; i < n_add; i++)
		if (!gather(&h, cfg, x, k, (const char *)add + i * kinds[k].elem))
			goto out;
	if (at >= 0)
		take(&h, SINDEX_VAL(k, at)); /* in its place, however it changed */
	/* "At least one pool" holds with any softwire: keep one. */
	if (cfg->fixed.n_pools == 0 && cfg->lists.n_softwires)
		take(&h, SINDEX_VAL(K_SOFTWIRE, 0));
	rc = -ENOMEM;
	if (!h.oom && sub_build(&s, cfg, &h, k, add, n_add, at) == 0)
		rc = sub_validate(&s, d);
	sub_free(&s);
out:
	free(h.v);
	return rc;
}
