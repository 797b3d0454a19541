/* Deterministic port blocks (nat.deterministic): RFC 7422's idea applied
 * to B4 addresses. The B4s of a configured IPv6 prefix are numbered by the
 * bits between the prefix and subscriber_length (a /56 each: their /56);
 * subscriber i holds, on pool address pools[i / per_addr] (in the order
 * of the configuration), blocks slot * K .. slot * K + K - 1 of each
 * protocol (slot = i % per_addr; K = that protocol's nat.max_blocks, or as
 * many as nat_maxcount needs). The mapping is a formula both ways: an
 * address and port tell the subscriber without any log (aftrctl config
 * map). Pure computation over the configuration. */
#ifndef AFTR_DETERM_H
#define AFTR_DETERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

struct determ {
	bool on;
	struct prefix6 prefix;
	uint8_t len;                 /* subscriber_length */
	uint64_t count;              /* subscribers: 2^(len - prefix.len) */
	uint32_t per_addr;           /* subscribers per pool address */
	uint32_t n_addrs;            /* pool addresses */
	uint16_t min[CFG_NPROTO];    /* the pools' dynamic range's first port */
	uint16_t bsize[CFG_NPROTO];  /* ports per block */
	uint16_t blocks[CFG_NPROTO]; /* blocks per subscriber (K) */
};

/* The mapping of cfg (off without nat.deterministic): 0, or -1 with why it
 * cannot be (too many subscribers for the pools, pools of unlike ranges)
 * in err. */
int determ_init(struct determ *d, const struct aftr_config *cfg, char *err, size_t len);
/* Subscriber number of b4, or -1 outside the prefix. */
int64_t determ_index(const struct determ *d, const struct addr6 *b4);
/* Subscriber i's pool (index in cfg's pools) and slot on it. */
static inline uint32_t determ_pool(const struct determ *d, uint64_t i)
{
	return (uint32_t)(i / d->per_addr);
}
static inline uint32_t determ_slot(const struct determ *d, uint64_t i)
{
	return (uint32_t)(i % d->per_addr);
}
/* Its n-th block of protocol p (n < blocks[p]), as a block number of the
 * pool's range. */
static inline uint32_t determ_block(const struct determ *d, uint64_t i, enum cfg_proto p,
                                    uint32_t n)
{
	return determ_slot(d, i) * d->blocks[p] + n;
}
/* Its ports of protocol p: first..last. */
void determ_ports(const struct determ *d, uint64_t i, enum cfg_proto p, uint16_t *first,
                  uint16_t *last);
/* The subscriber holding port of protocol p on pool pool, or -1 (not a
 * deterministic port, or a slot past the subscribers). */
int64_t determ_reverse(const struct determ *d, uint32_t pool, enum cfg_proto p, uint16_t port);
/* Subscriber i's B4 prefix (prefix bits, its number, zeros). */
void determ_prefix(const struct determ *d, uint64_t i, struct prefix6 *out);

#endif
