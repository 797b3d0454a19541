/* PCP mappings (RFC 6887) in a subscriber's NAPT state: the PCP server in
 * aftr-control decides what a request asks (control/pcp/), the B4's owner
 * applies it here between bursts (CTL_CMD_PCP, mainlcore/commands.c).
 *
 * A mapping is a session of the subscriber (RFC 6887 section 11.3: the
 * same table as implicit mappings), its port taken from the subscriber's
 * own port blocks, so its session quota and block limit (RFC 6888 REQ-4,
 * REQ-9) hold for PCP as for traffic, and the block's log record covers it.
 * It carries is_pcp and lives to its end (pcp_end[slot]) whatever its
 * traffic; past that it is an ordinary session again, idle-timed (section
 * 15). A MAP lets any remote in (or only its FILTERs', section 13.3) until
 * its own end; a PEER keeps the NAT's own filtering (section 12). A MAP
 * and a PEER of one internal endpoint share the session, each with its own
 * end, renewed and deleted alone. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "commands.h"
#include "nat_int.h"
#include "pcp.h"

/* The suggested port, if it is free in one of the subscriber's blocks
 * (section 11.3: the server should honour a suggestion it can). */
static bool take_suggested(struct dp_worker *w, const struct dp_subscriber *s, uint32_t sidx,
                           enum cfg_proto p, uint16_t port)
{
	struct pb_space *pb = &w->nat.pb[s->pool][p];
	uint32_t b = port ? pb_block_of(pb, port) : PB_NONE;

	return b != PB_NONE && pb->blocks[b].owner == sidx && pb_port_claim(pb, port) == 0;
}

/* A new session for the mapping: an RFC 6887 result. */
static int pcp_new(struct dp_worker *w, const struct ctl_msg *c, const struct key_out *ko,
                   uint32_t *idx)
{
	enum cfg_proto p = cfg_proto_of_ip(ko->proto);
	bool prefer = c->u.pcp.flags & CTL_PCP_PREFER_FAILURE;
	struct dp_subscriber *s;
	uint32_t sidx;
	uint16_t port = c->u.pcp.eport;
	int rc;

	if (w->nat.sess_free_head >= w->nat.sess_max)
		return PCP_NO_RESOURCES;
	/* Deterministic blocks: a B4 outside the prefix has none (translate.c
	 * refuses its traffic the same way). */
	if (unlikely(dp.conf.determ.on) &&
	    determ_index(&dp.conf.determ, (const struct addr6 *)ko->b4) < 0)
		return PCP_NOT_AUTHORIZED;
	if ((s = nat_sub_get(w, (const struct addr6 *)ko->b4, &sidx)) == NULL)
		return PCP_NO_RESOURCES;
	if (s->npcp >= dp.conf.cfg->pcp_max_mappings || nat_sub_admit(w, s, p) != NAT_OK) {
		nat_sub_maybe_free(w, sidx);
		return PCP_USER_EX_QUOTA;
	}
	if (!take_suggested(w, s, sidx, p, port)) {
		if (prefer && port) {
			nat_sub_maybe_free(w, sidx);
			return PCP_CANNOT_PROVIDE_EXTERNAL;
		}
		rc = nat_sub_port(w, s, sidx, p, &port);
		if (rc != NAT_OK) {
			nat_sub_maybe_free(w, sidx);
			/* Its blocks are full and it may take no more: its quota
			 * (RFC 6888 REQ-4); else the address has none left. */
			return nat_sub_block_limit(w, s, p) ? PCP_USER_EX_QUOTA : PCP_NO_RESOURCES;
		}
	}
	if (prefer && c->u.pcp.eport && port != c->u.pcp.eport) {
		nat_port_release(w, s, p, port);
		nat_sub_maybe_free(w, sidx);
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	}
	if (nat_sess_insert(w, ko, htonl(dp.conf.pools[s->pool].addr), htons(port), sidx, 0, 0,
	                    idx) < 0) {
		nat_port_release(w, s, p, port);
		nat_sub_maybe_free(w, sidx);
		return PCP_NO_RESOURCES;
	}
	s->nsess[p]++;
	w->nat.sess[*idx].remote[0] = 0;
	w->nat.sess[*idx].rport[0] = 0;
	w->nat.sess[*idx].rnext = 0;
	return PCP_SUCCESS;
}

/* The remotes a MAP's filters or a PEER name. */
static void set_remotes(struct dp_session *se, const struct ctl_msg *c)
{
	if (c->u.pcp.op == CTL_PCP_PEER) { /* its remote, noted as traffic notes one */
		if (se->pcp_filter)
			return; /* a MAP's filters hold the slots */
		se->remote[se->rnext] = c->u.pcp.remote[0];
		se->rport[se->rnext] = htons(c->u.pcp.rport[0]);
		se->rnext = (uint8_t)((se->rnext + 1) % SESS_REMOTES);
		return;
	}
	se->pcp_map = 1;
	se->pcp_filter = (c->u.pcp.flags & CTL_PCP_FILTER) != 0;
	if (!se->pcp_filter)
		return;
	/* The filters alone, in the first slots (pcp_allowed reads those). */
	for (int i = 0; i < SESS_REMOTES; i++) {
		se->remote[i] = i < CTL_PCP_FILTERS ? c->u.pcp.remote[i] : 0;
		se->rport[i] = i < CTL_PCP_FILTERS ? htons(c->u.pcp.rport[i]) : 0;
	}
	se->rnext = 0;
}

/* Lifetime 0: the mapping goes (section 15), and its session unless its
 * own traffic or the other opcode's mapping keeps it (its expiry is
 * traffic's alone: the mappings' ends are pcp_end). */
static void pcp_delete(struct dp_worker *w, uint32_t idx, const struct ctl_msg *c,
                       struct ctl_msg *ev)
{
	struct dp_session *se = idx == SIDX_NONE ? NULL : &w->nat.sess[idx];
	struct pcp_ends *e;

	ev->u.pcp.op = CTL_PCP_DEL;
	if (se == NULL || !se->is_pcp)
		return;
	e = &w->nat.pcp_end[idx];
	if (c->u.pcp.op == CTL_PCP_MAP) {
		e->map = 0;
		se->pcp_map = se->pcp_filter = 0;
	} else {
		e->peer = 0;
	}
	if (e->map || e->peer)
		return;
	nat_pcp_clear(w, idx);
	if (se->expire <= w->now)
		nat_sess_end(w, idx);
}

/* A static mapping (ISC "nat") of the inside endpoint answers for itself:
 * its public endpoint, never PCP's to delete (section 15). True if there
 * is one, ev filled. */
static bool static_answer(struct dp_worker *w, uint32_t idx, const struct ctl_msg *c,
                          struct ctl_msg *ev)
{
	const struct cfg_nat *sn;

	if (idx != SIDX_NONE && w->nat.sess[idx].is_static) {
		ev->u.pcp.ext = w->nat.sess[idx].ext;
		ev->u.pcp.eport = ntohs(w->nat.sess[idx].eport);
	} else if ((sn = nat_static_of(w, c->u.pcp.b4, c->u.pcp.proto, c->u.pcp.src,
	                               htons(c->u.pcp.sport))) != NULL) {
		ev->u.pcp.ext = htonl(sn->ext_addr);
		ev->u.pcp.eport = sn->ext_port;
	} else {
		return false;
	}
	if (c->u.pcp.lifetime == 0) {
		ev->u.pcp.result = PCP_NOT_AUTHORIZED;
		return true;
	}
	ev->u.pcp.op = CTL_PCP_RENEW;
	ev->u.pcp.flags |= CTL_PCP_STATIC;
	return true;
}

void nat_pcp(struct dp_worker *w, const struct ctl_msg *c, struct ctl_msg *ev)
{
	struct key_out ko = {
	        .src = c->u.pcp.src, .sport = htons(c->u.pcp.sport), .proto = c->u.pcp.proto};
	uint32_t idx, *end, lifetime = c->u.pcp.lifetime;
	struct dp_session *se;
	bool fresh;

	*ev = (struct ctl_msg){.type = CTL_EVT_PCP, .seq = c->seq, .u.pcp = c->u.pcp};
	ev->u.pcp.op = CTL_PCP_REFUSED;
	memcpy(ko.b4, c->u.pcp.b4, 16);
	/* No PCP server, no NAPT, or an internal address NAPT is not for (a
	 * public one: a stateless binding's, never translated). */
	if (w->nat.pcp_end == NULL || dp.conf.n_pools == 0 ||
	    !tables_is_private(w->tab, ntohl(c->u.pcp.src))) {
		ev->u.pcp.result = PCP_NOT_AUTHORIZED;
		return;
	}
	idx = lookup_out(&w->nat, &ko);
	if (static_answer(w, idx, c, ev))
		return;
	if (lifetime == 0) {
		pcp_delete(w, idx, c, ev);
		return;
	}
	fresh = idx == SIDX_NONE;
	if (fresh && (ev->u.pcp.result = (uint8_t)pcp_new(w, c, &ko, &idx)) != PCP_SUCCESS)
		return;
	se = &w->nat.sess[idx];
	if (!fresh && (c->u.pcp.flags & CTL_PCP_PREFER_FAILURE) && c->u.pcp.eport &&
	    c->u.pcp.eport != ntohs(se->eport)) {
		ev->u.pcp.result = PCP_CANNOT_PROVIDE_EXTERNAL; /* section 13.2 */
		return;
	}
	if (!se->is_pcp && w->nat.subs[se->sub].npcp >= dp.conf.cfg->pcp_max_mappings) {
		ev->u.pcp.result = PCP_USER_EX_QUOTA;
		return;
	}
	end = c->u.pcp.op == CTL_PCP_MAP ? &w->nat.pcp_end[idx].map : &w->nat.pcp_end[idx].peer;
	ev->u.pcp.op = *end ? CTL_PCP_RENEW : CTL_PCP_ADD;
	if (!se->is_pcp)
		w->nat.subs[se->sub].npcp++;
	/* This opcode's mapping alone (section 12: a MAP and a PEER are
	 * different mappings; this NAT keeps them in one session). */
	*end = (uint32_t)RTE_MIN(w->now + lifetime, (uint64_t)UINT32_MAX);
	se->is_pcp = 1;
	set_remotes(se, c);
	ev->u.pcp.ext = se->ext;
	ev->u.pcp.eport = ntohs(se->eport);
	ev->u.pcp.lifetime = lifetime; /* the reply is the event log's record too */
}
