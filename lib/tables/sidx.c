/* The session index; see sidx.h. */
#include "sidx.h"

#include <errno.h>
#include <string.h>

static uint32_t slots_for(uint32_t n)
{
	uint32_t slots = 16;

	while (slots < 2 * (uint64_t)n)
		slots *= 2;
	return slots;
}

size_t sidx_mem_size(uint32_t n)
{
	if (n == 0 || n > SIDX_MAX)
		return 0;
	return (size_t)slots_for(n) * sizeof(struct sidx_slot);
}

void sidx_init(struct sidx *x, uint32_t n, void *mem)
{
	uint32_t slots = slots_for(n);

	x->mask = slots - 1;
	x->n = 0;
	x->slots = mem;
	/* An empty slot holds SIDX_NONE as its value. */
	memset(mem, 0xff, (size_t)slots * sizeof(struct sidx_slot));
}

int sidx_add(struct sidx *x, uint32_t hash, uint32_t val)
{
	uint32_t i = hash & x->mask;

	if ((x->n + 1) * 2 > x->mask + 1)
		return -ENOSPC;
	while (x->slots[i].val != SIDX_NONE)
		i = (i + 1) & x->mask;
	x->slots[i] = (struct sidx_slot){hash, val};
	x->n++;
	return 0;
}

int sidx_del(struct sidx *x, uint32_t hash, uint32_t val)
{
	uint32_t i = hash & x->mask, j;

	for (; x->slots[i].val != val || x->slots[i].hash != hash; i = (i + 1) & x->mask)
		if (x->slots[i].val == SIDX_NONE)
			return -ENOENT;
	/* Backward shift: each later entry of the run that may sit in the
	 * hole (the hole lies between its home slot and where it is) moves
	 * there, leaving a hole where it was, until the run ends. */
	for (j = (i + 1) & x->mask; x->slots[j].val != SIDX_NONE; j = (j + 1) & x->mask) {
		uint32_t home = x->slots[j].hash & x->mask;

		if (((j - home) & x->mask) >= ((j - i) & x->mask)) {
			x->slots[i] = x->slots[j];
			i = j;
		}
	}
	x->slots[i] = (struct sidx_slot){0, SIDX_NONE};
	x->n--;
	return 0;
}
