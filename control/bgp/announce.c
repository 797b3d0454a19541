/* Announcements that follow the dataplane's health; see announce.h. */
#include "announce.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bird.h"
#include "dpctl.h"

#define MAX_WORKERS  64
#define BIRD_TIMEOUT 2000 /* ms a BIRD command may take */
#define REASSERT_S   5    /* BIRD told again this often: a restarted one forgot */

enum state { UNKNOWN, ANNOUNCING, WITHDRAWN };
static const char *const state_names[] = {"unknown", "announcing", "withdrawn"};

struct bgp_announce {
	const struct aftr_config *cfg;
	struct dpctl *dp;
	pthread_t thread;
	atomic_bool stop;
	atomic_bool drained; /* by an operator (bgp_drain), saved in path */
	char path[4096];
	pthread_mutex_t lock; /* the fields below, which the API reads */
	enum state state;
	bool healthy;
	int64_t changed; /* seconds since 1970 of the last change */
	time_t told;     /* when BIRD last took what it was told (monotonic s) */
	uint64_t withdrawals, restorations, errors;
	char last_error[256];
};

/* The dataplane answers: one runs, and every worker answers a ping. */
static bool dataplane_healthy(struct bgp_announce *b)
{
	int rc[MAX_WORKERS];
	uint64_t rtt[MAX_WORKERS];
	unsigned int t = b->cfg->fixed.bgp_check_ms < 250 ? b->cfg->fixed.bgp_check_ms : 250;
	unsigned int n = dpctl_ping_all(b->dp, t, rc, rtt, MAX_WORKERS);

	for (unsigned int i = 0; i < n; i++)
		if (rc[i] != 0)
			return false;
	return n > 0;
}

/* enable or disable the protocols: true once BIRD said it is done. */
static bool tell_bird(struct bgp_announce *b, bool enable)
{
	char cmd[128], text[512];
	const char *p = cfg_bgp_protocol(&b->cfg->fixed);
	int code;

	snprintf(cmd, sizeof(cmd), "%s \"%s\"", enable ? "enable" : "disable", p);
	code = bird_command(b->cfg->fixed.bgp_bird_socket, cmd, BIRD_TIMEOUT, text, sizeof(text));
	pthread_mutex_lock(&b->lock);
	if (code < 0 || code >= 8000) {
		/* Logged when the error changes, not at every look. */
		char err[sizeof(b->last_error)];

		if (code < 0)
			snprintf(err, sizeof(err), "%s: %s", b->cfg->fixed.bgp_bird_socket,
			         strerror(-code));
		else
			snprintf(err, sizeof(err), "%.100s: %.140s", cmd, text);
		if (strcmp(err, b->last_error) != 0)
			fprintf(stderr, "aftr-control: bgp: BIRD: %s\n", err);
		memcpy(b->last_error, err, sizeof(b->last_error));
		b->errors++;
		pthread_mutex_unlock(&b->lock);
		return false;
	}
	b->last_error[0] = '\0';
	pthread_mutex_unlock(&b->lock);
	return true;
}

/* One look: the state wanted, and BIRD told when it changes (or was
 * never told: at start, and after a BIRD error, every look until it is). */
static void look(struct bgp_announce *b, unsigned int *failed)
{
	bool ok = dataplane_healthy(b);
	struct timespec now;
	enum state want;

	*failed = ok ? 0 : *failed + 1;
	if (atomic_load(&b->drained))
		want = WITHDRAWN;
	else if (ok)
		want = ANNOUNCING;
	else if (*failed >= b->cfg->fixed.bgp_down_after || b->state == UNKNOWN)
		want = WITHDRAWN;
	else
		want = b->state; /* not yet: a look may miss by chance */
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&b->lock);
	b->healthy = ok;
	pthread_mutex_unlock(&b->lock);
	/* Told again now and then: a BIRD that restarted has its own idea
	 * (its configuration's), which must not stand. */
	if (want == b->state && now.tv_sec - b->told < REASSERT_S)
		return;
	if (!tell_bird(b, want == ANNOUNCING))
		return;
	b->told = now.tv_sec;
	if (want == b->state)
		return;
	fprintf(stderr, "aftr-control: bgp: %s (protocols \"%s\": %s)\n",
	        want == ANNOUNCING         ? "the dataplane answers: announcing"
	        : atomic_load(&b->drained) ? "drained by the operator: routes withdrawn"
	                                   : "the dataplane does not answer: routes withdrawn",
	        cfg_bgp_protocol(&b->cfg->fixed), want == ANNOUNCING ? "enabled" : "disabled");
	pthread_mutex_lock(&b->lock);
	if (b->state != UNKNOWN)
		++*(want == ANNOUNCING ? &b->restorations : &b->withdrawals);
	b->state = want;
	b->changed = (int64_t)time(NULL);
	pthread_mutex_unlock(&b->lock);
}

static void *run(void *arg)
{
	struct bgp_announce *b = arg;
	unsigned int failed = 0;

	while (!atomic_load(&b->stop)) {
		struct timespec t0, t1;
		long spent;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		look(b, &failed);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent < (long)b->cfg->fixed.bgp_check_ms)
			usleep((useconds_t)(b->cfg->fixed.bgp_check_ms - (unsigned long)spent) *
			       1000);
	}
	return NULL;
}

/* The saved drain: {"drained": true|false} (none: not drained). */
static bool load_drained(const char *path)
{
	json_t *o = json_load_file(path, 0, NULL);
	bool d = json_is_true(json_object_get(o, "drained"));

	json_decref(o);
	return d;
}

int bgp_drain(struct bgp_announce *b, bool drain)
{
	char tmp[4200];
	json_t *o = json_pack("{s:b}", "drained", drain);
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", b->path);
	if (o == NULL || json_dump_file(o, tmp, 0) < 0 || rename(tmp, b->path) < 0) {
		rc = errno ? -errno : -EIO;
		unlink(tmp);
	}
	json_decref(o);
	if (rc == 0 && atomic_exchange(&b->drained, drain) != drain)
		fprintf(stderr, "aftr-control: bgp: %s by the operator\n",
		        drain ? "drained" : "undrained");
	return rc;
}

struct bgp_announce *bgp_start(const struct aftr_config *cfg, struct dpctl *dp,
                               const char *state_dir)
{
	struct bgp_announce *b;

	if (cfg->fixed.bgp_bird_socket == NULL || dp == NULL)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->cfg = cfg;
	b->dp = dp;
	snprintf(b->path, sizeof(b->path), "%s/bgp.json", state_dir);
	atomic_store(&b->drained, load_drained(b->path));
	pthread_mutex_init(&b->lock, NULL);
	if (pthread_create(&b->thread, NULL, run, b) != 0) {
		pthread_mutex_destroy(&b->lock);
		free(b);
		return NULL;
	}
	return b;
}

void bgp_stop(struct bgp_announce *b)
{
	if (b == NULL)
		return;
	atomic_store(&b->stop, true);
	pthread_join(b->thread, NULL);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

json_t *bgp_json(struct bgp_announce *b)
{
	json_t *o;

	if (b == NULL)
		return json_pack("{s:b}", "enabled", 0);
	pthread_mutex_lock(&b->lock);
	o = json_pack("{s:b,s:b,s:s,s:s,s:b,s:s,s:I,s:I,s:I,s:I,s:s?}", "enabled", 1, "drained",
	              atomic_load(&b->drained), "bird_socket", b->cfg->fixed.bgp_bird_socket,
	              "protocol", cfg_bgp_protocol(&b->cfg->fixed), "dataplane_healthy", b->healthy,
	              "state", state_names[b->state], "changed", (json_int_t)b->changed,
	              "withdrawals", (json_int_t)b->withdrawals, "restorations",
	              (json_int_t)b->restorations, "bird_errors", (json_int_t)b->errors,
	              "last_error", b->last_error[0] ? b->last_error : NULL);
	pthread_mutex_unlock(&b->lock);
	return o;
}
