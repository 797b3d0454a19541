/* Learned tunnel MTUs; see pmtu.h. Open addressing over a fixed array: a
 * key's slots are the PMTU_PROBE after its hash; an empty or expired one
 * is taken, else the one that ends first. */
#include "pmtu.h"

#include <rte_malloc.h>
#include <string.h>

#include "crc.h"
#include "tx.h"

#define SWEEP_SLICE 256 /* slots a tick looks at */

struct dp_pmtu {
	struct addr6 b4;
	uint16_t mtu;    /* 0: empty */
	uint64_t expiry; /* w->now at which it is forgotten */
};

struct pmtu_msg {
	struct addr6 b4;
	uint16_t mtu;
};

int pmtu_init(struct pmtu_state *p)
{
	p->slots = rte_zmalloc("pmtu", sizeof(*p->slots) * PMTU_SLOTS, RTE_CACHE_LINE_SIZE);
	p->n = 0;
	return p->slots ? 0 : -ENOMEM;
}

void pmtu_fini(struct pmtu_state *p)
{
	rte_free(p->slots);
	p->slots = NULL;
	p->n = 0;
}

static uint32_t first_slot(const struct addr6 *b4)
{
	return dp_crc(b4->b, 16, 0) % PMTU_SLOTS;
}

static void forget(struct pmtu_state *p, struct dp_pmtu *e)
{
	e->mtu = 0;
	p->n--;
}

uint16_t pmtu_get(struct dp_worker *w, const struct addr6 *b4)
{
	uint32_t s = first_slot(b4);

	for (int i = 0; i < PMTU_PROBE; i++, s = (s + 1) % PMTU_SLOTS) {
		struct dp_pmtu *e = &w->pmtu.slots[s];

		if (e->mtu == 0 || !addr6_equal(&e->b4, b4))
			continue;
		if (e->expiry > w->now)
			return e->mtu;
		forget(&w->pmtu, e);
		return 0;
	}
	return 0;
}

void pmtu_learn(struct dp_worker *w, const struct addr6 *b4, uint16_t mtu)
{
	struct dp_pmtu *pick = NULL;
	uint32_t s = first_slot(b4);

	for (int i = 0; i < PMTU_PROBE; i++, s = (s + 1) % PMTU_SLOTS) {
		struct dp_pmtu *e = &w->pmtu.slots[s];

		if (e->mtu && addr6_equal(&e->b4, b4)) {
			pick = e;
			break;
		}
		if (e->mtu && e->expiry <= w->now)
			forget(&w->pmtu, e);
		if (pick == NULL || (pick->mtu && (e->mtu == 0 || e->expiry < pick->expiry)))
			pick = e;
	}
	if (pick->mtu == 0)
		w->pmtu.n++;
	else if (!addr6_equal(&pick->b4, b4))
		DP_COUNT(w, PMTU_EVICTED);
	*pick = (struct dp_pmtu){*b4, mtu, w->now + PMTU_LIFETIME};
}

void pmtu_learn_all(struct dp_worker *w, const struct addr6 *b4, uint16_t mtu)
{
	pmtu_learn(w, b4, mtu);
	for (unsigned int i = 0; i < dp.nworkers; i++) {
		struct rte_mbuf *m;
		struct pmtu_msg *msg;

		if (i == w->id)
			continue;
		m = rte_pktmbuf_alloc(dp.mp);
		if (m == NULL ||
		    (msg = (struct pmtu_msg *)rte_pktmbuf_append(m, sizeof(*msg))) == NULL) {
			rte_pktmbuf_free(m);
			w->ctr->drop[DROP_NO_MBUF]++;
			continue;
		}
		*msg = (struct pmtu_msg){*b4, mtu};
		m->hash.usr = HANDOFF_PMTU;
		if (rte_ring_mp_enqueue(dp.worker[i].handoff, m) != 0) {
			DP_DROP(w, HANDOFF_FULL, m);
			continue;
		}
		DP_COUNT(w, HANDOFF_TX);
	}
}

void pmtu_handoff_rx(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct pmtu_msg *msg = rte_pktmbuf_mtod(m, const struct pmtu_msg *);

	pmtu_learn(w, &msg->b4, msg->mtu);
	rte_pktmbuf_free(m);
}

void pmtu_tick(struct dp_worker *w)
{
	struct pmtu_state *p = &w->pmtu;

	if (p->n == 0)
		return;
	for (int i = 0; i < SWEEP_SLICE; i++) {
		struct dp_pmtu *e = &p->slots[p->cursor];

		if (e->mtu && e->expiry <= w->now)
			forget(p, e);
		p->cursor = (p->cursor + 1) % PMTU_SLOTS;
	}
}
