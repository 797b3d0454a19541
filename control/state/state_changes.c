/* The change records kept for the boxes that follow this one (state.h,
 * state_changes; control/cluster/): a copy of each journal record in
 * memory, the oldest dropped past CHLOG_BYTES, so that a follower that
 * keeps up reads what changed, and one that fell behind further (or a
 * leader restarted since) reads the lists whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state_int.h"
#include "cfg_kinds.h"
#include "util.h"

/* A follower more than this behind reads the lists whole. */
#define CHLOG_BYTES (64u << 20)
/* Records an answer carries past the first, at most: a follower asks
 * again for the rest. */
#define ANSWER_BYTES (8u << 20)

void state_chlog_push(struct state *s, const char *line)
{
	size_t len = strlen(line), drop = 0;
	char **slot, *copy = strdup(line);

	while (drop < s->chlog_n && s->chlog_bytes + len > CHLOG_BYTES)
		s->chlog_bytes -= strlen(s->chlog[drop]), free(s->chlog[drop++]);
	if (drop) {
		memmove(s->chlog, s->chlog + drop, (s->chlog_n - drop) * sizeof(*s->chlog));
		s->chlog_n -= drop;
		s->chlog_from += drop;
	}
	slot = copy ? VEC_PUSH(s->chlog, s->chlog_n, s->chlog_cap) : NULL;
	if (slot == NULL) { /* nothing kept: followers read the lists whole */
		free(copy);
		state_chlog_free(s);
		s->chlog_from = s->gen + 1;
		return;
	}
	*slot = copy;
	s->chlog_bytes += len;
}

void state_chlog_free(struct state *s)
{
	for (size_t i = 0; i < s->chlog_n; i++)
		free(s->chlog[i]);
	free(s->chlog);
	s->chlog = NULL;
	s->chlog_n = s->chlog_cap = s->chlog_bytes = 0;
}

void state_deadline(struct timespec *t, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Copies of the records after since (under the lock: parsed after it, so
 * that writers do not wait for a follower's answer): how many, or -1
 * when they are not kept. */
static long take_records(struct state *s, uint64_t since, size_t limit, char ***out)
{
	size_t first = (size_t)(since - s->chlog_from), n = 0, bytes = 0;
	char **v;

	if (since < s->chlog_from || since > s->gen)
		return -1;
	while (first + n < s->chlog_n && n < limit && (n == 0 || bytes < ANSWER_BYTES))
		bytes += strlen(s->chlog[first + n++]);
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((v[i] = strdup(s->chlog[first + i])) == NULL) {
			while (i)
				free(v[--i]);
			free(v);
			return -1; /* out of memory: the follower reads the lists */
		}
	*out = v;
	return (long)n;
}

int state_changes(struct state *s, uint64_t since, size_t limit, unsigned int wait_ms,
                  json_t **changes, uint64_t *latest)
{
	struct timespec until;
	json_t *a = json_array(), *rec;
	char **lines = NULL;
	long n;
	int rc = 0;

	state_deadline(&until, wait_ms);
	pthread_mutex_lock(&s->lock);
	while (s->gen == since && !s->closing &&
	       pthread_cond_timedwait(&s->changed, &s->lock, &until) == 0)
		;
	*latest = s->gen;
	n = take_records(s, since, limit, &lines);
	pthread_mutex_unlock(&s->lock);
	for (long i = 0; i < n; i++) {
		if (rc == 0 && ((rec = json_loads(lines[i], 0, NULL)) == NULL ||
		                json_array_append_new(a, rec) < 0))
			rc = -1;
		free(lines[i]);
	}
	free(lines);
	if (a == NULL || n < 0 || rc < 0) {
		json_decref(a);
		*changes = NULL;
		return -1;
	}
	*changes = a;
	return 0;
}

void state_closing(struct state *s)
{
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

uint64_t state_origin(struct state *s)
{
	uint64_t o;

	pthread_mutex_lock(&s->lock);
	o = s->origin;
	pthread_mutex_unlock(&s->lock);
	return o;
}

char **state_entry_paths(enum cfg_kind k, const json_t *entries, struct state_err *e)
{
	struct aftr_config scratch;
	char **v = NULL, buf[256];
	size_t n = json_array_size(entries), i = 0;

	if (!json_is_array(entries)) {
		state_err_set(e, 400, "bad request", NULL, "entries are a JSON array");
		return NULL;
	}
	if (state_empty_lists(&scratch, e) == 0 &&
	    state_decode(&kinds[k], entries, &scratch, e) == 0 &&
	    *kind_list(&kinds[k], &scratch).n == n && (v = calloc(n + 1, sizeof(*v))) != NULL) {
		for (i = 0; i < n; i++) {
			kinds[k].path(kind_at(&kinds[k], &scratch, i), buf, sizeof(buf));
			if ((v[i] = strdup(buf)) == NULL)
				break;
		}
		if (i < n) {
			while (i)
				free(v[--i]);
			free(v);
			v = NULL;
			state_err_set(e, 500, "internal error", NULL, "out of memory");
		}
	}
	cfg_free(&scratch);
	return v;
}

int state_entry_path(enum cfg_kind k, const json_t *entry, char *buf, size_t len,
                     struct state_err *e)
{
	struct aftr_config scratch;
	int rc = -1;

	if (!json_is_object(entry)) {
		state_err_set(e, 400, "bad request", NULL, "an entry is a JSON object");
		return -1;
	}
	if (state_empty_lists(&scratch, e) == 0 &&
	    state_decode(&kinds[k], entry, &scratch, e) == 0) {
		kinds[k].path(kind_at(&kinds[k], &scratch, 0), buf, len);
		rc = 0;
	}
	cfg_free(&scratch);
	return rc;
}
