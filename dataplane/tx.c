/* Leaving a worker; see tx.h. */
#include "tx.h"

#include <rte_ethdev.h>
#include <string.h>

#include "neigh.h"

bool dp_nexthop4(uint32_t dst, struct addr6 *nh)
{
	const struct cfg_iface *i = &dp.conf.cfg->wan;

	if (i->has_address && ((dst ^ i->addr4.addr) & prefix4_mask(i->addr4.len)) == 0) {
		*nh = neigh_key4(dst); /* on-link */
		return true;
	}
	if (!i->has_gateway)
		return false;
	*nh = neigh_key4(i->gw4);
	return true;
}

/* B4s on the transport link are reached directly, others through the
 * gateway; with neither an address nor a gateway, every B4 is on-link. */
bool dp_nexthop6(const uint8_t dst[16], struct addr6 *nh)
{
	const struct cfg_iface *i = &dp.conf.cfg->transport;

	memcpy(nh->b, dst, 16);
	if (i->has_address && prefix6_contains(&i->addr6, nh))
		return true;
	if (i->has_gateway)
		*nh = i->gw6;
	return true;
}

void dp_tx(struct dp_worker *w, int port, struct rte_mbuf *m)
{
	/* Without a TX queue of its own on this port, the frame goes to the
	 * worker owning the queue it shares (queue q belongs to worker q). */
	if (w->txq[port] == UINT16_MAX) {
		unsigned int owner = w->id % dp.port[port].nb_txq;

		m->hash.usr = CTRL_SEND | (uint32_t)port;
		if (rte_ring_mp_enqueue(dp.worker[owner].from_ctrl, m) != 0) {
			DP_DROP(w, HANDOFF_FULL, m);
			return;
		}
		DP_COUNT(w, HANDOFF_TX);
		return;
	}
	/* Counted first: a flush failing inside the call takes it back. */
	w->ctr->cnt[port == DP_PORT_WAN ? CNT_TX_WAN : CNT_TX_TRANSPORT]++;
	rte_eth_tx_buffer(dp.port[port].port_id, w->txq[port], w->txb[port], m);
}

/* The MAC of a next hop. Most packets go to the gateway: its slot is
 * looked up once per worker (slot + 1 kept; 0: not found yet). */
static bool nexthop_mac(struct dp_worker *w, int port, const struct addr6 *nh,
                        struct rte_ether_addr *mac)
{
	if (dp.conf.has_gw[port] && addr6_equal(nh, &dp.conf.gw[port])) {
		if (w->gw_slot[port] == 0)
			w->gw_slot[port] = neigh_slot(nh) + 1;
		return w->gw_slot[port] > 0 && neigh_slot_mac(w->gw_slot[port] - 1, mac);
	}
	return neigh_lookup(nh, mac);
}

void dp_send(struct dp_worker *w, int port, struct rte_mbuf *m, uint16_t ethertype,
             const struct addr6 *nexthop)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->ether_type = rte_cpu_to_be_16(ethertype);
	rte_ether_addr_copy(&dp.port[port].mac, &eth->src_addr);
	if (!nexthop_mac(w, port, nexthop, &eth->dst_addr)) {
		dp_to_ctrl(w, m, CTRL_RESOLVE, port);
		return;
	}
	dp_tx(w, port, m);
}

void dp_to_ctrl(struct dp_worker *w, struct rte_mbuf *m, enum ctrl_reason why, int port)
{
	m->hash.usr = (uint32_t)why | (uint32_t)port;
	if (rte_ring_mp_enqueue(dp.to_ctrl, m) != 0) {
		DP_DROP(w, CONTROL_FULL, m);
		return;
	}
	DP_COUNT(w, TO_CONTROL);
}

void dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t tag)
{
	m->hash.usr = tag;
	if (rte_ring_mp_enqueue(dp.worker[owner].handoff, m) != 0) {
		DP_DROP(w, HANDOFF_FULL, m);
		return;
	}
	DP_COUNT(w, HANDOFF_TX);
}
