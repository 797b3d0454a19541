/* SPDX-License-Identifier: BSD-2-Clause */
#include "portblock.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * ck_assert_*() records its location through the fork pipe on every success,
 * which costs seconds over the millions of checks of the exhaustive tests:
 * those loops use EXPECT(), which only calls into Check on failure.
 */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

#define NPORTS 65536u

static void init_ok(struct pb_space *s, uint16_t min, uint16_t max, uint16_t bsize, uint16_t worker,
                    uint16_t nworkers)
{
	int rc = pb_init(s, min, max, bsize, worker, nworkers);

	ck_assert_msg(rc == 0, "pb_init(%u, %u, %u, %u, %u) = %d", min, max, bsize, worker,
	              nworkers, rc);
}

/* Block of a port, computed independently of the library. */
static uint32_t ref_block(const struct pb_space *s, uint32_t port)
{
	if (port < s->min || (port - s->min) / s->bsize >= s->nblocks)
		return PB_NONE;
	return (port - s->min) / s->bsize;
}

/* Blocks of the space that belong to worker w. */
static uint32_t worker_blocks(uint32_t nblocks, uint32_t w, uint32_t nworkers)
{
	return w < nblocks ? (nblocks - w + nworkers - 1) / nworkers : 0;
}

static bool port_marked(const struct pb_space *s, uint32_t port)
{
	uint32_t b = ref_block(s, port), off = port - pb_block_first_port(s, b);

	return s->bitmap[(size_t)b * s->words + off / 64] & (1ull << (off % 64));
}

/*
 * The free list holds each of this worker's blocks that no subscriber owns,
 * once, and nothing else; a free block is linked to nothing and its used
 * count is the number of its bits (ports claimed while it was free).
 */
static void check_free_list(const struct pb_space *s)
{
	static uint8_t seen[NPORTS];
	uint32_t nfree = 0;

	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < s->nfree; i++) {
		uint32_t b = s->free[i];

		EXPECT(b < s->nblocks, "free[%u] = %u out of %u blocks", i, b, s->nblocks);
		EXPECT(b % s->nworkers == s->worker, "free[%u] = block %u of worker %u", i, b,
		       b % s->nworkers);
		EXPECT(!seen[b], "block %u twice in the free list", b);
		EXPECT(s->blocks[b].owner == PB_NONE, "free block %u owned by %u", b,
		       s->blocks[b].owner);
		seen[b] = 1;
	}
	for (uint32_t b = s->worker; b < s->nblocks; b += s->nworkers) {
		uint32_t claimed = 0;

		if (s->blocks[b].owner != PB_NONE)
			continue;
		nfree++;
		/* Only claimed ports are in use in a free block. */
		for (uint32_t w = 0; w < s->words; w++)
			claimed +=
			        (uint32_t)__builtin_popcountll(s->bitmap[(size_t)b * s->words + w]);
		EXPECT(seen[b], "free block %u missing from the free list", b);
		EXPECT(s->blocks[b].next == PB_NONE, "free block %u linked to %u", b,
		       s->blocks[b].next);
		EXPECT(s->blocks[b].used == claimed, "free block %u: %u used, %u bits set", b,
		       s->blocks[b].used, claimed);
	}
	EXPECT(nfree == s->nfree, "%u free blocks, free list holds %u", nfree, s->nfree);
}

START_TEST(test_init_errors)
{
	struct pb_space s;

	/* bsize 0. */
	ck_assert_int_eq(pb_init(&s, 1024, 65535, 0, 0, 1), -EINVAL);
	/* bsize bigger than the range (10 ports, 1 port). */
	ck_assert_int_eq(pb_init(&s, 1000, 1009, 11, 0, 1), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 5000, 5000, 2, 0, 1), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 0, 0, UINT16_MAX, 0, 1), -EINVAL);
	/* worker >= nworkers, and no workers at all. */
	ck_assert_int_eq(pb_init(&s, 1024, 65535, 8, 3, 3), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 1024, 65535, 8, 7, 3), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 1024, 65535, 8, UINT16_MAX, UINT16_MAX), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 1024, 65535, 8, 0, 0), -EINVAL);
	/* max < min (the span would wrap to 0, or to almost 2^32 for 65535-0). */
	ck_assert_int_eq(pb_init(&s, 2000, 1999, 1, 0, 1), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 65535, 0, 1, 0, 1), -EINVAL);
	ck_assert_int_eq(pb_init(&s, 1, 0, 1, 0, 1), -EINVAL);

	/* A failed init leaves a zeroed space that pb_free accepts. */
	memset(&s, 0xa5, sizeof(s));
	ck_assert_int_eq(pb_init(&s, 1024, 65535, 0, 0, 1), -EINVAL);
	ck_assert_ptr_null(s.blocks);
	ck_assert_ptr_null(s.bitmap);
	ck_assert_ptr_null(s.free);
	ck_assert_uint_eq(s.nblocks, 0);
	ck_assert_uint_eq(s.nfree, 0);
	pb_free(&s);

	/* The boundaries are accepted. */
	init_ok(&s, 1000, 1009, 10, 0, 1);
	ck_assert_uint_eq(s.nblocks, 1);
	pb_free(&s);
	ck_assert_ptr_null(s.blocks);
	init_ok(&s, 5000, 5000, 1, 0, 1);
	ck_assert_uint_eq(s.nblocks, 1);
	ck_assert_uint_eq(pb_port_owner(&s, 5000), 0);
	ck_assert_uint_eq(pb_port_owner(&s, 4999), UINT16_MAX);
	ck_assert_uint_eq(pb_port_owner(&s, 5001), UINT16_MAX);
	pb_free(&s);
	init_ok(&s, 1024, 65535, 8, 2, 3);
	pb_free(&s);
	init_ok(&s, 65535, 65535, 1, 0, 1);
	ck_assert_uint_eq(s.nblocks, 1);
	ck_assert_uint_eq(pb_block_first_port(&s, 0), 65535);
	pb_free(&s);
}
END_TEST

START_TEST(test_init_counts)
{
	struct pb_space s, w[3];
	uint32_t head = PB_NONE, total = 0;
	uint16_t port;

	/* 64512 ports in blocks of 10: 6451 blocks, 65534 and 65535 left over. */
	init_ok(&s, 1024, 65535, 10, 0, 1);
	ck_assert_uint_eq(s.min, 1024);
	ck_assert_uint_eq(s.bsize, 10);
	ck_assert_uint_eq(s.nblocks, 6451);
	ck_assert_uint_eq(s.words, 1);
	ck_assert_uint_eq(s.nfree, 6451);
	ck_assert_uint_eq(pb_block_first_port(&s, 0), 1024);
	ck_assert_uint_eq(pb_block_first_port(&s, 1), 1034);
	ck_assert_uint_eq(pb_block_first_port(&s, 6450), 65524);
	ck_assert_uint_eq(pb_port_owner(&s, 1023), UINT16_MAX);
	ck_assert_uint_eq(pb_port_owner(&s, 0), UINT16_MAX);
	ck_assert_uint_eq(pb_port_owner(&s, 1024), 0);
	ck_assert_uint_eq(pb_port_owner(&s, 65533), 0);
	ck_assert_uint_eq(pb_port_owner(&s, 65534), UINT16_MAX);
	ck_assert_uint_eq(pb_port_owner(&s, 65535), UINT16_MAX);
	ck_assert_int_eq(pb_port_claim(&s, 65534), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 65535), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 1023), -EINVAL);
	check_free_list(&s);
	/* Every block in use: 64510 ports, never the tail. */
	while (pb_block_take(&s, 1, &head) != PB_NONE) {
		while (pb_port_alloc(&s, head, &port) == 0) {
			EXPECT(port >= 1024 && port <= 65533, "port %u allocated", port);
			total++;
		}
	}
	ck_assert_uint_eq(total, 64510);
	ck_assert_uint_eq(pb_chain_len(&s, head), 6451);
	ck_assert_uint_eq(s.nfree, 0);
	ck_assert_int_eq(pb_port_alloc(&s, head, &port), -ENOSPC);
	pb_free(&s);

	/* The same range over 3 workers: 2151 + 2150 + 2150 blocks. */
	for (uint16_t i = 0; i < 3; i++) {
		init_ok(&w[i], 1024, 65535, 10, i, 3);
		ck_assert_uint_eq(w[i].nblocks, 6451);
	}
	ck_assert_uint_eq(w[0].nfree, 2151);
	ck_assert_uint_eq(w[1].nfree, 2150);
	ck_assert_uint_eq(w[2].nfree, 2150);
	for (uint16_t i = 0; i < 3; i++) {
		check_free_list(&w[i]);
		pb_free(&w[i]);
	}

	/* Bitmap words per block. */
	init_ok(&s, 0, 65535, 64, 0, 1);
	ck_assert_uint_eq(s.words, 1);
	ck_assert_uint_eq(s.nblocks, 1024);
	pb_free(&s);
	init_ok(&s, 0, 65535, 65, 0, 1);
	ck_assert_uint_eq(s.words, 2);
	ck_assert_uint_eq(s.nblocks, 1008);
	ck_assert_uint_eq(pb_port_owner(&s, 65519), 0);
	ck_assert_uint_eq(pb_port_owner(&s, 65520), UINT16_MAX);
	pb_free(&s);
	init_ok(&s, 0, 65535, 129, 0, 1);
	ck_assert_uint_eq(s.words, 3);
	pb_free(&s);

	/* The largest block: one of 65535 ports, 65535 itself left over. */
	init_ok(&s, 0, 65535, UINT16_MAX, 0, 1);
	ck_assert_uint_eq(s.nblocks, 1);
	ck_assert_uint_eq(s.words, 1024);
	ck_assert_uint_eq(pb_port_owner(&s, 65534), 0);
	ck_assert_uint_eq(pb_port_owner(&s, 65535), UINT16_MAX);
	pb_free(&s);

	/* The smallest: every port a block of its own, 65536 of them. */
	init_ok(&s, 0, 65535, 1, 3, 4);
	ck_assert_uint_eq(s.nblocks, 65536);
	ck_assert_uint_eq(s.nfree, 16384);
	for (uint32_t p = 0; p < NPORTS; p++)
		EXPECT(pb_port_owner(&s, (uint16_t)p) == p % 4, "port %u: owner %u", p,
		       pb_port_owner(&s, (uint16_t)p));
	check_free_list(&s);
	pb_free(&s);
}
END_TEST

/* Ownership seen from every worker of 3, over every port. */
static void check_owners(uint16_t min, uint16_t max, uint16_t bsize, uint32_t nblocks)
{
	struct pb_space w[3];
	uint32_t end = (uint32_t)min + nblocks * bsize, claimed[3] = {0, 0, 0};

	for (uint16_t i = 0; i < 3; i++) {
		init_ok(&w[i], min, max, bsize, i, 3);
		ck_assert_uint_eq(w[i].nblocks, nblocks);
	}
	for (uint32_t p = 0; p < NPORTS; p++) {
		uint16_t want =
		        p >= min && p < end ? (uint16_t)((p - min) / bsize % 3) : UINT16_MAX;

		for (uint16_t i = 0; i < 3; i++) {
			uint16_t got = pb_port_owner(&w[i], (uint16_t)p);
			int rc = pb_port_claim(&w[i], (uint16_t)p);

			EXPECT(got == want, "worker %u: port %u owned by %u, want %u", i, p, got,
			       want);
			/* Only the owner can claim it. */
			EXPECT(rc == (want == i ? 0 : -EINVAL), "worker %u: claim %u = %d", i, p,
			       rc);
			claimed[i] += rc == 0;
		}
	}
	for (uint16_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(claimed[i], worker_blocks(nblocks, i, 3) * bsize);
		pb_free(&w[i]);
	}
}

START_TEST(test_owner_three_workers)
{
	/* 300 ports in blocks of 7: 42 blocks (100-393), 394-399 unused. */
	check_owners(100, 399, 7, 42);
	/* A range starting at 0, and one ending at 65535 with no tail. */
	check_owners(0, 95, 8, 12);
	check_owners(65532, 65535, 1, 4);
	check_owners(1024, 65535, 10, 6451);
}
END_TEST

/* pb_port_owner (a span test, a division only with workers) against the
 * block of the port and its owner, for every port of several layouts,
 * deterministic groups and the read-only copy included. */
START_TEST(test_owner_every_port)
{
	static const uint16_t layouts[][3] = {
	        {1024, 65535, 512}, {0, 95, 8}, {100, 399, 7}, {65532, 65535, 1}, {2000, 2000, 1}};

	for (size_t l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++)
		for (uint16_t nw = 1; nw <= 3; nw++)
			for (uint16_t group = 1; group <= 2; group++) {
				struct pb_space s, c;

				ck_assert_int_eq(pb_init(&s, layouts[l][0], layouts[l][1],
				                         layouts[l][2], 0, nw),
				                 0);
				if (group > 1)
					pb_set_deterministic(&s, group);
				c = pb_layout(&s);
				for (uint32_t p = 0; p < 65536; p++) {
					uint32_t b = pb_block_of(&s, (uint16_t)p);
					uint16_t want =
					        b == PB_NONE ? UINT16_MAX : pb_block_owner(&s, b);

					EXPECT(pb_port_owner(&s, (uint16_t)p) == want &&
					               pb_port_owner(&c, (uint16_t)p) == want,
					       "layout %zu, %u workers, port %u", l, nw, p);
				}
				pb_free(&s);
			}
}
END_TEST

/* pb_usage: a worker's blocks, the free ones and the ports used, as
 * blocks are taken, ports allocated and given back. */
START_TEST(test_usage)
{
	struct pb_space s;
	struct pb_usage u;
	uint32_t head = PB_NONE, want = worker_blocks(42, 1, 3);
	uint16_t port;

	init_ok(&s, 100, 399, 7, 1, 3);
	pb_usage(&s, &u);
	ck_assert_uint_eq(u.blocks, want);
	ck_assert_uint_eq(u.blocks_free, want);
	ck_assert_uint_eq(u.ports, want * 7);
	ck_assert_uint_eq(u.ports_used, 0);
	ck_assert_uint_ne(pb_block_take(&s, 5, &head), PB_NONE);
	ck_assert_int_eq(pb_port_alloc(&s, head, &port), 0);
	ck_assert_int_eq(pb_port_alloc(&s, head, &port), 0);
	pb_usage(&s, &u);
	ck_assert_uint_eq(u.blocks, want);
	ck_assert_uint_eq(u.blocks_free, want - 1);
	ck_assert_uint_eq(u.ports_used, 2);
	/* A port given back (no hold here): one left in use. */
	ck_assert_int_ge(pb_port_release(&s, port, &head), 0);
	pb_usage(&s, &u);
	ck_assert_uint_eq(u.ports_used, 1);
	pb_free(&s);
}
END_TEST

START_TEST(test_free_lists)
{
	static const uint16_t nworkers[] = {1, 2, 3, 4, 7, 41, 42, 43, 50};
	struct pb_space s;
	uint32_t head;

	/* 42 blocks of 7. */
	for (size_t n = 0; n < sizeof(nworkers) / sizeof(nworkers[0]); n++) {
		uint32_t sum = 0;

		for (uint16_t w = 0; w < nworkers[n]; w++) {
			uint32_t want = worker_blocks(42, w, nworkers[n]), i = 0;

			init_ok(&s, 100, 399, 7, w, nworkers[n]);
			EXPECT(s.nfree == want, "%u/%u: %u free, want %u", w, nworkers[n], s.nfree,
			       want);
			check_free_list(&s);
			/* A stack with the lowest block on top. */
			for (uint32_t b = w; b < 42; b += nworkers[n], i++)
				EXPECT(s.free[s.nfree - 1 - i] == b,
				       "%u/%u: free[%u] = %u, want %u", w, nworkers[n],
				       s.nfree - 1 - i, s.free[s.nfree - 1 - i], b);
			for (uint32_t b = 0; b < 42; b++)
				EXPECT(s.blocks[b].owner == PB_NONE &&
				               s.blocks[b].next == PB_NONE && s.blocks[b].used == 0,
				       "%u/%u: block %u not blank", w, nworkers[n], b);
			/* The worker's blocks come out in order, then none. */
			head = PB_NONE;
			for (uint32_t b = w; b < 42; b += nworkers[n])
				EXPECT(pb_block_take(&s, w, &head) == b,
				       "%u/%u: block %u not taken", w, nworkers[n], b);
			EXPECT(pb_block_take(&s, w, &head) == PB_NONE, "%u/%u: took too many", w,
			       nworkers[n]);
			EXPECT(pb_chain_len(&s, head) == want, "%u/%u: chain of %u", w, nworkers[n],
			       pb_chain_len(&s, head));
			sum += want;
			pb_free(&s);
		}
		EXPECT(sum == 42, "%u workers hold %u blocks", nworkers[n], sum);
	}
}
END_TEST

START_TEST(test_alloc_order)
{
	struct pb_space s;
	uint32_t a = PB_NONE, b = PB_NONE;
	uint16_t port = 0;

	/* Worker 1 of 3 owns blocks 1, 4, 7, ... of 16 ports from 2000. */
	init_ok(&s, 2000, 2999, 16, 1, 3);
	ck_assert_uint_eq(pb_chain_len(&s, a), 0);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	ck_assert_uint_eq(pb_block_take(&s, 42, &a), 1);
	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(s.blocks[1].owner, 42);
	ck_assert_uint_eq(s.blocks[1].next, PB_NONE);
	ck_assert_uint_eq(s.blocks[1].used, 0);
	ck_assert_uint_eq(pb_chain_len(&s, a), 1);
	for (uint16_t i = 0; i < 16; i++) {
		ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
		ck_assert_uint_eq(port, 2016 + i);
		ck_assert_uint_eq(s.blocks[1].used, i + 1);
	}
	port = 7;
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	ck_assert_uint_eq(port, 7);

	/* Another subscriber gets the next block of the worker. */
	ck_assert_uint_eq(pb_block_take(&s, 43, &b), 4);
	ck_assert_int_eq(pb_port_alloc(&s, b, &port), 0);
	ck_assert_uint_eq(port, 2064);

	/* The new block goes first in the chain and is used first. */
	ck_assert_uint_eq(pb_block_take(&s, 42, &a), 7);
	ck_assert_uint_eq(a, 7);
	ck_assert_uint_eq(s.blocks[7].next, 1);
	ck_assert_uint_eq(pb_chain_len(&s, a), 2);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 2112);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 2113);

	/* A port freed in the older block is found once the head is full. */
	ck_assert_int_eq(pb_port_release(&s, 2020, &a), 0);
	for (uint16_t i = 2; i < 16; i++) {
		ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
		ck_assert_uint_eq(port, 2112 + i);
	}
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 2020);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	ck_assert_uint_eq(pb_chain_len(&s, b), 1);
	pb_free(&s);
}
END_TEST

START_TEST(test_block_exhaustion)
{
	struct pb_space s;
	uint32_t a = PB_NONE, b = PB_NONE, first, second, prev;
	uint16_t port = 0;

	/* 64 ports, 8 blocks of 8, one worker. */
	init_ok(&s, 1024, 1087, 8, 0, 1);
	ck_assert_uint_eq(s.nblocks, 8);
	first = pb_block_take(&s, 1, &a);
	ck_assert_uint_eq(first, 0);
	for (uint16_t i = 0; i < 8; i++) {
		ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
		ck_assert_uint_eq(port, 1024 + i);
	}
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	ck_assert_uint_eq(s.blocks[first].used, 8);

	/* A second block and the subscriber continues there. */
	second = pb_block_take(&s, 1, &a);
	ck_assert_uint_eq(second, 1);
	ck_assert_uint_eq(pb_chain_len(&s, a), 2);
	for (uint16_t i = 0; i < 8; i++) {
		ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
		ck_assert_uint_eq(port, 1032 + i);
	}
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);

	/* Another subscriber takes the other 6, then the worker has none. */
	for (uint32_t i = 2; i < 8; i++)
		ck_assert_uint_eq(pb_block_take(&s, 2, &b), i);
	ck_assert_uint_eq(s.nfree, 0);
	prev = b;
	ck_assert_uint_eq(pb_block_take(&s, 2, &b), PB_NONE);
	ck_assert_uint_eq(b, prev);
	ck_assert_uint_eq(pb_block_take(&s, 1, &a), PB_NONE);
	ck_assert_uint_eq(a, second);
	ck_assert_uint_eq(pb_chain_len(&s, a), 2);
	ck_assert_uint_eq(pb_chain_len(&s, b), 6);

	/* A released port is allocated again; its block is not returned. */
	ck_assert_int_eq(pb_port_release(&s, 1027, &a), 0);
	ck_assert_uint_eq(s.blocks[first].used, 7);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 1027);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);

	/* Emptying the first block returns it, and only it. */
	for (uint16_t p = 1024; p < 1031; p++)
		ck_assert_int_eq(pb_port_release(&s, p, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 1031, &a), 1);
	ck_assert_uint_eq(a, second);
	ck_assert_uint_eq(pb_chain_len(&s, a), 1);
	ck_assert_uint_eq(s.nfree, 1);
	ck_assert_uint_eq(s.free[0], first);
	check_free_list(&s);
	ck_assert_uint_eq(pb_block_take(&s, 2, &b), first);
	ck_assert_int_eq(pb_port_alloc(&s, b, &port), 0);
	ck_assert_uint_eq(port, 1024);
	pb_free(&s);
}
END_TEST

#define EX_SUBS 7

static uint8_t ex_seen[NPORTS];
static uint32_t ex_sub[NPORTS];

/* Worker 2 of 3 hands out all of its blocks and ports to EX_SUBS subscribers. */
static void exhaust(struct pb_space *s, uint32_t *heads, uint32_t nblocks, uint32_t nports)
{
	uint32_t taken = 0, total = 0, per_sub[EX_SUBS];
	uint16_t port;

	memset(ex_seen, 0, sizeof(ex_seen));
	for (uint32_t i = 0; i < EX_SUBS; i++)
		per_sub[i] = 0;
	/* Round robin until the worker has no block left. */
	for (;;) {
		uint32_t sub = taken % EX_SUBS, old = heads[sub];
		uint32_t b = pb_block_take(s, sub, &heads[sub]);

		if (b == PB_NONE) {
			EXPECT(heads[sub] == old, "failed take changed the head");
			break;
		}
		EXPECT(b % 3 == 2, "took block %u of worker %u", b, b % 3);
		EXPECT(heads[sub] == b && s->blocks[b].next == old, "block %u not linked", b);
		taken++;
	}
	EXPECT(taken == nblocks, "%u blocks taken, want %u", taken, nblocks);
	ck_assert_uint_eq(s->nfree, 0);
	/* Every port of every block, each handed out once, all of worker 2. */
	for (uint32_t sub = 0; sub < EX_SUBS; sub++) {
		while (pb_port_alloc(s, heads[sub], &port) == 0) {
			uint32_t b = ref_block(s, port);

			EXPECT(!ex_seen[port], "port %u handed out twice", port);
			EXPECT(pb_port_owner(s, port) == 2, "port %u of worker %u", port,
			       pb_port_owner(s, port));
			EXPECT(b != PB_NONE && s->blocks[b].owner == sub,
			       "subscriber %u got port %u of block %u owned by %u", sub, port, b,
			       b == PB_NONE ? PB_NONE : s->blocks[b].owner);
			ex_seen[port] = 1;
			ex_sub[port] = sub;
			per_sub[sub]++;
			total++;
		}
		EXPECT(per_sub[sub] == pb_chain_len(s, heads[sub]) * s->bsize,
		       "subscriber %u: %u ports from %u blocks", sub, per_sub[sub],
		       pb_chain_len(s, heads[sub]));
	}
	EXPECT(total == nports, "%u ports handed out, want %u", total, nports);
	for (uint32_t p = 0; p < NPORTS; p++)
		EXPECT(ex_seen[p] == (pb_port_owner(s, (uint16_t)p) == 2),
		       "port %u of worker 2 not handed out", p);
	/* Nothing more: no port, no block, no claim. */
	for (uint32_t sub = 0; sub < EX_SUBS; sub++) {
		uint32_t old = heads[sub];

		ck_assert_int_eq(pb_port_alloc(s, heads[sub], &port), -ENOSPC);
		ck_assert_uint_eq(pb_block_take(s, sub, &heads[sub]), PB_NONE);
		ck_assert_uint_eq(heads[sub], old);
	}
	for (uint32_t b = 2; b < s->nblocks; b += 3)
		EXPECT(s->blocks[b].used == s->bsize, "block %u: %u used", b, s->blocks[b].used);
	ck_assert_int_eq(pb_port_claim(s, pb_block_first_port(s, 2)), -EBUSY);
}

/* Releases every port in a scattered order; all blocks go back. */
static void release_all(struct pb_space *s, uint32_t *heads, uint32_t nblocks)
{
	uint32_t returned = 0;

	for (uint32_t k = 0; k < NPORTS; k++) {
		/* An odd multiplier permutes 0..65535. */
		uint32_t p = (k * 40503u + 17) & 0xffff, b;
		int rc;

		if (!ex_seen[p])
			continue;
		b = ref_block(s, p);
		rc = pb_port_release(s, (uint16_t)p, &heads[ex_sub[p]]);
		EXPECT(rc == (s->blocks[b].used == 0 ? 1 : 0), "release %u = %d, %u left", p, rc,
		       s->blocks[b].used);
		EXPECT(!port_marked(s, p), "port %u still marked", p);
		returned += rc == 1;
		ex_seen[p] = 0;
	}
	EXPECT(returned == nblocks, "%u blocks returned, want %u", returned, nblocks);
	ck_assert_uint_eq(s->nfree, nblocks);
	check_free_list(s);
	for (uint32_t sub = 0; sub < EX_SUBS; sub++) {
		ck_assert_uint_eq(heads[sub], PB_NONE);
		ck_assert_uint_eq(pb_chain_len(s, heads[sub]), 0);
	}
	for (uint32_t b = 0; b < s->nblocks; b++)
		EXPECT(s->blocks[b].owner == PB_NONE && s->blocks[b].used == 0,
		       "block %u still owned", b);
	/* A second release finds nothing in use. */
	ck_assert_int_eq(pb_port_release(s, pb_block_first_port(s, 2), &heads[0]), -EINVAL);
}

/* The port-block allocator at exhaustion. */
START_TEST(test_worker_exhaustion)
{
	struct pb_space s;
	uint32_t heads[EX_SUBS];

	/* 6451 blocks of 10; worker 2 of 3 owns 2, 5, ..., 6449: 2150 blocks. */
	init_ok(&s, 1024, 65535, 10, 2, 3);
	ck_assert_uint_eq(s.nfree, 2150);
	for (uint32_t i = 0; i < EX_SUBS; i++)
		heads[i] = PB_NONE;
	exhaust(&s, heads, 2150, 21500);
	release_all(&s, heads, 2150);
	/* Once more from the returned blocks. */
	exhaust(&s, heads, 2150, 21500);
	release_all(&s, heads, 2150);
	pb_free(&s);

	/* Blocks of 100 ports (2 bitmap words) over the whole space: 655
	 * blocks, 218 for worker 2, 65500-65535 unused. */
	init_ok(&s, 0, 65535, 100, 2, 3);
	ck_assert_uint_eq(s.nblocks, 655);
	exhaust(&s, heads, 218, 21800);
	release_all(&s, heads, 218);
	pb_free(&s);
}
END_TEST

START_TEST(test_claim)
{
	struct pb_space s, other;
	uint32_t a = PB_NONE;
	uint16_t port;

	/* Worker 0 of 2, blocks of 8 from 3000: 0 (3000-3007), 2 (3016-3023), ...,
	 * 122 (3976-3983); 3992-3998 is the tail. */
	init_ok(&s, 3000, 3998, 8, 0, 2);
	init_ok(&other, 3000, 3998, 8, 1, 2);
	ck_assert_uint_eq(s.nblocks, 124);
	/* Outside the blocks, and in the other worker's. */
	ck_assert_int_eq(pb_port_claim(&s, 2999), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 0), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 65535), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 3999), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 3995), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&other, 3995), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 3983), 0);
	ck_assert_int_eq(pb_port_claim(&s, 3008), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&s, 3015), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&other, 3007), -EINVAL);
	ck_assert_int_eq(pb_port_claim(&other, 3008), 0);

	/* In a free block: claimed once, then busy. */
	ck_assert_int_eq(pb_port_claim(&s, 3018), 0);
	ck_assert_int_eq(pb_port_claim(&s, 3018), -EBUSY);
	ck_assert_uint_eq(s.blocks[2].used, 1);
	ck_assert_uint_eq(s.blocks[2].owner, PB_NONE);
	/* ... and released without touching any chain. */
	ck_assert_int_eq(pb_port_release(&s, 3018, &a), 0);
	ck_assert_uint_eq(s.blocks[2].used, 0);
	ck_assert_uint_eq(a, PB_NONE);
	check_free_list(&s);

	/* In a subscriber's block: busy once allocated, skipped by the allocator. */
	ck_assert_uint_eq(pb_block_take(&s, 5, &a), 0);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 3000);
	ck_assert_int_eq(pb_port_claim(&s, 3000), -EBUSY);
	ck_assert_int_eq(pb_port_claim(&s, 3003), 0);
	ck_assert_int_eq(pb_port_claim(&s, 3003), -EBUSY);
	ck_assert_uint_eq(s.blocks[0].used, 2);
	/* The claim moved the hint past it; the search wraps for 3001-3002. */
	for (uint16_t i = 0; i < 6; i++) {
		static const uint16_t want[] = {3004, 3005, 3006, 3007, 3001, 3002};

		ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
		ck_assert_uint_eq(port, want[i]);
	}
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	for (uint16_t p = 3000; p < 3008; p++)
		ck_assert_int_eq(pb_port_claim(&s, p), -EBUSY);
	/* The claimed port counts: the block goes back with the last port. */
	for (uint16_t p = 3000; p < 3008; p++)
		ck_assert_int_eq(pb_port_release(&s, p, &a), p == 3007 ? 1 : 0);
	ck_assert_uint_eq(a, PB_NONE);
	check_free_list(&s);
	pb_free(&s);
	pb_free(&other);
}
END_TEST

/*
 * A port claimed in a free block (a static entry) is still in use when a
 * subscriber takes that block: it is not allocated, it keeps the block out
 * of the free list until it is released, and the counts stay right.
 */
START_TEST(test_claim_then_take)
{
	struct pb_space s;
	uint32_t a = PB_NONE;
	uint16_t port;

	init_ok(&s, 3000, 3999, 8, 0, 1);
	ck_assert_int_eq(pb_port_claim(&s, 3002), 0);
	ck_assert_uint_eq(pb_block_take(&s, 5, &a), 0);
	ck_assert_uint_eq(s.blocks[0].used, 1);
	for (uint16_t p = 3000; p < 3008; p++) {
		if (p == 3002)
			continue;
		ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
		ck_assert_uint_eq(port, p);
	}
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	ck_assert_uint_eq(s.blocks[0].used, 8);
	/* The subscriber's ports go; the static one holds the block. */
	for (uint16_t p = 3000; p < 3008; p++) {
		if (p != 3002)
			ck_assert_int_eq(pb_port_release(&s, p, &a), 0);
	}
	ck_assert_uint_eq(s.blocks[0].used, 1);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(pb_chain_len(&s, a), 1);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 3000);
	ck_assert_int_eq(pb_port_release(&s, 3000, &a), 0);
	/* The static port last: now the block is empty and returns. */
	ck_assert_int_eq(pb_port_release(&s, 3002, &a), 1);
	ck_assert_uint_eq(a, PB_NONE);
	ck_assert_uint_eq(s.blocks[0].used, 0);
	check_free_list(&s);
	pb_free(&s);
}
END_TEST

START_TEST(test_release_errors)
{
	struct pb_space s, other;
	uint32_t a = PB_NONE, o = PB_NONE, saved;
	uint16_t port;

	/* Worker 1 of 2, blocks of 4 from 500: worker 1 owns 504-507, 512-515, ... */
	init_ok(&s, 500, 599, 4, 1, 2);
	init_ok(&other, 500, 599, 4, 0, 2);
	/* Nothing in use yet. */
	ck_assert_int_eq(pb_port_release(&s, 504, &a), -EINVAL);
	ck_assert_uint_eq(s.blocks[1].used, 0);
	ck_assert_uint_eq(pb_block_take(&s, 1, &a), 1);
	ck_assert_uint_eq(pb_block_take(&other, 1, &o), 0);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), 0);
	ck_assert_uint_eq(port, 504);
	ck_assert_int_eq(pb_port_alloc(&other, o, &port), 0);
	ck_assert_uint_eq(port, 500);
	saved = a;
	/* A port of the taken block that is not in use. */
	ck_assert_int_eq(pb_port_release(&s, 505, &a), -EINVAL);
	/* A port of a free block. */
	ck_assert_int_eq(pb_port_release(&s, 512, &a), -EINVAL);
	/* The other worker's port, in use there. */
	ck_assert_int_eq(pb_port_release(&s, 500, &a), -EINVAL);
	ck_assert_int_eq(pb_port_release(&other, 504, &o), -EINVAL);
	/* Outside the blocks. */
	ck_assert_int_eq(pb_port_release(&s, 499, &a), -EINVAL);
	ck_assert_int_eq(pb_port_release(&s, 0, &a), -EINVAL);
	ck_assert_int_eq(pb_port_release(&s, 600, &a), -EINVAL);
	ck_assert_int_eq(pb_port_release(&s, 65535, &a), -EINVAL);
	/* None of that changed anything. */
	ck_assert_uint_eq(a, saved);
	ck_assert_uint_eq(s.blocks[1].used, 1);
	ck_assert_uint_eq(other.blocks[0].used, 1);
	ck_assert_uint_eq(pb_chain_len(&s, a), 1);
	ck_assert(port_marked(&s, 504));
	ck_assert(port_marked(&other, 500));
	/* The real release, then a second one. */
	ck_assert_int_eq(pb_port_release(&s, 504, &a), 1);
	ck_assert_uint_eq(a, PB_NONE);
	ck_assert_int_eq(pb_port_release(&s, 504, &a), -EINVAL);
	ck_assert_uint_eq(s.nfree, 12);
	check_free_list(&s);
	ck_assert_int_eq(pb_port_release(&other, 500, &o), 1);
	check_free_list(&other);
	pb_free(&s);
	pb_free(&other);
}
END_TEST

/* A block emptied in the middle, at the end and at the head of a chain. */
START_TEST(test_release_unlink)
{
	struct pb_space s;
	uint32_t a = PB_NONE, b = PB_NONE;
	uint16_t port;

	init_ok(&s, 1000, 1099, 4, 0, 1);
	/* Chains interleaved: a = 4 -> 2 -> 0, b = 5 -> 3 -> 1. */
	for (uint32_t i = 0; i < 6; i++) {
		uint32_t *h = i % 2 ? &b : &a;

		ck_assert_uint_eq(pb_block_take(&s, i % 2, h), i);
		ck_assert_int_eq(pb_port_alloc(&s, *h, &port), 0);
		ck_assert_uint_eq(port, 1000 + 4 * i);
	}
	ck_assert_uint_eq(pb_chain_len(&s, a), 3);
	/* Middle. */
	ck_assert_int_eq(pb_port_release(&s, 1008, &a), 1);
	ck_assert_uint_eq(a, 4);
	ck_assert_uint_eq(s.blocks[4].next, 0);
	ck_assert_uint_eq(pb_chain_len(&s, a), 2);
	/* End. */
	ck_assert_int_eq(pb_port_release(&s, 1000, &a), 1);
	ck_assert_uint_eq(a, 4);
	ck_assert_uint_eq(s.blocks[4].next, PB_NONE);
	/* Head. */
	ck_assert_int_eq(pb_port_release(&s, 1020, &b), 1);
	ck_assert_uint_eq(b, 3);
	ck_assert_uint_eq(pb_chain_len(&s, b), 2);
	ck_assert_uint_eq(pb_chain_len(&s, a), 1);
	check_free_list(&s);
	/* The returned blocks are taken again, most recent first. */
	ck_assert_uint_eq(pb_block_take(&s, 0, &a), 5);
	ck_assert_uint_eq(pb_block_take(&s, 0, &a), 0);
	ck_assert_uint_eq(pb_block_take(&s, 0, &a), 2);
	ck_assert_uint_eq(pb_block_take(&s, 0, &a), 6);
	ck_assert_uint_eq(pb_chain_len(&s, a), 5);
	pb_free(&s);
}
END_TEST

static void alloc_expect(struct pb_space *s, uint32_t head, uint16_t want)
{
	uint16_t port = 0;

	ck_assert_int_eq(pb_port_alloc(s, head, &port), 0);
	ck_assert_uint_eq(port, want);
}

START_TEST(test_hint_wrap)
{
	struct pb_space s;
	uint32_t a = PB_NONE;
	uint16_t port;

	/* One block of 8: 0-5 taken, 1 and 3 freed; the search starts at 6. */
	init_ok(&s, 100, 107, 8, 0, 1);
	ck_assert_uint_eq(pb_block_take(&s, 0, &a), 0);
	for (uint16_t i = 0; i < 6; i++)
		alloc_expect(&s, a, 100 + i);
	ck_assert_int_eq(pb_port_release(&s, 101, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 103, &a), 0);
	ck_assert_uint_eq(s.blocks[0].hint, 6);
	alloc_expect(&s, a, 106);
	alloc_expect(&s, a, 107);
	/* After the last port the hint is back at 0. */
	ck_assert_uint_eq(s.blocks[0].hint, 0);
	alloc_expect(&s, a, 101);
	alloc_expect(&s, a, 103);
	ck_assert_uint_eq(s.blocks[0].hint, 4);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	/* Only 2 free, behind the hint (4): 4-7 are full, the search wraps. */
	ck_assert_int_eq(pb_port_release(&s, 102, &a), 0);
	alloc_expect(&s, a, 102);
	ck_assert_uint_eq(s.blocks[0].hint, 3);
	ck_assert_int_eq(pb_port_release(&s, 100, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 101, &a), 0);
	alloc_expect(&s, a, 100);
	alloc_expect(&s, a, 101);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	/* Free ports behind (1) and after (5) the hint (2): 5 comes first. */
	ck_assert_uint_eq(s.blocks[0].hint, 2);
	ck_assert_int_eq(pb_port_release(&s, 101, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 105, &a), 0);
	alloc_expect(&s, a, 105);
	alloc_expect(&s, a, 101);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	pb_free(&s);

	/* Blocks of 100 (two bitmap words), all taken. */
	init_ok(&s, 1000, 1199, 100, 0, 1);
	a = PB_NONE;
	ck_assert_uint_eq(pb_block_take(&s, 0, &a), 0);
	for (uint16_t i = 0; i < 100; i++)
		alloc_expect(&s, a, 1000 + i);
	ck_assert_int_eq(pb_port_release(&s, 1090, &a), 0);
	alloc_expect(&s, a, 1090);
	ck_assert_uint_eq(s.blocks[0].hint, 91);
	/* From 91 the search wraps into the first word for 5, then 70. */
	ck_assert_int_eq(pb_port_release(&s, 1005, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 1070, &a), 0);
	alloc_expect(&s, a, 1005);
	alloc_expect(&s, a, 1070);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	/* A claim moves the hint too: after 1063 comes 1064, then 1010. */
	ck_assert_int_eq(pb_port_release(&s, 1063, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 1064, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 1010, &a), 0);
	ck_assert_int_eq(pb_port_claim(&s, 1063), 0);
	alloc_expect(&s, a, 1064);
	alloc_expect(&s, a, 1010);
	/* Claiming the last port of the block wraps the hint to 0. */
	ck_assert_int_eq(pb_port_release(&s, 1099, &a), 0);
	ck_assert_int_eq(pb_port_release(&s, 1000, &a), 0);
	ck_assert_int_eq(pb_port_claim(&s, 1099), 0);
	ck_assert_uint_eq(s.blocks[0].hint, 0);
	alloc_expect(&s, a, 1000);
	ck_assert_int_eq(pb_port_alloc(&s, a, &port), -ENOSPC);
	pb_free(&s);
}
END_TEST

/* Churn: random alloc/release against a shadow model. */
#define CH_SUBS   50
#define CH_MIN    20000
#define CH_MAX    24095
#define CH_BSIZE  16
#define CH_BLOCKS 256
#define CH_STEPS  200000
#define NOSUB     UINT32_MAX

static uint64_t rng_state;

/* xorshift64 (Marsaglia). */
static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)((rng_next() >> 32) % n);
}

static uint32_t sh_port_sub[NPORTS];       /* subscriber using the port, NOSUB */
static uint32_t sh_block_owner[CH_BLOCKS]; /* PB_NONE when free */
static uint32_t sh_block_used[CH_BLOCKS];
static uint32_t sh_sub_blocks[CH_SUBS];
static uint16_t sh_sub_port[CH_SUBS][NPORTS / 16]; /* ports in use, unordered */
static uint32_t sh_sub_nports[CH_SUBS];
static uint32_t ch_heads[CH_SUBS];

static void check_block_bits(const struct pb_space *s, uint32_t b)
{
	for (uint32_t off = 0; off < CH_BSIZE; off++) {
		uint32_t p = CH_MIN + b * CH_BSIZE + off;

		EXPECT(port_marked(s, p) == (sh_port_sub[p] != NOSUB), "port %u: bit %d, shadow %u",
		       p, port_marked(s, p), sh_port_sub[p]);
	}
}

/* The library agrees with the shadow model. */
static void check_churn(const struct pb_space *s, uint32_t step, uint32_t touched)
{
	uint32_t nw = s->nworkers, in_use = 0, used = 0, chained = 0, shadow_free = 0;

	for (uint32_t sub = 0; sub < CH_SUBS; sub++)
		in_use += sh_sub_nports[sub];
	for (uint32_t b = s->worker; b < CH_BLOCKS; b += nw) {
		EXPECT(s->blocks[b].used == sh_block_used[b], "step %u block %u: used %u, want %u",
		       step, b, s->blocks[b].used, sh_block_used[b]);
		EXPECT(s->blocks[b].owner == sh_block_owner[b],
		       "step %u block %u: owner %u, want %u", step, b, s->blocks[b].owner,
		       sh_block_owner[b]);
		used += s->blocks[b].used;
		shadow_free += sh_block_owner[b] == PB_NONE;
	}
	EXPECT(used == in_use, "step %u: %u used, %u in use", step, used, in_use);
	for (uint32_t sub = 0; sub < CH_SUBS; sub++) {
		uint32_t n = 0;

		for (uint32_t b = ch_heads[sub]; b != PB_NONE; b = s->blocks[b].next) {
			EXPECT(b < CH_BLOCKS && b % nw == s->worker, "step %u sub %u: block %u",
			       step, sub, b);
			EXPECT(s->blocks[b].owner == sub && sh_block_owner[b] == sub,
			       "step %u: block %u of %u in the chain of %u", step, b,
			       s->blocks[b].owner, sub);
			EXPECT(++n <= sh_sub_blocks[sub], "step %u sub %u: chain too long", step,
			       sub);
		}
		EXPECT(n == sh_sub_blocks[sub], "step %u sub %u: chain of %u, want %u", step, sub,
		       n, sh_sub_blocks[sub]);
		EXPECT(pb_chain_len(s, ch_heads[sub]) == n, "step %u sub %u: pb_chain_len", step,
		       sub);
		chained += n;
	}
	EXPECT(s->nfree == shadow_free && chained + shadow_free == CH_BLOCKS / nw,
	       "step %u: %u free, %u chained, shadow %u free", step, s->nfree, chained,
	       shadow_free);
	if (touched != PB_NONE)
		check_block_bits(s, touched);
	if (step % 4096 == 0) {
		for (uint32_t b = s->worker; b < CH_BLOCKS; b += nw)
			check_block_bits(s, b);
		check_free_list(s);
	}
}

struct churn_stats {
	uint32_t allocs, releases, takes, returns, enospc, no_block, probes;
};

static uint32_t churn_alloc(struct pb_space *s, uint32_t sub, uint32_t step, struct churn_stats *st)
{
	uint32_t want = PB_NONE, b;
	uint16_t port = 0;
	int rc;

	/* The first block of the chain with room. */
	for (b = ch_heads[sub]; b != PB_NONE; b = s->blocks[b].next) {
		if (sh_block_used[b] < CH_BSIZE) {
			want = b;
			break;
		}
	}
	rc = pb_port_alloc(s, ch_heads[sub], &port);
	if (want == PB_NONE) {
		EXPECT(rc == -ENOSPC, "step %u sub %u: alloc %d with all blocks full", step, sub,
		       rc);
		st->enospc++;
		b = pb_block_take(s, sub, &ch_heads[sub]);
		if (b == PB_NONE) {
			EXPECT(s->nfree == 0, "step %u: no block with %u free", step, s->nfree);
			st->no_block++;
			return PB_NONE;
		}
		EXPECT(b < CH_BLOCKS && b % s->nworkers == s->worker &&
		               sh_block_owner[b] == PB_NONE,
		       "step %u sub %u: took block %u owned by %u", step, sub, b,
		       b < CH_BLOCKS ? sh_block_owner[b] : 0);
		EXPECT(ch_heads[sub] == b, "step %u: head %u, took %u", step, ch_heads[sub], b);
		sh_block_owner[b] = sub;
		sh_sub_blocks[sub]++;
		st->takes++;
		want = b;
		rc = pb_port_alloc(s, ch_heads[sub], &port);
		EXPECT(rc == 0 && port == pb_block_first_port(s, b),
		       "step %u: alloc %d port %u in a fresh block %u", step, rc, port, b);
	}
	EXPECT(rc == 0, "step %u sub %u: alloc %d with room in block %u", step, sub, rc, want);
	b = ref_block(s, port);
	EXPECT(b == want, "step %u sub %u: port %u of block %u, want block %u", step, sub, port, b,
	       want);
	EXPECT(sh_port_sub[port] == NOSUB, "step %u sub %u: port %u already used by %u", step, sub,
	       port, sh_port_sub[port]);
	EXPECT(sh_block_owner[b] == sub, "step %u sub %u: port %u from block %u of %u", step, sub,
	       port, b, sh_block_owner[b]);
	sh_port_sub[port] = sub;
	sh_sub_port[sub][sh_sub_nports[sub]++] = port;
	sh_block_used[b]++;
	st->allocs++;
	return b;
}

static uint32_t churn_release(struct pb_space *s, uint32_t sub, uint32_t i, uint32_t step,
                              struct churn_stats *st)
{
	uint16_t port = sh_sub_port[sub][i];
	uint32_t b = ref_block(s, port), before = ch_heads[sub];
	int rc;

	sh_sub_port[sub][i] = sh_sub_port[sub][--sh_sub_nports[sub]];
	sh_port_sub[port] = NOSUB;
	sh_block_used[b]--;
	rc = pb_port_release(s, port, &ch_heads[sub]);
	EXPECT(rc == (sh_block_used[b] == 0 ? 1 : 0), "step %u sub %u: release %u = %d", step, sub,
	       port, rc);
	if (rc == 1) {
		sh_block_owner[b] = PB_NONE;
		sh_sub_blocks[sub]--;
		st->returns++;
	} else {
		EXPECT(ch_heads[sub] == before, "step %u: head moved", step);
	}
	st->releases++;
	return b;
}

static void churn(uint16_t worker, uint16_t nworkers, uint64_t seed)
{
	struct pb_space s;
	struct churn_stats st;
	uint32_t total = 0;

	memset(&st, 0, sizeof(st));
	rng_state = seed;
	for (uint32_t p = 0; p < NPORTS; p++)
		sh_port_sub[p] = NOSUB;
	for (uint32_t b = 0; b < CH_BLOCKS; b++) {
		sh_block_owner[b] = PB_NONE;
		sh_block_used[b] = 0;
	}
	for (uint32_t sub = 0; sub < CH_SUBS; sub++) {
		sh_sub_blocks[sub] = 0;
		sh_sub_nports[sub] = 0;
		ch_heads[sub] = PB_NONE;
	}
	init_ok(&s, CH_MIN, CH_MAX, CH_BSIZE, worker, nworkers);
	ck_assert_uint_eq(s.nblocks, CH_BLOCKS);
	for (uint32_t step = 1; step <= CH_STEPS; step++) {
		/* Phases that fill the worker up and drain it. */
		uint32_t bias = (step / 20000) % 2 ? 30 : 70, r = rng_below(100);
		uint32_t sub = rng_below(CH_SUBS), touched = PB_NONE;

		if (r == 99) {
			/* A port nobody uses, possibly another worker's or outside. */
			uint16_t p = (uint16_t)(CH_MIN - 8 + rng_below(4096 + 16));
			uint32_t before = ch_heads[sub];

			if (sh_port_sub[p] == NOSUB) {
				EXPECT(pb_port_release(&s, p, &ch_heads[sub]) == -EINVAL,
				       "step %u: released unused port %u", step, p);
				EXPECT(ch_heads[sub] == before, "step %u: head moved", step);
				st.probes++;
			}
		} else if (r < bias || sh_sub_nports[sub] == 0) {
			touched = churn_alloc(&s, sub, step, &st);
		} else {
			touched = churn_release(&s, sub, rng_below(sh_sub_nports[sub]), step, &st);
		}
		check_churn(&s, step, touched);
	}
	/* Every path was taken. */
	ck_assert_uint_gt(st.enospc, 100);
	ck_assert_uint_gt(st.no_block, 100);
	ck_assert_uint_gt(st.returns, 100);
	ck_assert_uint_gt(st.takes, 100);
	ck_assert_uint_gt(st.probes, 100);
	/* Drain: everything returns. */
	for (uint32_t sub = 0; sub < CH_SUBS; sub++) {
		total += sh_sub_nports[sub];
		while (sh_sub_nports[sub] > 0)
			churn_release(&s, sub, sh_sub_nports[sub] - 1, CH_STEPS + 1, &st);
		ck_assert_uint_eq(ch_heads[sub], PB_NONE);
	}
	ck_assert_uint_gt(total, 0); /* the drain had ports to return */
	check_churn(&s, 0, PB_NONE);
	ck_assert_uint_eq(s.nfree, CH_BLOCKS / nworkers);
	ck_assert_uint_eq(st.takes, st.returns);
	pb_free(&s);
}

/* Loop index: 0 = the only worker (4096 ports), 1 = worker 1 of 2 (2048). */
START_TEST(test_churn)
{
	if (_i == 0)
		churn(0, 1, 0x9e3779b97f4a7c15ull);
	else
		churn(1, 2, 0x2545f4914f6cdd1dull);
}
END_TEST

static Suite *portblock_suite(void)
{
	Suite *s = suite_create("portblock");
	TCase *init = tcase_create("init");
	TCase *alloc = tcase_create("alloc");
	TCase *stress = tcase_create("stress");

	tcase_add_test(init, test_init_errors);
	tcase_add_test(init, test_init_counts);
	tcase_add_test(init, test_usage);
	tcase_add_test(init, test_owner_three_workers);
	tcase_add_test(init, test_owner_every_port);
	tcase_add_test(init, test_free_lists);
	suite_add_tcase(s, init);

	tcase_add_test(alloc, test_alloc_order);
	tcase_add_test(alloc, test_block_exhaustion);
	tcase_add_test(alloc, test_claim);
	tcase_add_test(alloc, test_claim_then_take);
	tcase_add_test(alloc, test_release_errors);
	tcase_add_test(alloc, test_release_unlink);
	tcase_add_test(alloc, test_hint_wrap);
	suite_add_tcase(s, alloc);

	/* Sanitizer builds are several times slower than the default 4 s allows. */
	tcase_set_timeout(stress, 60);
	tcase_add_test(stress, test_worker_exhaustion);
	tcase_add_loop_test(stress, test_churn, 0, 2);
	suite_add_tcase(s, stress);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(portblock_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
