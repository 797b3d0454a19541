/* A worker's fragment state: the reassembly tables (reasm.c), the
 * fragments each tunnel has in them (reasm_tunnel.c), and the
 * identification of the IPv6 fragments it makes (toobig.c). Embedded in
 * the worker (dp_worker.frag), written and read by that worker only:
 * reassembly at the B4's owner for fragments from B4s, at the worker that
 * received them for IPv4 fragments from the Internet (reasm.h). Memory is
 * fixed at start (reasm_init). */
#ifndef AFTR_FRAG_STATE_H
#define AFTR_FRAG_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct rte_hash;
struct rte_ip_frag_tbl;
struct rte_ip_frag_death_row;

/* A reassembly table and the fragments it gave up, to free (reasm.c). */
#define DP_REASM_N 3
struct dp_reasm {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row *dr;
	bool off;     /* maxcount 0: reassembly disabled, fragments dropped */
	uint32_t cap; /* fragments it may hold at once (REASM_FRAGS_PER_PACKET a packet) */
};

/* Fragments a reassembly table may hold, per packet it may reassemble at
 * once (fragment.*_maxcount): two on average, though one packet may have
 * up to eight. The packet buffers are sized for them (dataplane/app/app.c),
 * so that held fragments can never starve RX. */
#define REASM_FRAGS_PER_PACKET 2

struct frag_state {
	/* Reassembly (reasm.c): IPv6 from B4s, IPv4 from the Internet, IPv4
	 * from B4s. */
	struct dp_reasm reasm[DP_REASM_N];
	/* Fragments held per tunnel (reasm_tunnel.c): B4 -> slot, and the
	 * slot's IPv6 and IPv4 counts. */
	struct rte_hash *tn;
	uint16_t (*tn_held)[2];
	uint32_t id; /* IPv6 fragment identification (toobig.c) */
};

#endif
