/* The control process's end of the dataplane rings; see dpctl.h.
 *
 * One thread drains the event rings (their only consumer) and re-attaches
 * when the dataplane is replaced (a new generation). Commands are enqueued
 * under a mutex: the control process is the rings' only producer, but its
 * API may run handlers on more than one thread. */
#include "dpctl.h"

#include <errno.h>
#include <pthread.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl_msg.h"
#include "stats_shm.h"

#define MAX_WORKERS 64
#define POLL_US 10000   /* event rings drained every 10 ms */
#define REATTACH_S 1    /* and the region checked every second */

struct dpctl {
	char *shm;
	const struct aftr_config *cfg;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock; /* the region pointer and command enqueues */
	struct stats_shm_hdr *h;
	uint32_t seq;
	_Atomic uint32_t acked[MAX_WORKERS]; /* last acknowledged sequence number */
	atomic_uint_fast64_t events;
};

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
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
	if (probe && (h = stats_shm_attach(c->shm)) != NULL &&
	    (h->msg_size != CTL_MSG_SIZE || h->nrings > MAX_WORKERS)) {
		stats_shm_close(h); /* another layout: counters only */
		h = NULL;
	}
	pthread_mutex_lock(&c->lock);
	old = c->h;
	c->h = h;
	pthread_mutex_unlock(&c->lock);
	if (old)
		stats_shm_close(old);
	if (h)
		fprintf(stderr, "aftr-control: following the dataplane (pid %d, %u workers)\n",
			h->pid, h->nrings);
}

static void log_event(struct dpctl *c, const struct stats_shm_hdr *h, const struct ctl_msg *m)
{
	char line[256];
	time_t t = (time_t)(h->start_time + (int64_t)m->time);

	ctl_msg_format(m, line, sizeof(line));
	atomic_fetch_add(&c->events, 1);
	if (c->cfg->log_dest == LOG_DEST_SYSLOG)
		syslog(LOG_NOTICE, "%s", line); /* ISC: trace messages at LOG_NOTICE */
	else
		fprintf(stderr, "%ld %s\n", (long)t, line);
}

static void drain(struct dpctl *c, const struct stats_shm_hdr *h)
{
	struct ctl_msg m[32];

	for (uint32_t w = 0; w < h->nrings; w++) {
		struct rte_ring *r = stats_shm_ring(h, h->nrings + w);
		unsigned int n = rte_ring_sc_dequeue_burst_elem(r, m, CTL_MSG_SIZE, 32, NULL);

		for (unsigned int i = 0; i < n; i++) {
			if (ctl_msg_check(&m[i]) < 0)
				continue; /* never trust another process's bytes */
			if (m[i].type == CTL_EVT_ACK)
				atomic_store(&c->acked[w], m[i].seq);
			else if (c->cfg->nat_events != NAT_EVENTS_OFF)
				log_event(c, h, &m[i]);
		}
	}
}

static void *run(void *arg)
{
	struct dpctl *c = arg;
	uint64_t next = 0;

	while (!atomic_load(&c->stop)) {
		if (now_us() >= next) {
			reattach(c);
			next = now_us() + REATTACH_S * 1000000u;
		}
		if (c->h)
			drain(c, c->h); /* only this thread swaps c->h */
		usleep(POLL_US);
	}
	return NULL;
}

struct dpctl *dpctl_start(const char *shm, const struct aftr_config *cfg)
{
	struct dpctl *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->shm = strdup(shm)) == NULL) {
		free(c);
		return NULL;
	}
	c->cfg = cfg;
	pthread_mutex_init(&c->lock, NULL);
	if (cfg->log_dest == LOG_DEST_SYSLOG)
		openlog("aftr", LOG_NDELAY | LOG_PID, LOG_LOCAL5);
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
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
	free(c->shm);
	free(c);
}

unsigned int dpctl_workers(struct dpctl *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->h ? c->h->nrings : 0;
	pthread_mutex_unlock(&c->lock);
	return n;
}

uint64_t dpctl_events(struct dpctl *c)
{
	return atomic_load(&c->events);
}

int dpctl_ping(struct dpctl *c, unsigned int worker, unsigned int timeout_ms, uint64_t *rtt_us)
{
	struct ctl_msg m = {.type = CTL_CMD_NOOP, .worker = (uint16_t)worker};
	uint64_t t0 = now_us();
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->h == NULL || worker >= c->h->nrings)
		rc = -ENOENT;
	else {
		m.seq = ++c->seq;
		if (rte_ring_sp_enqueue_elem(stats_shm_ring(c->h, worker), &m, CTL_MSG_SIZE) != 0)
			rc = -ENOBUFS;
	}
	pthread_mutex_unlock(&c->lock);
	if (rc < 0)
		return rc;
	/* Sequence numbers grow, so an ack at or past ours answers it. */
	while ((int32_t)(atomic_load(&c->acked[worker]) - m.seq) < 0) {
		if (now_us() - t0 > timeout_ms * 1000u)
			return -ETIMEDOUT;
		usleep(200);
	}
	*rtt_us = now_us() - t0;
	return 0;
}
