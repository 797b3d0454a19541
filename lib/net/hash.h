/* Pieces of the tables' own hashes (lhash, the NAPT session index): a
 * word loaded from any alignment, and MurmurHash3's 64-bit finalizer, with
 * which every key bit moves every hash bit. Hashes only need to agree
 * within a process. */
#ifndef AFTR_HASH_H
#define AFTR_HASH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t hash_word(const void *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

static inline uint64_t hash_fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* 16 bytes (a B4's address) in one finalizer: the second word multiplied
 * (its low bits reach the high ones) and turned, so that neither word's
 * bits cancel the other's, mixed with the first and seed: the lhash
 * index of B4s (a B4's owner worker is the RSS hash's, nat.h). */
static inline uint64_t hash_words16(const void *p, uint64_t seed)
{
	uint64_t w1 = hash_word((const uint8_t *)p + 8) * 0xc2b2ae3d27d4eb4fULL;

	return hash_fmix64(seed ^ hash_word(p) ^ (w1 << 31 | w1 >> 33));
}

#endif
