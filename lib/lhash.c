/* The read-only hash table; see lhash.h. */
#include "lhash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	h->keys = calloc(slots, key_len);
	h->vals = malloc(slots * sizeof(*h->vals));
	if (h->keys == NULL || h->vals == NULL) {
		lhash_free(h);
		return -ENOMEM;
	}
	memset(h->vals, 0xff, slots * sizeof(*h->vals));
	return 0;
}

void lhash_free(struct lhash *h)
{
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

int lhash_put(struct lhash *h, const void *key, uint32_t val)
{
	uint32_t i = hash(key, h->key_len) & h->mask;

	if (h->vals == NULL || val == LHASH_NONE)
		return -EINVAL;
	while (h->vals[i] != LHASH_NONE) {
		if (memcmp(h->keys + (size_t)i * h->key_len, key, h->key_len) == 0)
			return -EEXIST;
		i = (i + 1) & h->mask;
	}
	if ((h->n + 1) * 2 > h->mask + 1)
		return -ENOSPC;
	memcpy(h->keys + (size_t)i * h->key_len, key, h->key_len);
	h->vals[i] = val;
	h->n++;
	return 0;
}

uint32_t lhash_get(const struct lhash *h, const void *key)
{
	uint32_t i;

	if (h->vals == NULL)
		return LHASH_NONE;
	/* At most half full: a probe run always ends at an empty slot. */
	for (i = hash(key, h->key_len) & h->mask; h->vals[i] != LHASH_NONE; i = (i + 1) & h->mask)
		if (memcmp(h->keys + (size_t)i * h->key_len, key, h->key_len) == 0)
			return h->vals[i];
	return LHASH_NONE;
}
