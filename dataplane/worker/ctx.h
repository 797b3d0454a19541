/* The packet path's shape: the nodes (stages) of the graph and the context
 * every packet carries through them.
 *
 * RX parses a frame once and fills its context (in the mbuf's private
 * area, dp.mp's priv_size): later stages read the context and never parse
 * the headers again; a stage that rewrites or replaces headers (decap,
 * reassembly, an ICMP builder) updates it. A stage is a node function
 * that takes one packet and returns the next node; only the worker's
 * dispatcher (graph.c) moves packets between nodes, and no node calls
 * another. A drop sets exactly one reason of lib/shm/counters.h and returns
 * NODE_DROP; a node that makes packets (ICMP errors, fragments, a
 * reassembled datagram) emits them into the graph (dp_emit) and the
 * dispatcher runs them after the current one. */
#ifndef AFTR_CTX_H
#define AFTR_CTX_H

#include <netinet/in.h>
#include <rte_mbuf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "counters.h"
#include "dp.h"
#include "pkt.h"

/* The nodes, in the order a packet meets them: X(SYMBOL, name). Node
 * "name" is the function node_name (declared in graph.h), in one file of a
 * feature's folder: dataplane/README.md maps each onto its file. */
#define DP_NODES(X)                                                                                \
	X(FAST_TR, fast_tr)         /* a B4's common packet in one step, or on to tr_in */         \
	X(FAST_TR_NAT, fast_tr_nat) /* fast_tr's NAPT packet at its B4's owner, past the tests */  \
	X(TR_IN, tr_in)             /* a B4's 4in6 packet: softwire admission, its owner */        \
	X(REASM6, reasm6)           /* IPv6 fragments from a B4 */                                 \
	X(ICMP6_ERR, icmp6_err)     /* ICMPv6 errors about softwire packets (RFC 2473 8) */        \
	X(PARAM6, param6)           /* refused with a parameter problem (RFC 8200 4.4, 4.5) */     \
	X(DECAP, decap)             /* inner IPv4 checks, ECN (RFC 6040) */                        \
	X(REASM4_IN, reasm4_in)     /* IPv4 fragments inside a softwire */                         \
	X(INNER, inner)             /* TTL, to the AFTR itself, NAPT or stateless */               \
	X(NAT_OUT, nat_out)         /* NAPT towards the Internet, RFC 5508 errors from B4s */      \
	X(SL_OUT, sl_out)           /* lw4o6, prr, nonat: the B4's bindings */                     \
	X(IP4_OUT, ip4_out)         /* MSS, hairpins, towards the WAN */                           \
	X(FAST_WAN, fast_wan) /* an Internet packet back to a B4 in one step, or on to wan_in */   \
	X(FAST_WAN_NAT, fast_wan_nat) /* fast_wan's NAPT packet at its port's owner */             \
	X(WAN_IN, wan_in)             /* an Internet packet: ours?, fragments */                   \
	X(REASM4, reasm4)             /* IPv4 fragments from the Internet */                       \
	X(WAN_FWD, wan_fwd)           /* TTL, to a pool or a stateless address */                  \
	X(POOL_IN, pool_in)           /* a pool address: its port's owner, prr */                  \
	X(NAT_IN, nat_in)             /* NAPT towards a B4, RFC 5508 errors */                     \
	X(SL_IN, sl_in)               /* lw4o6, prr, nonat: the B4 of an address */                \
	X(ENCAP, encap)               /* into the softwire (RFC 2473), MSS */                      \
	X(TOOBIG, toobig)             /* too big for the softwire: IPv6 fragments, ISC toobig */   \
	X(TR_TX, tr_tx)               /* Ethernet towards a B4 */                                  \
	X(FRAG4, frag4)               /* over the WAN MTU: IPv4 fragments, fragmentation needed */ \
	X(WAN_TX, wan_tx)             /* Ethernet towards the Internet */

/* After the nodes, the sinks: where a packet's walk through the graph ends
 * (graph.c). */
#define DP_NODE_ENUM(sym, fn) NODE_##sym,
enum dp_node {
	DP_NODES(DP_NODE_ENUM) NODE_COUNT,
	NODE_TX = NODE_COUNT, /* onto ctx->port's TX queue (a finished frame) */
	NODE_TX_VLAN,         /* the same with the interface's 802.1Q tag pushed */
	NODE_DROP,            /* counted under ctx->drop, freed */
	NODE_CTRL,            /* to the main lcore (ctx->ctrl: why), ctx->port */
	NODE_HANDOFF,         /* to worker ctx->owner, resuming at ctx->next */
	NODE_FREE,            /* done with: freed, not a drop (fragmented): consumed */
	NODE_HELD,            /* kept by a table (a fragment waiting): nothing to do */
};
#undef DP_NODE_ENUM

/* ctx->flags */
#define CTX_NAT     0x01 /* a B4's packet for NAPT (private source, NAT allowed) */
#define CTX_NAT_OK  0x02 /* the B4 may be NATed (tables_b4_allowed) */
#define CTX_FROM_B4 0x04 /* out of a softwire: MSS clamped on the way out */
#define CTX_FROM_US 0x08 /* an error the AFTR made: leaves from the WAN address */
#define CTX_FRAG6   0x10 /* an IPv6 fragment (from a B4) */
#define CTX_FRAG4   0x20 /* an IPv4 fragment (ctx->l3's) */
#define CTX_PORTS   0x40 /* sport and dport were read (TCP, UDP, ICMP echo) */
#define CTX_SL_DST  0x80 /* the destination is a nonat or lw4o6 address (asked once) */

/* The context of a packet (hot part: one cache line). Offsets are from
 * the start of the mbuf's data (the Ethernet header). Ports are network
 * order. */
struct dp_ctx {
	struct addr6 b4; /* the softwire's B4: outer source in, destination out */
	uint16_t l3;     /* the IPv4 header being forwarded (inner, from a B4) */
	uint16_t l4;     /* its L4 header */
	uint16_t l4_len; /* L4 bytes by the IPv4 total length (0: none) */
	uint16_t sport;  /* TCP/UDP ports; ICMP echo: the identifier in both */
	uint16_t dport;
	uint16_t vlan;  /* 802.1Q tag (later; 0: none) */
	uint16_t flags; /* CTX_* */
	uint8_t proto;  /* IPv4 protocol at l3 */
	uint8_t port;   /* DP_PORT_*: came in by, or with NODE_TX and NODE_CTRL goes by */
	uint8_t next;   /* enum dp_node: where a hand-off or an emitted packet resumes */
	uint8_t drop;   /* enum aftr_drop, with NODE_DROP */
	uint8_t owner;  /* with NODE_HANDOFF: the worker */
	uint8_t ctrl;   /* with NODE_CTRL: enum ctrl_reason >> 8 */
	uint8_t hops;   /* hairpin re-inputs so far (bounded: DP_MAX_HOPS) */
	uint8_t ep;     /* the endpoint address (dp_conf.endpoints): to, or from */
	uint8_t hlim;   /* a B4's packet: the outer hop limit as it came */
	int16_t pool;   /* index of the destination pool (WAN side), or -1 */
	uint32_t hash;  /* the flow hash: its B4's (nat_b4_hash), when an owner was asked */
	/* The B4's stateless binding (tables_b4_bind), read at admission, and
	 * the serial of the tables it was read in (0: not read). */
	uint32_t bind, bind_serial;
	/* With NODE_TOOBIG: the softwire's MTU; with NODE_PARAM6: the octet
	 * of the IPv6 packet its parameter problem points at. */
	uint16_t mtu;
	/* A packet from the Internet as it came, before NAT rewrote it, for
	 * a fragmentation needed about it (toobig): the longest IPv4 header
	 * and 8 bytes (RFC 792). Second cache line, written only for large
	 * DF packets. */
	uint8_t orig_len;
	uint8_t orig[68];
} __rte_aligned(8);

#define DP_CTX_SIZE RTE_ALIGN(sizeof(struct dp_ctx), RTE_MBUF_PRIV_ALIGN)
#define DP_MAX_HOPS 2 /* re-inputs of one packet (hairpin), a bound on loops */

static inline struct dp_ctx *dp_ctx(const struct rte_mbuf *m)
{
	return (struct dp_ctx *)rte_mbuf_to_priv((struct rte_mbuf *)(uintptr_t)m);
}

/* A drop: the reason, and the node that counts it. */
static inline enum dp_node dp_drop(struct rte_mbuf *m, int reason)
{
	dp_ctx(m)->drop = (uint8_t)reason;
	return NODE_DROP;
}

/* A drop for reason answered with an ICMPv6 parameter problem pointing
 * at octet ptr of the IPv6 packet (node param6). */
static inline enum dp_node dp_param6(struct rte_mbuf *m, int reason, uint32_t ptr)
{
	dp_ctx(m)->drop = (uint8_t)reason;
	dp_ctx(m)->mtu = (uint16_t)ptr;
	return NODE_PARAM6;
}

/* To the worker that owns the packet's state, resuming at node next. */
static inline enum dp_node dp_handoff(struct rte_mbuf *m, unsigned int owner, enum dp_node next)
{
	struct dp_ctx *c = dp_ctx(m);

	c->owner = (uint8_t)owner;
	c->next = (uint8_t)next;
	return NODE_HANDOFF;
}

/* A packet a node made (or a table gave back), to run from node next
 * once the current packet is done. Its context is the caller's to fill.
 * Dropped (no_mbuf) when a packet makes more than the queue holds. */
static inline void dp_emit(struct dp_worker *w, struct rte_mbuf *m, enum dp_node next)
{
	if (unlikely(w->n_emit == RTE_DIM(w->emit))) {
		w->ctr->drop[DROP_NO_MBUF]++;
		rte_pktmbuf_free(m);
		return;
	}
	dp_ctx(m)->next = (uint8_t)next;
	w->emit[w->n_emit++] = m;
}

/* The IPv4 header at ctx->l3. */
static inline struct l3_ip4_hdr *dp_ip4(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, dp_ctx(m)->l3);
}

/* Reads the ports (TCP, UDP) or the echo identifier (ICMP echo request or
 * reply, in both) of the L4 header at l4, by ctx->proto and ctx->l4_len,
 * into the context (CTX_PORTS when there are). The one place ports are
 * read: RX (dp_ctx_ip4), and a node that rewrote them (NAT). */
static inline void dp_ctx_l4(struct dp_ctx *c, const uint8_t *l4)
{
	if ((c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP) && c->l4_len >= 4) {
		memcpy(&c->sport, l4, 2);
		memcpy(&c->dport, l4 + 2, 2);
		c->flags |= CTX_PORTS;
	} else if (c->proto == IPPROTO_ICMP && c->l4_len >= 8 &&
	           (l4[0] == AFTR_ICMP4_ECHO_REQUEST || l4[0] == AFTR_ICMP4_ECHO_REPLY)) {
		memcpy(&c->sport, l4 + 4, 2);
		c->dport = c->sport;
		c->flags |= CTX_PORTS;
	}
}

/* dp_ctx_ip4 for a context whose IPv4 fields are still as dp_ctx_new
 * left them (RX): inline, with nothing to reset. */
static inline void dp_ctx_ip4_fresh(struct rte_mbuf *m, uint16_t l3)
{
	struct dp_ctx *c = dp_ctx(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t have = rte_pktmbuf_data_len(m), hl, len;
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)(p + l3);

	c->l3 = l3;
	if (have < l3 + 20u)
		return;
	c->proto = ip->proto;
	if (pkt_ip4_is_fragment(ip))
		c->flags |= CTX_FRAG4;
	hl = pkt_ip4_hdr_len(ip);
	len = RTE_MIN((uint32_t)ntohs(ip->total_len), have - l3);
	if (hl < 20 || len < hl)
		return;
	c->l4 = (uint16_t)(l3 + hl);
	c->l4_len = (uint16_t)(len - hl);
	/* A later fragment holds no L4 header. */
	if (ip->frag_off & htons(AFTR_IP4_OFF_MASK))
		return;
	dp_ctx_l4(c, p + c->l4);
}

/* dp_ctx_ip4_fresh for a header without options (version and length 0x45)
 * whose total length, at least 20, the buffer is known to hold (RX: the
 * WAN's after pkt_ip4_check_fast, a softwire's equal to the IPv6 payload
 * length): the same fields, L4 right after it, as long as the datagram
 * says, without the length checks. */
static __rte_always_inline void dp_ctx_ip4_plain(struct rte_mbuf *m, uint16_t l3)
{
	struct dp_ctx *c = dp_ctx(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)(p + l3);

	c->l3 = l3;
	c->proto = ip->proto;
	c->l4 = (uint16_t)(l3 + 20);
	c->l4_len = (uint16_t)(ntohs(ip->total_len) - 20);
	if (likely(!pkt_ip4_is_fragment(ip))) {
		dp_ctx_l4(c, p + c->l4);
		return;
	}
	c->flags |= CTX_FRAG4;
	/* A later fragment holds no L4 header. */
	if (!(ip->frag_off & htons(AFTR_IP4_OFF_MASK)))
		dp_ctx_l4(c, p + c->l4);
}

/* Fills the context's IPv4 fields from the header at offset l3 (read,
 * not checked: the node that checks it uses them once it passed): the
 * protocol, where L4 is and how long, and its ports or echo identifier.
 * Whatever is not in the buffer is left 0; ports by dp_ctx_l4. */
void dp_ctx_ip4(struct rte_mbuf *m, uint16_t l3);

/* The B4's stateless binding (tables_b4_bind) in the tables t: the one
 * read at admission when it was read in t, else read now. */
static inline uint32_t dp_ctx_bind(const struct dp_ctx *c, const struct tables *t)
{
	return c->bind_serial == t->serial ? c->bind : tables_b4_bind(t, &c->b4);
}

/* A fresh context for a packet a node made: no flags, nothing parsed. */
static inline struct dp_ctx *dp_ctx_new(struct rte_mbuf *m, uint8_t port)
{
	struct dp_ctx *c = dp_ctx(m);

	memset(c, 0, offsetof(struct dp_ctx, orig_len) + 1);
	c->pool = -1;
	c->port = port;
	return c;
}

#endif
