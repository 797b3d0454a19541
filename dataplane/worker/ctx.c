/* The packet context; see ctx.h. */
#include "ctx.h"

#include <netinet/in.h>

void dp_ctx_ip4(struct rte_mbuf *m, uint16_t l3)
{
	struct dp_ctx *c = dp_ctx(m);

	c->l4 = c->l4_len = c->sport = c->dport = 0;
	c->proto = 0;
	c->flags &= (uint16_t) ~(CTX_FRAG4 | CTX_PORTS);
	dp_ctx_ip4_fresh(m, l3);
}
