/* Changes of the desired state (state.h), each in O(its size): the entry
 * found by the indexes (state_index.h), validated against its
 * neighbourhood (state_delta.h), appended to the journal (journal.h),
 * then applied to eff in place. A change that does not validate, or
 * cannot be journaled, changes nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"
#include "state.h"
#include "state_delta.h"
#include "state_int.h"
#include "cfg_kinds.h"
#include "util.h"

/* cfg_validate of eff with the change made, for a change whose
 * neighbourhood is too wide: eff changed, validated and put back. */
static long check_whole(struct state *s, enum cfg_kind k, const void *v, size_t n, long at,
                        struct diag *d)
{
	const struct kind *kd = &kinds[k];
	struct kind_list l = kind_list(kd, &s->eff);
	size_t n0 = *l.n;
	char saved[256];
	long errors;

	_Static_assert(sizeof(saved) >= sizeof(struct cfg_nat), "saved holds any entry");
	if (at >= 0) {
		memcpy(saved, kind_at(kd, &s->eff, (size_t)at), kd->elem);
		memcpy(kind_at(kd, &s->eff, (size_t)at), v, kd->elem);
	}
	for (size_t i = 0; at < 0 && i < n; i++) {
		void *slot = vec_push(l.v, l.n, l.cap, kd->elem);

		if (slot == NULL) {
			*l.n = n0;
			return -ENOMEM;
		}
		memcpy(slot, (const char *)v + i * kd->elem, kd->elem);
	}
	errors = (long)cfg_validate(&s->eff, d);
	if (at >= 0)
		memcpy(kind_at(kd, &s->eff, (size_t)at), saved, kd->elem);
	*l.n = n0;
	return errors;
}

/* Whether eff stays valid with n entries of kind k (v) appended, or with
 * v in place of entry at: 0, or -1 with e. Lock held. */
static int check_change(struct state *s, enum cfg_kind k, const void *v, size_t n, long at,
                        struct state_err *e)
{
	struct diag d;
	long rc;

	diag_init(&d, NULL);
	rc = state_check_delta(&s->eff, &s->ix, k, v, n, at, &d);
	if (rc == -1)
		rc = check_whole(s, k, v, n, at, &d);
	if (rc < 0)
		state_err_set(e, 500, "internal error", NULL, "out of memory");
	else if (rc > 0)
		state_first_error(&d, e);
	diag_free(&d);
	return rc == 0 ? 0 : -1;
}

/* Whether eff stays valid without m entries of kind k: only the last
 * softwire of an AFTR with no pool matters ("at least one pool"). */
static int check_removal(struct state *s, enum cfg_kind k, size_t m, struct state_err *e)
{
	struct aftr_config view = s->eff; /* shallow: read only */
	struct diag d;
	int rc = 0;

	if (k != K_SOFTWIRE || s->eff.fixed.n_pools || s->eff.lists.n_softwires > m)
		return 0;
	view.lists.n_softwires = 0;
	diag_init(&d, NULL);
	if (cfg_validate(&view, &d) > 0)
		rc = state_first_error(&d, e);
	diag_free(&d);
	return rc;
}

/* A record of op on entries of kind k ("entries", as the API writes
 * them) at positions at of eff's list ("at": where an addition goes, what
 * a deletion removes, in order), or NULL. A delta's reader checks each
 * entry is where the record says. */
static json_t *record(const char *op, enum cfg_kind k, const void *const *v, const size_t *at,
                      size_t n)
{
	json_t *a = json_array(), *p = json_array(),
	       *rec = json_pack("{s:s,s:s}", "op", op, "kind", kinds[k].url);
	bool ok = a && p && rec;

	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(a, kinds[k].enc(v[i])) == 0 &&
		     json_array_append_new(p, json_integer((json_int_t)at[i])) == 0;
	if (!ok || json_object_set_new(rec, "entries", a) < 0 ||
	    json_object_set_new(rec, "at", p) < 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* Room for n more entries of kind k in eff and its indexes, so that
 * applying a journaled change cannot fail. */
static int reserve(struct state *s, enum cfg_kind k, size_t n, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct kind_list l = kind_list(kd, &s->eff);
	size_t want = *l.n + n;

	if (want > *l.cap &&
	    vec_reserve(l.v, l.cap, *l.cap * 2 > want ? *l.cap * 2 : want, kd->elem) < 0)
		goto oom;
	if (sindex_kind(k) && (want > SINDEX_POS_MAX || sindex_reserve(&s->ix, n) < 0))
		goto oom;
	return 0;
oom:
	state_err_set(e, 500, "internal error", NULL, "out of memory");
	return -1;
}

int state_add(struct state *s, enum cfg_kind k, const json_t *body, uint64_t *gen,
              struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config scratch;
	const void **v = NULL;
	size_t *at = NULL, n;
	uint64_t seq = 0;
	int rc = -1;

	if (state_empty_lists(&scratch, e) < 0 || state_decode(kd, body, &scratch, e) < 0)
		goto out;
	n = *kind_list(kd, &scratch).n;
	v = calloc(n, sizeof(*v));
	at = calloc(n, sizeof(*at));
	if (v == NULL || at == NULL) {
		state_err_set(e, 500, "internal error", NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = kind_at(kd, &scratch, i);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++)
		at[i] = *kind_list(kd, &s->eff).n + i;
	/* One entry: say which one it collides with, by identity. */
	if (n == 1 && sindex_find(&s->ix, &s->eff, k, v[0]) >= 0)
		state_err_set(e, 409, "conflict", NULL,
		              "this %s entry exists already (delete it first)", kd->url);
	else if (check_change(s, k, v[0], n, -1, e) == 0 && reserve(s, k, n, e) == 0 &&
	         state_log(s, record("add", k, v, at, n), &seq, e) == 0)
		rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct kind_list l = kind_list(kd, &s->eff);

		memcpy(kind_at(kd, &s->eff, (*l.n)++), v[i], kd->elem);
		(void)sindex_add(&s->ix, &s->eff, k, *l.n - 1); /* reserved */
	}
	if (rc == 0)
		*gen = ++s->gen;
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		rc = state_log_sync(s, seq, e);
out:
	free(v);
	free(at);
	cfg_free(&scratch);
	return rc;
}

/* The position in eff of the entry probe names, of the api layer: 0, or
 * -1 with e set (404 none, 409 one of the file's). Lock held. */
static int find_rt(struct state *s, enum cfg_kind k, const void *probe, size_t *at,
                   const char *field, struct state_err *e)
{
	long i = sindex_find(&s->ix, &s->eff, k, probe);

	if (i < 0) {
		state_err_set(e, 404, "not found", field, "no such %s entry", kinds[k].url);
		return -1;
	}
	if ((size_t)i < s->n_base[k]) {
		state_err_set(e, 409, "conflict", field,
		              "this %s entry comes from the configuration file %s: edit the file, "
		              "then reload",
		              kinds[k].url, s->config_path);
		return -1;
	}
	*at = (size_t)i;
	return 0;
}

json_t *state_get(struct state *s, enum cfg_kind k, const char *const *seg, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	char probe[256] = {0};
	json_t *o = NULL;
	long at;

	e->status = 0;
	if (kd->id(seg, probe) < 0) {
		state_err_set(e, 400, "bad request", NULL, "a %s entry is named %s", kd->url,
		              kd->id_form);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	at = sindex_find(&s->ix, &s->eff, k, probe);
	if (at < 0)
		state_err_set(e, 404, "not found", NULL, "no such %s entry", kd->url);
	else if ((o = kd->enc(kind_at(kd, &s->eff, (size_t)at))) != NULL)
		json_object_set_new(o, "source",
		                    json_string((size_t)at < s->n_base[k] ? "config" : "api"));
	pthread_mutex_unlock(&s->lock);
	if (o == NULL && e->status == 0)
		state_err_set(e, 500, "internal error", NULL, "out of memory");
	return o;
}

int state_delete(struct state *s, enum cfg_kind k, const char *const *seg, uint64_t *gen,
                 struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	char probe[256] = {0};
	const void *entry;
	uint64_t seq = 0;
	size_t at;
	int rc = -1;

	_Static_assert(sizeof(probe) >= sizeof(struct cfg_nat), "probe holds any entry");
	if (kd->id(seg, probe) < 0) {
		state_err_set(e, 400, "bad request", NULL, "a %s entry is named %s", kd->url,
		              kd->id_form);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	if (find_rt(s, k, probe, &at, NULL, e) == 0 && check_removal(s, k, 1, e) == 0) {
		entry = kind_at(kd, &s->eff, at);
		rc = state_log(s, record("delete", k, &entry, &at, 1), &seq, e);
	}
	if (rc == 0) {
		sindex_remove(&s->ix, &s->eff, k, at);
		*gen = ++s->gen;
	}
	pthread_mutex_unlock(&s->lock);
	return rc == 0 ? state_log_sync(s, seq, e) : rc;
}

static int pos_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x > y ? -1 : x < y;
}

/* The positions of the entries scratch lists, each of the api layer and
 * the same as listed, sorted from the last, once each: their number, or
 * -1 with e naming the first that is not. Lock held. */
static long find_all(struct state *s, enum cfg_kind k, const struct aftr_config *scratch,
                     size_t *pos, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	size_t n = *kind_list(kd, scratch).n, m = 0;
	char field[32];

	for (size_t j = 0; j < n; j++) {
		const void *want = kind_at(kd, scratch, j);
		json_t *x, *y;
		bool same;

		snprintf(field, sizeof(field), "[%zu]", j);
		if (find_rt(s, k, want, &pos[j], field, e) < 0)
			return -1;
		x = kd->enc(kind_at(kd, &s->eff, pos[j]));
		y = kd->enc(want);
		same = x && y && json_equal(x, y);
		json_decref(x);
		json_decref(y);
		if (!same) {
			/* A stale row (another PSID, say) must not delete what is there now. */
			state_err_set(
			        e, 409, "conflict", field,
			        "this %s entry differs from the AFTR's: list it and delete that",
			        kd->url);
			return -1;
		}
	}
	qsort(pos, n, sizeof(*pos), pos_desc);
	for (size_t j = 0; j < n; j++)
		if (j == 0 || pos[j] != pos[j - 1])
			pos[m++] = pos[j];
	return (long)m;
}

int state_delete_many(struct state *s, enum cfg_kind k, const json_t *body, uint64_t *gen,
                      size_t *deleted, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config scratch;
	size_t *pos = NULL;
	const void **v = NULL;
	uint64_t seq = 0;
	long m = -1;
	int rc = -1;

	if (!json_is_array(body)) {
		state_err_set(e, 400, "bad request", NULL,
		              "send a JSON array of the entries to delete");
		return -1;
	}
	if (state_empty_lists(&scratch, e) < 0 || state_decode(kd, body, &scratch, e) < 0)
		goto out;
	pos = calloc(*kind_list(kd, &scratch).n, sizeof(*pos));
	v = calloc(*kind_list(kd, &scratch).n, sizeof(*v));
	if (pos == NULL || v == NULL) {
		state_err_set(e, 500, "internal error", NULL, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&s->lock);
	m = find_all(s, k, &scratch, pos, e);
	if (m > 0 && check_removal(s, k, (size_t)m, e) == 0) {
		/* Removed from the last: a removal moves the last entry, which
		 * is then never one still to remove. Replayed in that order. */
		for (long i = 0; i < m; i++)
			v[i] = kind_at(kd, &s->eff, pos[i]);
		rc = state_log(s, record("delete", k, v, pos, (size_t)m), &seq, e);
	}
	for (long i = 0; rc == 0 && i < m; i++)
		sindex_remove(&s->ix, &s->eff, k, pos[i]);
	if (rc == 0) {
		*deleted = (size_t)m;
		*gen = ++s->gen;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		rc = state_log_sync(s, seq, e);
out:
	free(pos);
	free(v);
	cfg_free(&scratch);
	return rc;
}

int state_replace(struct state *s, enum cfg_kind k, const char *const *seg, const json_t *body,
                  uint64_t *gen, struct state_err *e)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config scratch;
	char probe[256] = {0};
	const void *entry;
	uint64_t seq = 0;
	size_t at;
	int rc = -1;

	if (kd->id(seg, probe) < 0) {
		state_err_set(e, 400, "bad request", NULL, "a %s entry is named %s", kd->url,
		              kd->id_form);
		return -1;
	}
	if (state_empty_lists(&scratch, e) < 0)
		goto out;
	if (!json_is_object(body)) {
		state_err_set(e, 400, "bad request", NULL,
		              "send one JSON object, the whole new entry");
		goto out;
	}
	if (state_decode(kd, body, &scratch, e) < 0)
		goto out;
	entry = kind_at(kd, &scratch, 0);
	if (!kd->eq(entry, probe)) {
		state_err_set(
		        e, 422, "invalid", NULL,
		        "the body names another %s entry than the URL (delete and add to move "
		        "one)",
		        kd->url);
		goto out;
	}
	pthread_mutex_lock(&s->lock);
	if (find_rt(s, k, probe, &at, NULL, e) == 0 &&
	    check_change(s, k, entry, 1, (long)at, e) == 0)
		rc = state_log(s, record("replace", k, &entry, &at, 1), &seq, e);
	if (rc == 0) {
		sindex_del(&s->ix, &s->eff, k, at);
		memcpy(kind_at(kd, &s->eff, at), entry, kd->elem);
		(void)sindex_add(&s->ix, &s->eff, k, at); /* one went out: room for it */
		*gen = ++s->gen;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		rc = state_log_sync(s, seq, e);
out:
	cfg_free(&scratch);
	return rc;
}

/* The pools of next against those a running dataplane has (pools/usage
 * entries): each address it has keeps its blocks' layout, and the new
 * ones fit in nat.max_pools. 0, or -1 with e (409). */
static int running_pools_ok(const struct aftr_config *next, const json_t *running,
                            struct state_err *e)
{
	size_t slots = 0, fresh = 0, i;
	char a[ADDR4_STRLEN];
	const json_t *r;

	json_array_foreach(running, i, r)
		slots +=
		        strcmp(json_string_value(json_object_get(r, "protocol")) ?: "", "tcp") == 0;
	for (size_t k = 0; k < next->fixed.n_pools; k++) {
		const struct cfg_pool *q = &next->fixed.pools[k];
		bool known = false;

		addr4_format(q->addr, a);
		json_array_foreach(running, i, r) {
			int p = cfg_name_lookup(cfg_proto_names,
			                        json_string_value(json_object_get(r, "protocol"))
			                                ?: "");
			struct port_range pr;
			uint16_t bsize;

			if (p < 0 ||
			    strcmp(json_string_value(json_object_get(r, "address")) ?: "", a) != 0)
				continue;
			known = true;
			pr = cfg_pool_range(next, q, p);
			bsize = next->fixed.port_block[p];
			if (json_integer_value(json_object_get(r, "first_port")) != pr.min ||
			    json_integer_value(json_object_get(r, "block_size")) != bsize ||
			    json_integer_value(json_object_get(r, "blocks_all")) !=
			            ((uint32_t)pr.max - pr.min + 1) / bsize) {
				state_err_set(
				        e, 409, "conflict", "pools",
				        "pools: %s's port ranges differ from those the running "
				        "dataplane has for it (draining ones too): a pool's "
				        "ranges change at restart",
				        a);
				return -1;
			}
		}
		fresh += !known;
	}
	if (slots + fresh > next->fixed.max_pools) {
		state_err_set(e, 409, "conflict", "nat.max_pools",
		              "the running dataplane holds %zu pools (draining ones too) and "
		              "nat.max_pools is %u: no room for %zu more until it restarts",
		              slots, next->fixed.max_pools, fresh);
		return -1;
	}
	return 0;
}

int state_reload(struct state *s, const json_t *running, uint64_t *gen, struct state_err *e)
{
	struct aftr_config base, eff, rt;
	struct sindex ix;
	size_t n_base[K_COUNT];
	char err[512], which[64], why[256];
	uint64_t seq = 0, hash;
	int rc = -1;

	if (state_load_base(s->config_path, &base, &hash, err, sizeof(err)) < 0) {
		state_err_set(e, 422, "invalid", NULL, "%s", err);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	state_rt_view(s, &rt);
	if (cfg_fixed_diff(&base, &s->base, CFG_FIXED_CONTROL | CFG_FIXED_POOLS, which,
	                   sizeof(which)) != 0) {
		state_err_set(e, 409, "conflict", which,
		              "%s changes %s: reload takes the run-time lists (tunnels, "
		              "static_nat, prr, nonat, softwires, acl6, private) and pool "
		              "addresses added or removed only; restart for the rest",
		              s->config_path, which);
	} else if (cfg_pools_diff(&s->base, &base, why, sizeof(why)) < 0) {
		state_err_set(e, 409, "conflict", "pools", "%s changes %s", s->config_path, why);
	} else if (running && running_pools_ok(&base, running, e) < 0) {
		/* e says why */
	} else if (state_build_eff(&base, &rt, &eff, n_base, e) == 0) {
		if (sindex_build(&ix, &eff) < 0) {
			state_err_set(e, 500, "internal error", NULL, "out of memory");
		} else if (state_log(s, json_pack("{s:s}", "op", "reload"), &seq, e) < 0) {
			sindex_free(&ix);
		} else {
			/* The lists are the file's, but the generation goes on:
			 * it only ever goes up, across restarts too. */
			cfg_free(&s->eff);
			s->eff = eff;
			memset(&eff, 0, sizeof(eff));
			sindex_free(&s->ix);
			s->ix = ix;
			cfg_free(&s->base);
			s->base = base;
			memset(&base, 0, sizeof(base));
			memcpy(s->n_base, n_base, sizeof(s->n_base));
			*gen = ++s->gen;
			s->origin = state_origin_of(s->id, hash);
			state_dlog_reset(s); /* the lists were rebuilt: no delta */
			rc = 0;
		}
		cfg_free(&eff);
	}
	pthread_mutex_unlock(&s->lock);
	cfg_free(&base);
	return rc == 0 ? state_log_sync(s, seq, e) : rc;
}
