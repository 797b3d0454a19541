/* Per-tunnel fragment counts; see reasm_tunnel.h. A B4 is in the table
 * while it has fragments held: its slot (the hash's key position) holds a
 * count per family, and each held fragment carries the slot in
 * m->hash.usr, which DPDK's ip_frag library leaves alone, so that a
 * fragment given up (timed out, overlapping) can be released. */
#include "reasm_tunnel.h"

#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdio.h>
#include <string.h>

#include "crc.h"

/* Slack over the reassembly tables' entries: fragments given up wait in
 * the death rows until the end of the loop. */
#define SLACK 256

int reasm_tn_init(struct dp_worker *w)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
	        .name = name,
	        .entries = (uint32_t)dp.conf.cfg->frag_maxcount[0] + dp.conf.cfg->frag_maxcount[1] +
	                   SLACK,
	        .key_len = sizeof(struct addr6),
	        .hash_func = dp_crc,
	        .socket_id = (int)rte_socket_id(),
	        .extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE, /* never full below .entries */
	};

	snprintf(name, sizeof(name), "fragtn%u", w->id);
	w->frag_tn = rte_hash_create(&p);
	if (w->frag_tn == NULL)
		return -ENOMEM;
	w->frag_tn_held = rte_zmalloc(
	        "fragtn", sizeof(*w->frag_tn_held) * (rte_hash_max_key_id(w->frag_tn) + 1u), 0);
	return w->frag_tn_held ? 0 : -ENOMEM;
}

void reasm_tn_fini(struct dp_worker *w)
{
	rte_hash_free(w->frag_tn);
	rte_free(w->frag_tn_held);
	w->frag_tn = NULL;
	w->frag_tn_held = NULL;
}

bool reasm_tn_hold(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4, int fam)
{
	const struct cfg_tunnel_defaults *d = dp_tun_defaults();
	uint16_t max = fam == REASM_TN_IP6 ? d->frag6_maxcount : d->frag4_maxcount;
	int32_t pos = rte_hash_add_key(w->frag_tn, b4);

	if (pos < 0)
		return false;
	if (w->frag_tn_held[pos][fam] + m->nb_segs > max) {
		if (w->frag_tn_held[pos][0] == 0 && w->frag_tn_held[pos][1] == 0)
			rte_hash_del_key(w->frag_tn, b4); /* added just now */
		return false;
	}
	w->frag_tn_held[pos][fam] += m->nb_segs;
	m->hash.usr = (uint32_t)pos;
	return true;
}

void reasm_tn_release(struct dp_worker *w, const struct rte_mbuf *m, int fam)
{
	uint16_t *held = w->frag_tn_held[m->hash.usr];
	struct addr6 b4;
	void *key;

	/* A chain the library built and then gave up is counted in its
	 * parts as well: never below zero. */
	held[fam] = held[fam] > m->nb_segs ? (uint16_t)(held[fam] - m->nb_segs) : 0;
	if (held[0] || held[1] ||
	    rte_hash_get_key_with_position(w->frag_tn, (int32_t)m->hash.usr, &key) < 0)
		return;
	memcpy(b4.b, key, sizeof(b4.b));
	rte_hash_del_key(w->frag_tn, &b4);
}
