/* Idle back-off of the lcores; see idle.h. */
#include "idle.h"

#include <sys/prctl.h>
#include <time.h>

/* The timer slack of a thread that sleeps: the kernel may wake it this
 * late (50 us by default) to batch wake-ups; sleeps of 50-1000 us need
 * it small. */
#define IDLE_SLACK_NS 1000

void idle_init(struct dp_idle *s, const struct cfg_fixed *cfg)
{
	*s = (struct dp_idle){
	        .last_work = rte_rdtsc(),
	        .spin = rte_get_tsc_hz() / 1000000 * IDLE_SPIN_US,
	        .sleep_us = IDLE_SLEEP_MIN_US,
	        .max_us = cfg->idle == IDLE_POLL ? 0 : cfg->idle_sleep_max_us,
	};
	if (s->max_us)
		prctl(PR_SET_TIMERSLACK, IDLE_SLACK_NS, 0, 0, 0);
}

void idle_sleep(struct dp_worker *w, struct dp_idle *s)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)s->sleep_us * 1000};
	uint64_t t0 = rte_rdtsc();

	/* Interrupted (a signal: dp.stop), the loop looks at once. */
	nanosleep(&ts, NULL);
	w->ctr->cnt[CNT_IDLE_SLEEPS]++;
	w->ctr->cnt[CNT_IDLE_NS] +=
	        (uint64_t)((unsigned __int128)(rte_rdtsc() - t0) * dp.ns_mult >> 32);
	s->sleep_us = RTE_MIN(s->sleep_us * 2, s->max_us);
}

void idle_main_sleep(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = IDLE_MAIN_US * 1000L};

	nanosleep(&ts, NULL);
}
