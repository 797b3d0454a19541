/* Per-interface filters; see filter.h. */
#include "filter.h"

#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"

static char names[FILTER_COUNTERS_MAX][48];
static unsigned int n_names;

static struct dp_filter_rule compile(const struct cfg_filter_rule *r)
{
	struct dp_filter_rule f = {.proto = (int16_t)(r->proto < 0 ? -1 : cfg_proto_ip(r->proto)),
	                           .accept = r->action == FILTER_ACT_ACCEPT,
	                           .sport_hi = 65535,
	                           .dport_hi = 65535};

	if (r->has_src) {
		f.src_mask = prefix4_mask(r->src.len);
		f.src = r->src.addr & f.src_mask;
	}
	if (r->has_dst) {
		f.dst_mask = prefix4_mask(r->dst.len);
		f.dst = r->dst.addr & f.dst_mask;
	}
	for (int i = 0; r->has_b4 && i < 2; i++) {
		unsigned int len = r->b4.len > 64 * i ? r->b4.len - 64 * i : 0;
		uint64_t a;

		memcpy(&a, r->b4.addr.b + 8 * i, 8);
		f.b4_mask[i] = len >= 64 ? ~0ull : len ? ~0ull << (64 - len) : 0;
		f.b4_net[i] = be64toh(a) & f.b4_mask[i];
	}
	if (r->has_sport) {
		f.sport_lo = r->sport.min;
		f.sport_hi = r->sport.max;
	}
	if (r->has_dport) {
		f.dport_lo = r->dport.min;
		f.dport_hi = r->dport.max;
	}
	f.ports = r->has_sport || r->has_dport;
	return f;
}

int filter_init(const struct cfg_fixed *cfg)
{
	n_names = 0;
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++) {
			const struct cfg_filter_list *l = &cfg->filters[i][k];
			struct dp_filter *f = &dp.conf.filters[i][k];

			f->n = (uint16_t)l->n;
			f->first = (uint16_t)n_names;
			f->rules = l->n ? calloc(l->n, sizeof(*f->rules)) : NULL;
			if (l->n && f->rules == NULL)
				return -ENOMEM;
			for (size_t r = 0; r < l->n && n_names < FILTER_COUNTERS_MAX; r++) {
				f->rules[r] = compile(&l->v[r]);
				snprintf(names[n_names++], sizeof(names[0]), "filter_%s_%s_%zu",
				         cfg_side_names[i], cfg_dir_names[k], r);
			}
		}
	return 0;
}

void filter_fini(void)
{
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++) {
			free(dp.conf.filters[i][k].rules);
			dp.conf.filters[i][k] = (struct dp_filter){0};
		}
}

unsigned int filter_counter_names(const char **out)
{
	for (unsigned int i = 0; i < n_names; i++)
		out[i] = names[i];
	return n_names;
}

/* Whether rule r matches: every key it has. Ports only of a TCP or UDP
 * packet that holds them (a later fragment does not). */
static bool match(const struct dp_filter_rule *r, const struct dp_ctx *c,
                  const struct l3_ip4_hdr *ip, uint64_t b4_0, uint64_t b4_1)
{
	const uint8_t *l4;
	uint16_t sp, dp_;

	if ((ntohl(ip->src) & r->src_mask) != r->src || (ntohl(ip->dst) & r->dst_mask) != r->dst ||
	    (r->proto >= 0 && ip->proto != r->proto) ||
	    ((b4_0 & r->b4_mask[0]) ^ r->b4_net[0]) | ((b4_1 & r->b4_mask[1]) ^ r->b4_net[1]))
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

bool filter_run(struct dp_worker *w, const struct dp_filter *f, const struct rte_mbuf *m)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	uint64_t b4_0, b4_1;

	memcpy(&b4_0, c->b4.b, 8);
	memcpy(&b4_1, c->b4.b + 8, 8);
	b4_0 = be64toh(b4_0);
	b4_1 = be64toh(b4_1);
	for (uint16_t i = 0; i < f->n; i++) {
		if (!match(&f->rules[i], c, ip, b4_0, b4_1))
			continue;
		w->ctr->filter[f->first + i]++;
		return f->rules[i].accept;
	}
	return true;
}
