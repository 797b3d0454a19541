/* A worker's NAPT state (nat.h): its subscribers, their sessions and the
 * sessions' two indexes, its share of the pool addresses' port blocks, the
 * ports waiting out their hold time, and where the expiry sweep is.
 * Embedded in the worker (dp_worker.nat). The main lcore sizes and fills
 * it at start (app.c sets up pb, nat_init the rest) and frees it at stop;
 * in between, only the owning worker reads and writes it: its packets
 * (nat/), its sweep (session.c; worker.c paces it), and the control
 * commands it applies between bursts (commands.c). */
#ifndef AFTR_NAT_STATE_H
#define AFTR_NAT_STATE_H

#include <stdint.h>

#include "config.h"
#include "portblock.h"
#include "sidx.h"

struct rte_hash;
struct dp_subscriber;
struct dp_session;
struct dp_held;

struct nat_state {
	/* Subscribers (subscriber.c): B4 -> slot, the slots, the free list. */
	struct rte_hash *subs_by_b4;
	struct dp_subscriber *subs;
	uint32_t subs_max, subs_free_head;
	/* Sessions (session.c). */
	struct sidx sess_by_out; /* (b4, src, sport, proto) -> session */
	struct sidx sess_by_in;  /* (ext addr, ext port, proto) -> session */
	struct dp_session *sess;
	uint32_t sess_max, sess_free_head;
	/* This worker's port blocks of each pool address: pb[pool][proto]. */
	struct pb_space (*pb)[CFG_NPROTO];
	/* Ports waiting out their hold time (RFC 6888 REQ-8), oldest first. */
	struct dp_held *held;
	uint32_t held_cap, held_head, held_tail;
	/* PCP mappings' ends (pcp_map.c), by session slot, in w->now's
	 * seconds (0: none): with the PCP server on (pcp.daemon), else NULL.
	 * A MAP and a PEER of one internal endpoint are two mappings (RFC 6887
	 * section 12) in one session, each with its own end. */
	struct pcp_ends {
		uint32_t map, peer;
	} * pcp_end;
	/* The expiry sweep (nat_sweep): the next session slot it looks at,
	 * and the time it has covered up to (worker.c). */
	uint32_t sweep_cursor;
	uint64_t sweep_tsc;
};

#endif
