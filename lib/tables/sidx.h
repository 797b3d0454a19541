/* A session index: which entries of a caller's array (a worker's NAPT
 * sessions, nat.c) have a key. The keys stay in the entries: a slot holds
 * only a 32-bit hash of the key and the entry's number, 8 bytes, and the
 * caller compares the key of each candidate with the same hash. Open
 * addressing with linear probing over a power-of-two array at most half
 * full; deletion by backward shift (no tombstones, so churn never makes
 * lookups longer). One thread writes and reads it: no locks. */
#ifndef AFTR_SIDX_H
#define AFTR_SIDX_H

#include <stddef.h>
#include <stdint.h>

#define SIDX_NONE UINT32_MAX /* no entry (and the mark of an empty slot) */
#define SIDX_MAX  (1u << 30) /* entries an index may be sized for */

struct sidx_slot {
	uint32_t hash;
	uint32_t val; /* SIDX_NONE: empty */
};

struct sidx {
	uint32_t mask; /* slots - 1 */
	uint32_t n;    /* entries held */
	struct sidx_slot *slots;
};

/* Bytes of slot memory for n entries (1..SIDX_MAX): slots for twice as
 * many, rounded up to a power of two; 0 if n is out of range. */
size_t sidx_mem_size(uint32_t n);
/* An empty index for n entries over mem, sidx_mem_size(n) bytes the caller
 * reserved (and frees). */
void sidx_init(struct sidx *x, uint32_t n, void *mem);
/* Adds hash -> val (val != SIDX_NONE). The hash's low bits choose the
 * slot: they must be as good as random (linear probing makes runs of the
 * same value long). A key held twice is the caller's
 * business (both entries stay, a lookup finds either). 0, or -ENOSPC past
 * the n of sidx_init. */
int sidx_add(struct sidx *x, uint32_t hash, uint32_t val);
/* Removes the entry hash -> val: 0, or -ENOENT. */
int sidx_del(struct sidx *x, uint32_t hash, uint32_t val);

/* Starts bringing the first slot a lookup of hash reads into the cache. */
static inline void sidx_prefetch(const struct sidx *x, uint32_t hash)
{
	__builtin_prefetch(&x->slots[hash & x->mask]);
}

/* A lookup: the entries whose hash is hash, in turn, until SIDX_NONE.
 *
 *     for (uint32_t pos = hash; (v = sidx_next(x, hash, &pos)) != SIDX_NONE;)
 *             if (key_of(v) == key) return v;
 *
 * At most half full: a probe run always ends at an empty slot. */
static inline uint32_t sidx_next(const struct sidx *x, uint32_t hash, uint32_t *pos)
{
	for (;;) {
		const struct sidx_slot *s = &x->slots[(*pos)++ & x->mask];

		if (s->val == SIDX_NONE || s->hash == hash)
			return s->val;
	}
}

/* The first entry with this hash, or SIDX_NONE (a look-ahead's guess). */
static inline uint32_t sidx_first(const struct sidx *x, uint32_t hash)
{
	uint32_t pos = hash;

	return sidx_next(x, hash, &pos);
}

#endif
