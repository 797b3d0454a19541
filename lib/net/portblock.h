/* Port blocks: how one worker hands out the public ports of one pool
 * address and protocol (ISC "bucket"s).
 *
 * The dynamic range [min, max] is cut into blocks of `bsize` ports; block b
 * covers min + b * bsize .. min + (b + 1) * bsize - 1 (a short tail that is
 * not a whole block is not used). Block b belongs to worker b % nworkers
 * (deterministic blocks: (b / group) % nworkers, see determ.h), so
 * the owner of a returning packet is a division away (DESIGN: "a table
 * lookup on (dst IPv4, dst port >> shift)"). A subscriber takes whole blocks
 * (logged per block, RFC 6888 REQ-12's spirit) and allocates ports inside
 * them; a freed port is held before reuse (RFC 6888 REQ-8, ISC's hold queue)
 * and a block whose ports are all free and past their hold returns to the
 * worker's free list.
 *
 * Single-threaded: one instance per worker, no locks. Memory is allocated
 * once by pb_init (not on the packet path). */
#ifndef AFTR_PORTBLOCK_H
#define AFTR_PORTBLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define PB_NONE UINT32_MAX

struct pb_block {
	uint32_t owner; /* subscriber id, PB_NONE when free */
	uint32_t next;  /* next block of the same subscriber, PB_NONE at the end */
	uint16_t used;  /* ports in use or held */
	uint16_t hint;  /* where the next search starts */
};

struct pb_space {
	uint16_t min;     /* first port of block 0 */
	uint16_t bsize;   /* ports per block */
	uint32_t nblocks; /* blocks in the whole range (all workers) */
	uint16_t worker, nworkers;
	uint16_t group;          /* blocks that go to one worker in a row (1; determ.h: K) */
	bool deterministic;      /* blocks taken by number, no free list */
	uint32_t words;          /* 64-bit words of bitmap per block */
	uint32_t span;           /* nblocks * bsize: the ports the blocks hold */
	struct pb_block *blocks; /* [nblocks]; only this worker's are used */
	uint64_t *bitmap;        /* [nblocks * words]: 1 = in use or held */
	uint32_t *free;          /* stack of this worker's free block indices */
	uint32_t nfree;
};

/* Sets up the space of one (pool address, protocol) for one worker.
 * Returns 0, or -ENOMEM / -EINVAL (bsize 0 or bigger than the range). */
int pb_init(struct pb_space *s, uint16_t min, uint16_t max, uint16_t bsize, uint16_t worker,
            uint16_t nworkers);
void pb_free(struct pb_space *s);

/* The block of a port, or PB_NONE outside the blocks. */
static inline uint32_t pb_block_of(const struct pb_space *s, uint16_t port)
{
	uint32_t b;

	if (port < s->min)
		return PB_NONE;
	b = ((uint32_t)port - s->min) / s->bsize;
	return b < s->nblocks ? b : PB_NONE;
}

/* The worker that owns block b: groups of `group` blocks in turn. */
static inline uint16_t pb_block_owner(const struct pb_space *s, uint32_t b)
{
	return s->nworkers == 1
	               ? 0
	               : (uint16_t)((b / s->group) % s->nworkers); /* no division for one */
}

/* The worker that owns a port of the space (any worker may ask). Ports
 * outside the blocks return UINT16_MAX. Inline: every packet to a pool
 * address asks. */
static inline uint16_t pb_port_owner(const struct pb_space *s, uint16_t port)
{
	/* Below min, the offset wraps past the span. With one worker, no
	 * division: a port in the blocks is its. */
	uint32_t off = (uint32_t)port - s->min;

	if (off >= s->span)
		return UINT16_MAX;
	return s->nworkers == 1 ? 0 : pb_block_owner(s, off / s->bsize);
}

/* Deterministic blocks (determ.h): a subscriber's `group` blocks in a row
 * go to one worker, and are taken by number (pb_block_take_at), never
 * from a free list. Right after pb_init. */
void pb_set_deterministic(struct pb_space *s, uint16_t group);
/* Takes block b for a subscriber (first in its chain at *head): b, or
 * PB_NONE when it is held (or not this worker's). */
uint32_t pb_block_take_at(struct pb_space *s, uint32_t b, uint32_t subscriber, uint32_t *head);

/* Takes a free block for a subscriber whose chain starts at *head; the new
 * block goes first in the chain. Returns the block index or PB_NONE when
 * this worker has none left. */
uint32_t pb_block_take(struct pb_space *s, uint32_t subscriber, uint32_t *head);

/* Allocates a free port in the subscriber's chain (starting with the head
 * block). Returns 0 and the port, or -ENOSPC when every block is full. */
int pb_port_alloc(struct pb_space *s, uint32_t head, uint16_t *port);

/* Marks a port used (for static entries and tests). -EINVAL if outside
 * this worker's blocks, -EBUSY if already used. */
int pb_port_claim(struct pb_space *s, uint16_t port);

/* Releases a port (after its hold). When the block becomes empty it leaves
 * the subscriber's chain (*head updated) and returns to the free list; the
 * result is then 1, else 0. -EINVAL for a port not in use. */
int pb_port_release(struct pb_space *s, uint16_t port, uint32_t *head);

/* One worker's share of a space: its blocks, those no subscriber holds,
 * and their ports, those in use or waiting out their hold time. */
struct pb_usage {
	uint32_t blocks, blocks_free, ports, ports_used;
};
void pb_usage(const struct pb_space *s, struct pb_usage *u);

/* Number of blocks in a chain. */
uint32_t pb_chain_len(const struct pb_space *s, uint32_t head);

/* The layout of a space (first port, block size, blocks, workers) without
 * its blocks: what pb_port_owner needs, to share read-only. */
static inline struct pb_space pb_layout(const struct pb_space *s)
{
	return (struct pb_space){.min = s->min,
	                         .bsize = s->bsize,
	                         .nblocks = s->nblocks,
	                         .span = s->span,
	                         .worker = s->worker,
	                         .nworkers = s->nworkers,
	                         .group = s->group,
	                         .deterministic = s->deterministic};
}

static inline uint16_t pb_block_first_port(const struct pb_space *s, uint32_t block)
{
	return (uint16_t)(s->min + block * s->bsize);
}

#endif
