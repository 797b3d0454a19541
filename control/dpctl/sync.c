/* The dataplane sync thread; see sync.h. */
#include "sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dpctl.h"
#include "state.h"

#define TICK_US  20000   /* changes are seen at once, new dataplanes within 20 ms */
#define RETRY_US 1000000 /* a refused or failed push is tried again after 1 s */

struct sync {
	struct state *s;
	struct dpctl *dp;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock; /* the fields below */
	pthread_cond_t done;  /* broadcast when a push was answered */
	uint64_t dp_gen;      /* the dataplane the applied generation went to */
	uint64_t applied;     /* the generation it runs (0: none yet) */
	uint64_t failed;      /* the last generation it did not take */
	char error[256];
};

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* The dataplane's answer to a push of generation gen. */
static void pushed(struct sync *y, uint64_t dgen, uint64_t gen, int rc, const char *err)
{
	pthread_mutex_lock(&y->lock);
	if (rc == 0) {
		y->applied = gen;
		y->dp_gen = dgen;
		y->error[0] = '\0';
	} else {
		y->failed = gen;
		snprintf(y->error, sizeof(y->error), "%s", err);
	}
	pthread_cond_broadcast(&y->done);
	pthread_mutex_unlock(&y->lock);
	if (rc == 0)
		state_delta_done(y->s, gen);
}

/* The changes since the generation the dataplane runs, as a delta:
 * 0, or -errno when it did not take them (the whole tables then go). */
static int push_delta(struct sync *y, uint64_t dgen, uint64_t base)
{
	uint64_t gen;
	char err[256] = "";
	char *text = state_delta_text(y->s, base, &gen);
	int rc = text ? dpctl_push_delta(y->dp, text, base, gen, err, sizeof(err)) : -ENOENT;

	free(text);
	if (rc == 0)
		pushed(y, dgen, gen, 0, "");
	else if (text)
		fprintf(stderr,
		        "aftr-control: a delta to generation %llu: %s; sending the whole "
		        "tables\n",
		        (unsigned long long)gen, err);
	return rc;
}

static void push(struct sync *y, uint64_t dgen)
{
	uint64_t gen, t0 = now_us(), t1;
	char err[256] = "";
	size_t len = 0;
	char *text = state_tables(y->s, &gen, &len);
	int rc;

	t1 = now_us();
	rc = text ? dpctl_push_tables(y->dp, text, len, gen, err, sizeof(err)) : -ENOMEM;
	free(text);
	pushed(y, dgen, gen, rc, text || *err ? err : "out of memory");
	if (rc == 0)
		fprintf(stderr,
		        "aftr-control: dataplane programmed (generation %llu: the whole tables, "
		        "%zu bytes made in %llu ms, taken in %llu ms)\n",
		        (unsigned long long)gen, len, (unsigned long long)(t1 - t0) / 1000,
		        (unsigned long long)(now_us() - t1) / 1000);
	else
		fprintf(stderr, "aftr-control: programming the dataplane: %s\n", err);
}

/* A dataplane seen for the first time that runs this state as it was
 * loaded (aftr-control restarted, the dataplane did not): it goes on from
 * there, with a delta of the changes since if any. True when so. */
static bool resumes(struct sync *y, uint64_t dgen, uint64_t want)
{
	uint64_t gen, origin;

	if (dpctl_tables(y->dp, &gen, &origin) != dgen || !state_resumes(y->s, gen, origin))
		return false;
	pushed(y, dgen, gen, 0, "");
	if (gen == want)
		fprintf(stderr,
		        "aftr-control: dataplane programmed (generation %llu: it runs this "
		        "state's already, nothing sent)\n",
		        (unsigned long long)gen);
	return true;
}

static void *run(void *arg)
{
	struct sync *y = arg;
	uint64_t retry_at = 0, want = 0;

	while (!atomic_load(&y->stop)) {
		uint64_t dgen = dpctl_generation(y->dp), base;
		bool due, delta;

		want = state_generation(y->s);
		pthread_mutex_lock(&y->lock);
		if (dgen != y->dp_gen) /* a new dataplane (or none): it has nothing of ours */
			y->applied = 0;
		base = y->applied;
		due = dgen != 0 && (y->applied != want || dgen != y->dp_gen) &&
		      (y->failed != want || now_us() >= retry_at);
		/* A running dataplane that took a generation: only what changed since. */
		delta = due && base != 0 && base < want && dgen == y->dp_gen && y->failed != want;
		pthread_mutex_unlock(&y->lock);
		if (due && base == 0 && resumes(y, dgen, want))
			continue; /* up to date, or a delta next */
		if (due && !(delta && push_delta(y, dgen, base) == 0)) {
			push(y, dgen);
			retry_at = now_us() + RETRY_US;
		}
		/* Woken by a change at once; new dataplanes seen within a tick. */
		if (!due)
			state_wait_change(y->s, want, TICK_US / 1000);
	}
	return NULL;
}

struct sync *sync_start(struct state *s, struct dpctl *dp)
{
	struct sync *y = calloc(1, sizeof(*y));

	if (y == NULL)
		return NULL;
	y->s = s;
	y->dp = dp;
	pthread_mutex_init(&y->lock, NULL);
	pthread_cond_init(&y->done, NULL);
	if (pthread_create(&y->thread, NULL, run, y) != 0) {
		pthread_cond_destroy(&y->done);
		pthread_mutex_destroy(&y->lock);
		free(y);
		return NULL;
	}
	return y;
}

void sync_stop(struct sync *y)
{
	if (y == NULL)
		return;
	atomic_store(&y->stop, true);
	pthread_join(y->thread, NULL);
	pthread_cond_destroy(&y->done);
	pthread_mutex_destroy(&y->lock);
	free(y);
}

int sync_wait(struct sync *y, uint64_t gen, unsigned int timeout_ms, char *why, size_t len)
{
	uint64_t t0 = now_us();
	int rc = -ETIMEDOUT;

	pthread_mutex_lock(&y->lock);
	do {
		struct timespec until;

		if (dpctl_generation(y->dp) == 0)
			rc = -ENOENT;
		else if (y->applied >= gen && y->dp_gen == dpctl_generation(y->dp))
			rc = 0;
		else if (y->failed >= gen) {
			rc = -EINVAL;
			snprintf(why, len, "%s", y->error);
		}
		if (rc != -ETIMEDOUT)
			break;
		/* Woken by the answer; a new dataplane is seen within 2 ms. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 2000000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&y->done, &y->lock, &until);
	} while (now_us() - t0 < (uint64_t)timeout_ms * 1000u);
	pthread_mutex_unlock(&y->lock);
	if (rc == -ETIMEDOUT)
		snprintf(why, len, "the dataplane has not taken it yet");
	return rc;
}

json_t *sync_json(struct sync *y)
{
	uint64_t want = state_generation(y->s), dgen = dpctl_generation(y->dp);
	const char *st;
	json_t *o;

	pthread_mutex_lock(&y->lock);
	st = dgen == 0                                  ? "none"
	     : y->applied == want && y->dp_gen == dgen  ? "programmed"
	     : y->failed == want && y->error[0] != '\0' ? "refused"
	                                                : "pending";
	o = json_pack("{s:s,s:I,s:I}", "dataplane", st, "generation", (json_int_t)y->applied,
	              "wanted", (json_int_t)want);
	if (o && y->error[0])
		json_object_set_new(o, "error", json_string(y->error));
	pthread_mutex_unlock(&y->lock);
	return o;
}
