/* What an lcore does when a round of its loop found nothing to do.
 *
 * Workers (dataplane.idle): "poll" spins flat out, a whole core whether
 * packets come or not, as a dedicated box wants. "adaptive" (the default)
 * keeps polling, with rte_pause between rounds, for IDLE_SPIN_US after the
 * last round that had work, then sleeps: IDLE_SLEEP_MIN_US first, twice as
 * long each time after, up to dataplane.idle_sleep_max_us; the first round
 * with work polls flat out again. A sleep and the wake-up after it cost
 * the CPU about 25 us on the development VM (a bare nanosleep loop): a
 * shorter sleep would cost more than the spinning it saves, hence the
 * first one's length. A sleep is a system call, made only when
 * the worker has had nothing to do for a while, never on the way of a
 * packet; what it costs is latency: a packet that arrives while its worker
 * sleeps waits for the end of the sleep (bench/README.md, "Idle").
 *
 * While idle, a worker's timers (the session sweep, reassembly and PMTU
 * expiry) advance once per sleep instead of once per round: an idle
 * worker at the 200 us default sweeps ~5000 x 64 session slots a second,
 * its 65536 default slots in 0.2 s.
 *
 * The main lcore (app.c) sleeps IDLE_MAIN_US whenever a round of its slow
 * path found nothing: its rings and timers are looked at about a thousand
 * times a second, and cost next to nothing between. */
#ifndef AFTR_IDLE_H
#define AFTR_IDLE_H

#include <rte_cycles.h>
#include <rte_pause.h>

#include "dp.h"

#define IDLE_SPIN_US      50   /* polled with rte_pause before the first sleep */
#define IDLE_SLEEP_MIN_US 50   /* the first sleep (CFG_IDLE_SLEEP_MAX_US_MIN) */
#define IDLE_MAIN_US      1000 /* the main lcore's sleep */

/* One worker's back-off state: its own, on its own lcore. */
struct dp_idle {
	uint64_t last_work; /* TSC of the last round that had work */
	uint64_t spin;      /* IDLE_SPIN_US in TSC cycles */
	uint32_t sleep_us;  /* the next sleep */
	uint32_t max_us;    /* the longest sleep; 0: poll, never sleep */
};

/* Called on the worker's own lcore before its loop (it sets the thread's
 * timer slack, so that a 50 us sleep is not a 100 us one). */
void idle_init(struct dp_idle *s, const struct cfg_fixed *cfg);

/* Sleeps s->sleep_us, counts it, doubles the next one up to the cap. */
void idle_sleep(struct dp_worker *w, struct dp_idle *s);

/* After a round of the worker's loop that handled work items (packets and
 * ring entries): nothing, a pause, or a sleep. */
static inline void idle_round(struct dp_worker *w, struct dp_idle *s, unsigned int work)
{
	uint64_t now;

	if (s->max_us == 0)
		return;
	now = rte_rdtsc();
	if (work) {
		s->last_work = now;
		s->sleep_us = IDLE_SLEEP_MIN_US;
	} else if (now - s->last_work < s->spin) {
		rte_pause();
	} else {
		idle_sleep(w, s);
	}
}

/* The main lcore's sleep after a round that found nothing. */
void idle_main_sleep(void);

#endif
