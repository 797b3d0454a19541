/* Deltas of the live tables; see delta.h. */
#include "delta.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cfg_kinds.h"
#include "ctl_msg.h"
#include "dp.h"
#include "gen.h"
#include "jdec.h"
#include "tables_edit.h"
#include "util.h"

enum op_type { OP_ADD, OP_DEL, OP_REP };

/* One entry of a record: what happens where. */
struct op {
	enum op_type type;
	enum cfg_kind k;
	size_t at;
	_Alignas(16) unsigned char e[256]; /* the entry (a deletion: its identity) */
};

/* What a change of the model did, to undo it. */
struct undo {
	enum op_type type;
	enum cfg_kind k;
	size_t at;
	/* at's entry before; the last, moved into at */
	_Alignas(16) unsigned char was[256], moved[256];
};

struct delta {
	struct op *ops;
	size_t n, cap;
	struct undo *undo; /* one for each op applied to the model */
	size_t n_undo;
};

_Static_assert(sizeof(struct cfg_nat) <= 256 && sizeof(struct cfg_softwire) <= 256 &&
                       sizeof(struct cfg_tunnel) <= 256 && sizeof(struct cfg_prr) <= 256 &&
                       sizeof(struct cfg_nonat) <= 256 && sizeof(struct cfg_prefix6) <= 256 &&
                       sizeof(struct cfg_prefix4) <= 256,
               "an op holds any entry");

static int op_type_of(const char *s)
{
	return !s                          ? -1
	       : strcmp(s, "add") == 0     ? OP_ADD
	       : strcmp(s, "delete") == 0  ? OP_DEL
	       : strcmp(s, "replace") == 0 ? OP_REP
	                                   : -1;
}

/* The entries of one record, as ops. */
static int parse_record(struct delta *dl, const json_t *rec, char *err, size_t errlen)
{
	const json_t *entries = json_object_get(rec, "entries"), *at = json_object_get(rec, "at");
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	int type = op_type_of(json_string_value(json_object_get(rec, "op")));
	int k = kind ? kind_by_url(kind) : -1;
	struct diag d;
	struct jdec j;
	int rc = 0;

	if (type < 0 || k < 0 || !json_is_array(entries) || !json_is_array(at) ||
	    json_array_size(entries) != json_array_size(at)) {
		errf(err, errlen, "a record that is not a change of a known kind");
		return -EINVAL;
	}
	diag_init(&d, NULL);
	jdec_init(&j, &d);
	for (size_t i = 0; i < json_array_size(entries) && rc == 0; i++) {
		struct op *o = VEC_PUSH(dl->ops, dl->n, dl->cap);
		const json_t *pos = json_array_get(at, i);
		json_int_t p = json_is_integer(pos) ? json_integer_value(pos) : -1;

		if (o == NULL) {
			rc = -ENOMEM;
			break;
		}
		*o = (struct op){
		        .type = (enum op_type)type, .k = (enum cfg_kind)k, .at = (size_t)p};
		if (kinds[k].dec(&j, json_array_get(entries, i), o->e) < 0 || d.errors || p < 0) {
			if (d.n)
				diag_format(&d, &d.v[0], err, errlen);
			else
				errf(err, errlen, "a %s entry without a position", kinds[k].url);
			rc = -EINVAL;
		}
	}
	diag_free(&d);
	return rc;
}

/* The records of the delta file at path, for base -> gen, as ops. */
static int parse(const char *path, uint64_t base, uint64_t gen, struct delta *dl, char *err,
                 size_t errlen)
{
	char *buf = NULL, *p, *nl, *end;
	uint64_t expect = base + 1;
	size_t len;
	int rc = 0;

	if (read_file(path, &buf, &len) < 0) {
		rc = -errno;
		errf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	p = buf + strlen(CTL_DELTA_MAGIC);
	if (len < strlen(CTL_DELTA_MAGIC) ||
	    strncmp(buf, CTL_DELTA_MAGIC, strlen(CTL_DELTA_MAGIC)) != 0 ||
	    strtoull(p, &end, 10) != base || *end != ' ' || strtoull(end + 1, &end, 10) != gen ||
	    *end != '\n') {
		errf(err, errlen, "%s: not the delta from %" PRIu64 " to %" PRIu64, path, base,
		     gen);
		free(buf);
		return -EINVAL;
	}
	for (p = end + 1; rc == 0 && p < buf + len; p = nl + 1, expect++) {
		json_t *rec;

		nl = memchr(p, '\n', (size_t)(buf + len - p));
		rec = nl ? json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, NULL) : NULL;
		if (rec == NULL ||
		    (uint64_t)json_integer_value(json_object_get(rec, "generation")) != expect) {
			errf(err, errlen,
			     "%s: record of generation %" PRIu64 ": damaged or missing", path,
			     expect);
			rc = -EINVAL;
		} else {
			rc = parse_record(dl, rec, err, errlen);
		}
		json_decref(rec);
	}
	if (rc == 0 && expect != gen + 1) {
		errf(err, errlen, "%s: records up to %" PRIu64 " of %" PRIu64, path, expect - 1,
		     gen);
		rc = -EINVAL;
	}
	free(buf);
	return rc;
}

/* An undo entry, in room made before (one per op). */
static void keep_undo(struct delta *dl, const struct op *o, size_t elem, const void *was,
                      const void *moved)
{
	struct undo *u = &dl->undo[dl->n_undo++];

	u->type = o->type;
	u->k = o->k;
	u->at = o->at;
	if (was)
		memcpy(u->was, was, elem);
	if (moved)
		memcpy(u->moved, moved, elem);
}

/* One op on the model m, where the record says: 0 or -EINVAL. */
static int model_op(struct delta *dl, struct aftr_config *m, const struct op *o, char *err,
                    size_t errlen)
{
	const struct kind *kd = &kinds[o->k];
	struct kind_list l = kind_list(kd, m);
	void *slot;

	if (o->type == OP_ADD) {
		if (o->at != *l.n || (slot = vec_push(l.v, l.n, l.cap, kd->elem)) == NULL)
			goto misplaced;
		memcpy(slot, o->e, kd->elem);
		keep_undo(dl, o, kd->elem, NULL, NULL);
		return 0;
	}
	if (o->at >= *l.n || !kd->eq(kind_at(kd, m, o->at), o->e))
		goto misplaced;
	if (o->type == OP_REP) {
		keep_undo(dl, o, kd->elem, kind_at(kd, m, o->at), NULL);
		memcpy(kind_at(kd, m, o->at), o->e, kd->elem);
		return 0;
	}
	/* A deletion: the last entry takes its place, as the control
	 * process's list did. */
	keep_undo(dl, o, kd->elem, kind_at(kd, m, o->at), kind_at(kd, m, *l.n - 1));
	memcpy(kind_at(kd, m, o->at), kind_at(kd, m, *l.n - 1), kd->elem);
	(*l.n)--;
	return 0;
misplaced:
	errf(err, errlen, "a %s entry is not where the delta says (position %zu of %zu)", kd->url,
	     o->at, *l.n);
	return -EINVAL;
}

/* The model's lists as they were before the delta's changes. */
static void undo_all(struct delta *dl, struct aftr_config *m)
{
	for (size_t i = dl->n_undo; i-- > 0;) {
		const struct undo *u = &dl->undo[i];
		const struct kind *kd = &kinds[u->k];
		struct kind_list l = kind_list(kd, m);

		if (u->type == OP_ADD) {
			(*l.n)--;
		} else if (u->type == OP_REP) {
			memcpy(kind_at(kd, m, u->at), u->was, kd->elem);
		} else {
			/* The deleted entry's slot was kept (the list's room). */
			(*l.n)++;
			memcpy(kind_at(kd, m, *l.n - 1), u->moved, kd->elem);
			memcpy(kind_at(kd, m, u->at), u->was, kd->elem);
		}
	}
	dl->n_undo = 0;
}

/* Whether the changes fit the running set in place. */
static bool fits(const struct tables *t, const struct delta *dl)
{
	size_t n_new = 0;

	for (size_t i = 0; i < dl->n; i++)
		n_new += dl->ops[i].type != OP_DEL;
	for (size_t i = 0; i < dl->n; i++) {
		const struct op *o = &dl->ops[i];
		const struct cfg_softwire *was = (const void *)dl->undo[i].was;

		if (!tables_edit_kind(o->k))
			return false;
		if (o->type != OP_DEL && !tables_edit_fits(t, o->k, o->e, n_new))
			return false;
		if (o->type == OP_REP && o->k == K_SOFTWIRE &&
		    !addr6_equal(&was->b4, &((const struct cfg_softwire *)(const void *)o->e)->b4))
			return false;
	}
	return true;
}

/* The running set changed as the ops say: 0, or the first refusal (the
 * set is then partly changed: the caller builds a new one). */
static int edit_live(struct tables *t, const struct delta *dl)
{
	int rc = 0;

	for (size_t i = 0; i < dl->n && rc == 0; i++) {
		const struct op *o = &dl->ops[i];

		if (o->type == OP_ADD)
			rc = tables_edit_add(t, o->k, o->e);
		else if (o->type == OP_DEL)
			rc = tables_edit_del(t, o->k, dl->undo[i].was);
		else
			rc = tables_edit_replace(t, o->k, dl->undo[i].was, o->e);
	}
	return rc;
}

/* A new set from the model m (copied), the delta in it. */
static int rebuild(const struct aftr_config *m, uint64_t gen, char *err, size_t errlen)
{
	struct aftr_config copy;
	int rc;

	if (cfg_copy(&copy, m) < 0) {
		errf(err, errlen, "out of memory for the new tables");
		return -ENOMEM;
	}
	if ((rc = gen_publish(&copy, gen, err, errlen)) == -ENOMEM)
		errf(err, errlen, "out of memory for the new tables");
	return rc;
}

/* The model is the running set's own (the workers read only the set's
 * slots and indexes, never its lists), changed in place, undone if need
 * be; then the set itself in place, or a new one from the model. */
static int apply(struct tables *t, struct delta *dl, uint64_t gen, bool *in_place, char *err,
                 size_t errlen)
{
	bool edited = false;
	int rc = 0;

	dl->undo = malloc((dl->n + 1) * sizeof(*dl->undo));
	if (dl->undo == NULL) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < dl->n && rc == 0; i++)
		rc = model_op(dl, &t->cfg, &dl->ops[i], err, errlen);
	if (rc < 0) {
		undo_all(dl, &t->cfg);
		return rc;
	}
	if (fits(t, dl)) {
		edited = true;
		if (edit_live(t, dl) == 0) {
			t->gen = gen;
			*in_place = true;
			return 0;
		}
	}
	/* Not changed, or partly: a new set either way. */
	rc = rebuild(&t->cfg, gen, err, errlen);
	if (rc < 0 && !edited)
		undo_all(dl, &t->cfg); /* still base, whole */
	else if (rc < 0)
		t->gen = 0; /* neither base nor gen: the next delta is refused */
	return rc;
}

int delta_apply(const char *path, uint64_t base, uint64_t gen, bool *in_place, char *err,
                size_t errlen)
{
	struct tables *t = atomic_load_explicit(&dp.tab, memory_order_acquire);
	struct delta dl = {0};
	int rc;

	*in_place = false;
	if (t == NULL || t->gen != base) {
		errf(err, errlen, "runs generation %" PRIu64 ", not %" PRIu64, t ? t->gen : 0,
		     base);
		return -ESTALE;
	}
	rc = parse(path, base, gen, &dl, err, errlen);
	if (rc == 0)
		rc = apply(t, &dl, gen, in_place, err, errlen);
	free(dl.ops);
	free(dl.undo);
	return rc;
}
