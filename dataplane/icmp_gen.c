/* ICMPv4 errors towards B4s; see icmp_gen.h. */
#include "icmp_gen.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "path.h"

/* RFC 1812 section 4.3.2.3: quote as much as fits in 576 bytes. */
#define ICMP_MAX_LEN 576
#define ICMP_TTL 64

void icmp_time_exceeded(struct dp_worker *w, const struct addr6 *b4, const struct l3_ip4_hdr *ip)
{
	uint32_t quote = ntohs(ip->total_len), total;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mp);
	struct l3_ip4_hdr *out;
	uint8_t *icmp;

	if (m == NULL) {
		w->ctr->drop[DROP_NO_MBUF]++;
		return;
	}
	if (quote > ICMP_MAX_LEN - 28)
		quote = ICMP_MAX_LEN - 28;
	total = 28 + quote;
	out = (struct l3_ip4_hdr *)(rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + total) +
				    RTE_ETHER_HDR_LEN);
	*out = (struct l3_ip4_hdr){.version_ihl = 0x45, .total_len = htons((uint16_t)total),
				   .ttl = ICMP_TTL, .proto = IPPROTO_ICMP,
				   .src = htonl(dp.conf.icmp_source), .dst = ip->src};
	out->cksum = cksum_ip4_hdr(out);
	icmp = (uint8_t *)(out + 1);
	memset(icmp, 0, 8);
	icmp[0] = AFTR_ICMP4_TIME_EXCEEDED;
	memcpy(icmp + 8, ip, quote);
	*(uint16_t *)(icmp + 2) = cksum_finish(cksum_add(0, icmp, 8 + quote));
	DP_COUNT(w, ICMP_SENT);
	path_encap(w, m, b4);
}
