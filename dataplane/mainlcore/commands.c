/* The workers' end of the control rings; see ctl.h. Between bursts, with
 * no lock and no system call: single producer, single consumer rings. */
#include "commands.h"

#include "slowpath.h"
#include "b4drops.h"
#include "delta.h"
#include "gen.h"
#include "nat.h"
#include "pmtu.h"
#include "stats_shm.h"
#include "tables.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <string.h>

#define CTL_BURST   8
#define DUMP_BUDGET 4096 /* session slots examined per command */

static bool dump_match(const struct ctl_msg *c, const struct dp_session *se)
{
	return se->in_use && (c->u.dump.proto == 0 || c->u.dump.proto == se->proto) &&
	       (!c->u.dump.has_b4 || memcmp(c->u.dump.b4, se->b4.b, 16) == 0) &&
	       (c->u.dump.ext == 0 || c->u.dump.ext == se->ext) &&
	       (c->u.dump.eport == 0 || htons(c->u.dump.eport) == se->eport);
}

/* Sessions from the cursor on, as events, each ended too when end is set
 * (a NOC's clear: its own event record follows, its ports wait out their
 * hold time, as an expiry's would); returns where to go on. A slice per
 * command (max, what the ring has room for, and DUMP_BUDGET slots even
 * when few match) keeps the worker's loop short; the control process asks
 * again with the returned cursor. */
static uint32_t each_session(struct dp_worker *w, const struct ctl_msg *c, bool end)
{
	/* A cleared session sends its listing, its end's record and, a PCP
	 * mapping's, the mapping's end (session.c). */
	unsigned int sent = 0, room = rte_ring_free_count(w->evt_ring), per = end ? 3 : 1;
	uint32_t i = c->u.dump.cursor;

	for (; i < w->nat.sess_max; i++) {
		const struct dp_session *se = &w->nat.sess[i];
		struct ctl_msg m = {.type = CTL_EVT_SESSION, .seq = c->seq};

		if (i - c->u.dump.cursor >= DUMP_BUDGET)
			return i;
		if (!dump_match(c, se))
			continue;
		if (sent == c->u.dump.max || per * (sent + 1) + 1 > room) /* and the ack */
			return i;
		ctl_sess_fields(w, &m, se);
		ctl_send_event(w, &m);
		if (end)
			nat_sess_end(w, i);
		sent++;
	}
	return CTL_DUMP_END;
}

static void block_msg(struct dp_worker *w, const struct dp_subscriber *s, int p, uint32_t b,
                      uint32_t seq)
{
	const struct pb_space *pb = &w->nat.pb[s->pool][p];
	struct ctl_msg m = {.type = CTL_EVT_BLOCK, .seq = seq};

	memcpy(m.u.block.b4, s->b4.b, 16);
	m.u.block.addr = htonl(dp.conf.pools[s->pool].addr);
	m.u.block.first = pb_block_first_port(pb, b);
	m.u.block.count = pb->bsize;
	m.u.block.proto = cfg_proto_ip(p);
	ctl_send_event(w, &m);
}

/* One subscriber and its blocks (at most room - 1 events: the ack). */
static unsigned int send_subscriber(struct dp_worker *w, const struct dp_subscriber *s,
                                    uint32_t seq, unsigned int room)
{
	struct ctl_msg m = {.type = CTL_EVT_SUBSCRIBER, .seq = seq};
	unsigned int n = 1;

	memcpy(m.u.subs.b4, s->b4.b, 16);
	m.u.subs.addr = htonl(dp.conf.pools[s->pool].addr);
	for (int p = 0; p < CFG_NPROTO; p++) {
		m.u.subs.nsess[p] = s->nsess[p];
		m.u.subs.nblocks[p] = (uint16_t)RTE_MIN(s->nblocks[p], (uint32_t)UINT16_MAX);
	}
	ctl_send_event(w, &m);
	for (int p = 0; p < CFG_NPROTO; p++) {
		const struct pb_space *pb = &w->nat.pb[s->pool][p];

		for (uint32_t b = s->head[p]; b != PB_NONE && n + 1 < room;
		     b = pb->blocks[b].next, n++)
			block_msg(w, s, p, b, seq);
	}
	return n;
}

/* Subscribers from the cursor on, each with its port blocks; as
 * dump_sessions, a slice per command. */
static uint32_t dump_subscribers(struct dp_worker *w, const struct ctl_msg *c)
{
	unsigned int sent = 0, events = 0, room = rte_ring_free_count(w->evt_ring);
	uint32_t i = c->u.dump.cursor;

	if (room < 2)
		return i; /* asked again when control drained its ring */
	for (; i < w->nat.subs_max; i++) {
		const struct dp_subscriber *s = &w->nat.subs[i];
		unsigned int need = 2; /* it, and the ack */

		if (i - c->u.dump.cursor >= DUMP_BUDGET)
			return i;
		if (!s->in_use || (c->u.dump.has_b4 && memcmp(c->u.dump.b4, s->b4.b, 16) != 0) ||
		    (c->u.dump.ext && c->u.dump.ext != htonl(dp.conf.pools[s->pool].addr)))
			continue;
		for (int p = 0; p < CFG_NPROTO; p++)
			need += s->nblocks[p];
		/* One that cannot fit even an empty ring goes alone, its list cut. */
		if (sent == c->u.dump.max || (events + need > room && sent > 0))
			return i;
		events += send_subscriber(w, s, c->seq, room - events);
		sent++;
	}
	return CTL_DUMP_END;
}

/* The worker's share of each pool address and protocol, from the cursor
 * (pool * CFG_NPROTO + protocol) on, as much as the ring takes. */
static uint32_t dump_pools(struct dp_worker *w, const struct ctl_msg *c)
{
	unsigned int room = rte_ring_free_count(w->evt_ring), sent = 0;
	uint32_t i = c->u.dump.cursor, n = __atomic_load_n(&dp.conf.n_pools, __ATOMIC_ACQUIRE);

	for (; i < n * CFG_NPROTO; i++) {
		struct ctl_msg m = {.type = CTL_EVT_POOL, .seq = c->seq};
		struct pb_usage u;

		if (sent == c->u.dump.max || sent + 2 > room) /* keep room for the ack */
			return i;
		pb_usage(&w->nat.pb[i / CFG_NPROTO][i % CFG_NPROTO], &u);
		m.u.pool.addr = htonl(dp.conf.pools[i / CFG_NPROTO].addr);
		m.u.pool.proto = cfg_proto_ip((int)(i % CFG_NPROTO));
		m.u.pool.blocks = u.blocks;
		m.u.pool.blocks_free = u.blocks_free;
		m.u.pool.ports = u.ports;
		m.u.pool.ports_used = u.ports_used;
		m.u.pool.draining =
		        __atomic_load_n(&dp.conf.pools[i / CFG_NPROTO].draining, __ATOMIC_RELAXED);
		m.u.pool.first_port = w->nat.pb[i / CFG_NPROTO][i % CFG_NPROTO].min;
		m.u.pool.block_size = w->nat.pb[i / CFG_NPROTO][i % CFG_NPROTO].bsize;
		m.u.pool.blocks_all = w->nat.pb[i / CFG_NPROTO][i % CFG_NPROTO].nblocks;
		ctl_send_event(w, &m);
		sent++;
	}
	return CTL_DUMP_END;
}

/* One B4 of the worker's drop table and its reasons, 4 to an event. */
static void send_b4drops(struct dp_worker *w, uint32_t seq, const struct addr6 *b4, uint64_t total,
                         uint32_t since_s, uint32_t last_s, const struct b4d_reasons *r,
                         unsigned int nz)
{
	struct ctl_msg m = {.type = CTL_EVT_B4DROPS, .seq = seq};
	struct ctl_msg rm = {.type = CTL_EVT_B4REASONS, .seq = seq};

	memcpy(m.u.b4drops.b4, b4->b, 16);
	m.u.b4drops.total = total;
	m.u.b4drops.since_s = since_s;
	m.u.b4drops.last_s = last_s;
	m.u.b4drops.nreasons = (uint8_t)((nz + 3) / 4);
	ctl_send_event(w, &m);
	for (unsigned int d = 0; d < DROP_COUNT; d++) {
		if (r->n[d] == 0)
			continue;
		rm.u.b4reasons.reason[rm.u.b4reasons.n] = (uint8_t)d;
		rm.u.b4reasons.count[rm.u.b4reasons.n++] = r->n[d];
		if (rm.u.b4reasons.n == 4) {
			ctl_send_event(w, &rm);
			rm.u.b4reasons.n = 0;
		}
	}
	if (rm.u.b4reasons.n)
		ctl_send_event(w, &rm);
}

/* The B4s of the worker's drop table from the cursor (a slot) on, or the
 * one asked for, as much as the ring takes. */
static uint32_t dump_b4drops(struct dp_worker *w, const struct ctl_msg *c)
{
	unsigned int room = rte_ring_free_count(w->evt_ring), events = 0, sent = 0;

	for (uint32_t i = c->u.dump.cursor; i < B4D_SLOTS; i++) {
		const struct b4d_reasons *r;
		uint32_t since_s, last_s;
		unsigned int nz = 0, need;
		struct addr6 b4;
		uint64_t total;

		if (!b4drops_slot(&w->b4drops, i, w->now, &b4, &total, &since_s, &last_s, &r) ||
		    (c->u.dump.has_b4 && memcmp(c->u.dump.b4, b4.b, 16) != 0))
			continue;
		for (unsigned int d = 0; d < DROP_COUNT; d++)
			nz += r->n[d] != 0;
		need = 1 + (nz + 3) / 4;
		if (sent == c->u.dump.max || events + need + 1 > room) /* and the ack */
			return i;
		send_b4drops(w, c->seq, &b4, total, since_s, last_s, r, nz);
		events += need;
		sent++;
	}
	return CTL_DUMP_END;
}

/* What the worker knows of a B4 (none asked: of its drop table only): 0, or
 * -EAGAIN when its event ring has no room for it and the ack. */
static int b4_info(struct dp_worker *w, const struct ctl_msg *c)
{
	struct ctl_msg m = {.type = CTL_EVT_B4, .seq = c->seq};
	struct addr6 b4;
	int rc;

	m.u.b4.tracked = w->b4drops.tracked;
	m.u.b4.capacity = B4D_SLOTS;
	m.u.b4.replaced = w->b4drops.replaced;
	if (c->u.dump.has_b4) {
		memcpy(b4.b, c->u.dump.b4, 16);
		memcpy(m.u.b4.b4, b4.b, 16);
		m.u.b4.pmtu = w->pmtu.n ? pmtu_get(w, &b4) : 0;
		rc = nat_b4_last_active(w, &b4, &m.u.b4.active_ago_s);
		m.u.b4.nat = rc == 0 ? 2 : rc == -ENODATA ? 1 : 0;
	}
	if (rte_ring_free_count(w->evt_ring) < 2)
		return -EAGAIN;
	ctl_send_event(w, &m);
	return 0;
}

/* A PCP mapping of a B4 this worker owns (nat/pcp_map.c): its result as
 * one event, then the ack. -EXDEV: another worker owns it; -EAGAIN: no
 * room for both. */
static int pcp_cmd(struct dp_worker *w, const struct ctl_msg *c)
{
	struct ctl_msg ev;
	struct addr6 b4;

	memcpy(b4.b, c->u.pcp.b4, 16);
	if (nat_b4_owner(&b4) != w->id)
		return -EXDEV;
	/* The reply and the ack, and what making the mapping may send first:
	 * a subscriber, a block, a session, a quota record. */
	if (rte_ring_free_count(w->evt_ring) < 8)
		return -EAGAIN;
	nat_pcp(w, c, &ev);
	ctl_send_event(w, &ev);
	return 0;
}

unsigned int ctl_poll(struct dp_worker *w)
{
	struct ctl_msg cmds[CTL_BURST];
	unsigned int n;

	if (w->cmd_ring == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst_elem(w->cmd_ring, cmds, CTL_MSG_SIZE, CTL_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		/* A refused dump is not resumed: next is the end. */
		struct ctl_msg ack = {
		        .type = CTL_EVT_ACK, .seq = cmds[i].seq, .u.ack.next = CTL_DUMP_END};

		/* An unknown command is refused, not guessed at. */
		if (cmds[i].type == CTL_CMD_SESSIONS && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.next = each_session(w, &cmds[i], false);
		else if (cmds[i].type == CTL_CMD_SUBSCRIBERS && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.next = dump_subscribers(w, &cmds[i]);
		else if (cmds[i].type == CTL_CMD_POOLS && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.next = dump_pools(w, &cmds[i]);
		else if (cmds[i].type == CTL_CMD_CLEAR && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.next = each_session(w, &cmds[i], true);
		else if (cmds[i].type == CTL_CMD_B4DROPS && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.next = dump_b4drops(w, &cmds[i]);
		else if (cmds[i].type == CTL_CMD_B4 && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.result = b4_info(w, &cmds[i]);
		else if (cmds[i].type == CTL_CMD_PCP && ctl_msg_check(&cmds[i]) == 0)
			ack.u.ack.result = pcp_cmd(w, &cmds[i]);
		else if (cmds[i].type != CTL_CMD_NOOP)
			ack.u.ack.result = -ENOTSUP;
		DP_COUNT(w, COMMANDS);
		ctl_send_event(w, &ack);
	}
	return n;
}

/* Deltas changed in place since the last line about them: one line a
 * second at most (a provisioning run makes a thousand a second). */
static struct {
	uint64_t n, first, last, since;
	double max_ms;
} quiet;

static void quiet_flush(bool force)
{
	if (quiet.n == 0 || (!force && rte_rdtsc() - quiet.since < rte_get_tsc_hz()))
		return;
	fprintf(stderr,
	        "aftr-dataplane: tables generations %" PRIu64 "-%" PRIu64 ": %" PRIu64
	        " deltas changed in place, at most %.3f ms each\n",
	        quiet.first, quiet.last, quiet.n, quiet.max_ms);
	quiet.n = 0;
	quiet.max_ms = 0;
}

/* A delta (delta.h), with a log line of how it went: each one that made
 * a new set or took over a millisecond, the others summed up. */
static int apply_delta(const struct ctl_msg *c, char *err, size_t errlen)
{
	uint64_t t0 = rte_rdtsc();
	bool in_place;
	int rc = delta_apply(dp.delta_path, c->u.tables.base, c->u.tables.gen, &in_place, err,
	                     errlen);
	double ms = (double)(rte_rdtsc() - t0) * 1e3 / (double)rte_get_tsc_hz();

	if (rc == 0 && in_place && ms < 1.0) {
		if (quiet.n++ == 0) {
			quiet.first = c->u.tables.gen;
			quiet.since = t0;
		}
		quiet.last = c->u.tables.gen;
		quiet.max_ms = ms > quiet.max_ms ? ms : quiet.max_ms;
		return 0;
	}
	quiet_flush(true);
	if (rc == 0)
		fprintf(stderr,
		        "aftr-dataplane: tables generation %" PRIu64 " (a delta from %" PRIu64
		        "): in use, %s in %.3f ms\n",
		        c->u.tables.gen, c->u.tables.base,
		        in_place ? "changed in place" : "a new set", ms);
	else if (rc != -ESTALE)
		fprintf(stderr, "aftr-dataplane: a delta to generation %" PRIu64 ": %s\n",
		        c->u.tables.gen, err);
	return rc;
}

/* Shows which tables run in the stats region's header: a restarted
 * aftr-control whose state is the same sends nothing (control/dpctl). */
static void show_tables(uint64_t origin)
{
	const struct tables *t = atomic_load_explicit(&dp.tab, memory_order_acquire);

	if (dp.stats_region && t)
		stats_shm_set_tables(dp.stats_region, t->gen, origin);
}

/* The main lcore's commands: a table load takes milliseconds to a second
 * (a million entries), which the slow path can afford and workers cannot. */
unsigned int ctl_main_poll(void)
{
	static uint64_t origin; /* of the last tables file taken */
	struct ctl_msg c, ack;
	char err[256], note[128];
	unsigned int n = 0;
	uint64_t o = 0;

	while (dp.ctl_cmd && rte_ring_sc_dequeue_elem(dp.ctl_cmd, &c, CTL_MSG_SIZE) == 0) {
		ack = (struct ctl_msg){.type = CTL_EVT_ACK,
		                       .seq = c.seq,
		                       .worker = (uint16_t)dp.nworkers,
		                       .u.ack.next = CTL_DUMP_END};
		err[0] = '\0';
		if (c.type == CTL_CMD_TABLES) {
			ack.u.ack.result = gen_apply_file(dp.tables_path, c.u.tables.gen, &o, err,
			                                  sizeof(err), note, sizeof(note));
			origin = ack.u.ack.result == 0 ? o : origin;
			show_tables(origin);
			if (ack.u.ack.result == 0)
				fprintf(stderr,
				        "aftr-dataplane: tables generation %" PRIu64
				        ": in use (%s)\n",
				        c.u.tables.gen, note);
			else
				fprintf(stderr,
				        "aftr-dataplane: tables generation %" PRIu64 ": %s\n",
				        c.u.tables.gen, err);
		} else if (c.type == CTL_CMD_DELTA && ctl_msg_check(&c) == 0) {
			ack.u.ack.result = apply_delta(&c, err, sizeof(err));
			show_tables(origin);
		} else if (c.type != CTL_CMD_NOOP) {
			ack.u.ack.result = -ENOTSUP;
		}
		snprintf(ack.u.ack.text, sizeof(ack.u.ack.text), "%s", err);
		if (rte_ring_sp_enqueue_elem(dp.ctl_evt, &ack, CTL_MSG_SIZE) != 0)
			ctrl_ctr->cnt[CNT_EVENTS_LOST]++;
		ctrl_ctr->cnt[CNT_COMMANDS]++;
		n++;
	}
	quiet_flush(false);
	return n;
}
