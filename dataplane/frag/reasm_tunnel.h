/* Fragments waiting for reassembly, counted per tunnel (ISC "default
 * tunnel fragment ipv6|ipv4 maxcount"): one B4 cannot fill the worker's
 * reassembly tables (reasm.c) for everyone. Counted: IPv6 fragments from
 * the B4 and IPv4 fragments inside its softwire; IPv4 fragments from the
 * Internet are reassembled before their tunnel is known, under the global
 * "fragment out maxcount" only. One table per worker, sized at start. */
#ifndef AFTR_REASM_TUNNEL_H
#define AFTR_REASM_TUNNEL_H

#include <rte_mbuf.h>

#include "dp.h"

enum { REASM_TN_IP6, REASM_TN_IP4 };

/* The worker's table (frag_state.h: tn and tn_held), named after the
 * worker: 0 or -ENOMEM. */
int reasm_tn_init(struct frag_state *f, unsigned int worker);
void reasm_tn_fini(struct frag_state *f);

/* A fragment of b4's about to be held: false (m untouched) when the
 * tunnel has its maxcount of that family held already (a maxcount of 0
 * takes none) or the table is full; else counted, and m remembers its
 * tunnel (m->hash.usr). */
bool reasm_tn_hold(struct frag_state *f, struct rte_mbuf *m, const struct addr6 *b4, int fam);

/* m (a reassembled chain, or a fragment given up) no longer held. */
void reasm_tn_release(struct frag_state *f, const struct rte_mbuf *m, int fam);

#endif
