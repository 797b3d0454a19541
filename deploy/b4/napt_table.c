/*
 * The lwB4's NAPT44 tables: the binding and the mappings (see napt.h).
 *
 * One table per protocol, as big as the port set: the mapping at index i owns public port
 * psid_port_nth(i), so a public port finds its mapping in O(1) and no port outside the set can
 * ever be handed out. Inside (address, port) pairs find theirs through a chained hash. An
 * expired mapping stays where it is until a lookup passes it, a new mapping wants its port, or
 * a sweep (SIGUSR1, counters) frees it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "napt.h"
#include "napt_int.h"

static uint32_t bucket_of(const struct napt_table *t, uint32_t addr, uint16_t port)
{
	uint32_t h = addr ^ ((uint32_t)port * 0x9e3779b1u);

	h ^= h >> 15;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h & t->mask;
}

/* Takes mapping idx out of its hash chain and frees it. */
static void map_free(struct napt *n, struct napt_table *t, uint32_t idx)
{
	struct napt_map *m = &t->map[idx];
	uint32_t *link = &t->bucket[bucket_of(t, m->int_addr, m->int_port)];

	while (*link != idx && *link != NAPT_NIL)
		link = &t->map[*link].next;
	if (*link == idx)
		*link = m->next;
	m->expires = 0;
	t->active--;
	n->ctr->v[CTR_napt_mappings_expired]++;
}

uint32_t napt_find_int(struct napt *n, enum napt_proto pr, uint32_t addr, uint16_t port,
                       uint64_t now)
{
	struct napt_table *t = &n->t[pr];
	uint32_t idx = t->bucket[bucket_of(t, addr, port)];

	while (idx != NAPT_NIL) {
		struct napt_map *m = &t->map[idx];
		uint32_t next = m->next;

		if (m->expires <= now)
			map_free(n, t, idx);
		else if (m->int_addr == addr && m->int_port == port)
			return idx;
		idx = next;
	}
	return NAPT_NIL;
}

uint32_t napt_find_ext(struct napt *n, enum napt_proto pr, uint16_t ext_port, uint64_t now)
{
	struct napt_table *t = &n->t[pr];
	uint32_t idx;

	if (!psid_test_port(n->test, ext_port))
		return NAPT_NIL;
	idx = psid_port_index(&n->ps, ext_port);
	if (t->map[idx].expires == 0)
		return NAPT_NIL;
	if (t->map[idx].expires <= now) {
		map_free(n, t, idx);
		return NAPT_NIL;
	}
	return idx;
}

static bool slot_free(struct napt *n, struct napt_table *t, uint32_t idx, uint64_t now)
{
	if (t->map[idx].expires != 0 && t->map[idx].expires <= now)
		map_free(n, t, idx);
	return t->map[idx].expires == 0;
}

/* A free index: the inside port's own when it is in the set and free, else the first free one
 * from a random place (RFC 6056's spirit: not guessable from outside). */
static uint32_t pick(struct napt *n, struct napt_table *t, uint16_t port, uint64_t now)
{
	uint32_t start, idx;

	if (port != 0 && psid_test_port(n->test, port) &&
	    slot_free(n, t, psid_port_index(&n->ps, port), now))
		return psid_port_index(&n->ps, port);
	/* Full a moment ago: scan again once a second at most, not for every new flow of a
	 * flood (a scan of a whole address's set is 64,512 looks). */
	if (t->full && now < t->rescan_at)
		return NAPT_NIL;
	n->rnd ^= n->rnd << 13; /* xorshift64 */
	n->rnd ^= n->rnd >> 7;
	n->rnd ^= n->rnd << 17;
	start = (uint32_t)(n->rnd % n->nports);
	for (uint32_t i = 0; i < n->nports; i++) {
		idx = start + i < n->nports ? start + i : start + i - n->nports;
		if (napt_ext_port(n, idx) != 0 && slot_free(n, t, idx, now)) /* 0: no port */
			return idx;
	}
	return NAPT_NIL;
}

/* A new mapping for inside (addr, port), or NAPT_NIL when the set is used up (counted). */
uint32_t napt_map_new(struct napt *n, enum napt_proto pr, uint32_t addr, uint16_t port,
                      uint64_t now)
{
	struct napt_table *t = &n->t[pr];
	uint32_t idx = pick(n, t, port, now), *head;

	if (idx == NAPT_NIL) {
		n->ctr->v[CTR_tx_drop_ports_exhausted]++;
		if (!t->full && n->log != NULL) /* said once until a port is free again */
			fprintf(n->log,
			        "aftr-b4: %s: every port of the set (%u) is mapped: new flows are "
			        "dropped (tx_drop_ports_exhausted)\n",
			        pr == NAPT_TCP   ? "TCP"
			        : pr == NAPT_UDP ? "UDP"
			                         : "ICMP",
			        n->nports);
		t->full = true;
		t->rescan_at = now + 1000;
		return NAPT_NIL;
	}
	t->full = false;
	head = &t->bucket[bucket_of(t, addr, port)];
	t->map[idx] = (struct napt_map){
	        .expires = now + 1, .int_addr = addr, .int_port = port, .next = *head};
	*head = idx;
	t->active++;
	n->ctr->v[CTR_napt_mappings_created]++;
	return idx;
}

void napt_sweep(struct napt *n, uint64_t now)
{
	static const enum b4_counter gauge[NAPT_NPROTO] = {CTR_napt_active_tcp, CTR_napt_active_udp,
	                                                   CTR_napt_active_icmp};

	for (int pr = 0; pr < NAPT_NPROTO && n->on; pr++) {
		struct napt_table *t = &n->t[pr];

		for (uint32_t i = 0; i < n->nports; i++) {
			if (t->map[i].expires != 0 && t->map[i].expires <= now)
				map_free(n, t, i);
		}
		n->ctr->v[gauge[pr]] = t->active;
	}
}

void napt_free(struct napt *n)
{
	for (int pr = 0; pr < NAPT_NPROTO; pr++) {
		struct napt_table *t = &n->t[pr];

		free(t->map);
		t->map = NULL;
		free(t->bucket);
		t->bucket = NULL;
		t->active = 0;
		t->full = false;
		t->rescan_at = 0;
	}
	n->on = false;
}

static int table_alloc(struct napt_table *t, uint32_t nports)
{
	uint32_t nb = 1;

	while (nb < nports)
		nb <<= 1;
	t->map = calloc(nports, sizeof(*t->map));
	t->bucket = malloc(nb * sizeof(*t->bucket));
	if (t->map == NULL || t->bucket == NULL)
		return -ENOMEM;
	memset(t->bucket, 0xff, nb * sizeof(*t->bucket)); /* NAPT_NIL */
	t->mask = nb - 1;
	t->active = 0;
	return 0;
}

int napt_bind(struct napt *n, uint32_t ext_addr, const struct psid_params *ps,
              const struct napt_timeouts *to, struct b4_counters *ctr, char *err, size_t errlen)
{
	uint64_t seed;

	napt_free(n);
	if (psid_params_validate(ps, err, errlen) < 0)
		return -EINVAL;
	n->ps = *ps;
	n->test = psid_test_of(ps);
	n->nports = psid_port_count(ps);
	n->ext_addr = ext_addr;
	n->ctr = ctr;
	n->timeout_ms[NAPT_TCP] = (uint64_t)to->tcp * 1000;
	n->timeout_ms[NAPT_UDP] = (uint64_t)to->udp * 1000;
	n->timeout_ms[NAPT_ICMP] = (uint64_t)to->icmp * 1000;
	memset(n->frag, 0, sizeof(n->frag));
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
	n->rnd = seed | 1; /* xorshift must not start at 0 */
	for (int pr = 0; pr < NAPT_NPROTO; pr++) {
		if (table_alloc(&n->t[pr], n->nports) < 0) {
			napt_free(n);
			snprintf(err, errlen, "NAPT tables for %u ports: out of memory", n->nports);
			return -ENOMEM;
		}
	}
	n->on = true;
	return 0;
}
