/* Port blocks; see portblock.h. */
#include "portblock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pb_init(struct pb_space *s, uint16_t min, uint16_t max, uint16_t bsize, uint16_t worker,
            uint16_t nworkers)
{
	uint32_t span = (uint32_t)max - min + 1;

	memset(s, 0, sizeof(*s));
	if (bsize == 0 || max < min || bsize > span || nworkers == 0 || worker >= nworkers)
		return -EINVAL;
	s->min = min;
	s->bsize = bsize;
	s->nblocks = span / bsize;
	s->span = s->nblocks * bsize;
	s->worker = worker;
	s->nworkers = nworkers;
	s->group = 1;
	s->words = (bsize + 63u) / 64u;
	s->blocks = calloc(s->nblocks, sizeof(*s->blocks));
	s->bitmap = calloc((size_t)s->nblocks * s->words, sizeof(*s->bitmap));
	s->free = calloc(s->nblocks / nworkers + 1, sizeof(*s->free));
	if (s->blocks == NULL || s->bitmap == NULL || s->free == NULL) {
		pb_free(s);
		return -ENOMEM;
	}
	/* Pushed high to low so that the lowest block is taken first. */
	for (uint32_t b = s->nblocks; b-- > 0;) {
		s->blocks[b].owner = PB_NONE;
		s->blocks[b].next = PB_NONE;
		if (b % nworkers == worker)
			s->free[s->nfree++] = b;
	}
	return 0;
}

void pb_set_deterministic(struct pb_space *s, uint16_t group)
{
	s->group = group ? group : 1;
	s->deterministic = true;
	s->nfree = 0;
}

uint32_t pb_block_take_at(struct pb_space *s, uint32_t b, uint32_t subscriber, uint32_t *head)
{
	if (b >= s->nblocks || pb_block_owner(s, b) != s->worker || s->blocks[b].owner != PB_NONE)
		return PB_NONE;
	s->blocks[b].owner = subscriber;
	s->blocks[b].next = *head;
	s->blocks[b].hint = 0;
	*head = b;
	return b;
}

void pb_free(struct pb_space *s)
{
	free(s->blocks);
	free(s->bitmap);
	free(s->free);
	memset(s, 0, sizeof(*s));
}

uint32_t pb_block_take(struct pb_space *s, uint32_t subscriber, uint32_t *head)
{
	uint32_t b;

	if (s->nfree == 0)
		return PB_NONE;
	b = s->free[--s->nfree];
	/* used is kept: it counts the ports claimed while the block was free. */
	s->blocks[b].owner = subscriber;
	s->blocks[b].next = *head;
	s->blocks[b].hint = 0;
	*head = b;
	return b;
}

/* First clear bit at or after the hint, wrapping; -1 if the block is full. */
static int find_free(const struct pb_space *s, uint32_t b)
{
	const uint64_t *w = &s->bitmap[(size_t)b * s->words];
	uint16_t hint = s->blocks[b].hint;

	for (uint32_t i = 0; i < s->bsize; i++) {
		uint32_t off = (hint + i) % s->bsize;

		if (!(w[off / 64] & (1ull << (off % 64))))
			return (int)off;
	}
	return -1;
}

static void mark(struct pb_space *s, uint32_t b, uint32_t off)
{
	s->bitmap[(size_t)b * s->words + off / 64] |= 1ull << (off % 64);
	s->blocks[b].used++;
	s->blocks[b].hint = (uint16_t)((off + 1) % s->bsize);
}

int pb_port_alloc(struct pb_space *s, uint32_t head, uint16_t *port)
{
	for (uint32_t b = head; b != PB_NONE; b = s->blocks[b].next) {
		int off;

		if (s->blocks[b].used >= s->bsize || (off = find_free(s, b)) < 0)
			continue;
		mark(s, b, (uint32_t)off);
		*port = (uint16_t)(pb_block_first_port(s, b) + off);
		return 0;
	}
	return -ENOSPC;
}

static bool is_marked(const struct pb_space *s, uint32_t b, uint32_t off)
{
	return s->bitmap[(size_t)b * s->words + off / 64] & (1ull << (off % 64));
}

int pb_port_claim(struct pb_space *s, uint16_t port)
{
	uint32_t b = pb_block_of(s, port), off;

	if (b == PB_NONE || pb_block_owner(s, b) != s->worker)
		return -EINVAL;
	off = port - pb_block_first_port(s, b);
	if (is_marked(s, b, off))
		return -EBUSY;
	mark(s, b, off);
	return 0;
}

/* Unlinks block b from the chain at *head and puts it back on the free list. */
static void block_return(struct pb_space *s, uint32_t b, uint32_t *head)
{
	uint32_t *link = head;

	while (*link != PB_NONE && *link != b)
		link = &s->blocks[*link].next;
	if (*link == b)
		*link = s->blocks[b].next;
	s->blocks[b].owner = PB_NONE;
	s->blocks[b].next = PB_NONE;
	if (!s->deterministic)
		s->free[s->nfree++] = b;
}

int pb_port_release(struct pb_space *s, uint16_t port, uint32_t *head)
{
	uint32_t b = pb_block_of(s, port), off;

	if (b == PB_NONE || pb_block_owner(s, b) != s->worker)
		return -EINVAL;
	off = port - pb_block_first_port(s, b);
	if (!is_marked(s, b, off))
		return -EINVAL;
	s->bitmap[(size_t)b * s->words + off / 64] &= ~(1ull << (off % 64));
	if (--s->blocks[b].used > 0 || s->blocks[b].owner == PB_NONE)
		return 0;
	block_return(s, b, head);
	return 1;
}

void pb_usage(const struct pb_space *s, struct pb_usage *u)
{
	*u = (struct pb_usage){0};
	for (uint32_t b = 0; s->blocks && b < s->nblocks; b++) {
		if (pb_block_owner(s, b) != s->worker)
			continue;
		u->blocks++;
		u->blocks_free += s->blocks[b].owner == PB_NONE;
		u->ports_used += s->blocks[b].used;
	}
	u->ports = u->blocks * s->bsize;
}

uint32_t pb_chain_len(const struct pb_space *s, uint32_t head)
{
	uint32_t n = 0;

	for (uint32_t b = head; b != PB_NONE; b = s->blocks[b].next)
		n++;
	return n;
}
