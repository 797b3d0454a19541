/* Per-interface filters; see filter.h. */
#include "filter.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "util.h"

static char names[FILTER_COUNTERS_MAX][48];
static unsigned int n_names;

void filter_init(const struct aftr_config *cfg)
{
	n_names = 0;
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++) {
			size_t n = RTE_MAX(cfg->lists.filters[i][k].n, (size_t)FILTER_SLOTS_MIN);

			n = RTE_MIN(n, (size_t)CFG_FILTER_RULES_MAX);
			dp.conf.filter_first[i][k] = (uint16_t)n_names;
			dp.conf.filter_slots[i][k] = (uint16_t)n;
			for (size_t r = 0; r < n; r++)
				snprintf(names[n_names++], sizeof(names[0]), "filter_%s_%s_%zu",
				         cfg_side_names[i], cfg_dir_names[k], r);
		}
}

unsigned int filter_counter_names(const char **out)
{
	for (unsigned int i = 0; i < n_names; i++)
		out[i] = names[i];
	return n_names;
}

bool filter_fits(const struct tables *t, char *err, size_t errlen)
{
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++)
			if (t->filters[i][k].n > dp.conf.filter_slots[i][k]) {
				errf(err, errlen,
				     "filters.%s.%s: %u rules, more than the %u counters the "
				     "dataplane made for it at start: restart it to have more",
				     cfg_side_names[i], cfg_dir_names[k], t->filters[i][k].n,
				     dp.conf.filter_slots[i][k]);
				return false;
			}
	return true;
}

void filter_restart(struct dp_worker *w)
{
	memset(w->ctr->filter, 0, n_names * sizeof(w->ctr->filter[0]));
	w->filters_serial = w->tab->filters_serial;
}

/* Whether rule r matches: every key it has. Ports only of a TCP or UDP
 * packet that holds them (a later fragment does not). */
static bool match(const struct tables_filter_rule *r, const struct dp_ctx *c,
                  const struct l3_ip4_hdr *ip, const uint64_t b4[2])
{
	const uint8_t *l4;
	uint16_t sp, dp_;

	if ((ntohl(ip->src) & r->src_mask) != r->src || (ntohl(ip->dst) & r->dst_mask) != r->dst ||
	    (r->proto >= 0 && ip->proto != r->proto) || !tables_net6_has(&r->b4, b4))
		return false;
	if (!r->ports)
		return true;
	if ((ip->proto != IPPROTO_TCP && ip->proto != IPPROTO_UDP) || c->l4_len < 4 ||
	    (ip->frag_off & htons(AFTR_IP4_OFF_MASK)))
		return false;
	l4 = (const uint8_t *)ip + (c->l4 - c->l3);
	sp = (uint16_t)(l4[0] << 8 | l4[1]);
	dp_ = (uint16_t)(l4[2] << 8 | l4[3]);
	return sp >= r->sport_lo && sp <= r->sport_hi && dp_ >= r->dport_lo && dp_ <= r->dport_hi;
}

bool filter_run(struct dp_worker *w, unsigned int side, unsigned int dir, const struct rte_mbuf *m)
{
	const struct tables_filter *f = &w->tab->filters[side][dir];
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	uint64_t b4[2];

	tables_addr6_words(&c->b4, b4);
	for (uint16_t i = 0; i < f->n; i++) {
		if (!match(&f->rules[i], c, ip, b4))
			continue;
		w->ctr->filter[dp.conf.filter_first[side][dir] + i]++;
		return f->rules[i].accept;
	}
	return true;
}
