/* The software B4's provisioning by DHCPv6 and DNS; see provision.h. */
#include "provision.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "dns.h"

#define PROG       "aftr-b4"
#define DNS_WAIT   1000 /* ms before asking the next server */
#define DNS_ROUNDS 3    /* of every server, before asking DHCPv6 again */

static uint32_t random32(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)now_ms() * 2654435761u;
	return r;
}

/* RAND of RFC 8415 section 15, in thousandths: -100 .. 100. */
static int jitter(void)
{
	return (int)(random32() % 201) - 100;
}

static int fail(char *err, size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -e;
}

/* The DHCPv6 client's socket: UDP port 546 on ifname, multicast out of it. */
static int dhcp_socket(struct provision *p, char *err, size_t errlen)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(DHCP6_CLIENT_PORT)};
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;
	struct ifreq ifr = {0};

	if (fd < 0)
		return fail(err, errlen, "DHCPv6 socket");
	p->dhcp_fd = fd;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return fail(err, errlen, "--dhcp: its link-layer address");
	p->duid_len = dhcp6_duid_ll(p->duid, (const uint8_t *)ifr.ifr_hwaddr.sa_data);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->ifname, (socklen_t)strlen(p->ifname)) <
	            0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &p->ifindex, sizeof(p->ifindex)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail(err, errlen, "DHCPv6 socket on port 546");
	return 0;
}

int provision_open(struct provision *p, const char *ifname, unsigned int refresh_s,
                   struct b4_counters *ctr, char *err, size_t errlen)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->dhcp_fd = p->dns_fd = -1;
	p->ctr = ctr;
	p->refresh_s = refresh_s;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	if ((p->ifindex = if_nametoindex(ifname)) == 0)
		return fail(err, errlen, "--dhcp");
	if ((ret = dhcp_socket(p, err, errlen)) < 0)
		return ret;
	p->dns_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->dns_fd < 0)
		return fail(err, errlen, "DNS socket");
	provision_renew(p);
	p->next_ms = now_ms() + random32() % 1000; /* INF_MAX_DELAY */
	return 0;
}

void provision_close(struct provision *p)
{
	if (p->dhcp_fd >= 0)
		close(p->dhcp_fd);
	if (p->dns_fd >= 0)
		close(p->dns_fd);
	p->dhcp_fd = p->dns_fd = -1;
}

void provision_renew(struct provision *p)
{
	p->waiting = true;
	p->resolving = false;
	p->xid = random32() & 0xffffff;
	p->started_ms = p->next_ms = now_ms();
	p->rt_ms = 0;
}

int provision_timeout_ms(const struct provision *p)
{
	uint64_t due = UINT64_MAX, now = now_ms();

	if (p->waiting)
		due = p->next_ms;
	else if (p->refresh_at_ms)
		due = p->refresh_at_ms;
	if (p->resolving && p->dns_next_ms < due)
		due = p->dns_next_ms;
	if (due == UINT64_MAX)
		return -1;
	return due <= now ? 0 : (int)(due - now > 60000 ? 60000 : due - now);
}

static void send_request(struct provision *p, uint64_t now)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6,
	                          .sin6_port = htons(DHCP6_SERVER_PORT),
	                          .sin6_scope_id = p->ifindex};
	uint8_t buf[256];
	int n;

	/* All_DHCP_Relay_Agents_and_Servers (RFC 8415 section 7.1). */
	inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
	/* Elapsed Time counts from the exchange's first message: 0 in it (RFC 8415
	 * section 21.9). */
	if (p->rt_ms == 0)
		p->started_ms = now;
	n = dhcp6_info_request(buf, sizeof(buf), p->xid, p->duid, p->duid_len,
	                       (unsigned int)((now - p->started_ms) / 10));
	if (n > 0 && sendto(p->dhcp_fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) == n)
		p->ctr->v[CTR_dhcp_sent]++;
	p->rt_ms = dhcp6_next_rt_ms(p->rt_ms, jitter(), p->inf_max_rt_s);
	p->next_ms = now + p->rt_ms;
}

static void send_query(struct provision *p, uint64_t now)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(DNS_PORT)};
	uint8_t buf[DNS_MSG_MAX];
	int n;

	if (p->dns_tries >= DNS_ROUNDS * p->info.n_dns) {
		fprintf(stderr, PROG ": no DNS server answered for %s: asking DHCPv6 again\n",
		        p->info.aftr_name);
		p->resolving = false;
		p->refresh_at_ms = now + 10000;
		return;
	}
	p->dns_server = p->dns_tries++ % p->info.n_dns;
	to.sin6_addr = p->info.dns[p->dns_server];
	if (IN6_IS_ADDR_LINKLOCAL(&to.sin6_addr))
		to.sin6_scope_id = p->ifindex;
	p->dns_id = (uint16_t)random32();
	n = dns_aaaa_query(buf, sizeof(buf), p->dns_id, p->info.aftr_name);
	if (n > 0 && sendto(p->dns_fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) == n)
		p->ctr->v[CTR_dns_sent]++;
	p->dns_next_ms = now + DNS_WAIT;
}

/* The AFTR at addr: whether that is a change. */
static bool set_aftr(struct provision *p, const struct in6_addr *addr)
{
	bool changed = !p->have_aftr || !IN6_ARE_ADDR_EQUAL(&p->aftr, addr);

	p->aftr = *addr;
	p->have_aftr = true;
	return changed;
}

static bool same_binding(const struct dhcp6_lw4o6 *a, const struct dhcp6_lw4o6 *b)
{
	return a->present == b->present && a->ipv4.s_addr == b->ipv4.s_addr &&
	       a->offset == b->offset && a->psid_len == b->psid_len && a->psid == b->psid;
}

/* A Reply taken: the binding and BR, or a name to resolve. Whether something changed. */
static bool take_reply(struct provision *p, uint64_t now)
{
	uint64_t refresh = p->refresh_s ? p->refresh_s : p->info.refresh;
	bool changed = false;

	p->waiting = false;
	p->refresh_at_ms = now + refresh * 1000u;
	if (p->info.lw.present) {
		changed = set_aftr(p, &p->info.lw.br) || !same_binding(&p->lw, &p->info.lw);
		p->lw = p->info.lw;
		return changed;
	}
	memset(&p->lw, 0, sizeof(p->lw));
	p->resolving = true;
	p->dns_tries = 0;
	send_query(p, now);
	return false;
}

static void read_dhcp(struct provision *p, uint64_t now, bool *changed)
{
	uint8_t buf[DHCP6_MSG_MAX];
	ssize_t n;

	while ((n = recv(p->dhcp_fd, buf, sizeof(buf), 0)) >= 0) {
		int rc = p->waiting ? dhcp6_parse_reply(buf, (size_t)n, p->xid, p->duid,
		                                        p->duid_len, &p->info)
		                    : -ENOMSG;

		/* Section 18.2.10: INF_MAX_RT taken from any Reply to us. */
		if (rc == 0 && p->info.inf_max_rt)
			p->inf_max_rt_s = p->info.inf_max_rt;
		if (rc == -ENOMSG) {
			p->ctr->v[CTR_dhcp_ignored]++;
		} else if (rc < 0 || p->info.status != 0 ||
		           (!p->info.lw.present &&
		            (p->info.aftr_name[0] == '\0' || !p->info.n_dns))) {
			/* Nothing a B4 can use: keep asking (section 18.2.10: a status is
			 * not a failure of the exchange, but there is nothing to take). */
			p->ctr->v[CTR_dhcp_bad]++;
		} else {
			p->ctr->v[CTR_dhcp_replies]++;
			*changed |= take_reply(p, now);
		}
	}
}

static void read_dns(struct provision *p, uint64_t now, bool *changed)
{
	uint8_t buf[DNS_MSG_MAX];
	struct sockaddr_in6 from = {0};
	socklen_t fl = sizeof(from);
	struct in6_addr got[4];
	char a[INET6_ADDRSTRLEN];
	uint32_t ttl;
	ssize_t n;

	while ((n = recvfrom(p->dns_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) >= 0) {
		int rc;

		fl = sizeof(from);
		if (!p->resolving || from.sin6_port != htons(DNS_PORT) ||
		    !IN6_ARE_ADDR_EQUAL(&from.sin6_addr, &p->info.dns[p->dns_server]))
			continue; /* not the server asked: not an answer */
		rc = dns_aaaa_parse(buf, (size_t)n, p->dns_id, got, 4, &ttl);
		if (rc == -ENOMSG)
			continue;
		if (rc <= 0) {
			p->ctr->v[CTR_dns_failures]++;
			send_query(p, now); /* the next server */
			continue;
		}
		p->ctr->v[CTR_dns_answers]++;
		p->resolving = false;
		if (set_aftr(p, &got[0])) {
			inet_ntop(AF_INET6, &got[0], a, sizeof(a));
			fprintf(stderr, PROG ": %s is %s\n", p->info.aftr_name, a);
			*changed = true;
		}
	}
}

bool provision_run(struct provision *p, bool dhcp_in, bool dns_in)
{
	uint64_t now = now_ms();
	bool changed = false;

	if (dhcp_in)
		read_dhcp(p, now, &changed);
	if (dns_in)
		read_dns(p, now, &changed);
	if (!p->waiting && p->refresh_at_ms && now >= p->refresh_at_ms) {
		p->refresh_at_ms = 0;
		provision_renew(p);
	}
	if (p->waiting && now >= p->next_ms)
		send_request(p, now);
	if (p->resolving && now >= p->dns_next_ms)
		send_query(p, now);
	return changed;
}
