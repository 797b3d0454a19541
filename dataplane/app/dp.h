/* The dataplane's shared types: the runtime configuration every lcore
 * reads, the ports, and each worker's state.
 *
 * Threads: the main lcore sets everything up, then runs the slow path
 * (ARP, ND, ping, neighbour resolution; mainlcore/slowpath.c) and housekeeping. Each
 * worker lcore runs worker.c's loop over its own queues and tables. Fields
 * written by one thread and read by another say so. */
#ifndef AFTR_DP_H
#define AFTR_DP_H

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "determ.h"
#include "counters.h"
#include "frag_state.h"
#include "icmp_bucket.h"
#include "nat_state.h"
#include "pmtu_state.h"
#include "b4drops_state.h"
#include "portblock.h"
#include "rss.h"
#include "sidx.h"
#include "tables.h"

#define DP_MAX_WORKERS    16
#define DP_BURST          32
#define DP_EMIT_MAX       64 /* packets made while one is processed (fragments, errors) */
#define DP_PORT_TRANSPORT 0
#define DP_PORT_WAN       1
/* An ICMP error's side (enum cfg_side) is the port its cause came in by. */
_Static_assert(DP_PORT_TRANSPORT == CFG_SIDE_TRANSPORT && DP_PORT_WAN == CFG_SIDE_WAN,
               "ports and ICMP policy sides");
#define DP_NPORTS 2
/* A frame's bytes beyond its IP packet: Ethernet and one 802.1Q tag. */
#define DP_FRAME_EXTRA (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

/* A logical interface (transport, WAN) and the DPDK port it is on. */
struct dp_port {
	uint16_t port_id;          /* DPDK port */
	struct rte_ether_addr mac; /* ours: the configured one, else the device's */
	uint16_t nb_rxq, nb_txq;
	uint16_t mtu;
	uint16_t vlan; /* 802.1Q VLAN id of its frames; 0: untagged */
	bool shared;   /* on the other interface's device (one-port mode): not polled apart */
};

/* One pool address, as the packet path sees it: read-only after start.
 * range[proto] is the layout of its port blocks (their first port, size and
 * number, no block state): which worker owns a port. Each worker's own
 * allocation state is in that worker (nat_state.h: dp_worker.nat.pb). */
struct dp_pool {
	uint32_t addr;    /* host order */
	uint8_t draining; /* removed by a reload: no new subscriber (mainlcore/pools_live.c) */
	struct pb_space range[CFG_NPROTO];
};

/* Which pool an address is (nat_pool_index): the span of the pool
 * addresses, and a table over it or a hash. Built whole and published
 * with one pointer store when pools are added (mainlcore/pools_live.c),
 * the old one freed once no worker can hold it. */
struct dp_pool_index {
	uint32_t n;           /* the pools it indexes: the first n slots */
	uint32_t lo, hi;      /* the lowest and highest pool address, host order */
	struct lhash by_addr; /* pool address (host order) -> index */
	uint16_t *at;         /* or, for a narrow span: [addr - lo] -> index or NAT_POOL_NONE */
};

/* Read-only after start: what needs a restart to change (the live lists
 * are in the tables, gen.h). */
/* Which worker owns a B4 (nat.h nat_b4_owner): the RX queue the transport
 * NIC's RSS puts its softwire's packets on, queue i being worker i's, so
 * that they need no hand-off (DESIGN.md). port.c programs the NIC's key
 * (rss.h), its hash of the outer source alone where it can (else source
 * and destination, dst being the first endpoint's part) and its
 * indirection table; without RSS, the same function is a hash. */
#define DP_RETA_MAX 2048
struct dp_rss {
	struct rss_table src;      /* the outer source's part of the hash */
	uint32_t dst;              /* the first endpoint's, when the NIC hashes it, else 0 */
	uint32_t reta_mask;        /* the indirection table's entries - 1 */
	uint8_t reta[DP_RETA_MAX]; /* entry -> worker */
};

struct dp_conf {
	const struct cfg_fixed *cfg; /* the configuration's fixed part (live lists: tables) */
	/* The endpoint (BR) addresses: endpoint first, then endpoints; a
	 * packet's context names one by index (dp_ctx.ep). */
	struct addr6 endpoints[1 + CFG_ENDPOINTS_MAX];
	uint8_t n_endpoints;
	uint32_t icmp_source;        /* host order */
	struct addr6 transport_addr; /* our own address on the transport link */
	uint32_t wan_addr;           /* our own address on the WAN link */
	bool l2_demux;               /* a VLAN or one-port mode: frames sorted by tag (l2/rx.c) */
	bool fast;                   /* dataplane.fast_path: RX starts at the fast nodes (fast/) */
	bool has_gw[DP_NPORTS];      /* each port's gateway, as a neighbour key */
	struct addr6 gw[DP_NPORTS];
	/* The on-link tests of l2/l2_out.h, precomputed: the transport
	 * address's prefix as two words and masks in network order (a B4
	 * inside it is a neighbour), the WAN address's mask (host order). */
	uint64_t tr_net[2], tr_mask[2];
	uint32_t wan_mask;
	/* The pools: max_pools slots (nat.max_pools), n_pools of them in use
	 * (active or draining), n_active not draining. Slots below n_pools
	 * never change but for their draining flag; the main lcore fills a
	 * new one (and each worker's blocks of it) before it stores n_pools
	 * (release) and publishes pidx. */
	struct dp_pool *pools;
	uint32_t n_pools, n_active, max_pools;
	struct dp_pool_index *pidx;
	struct dp_rss rss;
	struct determ determ; /* nat.deterministic (off: determ.on false) */
	/* Each filter list's counters (filter.h): the first, how many. */
	uint16_t filter_first[CFG_NSIDES][CFG_NDIRS], filter_slots[CFG_NSIDES][CFG_NDIRS];
};

/* The index of an endpoint address in dp_conf.endpoints, or -1: the
 * first is asked first, the others only when there are any. */
static inline int dp_endpoint_index(const struct dp_conf *conf, const uint8_t a[16])
{
	if (memcmp(a, conf->endpoints[0].b, 16) == 0)
		return 0;
	for (int i = 1; i < conf->n_endpoints; i++)
		if (memcmp(a, conf->endpoints[i].b, 16) == 0)
			return i;
	return -1;
}

/* A neighbour (next hop) entry: written by the main lcore only, read by
 * workers. The MAC and the valid flag change together as one 64-bit store. */
struct dp_neigh {
	_Atomic uint64_t mac_valid; /* bit 63: valid; low 48 bits: MAC */
};

/* Counters of one lcore, in the shared counters region (stats_shm.h): written
 * by that lcore only, read by anyone (relaxed 64-bit loads). The layout is
 * the region's name table: counters, drops, then the ports' own statistics
 * (kept by the main lcore's block only). */
struct dp_counters {
	uint64_t cnt[CNT_COUNT];
	uint64_t drop[DROP_COUNT];
	uint64_t port[DP_NPORTS][PORT_STAT_COUNT];
	uint64_t filter[]; /* each filter rule's matches (filter.h) */
};

/* nat.c's look-ahead of a packet's NAPT session (nat.h): which index, the
 * hash of the key it computed, and the session it found. */
struct dp_nat_ahead {
	uint32_t hash;
	uint32_t val; /* after nat_ahead_get: the first session with the hash, or SIDX_NONE */
	uint8_t kind; /* 0: none, or DP_NAT_AHEAD_OUT (inside key), _IN (outside) */
};
#define DP_NAT_AHEAD_OUT 1
#define DP_NAT_AHEAD_IN  2

/* The look-ahead over the burst being processed (worker/ahead.c): for its packet
 * i, the lookup done before the packet's turn (when set[i]), and the NAPT
 * session prefetched (when nat and nat_at[i].kind); cur is the packet
 * being processed; n is 0 when nothing was looked ahead (a ring, between
 * bursts). */
struct dp_ahead {
	uint16_t n, cur;
	bool sl, nat; /* lookups were started in a[] (set[] is filled anyway), nat_at[] */
	bool set[DP_BURST];
	struct tables_ahead a[DP_BURST];
	struct dp_nat_ahead nat_at[DP_BURST];
};

struct dp_worker {
	unsigned int id; /* 0 .. nworkers - 1 */
	unsigned int lcore;
	uint16_t rxq[DP_NPORTS]; /* queue this worker polls, or UINT16_MAX */
	uint16_t txq[DP_NPORTS];
	struct rte_ring *handoff; /* packets other workers hand to this one (MP/SC) */
	/* Rings in the shared region: commands from the control process, and
	 * events to it (ctl_msg.h); this worker is their only consumer and
	 * producer respectively. */
	struct rte_ring *cmd_ring, *evt_ring;
	/* Finished frames to send on this worker's TX queues: from the main
	 * lcore, and from workers that have no TX queue of their own (MP/SC). */
	struct rte_ring *from_ctrl;
	/* NAPT subscribers, sessions, port blocks, held ports (nat_state.h). */
	struct nat_state nat;
	uint64_t now;    /* seconds since start, refreshed per loop */
	uint64_t now_ms; /* the wall clock at the loop's start (dp_wall_ms): event records */
	const struct tables *tab;               /* the live tables for this loop (gen.h) */
	uint32_t filters_serial;                /* of the filters its counters count (filter.h) */
	struct icmp_bucket icmp_rl[CFG_NSIDES]; /* ICMP errors' rate limits (icmp_bucket.h) */
	int32_t gw_slot[DP_NPORTS];             /* each gateway's neighbour slot + 1 (tx.c) */
	uint32_t pcp_tokens;                    /* PCP requests it may pass up this second */
	uint64_t pcp_second;                    /* the second they are for (w->now) */
	/* Reassembly, fragments held per tunnel, IPv6 fragment ids
	 * (frag_state.h). */
	struct frag_state frag;
	/* Softwire MTUs learned from packet too big (pmtu_state.h). */
	struct pmtu_state pmtu;
	/* Drops of the B4s that drop most (b4drops_state.h). */
	struct b4drops_state b4drops;
	struct rte_eth_dev_tx_buffer *txb[DP_NPORTS];
	struct dp_counters *ctr;
	struct dp_ahead ahead;
	/* The dispatcher's queues (worker/graph.c): packets nodes made, run
	 * after the current one, in order; packets for other workers, sent
	 * per burst. */
	uint16_t emit_head, n_emit;
	struct rte_mbuf *emit[DP_EMIT_MAX];
	uint16_t n_ho[DP_MAX_WORKERS];
	struct rte_mbuf *ho[DP_MAX_WORKERS][DP_BURST];
} __rte_cache_aligned;

struct dp {
	struct dp_conf conf;
	struct dp_port port[DP_NPORTS];
	struct rte_mempool *mp;
	unsigned int nworkers;
	struct dp_worker worker[DP_MAX_WORKERS];
	struct rte_ring *to_ctrl; /* workers -> main lcore (MP/SC) */
	/* The main lcore's rings in the shared region (ctl_msg.h). */
	struct rte_ring *ctl_cmd, *ctl_evt;
	/* Its packet rings there (ctl_pkt.h): to the control process, from it;
	 * and whether the PCP server answers (pcp.daemon: cfg_pcp_on). */
	struct rte_ring *pkt_up, *pkt_down;
	bool pcp_on;
	char tables_path[64]; /* the tables file (ctl_msg.h) */
	char delta_path[64];  /* the delta file (ctl_msg.h) */
	/* Neighbours of the two links: the gateways, and on-link B4s. */
	struct rte_hash *neigh_idx; /* 16-byte address -> index (RW concurrency, LF) */
	struct dp_neigh *neigh;
	uint32_t neigh_max;
	void *stats_region; /* the shared counters (stats_shm.h) */
	/* The live tables: published by the main lcore, read by workers. */
	struct tables *_Atomic tab;
	uint64_t start_tsc; /* the region's start_time, in TSC: workers count from it */
	uint64_t ns_mult;   /* nanoseconds per TSC cycle << 32 (busy_ns) */
	uint64_t ms_mult;   /* milliseconds per TSC cycle << 32 (dp_wall_ms) */
	/* The wall clock (ms since 1970, UTC) minus the TSC's ms: set at start
	 * and every 5 s by the main lcore (it follows the clock's steps). */
	_Atomic int64_t wall_off_ms;
	_Atomic bool stop; /* set by the signal handler, read by every loop */
	bool started;      /* dp_app_start ran (app.c) */
};

extern struct dp dp;

/* The TSC's count tsc in milliseconds. */
static inline int64_t dp_tsc_ms(uint64_t tsc)
{
	return (int64_t)((unsigned __int128)tsc * dp.ms_mult >> 32);
}

/* The wall clock at TSC count tsc: milliseconds since 1970, UTC (event
 * records: when it happened, not when it was written). */
static inline uint64_t dp_wall_ms(uint64_t tsc)
{
	return (uint64_t)(dp_tsc_ms(tsc) +
	                  atomic_load_explicit(&dp.wall_off_ms, memory_order_relaxed));
}

/* The main lcore: the wall clock's offset read again (stats.c). */
void dp_clock_sync(void);

/* The tunnel defaults (ISC "default tunnel ..."): fixed configuration, a
 * change needs a restart (cfg_fixed_diff); every stage reads them here. */
static inline const struct cfg_tunnel_defaults *dp_tun_defaults(void)
{
	return &dp.conf.cfg->tun;
}

/* Counting helpers for the packet path. */
#define DP_COUNT(w, c) ((w)->ctr->cnt[CNT_##c]++)
/* Counts a drop under reason r (an enum drop value, maybe chosen at run
 * time) and frees the packet. */
#define DP_DROP_AS(w, r, m)                                                                        \
	do {                                                                                       \
		(w)->ctr->drop[(r)]++;                                                             \
		rte_pktmbuf_free(m);                                                               \
	} while (0)
#define DP_DROP(w, d, m) DP_DROP_AS(w, DROP_##d, m)

/* The look-ahead of the packet being processed, or NULL. */
static inline const struct tables_ahead *dp_ahead_cur(const struct dp_worker *w)
{
	const struct dp_ahead *ah = &w->ahead;

	return ah->cur < ah->n && ah->set[ah->cur] ? &ah->a[ah->cur] : NULL;
}

/* The session the NAPT look-ahead found for the packet being processed by
 * a key of this kind, or SIDX_NONE: a guess (nat.c checks it). */
static inline uint32_t dp_nat_ahead_val(const struct dp_worker *w, uint8_t kind)
{
	const struct dp_ahead *ah = &w->ahead;

	return ah->cur < ah->n && ah->nat && ah->nat_at[ah->cur].kind == kind
	               ? ah->nat_at[ah->cur].val
	               : SIDX_NONE;
}

#endif
