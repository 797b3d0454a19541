/* A hash table built once and then only read (the live tables' indexes,
 * tables.h): open addressing with linear probing over a power-of-two
 * array at most half full, fixed-size keys, 32-bit values. Lookups are
 * O(1) and take no lock, so any number of threads may read it. */
#ifndef AFTR_LHASH_H
#define AFTR_LHASH_H

#include <stddef.h>
#include <stdint.h>

#define LHASH_NONE    UINT32_MAX /* no value (and the mark of an empty slot) */
#define LHASH_KEY_MAX 24

struct lhash {
	uint32_t mask;    /* slots - 1 */
	uint32_t key_len; /* bytes */
	uint32_t stride;  /* bytes per slot: the key, then the value */
	uint32_t n;       /* keys held */
	uint8_t *slots;   /* a value of LHASH_NONE marks an empty slot */
};

/* Room for n keys of key_len (1..LHASH_KEY_MAX) bytes; 0 or -ENOMEM/-EINVAL. */
int lhash_init(struct lhash *h, size_t n, uint32_t key_len);
void lhash_free(struct lhash *h);
/* Adds key -> val (val != LHASH_NONE): 0, -EEXIST (the first value
 * stays), -ENOSPC (half full: it holds at least the n of lhash_init). */
int lhash_put(struct lhash *h, const void *key, uint32_t val);
/* The value of key, or LHASH_NONE. */
uint32_t lhash_get(const struct lhash *h, const void *key);
/* A lookup in two steps, for a burst of them: the key's hash, with which
 * lhash_prefetch starts bringing the slot a lookup reads first into the
 * cache (prefetch them all, then look them up); lhash_get_hashed is
 * lhash_get with the hash already known. */
uint32_t lhash_hash(const struct lhash *h, const void *key);
void lhash_prefetch(const struct lhash *h, uint32_t hash);
uint32_t lhash_get_hashed(const struct lhash *h, const void *key, uint32_t hash);

#endif
