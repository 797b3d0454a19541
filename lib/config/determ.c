/* Deterministic port blocks; see determ.h. */
#include "determ.h"

#include <stdio.h>
#include <string.h>

/* Bit b of a (0: the most significant). */
static unsigned int bit(const struct addr6 *a, unsigned int b)
{
	return (a->b[b / 8] >> (7 - b % 8)) & 1u;
}

static uint16_t blocks_of(const struct aftr_config *cfg, enum cfg_proto p)
{
	uint32_t need;

	if (cfg->fixed.max_blocks[p])
		return cfg->fixed.max_blocks[p];
	need = ((uint32_t)cfg->fixed.tun.nat_maxcount[p] + cfg->fixed.port_block[p] - 1u) /
	       cfg->fixed.port_block[p];
	return (uint16_t)(need ? need : 1);
}

int determ_init(struct determ *d, const struct aftr_config *cfg, char *err, size_t len)
{
	uint32_t per = UINT32_MAX;

	memset(d, 0, sizeof(*d));
	if (!cfg->fixed.has_determ)
		return 0;
	d->prefix = cfg->fixed.determ_prefix;
	d->len = cfg->fixed.determ_len;
	d->n_addrs = (uint32_t)cfg->fixed.n_pools;
	if (d->len <= d->prefix.len || d->len - d->prefix.len > 32) {
		snprintf(err, len,
		         "subscriber_length %u: longer than the prefix (/%u), by 32 bits at most",
		         d->len, d->prefix.len);
		return -1;
	}
	d->count = 1ull << (d->len - d->prefix.len);
	if (d->n_addrs == 0) {
		snprintf(err, len, "needs pools");
		return -1;
	}
	for (int p = 0; p < CFG_NPROTO; p++) {
		struct port_range r = cfg_pool_range(cfg, &cfg->fixed.pools[0], (enum cfg_proto)p);
		uint32_t nblocks;

		for (size_t k = 1; k < d->n_addrs; k++) {
			struct port_range o =
			        cfg_pool_range(cfg, &cfg->fixed.pools[k], (enum cfg_proto)p);

			if (o.min != r.min || o.max != r.max) {
				snprintf(err, len,
				         "the pools' %s ranges differ (pools[%zu]): every address "
				         "must have the same blocks",
				         cfg_proto_names[p], k);
				return -1;
			}
		}
		d->min[p] = r.min;
		d->bsize[p] = cfg->fixed.port_block[p];
		d->blocks[p] = blocks_of(cfg, (enum cfg_proto)p);
		nblocks = ((uint32_t)r.max - r.min + 1u) / d->bsize[p];
		if (nblocks / d->blocks[p] < per)
			per = nblocks / d->blocks[p];
	}
	d->per_addr = per;
	if (per == 0 || d->count > (uint64_t)per * d->n_addrs) {
		snprintf(err, len,
		         "%llu subscribers (/%u to /%u) need %llu pool addresses at %u each "
		         "(the pools' blocks / nat.max_blocks); the pools have %u",
		         (unsigned long long)d->count, d->prefix.len, d->len,
		         per ? (unsigned long long)((d->count + per - 1) / per) : 0ull, per,
		         d->n_addrs);
		return -1;
	}
	d->on = true;
	return 0;
}

int64_t determ_index(const struct determ *d, const struct addr6 *b4)
{
	uint64_t i = 0;

	if (!d->on || !prefix6_contains(&d->prefix, b4))
		return -1;
	for (unsigned int b = d->prefix.len; b < d->len; b++)
		i = i << 1 | bit(b4, b);
	return (int64_t)i;
}

void determ_ports(const struct determ *d, uint64_t i, enum cfg_proto p, uint16_t *first,
                  uint16_t *last)
{
	uint32_t b = determ_block(d, i, p, 0);

	*first = (uint16_t)(d->min[p] + b * d->bsize[p]);
	*last = (uint16_t)(*first + (uint32_t)d->blocks[p] * d->bsize[p] - 1u);
}

int64_t determ_reverse(const struct determ *d, uint32_t pool, enum cfg_proto p, uint16_t port)
{
	uint64_t slot, i;

	if (!d->on || pool >= d->n_addrs || port < d->min[p])
		return -1;
	slot = ((uint32_t)port - d->min[p]) / d->bsize[p] / d->blocks[p];
	if (slot >= d->per_addr)
		return -1;
	i = (uint64_t)pool * d->per_addr + slot;
	return i < d->count ? (int64_t)i : -1;
}

void determ_prefix(const struct determ *d, uint64_t i, struct prefix6 *out)
{
	memset(out, 0, sizeof(*out));
	out->addr = d->prefix.addr;
	out->len = d->len;
	for (unsigned int b = d->len; b-- > d->prefix.len; i >>= 1) {
		uint8_t m = (uint8_t)(1u << (7 - b % 8));

		out->addr.b[b / 8] = (uint8_t)((out->addr.b[b / 8] & ~m) | ((i & 1) ? m : 0));
	}
}
