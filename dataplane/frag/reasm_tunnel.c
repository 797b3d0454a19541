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

int reasm_tn_init(struct frag_state *f, unsigned int worker)
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

	snprintf(name, sizeof(name), "fragtn%u", worker);
	f->tn = rte_hash_create(&p);
	if (f->tn == NULL)
		return -ENOMEM;
	f->tn_held =
	        rte_zmalloc("fragtn", sizeof(*f->tn_held) * (rte_hash_max_key_id(f->tn) + 1u), 0);
	return f->tn_held ? 0 : -ENOMEM;
}

void reasm_tn_fini(struct frag_state *f)
{
	rte_hash_free(f->tn);
	rte_free(f->tn_held);
	f->tn = NULL;
	f->tn_held = NULL;
}

bool reasm_tn_hold(struct frag_state *f, struct rte_mbuf *m, const struct addr6 *b4, int fam)
{
	const struct cfg_tunnel_defaults *d = dp_tun_defaults();
	uint16_t max = fam == REASM_TN_IP6 ? d->frag6_maxcount : d->frag4_maxcount;
	int32_t pos = rte_hash_add_key(f->tn, b4);

	if (pos < 0)
		return false;
	if (f->tn_held[pos][fam] + m->nb_segs > max) {
		if (f->tn_held[pos][0] == 0 && f->tn_held[pos][1] == 0)
			rte_hash_del_key(f->tn, b4); /* added just now */
		return false;
	}
	f->tn_held[pos][fam] += m->nb_segs;
	m->hash.usr = (uint32_t)pos;
	return true;
}

void reasm_tn_release(struct frag_state *f, const struct rte_mbuf *m, int fam)
{
	uint16_t *held = f->tn_held[m->hash.usr];
	struct addr6 b4;
	void *key;

	/* A chain the library built and then gave up is counted in its
	 * parts as well: never below zero. */
	held[fam] = held[fam] > m->nb_segs ? (uint16_t)(held[fam] - m->nb_segs) : 0;
	if (held[0] || held[1] ||
	    rte_hash_get_key_with_position(f->tn, (int32_t)m->hash.usr, &key) < 0)
		return;
	memcpy(b4.b, key, sizeof(b4.b));
	rte_hash_del_key(f->tn, &b4);
}
