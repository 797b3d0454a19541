/* The read-only hash table; see lhash.h. A slot is the key followed by its
 * value, so a lookup that hits at once touches one cache line. */
#include "lhash.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

/* A value in a slot, seen whole by readers (lhash.h). */
static void slot_store(const struct lhash *h, uint8_t *s, uint32_t val)
{
	if ((h->key_len & 3) == 0)
		__atomic_store_n((uint32_t *)(void *)(s + h->key_len), val, __ATOMIC_RELEASE);
	else
		memcpy(s + h->key_len, &val, 4);
}

/* The slot of key, live or a tombstone, or of the empty slot that ends
 * its probe run. */
static uint8_t *find(const struct lhash *h, const void *key)
{
	uint32_t i = lhash_hash_n(h, key, h->key_len) & h->mask;
	uint8_t *s;

	for (; slot_val(h, s = slot(h, i)) != LHASH_NONE; i = (i + 1) & h->mask)
		if (memcmp(s, key, h->key_len) == 0)
			return s;
	return s;
}

int lhash_put(struct lhash *h, const void *key, uint32_t val)
{
	uint8_t *s;
	uint32_t v;

	if (h->slots == NULL || val >= LHASH_DEAD)
		return -EINVAL;
	s = find(h, key);
	v = slot_val(h, s);
	if (v < LHASH_DEAD)
		return -EEXIST;
	if (v == LHASH_DEAD) { /* its own tombstone: the key is there already */
		slot_store(h, s, val);
		h->dead--;
	} else {
		if ((h->n + h->dead + 1) * 2 > h->mask + 1)
			return -ENOSPC;
		memcpy(s, key, h->key_len);
		slot_store(h, s, val);
	}
	__atomic_store_n(&h->n, h->n + 1, __ATOMIC_RELEASE);
	return 0;
}

int lhash_set(struct lhash *h, const void *key, uint32_t val)
{
	uint8_t *s;

	if (h->slots == NULL || val >= LHASH_DEAD)
		return -EINVAL;
	s = find(h, key);
	if (slot_val(h, s) >= LHASH_DEAD)
		return -ENOENT;
	slot_store(h, s, val);
	return 0;
}

int lhash_del(struct lhash *h, const void *key)
{
	uint8_t *s;

	if (h->slots == NULL)
		return -ENOENT;
	s = find(h, key);
	if (slot_val(h, s) >= LHASH_DEAD)
		return -ENOENT;
	slot_store(h, s, LHASH_DEAD);
	h->dead++;
	__atomic_store_n(&h->n, h->n - 1, __ATOMIC_RELEASE);
	return 0;
}

uint32_t lhash_hash(const struct lhash *h, const void *key)
{
	return lhash_hash_n(h, key, h->key_len);
}

uint32_t lhash_get_hashed(const struct lhash *h, const void *key, uint32_t hash)
{
	return lhash_get_hashed_n(h, key, hash, h->key_len);
}

uint32_t lhash_get(const struct lhash *h, const void *key)
{
	return lhash_get_n(h, key, h->key_len);
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
