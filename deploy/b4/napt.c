/*
 * The lwB4's NAPT44: the binding, the mapping tables and the TCP, UDP and ICMP echo path.
 * See napt.h for the behaviour and the requirements it follows; ICMP errors are napt_icmp.c.
 *
 * One table per protocol, as big as the port set: the mapping at index i owns public port
 * psid_port_nth(i), so a public port finds its mapping in O(1) and no port outside the set can
 * ever be handed out. Inside (address, port) pairs find theirs through a chained hash. An
 * expired mapping stays where it is until a lookup passes it, a new mapping wants its port, or
 * a sweep (SIGUSR1, counters) frees it.
 */
#include "napt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "cksum.h"
#include "napt_int.h"

/* TCP bits seen on a mapping (RFC 5382 REQ-5 tells established from transitory). */
#define T_OUT     0x01
#define T_IN      0x02
#define T_FIN_OUT 0x04
#define T_FIN_IN  0x08
#define T_RST     0x10

enum napt_proto napt_proto_of(uint8_t proto)
{
	switch (proto) {
	case AFTR_IPPROTO_TCP:
		return NAPT_TCP;
	case AFTR_IPPROTO_UDP:
		return NAPT_UDP;
	case AFTR_IPPROTO_ICMP:
		return NAPT_ICMP;
	default:
		return NAPT_NPROTO;
	}
}

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
static uint32_t map_new(struct napt *n, enum napt_proto pr, uint32_t addr, uint16_t port,
                        uint64_t now)
{
	struct napt_table *t = &n->t[pr];
	uint32_t idx = pick(n, t, port, now), *head;

	if (idx == NAPT_NIL) {
		n->ctr->v[CTR_tx_drop_ports_exhausted]++;
		return NAPT_NIL;
	}
	head = &t->bucket[bucket_of(t, addr, port)];
	t->map[idx] = (struct napt_map){
	        .expires = now + 1, .int_addr = addr, .int_port = port, .next = *head};
	*head = idx;
	t->active++;
	n->ctr->v[CTR_napt_mappings_created]++;
	return idx;
}

/* The mapping's new expiry after a packet (TCP flags: the transport header's byte 13). */
static void refresh(struct napt *n, enum napt_proto pr, struct napt_map *m, bool out,
                    const uint8_t *l4, size_t l4len, uint64_t now)
{
	uint64_t timeout = n->timeout_ms[pr];

	if (pr == NAPT_TCP && l4len >= AFTR_TCP_HDR_LEN) {
		uint8_t f = l4[13];

		if (out && (f & AFTR_TCP_SYN) && !(f & AFTR_TCP_ACK))
			m->tcp = 0; /* a new connection from the same inside port */
		m->tcp |= out ? T_OUT : T_IN;
		if (f & AFTR_TCP_FIN)
			m->tcp |= out ? T_FIN_OUT : T_FIN_IN;
		if (f & AFTR_TCP_RST)
			m->tcp |= T_RST;
		if ((m->tcp & (T_OUT | T_IN)) != (T_OUT | T_IN) || (m->tcp & T_RST) ||
		    (m->tcp & (T_FIN_OUT | T_FIN_IN)) == (T_FIN_OUT | T_FIN_IN))
			timeout = (uint64_t)NAPT_TCP_TRANS_S * 1000;
	}
	m->expires = now + timeout;
}

void napt_rewrite(uint8_t *ip, size_t len, unsigned int field, uint32_t addr, int port)
{
	size_t ihl = ip_hlen(ip);
	uint8_t *l4 = ip + ihl;
	size_t l4len = len > ihl ? len - ihl : 0;
	uint32_t old = ld32(ip + field);
	unsigned int ck_off, port_off = field == IP_SRC ? 0 : 2;
	bool pseudo = true, has_ck;
	uint16_t ck;

	st16(ip + 10, cksum_update32(ld16(ip + 10), old, addr));
	memcpy(ip + field, &addr, sizeof(addr));
	if (ip_frag_off(ip) != 0)
		return;
	switch (ip[9]) {
	case AFTR_IPPROTO_TCP:
		ck_off = 16;
		break;
	case AFTR_IPPROTO_UDP:
		ck_off = 6;
		break;
	case AFTR_IPPROTO_ICMP: /* no pseudo-header (RFC 792); the identifier is the port */
		ck_off = 2;
		port_off = 4;
		pseudo = false;
		break;
	default:
		return;
	}
	ck = l4len >= ck_off + 2 ? ld16(l4 + ck_off) : 0;
	/* A UDP checksum of 0 means none (RFC 768): it stays 0. */
	has_ck = l4len >= ck_off + 2 && !(ip[9] == AFTR_IPPROTO_UDP && ck == 0);
	if (has_ck && pseudo)
		ck = cksum_update32(ck, old, addr);
	if (port >= 0 && l4len >= port_off + 2) {
		uint16_t np = htons((uint16_t)port);

		if (has_ck)
			ck = cksum_update16(ck, ld16(l4 + port_off), np);
		st16(l4 + port_off, np);
	}
	if (has_ck)
		st16(l4 + ck_off, ip[9] == AFTR_IPPROTO_UDP && ck == 0 ? 0xffff : ck);
}

/* Room for the ports (and the TCP flags, the ICMP identifier) of a first fragment. */
static size_t l4_min(enum napt_proto pr)
{
	return pr == NAPT_TCP ? AFTR_TCP_HDR_LEN : 8;
}

/* The port or identifier that names the inside or outside end of a packet. */
static uint16_t port_at(enum napt_proto pr, const uint8_t *l4, bool src)
{
	return be16(l4 + (pr == NAPT_ICMP ? 4 : src ? 0 : 2));
}

static bool drop(struct napt *n, enum b4_counter c)
{
	n->ctr->v[c]++;
	return false;
}

bool napt_out(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	size_t ihl = ip_hlen(p);
	enum napt_proto pr = napt_proto_of(p[9]);
	uint8_t *l4 = p + ihl;
	uint32_t src = ld32(p + IP_SRC), idx;

	if (!n->on)
		return drop(n, CTR_tx_drop_no_binding);
	if (pr == NAPT_NPROTO)
		return drop(n, CTR_tx_drop_napt_unsupported);
	if (ip_frag_off(p) != 0) { /* its first fragment carried the ports */
		napt_rewrite(p, len, IP_SRC, n->ext_addr, -1);
		return true;
	}
	if (len < ihl + l4_min(pr))
		return drop(n, CTR_tx_drop_napt_truncated);
	if (pr == NAPT_ICMP && l4[0] != ICMP_ECHO) {
		if (l4[0] == ICMP_UNREACH || l4[0] == ICMP_TIME_EXCEED || l4[0] == ICMP_PARAM_PROB)
			return napt_icmp_err_out(n, p, len, now);
		if (l4[0] == ICMP_ECHO_REPLY && src == n->ext_addr)
			return true; /* the B4's own answer to a ping of its address */
		return drop(n, CTR_tx_drop_napt_unsupported);
	}
	idx = napt_find_int(n, pr, src, port_at(pr, l4, true), now);
	if (idx == NAPT_NIL && (idx = map_new(n, pr, src, port_at(pr, l4, true), now)) == NAPT_NIL)
		return false;
	napt_rewrite(p, len, IP_SRC, n->ext_addr, napt_ext_port(n, idx));
	refresh(n, pr, &n->t[pr].map[idx], true, l4, len - ihl, now);
	return true;
}

/* Inbound later fragments go where the first one of their datagram went. */
static void frag_remember(struct napt *n, const uint8_t *p, uint32_t int_addr, uint64_t now)
{
	struct napt_frag *f = &n->frag[n->frag_next++ % NAPT_FRAGS];

	*f = (struct napt_frag){.expires = now + NAPT_FRAG_MS,
	                        .src = ld32(p + IP_SRC),
	                        .int_addr = int_addr,
	                        .id = ld16(p + 4),
	                        .proto = p[9]};
}

static bool frag_in(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	for (unsigned int i = 0; i < NAPT_FRAGS; i++) {
		const struct napt_frag *f = &n->frag[i];

		if (f->expires > now && f->src == ld32(p + IP_SRC) && f->id == ld16(p + 4) &&
		    f->proto == p[9]) {
			napt_rewrite(p, len, IP_DST, f->int_addr, -1);
			return true;
		}
	}
	return drop(n, CTR_rx_drop_napt_fragment);
}

bool napt_in(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	size_t ihl = ip_hlen(p);
	enum napt_proto pr = napt_proto_of(p[9]);
	uint8_t *l4 = p + ihl;
	struct napt_map *m;
	uint32_t idx;

	if (!n->on || ld32(p + IP_DST) != n->ext_addr)
		return drop(n, CTR_rx_drop_napt_not_ours);
	if (pr == NAPT_NPROTO)
		return drop(n, CTR_rx_drop_napt_unsupported);
	if (ip_frag_off(p) != 0)
		return frag_in(n, p, len, now);
	if (len < ihl + l4_min(pr))
		return drop(n, CTR_rx_drop_napt_truncated);
	if (pr == NAPT_ICMP && l4[0] != ICMP_ECHO_REPLY) {
		if (l4[0] == ICMP_UNREACH || l4[0] == ICMP_TIME_EXCEED || l4[0] == ICMP_PARAM_PROB)
			return napt_icmp_err_in(n, p, len, now);
		if (l4[0] == ICMP_ECHO)
			return true; /* a ping of the B4's address: its own to answer */
		return drop(n, CTR_rx_drop_napt_unsupported);
	}
	idx = napt_find_ext(n, pr, port_at(pr, l4, false), now);
	if (idx == NAPT_NIL)
		return drop(n, CTR_rx_drop_napt_no_mapping);
	m = &n->t[pr].map[idx];
	napt_rewrite(p, len, IP_DST, m->int_addr, m->int_port);
	if (ip_more_frags(p))
		frag_remember(n, p, m->int_addr, now);
	refresh(n, pr, m, false, l4, len - ihl, now);
	return true;
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
		free(n->t[pr].map);
		free(n->t[pr].bucket);
		n->t[pr] = (struct napt_table){0};
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
