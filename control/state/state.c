/* The desired state; see state.h. One mutex guards it; handlers hold it
 * while they change it and append the change to the journal, never while
 * they wait for the disk or the dataplane. This file loads it (snapshot,
 * then journal), answers queries and writes snapshots; state_ops.c
 * changes it. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg_bin.h"
#include "config_json.h"
#include "ctl_msg.h"
#include "config_yaml.h"
#include "state_int.h"
#include "cfg_kinds.h"
#include "util.h"

#define STATE_FILE    "state.json" /* versions 1 and 2, read only */
#define STATE_VERSION 2            /* 2: the generation is saved */
/* The snapshot: the line "aftr-state 3 GEN", then the api layer's lists
 * in binary (cfg_bin.h): a million entries read in tens of milliseconds. */
#define SNAPSHOT_FILE  "state.bin"
#define SNAPSHOT_MAGIC "aftr-state 3 "

/* The state directory's identity: 16 hex digits, made with it. */
#define ID_FILE "id"

/* A snapshot is written once the journal file holds this much: its
 * replay at start then stays well under a second. */
#define SNAPSHOT_BYTES   (32u << 20)
#define SNAPSHOT_RECORDS 100000

void state_rt_view(const struct state *s, struct aftr_config *view)
{
	memset(view, 0, sizeof(*view));
	view->fixed = s->base.fixed;
	for (int k = 0; k < K_COUNT; k++) {
		const struct kind *kd = &kinds[k];
		struct kind_list l = kind_list(kd, view);

		*l.v = kind_at(kd, &s->eff, s->n_base[k]);
		*l.n = *l.cap = *kind_list(kd, &s->eff).n - s->n_base[k];
	}
}

/* The version and generation of a state file's root: 0, or -1 with err
 * saying what is wrong and what to do. Version 1 (before generations were
 * kept) starts at generation 1. */
static int check_version(const char *path, json_t *root, uint64_t *gen, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, "version"), *g = json_object_get(root, "generation");
	static const char todo[] = "move it away to start with the configuration file's lists "
	                           "alone, or restore a saved copy";

	if (!json_is_integer(v)) {
		errf(err, errlen, "%s: %s: not a state file of aftr-control; %s", path,
		     v ? "version is not a number" : "no version", todo);
		return -1;
	}
	if (json_integer_value(v) < 1 || json_integer_value(v) > STATE_VERSION) {
		errf(err, errlen,
		     "%s: version %" JSON_INTEGER_FORMAT " is not one this aftr-control reads "
		     "(1 to %d: written by a newer one?); %s",
		     path, json_integer_value(v), STATE_VERSION, todo);
		return -1;
	}
	if (json_integer_value(v) >= 2 && (!json_is_integer(g) || json_integer_value(g) < 1)) {
		errf(err, errlen, "%s: generation: a positive number is required; %s", path, todo);
		return -1;
	}
	*gen = g ? (uint64_t)json_integer_value(g) : 1;
	json_object_del(root, "version");
	json_object_del(root, "generation");
	return 0;
}

/* The api layer from the binary snapshot at path: 0, or -1 with err. */
static int load_snapshot(const char *path, struct aftr_config *rt, uint64_t *gen, char *err,
                         size_t errlen)
{
	static const char todo[] = "restore a saved copy of the state directory, or move it "
	                           "away to start with the configuration file's lists alone";
	char *buf = NULL, *end, why[200];
	size_t len;
	int rc = -1;

	if (read_file(path, &buf, &len) < 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (len < strlen(SNAPSHOT_MAGIC) || memchr(buf, '\n', len) == NULL ||
	    strncmp(buf, SNAPSHOT_MAGIC, strlen(SNAPSHOT_MAGIC)) != 0 ||
	    (*gen = strtoull(buf + strlen(SNAPSHOT_MAGIC), &end, 10)) < 1 || *end != '\n')
		errf(err, errlen, "%s: not a snapshot of this aftr-control; %s", path, todo);
	else if (cfg_bin_decode(end + 1, len - (size_t)(end + 1 - buf), rt, why, sizeof(why)) < 0)
		errf(err, errlen, "%s: %s; %s", path, why, todo);
	else
		rc = 0;
	free(buf);
	return rc;
}

/* The api layer from the snapshot, or from the state file of an older
 * aftr-control: 0, 1 when there is neither (an empty layer), -1 with err. */
static int load_rt(const char *snap, const char *path, struct aftr_config *rt, uint64_t *gen,
                   char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	struct diag d;
	struct jdec j;
	struct state_err e;
	int rc = 0;

	*gen = 1;
	if (state_empty_lists(rt, &e) < 0) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	if (access(snap, F_OK) == 0)
		return load_snapshot(snap, rt, gen, err, errlen);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 1;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		errf(err, errlen,
		     "%s:%d: %s (a damaged state file: restore a saved copy, or move it away to "
		     "start with the configuration file's lists alone)",
		     path, je.line, je.text);
		return -1;
	}
	if (!json_is_object(root) || check_version(path, root, gen, err, errlen) < 0) {
		if (!json_is_object(root))
			errf(err, errlen, "%s: not a state file of aftr-control (not an object)",
			     path);
		json_decref(root);
		return -1;
	}
	diag_init(&d, path);
	jdec_init(&j, &d);
	if (cfg_from_json(rt, root, &j) < 0) {
		if (d.n)
			diag_format(&d, &d.v[0], err, errlen);
		rc = -1;
	}
	diag_free(&d);
	json_decref(root);
	return rc;
}

/* The api layer being replayed from the journal, indexed. */
struct replay {
	struct aftr_config *rt;
	struct sindex ix;
};

/* One entry of a record applied to the api layer. */
static int replay_entry(struct replay *r, const char *op, enum cfg_kind k, const void *e, char *err,
                        size_t errlen)
{
	const struct kind *kd = &kinds[k];
	struct kind_list l = kind_list(kd, r->rt);
	long at = strcmp(op, "add") == 0 ? -1 : sindex_find(&r->ix, r->rt, k, e);
	void *slot;

	if (strcmp(op, "add") == 0) {
		if (sindex_reserve(&r->ix, 1) < 0 ||
		    (slot = vec_push(l.v, l.n, l.cap, kd->elem)) == NULL) {
			errf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(slot, e, kd->elem);
		return sindex_add(&r->ix, r->rt, k, *l.n - 1);
	}
	if (at < 0 || (strcmp(op, "delete") != 0 && strcmp(op, "replace") != 0)) {
		errf(err, errlen, "%s of a %s entry that is not there", op, kd->url);
		return -1;
	}
	if (strcmp(op, "delete") == 0) {
		sindex_remove(&r->ix, r->rt, k, (size_t)at);
		return 0;
	}
	sindex_del(&r->ix, r->rt, k, (size_t)at);
	memcpy(kind_at(kd, r->rt, (size_t)at), e, kd->elem);
	return sindex_add(&r->ix, r->rt, k, (size_t)at);
}

static int replay_rec(const json_t *rec, void *arg, char *err, size_t errlen)
{
	const char *op = json_string_value(json_object_get(rec, "op"));
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	int k = kind ? state_kind(kind) : -1;
	struct aftr_config scratch;
	struct state_err e;
	int rc = 0;

	if (op && strcmp(op, "reload") == 0)
		return 0; /* the configuration file is read again at start */
	if (op == NULL || k < 0) {
		errf(err, errlen, "a record with no op or kind");
		return -1;
	}
	if (state_empty_lists(&scratch, &e) < 0)
		return -1;
	if (state_decode(&kinds[k], json_object_get(rec, "entries"), &scratch, &e) < 0) {
		errf(err, errlen, "%s%s%s", e.field, *e.field ? ": " : "", e.detail);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < *kind_list(&kinds[k], &scratch).n; i++)
		rc = replay_entry(arg, op, k, kind_at(&kinds[k], &scratch, i), err, errlen);
	cfg_free(&scratch);
	return rc;
}

/* The records of the journal above the snapshot's generation, onto rt:
 * 0 (*gen the last), or -1 with err naming the file and line. */
static int replay(const char *dir, struct aftr_config *rt, uint64_t *gen, bool *any, char *err,
                  size_t errlen)
{
	struct replay r = {.rt = rt};
	uint64_t last;
	char why[400] = "";
	int rc;

	if (sindex_build(&r.ix, rt) < 0) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	rc = journal_replay(dir, *gen, &last, replay_rec, &r, why, sizeof(why));
	sindex_free(&r.ix);
	if (rc < 0) {
		errf(err, errlen, "%s (the journal of the state directory)", why);
		return -1;
	}
	*any = last > *gen;
	*gen = last;
	return 0;
}

/* The configuration file, parsed from the bytes *hash is taken of. */
static int load_base(const char *path, struct aftr_config *cfg, uint64_t *hash, char *err,
                     size_t errlen)
{
	struct diag d;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (read_file(path, &buf, &len) < 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	*hash = hash_mem64(buf, len, 0);
	diag_init(&d, path);
	rc = cfg_load_yaml_buf(buf, len, cfg, &d);
	free(buf);
	if (rc < 0 && d.n) {
		diag_sort(&d);
		diag_format(&d, &d.v[0], err, errlen);
	} else if (rc < 0) {
		errf(err, errlen, "%s: cannot load", path);
	}
	diag_free(&d);
	if (rc < 0)
		cfg_free(cfg); /* the loader leaves it initialised */
	return rc;
}

int state_load_base(const char *path, struct aftr_config *cfg, uint64_t *hash, char *err,
                    size_t errlen)
{
	return load_base(path, cfg, hash, err, errlen);
}

uint64_t state_origin_of(uint64_t id, uint64_t config_hash)
{
	static const char version[] = AFTR_VERSION;
	uint64_t o = hash_mem64(version, sizeof(version), id ^ config_hash);

	return o ? o : 1; /* 0 is the dataplane's own configuration file */
}

/* DIR/NAME, malloc'd, or NULL. */
static char *path_in(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);

	if (p)
		snprintf(p, len, "%s/%s", dir, name);
	return p;
}

/* The state directory's identity (ID_FILE), made the first time: one
 * that cannot be read is replaced (the dataplane then gets the whole
 * tables once more). 0, or -1 with err. */
static int read_id(const char *dir, uint64_t *id, char *err, size_t errlen)
{
	char *path = path_in(dir, ID_FILE), *line = NULL, *end, text[24];
	int rc = 0;

	if (path == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	if (read_first_line(path, &line) == 0 && strlen(line) == 16 &&
	    (*id = strtoull(line, &end, 16)) != 0 && *end == '\0') {
		free(line);
		free(path);
		return 0;
	}
	if (line || errno != ENOENT)
		fprintf(stderr, "aftr-control: %s: not an identity, a new one is made\n", path);
	free(line);
	if (getrandom(id, sizeof(*id), 0) != (ssize_t)sizeof(*id) || *id == 0)
		*id = hash_mem64(&(uint64_t[2]){(uint64_t)getpid(), wall_ms()}, 16, 1) | 1;
	snprintf(text, sizeof(text), "%016" PRIx64 "\n", *id);
	if ((rc = file_replace(path, text, strlen(text))) < 0)
		errf(err, errlen, "%s: %s", path, strerror(-rc));
	free(path);
	return rc < 0 ? -1 : 0;
}

/* A snapshot of the api layer in the state file, then the journals it
 * makes useless removed. Called with the lock held; lets it go while it
 * writes (a copy of the layer: 50 ms a million entries, under the lock).
 * A failure is logged and leaves the journals: the next one tries again. */
static int snapshot(struct state *s)
{
	struct aftr_config view, copy;
	uint64_t gen = s->gen;
	char *bin = NULL, *out = NULL, head[64];
	size_t blen = 0;
	int rc, h;

	state_rt_view(s, &view);
	rc = cfg_copy(&copy, &view) < 0 ? -ENOMEM : journal_rotate(s->j, gen + 1);
	pthread_mutex_unlock(&s->lock);
	if (rc == 0 && cfg_bin_encode(&copy, &bin, &blen) < 0)
		rc = -ENOMEM;
	h = snprintf(head, sizeof(head), SNAPSHOT_MAGIC "%" PRIu64 "\n", gen);
	if (rc == 0 && (out = malloc((size_t)h + blen)) == NULL)
		rc = -ENOMEM;
	if (rc == 0) {
		memcpy(out, head, (size_t)h);
		memcpy(out + h, bin, blen);
		rc = file_replace(s->snap_path, out, (size_t)h + blen);
	}
	if (rc == 0) {
		/* An older aftr-control's snapshot would only confuse. */
		if (unlink(s->state_path) != 0 && errno != ENOENT)
			fprintf(stderr, "aftr-control: %s: %s\n", s->state_path, strerror(errno));
		journal_prune(s->j, s->state_dir, gen);
	} else {
		fprintf(stderr, "aftr-control: %s: snapshot of generation %llu: %s\n", s->snap_path,
		        (unsigned long long)gen, strerror(-rc));
	}
	free(bin);
	free(out);
	cfg_free(&copy); /* all NULL when the copy failed */
	pthread_mutex_lock(&s->lock);
	return rc;
}

/* Writes a snapshot whenever told to (state_log_sync). */
static void *saver(void *arg)
{
	struct state *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		if (!s->save_due) {
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		s->save_due = false;
		snapshot(s);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void state_free(struct state *s)
{
	if (s == NULL)
		return;
	journal_close(s->j);
	state_dlog_reset(s);
	free(s->dlog);
	state_chlog_free(s);
	sindex_free(&s->ix);
	cfg_free(&s->base);
	cfg_free(&s->eff);
	free(s->config_path);
	free(s->state_dir);
	free(s->state_path);
	free(s->snap_path);
	free(s);
}

/* The snapshot and the journal after it, checked against the
 * configuration file: eff, its index and the journal to go on with. */
static int load_state(struct state *s, char *err, size_t errlen)
{
	struct aftr_config rt;
	struct state_err e;
	bool replayed = false;
	int rc = load_rt(s->snap_path, s->state_path, &rt, &s->gen, err, errlen);

	if (rc < 0) {
		cfg_free(&rt); /* set up before the file was read */
		return -1;
	}
	if (replay(s->state_dir, &rt, &s->gen, &replayed, err, errlen) < 0) {
		cfg_free(&rt);
		return -1;
	}
	s->found = rc == 0 || replayed;
	/* Records replayed, or an older aftr-control's state.json read: a
	 * snapshot soon (the saver starts with it due), so that the next
	 * start reads one binary file. */
	s->save_due = replayed || (rc == 0 && access(s->snap_path, F_OK) != 0);
	rc = state_build_eff(&s->base, &rt, &s->eff, s->n_base, &e);
	cfg_free(&rt);
	if (rc < 0) {
		errf(err, errlen, "%s and the state in %s do not go together: %s%s%s",
		     s->config_path, s->state_dir, e.field, *e.field ? ": " : "", e.detail);
		return -1;
	}
	if (sindex_build(&s->ix, &s->eff) < 0) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	s->j = journal_open(s->state_dir, s->gen + 1, err, errlen);
	return s->j ? 0 : -1;
}

struct state *state_open(const char *config_path, const char *state_dir, char *err, size_t errlen)
{
	struct state *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	uint64_t hash;

	if (s == NULL || (s->config_path = strdup(config_path)) == NULL ||
	    (s->state_dir = strdup(state_dir)) == NULL ||
	    (s->state_path = path_in(state_dir, STATE_FILE)) == NULL ||
	    (s->snap_path = path_in(state_dir, SNAPSHOT_FILE)) == NULL) {
		errf(err, errlen, "out of memory");
		state_free(s);
		return NULL;
	}
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
		errf(err, errlen, "state directory %s: %s", state_dir, strerror(errno));
		state_free(s);
		return NULL;
	}
	if (load_base(config_path, &s->base, &hash, err, errlen) < 0 ||
	    read_id(state_dir, &s->id, err, errlen) < 0 || load_state(s, err, errlen) < 0) {
		state_free(s);
		return NULL;
	}
	s->origin = state_origin_of(s->id, hash);
	s->loaded = s->gen;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->changed, &ca);
	pthread_condattr_destroy(&ca);
	s->dlog_from = s->chlog_from = s->gen;
	if (pthread_create(&s->saver, NULL, saver, s) != 0) {
		errf(err, errlen, "cannot start the snapshot thread");
		pthread_cond_destroy(&s->changed);
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		state_free(s);
		return NULL;
	}
	return s;
}

bool state_found(struct state *s)
{
	return s->found;
}

void state_close(struct state *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->saver, NULL);
	/* The next start reads one file instead of replaying. */
	pthread_mutex_lock(&s->lock);
	if (journal_records(s->j) > 0 || s->save_due)
		snapshot(s);
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&s->changed);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	state_free(s);
}

/* The delta log holds at most this much: past it, a dataplane that has
 * not taken the records gets the whole tables. */
#define DLOG_BYTES (64u << 20)

void state_dlog_reset(struct state *s)
{
	for (size_t i = 0; i < s->dlog_n; i++)
		free(s->dlog[i]);
	s->dlog_n = s->dlog_bytes = 0;
	s->dlog_from = s->gen;
}

/* Keeps a record's line (taken) for deltas. Lock held. */
static void dlog_push(struct state *s, char *line)
{
	char **slot;

	if (s->dlog_bytes + strlen(line) > DLOG_BYTES)
		state_dlog_reset(s); /* made at s->gen, before this record */
	slot = VEC_PUSH(s->dlog, s->dlog_n, s->dlog_cap);
	if (slot == NULL) {
		state_dlog_reset(s);
		s->dlog_from = s->gen + 1; /* this one is not kept either */
		free(line);
		return;
	}
	*slot = line;
	s->dlog_bytes += strlen(line);
}

int state_log(struct state *s, json_t *rec, uint64_t *seq, struct state_err *e)
{
	char *line = NULL;
	int rc = rec ? json_object_set_new(rec, "generation", json_integer((json_int_t)s->gen + 1))
	             : -1;

	if (rc == 0)
		line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	rc = line == NULL ? -ENOMEM : journal_append(s->j, line, seq);
	json_decref(rec);
	if (rc < 0) {
		free(line);
		state_err_set(e, 500, "internal error", NULL, "%s: cannot save the change: %s",
		              s->state_dir, strerror(-rc));
		return -1;
	}
	state_chlog_push(s, line);
	dlog_push(s, line);
	pthread_cond_broadcast(&s->changed);
	return 0;
}

char *state_delta_text(struct state *s, uint64_t base, uint64_t *gen)
{
	size_t len = 0, first;
	char *text = NULL;

	pthread_mutex_lock(&s->lock);
	*gen = s->gen;
	if (base >= s->dlog_from && base < s->gen && s->dlog_from + s->dlog_n == s->gen) {
		first = (size_t)(base - s->dlog_from);
		for (size_t i = first; i < s->dlog_n; i++)
			len += strlen(s->dlog[i]) + 1;
		text = malloc(len + 1);
		for (size_t i = first, at = 0; text && i < s->dlog_n; i++) {
			size_t l = strlen(s->dlog[i]);

			memcpy(text + at, s->dlog[i], l);
			text[at + l] = '\n';
			at += l + 1;
		}
		if (text)
			text[len] = '\0';
	}
	pthread_mutex_unlock(&s->lock);
	return text;
}

void state_delta_done(struct state *s, uint64_t gen)
{
	pthread_mutex_lock(&s->lock);
	if (gen > s->dlog_from) {
		size_t drop =
		        gen - s->dlog_from < s->dlog_n ? (size_t)(gen - s->dlog_from) : s->dlog_n;

		for (size_t i = 0; i < drop; i++) {
			s->dlog_bytes -= strlen(s->dlog[i]);
			free(s->dlog[i]);
		}
		memmove(s->dlog, s->dlog + drop, (s->dlog_n - drop) * sizeof(*s->dlog));
		s->dlog_n -= drop;
		s->dlog_from += drop;
	}
	pthread_mutex_unlock(&s->lock);
}

uint64_t state_wait_change(struct state *s, uint64_t known, unsigned int timeout_ms)
{
	struct timespec until;
	uint64_t g;

	state_deadline(&until, timeout_ms);
	pthread_mutex_lock(&s->lock);
	while (s->gen == known && pthread_cond_timedwait(&s->changed, &s->lock, &until) == 0)
		;
	g = s->gen;
	pthread_mutex_unlock(&s->lock);
	return g;
}

int state_log_sync(struct state *s, uint64_t seq, struct state_err *e)
{
	int rc = journal_sync(s->j, seq);

	pthread_mutex_lock(&s->lock);
	if (journal_records(s->j) >= SNAPSHOT_RECORDS || journal_bytes(s->j) >= SNAPSHOT_BYTES) {
		s->save_due = true;
		pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->lock);
	if (rc < 0)
		state_err_set(e, 500, "internal error", NULL,
		              "%s: the change is in effect but could not be saved: %s (restart "
		              "aftr-control to save changes again)",
		              s->state_dir, strerror(-rc));
	return rc < 0 ? -1 : 0;
}

int state_kind(const char *url_name)
{
	return kind_by_url(url_name);
}

const char *state_kind_url(enum cfg_kind k)
{
	return kinds[k].url;
}

int state_kind_id_segments(enum cfg_kind k)
{
	return kinds[k].nseg;
}

json_t *state_list(struct state *s, enum cfg_kind k, size_t offset, size_t limit)
{
	const struct kind *kd = &kinds[k];
	json_t *a = json_array();

	pthread_mutex_lock(&s->lock);
	for (size_t i = offset; a && i < *kind_list(kd, &s->eff).n && i - offset < limit; i++) {
		json_t *o = kd->enc(kind_at(kd, &s->eff, i));

		if (o == NULL ||
		    json_object_set_new(o, "source",
		                        json_string(i < s->n_base[k] ? "config" : "api")) < 0 ||
		    json_array_append_new(a, o) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return a;
}

json_t *state_b4(struct state *s, const struct addr6 *b4)
{
	json_t *o = json_object(), *acl6 = json_null();
	uint32_t h = sindex_hash_b4(b4), v;
	char p[PREFIX6_STRLEN];

	for (int k = 0; o && k < K_COUNT; k++)
		if (sindex_kind((enum cfg_kind)k))
			json_object_set_new(o, kinds[k].url, json_array());
	pthread_mutex_lock(&s->lock);
	for (uint32_t pos = h; o && (v = sidx_next(&s->ix.by_b4.x, h, &pos)) != SIDX_NONE;) {
		enum cfg_kind k = SINDEX_KIND(v);
		const void *e = kind_at(&kinds[k], &s->eff, SINDEX_POS(v));
		json_t *j;

		if (!addr6_equal(sindex_b4_of(k, e), b4) || (j = kinds[k].enc(e)) == NULL)
			continue;
		json_object_set_new(j, "source",
		                    json_string(SINDEX_POS(v) < s->n_base[k] ? "config" : "api"));
		json_array_append_new(json_object_get(o, kinds[k].url), j);
	}
	for (size_t i = 0; i < s->eff.lists.n_acl6; i++)
		if (prefix6_contains(&s->eff.lists.acl6[i].p, b4)) {
			json_decref(acl6);
			acl6 = json_string(prefix6_format(&s->eff.lists.acl6[i].p, p));
			break;
		}
	pthread_mutex_unlock(&s->lock);
	if (o)
		json_object_set_new(o, "acl6", acl6);
	else
		json_decref(acl6);
	return o;
}

json_t *state_config_json(struct state *s, bool sparse)
{
	json_t *o;

	pthread_mutex_lock(&s->lock);
	o = sparse ? cfg_to_json_sparse(&s->eff) : cfg_to_json(&s->eff);
	pthread_mutex_unlock(&s->lock);
	return o;
}

char *state_tables(struct state *s, uint64_t *gen, size_t *len)
{
	struct aftr_config view;
	char *bin = NULL, *json = NULL, *out = NULL, head[96];
	size_t blen = 0, jlen;
	uint64_t origin;
	json_t *o;
	int h;

	pthread_mutex_lock(&s->lock);
	/* The fixed part and filters as JSON (small), the lists in binary. */
	view = s->eff; /* shallow: read only */
	for (int k = 0; k < K_COUNT; k++)
		*kind_list(&kinds[k], &view).n = 0;
	o = cfg_to_json(&view);
	if (o == NULL || cfg_bin_encode(&s->eff, &bin, &blen) < 0)
		bin = NULL;
	*gen = s->gen;
	origin = s->origin;
	pthread_mutex_unlock(&s->lock);
	json = o && bin ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	jlen = json ? strlen(json) : 0;
	h = snprintf(head, sizeof(head), CTL_TABLES_MAGIC "%" PRIu64 " %016" PRIx64 " %zu\n", *gen,
	             origin, jlen);
	/* The header and the JSON with its NUL, which the lists then cover. */
	if (json && (out = malloc((size_t)h + jlen + 1 + blen)) != NULL) {
		memcpy(out, head, (size_t)h);
		memcpy(out + h, json, jlen + 1);
		memcpy(out + h + jlen, bin, blen);
		*len = (size_t)h + jlen + blen;
	}
	free(json);
	free(bin);
	return out;
}

bool state_resumes(struct state *s, uint64_t gen, uint64_t origin)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = origin == s->origin && gen == s->loaded && gen >= s->dlog_from &&
	     s->dlog_from + s->dlog_n == s->gen;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

uint64_t state_generation(struct state *s)
{
	uint64_t g;

	pthread_mutex_lock(&s->lock);
	g = s->gen;
	pthread_mutex_unlock(&s->lock);
	return g;
}
