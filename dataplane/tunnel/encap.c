/* Node encap: an IPv4 packet into its B4's softwire, IPv4-in-IPv6 (RFC
 * 2473) from the endpoint address (RFC 6333 section 6.2); TCP SYNs have
 * their MSS clamped (mss.h); one too big for the softwire goes to toobig. */
#include "filter.h"
#include "graph.h"
#include "softwire.h"

enum dp_node node_encap(struct dp_worker *w, struct rte_mbuf *m)
{
	if (!filter_pass(w, CFG_SIDE_TRANSPORT, CFG_DIR_OUT, m))
		return dp_drop(m, DROP_FILTER_RULE);
	return softwire_encap(w, m, dp_ctx(m), dp_ip4(m));
}
