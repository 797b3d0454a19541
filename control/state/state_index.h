/* Indexes over the effective configuration (state.h) that make a change
 * cost what it touches, not what the configuration holds: every entry of
 * the B4-keyed kinds (tunnels, static NAT, prr, nonat, softwires) is found
 * by its B4 and by its IPv4 address (a softwire's, a static mapping's
 * public one, a prr entry's, a nonat prefix's first), so that
 *
 * - an entry's identity (the API's URL) is found in O(1), and
 * - a change is validated against its neighbourhood only: the entries it
 *   could clash with (state_delta.c), not the million others.
 *
 * Each index is a multimap of hash -> (kind, position) over sidx.h,
 * grown by doubling; the caller compares keys. acl6 and private are
 * small and not indexed. */
#ifndef AFTR_STATE_INDEX_H
#define AFTR_STATE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sidx.h"
#include "state.h"

/* A value: the kind in the top 3 bits, the position below. */
#define SINDEX_POS_BITS  29
#define SINDEX_POS_MAX   ((1u << SINDEX_POS_BITS) - 1)
#define SINDEX_VAL(k, i) ((uint32_t)(k) << SINDEX_POS_BITS | (uint32_t)(i))
#define SINDEX_KIND(v)   ((enum cfg_kind)((v) >> SINDEX_POS_BITS))
#define SINDEX_POS(v)    ((v)&SINDEX_POS_MAX)

struct smap {
	struct sidx x;
	uint32_t cap; /* entries it is sized for */
};

struct sindex {
	struct smap by_b4, by_v4;
};

/* Whether kind k is indexed (it has a B4). */
bool sindex_kind(enum cfg_kind k);

/* Indexes every entry of cfg: 0 or -ENOMEM (x is then empty). */
int sindex_build(struct sindex *x, const struct aftr_config *cfg);
void sindex_free(struct sindex *x);

/* Entry i of kind k (as cfg holds it now) in or out of the indexes.
 * sindex_add may grow them: 0 or -ENOMEM (not added). */
int sindex_add(struct sindex *x, const struct aftr_config *cfg, enum cfg_kind k, size_t i);
void sindex_del(struct sindex *x, const struct aftr_config *cfg, enum cfg_kind k, size_t i);

/* Room for more entries without growing (sindex_add then cannot fail):
 * 0 or -ENOMEM. */
int sindex_reserve(struct sindex *x, size_t more);
/* Removes entry i of kind k from cfg's list, the last one taking its
 * place (the others keep their order), the indexes following. */
void sindex_remove(struct sindex *x, struct aftr_config *cfg, enum cfg_kind k, size_t i);

/* The hashes of the two keys. */
uint32_t sindex_hash_b4(const struct addr6 *b4);
uint32_t sindex_hash_v4(uint32_t addr);

/* The B4 and the IPv4 address an entry of kind k is indexed by. */
const struct addr6 *sindex_b4_of(enum cfg_kind k, const void *entry);
uint32_t sindex_v4_of(enum cfg_kind k, const void *entry);

/* The position of the entry of kind k with probe's identity (kinds[k].eq),
 * or -1; acl6 and private by a walk of their short lists. */
long sindex_find(const struct sindex *x, const struct aftr_config *cfg, enum cfg_kind k,
                 const void *probe);

#endif
