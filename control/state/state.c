/* The desired state; see state.h. One mutex guards it; handlers hold it
 * while they change and persist, never while they wait for the dataplane. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_json.h"
#include "config_yaml.h"
#include "lhash.h"
#include "state_kinds.h"
#include "util.h"

#define STATE_FILE    "state.json"
#define STATE_VERSION 2 /* 2: the generation is saved */

struct state {
	pthread_mutex_t lock;
	char *config_path, *state_path;
	struct aftr_config base; /* the configuration file */
	struct aftr_config rt;   /* the api layer: its lists only */
	struct aftr_config eff;  /* base's lists followed by rt's */
	size_t n_base[K_COUNT];  /* entries of eff that come from the file */
	uint64_t gen;            /* changes made (the first state is 1) */
	bool found;              /* a state file was there at the start */
};

static void err_set(struct state_err *e, unsigned int status, const char *error, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void err_set(struct state_err *e, unsigned int status, const char *error, const char *field,
                    const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	snprintf(e->error, sizeof(e->error), "%s", error);
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

/* A configuration with empty lists (cfg_init gives private a default). */
static int empty_lists(struct aftr_config *cfg)
{
	if (cfg_init(cfg) < 0)
		return -ENOMEM;
	free(cfg->lists.private4);
	cfg->lists.private4 = NULL;
	cfg->lists.n_private4 = cfg->lists.cap_private4 = 0;
	return 0;
}

/* Appends n entries of kind k from src (from index first) to dst. */
static int append(struct aftr_config *dst, enum state_kind k, const struct aftr_config *src,
                  size_t first)
{
	const struct kind *kd = &kinds[k];
	struct kind_list d = kind_list(kd, dst);
	size_t n = *kind_list(kd, src).n;

	for (size_t i = first; i < n; i++) {
		void *slot = vec_push(d.v, d.n, d.cap, kd->elem);

		if (slot == NULL)
			return -ENOMEM;
		memcpy(slot, kind_at(kd, src, i), kd->elem);
	}
	return 0;
}

/* eff = base + rt, checked; the first error in e when it does not hold. */
static int build_eff(const struct aftr_config *base, const struct aftr_config *rt,
                     struct aftr_config *eff, size_t n_base[K_COUNT], struct state_err *e);

static int first_error(struct diag *d, struct state_err *e)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level != DIAG_ERROR)
			continue;
		err_set(e, d->v[i].conflict ? 409 : 422, d->v[i].conflict ? "conflict" : "invalid",
		        d->v[i].path, "%s", d->v[i].msg);
		return -1;
	}
	err_set(e, 422, "invalid", NULL, "the configuration does not validate");
	return -1;
}

static int build_eff(const struct aftr_config *base, const struct aftr_config *rt,
                     struct aftr_config *eff, size_t n_base[K_COUNT], struct state_err *e)
{
	struct diag d;
	int rc = 0;

	if (cfg_copy(eff, base) < 0) {
		err_set(e, 500, "internal error", NULL, "out of memory");
		return -1;
	}
	for (int k = 0; k < K_COUNT; k++) {
		n_base[k] = *kind_list(&kinds[k], eff).n;
		if (append(eff, k, rt, 0) < 0) {
			err_set(e, 500, "internal error", NULL, "out of memory");
			cfg_free(eff);
			return -1;
		}
	}
	diag_init(&d, NULL);
	if (cfg_validate(eff, &d) > 0)
		rc = first_error(&d, e);
	diag_free(&d);
	if (rc < 0)
		cfg_free(eff);
	return rc;
}

/* The api layer as JSON: the live lists, as the configuration writes them. */
static json_t *rt_json(const struct aftr_config *rt, uint64_t gen)
{
	json_t *all = cfg_to_json(rt),
	       *o = json_pack("{s:i,s:I}", "version", STATE_VERSION, "generation", (json_int_t)gen);

	/* The filters are the configuration file's only (no API kind). */
	for (int i = 0; all && o && cfg_live_keys[i]; i++)
		if (strcmp(cfg_live_keys[i], "filters") != 0)
			json_object_set(o, cfg_live_keys[i],
			                json_object_get(all, cfg_live_keys[i]));
	json_decref(all);
	return o;
}

/* The api layer saved (file_replace: a crash leaves the old file or the
 * new one, whole), with the generation it makes. */
static int persist(const struct state *s, uint64_t gen, struct state_err *e)
{
	json_t *o = rt_json(&s->rt, gen);
	char *text = o ? json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	int rc = text ? file_replace(s->state_path, text, strlen(text)) : -ENOMEM;

	json_decref(o);
	free(text);
	if (rc < 0)
		err_set(e, 500, "internal error", NULL, "%s: cannot save the state: %s",
		        s->state_path, strerror(-rc));
	return rc < 0 ? -1 : 0;
}

/* The api layer from the state file; a missing file is an empty layer. */
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

static int load_rt(const char *path, struct aftr_config *rt, uint64_t *gen, char *err,
                   size_t errlen)
{
	json_error_t je;
	json_t *root;
	struct diag d;
	struct jdec j;
	int rc = 0;

	*gen = 1;
	if (empty_lists(rt) < 0)
		return -1;
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

static int load_base(const char *path, struct aftr_config *cfg, char *err, size_t errlen)
{
	struct diag d;
	int rc;

	diag_init(&d, path);
	rc = cfg_load_yaml_file(path, cfg, &d);
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

struct state *state_open(const char *config_path, const char *state_dir, char *err, size_t errlen)
{
	struct state *s = calloc(1, sizeof(*s));
	struct state_err e;
	int rc;

	if (s == NULL || (s->config_path = strdup(config_path)) == NULL ||
	    asprintf(&s->state_path, "%s/" STATE_FILE, state_dir) < 0) {
		errf(err, errlen, "out of memory");
		goto fail_early;
	}
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
		errf(err, errlen, "state directory %s: %s", state_dir, strerror(errno));
		goto fail_early;
	}
	if (load_base(config_path, &s->base, err, errlen) < 0)
		goto fail_early;
	rc = load_rt(s->state_path, &s->rt, &s->gen, err, errlen);
	if (rc < 0)
		goto fail_rt; /* rt was set up before the file was read */
	s->found = rc == 0;
	if (build_eff(&s->base, &s->rt, &s->eff, s->n_base, &e) < 0) {
		errf(err, errlen, "%s and %s do not go together: %s%s%s", config_path,
		     s->state_path, e.field, *e.field ? ": " : "", e.detail);
		goto fail_rt;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
fail_rt:
	cfg_free(&s->rt);
	cfg_free(&s->base);
fail_early:
	if (s) {
		free(s->config_path);
		free(s->state_path);
	}
	free(s);
	return NULL;
}

bool state_found(struct state *s)
{
	return s->found;
}

void state_close(struct state *s)
{
	if (s == NULL)
		return;
	cfg_free(&s->base);
	cfg_free(&s->rt);
	cfg_free(&s->eff);
	pthread_mutex_destroy(&s->lock);
	free(s->config_path);
	free(s->state_path);
	free(s);
}

int state_kind(const char *url_name)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strcmp(kinds[k].url, url_name) == 0)
			return k;
	return -1;
}

const char *state_kind_url(enum state_kind k)
{
	return kinds[k].url;
}

int state_kind_id_segments(enum state_kind k)
{
	return kinds[k].nseg;
}

json_t *state_list(struct state *s, enum state_kind k, size_t offset, size_t limit)
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

json_t *state_config_json(struct state *s, bool sparse)
{
	json_t *o;

	pthread_mutex_lock(&s->lock);
	o = sparse ? cfg_to_json_sparse(&s->eff) : cfg_to_json(&s->eff);
	pthread_mutex_unlock(&s->lock);
	return o;
}

char *state_tables_json(struct state *s, uint64_t *gen)
{
	json_t *o;
	char *text;

	pthread_mutex_lock(&s->lock);
	o = cfg_to_json(&s->eff);
	*gen = s->gen;
	pthread_mutex_unlock(&s->lock);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return text;
}

/* Decodes body (an object, or an array of them) into a scratch list. */
static int decode(const struct kind *kd, const json_t *body, struct aftr_config *scratch,
                  struct state_err *e)
{
	struct kind_list l = kind_list(kd, scratch);
	bool many = json_is_array(body);
	size_t n = many ? json_array_size(body) : 1;
	struct diag d;
	struct jdec j;
	int rc = 0;

	if (!many && !json_is_object(body)) {
		err_set(e, 400, "bad request", NULL, "send a JSON object (or an array of them)");
		return -1;
	}
	diag_init(&d, NULL);
	jdec_init(&j, &d);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *it = many ? json_array_get(body, i) : body;
		size_t mark = many ? jdec_push_index(&j, i) : 0;
		void *slot = vec_push(l.v, l.n, l.cap, kd->elem);

		if (slot == NULL) {
			err_set(e, 500, "internal error", NULL, "out of memory");
			rc = -1;
		} else if (kd->dec(&j, it, slot) < 0 || d.errors) {
			rc = first_error(&d, e);
			e->status = 422;
			snprintf(e->error, sizeof(e->error), "invalid");
		}
		if (many)
			jdec_pop(&j, mark);
	}
	diag_free(&d);
	if (rc == 0 && *l.n == 0) {
		err_set(e, 422, "invalid", NULL, "the array is empty");
		rc = -1;
	}
	return rc;
}

/* With the api layer changed: the new effective configuration, checked,
 * then saved, then in use. Lock held. 0, or -1 (nothing changed but rt). */
static int commit(struct state *s, struct aftr_config *eff, size_t n_base[K_COUNT], uint64_t *gen,
                  struct state_err *e)
{
	if (build_eff(&s->base, &s->rt, eff, n_base, e) < 0)
		return -1;
	if (persist(s, s->gen + 1, e) < 0) {
		cfg_free(eff);
		return -1;
	}
	cfg_free(&s->eff);
	s->eff = *eff;
	memcpy(s->n_base, n_base, sizeof(s->n_base));
	*gen = ++s->gen;
	return 0;
}

int state_add(struct state *s, enum state_kind k, const json_t *body, uint64_t *gen,
              struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config scratch, eff;
	size_t n_base[K_COUNT], n_rt;
	int rc = -1;

	if (empty_lists(&scratch) < 0) {
		err_set(e, 500, "internal error", NULL, "out of memory");
		return -1;
	}
	if (decode(kd, body, &scratch, e) < 0)
		goto out;
	pthread_mutex_lock(&s->lock);
	/* One entry: say which one it collides with, by identity. */
	if (*kind_list(kd, &scratch).n == 1 &&
	    kind_find(kd, &s->eff, kind_at(kd, &scratch, 0), 0) >= 0) {
		err_set(e, 409, "conflict", NULL, "this %s entry exists already (delete it first)",
		        kd->url);
		goto unlock;
	}
	n_rt = *kind_list(kd, &s->rt).n;
	if (append(&s->rt, k, &scratch, 0) < 0) {
		err_set(e, 500, "internal error", NULL, "out of memory");
		*kind_list(kd, &s->rt).n = n_rt; /* none of them, not some */
		goto unlock;
	}
	rc = commit(s, &eff, n_base, gen, e);
	if (rc < 0)
		*kind_list(kd, &s->rt).n = n_rt; /* back to what it was */
unlock:
	pthread_mutex_unlock(&s->lock);
out:
	cfg_free(&scratch);
	return rc;
}

/* The entry an id names, in eff (*ie) and in the api layer (*ir); 0, or
 * -1 with e set (400 a bad name, 404 none, 409 one of the file's). Lock held. */
static int find_entry(struct state *s, const struct kind *kd, const void *probe, long *ie, long *ir,
                      struct state_err *e)
{
	*ie = kind_find(kd, &s->eff, probe, 0);
	*ir = kind_find(kd, &s->rt, probe, 0);
	if (*ie < 0) {
		err_set(e, 404, "not found", NULL, "no such %s entry", kd->url);
		return -1;
	}
	if (*ir < 0) {
		err_set(e, 409, "conflict", NULL,
		        "this %s entry comes from the configuration file %s: edit the file, then "
		        "reload",
		        kd->url, s->config_path);
		return -1;
	}
	return 0;
}

int state_delete(struct state *s, enum state_kind k, const char *const *seg, uint64_t *gen,
                 struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config eff;
	size_t n_base[K_COUNT];
	char probe[256] = {0}, saved[256];
	long ie, ir;
	int rc = -1;

	_Static_assert(sizeof(probe) >= sizeof(struct cfg_nat), "probe holds any entry");
	if (kd->id(seg, probe) < 0) {
		err_set(e, 400, "bad request", NULL, "a %s entry is named %s", kd->url,
		        kd->id_form);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	if (find_entry(s, kd, probe, &ie, &ir, e) == 0) {
		struct kind_list l = kind_list(kd, &s->rt);

		memcpy(saved, kind_at(kd, &s->rt, (size_t)ir), kd->elem);
		vec_remove(*l.v, l.n, kd->elem, (size_t)ir);
		rc = commit(s, &eff, n_base, gen, e);
		if (rc < 0) { /* put it back where it was */
			void *slot = vec_push(l.v, l.n, l.cap, kd->elem);

			if (slot) {
				memmove((char *)*l.v + ((size_t)ir + 1) * kd->elem,
				        (char *)*l.v + (size_t)ir * kd->elem,
				        (*l.n - 1 - (size_t)ir) * kd->elem);
				memcpy(kind_at(kd, &s->rt, (size_t)ir), saved, kd->elem);
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int state_replace(struct state *s, enum state_kind k, const char *const *seg, const json_t *body,
                  uint64_t *gen, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config scratch, eff;
	size_t n_base[K_COUNT];
	char probe[256] = {0}, saved[256];
	long ie, ir;
	int rc = -1;

	if (kd->id(seg, probe) < 0) {
		err_set(e, 400, "bad request", NULL, "a %s entry is named %s", kd->url,
		        kd->id_form);
		return -1;
	}
	if (empty_lists(&scratch) < 0) {
		err_set(e, 500, "internal error", NULL, "out of memory");
		return -1;
	}
	if (!json_is_object(body)) {
		err_set(e, 400, "bad request", NULL, "send one JSON object, the whole new entry");
		goto out;
	}
	if (decode(kd, body, &scratch, e) < 0)
		goto out;
	if (!kd->eq(kind_at(kd, &scratch, 0), probe)) {
		err_set(e, 422, "invalid", NULL,
		        "the body names another %s entry than the URL (delete and add to move one)",
		        kd->url);
		goto out;
	}
	pthread_mutex_lock(&s->lock);
	if (find_entry(s, kd, probe, &ie, &ir, e) == 0) {
		memcpy(saved, kind_at(kd, &s->rt, (size_t)ir), kd->elem);
		memcpy(kind_at(kd, &s->rt, (size_t)ir), kind_at(kd, &scratch, 0), kd->elem);
		rc = commit(s, &eff, n_base, gen, e);
		if (rc < 0)
			memcpy(kind_at(kd, &s->rt, (size_t)ir), saved, kd->elem);
	}
	pthread_mutex_unlock(&s->lock);
out:
	cfg_free(&scratch);
	return rc;
}

/* Marks in del[] the api-layer entries of kind kd that scratch lists; 0,
 * or -1 with e naming the first that is not there (404) or is the file's
 * (409). Lock held. */
static int mark_deletions(struct state *s, const struct kind *kd, const struct aftr_config *scratch,
                          uint8_t *del, struct state_err *e)
{
	size_t n_rt = *kind_list(kd, &s->rt).n, n = *kind_list(kd, scratch).n;
	uint8_t key[KIND_KEY_LEN];
	char field[32];
	struct lhash h;
	int rc = 0;

	if (lhash_init(&h, n_rt, KIND_KEY_LEN) < 0) {
		err_set(e, 500, "internal error", NULL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_rt; i++) {
		kd->idkey(kind_at(kd, &s->rt, i), key);
		lhash_put(&h, key, (uint32_t)i);
	}
	for (size_t j = 0; j < n && rc == 0; j++) {
		uint32_t i;

		kd->idkey(kind_at(kd, scratch, j), key);
		snprintf(field, sizeof(field), "[%zu]", j);
		if ((i = lhash_get(&h, key)) != LHASH_NONE) {
			json_t *x = kd->enc(kind_at(kd, &s->rt, i)),
			       *y = kd->enc(kind_at(kd, scratch, j));
			bool same = x && y && json_equal(x, y);

			json_decref(x);
			json_decref(y);
			if (same) {
				del[i] = 1;
				continue;
			}
			/* A stale row (another PSID, say) must not delete what is there now. */
			err_set(e, 409, "conflict", field,
			        "this %s entry differs from the AFTR's: list it and delete that",
			        kd->url);
			rc = -1;
			break;
		}
		if (kind_find(kd, &s->eff, kind_at(kd, scratch, j), 0) >= 0)
			err_set(e, 409, "conflict", field,
			        "this %s entry comes from the configuration file: edit it, then "
			        "reload",
			        kd->url);
		else
			err_set(e, 404, "not found", field, "no such %s entry", kd->url);
		rc = -1;
	}
	lhash_free(&h);
	return rc;
}

int state_delete_many(struct state *s, enum state_kind k, const json_t *body, uint64_t *gen,
                      size_t *deleted, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config scratch, eff;
	size_t n_base[K_COUNT], n_rt, kept = 0;
	uint8_t *del = NULL;
	char *saved = NULL;
	int rc = -1;

	if (!json_is_array(body)) {
		err_set(e, 400, "bad request", NULL, "send a JSON array of the entries to delete");
		return -1;
	}
	if (empty_lists(&scratch) < 0) {
		err_set(e, 500, "internal error", NULL, "out of memory");
		return -1;
	}
	if (decode(kd, body, &scratch, e) < 0)
		goto out_scratch;
	pthread_mutex_lock(&s->lock);
	n_rt = *kind_list(kd, &s->rt).n;
	del = calloc(n_rt + 1, 1);
	saved = malloc((n_rt + 1) * kd->elem);
	if (del == NULL || saved == NULL) {
		err_set(e, 500, "internal error", NULL, "out of memory");
	} else if (mark_deletions(s, kd, &scratch, del, e) == 0) {
		/* All or nothing: keep the list to put it back if the change fails. */
		memcpy(saved, *kind_list(kd, &s->rt).v, n_rt * kd->elem);
		for (size_t i = 0; i < n_rt; i++)
			if (!del[i])
				memmove(kind_at(kd, &s->rt, kept++), kind_at(kd, &s->rt, i),
				        kd->elem);
		*kind_list(kd, &s->rt).n = kept;
		*deleted = n_rt - kept;
		rc = commit(s, &eff, n_base, gen, e);
		if (rc < 0) {
			memcpy(*kind_list(kd, &s->rt).v, saved, n_rt * kd->elem);
			*kind_list(kd, &s->rt).n = n_rt;
		}
	}
	pthread_mutex_unlock(&s->lock);
	free(del);
	free(saved);
out_scratch:
	cfg_free(&scratch);
	return rc;
}

int state_reload(struct state *s, uint64_t *gen, struct state_err *e)
{
	struct aftr_config base, eff;
	size_t n_base[K_COUNT];
	char err[512], which[64];
	int rc = -1;

	if (load_base(s->config_path, &base, err, sizeof(err)) < 0) {
		err_set(e, 422, "invalid", NULL, "%s", err);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	if (cfg_fixed_diff(&base, &s->base, CFG_FIXED_CONTROL, which, sizeof(which)) != 0) {
		err_set(e, 409, "conflict", which,
		        "%s changes %s: reload takes the run-time lists only (tunnels, static_nat, "
		        "prr, nonat, softwires, acl6, private); restart for the rest",
		        s->config_path, which);
	} else if (build_eff(&base, &s->rt, &eff, n_base, e) == 0) {
		/* The lists are the file's, but the generation is saved: it
		 * only ever goes up, across restarts too. */
		if (persist(s, s->gen + 1, e) < 0) {
			cfg_free(&eff);
		} else {
			cfg_free(&s->eff);
			s->eff = eff;
			cfg_free(&s->base);
			s->base = base;
			memset(&base, 0, sizeof(base));
			memcpy(s->n_base, n_base, sizeof(s->n_base));
			*gen = ++s->gen;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	cfg_free(&base);
	return rc;
}

uint64_t state_generation(struct state *s)
{
	uint64_t g;

	pthread_mutex_lock(&s->lock);
	g = s->gen;
	pthread_mutex_unlock(&s->lock);
	return g;
}
