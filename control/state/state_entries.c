/* The desired state's entries (state.h): decoded from the API's JSON,
 * and the effective configuration built and checked whole (at start and
 * at reload), with the API's errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"
#include "state_int.h"
#include "cfg_kinds.h"
#include "util.h"

void state_err_set(struct state_err *e, unsigned int status, const char *error, const char *field,
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

int state_first_error(const struct diag *d, struct state_err *e)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level != DIAG_ERROR)
			continue;
		state_err_set(e, d->v[i].conflict ? 409 : 422,
		              d->v[i].conflict ? "conflict" : "invalid", d->v[i].path, "%s",
		              d->v[i].msg);
		return -1;
	}
	state_err_set(e, 422, "invalid", NULL, "the configuration does not validate");
	return -1;
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

int state_empty_lists(struct aftr_config *cfg, struct state_err *e)
{
	memset(cfg, 0, sizeof(*cfg));
	if (empty_lists(cfg) == 0)
		return 0;
	cfg_free(cfg);
	state_err_set(e, 500, "internal error", NULL, "out of memory");
	return -1;
}

/* Appends the entries of kind k of src to dst. */
static int append(struct aftr_config *dst, enum cfg_kind k, const struct aftr_config *src)
{
	const struct kind *kd = &kinds[k];
	struct kind_list d = kind_list(kd, dst);
	size_t n = *kind_list(kd, src).n;

	if (vec_reserve(d.v, d.cap, *d.n + n, kd->elem) < 0) /* one allocation for a million */
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		void *slot = vec_push(d.v, d.n, d.cap, kd->elem);

		if (slot == NULL)
			return -ENOMEM;
		memcpy(slot, kind_at(kd, src, i), kd->elem);
	}
	return 0;
}

int state_build_eff(const struct aftr_config *base, const struct aftr_config *rt,
                    struct aftr_config *eff, size_t n_base[K_COUNT], struct state_err *e)
{
	struct diag d;
	int rc = 0;

	if (cfg_copy(eff, base) < 0) {
		state_err_set(e, 500, "internal error", NULL, "out of memory");
		return -1;
	}
	for (int k = 0; k < K_COUNT; k++) {
		n_base[k] = *kind_list(&kinds[k], eff).n;
		if (append(eff, k, rt) < 0) {
			state_err_set(e, 500, "internal error", NULL, "out of memory");
			cfg_free(eff);
			return -1;
		}
	}
	diag_init(&d, NULL);
	if (cfg_validate(eff, &d) > 0)
		rc = state_first_error(&d, e);
	diag_free(&d);
	/* Room for an eighth more of each list: the first changes after a
	 * load of a million do not copy the list (tens of milliseconds). */
	for (int k = 0; rc == 0 && k < K_COUNT; k++) {
		struct kind_list l = kind_list(&kinds[k], eff);

		if (vec_reserve(l.v, l.cap, *l.n + *l.n / 8 + 16, kinds[k].elem) < 0) {
			state_err_set(e, 500, "internal error", NULL, "out of memory");
			rc = -1;
		}
	}
	if (rc < 0)
		cfg_free(eff);
	return rc;
}

int state_decode(const struct kind *kd, const json_t *body, struct aftr_config *scratch,
                 struct state_err *e)
{
	struct kind_list l = kind_list(kd, scratch);
	bool many = json_is_array(body);
	size_t n = many ? json_array_size(body) : 1;
	struct diag d;
	struct jdec j;
	int rc = 0;

	if (!many && !json_is_object(body)) {
		state_err_set(e, 400, "bad request", NULL,
		              "send a JSON object (or an array of them)");
		return -1;
	}
	diag_init(&d, NULL);
	jdec_init(&j, &d);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *it = many ? json_array_get(body, i) : body;
		size_t mark = many ? jdec_push_index(&j, i) : 0;
		void *slot = vec_push(l.v, l.n, l.cap, kd->elem);

		if (slot == NULL) {
			state_err_set(e, 500, "internal error", NULL, "out of memory");
			rc = -1;
		} else if (kd->dec(&j, it, slot) < 0 || d.errors) {
			rc = state_first_error(&d, e);
			e->status = 422;
			snprintf(e->error, sizeof(e->error), "invalid");
		}
		if (many)
			jdec_pop(&j, mark);
	}
	diag_free(&d);
	if (rc == 0 && *l.n == 0) {
		state_err_set(e, 422, "invalid", NULL, "the array is empty");
		rc = -1;
	}
	return rc;
}
