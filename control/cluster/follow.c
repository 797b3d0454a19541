/* The follower's thread (follow.h): a long poll of the leader's
 * GET /api/v1/changes, each record made here (mirror.h); the lists read
 * whole when the records are not there to read. */
#include "follow.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mirror.h"
#include "state.h"
#include "util.h"

#define POLL_WAIT_S  20   /* the leader holds a poll this long when nothing changes */
#define PAGE_ENTRIES 5000 /* entries a page when the lists are read whole */
#define CHANGES_PAGE 1000 /* records a poll */

struct cluster {
	char *leader, *token;
	uint32_t kinds, retry_ms;
	struct state *st;
	char *path; /* STATE_DIR/cluster.json */
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock; /* the fields below */
	char state[32];
	uint64_t leader_origin, leader_gen, applied;
	bool synced;
	time_t contact; /* 0: never */
	uint64_t records, resyncs, unreachable;
	struct mirror_count count;
	char last_error[256];
	bool said_unreachable;
};

/* Lets cluster_stop cut a poll short. */
static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c2, curl_off_t d)
{
	const struct cluster *c = arg;

	(void)a, (void)b, (void)c2, (void)d;
	return atomic_load(&c->stop) ? 1 : 0;
}

/* GET leader + path: the HTTP status (0: no answer, why in err) and the
 * JSON body in *json (NULL if none). */
static long get(struct cluster *c, const char *path, json_t **json, char *err, size_t errlen)
{
	char url[512], auth[600];
	struct curl_slist *hdr = NULL;
	struct membuf b = {NULL, 0};
	long status = 0;
	CURL *h = curl_easy_init();
	CURLcode rc;

	*json = NULL;
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	snprintf(url, sizeof(url), "%s%s", c->leader, path);
	if (c->token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
		hdr = curl_slist_append(hdr, auth);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, membuf_append);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)POLL_WAIT_S + 30);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		*json = b.data ? json_loadb(b.data, b.len, 0, NULL) : NULL;
		if (status == 200 && *json == NULL) {
			snprintf(err, errlen, "GET %s: the answer is not JSON", path);
			status = 0;
		}
	} else {
		snprintf(err, errlen, "GET %s: %s", path, curl_easy_strerror(rc));
	}
	free(b.data);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return status;
}

static void set_state(struct cluster *c, const char *what)
{
	pthread_mutex_lock(&c->lock);
	snprintf(c->state, sizeof(c->state), "%s", what);
	pthread_mutex_unlock(&c->lock);
}

/* A failed look at the leader: said once until it answers again. */
static void failed(struct cluster *c, long status, const json_t *body, const char *err)
{
	char why[sizeof(c->last_error)];

	if (status)
		snprintf(why, sizeof(why), "HTTP %ld: %s", status,
		         json_string_value(json_object_get(body, "detail")) ?: "(no detail)");
	else
		snprintf(why, sizeof(why), "%s", err);
	pthread_mutex_lock(&c->lock);
	c->unreachable++;
	snprintf(c->state, sizeof(c->state), "leader unreachable");
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	if (!c->said_unreachable)
		fprintf(stderr,
		        "aftr-control: cluster: the leader %s does not answer: %s (the lists "
		        "stay as they are; looking again every %u ms)\n",
		        c->leader, why, c->retry_ms);
	c->said_unreachable = true;
	pthread_mutex_unlock(&c->lock);
}

static void contact(struct cluster *c, uint64_t id, uint64_t gen)
{
	pthread_mutex_lock(&c->lock);
	if (c->said_unreachable)
		fprintf(stderr, "aftr-control: cluster: the leader %s answers again\n", c->leader);
	c->said_unreachable = false;
	c->contact = time(NULL);
	c->leader_gen = gen;
	if (id != c->leader_origin)
		c->synced = false;
	pthread_mutex_unlock(&c->lock);
}

/* STATE_DIR/cluster.json: the leader's origin and the generation of it
 * this box holds, written atomically once that generation is made here. */
static void save(struct cluster *c)
{
	char id[17], *text;
	json_t *o;
	int rc = -ENOMEM;

	snprintf(id, sizeof(id), "%016" PRIx64, c->leader_origin);
	o = json_pack("{s:s,s:s,s:I}", "leader", c->leader, "leader_origin", id, "generation",
	              (json_int_t)c->applied);
	if ((text = o ? json_dumps(o, JSON_COMPACT) : NULL) != NULL)
		rc = file_replace(c->path, text, strlen(text));
	if (rc < 0)
		fprintf(stderr, "aftr-control: cluster: %s: %s\n", c->path, strerror(-rc));
	free(text);
	json_decref(o);
}

/* An origin: exactly 16 hex digits. */
static bool hex64(const char *s, uint64_t *v)
{
	if (strlen(s) != 16 || strspn(s, "0123456789abcdefABCDEF") != 16)
		return false;
	*v = strtoull(s, NULL, 16);
	return true;
}

static void load(struct cluster *c)
{
	json_t *o = json_load_file(c->path, 0, NULL);
	const char *leader = json_string_value(json_object_get(o, "leader"));
	const char *id = json_string_value(json_object_get(o, "leader_origin"));
	json_t *g = json_object_get(o, "generation");

	if (leader && id && json_is_integer(g) && strcmp(leader, c->leader) == 0 &&
	    hex64(id, &c->leader_origin) && json_integer_value(g) >= 0) {
		c->applied = (uint64_t)json_integer_value(g);
		c->synced = true;
	}
	json_decref(o);
}

/* The leader's origin and latest generation from an answer. */
static bool head_of(const json_t *o, uint64_t *id, uint64_t *gen)
{
	const char *s = json_string_value(json_object_get(o, "origin"));
	json_t *g = json_object_get(o, "generation");

	return s && hex64(s, id) && json_is_integer(g) && json_integer_value(g) >= 0 &&
	       (*gen = (uint64_t)json_integer_value(g), true);
}

static void counted(struct cluster *c, const struct mirror_count *m)
{
	pthread_mutex_lock(&c->lock);
	c->count.added += m->added;
	c->count.replaced += m->replaced;
	c->count.deleted += m->deleted;
	if (m->conflicts + m->errors) {
		c->count.conflicts += m->conflicts;
		c->count.errors += m->errors;
		snprintf(c->last_error, sizeof(c->last_error), "%s", m->last_error);
		fprintf(stderr,
		        "aftr-control: cluster: %" PRIu64 " of the leader's entries not taken: "
		        "%s\n",
		        m->conflicts + m->errors, m->last_error);
	}
	pthread_mutex_unlock(&c->lock);
}

/* One kind read whole from the leader, page by page, into this box's list;
 * then what the leader does not hold removed. 0, or -1 (no answer). */
static int read_kind(struct cluster *c, enum cfg_kind k, struct mirror_count *m)
{
	struct mirror_names names = {0};
	char path[128], err[300];
	json_t *page;
	long status;

	for (size_t off = 0;; off += PAGE_ENTRIES) {
		snprintf(path, sizeof(path), "/api/v1/%s?offset=%zu&limit=%d", state_kind_url(k),
		         off, PAGE_ENTRIES);
		status = get(c, path, &page, err, sizeof(err));
		if (status != 200 || !json_is_array(page)) {
			failed(c, status, page, err);
			json_decref(page);
			mirror_names_free(&names);
			return -1;
		}
		mirror_put(c->st, k, page, m);
		if (mirror_names_add(&names, k, page) < 0) {
			json_decref(page);
			mirror_names_free(&names);
			return -1;
		}
		if (json_array_size(page) < PAGE_ENTRIES) {
			json_decref(page);
			break;
		}
		json_decref(page);
	}
	mirror_prune(c->st, k, &names, m);
	return 0;
}

/* The leader's lists read whole (the records since this box's generation
 * are not there to read): its generation first, so that the records after
 * it, read next, cover whatever changed while the lists were read. */
static int resync(struct cluster *c)
{
	struct mirror_count m = {0};
	uint64_t id, gen;
	char err[300];
	json_t *head;
	long status;

	set_state(c, "reading the lists");
	status = get(c, "/api/v1/changes", &head, err, sizeof(err));
	if (status != 200 || !head_of(head, &id, &gen)) {
		failed(c, status, head, status == 200 ? "no origin or generation" : err);
		json_decref(head);
		return -1;
	}
	json_decref(head);
	contact(c, id, gen);
	for (int k = 0; k < K_COUNT; k++)
		if ((c->kinds & 1u << k) && read_kind(c, (enum cfg_kind)k, &m) < 0) {
			counted(c, &m);
			return -1;
		}
	counted(c, &m);
	pthread_mutex_lock(&c->lock);
	c->leader_origin = id;
	c->applied = gen;
	c->synced = true;
	c->resyncs++;
	pthread_mutex_unlock(&c->lock);
	save(c);
	fprintf(stderr,
	        "aftr-control: cluster: the leader's lists read whole at its generation "
	        "%" PRIu64 ": %" PRIu64 " entries added, %" PRIu64 " replaced, %" PRIu64
	        " removed\n",
	        gen, m.added, m.replaced, m.deleted);
	return 0;
}

/* One record of the leader's journal made here: false when it asks for
 * the lists whole (a reload of the leader's file). */
static bool apply(struct cluster *c, const json_t *rec, struct mirror_count *m)
{
	const char *op = json_string_value(json_object_get(rec, "op"));
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const json_t *entries = json_object_get(rec, "entries");
	int k = kind ? state_kind(kind) : -1;

	if (op && strcmp(op, "reload") == 0)
		return false;
	if (op == NULL || k < 0 || !json_is_array(entries))
		return false; /* not one this build knows: read the lists */
	if (!(c->kinds & 1u << k))
		return true;
	if (strcmp(op, "delete") == 0)
		mirror_del(c->st, (enum cfg_kind)k, entries, m);
	else
		mirror_put(c->st, (enum cfg_kind)k, entries, m);
	return true;
}

/* One long poll: 0, or -1 after a failure said. */
static int poll_once(struct cluster *c)
{
	struct mirror_count m = {0};
	uint64_t id, gen, g;
	char path[128], err[300];
	json_t *o, *rec;
	long status;
	int wait;
	bool ok;
	size_t i;

	/* Not waiting the first time (after a start or a failure), so that
	 * the state says at once whether the leader answers. */
	pthread_mutex_lock(&c->lock);
	wait = strcmp(c->state, "following") == 0 ? POLL_WAIT_S : 0;
	pthread_mutex_unlock(&c->lock);
	snprintf(path, sizeof(path), "/api/v1/changes?since=%" PRIu64 "&wait=%d&limit=%d",
	         c->applied, wait, CHANGES_PAGE);
	status = get(c, path, &o, err, sizeof(err));
	if (status == 410 && head_of(o, &id, &gen)) {
		contact(c, id, gen);
		pthread_mutex_lock(&c->lock);
		c->synced = false;
		pthread_mutex_unlock(&c->lock);
		json_decref(o);
		return 0;
	}
	if (status != 200 || !head_of(o, &id, &gen) ||
	    !json_is_array(json_object_get(o, "changes"))) {
		failed(c, status, o, status == 200 ? "no origin, generation or changes" : err);
		json_decref(o);
		return -1;
	}
	contact(c, id, gen);
	set_state(c, c->synced ? "following" : "reading the lists");
	json_array_foreach(json_object_get(o, "changes"), i, rec) {
		json_t *jg = json_object_get(rec, "generation");

		if (!c->synced || !json_is_integer(jg))
			break;
		g = (uint64_t)json_integer_value(jg);
		ok = g == c->applied + 1 && apply(c, rec, &m);
		pthread_mutex_lock(&c->lock);
		if (ok) {
			c->applied = g;
			c->records++;
		} else {
			c->synced = false; /* a gap or a reload: read the lists */
		}
		pthread_mutex_unlock(&c->lock);
		if (!ok)
			break;
	}
	counted(c, &m);
	if (json_array_size(json_object_get(o, "changes")))
		save(c);
	json_decref(o);
	return 0;
}

static void pause_ms(struct cluster *c, uint32_t ms)
{
	for (uint32_t t = 0; t < ms && !atomic_load(&c->stop); t += 50)
		usleep(50000);
}

static void *follow(void *arg)
{
	struct cluster *c = arg;

	while (!atomic_load(&c->stop)) {
		bool synced;

		pthread_mutex_lock(&c->lock);
		synced = c->synced;
		pthread_mutex_unlock(&c->lock);
		if ((synced ? poll_once(c) : resync(c)) < 0)
			pause_ms(c, c->retry_ms);
	}
	return NULL;
}

struct cluster *cluster_start(const struct aftr_config *cfg, struct state *st,
                              const char *state_dir, char *err, size_t errlen)
{
	struct cluster *c;

	*err = '\0';
	if (cfg->fixed.cluster_follow == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "cluster: out of memory");
		return NULL;
	}
	c->st = st;
	c->kinds = cfg->fixed.cluster_kinds;
	c->retry_ms = cfg->fixed.cluster_retry_ms;
	if ((c->leader = strdup(cfg->fixed.cluster_follow)) == NULL) {
		free(c);
		snprintf(err, errlen, "cluster: out of memory");
		return NULL;
	}
	while (strlen(c->leader) > 8 && c->leader[strlen(c->leader) - 1] == '/')
		c->leader[strlen(c->leader) - 1] = '\0';
	if (asprintf(&c->path, "%s/cluster.json", state_dir) < 0)
		c->path = NULL;
	if (cfg->fixed.cluster_token_file &&
	    read_first_line(cfg->fixed.cluster_token_file, &c->token) < 0) {
		snprintf(err, errlen, "cluster.token_file %s: %s", cfg->fixed.cluster_token_file,
		         errno == ENODATA ? "empty" : strerror(errno));
		goto fail;
	}
	snprintf(c->state, sizeof(c->state), "starting");
	curl_global_init(CURL_GLOBAL_DEFAULT); /* before this thread, not in it */
	pthread_mutex_init(&c->lock, NULL);
	load(c);
	if (c->path == NULL || pthread_create(&c->thread, NULL, follow, c) != 0) {
		snprintf(err, errlen, "cluster: cannot start the follower");
		pthread_mutex_destroy(&c->lock);
		goto fail;
	}
	fprintf(stderr, "aftr-control: cluster: following %s (%s)\n", c->leader,
	        c->synced ? "from the generation saved" : "its lists read whole first");
	return c;
fail:
	free(c->token);
	free(c->path);
	free(c->leader);
	free(c);
	return NULL;
}

void cluster_stop(struct cluster *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->lock);
	free(c->token);
	free(c->path);
	free(c->leader);
	free(c);
}

bool cluster_follows(const struct cluster *c, enum cfg_kind k)
{
	return c && (c->kinds & 1u << k);
}

const char *cluster_leader(const struct cluster *c)
{
	return c ? c->leader : NULL;
}

json_t *cluster_json(const struct cluster *c, struct state *st)
{
	struct cluster *m = (struct cluster *)c; /* its lock */
	char id[17];
	json_t *o, *kinds_a;

	if (c == NULL) {
		snprintf(id, sizeof(id), "%016" PRIx64, state_origin(st));
		return json_pack("{s:s,s:s,s:I}", "role", "leader", "origin", id, "generation",
		                 (json_int_t)state_generation(st));
	}
	kinds_a = json_array();
	for (int k = 0; k < K_COUNT; k++)
		if (c->kinds & 1u << k)
			json_array_append_new(kinds_a,
			                      json_string(state_kind_url((enum cfg_kind)k)));
	pthread_mutex_lock(&m->lock);
	snprintf(id, sizeof(id), "%016" PRIx64, c->leader_origin);
	o = json_pack("{s:s,s:s,s:o,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
	              "role", "follower", "leader", c->leader, "kinds", kinds_a, "state", c->state,
	              "leader_origin", id, "leader_generation", (json_int_t)c->leader_gen,
	              "applied_generation", (json_int_t)c->applied, "seconds_since_contact",
	              (json_int_t)(c->contact ? time(NULL) - c->contact : -1), "records_applied",
	              (json_int_t)c->records, "entries_added", (json_int_t)c->count.added,
	              "entries_replaced", (json_int_t)c->count.replaced, "entries_deleted",
	              (json_int_t)c->count.deleted, "resyncs", (json_int_t)c->resyncs, "conflicts",
	              (json_int_t)c->count.conflicts, "errors", (json_int_t)c->count.errors,
	              "failed_looks", (json_int_t)c->unreachable, "last_error", c->last_error);
	pthread_mutex_unlock(&m->lock);
	return o;
}
