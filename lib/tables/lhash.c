/* The read-only hash table; see lhash.h. A slot is the key followed by its
 * value, so a lookup that hits at once touches one cache line. */
#include "lhash.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

/* The n (< 8) bytes at p as a little-endian word, as memcpy into a zeroed
 * word would give on this machine's x86 and arm64 (hashes only need to
 * agree within a process). */
static inline __attribute__((always_inline)) uint64_t tail(const uint8_t *p, uint32_t n)
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
static inline __attribute__((always_inline)) uint32_t hash(const void *key, uint32_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	uint32_t i = 0;

	/* The live tables' key lengths, in straight lines. */
	if (len == 16) {
		return (uint32_t)hash_fmix64(hash_fmix64(h ^ hash_word(p)) ^ hash_word(p + 8));
	}
	if (len == 8) {
		return (uint32_t)hash_fmix64(h ^ hash_word(p));
	}
	for (; i + 8 <= len; i += 8) {
		h = hash_fmix64(h ^ hash_word(p + i));
	}
	if (i < len)
		h = hash_fmix64(h ^ tail(p + i, len - i));
	return (uint32_t)h;
}

static inline __attribute__((always_inline)) bool key_eq(const uint8_t *a, const uint8_t *b,
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
	return i == len || tail(a + i, len - i) == tail(b + i, len - i);
}

static uint8_t *slot(const struct lhash *h, uint32_t i)
{
	return h->slots + (size_t)i * h->stride;
}

static uint32_t slot_val(const struct lhash *h, const uint8_t *s)
{
	uint32_t v;

	memcpy(&v, s + h->key_len, 4);
	return v;
}

int lhash_init(struct lhash *h, size_t n, uint32_t key_len)
{
	size_t slots = 16;

	memset(h, 0, sizeof(*h));
	if (key_len == 0 || key_len > LHASH_KEY_MAX || n > (1u << 30))
		return -EINVAL;
	while (slots < 2 * n)
		slots *= 2;
	h->mask = (uint32_t)(slots - 1);
	h->key_len = key_len;
	h->stride = (key_len + 4 + 3) & ~3u;
	h->slots = big_calloc(slots, h->stride);
	if (h->slots == NULL)
		return -ENOMEM;
	/* An empty slot holds LHASH_NONE as its value. */
	memset(h->slots, 0xff, slots * h->stride);
	return 0;
}

void lhash_free(struct lhash *h)
{
	big_free(h->slots);
	memset(h, 0, sizeof(*h));
}

int lhash_put(struct lhash *h, const void *key, uint32_t val)
{
	uint32_t i = hash(key, h->key_len) & h->mask;
	uint8_t *s;

	if (h->slots == NULL || val == LHASH_NONE)
		return -EINVAL;
	for (; slot_val(h, s = slot(h, i)) != LHASH_NONE; i = (i + 1) & h->mask)
		if (memcmp(s, key, h->key_len) == 0)
			return -EEXIST;
	if ((h->n + 1) * 2 > h->mask + 1)
		return -ENOSPC;
	memcpy(s, key, h->key_len);
	memcpy(s + h->key_len, &val, 4);
	h->n++;
	return 0;
}

uint32_t lhash_hash(const struct lhash *h, const void *key)
{
	return hash(key, h->key_len);
}

uint32_t lhash_get_hashed(const struct lhash *h, const void *key, uint32_t hash)
{
	const uint8_t *s;
	uint32_t i, v;

	if (h->slots == NULL || h->n == 0)
		return LHASH_NONE;
	/* At most half full: a probe run always ends at an empty slot. */
	for (i = hash & h->mask; (v = slot_val(h, s = slot(h, i))) != LHASH_NONE;
	     i = (i + 1) & h->mask)
		if (key_eq(s, key, h->key_len))
			return v;
	return LHASH_NONE;
}

uint32_t lhash_get(const struct lhash *h, const void *key)
{
	/* Empty tables are common (a NAPT-only AFTR has no softwire): no hash. */
	if (h->n == 0)
		return LHASH_NONE;
	return lhash_get_hashed(h, key, hash(key, h->key_len));
}

void lhash_prefetch(const struct lhash *h, uint32_t hash)
{
	const uint8_t *s;

	if (h->slots == NULL || h->n == 0)
		return;
	s = slot(h, hash & h->mask);
	/* A slot may straddle two cache lines. */
	__builtin_prefetch(s);
	__builtin_prefetch(s + h->stride - 1);
}
