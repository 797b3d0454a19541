/* A hash table built once and then mostly read (the live tables' indexes,
 * tables.h): open addressing with linear probing over a power-of-two
 * array at most half full, fixed-size keys, 32-bit values. Lookups are
 * O(1) and take no lock, so any number of threads may read it.
 *
 * One thread (the dataplane's main lcore) may change it while others
 * read (lhash_put, lhash_set, lhash_del: tables_edit.c): a slot's key is
 * written before its value (a release store), and a value is one aligned
 * 32-bit store, so a reader sees a slot before or after, never half of
 * it. A deletion leaves a tombstone (LHASH_DEAD: readers probe past it);
 * a tombstone is reused only by its own key, so no reader can take one
 * key's value for another's. Tombstones count against the half-full
 * limit until the table is built again. Keys of a table changed this way
 * are a multiple of 4 bytes long (the value aligned). */
#ifndef AFTR_LHASH_H
#define AFTR_LHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hash.h"

#define LHASH_NONE    UINT32_MAX       /* no value (and the mark of an empty slot) */
#define LHASH_DEAD    (UINT32_MAX - 1) /* a deleted key's slot (never a value) */
#define LHASH_KEY_MAX 24

struct lhash {
	uint32_t mask;    /* slots - 1 */
	uint32_t key_len; /* bytes */
	uint32_t stride;  /* bytes per slot: the key, then the value */
	uint32_t n;       /* keys held */
	uint32_t dead;    /* tombstones */
	uint8_t *slots;   /* a value of LHASH_NONE marks an empty slot */
};

/* Room for n keys of key_len (1..LHASH_KEY_MAX) bytes; 0 or -ENOMEM/-EINVAL. */
int lhash_init(struct lhash *h, size_t n, uint32_t key_len);
void lhash_free(struct lhash *h);
/* Adds key -> val (val below LHASH_DEAD): 0, -EEXIST (the first value
 * stays), -ENOSPC (half full with keys and tombstones: it holds at least
 * the n of lhash_init). */
int lhash_put(struct lhash *h, const void *key, uint32_t val);
/* Changes the value of a key held: 0 or -ENOENT. */
int lhash_set(struct lhash *h, const void *key, uint32_t val);
/* Removes a key (a tombstone): 0 or -ENOENT. */
int lhash_del(struct lhash *h, const void *key);
/* Keys lhash_put can still add. */
static inline uint32_t lhash_room(const struct lhash *h)
{
	uint32_t half = (h->mask + 1) / 2;

	return h->slots && half > h->n + h->dead ? half - h->n - h->dead : 0;
}
/* The value of key, or LHASH_NONE. */
uint32_t lhash_get(const struct lhash *h, const void *key);
/* A lookup in two steps, for a burst of them: the key's hash, with which
 * lhash_prefetch starts bringing the slot a lookup reads first into the
 * cache (prefetch them all, then look them up); lhash_get_hashed is
 * lhash_get with the hash already known. */
uint32_t lhash_hash(const struct lhash *h, const void *key);
void lhash_prefetch(const struct lhash *h, uint32_t hash);
uint32_t lhash_get_hashed(const struct lhash *h, const void *key, uint32_t hash);

/* The same three with the key's length a constant the compiler folds
 * (len must be h's key_len): inline, with no branch on the length, for
 * the packet path's lookups of 16 (a B4), 8 (a port set, a prr entry) and
 * 4 bytes (an IPv4 address). The functions above are these with
 * h->key_len. */
/* The n (< 8) bytes at p as a little-endian word, as memcpy into a zeroed
 * word would give on this machine's x86 and arm64 (hashes only need to
 * agree within a process). */
static inline __attribute__((always_inline)) uint64_t lhash_tail_(const uint8_t *p, uint32_t n)
{
	uint64_t w = 0;
	uint32_t x;

	if (n >= 4) {
		memcpy(&x, p, 4);
		w = x;
		if (n == 4) /* the usual: keys are whole words */
			return w;
		p += 4;
		n -= 4;
		for (uint32_t j = 0; j < n; j++)
			w |= (uint64_t)p[j] << (32 + 8 * j);
		return w;
	}
	for (uint32_t j = 0; j < n; j++)
		w |= (uint64_t)p[j] << (8 * j);
	return w;
}

/* Word by word with fixed-size loads: a memcpy or memcmp of a variable
 * length is a call that costs more than the whole hash. */
static inline __attribute__((always_inline)) uint32_t lhash_key_hash_(const void *key, uint32_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	uint32_t i = 0;

	/* The live tables' key lengths, in straight lines. */
	if (len == 16)
		return (uint32_t)hash_words16(p, h);
	if (len == 8) {
		return (uint32_t)hash_fmix64(h ^ hash_word(p));
	}
	for (; i + 8 <= len; i += 8) {
		h = hash_fmix64(h ^ hash_word(p + i));
	}
	if (i < len)
		h = hash_fmix64(h ^ lhash_tail_(p + i, len - i));
	return (uint32_t)h;
}

static inline __attribute__((always_inline)) bool lhash_key_eq_(const uint8_t *a, const uint8_t *b,
                                                                uint32_t len)
{
	uint64_t x, y, x2, y2;
	uint32_t i = 0;

	if (len == 16) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&x2, a + 8, 8);
		memcpy(&y2, b + 8, 8);
		return ((x ^ y) | (x2 ^ y2)) == 0;
	}
	if (len == 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	return i == len || lhash_tail_(a + i, len - i) == lhash_tail_(b + i, len - i);
}

static inline __attribute__((always_inline)) uint32_t lhash_hash_n(const struct lhash *h,
                                                                   const void *key, uint32_t len)
{
	(void)h;
	return lhash_key_hash_(key, len);
}

static inline __attribute__((always_inline)) uint32_t
lhash_get_hashed_n(const struct lhash *h, const void *key, uint32_t hash, uint32_t len)
{
	const uint32_t stride = (len + 4 + 3) & ~3u;
	const uint8_t *s;
	uint32_t i, v;

	/* n is 0 when there are no slots (never set up, or freed). */
	if (h->n == 0)
		return LHASH_NONE;
	/* At most half full: a probe run always ends at an empty slot. */
	for (i = hash & h->mask;; i = (i + 1) & h->mask) {
		s = h->slots + (size_t)i * stride;
		memcpy(&v, s + len, 4);
		if (v >= LHASH_DEAD) {
			if (v == LHASH_NONE)
				return v;
			continue; /* a tombstone */
		}
		if (lhash_key_eq_(s, key, len))
			return v;
	}
}

static inline __attribute__((always_inline)) uint32_t lhash_get_n(const struct lhash *h,
                                                                  const void *key, uint32_t len)
{
	/* Empty tables are common (a NAPT-only AFTR has no softwire): no hash. */
	if (h->n == 0)
		return LHASH_NONE;
	return lhash_get_hashed_n(h, key, lhash_key_hash_(key, len), len);
}

#endif
