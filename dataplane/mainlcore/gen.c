/* Generations of the live tables; see gen.h.
 *
 * The tables file (written by aftr-control, read here; lib/shm/ctl_msg.h)
 * is one header line, the configuration but its lists as JSON
 * (lib/config/config_json.h), then the lists in binary (cfg_bin.h). Only the live lists may differ
 * from the running configuration (cfg_fixed_diff): pools, interfaces and defaults need a restart,
 * and a file that changes them is refused as a whole. */
#include "gen.h"
#include "nat.h"
#include "pools_live.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_bin.h"
#include "config_json.h"
#include "ctl_msg.h"
#include "filter.h"
#include "tables.h"
#include "util.h"

static struct rte_rcu_qsbr *qsv;

/* Filters the same as the running set's keep its number (their counters
 * go on); others get a new one (each worker starts its counters over). */
static void number_filters(struct tables *t)
{
	static uint32_t serial;
	const struct tables *cur = atomic_load_explicit(&dp.tab, memory_order_acquire);

	t->filters_serial = cur && tables_filters_equal(cur, t) ? cur->filters_serial : ++serial;
}

int gen_publish(struct aftr_config *cfg, uint64_t gen, char *err, size_t errlen)
{
	struct tables *t = calloc(1, sizeof(*t)), *old;
	int rc;

	if (t == NULL) {
		cfg_free(cfg);
		return -ENOMEM;
	}
	rc = tables_build(t, cfg, gen);
	if (rc < 0) {
		if (rc == -E2BIG)
			errf(err, errlen, "more B4 entries than one index holds (2^30)");
		free(t);
		return rc;
	}
	if (!filter_fits(t, err, errlen)) {
		tables_free(t);
		free(t);
		return -E2BIG;
	}
	number_filters(t);
	old = atomic_exchange_explicit(&dp.tab, t, memory_order_acq_rel);
	if (old == NULL) {
		malloc_trim(0);
		return 0;
	}
	gen_synchronize();
	tables_free(old);
	free(old);
	malloc_trim(0); /* the parser's and the old set's memory back to the system */
	return 0;
}

/* The configuration the dataplane started with: a new generation's fixed
 * part must be the same. */
static const struct aftr_config *started;

int gen_init(const struct aftr_config *cfg)
{
	size_t sz = rte_rcu_qsbr_get_memsize(dp.nworkers);
	struct aftr_config copy;

	qsv = rte_zmalloc("qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsv == NULL || rte_rcu_qsbr_init(qsv, dp.nworkers) != 0)
		return -ENOMEM;
	if (cfg_copy(&copy, cfg) < 0)
		return -ENOMEM;
	started = cfg;
	return gen_publish(&copy, 0, NULL, 0);
}

void gen_fini(void)
{
	struct tables *t = atomic_exchange(&dp.tab, NULL);

	if (t) {
		tables_free(t);
		free(t);
	}
	rte_free(qsv);
	qsv = NULL;
}

/* The header line of a tables file: its JSON's length, or -1. */
static long header(const char *buf, size_t len, uint64_t gen, uint64_t *origin, const char **json)
{
	const char *p = buf + strlen(CTL_TABLES_MAGIC);
	char *end;
	unsigned long long jlen;

	if (len < strlen(CTL_TABLES_MAGIC) || memchr(buf, '\n', len) == NULL ||
	    strncmp(buf, CTL_TABLES_MAGIC, strlen(CTL_TABLES_MAGIC)) != 0 ||
	    strtoull(p, &end, 10) != gen || *end != ' ')
		return -1;
	p = end + 1;
	*origin = strtoull(p, &end, 16);
	if (end != p + 16 || *end != ' ')
		return -1;
	jlen = strtoull(end + 1, &end, 10);
	if (*end != '\n' || jlen > len - (size_t)(end + 1 - buf))
		return -1;
	*json = end + 1;
	return (long)jlen;
}

/* The configuration of a tables file, checked whole. */
static int load(const char *path, uint64_t gen, uint64_t *origin, struct aftr_config *cfg,
                char *err, size_t errlen)
{
	char *buf = NULL;
	const char *json = NULL;
	size_t len;
	long jlen;
	struct diag d;
	struct jdec j;
	json_error_t je;
	json_t *root;
	int rc = -EINVAL;

	if (read_file(path, &buf, &len) < 0) {
		rc = -errno;
		errf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if ((jlen = header(buf, len, gen, origin, &json)) < 0) {
		errf(err, errlen, "%s: not the tables of generation %" PRIu64, path, gen);
		free(buf);
		return -EINVAL;
	}
	root = json_loadb(json, (size_t)jlen, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		errf(err, errlen, "%s: line %d: %s", path, je.line + 1, je.text);
		free(buf);
		return -EINVAL;
	}
	diag_init(&d, path);
	jdec_init(&j, &d);
	if (cfg_init(cfg) < 0) {
		json_decref(root);
		diag_free(&d);
		free(buf);
		return -ENOMEM;
	}
	if (cfg_from_json(cfg, root, &j) < 0) {
		if (d.n)
			diag_format(&d, &d.v[0], err, errlen);
		else
			errf(err, errlen, "%s: invalid", path);
	} else if ((rc = cfg_bin_decode(json + jlen, len - (size_t)(json + jlen - buf), cfg, err,
	                                errlen)) < 0) {
		/* err says why */
	} else if (cfg_validate(cfg, &d) == 0) {
		rc = 0;
	} else {
		rc = -EINVAL;
		diag_format(&d, &d.v[0], err, errlen);
	}
	json_decref(root);
	diag_free(&d);
	free(buf);
	if (rc < 0)
		cfg_free(cfg);
	return rc;
}

static double ms_since(uint64_t t0)
{
	return (double)(rte_rdtsc() - t0) * 1e3 / (double)rte_get_tsc_hz();
}

int gen_apply_file(const char *path, uint64_t gen, uint64_t *origin, char *err, size_t errlen,
                   char *note, size_t notelen)
{
	struct aftr_config cfg;
	uint64_t t0 = rte_rdtsc(), t1;
	double read_ms;
	char which[64], pools_note[96];
	struct dp_pool_index *old_index;
	int rc;

	if ((rc = load(path, gen, origin, &cfg, err, errlen)) < 0)
		return rc;
	rc = cfg_fixed_diff(&cfg, started, CFG_FIXED_POOLS, which, sizeof(which));
	if (rc != 0) {
		if (rc > 0)
			errf(err, errlen,
			     "%s differs from this dataplane's: restart the dataplane (or "
			     "aftr-control, if its configuration file changed since it started)",
			     which);
		cfg_free(&cfg);
		return rc > 0 ? -EINVAL : rc;
	}
	/* Pools added or removed: in place before the tables that name them. */
	if ((rc = pools_live_apply(&cfg, &old_index, pools_note, sizeof(pools_note), err, errlen)) <
	    0) {
		cfg_free(&cfg);
		return rc;
	}
	if (old_index) {
		gen_synchronize();
		nat_pool_index_free(old_index);
	}
	read_ms = ms_since(t0);
	t1 = rte_rdtsc();
	if ((rc = gen_publish(&cfg, gen, err, errlen)) == -ENOMEM)
		errf(err, errlen, "out of memory for the new tables");
	if (rc < 0)
		pools_live_undo(); /* the running tables keep the running pools */
	if (rc == 0)
		errf(note, notelen,
		     "read and checked in %.0f ms, built and published in %.0f ms%s%s", read_ms,
		     ms_since(t1), pools_note[0] ? "; " : "", pools_note);
	return rc;
}

void gen_synchronize(void)
{
	/* Every worker passes a quiescent state within one loop (microseconds). */
	if (qsv)
		rte_rcu_qsbr_synchronize(qsv, RTE_QSBR_THRID_INVALID);
}

void gen_reader_start(struct dp_worker *w)
{
	rte_rcu_qsbr_thread_register(qsv, w->id);
	rte_rcu_qsbr_thread_online(qsv, w->id);
}

void gen_reader_stop(struct dp_worker *w)
{
	rte_rcu_qsbr_thread_offline(qsv, w->id);
	rte_rcu_qsbr_thread_unregister(qsv, w->id);
}

void gen_loop_end(struct dp_worker *w)
{
	rte_rcu_qsbr_quiescent(qsv, w->id);
}
