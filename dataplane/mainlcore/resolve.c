/* Next hops the workers could not send to yet: a small queue of packets
 * per unresolved neighbour, requests (solicit.c) and their retries, the
 * gateways kept fresh, the neighbour table aged; RFC 826's rule for what
 * is learned. Main lcore only. */
#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <string.h>

#include "l2_out.h"
#include "neigh.h"
#include "pkt.h"
#include "slowpath.h"
#include "tx.h"

#define PENDING_MAX   64   /* neighbours being resolved at once */
#define PENDING_PKTS  16   /* packets queued per neighbour (RFC 1122 says at least 1) */
#define RETRY_MS      1000 /* resolution retry interval */
#define RETRIES       3    /* then the queued packets are dropped */
#define REFRESH_S     30   /* gateways are re-resolved this often */
#define AGE_CHECK_S   5    /* how often the neighbour table is aged */
#define NEIGH_STALE_S 120  /* a neighbour not heard from since is solicited */
#define NEIGH_DEAD_S  130  /* and forgotten if it stays silent */

struct pending {
	struct addr6 nh;
	int port;
	uint8_t in_use, tries;
	uint16_t n;
	uint64_t next_try; /* tsc */
	struct rte_mbuf *q[PENDING_PKTS];
};

static struct pending pend[PENDING_MAX];
static uint64_t next_refresh, next_age;

static bool is_v4(const struct addr6 *a)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a->b, prefix, 12) == 0;
}

static void solicit(const struct addr6 *nh)
{
	if (is_v4(nh))
		ctrl_arp_request((uint32_t)nh->b[12] << 24 | (uint32_t)nh->b[13] << 16 |
		                 (uint32_t)nh->b[14] << 8 | nh->b[15]);
	else
		ctrl_nd_solicit(nh);
}

/* Fills in the Ethernet destination and sends, if the neighbour is known. */
static bool try_send(struct rte_mbuf *m, int port, const struct addr6 *nh)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (!neigh_lookup(nh, &eth->dst_addr))
		return false;
	ctrl_send(m, port);
	return true;
}

static void queue_for(struct rte_mbuf *m, int port, const struct addr6 *nh)
{
	struct pending *free_slot = NULL;

	for (int i = 0; i < PENDING_MAX; i++) {
		struct pending *p = &pend[i];

		if (p->in_use && addr6_equal(&p->nh, nh)) {
			if (p->n == PENDING_PKTS) {
				ctrl_ctr->drop[DROP_NO_NEIGHBOR]++;
				rte_pktmbuf_free(m);
			} else {
				p->q[p->n++] = m;
				ctrl_ctr->cnt[CNT_NEIGH_HELD]++;
			}
			return;
		}
		if (!p->in_use && free_slot == NULL)
			free_slot = p;
	}
	if (free_slot == NULL) {
		ctrl_ctr->drop[DROP_NO_NEIGHBOR]++;
		rte_pktmbuf_free(m);
		return;
	}
	*free_slot = (struct pending){.nh = *nh,
	                              .port = port,
	                              .in_use = 1,
	                              .n = 1,
	                              .next_try = rte_rdtsc() + rte_get_tsc_hz() * RETRY_MS / 1000};
	free_slot->q[0] = m;
	ctrl_ctr->cnt[CNT_NEIGH_HELD]++;
	solicit(nh);
}

/* A worker could not resolve the next hop of this frame. */
void ctrl_resolve(struct rte_mbuf *m, int port)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN);
	struct addr6 nh;
	bool ok;

	if (port == DP_PORT_WAN)
		ok = dp_nexthop4(ntohl(((struct l3_ip4_hdr *)l3)->dst), &nh);
	else
		ok = dp_nexthop6(((struct l3_ip6_hdr *)l3)->dst, &nh);
	if (!ok) {
		ctrl_ctr->drop[DROP_NO_NEIGHBOR]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!try_send(m, port, &nh))
		queue_for(m, port, &nh);
}

/* RFC 826's rule, used for ND too: refresh what we know, and add only
 * what we asked for (a pending next hop, a gateway); never learn every
 * sender on the link. */
bool ctrl_wants(const struct addr6 *a)
{
	const struct cfg_fixed *cfg = dp.conf.cfg;
	struct addr6 gw;

	if (neigh_known(a))
		return true;
	for (int i = 0; i < PENDING_MAX; i++)
		if (pend[i].in_use && addr6_equal(&pend[i].nh, a))
			return true;
	gw = neigh_key4(cfg->wan.gw4);
	return (cfg->wan.has_gateway && addr6_equal(&gw, a)) ||
	       (cfg->transport.has_gateway && addr6_equal(&cfg->transport.gw6, a));
}

void ctrl_resolved(const struct addr6 *nh)
{
	for (int i = 0; i < PENDING_MAX; i++) {
		struct pending *p = &pend[i];

		if (!p->in_use || !addr6_equal(&p->nh, nh))
			continue;
		ctrl_ctr->cnt[CNT_NEIGH_HELD] -= p->n;
		for (uint16_t k = 0; k < p->n; k++) {
			if (!try_send(p->q[k], p->port, nh)) {
				ctrl_ctr->drop[DROP_NO_NEIGHBOR]++;
				rte_pktmbuf_free(p->q[k]);
			}
		}
		p->in_use = 0;
	}
}

void ctrl_timers(void)
{
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	const struct cfg_fixed *cfg = dp.conf.cfg;

	for (int i = 0; i < PENDING_MAX; i++) {
		struct pending *p = &pend[i];

		if (!p->in_use || now < p->next_try)
			continue;
		if (++p->tries >= RETRIES) {
			ctrl_ctr->drop[DROP_NO_NEIGHBOR] += p->n;
			ctrl_ctr->cnt[CNT_NEIGH_HELD] -= p->n;
			rte_pktmbuf_free_bulk(p->q, p->n);
			p->in_use = 0;
			continue;
		}
		p->next_try = now + hz * RETRY_MS / 1000;
		solicit(&p->nh);
	}
	if (now >= next_age) {
		next_age = now + hz * AGE_CHECK_S;
		dp_clock_sync();
		neigh_age(now, hz * NEIGH_STALE_S, hz * NEIGH_DEAD_S, solicit);
	}
	if (now < next_refresh)
		return;
	/* Keep the gateways fresh; a changed MAC is learned from the reply. */
	next_refresh = now + hz * REFRESH_S;
	if (cfg->wan.has_gateway && !cfg->wan.has_gateway_mac)
		ctrl_arp_request(cfg->wan.gw4);
	if (cfg->transport.has_gateway && !cfg->transport.has_gateway_mac)
		ctrl_nd_solicit(&cfg->transport.gw6);
}

/* A gateway whose MAC is configured is a static neighbour. */
static int static_gateways(void)
{
	const struct cfg_fixed *cfg = dp.conf.cfg;
	struct rte_ether_addr mac;
	struct addr6 a;
	int rc = 0;

	if (cfg->wan.has_gateway_mac) {
		a = neigh_key4(cfg->wan.gw4);
		memcpy(mac.addr_bytes, cfg->wan.gateway_mac, RTE_ETHER_ADDR_LEN);
		rc = neigh_update(&a, &mac);
		neigh_set_static(&a);
	}
	if (rc == 0 && cfg->transport.has_gateway_mac) {
		memcpy(mac.addr_bytes, cfg->transport.gateway_mac, RTE_ETHER_ADDR_LEN);
		rc = neigh_update(&cfg->transport.gw6, &mac);
		neigh_set_static(&cfg->transport.gw6);
	}
	return rc;
}

int ctrl_init(void)
{
	next_refresh = 0; /* resolve the gateways at once */
	return static_gateways();
}
