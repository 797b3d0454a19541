/* Entries put and removed by identity (mirror.h). Additions and
 * deletions go in batches (one journal record, one fsync each), falling
 * back to one at a time when a batch is refused, so that one entry this
 * box cannot take costs only itself. */
#include "mirror.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define MIRROR_BATCH 1000
#define PATH_LEN     160

static void refused(struct mirror_count *c, enum cfg_kind k, const char *path,
                    const struct state_err *e)
{
	c->errors++;
	/* Bounded so that the whole fits: kind, identity, field, detail. */
	snprintf(c->last_error, sizeof(c->last_error), "%.12s/%.64s: %.40s%s%.130s",
	         state_kind_url(k), path, e->field, *e->field ? ": " : "", e->detail);
}

static void conflict(struct mirror_count *c, enum cfg_kind k, const char *path)
{
	c->conflicts++;
	snprintf(c->last_error, sizeof(c->last_error),
	         "%.12s/%.160s: this box's configuration file holds it: left as the file says",
	         state_kind_url(k), path);
}

/* path split into its URL segments (in place): how many, or -1. */
static int segments(char *path, const char **seg)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == 8)
			return -1;
		seg[n++] = t;
	}
	return n;
}

/* entries without their "source" members (copies), and their
 * identities (decoded at once; one at a time when that fails, so that one
 * bad entry costs only itself: its path is then NULL, refused). */
static json_t *clean(const json_t *entries)
{
	json_t *a = json_array(), *v;
	size_t i;

	json_array_foreach(entries, i, v) {
		json_t *c = json_deep_copy(v);

		json_object_del(c, "source");
		json_array_append_new(a, c);
	}
	return a;
}

static char **paths_of(enum cfg_kind k, const json_t *entries, struct mirror_count *c)
{
	size_t n = json_array_size(entries), i;
	struct state_err e;
	char **v = state_entry_paths(k, entries, &e), buf[PATH_LEN];

	if (v || (v = calloc(n + 1, sizeof(*v))) == NULL)
		return v;
	for (i = 0; i < n; i++) {
		if (state_entry_path(k, json_array_get(entries, i), buf, sizeof(buf), &e) == 0)
			v[i] = strdup(buf);
		else
			refused(c, k, "?", &e);
	}
	return v;
}

static void paths_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* This box's entry at path, without its "source", which goes in *config;
 * NULL when there is none (e: 404) or on an error. */
static json_t *own(struct state *st, enum cfg_kind k, const char *path, bool *config,
                   struct state_err *e)
{
	char buf[PATH_LEN];
	const char *seg[8];
	json_t *o;

	snprintf(buf, sizeof(buf), "%s", path);
	if (segments(buf, seg) != state_kind_id_segments(k)) {
		*e = (struct state_err){.status = 500, .error = "internal error"};
		snprintf(e->detail, sizeof(e->detail), "an identity of %d segments",
		         state_kind_id_segments(k));
		return NULL;
	}
	if ((o = state_get(st, k, seg, e)) == NULL)
		return NULL;
	*config = strcmp(json_string_value(json_object_get(o, "source")) ?: "", "config") == 0;
	json_object_del(o, "source");
	return o;
}

/* Adds the batch (taken), or each of its entries alone if it is refused. */
static void add_batch(struct state *st, enum cfg_kind k, json_t *batch, struct mirror_count *c)
{
	struct state_err e;
	char path[PATH_LEN];
	uint64_t gen;
	size_t i;
	json_t *v;

	if (json_array_size(batch) && state_add(st, k, batch, &gen, &e) == 0) {
		c->added += json_array_size(batch);
	} else {
		json_array_foreach(batch, i, v) {
			if (state_add(st, k, v, &gen, &e) == 0) {
				c->added++;
			} else {
				struct state_err pe;

				if (state_entry_path(k, v, path, sizeof(path), &pe) < 0)
					snprintf(path, sizeof(path), "?");
				refused(c, k, path, &e);
			}
		}
	}
	json_array_clear(batch);
}

static void replace(struct state *st, enum cfg_kind k, const json_t *v, const char *path,
                    struct mirror_count *c)
{
	char buf[PATH_LEN];
	const char *seg[8];
	struct state_err e;
	uint64_t gen;

	snprintf(buf, sizeof(buf), "%s", path);
	segments(buf, seg);
	if (state_replace(st, k, seg, v, &gen, &e) == 0)
		c->replaced++;
	else
		refused(c, k, path, &e);
}

void mirror_put(struct state *st, enum cfg_kind k, const json_t *entries, struct mirror_count *c)
{
	json_t *want = clean(entries), *batch = json_array(), *v, *mine;
	size_t n = json_array_size(want), i;
	char **path = paths_of(k, want, c);
	struct state_err e;
	bool config = false;

	for (i = 0; path && i < n; i++) {
		v = json_array_get(want, i);
		if (path[i] == NULL)
			continue;
		mine = own(st, k, path[i], &config, &e);
		if (mine == NULL && e.status != 404)
			refused(c, k, path[i], &e);
		else if (mine == NULL)
			json_array_append(batch, v);
		else if (!json_equal(mine, v) && config)
			conflict(c, k, path[i]);
		else if (!json_equal(mine, v))
			replace(st, k, v, path[i], c);
		json_decref(mine);
		if (json_array_size(batch) == MIRROR_BATCH)
			add_batch(st, k, batch, c);
	}
	add_batch(st, k, batch, c);
	paths_free(path, n);
	json_decref(batch);
	json_decref(want);
}

/* Deletes the batch (this box's own entries, taken), or one at a time. */
static void del_batch(struct state *st, enum cfg_kind k, json_t *batch, struct mirror_count *c)
{
	struct state_err e;
	uint64_t gen;
	size_t n = 0, i;
	json_t *v;

	if (json_array_size(batch) && state_delete_many(st, k, batch, &gen, &n, &e) == 0) {
		c->deleted += n;
	} else {
		json_array_foreach(batch, i, v) {
			json_t *one = json_pack("[O]", v);

			if (one && state_delete_many(st, k, one, &gen, &n, &e) == 0)
				c->deleted += n;
			else if (one)
				refused(c, k, "?", &e);
			json_decref(one);
		}
	}
	json_array_clear(batch);
}

void mirror_del(struct state *st, enum cfg_kind k, const json_t *entries, struct mirror_count *c)
{
	json_t *gone = clean(entries), *batch = json_array(), *mine;
	size_t n = json_array_size(gone), i;
	char **path = paths_of(k, gone, c);
	struct state_err e;
	bool config = false;

	for (i = 0; path && i < n; i++) {
		if (path[i] == NULL)
			continue;
		mine = own(st, k, path[i], &config, &e);
		if (mine == NULL && e.status != 404)
			refused(c, k, path[i], &e);
		else if (mine && config)
			conflict(c, k, path[i]);
		else if (mine)
			json_array_append(batch, mine);
		json_decref(mine);
		if (json_array_size(batch) == MIRROR_BATCH)
			del_batch(st, k, batch, c);
	}
	del_batch(st, k, batch, c);
	paths_free(path, n);
	json_decref(batch);
	json_decref(gone);
}

int mirror_names_add(struct mirror_names *names, enum cfg_kind k, const json_t *entries)
{
	json_t *want = clean(entries);
	size_t n = json_array_size(want), i;
	struct mirror_count ignored = {0}; /* refused when put */
	char **path = paths_of(k, want, &ignored);
	int rc = path ? 0 : -1;

	for (i = 0; rc == 0 && i < n; i++) {
		if (path[i] == NULL)
			continue;
		if (names->n == names->cap) {
			size_t cap = names->cap ? names->cap * 2 : 1024;
			char **nv = realloc(names->v, cap * sizeof(*nv));

			if (nv == NULL) {
				rc = -1;
				break;
			}
			names->v = nv;
			names->cap = cap;
		}
		names->v[names->n++] = path[i];
		path[i] = NULL;
	}
	paths_free(path, n);
	json_decref(want);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void mirror_prune(struct state *st, enum cfg_kind k, struct mirror_names *names,
                  struct mirror_count *c)
{
	json_t *all = state_list(st, k, 0, SIZE_MAX), *api = json_array(), *gone = json_array(),
	       *mine, *v;
	struct mirror_count ignored = {0};
	size_t i, n;
	char **path;

	json_array_foreach(all, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "source")) ?: "", "api") == 0)
			json_array_append(api, v);
	}
	mine = clean(api); /* identities are decoded from entries without a source */
	json_decref(api);
	n = json_array_size(mine);
	path = paths_of(k, mine, &ignored);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), by_name);
	for (i = 0; path && i < n; i++)
		if (path[i] && (names->n == 0 || bsearch(&path[i], names->v, names->n,
		                                         sizeof(*names->v), by_name) == NULL))
			json_array_append(gone, json_array_get(mine, i));
	if (json_array_size(gone))
		mirror_del(st, k, gone, c);
	paths_free(path, n);
	json_decref(gone);
	json_decref(mine);
	json_decref(all);
	mirror_names_free(names);
}

void mirror_names_free(struct mirror_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	*names = (struct mirror_names){0};
}
