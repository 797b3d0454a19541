/* Ethernet out: the next hop's MAC from the neighbour table (neigh.h),
 * or the main lcore resolves it first (ARP, ND) and sends the frame. */
#include "l2_out.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "graph.h"

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

enum dp_node node_tr_tx(struct dp_worker *w, struct rte_mbuf *m)
{
	return l2_tr(w, m);
}

enum dp_node node_wan_tx(struct dp_worker *w, struct rte_mbuf *m)
{
	return l2_wan(w, m);
}
