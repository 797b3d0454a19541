/*
 * The software B4's provisioning (--dhcp IFACE): it learns its AFTR as deployments tell a
 * B4, by DHCPv6 on its IPv6 link (dhcp6.h), then DNS (dns.h), and keeps it up to date:
 * - an Information-Request, retransmitted per RFC 8415 section 15 until a Reply comes;
 * - a Reply with the lw4o6 container (RFC 7598): the BR address is the AFTR's, and the
 *   binding (IPv4 address, port set) is the B4's;
 * - else a Reply with AFTR-Name (RFC 6334): an AAAA question to each DNS server it gave in
 *   turn, a second apart, until one answers with an address;
 * - asked again after the Information Refresh Time (or --dhcp-refresh), and at once on
 *   SIGUSR2: a new BR, AFTR address or binding takes effect without a restart.
 * One thread; nothing blocks. aftr-b4.c polls the two sockets and applies the results.
 */
#ifndef AFTR_B4_PROVISION_H
#define AFTR_B4_PROVISION_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "dhcp6.h"

struct provision {
	int dhcp_fd, dns_fd;
	char ifname[IFNAMSIZ];
	unsigned int ifindex;
	uint8_t duid[10];
	size_t duid_len;
	unsigned int refresh_s; /* --dhcp-refresh, 0: the server's */
	/* The exchange under way: its transaction, when it started and its next send. */
	bool waiting;
	uint32_t xid;
	uint64_t started_ms, next_ms, refresh_at_ms;
	unsigned int rt_ms;
	unsigned int inf_max_rt_s; /* the server's INF_MAX_RT (RFC 8415 21.25), 0: none yet */
	/* The lookup under way. */
	bool resolving;
	uint16_t dns_id;
	unsigned int dns_server, dns_tries;
	uint64_t dns_next_ms;
	struct dhcp6_info info; /* the last Reply taken */
	/* What the B4 uses. */
	bool have_aftr;
	struct in6_addr aftr;
	struct dhcp6_lw4o6 lw;
	struct b4_counters *ctr;
};

/* The sockets on ifname and the B4's DUID (DUID-LL of ifname's address); the first
 * Information-Request within INF_MAX_DELAY (1 s, RFC 8415 18.2.6). 0, or -errno with err. */
int provision_open(struct provision *p, const char *ifname, unsigned int refresh_s,
                   struct b4_counters *ctr, char *err, size_t errlen);
void provision_close(struct provision *p);

/* Milliseconds until the next thing due (poll()'s timeout), -1 for none. */
int provision_timeout_ms(const struct provision *p);

/* Reads what arrived and sends what is due. Returns true when the AFTR's address or the
 * lw4o6 binding changed (what to apply). */
bool provision_run(struct provision *p, bool dhcp_in, bool dns_in);

/* Asks again now (SIGUSR2). */
void provision_renew(struct provision *p);

#endif /* AFTR_B4_PROVISION_H */
