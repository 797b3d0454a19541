/* The workers' events for the control process (ctl_msg.h): what NAT does
 * (sessions, port blocks, subscribers, limits) and what commands answer
 * with, onto the worker's event ring. Apart from commands.c, which calls
 * into NAT (a clear ends sessions), so that NAT's calls here make no
 * cycle. */
#include <netinet/in.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <string.h>

#include "commands.h"
#include "nat.h"

void ctl_send_event(struct dp_worker *w, struct ctl_msg *m)
{
	m->worker = (uint16_t)w->id;
	m->time_ms = w->now_ms; /* this loop's: within a burst of the event */
	if (w->evt_ring == NULL || rte_ring_sp_enqueue_elem(w->evt_ring, m, CTL_MSG_SIZE) != 0)
		DP_COUNT(w, EVENTS_LOST);
}

/* A session as a message's u.sess. */
void ctl_sess_fields(const struct dp_worker *w, struct ctl_msg *m, const struct dp_session *se)
{
	uint64_t until = se->expire;

	memcpy(m->u.sess.b4, se->b4.b, 16);
	m->u.sess.src = se->src;
	m->u.sess.ext = se->ext;
	m->u.sess.sport = ntohs(se->sport);
	m->u.sess.eport = ntohs(se->eport);
	m->u.sess.proto = se->proto;
	m->u.sess.state = se->state;
	/* A PCP mapping's session lives to the later of its traffic's expiry
	 * and the mapping's end. */
	if (se->is_pcp && w->nat.pcp_end)
		until = RTE_MAX(until,
		                (uint64_t)nat_pcp_last_end(&w->nat.pcp_end[se - w->nat.sess]));
	m->u.sess.expires_in = until > w->now ? (uint32_t)(until - w->now) : 0;
	m->u.sess.dst = se->remote[0];
	m->u.sess.dport = ntohs(se->rport[0]);
}

void ctl_block_event(struct dp_worker *w, bool alloc, const struct addr6 *b4, uint32_t pool_host,
                     uint8_t proto, uint16_t first, uint16_t count)
{
	struct ctl_msg m = {.type = alloc ? CTL_EVT_BLOCK_ALLOC : CTL_EVT_BLOCK_FREE};

	if (dp.conf.cfg->nat_events == NAT_EVENTS_OFF)
		return;
	memcpy(m.u.block.b4, b4->b, 16);
	m.u.block.addr = htonl(pool_host);
	m.u.block.first = first;
	m.u.block.count = count;
	m.u.block.proto = proto;
	ctl_send_event(w, &m);
}

void ctl_session_event(struct dp_worker *w, bool add, const struct dp_session *se)
{
	struct ctl_msg m = {.type = add ? CTL_EVT_NAT_ADD : CTL_EVT_NAT_DEL};

	if (dp.conf.cfg->nat_events != NAT_EVENTS_SESSIONS)
		return;
	ctl_sess_fields(w, &m, se);
	ctl_send_event(w, &m);
}

void ctl_limit_event(struct dp_worker *w, enum ctl_type type, const struct addr6 *b4,
                     uint32_t pool_host, uint8_t proto, enum ctl_quota kind, uint32_t limit)
{
	struct ctl_msg m = {.type = type};

	if (dp.conf.cfg->nat_events == NAT_EVENTS_OFF)
		return;
	memcpy(m.u.limit.b4, b4->b, 16);
	m.u.limit.addr = htonl(pool_host);
	m.u.limit.proto = proto;
	m.u.limit.kind = (uint8_t)kind;
	m.u.limit.limit = limit;
	ctl_send_event(w, &m);
}

void ctl_tunnel_event(struct dp_worker *w, bool add, const struct addr6 *b4, uint32_t pool_host)
{
	struct ctl_msg m = {.type = add ? CTL_EVT_TUNNEL_ADD : CTL_EVT_TUNNEL_DEL};

	if (dp.conf.cfg->nat_events == NAT_EVENTS_OFF)
		return;
	memcpy(m.u.subs.b4, b4->b, 16);
	m.u.subs.addr = htonl(pool_host);
	ctl_send_event(w, &m);
}
