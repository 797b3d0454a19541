/* IPv6 reassembly with DPDK's ip_frag library: one table per worker (no
 * lock), sized by ISC's "default fragment ipv6 maxcount" (packets being
 * reassembled at once) and timed by "default fragment lifetime". The
 * library handles order, overlap and duplicates (RFC 8200 section 4.5,
 * RFC 5722: a packet with overlapping fragments is dropped whole) and
 * hands back a chain, copied here into one buffer for the packet path.
 *
 * Left for later: fragments whose header is not right after the fixed
 * IPv6 header (dropped as ip6_fragment), and ISC's per-tunnel maxcount. */
/* rte_ip_frag_table_del_expired_entries is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include "reasm6.h"

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#define BUCKET_ENTRIES 16

int reasm6_init(struct dp_worker *w)
{
	uint32_t max = RTE_MAX(dp.conf.cfg->frag_maxcount[0], 1);
	uint32_t buckets = rte_align32pow2(max / BUCKET_ENTRIES + 1);
	uint64_t cycles = rte_get_tsc_hz() * RTE_MAX(dp.conf.cfg->frag_lifetime, 1);

	w->frag6 = rte_ip_frag_table_create(buckets, BUCKET_ENTRIES, max, cycles,
	                                    (int)rte_socket_id());
	w->frag6_dr = rte_zmalloc("frag6dr", sizeof(*w->frag6_dr), 0);
	return w->frag6 && w->frag6_dr ? 0 : -ENOMEM;
}

void reasm6_fini(struct dp_worker *w)
{
	if (w->frag6_dr)
		rte_ip_frag_free_death_row(w->frag6_dr, 0);
	rte_ip_frag_table_destroy(w->frag6);
	rte_free(w->frag6_dr);
	w->frag6 = NULL;
	w->frag6_dr = NULL;
}

/* A reassembled chain as one buffer (the packet path reads one). */
static struct rte_mbuf *flatten(struct dp_worker *w, struct rte_mbuf *c)
{
	uint32_t len = rte_pktmbuf_pkt_len(c);
	struct rte_mbuf *m;
	char *p;

	if (c->nb_segs == 1)
		return c;
	m = rte_pktmbuf_alloc(dp.mp);
	if (m == NULL || len > rte_pktmbuf_tailroom(m) ||
	    (p = rte_pktmbuf_append(m, len)) == NULL || rte_pktmbuf_read(c, 0, len, p) != p) {
		/* Bigger than a buffer: above every MTU we forward anyway. */
		w->ctr->drop[m ? DROP_TOO_BIG : DROP_NO_MBUF]++;
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(c);
		return NULL;
	}
	m->port = c->port;
	rte_pktmbuf_free(c);
	return m;
}

struct rte_mbuf *reasm6(struct dp_worker *w, struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)(ip6 + 1);
	struct rte_mbuf *r;

	DP_COUNT(w, IP6_FRAGMENTS_RECEIVED);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip6) + sizeof(*fh);
	/* Trim Ethernet padding: the library takes the buffer's length. */
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (RTE_ETHER_HDR_LEN + sizeof(*ip6) +
	                                              rte_be_to_cpu_16(ip6->payload_len)));
	r = rte_ipv6_frag_reassemble_packet(w->frag6, w->frag6_dr, m, rte_rdtsc(), ip6, fh);
	if (r == NULL)
		return NULL;
	DP_COUNT(w, IP6_REASSEMBLED);
	return flatten(w, r);
}

void reasm6_tick(struct dp_worker *w, bool new_second)
{
	if (new_second)
		rte_ip_frag_table_del_expired_entries(w->frag6, w->frag6_dr, rte_rdtsc());
	if (w->frag6_dr->cnt) {
		w->ctr->drop[DROP_IP6_FRAG_DROPPED] += w->frag6_dr->cnt;
		rte_ip_frag_free_death_row(w->frag6_dr, 0);
	}
}
