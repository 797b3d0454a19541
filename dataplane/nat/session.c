/* NAPT sessions of one worker: the look-ahead, lookups, creation with
 * both index entries, static mappings' sessions, the end of a session
 * (its port held, RFC 6888 REQ-8) and expiry by incremental sweep. */
#include <limits.h>
#include <netinet/in.h>
#include <rte_ring.h>
#include <stdbool.h>
#include <string.h>

#include "commands.h"
#include "nat_int.h"

inline __attribute__((always_inline)) void nat_out_ahead(const struct dp_worker *w,
                                                         const struct addr6 *b4, uint32_t src,
                                                         uint16_t sport, uint8_t proto,
                                                         struct dp_nat_ahead *a)
{
	struct key_out ko = {.src = src, .sport = sport, .proto = proto};

	memcpy(ko.b4, b4->b, 16);
	a->hash = hash_out(&ko);
	a->kind = DP_NAT_AHEAD_OUT;
	sidx_prefetch(&w->nat.sess_by_out, a->hash);
}

inline __attribute__((always_inline)) void nat_in_ahead(const struct dp_worker *w, uint32_t ext,
                                                        uint16_t eport, uint8_t proto,
                                                        struct dp_nat_ahead *a)
{
	a->hash = hash_in(key_in(ext, eport, proto));
	a->kind = DP_NAT_AHEAD_IN;
	sidx_prefetch(&w->nat.sess_by_in, a->hash);
}

inline __attribute__((always_inline)) void nat_ahead_get(const struct dp_worker *w,
                                                         struct dp_nat_ahead *a)
{
	a->val = sidx_first(a->kind == DP_NAT_AHEAD_OUT ? &w->nat.sess_by_out : &w->nat.sess_by_in,
	                    a->hash);
	if (a->val != SIDX_NONE)
		rte_prefetch0(&w->nat.sess[a->val]);
}

struct dp_session *nat_find_out(struct dp_worker *w, const struct addr6 *b4, uint32_t src,
                                uint16_t sport, uint8_t proto)
{
	struct key_out ko = {.src = src, .sport = sport, .proto = proto};
	uint32_t v;

	memcpy(ko.b4, b4->b, 16);
	v = lookup_out(&w->nat, &ko);
	return v == SIDX_NONE ? NULL : &w->nat.sess[v];
}

struct dp_session *nat_find_in(struct dp_worker *w, uint32_t ext, uint16_t eport, uint8_t proto)
{
	uint32_t v = lookup_in(&w->nat, key_in(ext, eport, proto));

	return v == SIDX_NONE ? NULL : &w->nat.sess[v];
}

/* Ends the sessions holding a key, if one does. */
static void evict(struct dp_worker *w, const struct key_out *ko, uint64_t ki)
{
	uint32_t v;

	if ((v = lookup_out(&w->nat, ko)) != SIDX_NONE)
		nat_sess_end(w, v);
	if ((v = lookup_in(&w->nat, ki)) != SIDX_NONE)
		nat_sess_end(w, v);
}

/* Takes a free session slot for ko -> (ext, eport), both network order,
 * and indexes it both ways; 0 or -1 when the tables are full. */
int nat_sess_insert(struct dp_worker *w, const struct key_out *ko, uint32_t ext, uint16_t eport,
                    uint32_t sidx, uint32_t remote, uint16_t rport, uint32_t *out)
{
	struct nat_state *ns = &w->nat;
	struct dp_session *se;
	uint64_t ki = key_in(ext, eport, ko->proto);
	uint32_t idx;

	/* A static session takes its keys from whoever holds them: a dynamic
	 * session of the inside endpoint the mapping now covers, a session of
	 * a mapping that changed. (A dynamic port is never taken: the
	 * allocator hands out free ones, outside every mapping.) */
	if (sidx == NAT_NO_SUB)
		evict(w, ko, ki);
	idx = ns->sess_free_head;
	if (idx >= ns->sess_max)
		return -1;
	se = &ns->sess[idx];
	/* The indexes have room for every session (sidx_init(sess_max)). */
	if (sidx_add(&ns->sess_by_out, hash_out(ko), idx) < 0)
		return -1;
	if (sidx_add(&ns->sess_by_in, hash_in(ki), idx) < 0) {
		sidx_del(&ns->sess_by_out, hash_out(ko), idx);
		return -1;
	}
	ns->sess_free_head = se->next_free;
	*se = (struct dp_session){.src = ko->src,
	                          .sport = ko->sport,
	                          .proto = ko->proto,
	                          .ext = ext,
	                          .eport = eport,
	                          .state = SESS_NEW,
	                          .in_use = 1,
	                          .is_static = sidx == NAT_NO_SUB,
	                          .sub = sidx,
	                          .remote = {remote},
	                          .rport = {rport},
	                          .rnext = 1 % SESS_REMOTES};
	memcpy(se->b4.b, ko->b4, 16);
	DP_COUNT(w, SESSION_NEW);
	ctl_session_event(w, true, se);
	*out = idx;
	return 0;
}

/* The static mapping (ISC "nat") of an inside endpoint, or NULL. */
const struct cfg_nat *nat_static_of(const struct dp_worker *w, const uint8_t *b4, uint8_t proto,
                                    uint32_t src, uint16_t sport)
{
	if (proto == IPPROTO_ICMP)
		return NULL;
	return tables_nat_inside(w->tab, (const struct addr6 *)b4, cfg_proto_of_ip(proto),
	                         ntohl(src), ntohs(sport));
}

/* A static session's mapping, if the live tables still have it as it was
 * (a deleted or changed mapping ends its sessions). */
const struct cfg_nat *nat_static_check(const struct dp_worker *w, const struct dp_session *se)
{
	const struct cfg_nat *sn = nat_static_of(w, se->b4.b, se->proto, se->src, se->sport);

	return sn && sn->ext_addr == ntohl(se->ext) && sn->ext_port == ntohs(se->eport) ? sn : NULL;
}

/* PCP mappings' ends (RFC 6887 section 15; pcp_map.c makes them): which
 * of them in ends (CTL_PCP_ENDS_*). */
static void pcp_event(struct dp_worker *w, const struct dp_session *se, uint8_t op, uint8_t ends)
{
	struct ctl_msg m = {.type = CTL_EVT_PCP};

	memcpy(m.u.pcp.b4, se->b4.b, 16);
	m.u.pcp.src = se->src;
	m.u.pcp.sport = ntohs(se->sport);
	m.u.pcp.ext = se->ext;
	m.u.pcp.eport = ntohs(se->eport);
	m.u.pcp.proto = se->proto;
	m.u.pcp.op = op;
	m.u.pcp.flags = ends;
	ctl_send_event(w, &m);
}

static uint8_t ends_of(const struct pcp_ends *e)
{
	return (uint8_t)((e->map ? CTL_PCP_ENDS_MAP : 0) | (e->peer ? CTL_PCP_ENDS_PEER : 0));
}

/* The PCP mapping of a session ends (the session may stay): pcp_map.c's
 * deletion, and below. */
void nat_pcp_clear(struct dp_worker *w, uint32_t idx)
{
	struct dp_session *se = &w->nat.sess[idx];

	se->is_pcp = se->pcp_map = se->pcp_filter = 0;
	w->nat.pcp_end[idx] = (struct pcp_ends){0, 0};
	if (!se->is_static)
		w->nat.subs[se->sub].npcp--;
}

void nat_pcp_gone(struct dp_worker *w, uint32_t idx, uint8_t op)
{
	pcp_event(w, &w->nat.sess[idx], op, ends_of(&w->nat.pcp_end[idx]));
	nat_pcp_clear(w, idx);
}

bool nat_pcp_keep(struct dp_worker *w, uint32_t idx)
{
	struct dp_session *se = &w->nat.sess[idx];
	struct pcp_ends *e = &w->nat.pcp_end[idx], gone = {0, 0};

	/* Its expiry stays traffic's: the mappings' own ends are e's. */
	if (e->map && e->map <= w->now) {
		gone.map = e->map;
		e->map = 0;
		se->pcp_map = se->pcp_filter = 0; /* strangers in no more */
	}
	if (e->peer && e->peer <= w->now) {
		gone.peer = e->peer;
		e->peer = 0;
	}
	if (e->map || e->peer) { /* the other mapping keeps it */
		if (gone.map || gone.peer)
			pcp_event(w, se, CTL_PCP_EXPIRE, ends_of(&gone));
		return true;
	}
	*e = gone;
	nat_pcp_gone(w, idx, CTL_PCP_EXPIRE);
	return se->expire > w->now; /* traffic keeps it, an ordinary session now */
}

static void held_release(struct dp_worker *w, const struct dp_held *h)
{
	nat_port_release(w, &w->nat.subs[h->sub], h->proto, h->port);
	nat_sub_maybe_free(w, h->sub);
}

/* Ends a session: its port waits out the hold time (RFC 6888 REQ-8). */
void nat_sess_end(struct dp_worker *w, uint32_t idx)
{
	struct nat_state *ns = &w->nat;
	struct dp_session *se = &ns->sess[idx];
	struct key_out ko = {.src = se->src, .sport = se->sport, .proto = se->proto};
	uint64_t ki = key_in(se->ext, se->eport, se->proto);
	enum cfg_proto p = cfg_proto_of_ip(se->proto);
	uint32_t next = (ns->held_tail + 1) % ns->held_cap;
	uint32_t sidx = se->sub; /* next_free takes its place */
	struct dp_subscriber *s;

	memcpy(ko.b4, se->b4.b, 16);
	if (se->is_pcp) /* cleared by the NOC, or its static mapping changed */
		nat_pcp_gone(w, idx, CTL_PCP_DEL);
	/* The entries of idx itself (never another session's). */
	sidx_del(&ns->sess_by_out, hash_out(&ko), idx);
	sidx_del(&ns->sess_by_in, hash_in(ki), idx);
	DP_COUNT(w, SESSION_EXPIRED);
	ctl_session_event(w, false, se);
	se->in_use = 0;
	se->next_free = ns->sess_free_head;
	ns->sess_free_head = idx;
	if (se->is_static)
		return; /* its port belongs to the mapping, not to a block */
	s = &ns->subs[sidx];
	s->nsess[p]--;

	struct dp_held h = {s->pool, sidx, ntohs(se->eport), (uint8_t)p,
	                    w->now + dp.conf.cfg->hold_lifetime};

	/* The queue holds every port the worker had at start (worker_ports):
	 * full only with pools added since. A hold time of 0 gives the port
	 * back now. */
	if (dp.conf.cfg->hold_lifetime == 0 || next == ns->held_head) {
		if (dp.conf.cfg->hold_lifetime)
			DP_COUNT(w, HOLD_SKIPPED);
		held_release(w, &h);
		return;
	}
	ns->held[ns->held_tail] = h;
	ns->held_tail = next;
}

/* Event records the sweep may make now: what the event ring has room for
 * beyond EVENT_RESERVE (kept for the packet path's next bursts). A mass
 * expiry then waits for aftr-control to drain the ring instead of losing
 * records: sessions outlive their time by a few milliseconds. */
#define EVENT_RESERVE 256
#define ROOM_UNKNOWN  (UINT_MAX - 1) /* not read yet: most rounds end nothing */
static unsigned int event_room(const struct dp_worker *w)
{
	unsigned int free;

	if (dp.conf.cfg->nat_events == NAT_EVENTS_OFF || w->evt_ring == NULL)
		return UINT_MAX; /* no limit */
	free = rte_ring_free_count(w->evt_ring);
	return free > EVENT_RESERVE ? free - EVENT_RESERVE : 0;
}

/* Takes room for n records out of *room, reading the ring (a line
 * aftr-control writes) only the first time one is needed in a round. */
static bool take_room(const struct dp_worker *w, unsigned int *room, unsigned int n)
{
	if (*room == ROOM_UNKNOWN)
		*room = event_room(w);
	if (*room == UINT_MAX)
		return true;
	if (*room < n)
		return false;
	*room -= n;
	return true;
}

void nat_sweep(struct dp_worker *w, unsigned int budget)
{
	struct nat_state *ns = &w->nat;
	/* An ended session makes at most one record, a released port two
	 * (its block, its subscriber). */
	unsigned int room = ROOM_UNKNOWN;

	for (unsigned int i = 0; i < budget; i++) {
		uint32_t idx = ns->sweep_cursor;

		/* A PCP mapping ends at its lifetime even while traffic keeps
		 * its session (nat_pcp_keep). */
		if (ns->sess[idx].in_use &&
		    (ns->sess[idx].expire <= w->now ||
		     (ns->sess[idx].is_pcp && nat_pcp_next_end(&ns->pcp_end[idx]) <= w->now) ||
		     (ns->sess[idx].is_static && nat_static_check(w, &ns->sess[idx]) == NULL))) {
			if (!take_room(w, &room, 2))
				break; /* this slot first, next round */
			if (!ns->sess[idx].is_pcp || !nat_pcp_keep(w, idx))
				nat_sess_end(w, idx);
		}
		ns->sweep_cursor = (idx + 1) % ns->sess_max;
	}
	while (ns->held_head != ns->held_tail && ns->held[ns->held_head].release_at <= w->now &&
	       take_room(w, &room, 2)) {
		held_release(w, &ns->held[ns->held_head]);
		ns->held_head = (ns->held_head + 1) % ns->held_cap;
	}
}
