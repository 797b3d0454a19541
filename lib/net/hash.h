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

#endif
