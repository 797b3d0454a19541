/* The benchmark's traffic; see traffic.h. */
#include "traffic.h"

#include <errno.h>
#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cksum.h"
#include "pkt.h"

#define TTL     64
#define ETH_LEN 14u
#define TCP_SEQ 0x10000000u

const char *const tr_mode_names[] = {"napt", "lw4o6", "prr", "nonat"};

/* After the L4 header: whose frame, and when it was sent. */
struct tr_tag {
	uint32_t flow;
	uint64_t tsc_gen; /* TSC << 8 | the flow's gen when sent */
} __attribute__((packed));

static uint32_t l4_hdr_len(uint8_t proto)
{
	return proto == IPPROTO_TCP ? AFTR_TCP_HDR_LEN : 8;
}

/* Where the checksum is in the L4 header. */
static uint32_t cksum_at(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

/* lw4o6: the j-th port of a PSID (RFC 7597 section 5.1, offset 6 and PSID
 * length 6: A in 1..63, then the PSID, then 4 bits M). */
static uint16_t lw_port(uint32_t psid, uint32_t j)
{
	return (uint16_t)((1 + j / 16) << 10 | psid << 4 | j % 16);
}

/* The source a flow has behind its B4, and in the stateless modes the
 * public endpoint it is known by from the start. */
static void flow_addrs(struct tr_model *t, struct tr_flow *f, uint32_t b, uint32_t i,
                       uint32_t flows)
{
	f->lan = t->plain ? TR_PLAIN_LAN + b : 0xc0a8010a; /* 192.168.1.10 behind every B4 */
	f->sport = (uint16_t)(10000 + i % flows);
	switch (t->mode) {
	case TR_NAPT:
		return;
	case TR_LW4O6:
		f->lan = TR_LW_FIRST + (b - 1) / TR_LW_PSIDS;
		f->sport = lw_port((b - 1) % TR_LW_PSIDS, i % flows);
		break;
	case TR_PRR:
		f->lan = TR_POOL_FIRST + i / TR_PRR_PORTS;
		f->sport = (uint16_t)(TR_PRR_PORTS + i % TR_PRR_PORTS);
		break;
	case TR_NONAT:
		f->lan = TR_LW_FIRST + b - 1;
		break;
	}
	f->ext = f->lan;
	f->eport = f->sport;
	t->st.learned++;
}

int tr_init(struct tr_model *t, enum tr_mode mode, uint8_t proto, bool plain, uint32_t b4s,
            uint32_t flows, uint16_t size)
{
	memset(t, 0, sizeof(*t));
	if (b4s == 0 || flows == 0 || b4s > 1u << 20 || flows > 1008 ||
	    (proto != IPPROTO_UDP && proto != IPPROTO_TCP && proto != IPPROTO_ICMP) ||
	    (plain && mode != TR_NAPT) ||
	    (size != TR_IMIX &&
	     (size < TR_MIN_SIZE + (proto == IPPROTO_TCP ? 12 : 0) || size > TR_MAX_SIZE)))
		return -EINVAL;
	t->mode = mode;
	t->proto = proto;
	t->plain = plain;
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
		f->server = 0xcb007100 + 1 + i % 250; /* 203.0.113.1-250 */
		f->dport = 53;
		flow_addrs(t, f, b, i, flows);
	}
	return 0;
}

void tr_fini(struct tr_model *t)
{
	rte_free(t->flows);
	t->flows = NULL;
	for (int d = 0; d < 2; d++) {
		free(t->queue[d]);
		t->queue[d] = NULL;
	}
}

uint32_t tr_pools(const struct tr_model *t, uint32_t b4s, uint32_t flows)
{
	if (t->mode == TR_PRR)
		return (t->nflows + TR_PRR_PORTS - 1) / TR_PRR_PORTS;
	if (t->mode == TR_NONAT)
		return 1; /* ISC wants a pool even when nothing is translated */
	return t->mode == TR_NAPT ? (b4s * ((flows + 63) / 64) + 749) / 750 : 0;
}

/* The mode's static entries: a softwire per B4, a prr entry per flow, a
 * nonat /32 per B4. */
static void entries(FILE *f, const struct tr_model *t, uint32_t flows)
{
	static const char *const proto[] = {
	        [IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp", [IPPROTO_ICMP] = "icmp"};
	char b4[ADDR6_STRLEN], a[ADDR4_STRLEN];
	uint32_t step = t->mode == TR_PRR ? 1 : flows;

	fprintf(f, "%s:\n",
	        t->mode == TR_LW4O6 ? "softwires"
	        : t->mode == TR_PRR ? "prr"
	                            : "nonat");
	for (uint32_t i = 0; i < t->nflows; i += step) {
		const struct tr_flow *fl = &t->flows[i];

		addr6_format(&fl->b4, b4);
		addr4_format(fl->lan, a);
		if (t->mode == TR_LW4O6)
			fprintf(f, "  - {b4: \"%s\", ipv4: %s, psid: %u, psid_len: 6, offset: 6}\n",
			        b4, a, (i / flows) % TR_LW_PSIDS);
		else if (t->mode == TR_PRR)
			fprintf(f, "  - {b4: \"%s\", protocol: %s, address: %s, port: %u}\n", b4,
			        proto[t->proto], a, fl->sport);
		else
			fprintf(f, "  - {b4: \"%s\", prefix: %s/32}\n", b4, a);
	}
}

int tr_config(FILE *f, const struct tr_model *t, uint32_t flows, const char *tr_dev,
              const char *wan_dev, const char *extra)
{
	uint32_t pools = tr_pools(t, t->nflows / flows, flows);
	/* The WAN MTU fits the largest IPv4 packet (jumbo frames past 1514
	 * bytes) unless set, and a softwire carries it whole. */
	unsigned int mtu =
	        t->mtu ? t->mtu : RTE_MAX(t->size == TR_IMIX ? 1514u : t->size, 1514u) - 14u;
	char a[ADDR4_STRLEN], vlan[2][24] = {"", ""};

	for (int i = 0; i < 2; i++)
		if (t->vlan[i])
			snprintf(vlan[i], sizeof(vlan[i]), "    vlan: %u\n", t->vlan[i]);
	if (pools > 250)
		return -1;
	if (t->mode != TR_NAPT)
		entries(f, t, flows);
	fprintf(f,
	        "endpoint: " TR_ENDPOINT "\nicmp_source: 192.0.0.1\nacl6: [2001:db8:1::/48]\n"
	        "pools:%s\n",
	        pools ? "" : " []");
	for (uint32_t i = 0; i < pools; i++)
		fprintf(f, "  - address: %s\n", addr4_format(TR_POOL_FIRST + i, a));
	/* prr ports sit below the pools' dynamic ranges. */
	fprintf(f,
	        "pool_defaults: {tcp: 2048-65535, udp: 2048-65535, echo: 2048-65535}\n"
	        "tunnel_defaults:\n  mtu: %u\n"
	        "  nat_maxcount: {tcp: %u, udp: %u, icmp: %u}\n"
	        "  nat_rate: {tcp: 255, udp: 255, icmp: 255}\n"
	        "nat:\n  port_block: {tcp: 64, udp: 64, icmp: 64}\n%s"
	        "interfaces:\n"
	        "  transport:\n    device: \"%s\"\n    mtu: %u\n    address: "
	        "2001:db8:ffff::1/64\n"
	        "    gateway: 2001:db8:ffff::fe\n    gateway_mac: 02:00:00:00:00:fe\n%s"
	        "  wan:\n    device: \"%s\"\n    mtu: %u\n    address: 192.0.2.1/24\n"
	        "    gateway: 192.0.2.254\n    gateway_mac: 02:00:00:00:01:fe\n%s",
	        mtu + 40, RTE_MAX(flows, 200u), RTE_MAX(flows, 200u), RTE_MAX(flows, 200u),
	        extra ? extra : "", tr_dev, mtu + 40, vlan[0], wan_dev, mtu, vlan[1]);
	return ferror(f) ? -1 : 0;
}

static uint16_t next_size(struct tr_model *t)
{
	static const uint16_t imix[12] = {60, 60, 60, 60, 60, 60, 60, 590, 590, 590, 590, 1514};

	return t->size != TR_IMIX ? t->size : imix[t->imix_at++ % 12];
}

/* The L4 header and the tag at l4 (len bytes from there): sport and dport
 * are the ports, for ICMP echo the identifier is the port on our side
 * (sport out, dport in). syn: a TCP SYN, else an ACK segment. */
static void l4_fill(const struct tr_model *t, struct l3_ip4_hdr *ip, int dir, uint16_t sport,
                    uint16_t dport, uint16_t len, uint32_t flow, bool syn)
{
	uint8_t *l4 = (uint8_t *)(ip + 1);
	struct tr_tag *tag = (struct tr_tag *)(l4 + l4_hdr_len(t->proto));
	uint16_t ck;

	if (t->proto == IPPROTO_UDP) {
		struct l4_udp_hdr *udp = (struct l4_udp_hdr *)l4;

		*udp = (struct l4_udp_hdr){htons(sport), htons(dport), htons(len), 0};
	} else if (t->proto == IPPROTO_TCP) {
		struct l4_tcp_hdr *tcp = (struct l4_tcp_hdr *)l4;

		*tcp = (struct l4_tcp_hdr){.src_port = htons(sport),
		                           .dst_port = htons(dport),
		                           .seq = htonl(TCP_SEQ),
		                           .ack = syn ? 0 : htonl(TCP_SEQ),
		                           .data_off = 5 << 4,
		                           .flags = syn ? AFTR_TCP_SYN : AFTR_TCP_ACK,
		                           .window = htons(65535)};
	} else {
		struct l4_icmp4_hdr *icmp = (struct l4_icmp4_hdr *)l4;

		*icmp = (struct l4_icmp4_hdr){.type = dir == 0 ? 8 : 0}; /* echo request, reply */
		icmp->echo.id = htons(dir == 0 ? sport : dport);
		icmp->echo.seq = htons((uint16_t)flow);
	}
	tag->flow = flow;
	tag->tsc_gen = rte_rdtsc() << 8 | t->flows[flow].gen;
	memset(tag + 1, 0, len - l4_hdr_len(t->proto) - sizeof(*tag));
	if (t->proto == IPPROTO_ICMP)
		ck = (uint16_t)~cksum_fold(cksum_add(0, l4, len));
	else if ((ck = cksum_ip4_l4(ip, l4, len)) == 0 && t->proto == IPPROTO_UDP)
		ck = 0xffff;
	memcpy(l4 + cksum_at(t->proto), &ck, 2);
}

/* IPv4 and its payload at ip, total bytes of IPv4 packet. */
static void ip4(const struct tr_model *t, struct l3_ip4_hdr *ip, int dir, const struct tr_flow *f,
                uint32_t total, uint32_t flow)
{
	bool out = dir == 0;

	*ip = (struct l3_ip4_hdr){
	        .version_ihl = 0x45,
	        .total_len = htons((uint16_t)total),
	        .id = htons((uint16_t)flow),
	        .ttl = TTL,
	        .proto = t->proto,
	        .src = htonl(out ? (t->refused ? TR_REFUSED : f->lan) : f->server),
	        .dst = htonl(out ? f->server : f->ext)};
	ip->cksum = cksum_ip4_hdr(ip);
	l4_fill(t, ip, dir, out ? f->sport : f->dport, out ? f->dport : f->eport,
	        (uint16_t)(total - sizeof(*ip)), flow, out && f->eport == 0);
}

static struct rte_mbuf *untagged(struct tr_model *t, int dir, struct rte_mempool *mp, uint32_t i)
{
	const struct tr_flow *f = &t->flows[i];
	/* IMIX's 60 is too small for TCP and the tag: the smallest instead. */
	uint16_t size = RTE_MAX(next_size(t), (uint16_t)(ETH_LEN + 20 + l4_hdr_len(t->proto) +
	                                                 sizeof(struct tr_tag)));
	bool tunnel = dir == 0 && !t->plain;
	uint32_t len = size + (tunnel ? 40u : 0u);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct l3_ip6_hdr *ip6;

	if (m == NULL ||
	    (eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)len)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->hash.usr = i; /* for aftr-bench's RSS; it clears it */
	if (!tunnel) {
		*eth = (struct rte_ether_hdr){dir ? t->aftr_wan : t->aftr_tr,
		                              dir ? t->gw_wan : t->gw_tr,
		                              htons(RTE_ETHER_TYPE_IPV4)};
		ip4(t, (struct l3_ip4_hdr *)(eth + 1), dir, f, size - ETH_LEN, i);
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
	ip4(t, (struct l3_ip4_hdr *)(ip6 + 1), dir, f, size - ETH_LEN, i);
	return m;
}

/* A frame of direction dir comes in by port dir (0: transport), with
 * that port's tag if it has one. */
static struct rte_mbuf *frame(struct tr_model *t, int dir, struct rte_mempool *mp, uint32_t i)
{
	struct rte_mbuf *m = untagged(t, dir, mp, i);

	if (m && t->vlan[dir]) {
		m->vlan_tci = t->vlan[dir];
		if (rte_vlan_insert(&m) < 0) {
			rte_pktmbuf_free(m);
			return NULL;
		}
	}
	return m;
}

/* Up to n frames of the flows in turn from *next, of queue q only (or
 * every flow: q < 0). */
static unsigned int make_from(struct tr_model *t, int dir, int q, uint32_t *next,
                              struct rte_mempool *mp, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int made = 0, tries = 0;

	while (made < n && tries++ < t->nflows) {
		uint32_t i = *next;

		*next = (i + 1) % t->nflows;
		if ((q >= 0 && t->queue[dir][i] != q) || (dir == 1 && t->flows[i].eport == 0))
			continue;
		if ((pkts[made] = frame(t, dir, mp, i)) == NULL)
			break;
		made++;
	}
	t->st.sent[dir] += made;
	return made;
}

unsigned int tr_make(struct tr_model *t, int dir, struct rte_mempool *mp, struct rte_mbuf **pkts,
                     unsigned int n)
{
	return make_from(t, dir, -1, &t->next[dir], mp, pkts, n);
}

int tr_set_queues(struct tr_model *t, unsigned int nq,
                  unsigned int (*queue_of)(const struct tr_model *t, uint32_t flow, int dir))
{
	for (int d = 0; d < 2; d++) {
		free(t->queue[d]);
		if ((t->queue[d] = malloc(t->nflows)) == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < t->nflows; i++)
			t->queue[d][i] = (uint8_t)(queue_of(t, i, d) % nq);
	}
	return 0;
}

unsigned int tr_make_queue(struct tr_model *t, int dir, unsigned int q, struct rte_mempool *mp,
                           struct rte_mbuf **pkts, unsigned int n)
{
	return make_from(t, dir, (int)q, &t->qnext[dir][q], mp, pkts, n);
}

void tr_renew(struct tr_model *t)
{
	struct tr_flow *f = &t->flows[t->next_renew];

	if (t->mode != TR_NAPT)
		return;
	t->next_renew = (t->next_renew + 1) % t->nflows;
	/* A B4's flows have ports 10000 + j, j < 1008: another 1008 up keeps
	 * them apart, within 10000-59391. */
	f->sport = (uint16_t)(10000 + (f->sport - 10000 + TR_LW_FLOWS) % (49 * TR_LW_FLOWS));
	f->gen++;
	if (f->eport) {
		f->eport = 0;
		t->st.learned--;
	}
	t->st.renewed++;
}

/* The ports of an IPv4 packet's L4 header (ICMP echo: the identifier as
 * both); false if its checksum is wrong. */
static bool l4_ports(const struct tr_model *t, const struct l3_ip4_hdr *ip, uint16_t l4len, int dir,
                     uint16_t *sport, uint16_t *dport)
{
	const uint8_t *l4 = (const uint8_t *)(ip + 1);
	uint16_t ck;

	if (t->proto == IPPROTO_ICMP) {
		const struct l4_icmp4_hdr *icmp = (const struct l4_icmp4_hdr *)l4;

		*sport = *dport = ntohs(icmp->echo.id);
		return icmp->type == (dir == 0 ? 8 : 0) &&
		       cksum_fold(cksum_add(0, l4, l4len)) == 0xffff;
	}
	memcpy(sport, l4, 2);
	memcpy(dport, l4 + 2, 2);
	*sport = ntohs(*sport);
	*dport = ntohs(*dport);
	memcpy(&ck, l4 + cksum_at(t->proto), 2);
	return (t->proto == IPPROTO_UDP && ck == 0) ||
	       cksum_fold(cksum_add(cksum_ip4_pseudo(ip->src, ip->dst, t->proto, l4len), l4,
	                            l4len)) == 0xffff;
}

/* An IPv4 packet of len bytes as the AFTR must send it for flow f in
 * direction dir: addresses, ports, TTL, checksums. */
static bool good4(struct tr_model *t, int dir, const struct l3_ip4_hdr *ip, uint32_t len,
                  struct tr_flow *f)
{
	uint32_t src = ntohl(ip->src), dst = ntohl(ip->dst);
	uint16_t sport, dport, l4len = (uint16_t)(len - sizeof(*ip));
	bool icmp = t->proto == IPPROTO_ICMP;

	if (ip->version_ihl != 0x45 || ntohs(ip->total_len) != len || ip->ttl != TTL - 1 ||
	    ip->proto != t->proto || cksum_fold(cksum_add(0, ip, sizeof(*ip))) != 0xffff ||
	    !l4_ports(t, ip, l4len, dir, &sport, &dport))
		return false;
	if (dir == 1)
		return src == f->server && dst == f->lan && (icmp || sport == f->dport) &&
		       dport == f->sport;
	if (dst != f->server || (!icmp && dport != f->dport) ||
	    (t->mode == TR_NAPT && (src < t->pool_first || src >= t->pool_first + t->pool_count)))
		return false;
	if (f->eport == 0) {
		f->ext = src;
		f->eport = sport;
		t->st.learned++;
		t->st.relearned += f->gen != 0;
		return true;
	}
	return src == f->ext && sport == f->eport;
}

/* A latency of d cycles -> its histogram bucket: below 2^TR_LAT_SUB one
 * bucket a value, above 2^TR_LAT_SUB buckets per power of two. */
static unsigned int lat_bucket(uint64_t d)
{
	unsigned int e = 63 - (unsigned int)__builtin_clzll(d | 1);

	if (e < TR_LAT_SUB)
		return (unsigned int)d;
	return (e - TR_LAT_SUB + 1) << TR_LAT_SUB |
	       ((unsigned int)(d >> (e - TR_LAT_SUB)) & ((1u << TR_LAT_SUB) - 1));
}

/* The largest latency in bucket b. */
static uint64_t lat_bucket_max(unsigned int b)
{
	unsigned int e = (b >> TR_LAT_SUB) + TR_LAT_SUB - 1;
	uint64_t step;

	if (b < 1u << TR_LAT_SUB)
		return b;
	step = 1ull << (e - TR_LAT_SUB);
	return (1ull << e) + (b & ((1u << TR_LAT_SUB) - 1)) * step + (step - 1);
}

/* A frame of direction dir leaves by the other port: its tag checked
 * and removed; false if it has not the port's. */
static bool untag(const struct tr_model *t, int dir, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t vlan = t->vlan[1 - dir];

	if (vlan == 0)
		return true;
	return rte_pktmbuf_data_len(m) >= ETH_LEN + 4 &&
	       eth->ether_type == htons(RTE_ETHER_TYPE_VLAN) && rte_vlan_strip(m) == 0 &&
	       (m->vlan_tci & 0xfff) == vlan;
}

void tr_check(struct tr_model *t, int dir, struct rte_mbuf *m)
{
	bool tagged_right = untag(t, dir, m);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t len = rte_pktmbuf_data_len(m), off = ETH_LEN;
	uint32_t tag_at = 20 + l4_hdr_len(t->proto);
	const struct l3_ip6_hdr *ip6 = (const struct l3_ip6_hdr *)(eth + 1);
	bool tunnel = dir == 1 && !t->plain;
	const struct tr_tag *tag;
	bool ok = tagged_right && len >= ETH_LEN + tag_at + sizeof(*tag) &&
	          rte_pktmbuf_is_contiguous(m);

	if (ok && tunnel) {
		ok = eth->ether_type == htons(RTE_ETHER_TYPE_IPV6) && len > ETH_LEN + 40 &&
		     ip6->next_hdr == AFTR_IPPROTO_IPIP &&
		     ntohs(ip6->payload_len) == len - ETH_LEN - 40 &&
		     memcmp(ip6->src, t->endpoint.b, 16) == 0;
		off += 40;
	} else if (ok) {
		ok = eth->ether_type == htons(RTE_ETHER_TYPE_IPV4);
	}
	tag = (const struct tr_tag *)((const uint8_t *)eth + off + tag_at);
	ok = ok && len >= off + tag_at + sizeof(*tag) && tag->flow < t->nflows &&
	     (!tunnel || memcmp(ip6->dst, t->flows[tag->flow].b4.b, 16) == 0) &&
	     ((uint8_t)tag->tsc_gen != t->flows[tag->flow].gen || /* a flow since renewed */
	      good4(t, dir, (const struct l3_ip4_hdr *)((const uint8_t *)eth + off), len - off,
	            &t->flows[tag->flow]));
	if (!ok) {
		t->st.wrong[dir]++;
	} else {
		uint64_t d = ((rte_rdtsc() << 8) - (tag->tsc_gen & ~0xffull)) >> 8;

		t->st.received[dir]++;
		t->st.bytes[dir] += len;
		t->st.lat_hist[lat_bucket(d)]++;
	}
	rte_pktmbuf_free(m);
}

uint64_t tr_latency(const struct tr_model *t, double pct)
{
	const unsigned int n = RTE_DIM(t->st.lat_hist);
	uint64_t total = 0, seen = 0;

	for (unsigned int i = 0; i < n; i++)
		total += t->st.lat_hist[i];
	for (unsigned int i = 0; i < n; i++) {
		seen += t->st.lat_hist[i];
		if (total && (double)seen >= total * pct / 100.0)
			return lat_bucket_max(i);
	}
	return 0;
}
