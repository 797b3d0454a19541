/* The benchmark's traffic; see traffic.h. */
#include "traffic.h"

#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <string.h>

#include "cksum.h"
#include "pkt.h"

#define TTL     64
#define ETH_LEN 14u

/* After the UDP header: whose frame, and when it was sent. */
struct tr_tag {
	uint32_t flow;
	uint64_t tsc;
} __attribute__((packed));

/* lw4o6: the j-th port of a PSID (RFC 7597 section 5.1, offset 6 and PSID
 * length 6: A in 1..63, then the PSID, then 4 bits M). */
static uint16_t lw_port(uint32_t psid, uint32_t j)
{
	return (uint16_t)((1 + j / 16) << 10 | psid << 4 | j % 16);
}

int tr_init(struct tr_model *t, enum tr_mode mode, uint32_t b4s, uint32_t flows, uint16_t size)
{
	memset(t, 0, sizeof(*t));
	if (b4s == 0 || flows == 0 || b4s > 1u << 20 || flows > 1008 ||
	    (size != TR_IMIX && (size < TR_MIN_SIZE || size > TR_MAX_SIZE)))
		return -EINVAL;
	t->mode = mode;
	t->nflows = b4s * flows;
	t->size = size;
	t->flows = rte_zmalloc("flows", sizeof(*t->flows) * t->nflows, RTE_CACHE_LINE_SIZE);
	if (t->flows == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->nflows; i++) {
		struct tr_flow *f = &t->flows[i];
		uint32_t b = i / flows + 1;

		/* 2001:db8:1::/48, the B4 number in the low 32 bits. */
		f->b4 = (struct addr6){{0x20, 0x01, 0x0d, 0xb8, 0, 1}};
		f->b4.b[12] = (uint8_t)(b >> 24);
		f->b4.b[13] = (uint8_t)(b >> 16);
		f->b4.b[14] = (uint8_t)(b >> 8);
		f->b4.b[15] = (uint8_t)b;
		f->lan = 0xc0a8010a; /* 192.168.1.10 behind every B4 */
		f->sport = (uint16_t)(10000 + i % flows);
		f->server = 0xcb007100 + 1 + i % 250; /* 203.0.113.1-250 */
		f->dport = 53;
		if (mode == TR_LW4O6) {
			f->lan = f->ext = TR_LW_FIRST + (b - 1) / TR_LW_PSIDS;
			f->sport = f->eport = lw_port((b - 1) % TR_LW_PSIDS, i % flows);
			t->st.learned++;
		}
	}
	return 0;
}

void tr_fini(struct tr_model *t)
{
	rte_free(t->flows);
	t->flows = NULL;
}

static uint16_t next_size(struct tr_model *t)
{
	static const uint16_t imix[12] = {60, 60, 60, 60, 60, 60, 60, 590, 590, 590, 590, 1514};

	return t->size != TR_IMIX ? t->size : imix[t->imix_at++ % 12];
}

/* IPv4, UDP and the tag at ip, total bytes of IPv4 packet. */
static void udp4(struct l3_ip4_hdr *ip, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 uint32_t total, uint32_t flow)
{
	struct l4_udp_hdr *udp = (struct l4_udp_hdr *)(ip + 1);
	struct tr_tag *tag = (struct tr_tag *)(udp + 1);
	uint16_t l4len = (uint16_t)(total - sizeof(*ip));

	*ip = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                          .total_len = htons((uint16_t)total),
	                          .id = htons((uint16_t)flow),
	                          .ttl = TTL,
	                          .proto = IPPROTO_UDP,
	                          .src = htonl(src),
	                          .dst = htonl(dst)};
	ip->cksum = cksum_ip4_hdr(ip);
	*udp = (struct l4_udp_hdr){htons(sport), htons(dport), htons(l4len), 0};
	tag->flow = flow;
	tag->tsc = rte_rdtsc();
	memset(tag + 1, 0, l4len - sizeof(*udp) - sizeof(*tag));
	udp->cksum = cksum_ip4_l4(ip, udp, l4len);
	if (udp->cksum == 0)
		udp->cksum = 0xffff;
}

static struct rte_mbuf *frame(struct tr_model *t, int dir, struct rte_mempool *mp, uint32_t i)
{
	const struct tr_flow *f = &t->flows[i];
	uint16_t size = next_size(t);
	uint32_t len = size + (dir == 0 ? 40u : 0u);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct l3_ip6_hdr *ip6;

	if (m == NULL ||
	    (eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)len)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (dir == 1) {
		*eth = (struct rte_ether_hdr){t->aftr_wan, t->gw_wan, htons(RTE_ETHER_TYPE_IPV4)};
		udp4((struct l3_ip4_hdr *)(eth + 1), f->server, f->ext, f->dport, f->eport,
		     size - ETH_LEN, i);
		return m;
	}
	*eth = (struct rte_ether_hdr){t->aftr_tr, t->gw_tr, htons(RTE_ETHER_TYPE_IPV6)};
	ip6 = (struct l3_ip6_hdr *)(eth + 1);
	*ip6 = (struct l3_ip6_hdr){.vtc_flow = htonl(6u << 28),
	                           .payload_len = htons((uint16_t)(size - ETH_LEN)),
	                           .next_hdr = AFTR_IPPROTO_IPIP,
	                           .hop_limit = TTL};
	memcpy(ip6->src, f->b4.b, 16);
	memcpy(ip6->dst, t->endpoint.b, 16);
	udp4((struct l3_ip4_hdr *)(ip6 + 1), f->lan, f->server, f->sport, f->dport, size - ETH_LEN,
	     i);
	return m;
}

unsigned int tr_make(struct tr_model *t, int dir, struct rte_mempool *mp, struct rte_mbuf **pkts,
                     unsigned int n)
{
	unsigned int made = 0, tries = 0;

	while (made < n && tries++ < t->nflows) {
		uint32_t i = t->next[dir];

		t->next[dir] = (i + 1) % t->nflows;
		if (dir == 1 && t->flows[i].eport == 0)
			continue;
		if ((pkts[made] = frame(t, dir, mp, i)) == NULL)
			break;
		made++;
	}
	t->st.sent[dir] += made;
	return made;
}

/* An IPv4 packet of len bytes as the AFTR must send it for flow f in
 * direction dir: addresses, ports, TTL, checksums. */
static bool good4(struct tr_model *t, int dir, const struct l3_ip4_hdr *ip, uint32_t len,
                  struct tr_flow *f)
{
	const struct l4_udp_hdr *udp = (const struct l4_udp_hdr *)(ip + 1);
	uint32_t src = ntohl(ip->src), dst = ntohl(ip->dst);
	uint16_t l4len = (uint16_t)(len - sizeof(*ip));

	if (len < sizeof(*ip) + sizeof(*udp) + sizeof(struct tr_tag) || ip->version_ihl != 0x45 ||
	    ntohs(ip->total_len) != len || ip->ttl != TTL - 1 || ip->proto != IPPROTO_UDP ||
	    cksum_fold(cksum_add(0, ip, sizeof(*ip))) != 0xffff ||
	    (udp->cksum &&
	     cksum_fold(cksum_add(cksum_ip4_pseudo(ip->src, ip->dst, IPPROTO_UDP, l4len), udp,
	                          l4len)) != 0xffff))
		return false;
	if (dir == 1)
		return src == f->server && dst == f->lan && ntohs(udp->src_port) == f->dport &&
		       ntohs(udp->dst_port) == f->sport;
	if (dst != f->server || ntohs(udp->dst_port) != f->dport ||
	    (t->mode == TR_NAPT && (src < t->pool_first || src >= t->pool_first + t->pool_count)))
		return false;
	if (f->eport == 0) {
		f->ext = src;
		f->eport = ntohs(udp->src_port);
		t->st.learned++;
		return true;
	}
	return src == f->ext && ntohs(udp->src_port) == f->eport;
}

void tr_check(struct tr_model *t, int dir, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t len = rte_pktmbuf_data_len(m), off = ETH_LEN;
	const struct l3_ip6_hdr *ip6 = (const struct l3_ip6_hdr *)(eth + 1);
	const struct tr_tag *tag;
	bool ok = len >= ETH_LEN + 20 + 8 + sizeof(*tag);

	if (ok && dir == 1) {
		ok = eth->ether_type == htons(RTE_ETHER_TYPE_IPV6) && len > ETH_LEN + 40 &&
		     ip6->next_hdr == AFTR_IPPROTO_IPIP &&
		     ntohs(ip6->payload_len) == len - ETH_LEN - 40 &&
		     memcmp(ip6->src, t->endpoint.b, 16) == 0;
		off += 40;
	} else if (ok) {
		ok = eth->ether_type == htons(RTE_ETHER_TYPE_IPV4);
	}
	tag = (const struct tr_tag *)((const uint8_t *)eth + off + 28);
	ok = ok && len >= off + 28 + sizeof(*tag) && tag->flow < t->nflows &&
	     (dir == 0 || memcmp(ip6->dst, t->flows[tag->flow].b4.b, 16) == 0) &&
	     good4(t, dir, (const struct l3_ip4_hdr *)((const uint8_t *)eth + off), len - off,
	           &t->flows[tag->flow]);
	if (!ok) {
		t->st.wrong[dir]++;
	} else {
		uint64_t d = rte_rdtsc() - tag->tsc;

		t->st.received[dir]++;
		t->st.bytes[dir] += len;
		t->st.lat_hist[63 - __builtin_clzll(d | 1)]++;
	}
	rte_pktmbuf_free(m);
}

uint64_t tr_latency(const struct tr_model *t, double pct)
{
	uint64_t total = 0, seen = 0;

	for (int i = 0; i < 64; i++)
		total += t->st.lat_hist[i];
	for (int i = 0; i < 64; i++) {
		seen += t->st.lat_hist[i];
		if (total && (double)seen >= total * pct / 100.0)
			return i == 63 ? UINT64_MAX : (2ull << i) - 1;
	}
	return 0;
}
