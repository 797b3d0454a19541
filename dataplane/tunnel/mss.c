/* MSS clamping; see mss.h. */
#include "mss.h"

#include <netinet/in.h>

#include "cksum.h"

#define TCP_OPT_END    0
#define TCP_OPT_NOP    1
#define TCP_OPT_MSS    2
#define ENCAP_OVERHEAD 80 /* IPv6 (40) + IPv4 and TCP headers (40) */

/* The largest MSS for a B4's softwire, or 0 when clamping is off. */
static uint16_t mss_limit(const struct dp_worker *w, const struct addr6 *b4)
{
	const struct cfg_tunnel_defaults *d = dp_tun_defaults();
	const struct cfg_tunnel *t = tables_tunnel(w->tab, b4);
	bool on = t && t->mss != CFG_INHERIT ? t->mss : d->mss;
	uint16_t mtu = cfg_tunnel_mtu(t, d);

	return on ? (uint16_t)(mtu - ENCAP_OVERHEAD) : 0;
}

void mss_clamp_syn(struct dp_worker *w, const struct addr6 *b4, uint8_t *l4, uint32_t l4len)
{
	const struct l4_tcp_hdr *tcp = (const struct l4_tcp_hdr *)l4;
	uint32_t hl, off = 20;
	uint16_t limit;

	hl = pkt_tcp_hdr_len(tcp);
	if (hl <= 20 || hl > l4len || (limit = mss_limit(w, b4)) == 0)
		return;
	while (off < hl && l4[off] != TCP_OPT_END) {
		uint16_t *mss, old;

		if (l4[off] == TCP_OPT_NOP) {
			off++;
			continue;
		}
		if (off + 1 >= hl || l4[off + 1] < 2 || off + l4[off + 1] > hl)
			return; /* malformed options: leave them */
		if (l4[off] == TCP_OPT_MSS && l4[off + 1] == 4) {
			mss = (uint16_t *)(l4 + off + 2);
			old = *mss;
			if (ntohs(old) > limit) {
				*mss = htons(limit);
				*(uint16_t *)(l4 + 16) =
				        cksum_update16(*(uint16_t *)(l4 + 16), old, *mss);
				DP_COUNT(w, MSS_CLAMPED);
			}
			return;
		}
		off += l4[off + 1];
	}
}
