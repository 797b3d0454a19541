/* The PCP server; see pcp_server.h. */
#include "pcp_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "ctl_msg.h"
#include "ctl_pkt.h"
#include "dpctl.h"
#include "pcp.h"
#include "pcp_mappings.h"

#define PCP_NRESULTS 14   /* RFC 6887 section 7.4: 0-13 */
#define LOGGED_MAX   1024 /* (client, result) pairs remembered as logged */
#define IDLE_US      1000
#define STALE_MS     5000 /* a request older than this (no aftr-control ran): dropped */

struct logged {
	uint8_t b4[16];
	uint32_t client;
	uint8_t result;
};

struct pcp_server {
	const struct aftr_config *cfg;
	struct dpctl *dp;
	char path[4096];
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock; /* what the API reads: below */
	struct pcp_mappings *maps;
	uint64_t gen; /* the dataplane the mappings live in (0: none yet) */
	bool dirty;   /* the file is behind */
	/* Counters: written by the thread, read by the API (relaxed atomics). */
	_Atomic uint64_t requests[3], results[PCP_NRESULTS], dropped, announced, sent, send_failed;
	struct logged logged[LOGGED_MAX];
	unsigned int nlogged, logged_next;
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Section 8.5: seconds since the mappings' state began: the dataplane's start. */
static uint32_t epoch(struct pcp_server *s)
{
	int64_t t0 = dpctl_start_time(s->dp), d = now_s() - t0;

	return t0 && d > 0 ? (uint32_t)d : 0;
}

/* A refusal's log line, once per client and result. */
static void log_once(struct pcp_server *s, const struct ctl_pkt *p, int result, uint8_t opcode)
{
	char b4[ADDR6_STRLEN], c[ADDR4_STRLEN], what[16];
	struct logged l = {.client = p->src, .result = (uint8_t)result};
	struct addr6 a;

	memcpy(l.b4, p->b4, 16);
	for (unsigned int i = 0; i < s->nlogged; i++)
		if (s->logged[i].client == l.client && s->logged[i].result == l.result &&
		    memcmp(s->logged[i].b4, l.b4, 16) == 0)
			return;
	s->logged[s->logged_next] = l;
	s->logged_next = (s->logged_next + 1) % LOGGED_MAX;
	s->nlogged += s->nlogged < LOGGED_MAX;
	memcpy(a.b, p->b4, 16);
	if (pcp_opcode_name(opcode))
		snprintf(what, sizeof(what), "%s", pcp_opcode_name(opcode));
	else
		snprintf(what, sizeof(what), "opcode %u", opcode);
	if (p->v6)
		snprintf(c, sizeof(c), "the B4");
	else
		addr4_format(ntohl(p->src), c);
	fprintf(stderr,
	        "aftr-control: pcp: %s request from %s:%u %s B4 %s refused: %s (logged once "
	        "for this client and result)\n",
	        what, c, p->sport, p->v6 ? "(plain IPv6), the" : "behind", addr6_format(&a, b4),
	        pcp_result_name(result));
}

static void send_pkt(struct pcp_server *s, const struct ctl_pkt *to, uint32_t dst, uint16_t dport,
                     const uint8_t *data, size_t len)
{
	struct ctl_pkt r = {.type = CTL_PKT_PCP,
	                    .len = (uint16_t)len,
	                    .ep = to->ep,
	                    .v6 = to->v6,
	                    .src = to->v6 ? 0 : to->dst,
	                    .dst = to->v6 ? 0 : dst,
	                    .sport = CTL_PCP_SERVER_PORT,
	                    .dport = dport};

	memcpy(r.b4, to->b4, 16);
	memcpy(r.data, data, len);
	if (dpctl_pkt_send(s->dp, &r) == 0)
		s->sent++;
	else
		s->send_failed++;
}

/* A ctl_msg u.pcp filter list from the request's FILTERs (section 13.3):
 * exact remotes (an IPv4 /32: prefix 128 over the mapped form) at most
 * CTL_PCP_FILTERS; an IPv4 /0 (prefix 96 over the mapped form, or 0) lets
 * anyone in. PCP_SUCCESS, or EXCESSIVE_REMOTE_PEERS for filters the
 * dataplane cannot hold (other prefix lengths, more of them). */
static int filters(const struct pcp_request *q, struct ctl_msg *cmd)
{
	unsigned int n = 0;
	bool any = false;

	if (q->too_many_filters)
		return PCP_EXCESSIVE_REMOTE_PEERS;
	for (unsigned int i = 0; i < q->nfilters; i++) {
		uint32_t v4;

		if (q->filter[i].prefix_len == 0 ||
		    (q->filter[i].prefix_len == 96 && pcp_addr_v4(q->filter[i].addr, &v4))) {
			any = true;
			continue;
		}
		if (q->filter[i].prefix_len != 128 || !pcp_addr_v4(q->filter[i].addr, &v4) ||
		    n == CTL_PCP_FILTERS)
			return PCP_EXCESSIVE_REMOTE_PEERS; /* not a filter we can hold */
		cmd->u.pcp.remote[n] = v4;
		cmd->u.pcp.rport[n++] = q->filter[i].port;
	}
	if (n && !any)
		cmd->u.pcp.flags |= CTL_PCP_FILTER;
	else
		memset(cmd->u.pcp.remote, 0, sizeof(cmd->u.pcp.remote));
	return PCP_SUCCESS;
}

/* The command a MAP or PEER asks for, or the code refusing it. */
static int command_of(struct pcp_server *s, const struct ctl_pkt *p, const struct pcp_request *q,
                      struct ctl_msg *cmd)
{
	const struct cfg_fixed *f = &s->cfg->fixed;
	uint32_t internal = p->v6 ? 0 : p->src, v4;

	/* Section 13.1: another host of the same subscriber (the B4's own
	 * client for one behind it); IPv4 only, inside a softwire. */
	if (q->third_party && !pcp_addr_v4(q->third_party_addr, &internal))
		return PCP_NOT_AUTHORIZED;
	/* Over plain IPv6 the client is the B4: an IPv6 host NAT44 cannot map
	 * unless it names the IPv4 one (THIRD_PARTY). */
	if (internal == 0)
		return PCP_NOT_AUTHORIZED;
	if (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP)
		return PCP_UNSUPP_PROTOCOL;
	/* Section 11.1: port 0 ("all ports") only to delete (delete_all). */
	if (q->int_port == 0)
		return PCP_MALFORMED_REQUEST;
	memcpy(cmd->u.pcp.b4, p->b4, 16);
	cmd->u.pcp.src = internal;
	cmd->u.pcp.sport = q->int_port;
	cmd->u.pcp.proto = q->proto;
	cmd->u.pcp.op = q->opcode == PCP_OP_PEER ? CTL_PCP_PEER : CTL_PCP_MAP;
	cmd->u.pcp.eport = q->ext_port;
	if (q->prefer_failure)
		cmd->u.pcp.flags |= CTL_PCP_PREFER_FAILURE;
	/* Section 15: the server's own bounds on what a client asks. */
	cmd->u.pcp.lifetime = q->lifetime == 0                    ? 0
	                      : q->lifetime < f->pcp_min_lifetime ? f->pcp_min_lifetime
	                      : q->lifetime > f->pcp_max_lifetime ? f->pcp_max_lifetime
	                                                          : q->lifetime;
	if (q->opcode == PCP_OP_PEER) {
		if (!pcp_addr_v4(q->peer_addr, &v4))
			return PCP_UNSUPP_PROTOCOL; /* an IPv6 peer: not through NAT44 */
		cmd->u.pcp.remote[0] = v4;
		cmd->u.pcp.rport[0] = q->peer_port;
		return PCP_SUCCESS;
	}
	return filters(q, cmd);
}

/* Has the B4's owner apply cmd (another worker if it moved): the code. */
static int apply(struct pcp_server *s, const struct ctl_pkt *p, struct ctl_msg *cmd,
                 struct ctl_msg *reply)
{
	unsigned int n = dpctl_workers(s->dp);
	int rc = dpctl_pcp(s->dp, p->worker, cmd, reply);

	for (unsigned int w = 0; rc == -EXDEV && w < n; w++)
		if (w != p->worker)
			rc = dpctl_pcp(s->dp, w, cmd, reply);
	return rc < 0 ? PCP_NETWORK_FAILURE : reply->u.pcp.result;
}

/* The record of a mapping made, renewed or deleted. */
static void record(struct pcp_server *s, const struct ctl_pkt *p, const struct pcp_request *q,
                   const struct ctl_msg *r, uint64_t gen)
{
	struct pcp_mapping m = {.internal = r->u.pcp.src,
	                        .internal_port = r->u.pcp.sport,
	                        .proto = r->u.pcp.proto,
	                        .opcode = q->opcode,
	                        .ep = p->ep,
	                        .client = p->src,
	                        .client_port = p->sport,
	                        .v6 = p->v6,
	                        .external = r->u.pcp.ext,
	                        .external_port = r->u.pcp.eport,
	                        .lifetime = r->u.pcp.lifetime,
	                        .created = now_s(),
	                        .expires = now_s() + r->u.pcp.lifetime};
	struct pcp_mapping *old;

	if (r->u.pcp.flags & CTL_PCP_STATIC)
		return; /* a static mapping answered: not PCP's */
	memcpy(m.b4, p->b4, 16);
	memcpy(m.nonce, q->nonce, 12);
	pthread_mutex_lock(&s->lock);
	old = pcp_mappings_find(s->maps, m.b4, m.internal, m.internal_port, m.proto, m.opcode);
	if (old && r->u.pcp.op != CTL_PCP_DEL)
		m.created = old->created;
	if (r->u.pcp.op == CTL_PCP_DEL) {
		pcp_mappings_del(s->maps, &m); /* this opcode's alone (nat/pcp_map.c) */
	} else {
		(void)pcp_mappings_put(s->maps, &m);
	}
	s->gen = gen;
	s->dirty = true;
	pthread_mutex_unlock(&s->lock);
}

/* Section 11.3: a mapping another client made (another nonce) is not this
 * one's to renew or delete. */
static bool nonce_ok(struct pcp_server *s, const struct ctl_msg *cmd, const uint8_t nonce[12],
                     uint8_t opcode)
{
	struct pcp_mapping *m;
	bool ok;

	pthread_mutex_lock(&s->lock);
	m = pcp_mappings_find(s->maps, cmd->u.pcp.b4, cmd->u.pcp.src, cmd->u.pcp.sport,
	                      cmd->u.pcp.proto, opcode);
	ok = m == NULL || memcmp(m->nonce, nonce, 12) == 0;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void answer(struct pcp_server *s, const struct ctl_pkt *p, const struct pcp_request *q,
                   int result, uint32_t lifetime, uint32_t ext, uint16_t eport)
{
	/* An error, and a deletion (RFC 6887 erratum 3621), repeat the
	 * suggested external address and port. */
	bool suggested = result != PCP_SUCCESS || q->lifetime == 0;
	uint8_t out[PCP_MAX_LEN], a[16] = {0};
	size_t len;

	if (suggested)
		memcpy(a, q->ext_addr, 16);
	else if (ext)
		pcp_addr_from_v4(ext, a);
	len = pcp_response(q, result, result == PCP_SUCCESS ? lifetime : pcp_error_lifetime(result),
	                   epoch(s), a, suggested ? q->ext_port : eport, out);
	send_pkt(s, p, p->src, p->sport, out, len);
}

struct match {
	const uint8_t *b4, *nonce;
	uint32_t internal;
	uint8_t proto;
	struct pcp_mapping *out;
	size_t n, cap;
};

static void collect(const struct pcp_mapping *m, void *arg)
{
	struct match *a = arg;

	if (memcmp(m->b4, a->b4, 16) != 0 || m->internal != a->internal ||
	    (a->proto && m->proto != a->proto) || memcmp(m->nonce, a->nonce, 12) != 0)
		return;
	if (a->n == a->cap) {
		struct pcp_mapping *v = realloc(a->out, (a->cap * 2 + 8) * sizeof(*v));

		if (v == NULL)
			return;
		a->out = v;
		a->cap = a->cap * 2 + 8;
	}
	a->out[a->n++] = *m;
}

/* Section 15: a MAP of lifetime 0 for all protocols or all ports deletes
 * every such mapping of the internal address the client made (its nonce). */
static int delete_all(struct pcp_server *s, const struct ctl_pkt *p, const struct pcp_request *q,
                      uint64_t gen)
{
	struct match a = {
	        .b4 = p->b4, .nonce = q->nonce, .internal = p->v6 ? 0 : p->src, .proto = q->proto};
	int rc = PCP_SUCCESS;

	if ((q->third_party && !pcp_addr_v4(q->third_party_addr, &a.internal)) || a.internal == 0)
		return PCP_NOT_AUTHORIZED;
	pthread_mutex_lock(&s->lock);
	pcp_mappings_each(s->maps, collect, &a);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < a.n && rc == PCP_SUCCESS; i++) {
		struct ctl_msg cmd = {0}, r = {0};

		memcpy(cmd.u.pcp.b4, p->b4, 16);
		cmd.u.pcp.src = a.internal;
		cmd.u.pcp.sport = a.out[i].internal_port;
		cmd.u.pcp.proto = a.out[i].proto;
		cmd.u.pcp.op = a.out[i].opcode == PCP_OP_PEER ? CTL_PCP_PEER : CTL_PCP_MAP;
		if ((rc = apply(s, p, &cmd, &r)) == PCP_SUCCESS)
			record(s, p, q, &r, gen);
	}
	free(a.out);
	return rc;
}

static void handle(struct pcp_server *s, const struct ctl_pkt *p, uint64_t gen)
{
	struct pcp_request q;
	struct ctl_msg cmd = {0}, r = {0};
	int rc = pcp_parse(p->data, p->len, &q);
	uint32_t v4 = 0;

	if (rc == PCP_DROP) {
		s->dropped++;
		return;
	}
	if (q.opcode <= PCP_OP_PEER)
		s->requests[q.opcode]++;
	/* Section 8.3: the client's address as it sees itself is the one the
	 * packet came from (no NAT between host and AFTR in a softwire). */
	if (rc == PCP_SUCCESS && (p->v6 ? memcmp(q.client, p->b4, 16) != 0
	                                : !pcp_addr_v4(q.client, &v4) || v4 != p->src))
		rc = PCP_ADDRESS_MISMATCH;
	if (rc == PCP_SUCCESS && q.opcode == PCP_OP_MAP && q.lifetime == 0 &&
	    (q.proto == 0 || q.int_port == 0)) {
		rc = delete_all(s, p, &q, gen);
		goto answer;
	}
	if (rc == PCP_SUCCESS && q.opcode != PCP_OP_ANNOUNCE)
		rc = command_of(s, p, &q, &cmd);
	if (rc == PCP_SUCCESS && q.opcode != PCP_OP_ANNOUNCE &&
	    !nonce_ok(s, &cmd, q.nonce, q.opcode))
		rc = PCP_NOT_AUTHORIZED;
	if (rc == PCP_SUCCESS && q.opcode != PCP_OP_ANNOUNCE &&
	    (rc = apply(s, p, &cmd, &r)) == PCP_SUCCESS && r.u.pcp.op != CTL_PCP_REFUSED)
		record(s, p, &q, &r, gen);
answer:
	pthread_mutex_lock(&s->lock);
	s->results[rc >= 0 && rc < PCP_NRESULTS ? rc : PCP_NETWORK_FAILURE]++;
	if (rc != PCP_SUCCESS)
		log_once(s, p, rc, q.opcode);
	pthread_mutex_unlock(&s->lock);
	answer(s, p, &q, rc, r.u.pcp.lifetime, r.u.pcp.ext, r.u.pcp.eport);
}

/* A new dataplane has none of the mappings: each client that had one
 * hears an ANNOUNCE (section 14.1.3) at port 5350 and at the port it
 * asked from, and maps again; the record starts empty. */
static void announce_all(struct pcp_server *s)
{
	struct pcp_mapping *all;
	uint8_t out[PCP_MAX_LEN];
	size_t len = pcp_announce(epoch(s), out);

	pthread_mutex_lock(&s->lock);
	all = pcp_mappings_take_all(s->maps);
	s->dirty = true;
	pthread_mutex_unlock(&s->lock);
	while (all) {
		struct pcp_mapping *m = all;
		struct ctl_pkt to = {
		        .ep = m->ep, .v6 = m->v6, .dst = htonl(s->cfg->fixed.icmp_source)};

		memcpy(to.b4, m->b4, 16);
		send_pkt(s, &to, m->client, PCP_CLIENT_PORT, out, len);
		if (m->client_port != PCP_CLIENT_PORT)
			send_pkt(s, &to, m->client, m->client_port, out, len);
		s->announced++;
		all = m->next;
		free(m);
	}
}

/* Once a second: the record's expired mappings go, and it is saved. */
static void tick(struct pcp_server *s)
{
	bool save;
	uint64_t gen;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (pcp_mappings_expire(s->maps, now_s()))
		s->dirty = true;
	save = s->dirty;
	gen = s->gen;
	if (save)
		rc = pcp_mappings_save(s->maps, s->path, gen);
	s->dirty = save && rc < 0;
	pthread_mutex_unlock(&s->lock);
	if (rc < 0)
		fprintf(stderr, "aftr-control: pcp: cannot save %s: %s\n", s->path, strerror(-rc));
}

/* Mappings the dataplane ended itself (dpctl's thread): out of the
 * record, those of the opcodes the event names. */
static void ended(void *arg, const struct ctl_msg *e)
{
	struct pcp_server *s = arg;
	struct pcp_mapping m = {.internal = e->u.pcp.src,
	                        .internal_port = e->u.pcp.sport,
	                        .proto = e->u.pcp.proto,
	                        .opcode = PCP_OP_MAP};

	/* Which of the session's mappings ended (none said: both). */
	uint8_t ends = e->u.pcp.flags & (CTL_PCP_ENDS_MAP | CTL_PCP_ENDS_PEER);

	memcpy(m.b4, e->u.pcp.b4, 16);
	pthread_mutex_lock(&s->lock);
	if (!ends || (ends & CTL_PCP_ENDS_MAP))
		pcp_mappings_del(s->maps, &m);
	m.opcode = PCP_OP_PEER;
	if (!ends || (ends & CTL_PCP_ENDS_PEER))
		pcp_mappings_del(s->maps, &m);
	s->dirty = true;
	pthread_mutex_unlock(&s->lock);
}

static void *run(void *arg)
{
	struct pcp_server *s = arg;
	struct ctl_pkt *p = malloc(16 * sizeof(*p));
	time_t last = 0;

	while (p && !atomic_load(&s->stop)) {
		uint64_t gen;
		int n = dpctl_pkt_recv(s->dp, p, 16, &gen);

		if (gen && gen != s->gen) {
			if (s->gen || pcp_mappings_count(s->maps))
				announce_all(s);
			pthread_mutex_lock(&s->lock);
			s->gen = gen;
			s->dirty = true;
			pthread_mutex_unlock(&s->lock);
		}
		for (int i = 0; i < n; i++) {
			/* One that waited for aftr-control to start was given up
			 * on (section 8.1.1: the client has sent it again). */
			if (ctl_pkt_check(&p[i]) == 0 && p[i].time_ms + STALE_MS >= now_ms())
				handle(s, &p[i], gen);
			else
				s->dropped++;
		}
		if (time(NULL) != last) {
			last = time(NULL);
			tick(s);
		}
		if (n == 0)
			usleep(IDLE_US);
	}
	free(p);
	return NULL;
}

struct pcp_server *pcp_start(const struct aftr_config *cfg, struct dpctl *dp, const char *state_dir,
                             char *err, size_t errlen)
{
	struct pcp_server *s;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg_pcp_on(&cfg->fixed) || dp == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->maps = pcp_mappings_new()) == NULL) {
		free(s);
		snprintf(err, errlen, "pcp: out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->dp = dp;
	snprintf(s->path, sizeof(s->path), "%s/pcp.json", state_dir);
	/* The mappings of the dataplane that runs still hold; those of an
	 * earlier one are announced lost when it is seen (run). */
	rc = pcp_mappings_load(s->maps, s->path, &s->gen);
	if (rc < 0 && rc != -ENOENT)
		fprintf(stderr, "aftr-control: pcp: %s is not a mapping record: starting empty\n",
		        s->path);
	pthread_mutex_init(&s->lock, NULL);
	dpctl_set_pcp_hook(dp, ended, s);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		dpctl_set_pcp_hook(dp, NULL, NULL);
		pcp_mappings_free(s->maps);
		free(s);
		snprintf(err, errlen, "pcp: cannot start its thread");
		return NULL;
	}
	return s;
}

void pcp_stop(struct pcp_server *s)
{
	if (s == NULL)
		return;
	dpctl_set_pcp_hook(s->dp, NULL, NULL);
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	tick(s);
	pthread_mutex_destroy(&s->lock);
	pcp_mappings_free(s->maps);
	free(s);
}

struct each_arg {
	json_t *list;
	int64_t now;
};

static void add_mapping(const struct pcp_mapping *m, void *arg)
{
	struct each_arg *a = arg;

	json_array_append_new(a->list, pcp_mapping_json(m, a->now));
}

json_t *pcp_json(struct pcp_server *s)
{
	json_t *res, *o;
	struct each_arg a = {.now = now_s()};
	uint32_t ep;

	if (s == NULL)
		return json_pack("{s:b}", "enabled", 0);
	ep = epoch(s); /* before the lock: dpctl's own is never taken under it */
	res = json_object();
	a.list = json_array();
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < PCP_NRESULTS; i++)
		json_object_set_new(res, pcp_result_name(i),
		                    json_integer((json_int_t)s->results[i]));
	pcp_mappings_each(s->maps, add_mapping, &a);
	o = json_pack("{s:b,s:i,s:{s:I,s:I,s:I},s:o,s:I,s:I,s:I,s:I,s:I,s:o}", "enabled", 1,
	              "epoch", ep, "requests", "announce", (json_int_t)s->requests[0], "map",
	              (json_int_t)s->requests[1], "peer", (json_int_t)s->requests[2], "results",
	              res, "dropped", (json_int_t)s->dropped, "answers_sent", (json_int_t)s->sent,
	              "answers_unsent", (json_int_t)s->send_failed, "announced",
	              (json_int_t)s->announced, "count", (json_int_t)pcp_mappings_count(s->maps),
	              "mappings", a.list);
	pthread_mutex_unlock(&s->lock);
	return o;
}
