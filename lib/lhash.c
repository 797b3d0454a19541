/* The read-only hash table; see lhash.h. A slot is the key followed by its
 * value, so a lookup that hits at once touches one cache line. */
#include "lhash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* MurmurHash3's 64-bit finalizer: every key bit moves every hash bit. */
static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static uint32_t hash(const void *key, uint32_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t w = 0;

		memcpy(&w, p + i, len - i < 8 ? len - i : 8);
		h = fmix64(h ^ w);
	}
	return (uint32_t)h;
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

uint32_t lhash_get(const struct lhash *h, const void *key)
{
	const uint8_t *s;
	uint32_t i, v;

	if (h->slots == NULL || h->n == 0)
		return LHASH_NONE;
	/* At most half full: a probe run always ends at an empty slot. */
	for (i = hash(key, h->key_len) & h->mask; (v = slot_val(h, s = slot(h, i))) != LHASH_NONE;
	     i = (i + 1) & h->mask)
		if (memcmp(s, key, h->key_len) == 0)
			return v;
	return LHASH_NONE;
}
