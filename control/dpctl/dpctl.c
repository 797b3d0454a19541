/* The control process's end of the dataplane rings; see dpctl.h.
 *
 * One thread drains the event rings (their only consumer) and re-attaches
 * when the dataplane is replaced (a new generation). Commands are enqueued
 * under a mutex: the control process is the rings' only producer, but its
 * API may run handlers on more than one thread. */
#include "dpctl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <netinet/in.h>

#include "addr.h"
#include "ctl_msg.h"
#include "ctl_pkt.h"
#include "export.h"
#include "counters.h"
#include "rates.h"
#include "stats_shm.h"

#define MAX_WORKERS 64
#define POLL_US     2000   /* event rings drained every 2 ms */
#define ACK_POLL_US 100    /* and every 0.1 ms while a command waits for its ack */
#define REATTACH_US 200000 /* and the region checked five times a second */
#define DRAIN_MAX   4096

struct dpctl {
	char *shm;
	const struct aftr_config *cfg;
	struct events *events;   /* where event records go (NULL: nowhere) */
	struct rates *rates;     /* of the counters, moved once a second */
	uint64_t lost, lost_gen; /* events_lost seen last, in that dataplane */
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock; /* the region pointer and command enqueues */
	struct stats_shm_hdr *h;
	uint32_t seq;
	/* Last acknowledged sequence number of each worker, then the main lcore. */
	_Atomic uint32_t acked[MAX_WORKERS + 1];
	atomic_uint waiting; /* commands waiting for their ack */
	/* The main lcore's last ack: its result and text (a tables load). */
	_Atomic uint32_t main_seq; /* the main-lcore command waited for */
	atomic_int main_result;
	char main_text[40];
	/* One session listing at a time: its command's seq, where the events
	 * go (filled by the thread, under lock: the requester may give up),
	 * and the worker's cursor and result from the ack. */
	pthread_mutex_t dump_lock;
	_Atomic uint32_t dump_seq;
	json_t *dump_out;
	_Atomic uint32_t dump_next;
	atomic_int dump_result;
	/* The PCP command waited for (dpctl_pcp) and its reply. */
	pthread_mutex_t pcp_lock;
	_Atomic uint32_t pcp_seq;
	atomic_int pcp_result;
	struct ctl_msg pcp_reply;
	bool pcp_got;
	/* Who hears of the mappings the dataplane ends by itself (dpctl_set_pcp_hook). */
	pthread_mutex_t hook_lock;
	void (*pcp_hook)(void *arg, const struct ctl_msg *m);
	void *pcp_hook_arg;
};

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* A ring as the dataplane made it (rte_ring_init of ring_count elements,
 * single producer and consumer), with head and tail in range: indexes are
 * masked with these fields, so they are checked before any use. */
static bool ring_sane(const struct rte_ring *r, uint32_t count)
{
	return r->size == count && r->mask == count - 1 && r->capacity == count - 1 &&
	       r->prod.tail - r->cons.head <= r->capacity &&
	       r->prod.head - r->prod.tail <= r->capacity &&
	       r->cons.head - r->cons.tail <= r->capacity;
}

static bool rings_sane(const struct stats_shm_hdr *h)
{
	if (h->msg_size != CTL_MSG_SIZE || h->nrings < 2 || h->nrings > MAX_WORKERS + 1 ||
	    h->ring_count == 0 || (h->ring_count & (h->ring_count - 1)) != 0 ||
	    /* what rte_ring_get_memsize_elem() gives (a library call we do not link) */
	    h->ring_bytes <
	            RTE_ALIGN(sizeof(struct rte_ring) + (size_t)h->ring_count * CTL_MSG_SIZE,
	                      RTE_CACHE_LINE_SIZE))
		return false;
	for (uint32_t i = 0; i < 2 * h->nrings; i++)
		if (!ring_sane(stats_shm_ring(h, i), h->ring_count))
			return false;
	/* The packet rings, the same way. */
	if (h->pkt_size != CTL_PKT_SIZE || h->pkt_count == 0 ||
	    (h->pkt_count & (h->pkt_count - 1)) != 0 ||
	    h->pkt_ring_bytes <
	            RTE_ALIGN(sizeof(struct rte_ring) + (size_t)h->pkt_count * CTL_PKT_SIZE,
	                      RTE_CACHE_LINE_SIZE) ||
	    (uint64_t)h->pkt_rings_off + 2 * (uint64_t)h->pkt_ring_bytes > h->size)
		return false;
	for (uint32_t i = 0; i < 2; i++)
		if (!ring_sane(stats_shm_pkt_ring(h, i), h->pkt_count))
			return false;
	return true;
}

/* Follows the current dataplane: attaches to a new region, lets go of a
 * dead one. Thread only; takes the lock to swap. */
static void reattach(struct dpctl *c)
{
	const struct stats_shm_hdr *probe = stats_shm_open(c->shm);
	uint64_t gen = probe ? probe->generation : 0;
	struct stats_shm_hdr *h = NULL, *old;

	if (probe)
		stats_shm_close(probe);
	if (c->h && probe && c->h->generation == gen)
		return;
	if (probe && (h = stats_shm_attach(c->shm)) != NULL && !rings_sane(h)) {
		fprintf(stderr,
		        "aftr-control: the rings of /dev/shm/%s-stats are not a dataplane's: "
		        "ignored\n",
		        c->shm);
		stats_shm_close(h);
		h = NULL;
	}
	pthread_mutex_lock(&c->lock);
	old = c->h;
	c->h = h;
	pthread_mutex_unlock(&c->lock);
	if (old)
		stats_shm_close(old);
	if (h == NULL)
		return;
	fprintf(stderr, "aftr-control: following the dataplane (pid %d, %u workers)\n", h->pid,
	        h->nrings - 1);
	if (c->events) {
		/* Its start in the records: the NAT state of any earlier one is
		 * gone (evlog_who). Before any of its own records. */
		struct ctl_msg m = {
		        .type = CTL_EVT_DP_START,
		        .time_ms = (uint64_t)h->start_time * 1000,
		        .u.dp = {h->generation, (uint64_t)h->start_time * 1000, h->pid}};

		events_put(c->events, &m);
	}
}

static const char *const state_names[] = {"new", "established", "closing"};

static json_t *session_json(uint32_t worker, const struct ctl_msg *m)
{
	char b4[ADDR6_STRLEN], src[ADDR4_STRLEN], ext[ADDR4_STRLEN];
	struct addr6 a;

	memcpy(a.b, m->u.sess.b4, 16);
	return json_pack("{s:i,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:I}", "worker", worker, "b4",
	                 addr6_format(&a, b4), "protocol", ctl_msg_proto_name(m->u.sess.proto),
	                 "port", m->u.sess.sport, "address",
	                 addr4_format(ntohl(m->u.sess.src), src), "external_address",
	                 addr4_format(ntohl(m->u.sess.ext), ext), "external_port", m->u.sess.eport,
	                 "state", m->u.sess.state < 3 ? state_names[m->u.sess.state] : "unknown",
	                 "expires_in", (json_int_t)m->u.sess.expires_in);
}

static json_t *subscriber_json(uint32_t worker, const struct ctl_msg *m)
{
	char b4[ADDR6_STRLEN], ext[ADDR4_STRLEN];
	struct addr6 a;

	memcpy(a.b, m->u.subs.b4, 16);
	return json_pack("{s:i,s:s,s:s,s:{s:i,s:i,s:i},s:{s:i,s:i,s:i},s:[]}", "worker", worker,
	                 "b4", addr6_format(&a, b4), "external_address",
	                 addr4_format(ntohl(m->u.subs.addr), ext), "sessions", "tcp",
	                 m->u.subs.nsess[0], "udp", m->u.subs.nsess[1], "icmp", m->u.subs.nsess[2],
	                 "block_count", "tcp", m->u.subs.nblocks[0], "udp", m->u.subs.nblocks[1],
	                 "icmp", m->u.subs.nblocks[2], "blocks");
}

static json_t *pool_json(uint32_t worker, const struct ctl_msg *m)
{
	char a[ADDR4_STRLEN];

	return json_pack("{s:i,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:i,s:i,s:I}", "worker", worker,
	                 "address", addr4_format(ntohl(m->u.pool.addr), a), "protocol",
	                 ctl_msg_proto_name(m->u.pool.proto), "state",
	                 m->u.pool.draining ? "draining" : "active", "blocks",
	                 (json_int_t)m->u.pool.blocks, "blocks_free",
	                 (json_int_t)m->u.pool.blocks_free, "ports", (json_int_t)m->u.pool.ports,
	                 "ports_used", (json_int_t)m->u.pool.ports_used, "first_port",
	                 m->u.pool.first_port, "block_size", m->u.pool.block_size, "blocks_all",
	                 (json_int_t)m->u.pool.blocks_all);
}

/* A B4 of a worker's drop table, its reasons to follow. */
static json_t *b4drops_json(uint32_t worker, const struct ctl_msg *m)
{
	char b4[ADDR6_STRLEN];
	struct addr6 a;

	memcpy(a.b, m->u.b4drops.b4, 16);
	return json_pack("{s:i,s:s,s:I,s:I,s:I,s:{}}", "worker", worker, "b4", addr6_format(&a, b4),
	                 "drops", (json_int_t)m->u.b4drops.total, "since_s",
	                 (json_int_t)m->u.b4drops.since_s, "last_drop_s",
	                 (json_int_t)m->u.b4drops.last_s, "reasons");
}

/* What a worker knows of a B4 (CTL_CMD_B4). */
static json_t *b4_json(uint32_t worker, const struct ctl_msg *m)
{
	json_t *j = json_pack("{s:i,s:I,s:I,s:I}", "worker", worker, "tracked",
	                      (json_int_t)m->u.b4.tracked, "capacity", (json_int_t)m->u.b4.capacity,
	                      "replaced", (json_int_t)m->u.b4.replaced);

	if (m->u.b4.pmtu)
		json_object_set_new(j, "pmtu", json_integer(m->u.b4.pmtu));
	if (m->u.b4.nat)
		json_object_set_new(j, "last_active_s",
		                    m->u.b4.nat == 2 ? json_integer(m->u.b4.active_ago_s)
		                                     : json_null());
	return j;
}

/* Reasons of the B4 before them (the list's last). */
static void b4reasons_add(json_t *last, const struct ctl_msg *m)
{
	json_t *r = json_object_get(last, "reasons");

	for (unsigned int i = 0; r && i < m->u.b4reasons.n; i++)
		json_object_set_new(r, aftr_drop_name((enum aftr_drop)m->u.b4reasons.reason[i]),
		                    json_integer((json_int_t)m->u.b4reasons.count[i]));
}

/* A listed event: a session, a subscriber, a pool's share or a B4's
 * drops goes into the list; a block into its subscriber's (the one before
 * it), drop reasons into their B4's. Lock held. */
static void dump_add(struct dpctl *c, uint32_t w, const struct ctl_msg *m)
{
	json_t *last = json_array_get(c->dump_out, json_array_size(c->dump_out) - 1);

	if (m->type == CTL_EVT_B4DROPS) {
		json_array_append_new(c->dump_out, b4drops_json(w, m));
	} else if (m->type == CTL_EVT_B4REASONS) {
		b4reasons_add(last, m);
	} else if (m->type == CTL_EVT_B4) {
		json_array_append_new(c->dump_out, b4_json(w, m));
	} else if (m->type == CTL_EVT_POOL) {
		json_array_append_new(c->dump_out, pool_json(w, m));
	} else if (m->type == CTL_EVT_SESSION) {
		json_array_append_new(c->dump_out, session_json(w, m));
	} else if (m->type == CTL_EVT_SUBSCRIBER) {
		json_array_append_new(c->dump_out, subscriber_json(w, m));
	} else if (last != NULL) {
		json_array_append_new(json_object_get(last, "blocks"),
		                      json_pack("{s:s,s:i,s:i}", "protocol",
		                                ctl_msg_proto_name(m->u.block.proto), "first",
		                                m->u.block.first, "last",
		                                m->u.block.first + m->u.block.count - 1));
	}
}

/* One message from ring w. */
static void take(struct dpctl *c, uint32_t w, const struct stats_shm_hdr *h,
                 const struct ctl_msg *m)
{
	if (ctl_msg_check(m) < 0)
		return; /* never trust another process's bytes */
	if (m->type == CTL_EVT_ACK) {
		if (w == h->nrings - 1 && m->seq == atomic_load(&c->main_seq)) {
			/* before acked: the waiter reads it */
			pthread_mutex_lock(&c->lock);
			memcpy(c->main_text, m->u.ack.text, sizeof(c->main_text));
			pthread_mutex_unlock(&c->lock);
			atomic_store(&c->main_result, m->u.ack.result);
		}
		if (m->seq == atomic_load(&c->dump_seq)) {
			atomic_store(&c->dump_next, m->u.ack.next);
			atomic_store(&c->dump_result, m->u.ack.result);
		}
		if (m->seq == atomic_load(&c->pcp_seq))
			atomic_store(&c->pcp_result, m->u.ack.result);
		atomic_store(&c->acked[w], m->seq);
	} else if (m->type == CTL_EVT_SESSION || m->type == CTL_EVT_SUBSCRIBER ||
	           m->type == CTL_EVT_BLOCK || m->type == CTL_EVT_POOL ||
	           m->type == CTL_EVT_B4DROPS || m->type == CTL_EVT_B4REASONS ||
	           m->type == CTL_EVT_B4) {
		/* In ring order, before the ack the requester waits for. */
		pthread_mutex_lock(&c->lock);
		if (m->seq == atomic_load(&c->dump_seq) && c->dump_out)
			dump_add(c, w, m);
		pthread_mutex_unlock(&c->lock);
	} else if (m->type == CTL_EVT_PCP) {
		if (m->seq && m->seq == atomic_load(&c->pcp_seq)) {
			pthread_mutex_lock(&c->lock);
			c->pcp_reply = *m;
			c->pcp_got = true;
			pthread_mutex_unlock(&c->lock);
		}
		if (c->events && m->u.pcp.op != CTL_PCP_REFUSED)
			events_put(c->events, m);
		/* One the dataplane ended itself (expiry, a NOC's clear), not a reply. */
		if (m->seq == 0 && (m->u.pcp.op == CTL_PCP_DEL || m->u.pcp.op == CTL_PCP_EXPIRE)) {
			pthread_mutex_lock(&c->hook_lock);
			if (c->pcp_hook)
				c->pcp_hook(c->pcp_hook_arg, m);
			pthread_mutex_unlock(&c->hook_lock);
		}
	} else if (c->events) {
		events_put(c->events, m);
	}
}

/* Every ring until it is empty (a pass takes at most DRAIN_MAX of one, so
 * that a flood on one leaves time for the others' acks), then the
 * exporters' messages out. */
static void drain(struct dpctl *c, const struct stats_shm_hdr *h)
{
	struct ctl_msg m[32];

	for (uint32_t w = 0; w < h->nrings; w++) {
		struct rte_ring *r = stats_shm_ring(h, h->nrings + w);
		unsigned int n, total = 0;

		do {
			n = rte_ring_sc_dequeue_burst_elem(r, m, CTL_MSG_SIZE, 32, NULL);
			for (unsigned int i = 0; i < n; i++)
				take(c, w, h, &m[i]);
			total += n;
		} while (n == 32 && total < DRAIN_MAX);
	}
	if (c->events)
		events_flush(c->events);
}

/* The alarm for records the dataplane could not hand over (its event
 * ring full): a log line whenever the count grew. */
static void check_lost(struct dpctl *c, struct stats_shm_hdr *h)
{
	uint64_t lost = 0;

	for (uint32_t b = 0; b < h->nblocks; b++)
		lost += stats_shm_block(h, b)[CNT_EVENTS_LOST];
	if (c->lost_gen == h->generation && lost > c->lost)
		fprintf(stderr,
		        "aftr-control: %llu NAT event records lost in the dataplane (its event "
		        "rings "
		        "were full; %llu since it started)\n",
		        (unsigned long long)(lost - c->lost), (unsigned long long)lost);
	c->lost = lost;
	c->lost_gen = h->generation;
}

static void *run(void *arg)
{
	struct dpctl *c = arg;
	uint64_t next = 0;

	while (!atomic_load(&c->stop)) {
		if (now_us() >= next) {
			reattach(c);
			if (c->h) {
				check_lost(c, c->h);
				rates_tick(c->rates, c->h, now_us());
			}
			next = now_us() + REATTACH_US;
		}
		if (c->h)
			drain(c, c->h); /* only this thread swaps c->h */
		usleep(atomic_load(&c->waiting) ? ACK_POLL_US : POLL_US);
	}
	return NULL;
}

struct dpctl *dpctl_start(const char *shm, const struct aftr_config *cfg, struct events *events)
{
	struct dpctl *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->shm = strdup(shm)) == NULL) {
		free(c);
		return NULL;
	}
	c->cfg = cfg;
	if ((c->rates = rates_new(cfg->fixed.decay)) == NULL) {
		free(c->shm);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->dump_lock, NULL);
	pthread_mutex_init(&c->pcp_lock, NULL);
	pthread_mutex_init(&c->hook_lock, NULL);
	c->events = events;
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		rates_free(c->rates);
		free(c->shm);
		free(c);
		return NULL;
	}
	return c;
}

void dpctl_stop(struct dpctl *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	if (c->h)
		stats_shm_close(c->h);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->dump_lock);
	pthread_mutex_destroy(&c->pcp_lock);
	pthread_mutex_destroy(&c->hook_lock);
	rates_free(c->rates);
	free(c->shm);
	free(c);
}

json_t *dpctl_rates(struct dpctl *c)
{
	return rates_json(c->rates);
}

unsigned int dpctl_ping_all(struct dpctl *c, unsigned int timeout_ms, int *rc, uint64_t *rtt_us,
                            unsigned int max)
{
	uint32_t seq[MAX_WORKERS];
	uint64_t t0 = now_us();
	unsigned int n, pending;

	/* Every noop goes out first, then one wait for all the answers. */
	pthread_mutex_lock(&c->lock);
	n = c->h ? RTE_MIN(c->h->nrings - 1, max) : 0;
	for (unsigned int w = 0; w < n; w++) {
		struct ctl_msg m = {.type = CTL_CMD_NOOP, .worker = (uint16_t)w, .seq = ++c->seq};

		seq[w] = m.seq;
		rc[w] = rte_ring_sp_enqueue_elem(stats_shm_ring(c->h, w), &m, CTL_MSG_SIZE) == 0
		                ? -ETIMEDOUT
		                : -ENOBUFS;
	}
	pthread_mutex_unlock(&c->lock);
	do {
		pending = 0;
		for (unsigned int w = 0; w < n; w++) {
			/* Sequence numbers grow: an ack at or past ours answers it. */
			if (rc[w] == -ETIMEDOUT &&
			    (int32_t)(atomic_load(&c->acked[w]) - seq[w]) >= 0) {
				rc[w] = 0;
				rtt_us[w] = now_us() - t0;
			}
			pending += rc[w] == -ETIMEDOUT;
		}
		if (pending)
			usleep(200);
	} while (pending && now_us() - t0 < timeout_ms * 1000u);
	return n;
}

#define DUMP_STALLS   50       /* dpctl_dump_all: commands that listed nothing, in a row */
#define DUMP_STALL_US 2000     /* and the wait after each */
#define MAIN_LCORE    UINT_MAX /* command(): the main lcore's ring, whichever it is now */

/* Sends one command to a worker (or MAIN_LCORE) of the dataplane followed
 * now and waits for its ack (or the timeout). */
static int command(struct dpctl *c, unsigned int worker, struct ctl_msg *m, unsigned int timeout_ms)
{
	uint64_t t0 = now_us();
	unsigned int ring = 0;
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->h)
		ring = worker == MAIN_LCORE ? c->h->nrings - 1 : worker;
	if (c->h == NULL || (worker != MAIN_LCORE && worker >= c->h->nrings - 1)) {
		rc = -ENOENT;
	} else {
		m->seq = ++c->seq;
		m->worker = (uint16_t)ring;
		if (m->type == CTL_CMD_SESSIONS || m->type == CTL_CMD_SUBSCRIBERS ||
		    m->type == CTL_CMD_POOLS || m->type == CTL_CMD_CLEAR ||
		    m->type == CTL_CMD_B4DROPS || m->type == CTL_CMD_B4)
			atomic_store(&c->dump_seq, m->seq);
		if (worker == MAIN_LCORE)
			atomic_store(&c->main_seq, m->seq);
		if (m->type == CTL_CMD_PCP)
			atomic_store(&c->pcp_seq, m->seq);
		if (rte_ring_sp_enqueue_elem(stats_shm_ring(c->h, ring), m, CTL_MSG_SIZE) != 0)
			rc = -ENOBUFS;
	}
	pthread_mutex_unlock(&c->lock);
	atomic_fetch_add(&c->waiting, 1);
	while (rc == 0 && (int32_t)(atomic_load(&c->acked[ring]) - m->seq) < 0) {
		if (now_us() - t0 > timeout_ms * 1000u)
			rc = -ETIMEDOUT;
		else
			usleep(ACK_POLL_US);
	}
	atomic_fetch_sub(&c->waiting, 1);
	return rc;
}

int dpctl_dump(struct dpctl *c, unsigned int worker, const struct ctl_msg *filter, uint32_t cursor,
               uint16_t max, json_t *out, uint32_t *next)
{
	struct ctl_msg m = *filter;
	int rc;

	m.u.dump.cursor = cursor;
	m.u.dump.max = max;
	pthread_mutex_lock(&c->dump_lock);
	pthread_mutex_lock(&c->lock);
	c->dump_out = out;
	pthread_mutex_unlock(&c->lock);
	atomic_store(&c->dump_next, CTL_DUMP_END);
	atomic_store(&c->dump_result, 0);
	rc = command(c, worker, &m, 2000);
	*next = atomic_load(&c->dump_next);
	if (rc == 0)
		rc = atomic_load(&c->dump_result);
	pthread_mutex_lock(&c->lock);
	atomic_store(&c->dump_seq, 0);
	c->dump_out = NULL;
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&c->dump_lock);
	return rc;
}

int dpctl_dump_all(struct dpctl *c, unsigned int worker, const struct ctl_msg *filter, uint16_t max,
                   json_t *out)
{
	unsigned int stalled = 0;
	uint32_t cur = 0, next;

	do {
		int rc = dpctl_dump(c, worker, filter, cur, max, out, &next);

		if (rc < 0)
			return rc;
		if (next != CTL_DUMP_END && next <= cur) {
			/* No room in its event ring for one entry: it drains as this
			 * process reads it. Asked again a little later, a while. */
			if (++stalled > DUMP_STALLS)
				return -EBUSY;
			usleep(DUMP_STALL_US);
			continue;
		}
		stalled = 0;
		cur = next;
	} while (cur != CTL_DUMP_END);
	return 0;
}

int dpctl_dump_workers(struct dpctl *c, const struct ctl_msg *filter, uint16_t max, json_t *out)
{
	unsigned int n = c ? dpctl_workers(c) : 0;

	for (unsigned int w = 0; w < n; w++) {
		int rc = dpctl_dump_all(c, w, filter, max, out);

		if (rc < 0)
			return rc;
	}
	return n ? 0 : -ENOENT;
}

unsigned int dpctl_workers(struct dpctl *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->h ? c->h->nrings - 1 : 0;
	pthread_mutex_unlock(&c->lock);
	return n;
}

uint64_t dpctl_generation(struct dpctl *c)
{
	uint64_t g;

	pthread_mutex_lock(&c->lock);
	g = c->h ? c->h->generation : 0;
	pthread_mutex_unlock(&c->lock);
	return g;
}

uint64_t dpctl_tables(struct dpctl *c, uint64_t *gen, uint64_t *origin)
{
	uint64_t g = 0;

	*gen = *origin = 0;
	pthread_mutex_lock(&c->lock);
	if (c->h) {
		g = c->h->generation;
		stats_shm_tables(c->h, gen, origin);
	}
	pthread_mutex_unlock(&c->lock);
	return g;
}

/* The file first, under a temporary name, then renamed: the dataplane
 * never reads half a file. */
static int write_file(const char *path, const char *head, const char *body, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, rc = 0;

	if (strlen(path) + 5 > sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%.*s.tmp", (int)(sizeof(tmp) - 5), path);
	/* /dev/shm is anyone's: never write through a file or link someone
	 * else left under that name. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	if (fputs(head, f) < 0 || fwrite(body, 1, len, f) != len)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* A file for the main lcore and the command that makes it read it: 0, or
 * -errno with the reason in err. */
static int push_file(struct dpctl *c, const char *suffix, const char *head, const char *body,
                     size_t len, struct ctl_msg *m, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int rc;

	pthread_mutex_lock(&c->dump_lock); /* one main-lcore command at a time */
	snprintf(path, sizeof(path), "/dev/shm/%s-%s", c->shm, suffix);
	rc = write_file(path, head, body, len);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	} else {
		atomic_store(&c->main_result, -ETIMEDOUT);
		/* A million entries take the dataplane about a second. */
		rc = command(c, MAIN_LCORE, m, 20000);
		if (rc == 0 && (rc = atomic_load(&c->main_result)) < 0) {
			pthread_mutex_lock(&c->lock);
			snprintf(err, errlen, "the dataplane refused it: %.40s", c->main_text);
			pthread_mutex_unlock(&c->lock);
		} else if (rc < 0) {
			snprintf(err, errlen, "%s", rc == -ENOENT ? "no dataplane" : strerror(-rc));
		}
		/* A hand-over, not state: once the dataplane has answered, it
		 * has read it (one that has not may still). */
		if (rc != -ETIMEDOUT)
			unlink(path);
	}
	pthread_mutex_unlock(&c->dump_lock);
	return rc;
}

int dpctl_push_tables(struct dpctl *c, const char *file, size_t len, uint64_t gen, char *err,
                      size_t errlen)
{
	struct ctl_msg m = {.type = CTL_CMD_TABLES, .u.tables.gen = gen};

	return push_file(c, "tables", "", file, len, &m, err, errlen);
}

int dpctl_push_delta(struct dpctl *c, const char *records, uint64_t base, uint64_t gen, char *err,
                     size_t errlen)
{
	struct ctl_msg m = {.type = CTL_CMD_DELTA, .u.tables = {gen, base}};
	char head[80];

	snprintf(head, sizeof(head), CTL_DELTA_MAGIC "%" PRIu64 " %" PRIu64 "\n", base, gen);
	return push_file(c, "delta", head, records, strlen(records), &m, err, errlen);
}

int dpctl_pcp(struct dpctl *c, unsigned int worker, struct ctl_msg *cmd, struct ctl_msg *reply)
{
	int rc;

	pthread_mutex_lock(&c->pcp_lock); /* one at a time: one reply slot */
	pthread_mutex_lock(&c->lock);
	c->pcp_got = false;
	pthread_mutex_unlock(&c->lock);
	cmd->type = CTL_CMD_PCP;
	rc = command(c, worker, cmd, 1000);
	if (rc == 0) {
		rc = atomic_load(&c->pcp_result);
		pthread_mutex_lock(&c->lock);
		if (rc == 0 && !c->pcp_got)
			rc = -EPROTO;
		*reply = c->pcp_reply;
		pthread_mutex_unlock(&c->lock);
	}
	atomic_store(&c->pcp_seq, 0);
	pthread_mutex_unlock(&c->pcp_lock);
	return rc;
}

int dpctl_pkt_recv(struct dpctl *c, struct ctl_pkt *out, unsigned int max, uint64_t *generation)
{
	unsigned int n = 0;

	pthread_mutex_lock(&c->lock);
	*generation = c->h ? c->h->generation : 0;
	if (c->h)
		n = rte_ring_sc_dequeue_burst_elem(stats_shm_pkt_ring(c->h, 0), out, CTL_PKT_SIZE,
		                                   max, NULL);
	pthread_mutex_unlock(&c->lock);
	return (int)n;
}

int dpctl_pkt_send(struct dpctl *c, const struct ctl_pkt *p)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&c->lock);
	if (c->h)
		rc = rte_ring_sp_enqueue_elem(stats_shm_pkt_ring(c->h, 1), (void *)(uintptr_t)p,
		                              CTL_PKT_SIZE) == 0
		             ? 0
		             : -ENOBUFS;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int64_t dpctl_start_time(struct dpctl *c)
{
	int64_t t;

	pthread_mutex_lock(&c->lock);
	t = c->h ? c->h->start_time : 0;
	pthread_mutex_unlock(&c->lock);
	return t;
}

void dpctl_set_pcp_hook(struct dpctl *c, void (*fn)(void *arg, const struct ctl_msg *m), void *arg)
{
	pthread_mutex_lock(&c->hook_lock); /* none running once it returns */
	c->pcp_hook = fn;
	c->pcp_hook_arg = arg;
	pthread_mutex_unlock(&c->hook_lock);
}
