/*
 * aftr-b4: a software B4 (RFC 6333 section 5), the customer-side end of a DS-Lite softwire,
 * for labs, demos, VMs and our live tests (the kernel here has no ip6_tunnel). See README.md.
 *
 * IPv4 packets the kernel routes into a TUN device are sent to the AFTR as the payload of a
 * raw IPv6 socket with protocol 4 (IPv4-in-IPv6, RFC 2473): the kernel writes the IPv6
 * header. IPv4-in-IPv6 packets from the AFTR arrive on the same socket (an AF_INET6 raw
 * socket sees the payload only, after the kernel reassembled any fragments) and are written
 * to the TUN. One thread, one poll() over the TUN, the socket and a signalfd.
 *
 * This file: set-up, the poll() loop, signals, clean exit. The options are options.c, the
 * packet path and its decisions (fragmentation, traffic class, ECN, what is dropped)
 * softwire.c, the lwB4's NAPT napt.c, the TUN and interface set-up tun.c, the counters
 * counters.h.
 *
 * Defaults follow RFC 6333: 192.0.0.2/29 on the TUN (section 5.7), MTU 1500 - 40 so that
 * nothing is fragmented on a 1500-byte access link (section 5.3), IPv4 default route via the
 * softwire. The TUN gets no IPv6 (disable_ipv6), so the kernel's own link-local chatter is
 * not offered to an IPv4 tunnel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "counters.h"
#include "napt.h"
#include "options.h"
#include "provision.h"
#include "softwire.h"
#include "tun.h"

#define PROG "aftr-b4"

struct b4 {
	struct b4_opts o;
	struct softwire sw;    /* the fds and the counters */
	struct provision prov; /* with --dhcp */
	struct napt napt;      /* with --lw4o6 */
	char ifname[IFNAMSIZ];
	int sig_fd;
	bool route_added;
};

static void counters_report(struct b4 *b4)
{
	int ret;

	if (b4->sw.napt != NULL)
		napt_sweep(b4->sw.napt, now_ms()); /* the napt_active_* counters */
	counters_print(stderr, &b4->sw.ctr);
	if (b4->o.stats_file && (ret = counters_write_file(b4->o.stats_file, &b4->sw.ctr)) < 0)
		fprintf(stderr, PROG ": --stats-file %s: %s\n", b4->o.stats_file, strerror(-ret));
}

/* Drains the signalfd. Returns true when asked to stop. */
static bool signals_handle(struct b4 *b4)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(b4->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			counters_report(b4);
		else if (si.ssi_signo == SIGUSR2 && b4->o.dhcp)
			provision_renew(&b4->prov);
		else if (si.ssi_signo != SIGUSR2)
			stop = true;
	}
	return stop;
}

/* --lw4o6: the NAPT into addr and the port set of ps, from the options or DHCPv6. */
static int napt_start(struct b4 *b4, struct in_addr addr, const struct psid_params *ps,
                      const char *from)
{
	char v4[INET_ADDRSTRLEN], err[256];
	uint32_t count;
	int ret;

	inet_ntop(AF_INET, &addr, v4, sizeof(v4));
	ret = napt_bind(&b4->napt, addr.s_addr, ps, &b4->o.timeouts, &b4->sw.ctr, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, PROG ": lw4o6 NAPT into %s: %s\n", v4, err);
		return ret;
	}
	count = psid_port_count(ps);
	fprintf(stderr,
	        PROG ": lw4o6 NAPT (%s) into %s, offset %u PSID length %u PSID %u: %u ports, "
	             "%u to %u\n",
	        from, v4, ps->offset, ps->psid_len, ps->psid, count, psid_port_nth(ps, 0),
	        psid_port_nth(ps, count - 1));
	return 0;
}

/* What DHCPv6 (and DNS) gave, put to use: the AFTR's address, and a lw4o6 binding (RFC 7596
 * section 5.1: the B4's own public address and port set): the NAPT's with --lw4o6, else the
 * TUN's address. */
static int provision_apply(struct b4 *b4)
{
	const struct provision *p = &b4->prov;
	char a[INET6_ADDRSTRLEN], v4[INET_ADDRSTRLEN], err[256];
	int ret;

	b4->sw.aftr.sin6_addr = p->aftr;
	b4->sw.aftr.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&p->aftr) ? p->ifindex : 0;
	b4->sw.no_aftr = false;
	inet_ntop(AF_INET6, &p->aftr, a, sizeof(a));
	if (!p->lw.present) {
		fprintf(stderr, PROG ": softwire to %s (AFTR-Name %s)%s\n", a, p->info.aftr_name,
		        b4->o.lw4o6 ? "; no lw4o6 binding: nothing to translate into, what the TUN "
		                      "gives is dropped (tx_drop_no_binding)"
		                    : "");
		napt_free(&b4->napt);
		return 0;
	}
	inet_ntop(AF_INET, &p->lw.ipv4, v4, sizeof(v4));
	/* Without --lw4o6 the binding's address goes on the TUN for the host's own NAT (with
	 * --lw4o6 it is the NAPT's, main() says why). A new address takes the device's routes
	 * with the old one: the default route is put back. */
	if (!b4->o.lw4o6 &&
	    ((ret = if_set_ipv4(b4->ifname, p->lw.ipv4, 32, err, sizeof(err))) < 0 ||
	     (b4->route_added && (ret = route4_default(b4->ifname, true, err, sizeof(err))) < 0 &&
	      ret != -EEXIST))) {
		fprintf(stderr, PROG ": lw4o6 binding %s: %s\n", v4, err);
		return ret;
	}
	fprintf(stderr,
	        PROG ": lw4o6 binding from DHCPv6: %s, port set offset %u PSID length %u PSID %u, "
	             "BR %s\n",
	        v4, p->lw.offset, p->lw.psid_len, p->lw.psid, a);
	if (b4->o.lw4o6) {
		struct psid_params ps = {p->lw.offset, p->lw.psid_len, p->lw.psid};

		/* A bad set leaves the NAPT off (tx_drop_no_binding) until DHCPv6 fixes it. */
		if (napt_start(b4, p->lw.ipv4, &ps, "DHCPv6") == -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

/* The forwarding loop. Returns 0 when stopped by a signal, -errno on a fatal error. */
static int run(struct b4 *b4)
{
	struct pollfd pfd[5] = {
	        {.fd = b4->sw.tun_fd, .events = POLLIN},
	        {.fd = b4->sw.raw_fd, .events = POLLIN},
	        {.fd = b4->sig_fd, .events = POLLIN},
	        {.fd = b4->o.dhcp ? b4->prov.dhcp_fd : -1, .events = POLLIN},
	        {.fd = b4->o.dhcp ? b4->prov.dns_fd : -1, .events = POLLIN},
	};
	int ret;

	for (;;) {
		int timeout = b4->o.dhcp ? provision_timeout_ms(&b4->prov) : -1;

		if (poll(pfd, 5, timeout) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			fprintf(stderr, PROG ": poll: %s\n", strerror(-ret));
			return ret;
		}
		if ((pfd[2].revents & POLLIN) && signals_handle(b4))
			return 0;
		if (b4->o.dhcp &&
		    provision_run(&b4->prov, pfd[3].revents & POLLIN, pfd[4].revents & POLLIN) &&
		    (ret = provision_apply(b4)) < 0)
			return ret;
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, PROG ": %s: the TUN device went away\n", b4->ifname);
			return -ENODEV;
		}
		if ((pfd[0].revents & POLLIN) && (ret = softwire_tx_burst(&b4->sw)) < 0) {
			fprintf(stderr, PROG ": read %s: %s\n", b4->ifname, strerror(-ret));
			return ret;
		}
		if (pfd[1].revents & (POLLIN | POLLERR))
			softwire_rx_burst(&b4->sw);
	}
}

/* Signals go to a signalfd; blocked from here on, so none is lost during set-up. */
static int signals_open(char *err, size_t errlen)
{
	sigset_t set;
	int fd, e;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		e = errno;
		snprintf(err, errlen, "signalfd: %s", strerror(e));
		return -e;
	}
	return fd;
}

/* TUN, IPv4 address, MTU, up, default route. Returns 0 or -errno with err set. */
static int tun_setup(struct b4 *b4, char *err, size_t errlen)
{
	const struct b4_opts *o = &b4->o;
	int ret;

	b4->sw.tun_fd = tun_create(o->name, b4->ifname, err, errlen);
	if (b4->sw.tun_fd < 0)
		return b4->sw.tun_fd;
	if ((ret = if_disable_ipv6(b4->ifname, err, errlen)) < 0 ||
	    (ret = if_set_mtu(b4->ifname, o->mtu, err, errlen)) < 0 ||
	    (ret = if_set_ipv4(b4->ifname, o->ipv4, o->plen, err, errlen)) < 0 ||
	    (ret = if_up(b4->ifname, err, errlen)) < 0)
		return ret;
	if (o->default_route) {
		ret = route4_default(b4->ifname, true, err, errlen);
		if (ret < 0)
			return ret;
		b4->route_added = true;
	}
	return 0;
}

static void print_started(const struct b4 *b4)
{
	char v4[INET_ADDRSTRLEN], local[INET6_ADDRSTRLEN], aftr[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &b4->o.ipv4, v4, sizeof(v4));
	inet_ntop(AF_INET6, &b4->o.local.sin6_addr, local, sizeof(local));
	if (b4->o.dhcp)
		snprintf(aftr, sizeof(aftr), "(DHCPv6 on %s)", b4->o.dhcp);
	else
		inet_ntop(AF_INET6, &b4->o.aftr.sin6_addr, aftr, sizeof(aftr));
	fprintf(stderr, PROG ": %s up: %s/%u mtu %u, softwire %s -> %s, hop limit %u%s\n",
	        b4->ifname, v4, b4->o.plen, b4->o.mtu, local, aftr, b4->o.hop_limit,
	        b4->route_added ? ", IPv4 default route via the TUN" : "");
}

int main(int argc, char **argv)
{
	static struct b4 b4 = {
	        .sw = {.tun_fd = -1, .raw_fd = -1},
	        .sig_fd = -1,
	};
	char err[512] = "";
	bool running = false;
	int ret;

	ret = options_parse(argc, argv, &b4.o);
	if (ret != 0)
		return ret > 0 ? 0 : 1;
	b4.sw.aftr = b4.o.aftr;
	b4.sw.no_aftr = b4.o.dhcp != NULL;
	b4.prov.dhcp_fd = b4.prov.dns_fd = -1;
	b4.napt.ctr = &b4.sw.ctr;
	if (b4.o.lw4o6) {
		b4.sw.napt = &b4.napt; /* off until bound: from the options now, or DHCPv6 */
		b4.napt.self_addr = b4.o.ipv4.s_addr;
		b4.napt.log = stderr;
	}

	if ((b4.sig_fd = signals_open(err, sizeof(err))) < 0 ||
	    (b4.sw.raw_fd = softwire_open(&b4.o.local, b4.o.hop_limit, err, sizeof(err))) < 0)
		goto out;
	if (b4.o.dhcp && provision_open(&b4.prov, b4.o.dhcp, b4.o.dhcp_refresh, &b4.sw.ctr, err,
	                                sizeof(err)) < 0)
		goto out;
	if (b4.o.stats_file && (ret = counters_write_file(b4.o.stats_file, &b4.sw.ctr)) < 0) {
		snprintf(err, sizeof(err), "--stats-file %s: %s", b4.o.stats_file, strerror(-ret));
		goto out;
	}
	if (tun_setup(&b4, err, sizeof(err)) < 0)
		goto out;
	print_started(&b4);
	if (b4.o.lw4o6 && !b4.o.dhcp) {
		struct psid_params ps = {(uint8_t)b4.o.offset, (uint8_t)b4.o.psid_len,
		                         (uint16_t)b4.o.psid};

		if (napt_start(&b4, b4.o.public4, &ps, "options") < 0) {
			snprintf(err, sizeof(err), "--lw4o6: the NAPT could not start");
			goto out;
		}
	}
	running = true;
	ret = run(&b4);
out:
	if (b4.route_added && route4_default(b4.ifname, false, err, sizeof(err)) < 0)
		fprintf(stderr, PROG ": warning: %s\n", err);
	if (b4.sw.tun_fd >= 0)
		close(b4.sw.tun_fd); /* not persistent: this removes the device */
	if (b4.sw.raw_fd >= 0)
		close(b4.sw.raw_fd);
	if (b4.sig_fd >= 0)
		close(b4.sig_fd);
	provision_close(&b4.prov);
	if (running)
		counters_report(&b4); /* the NAPT's gauges included: before it goes */
	else
		fprintf(stderr, PROG ": %s\n", err);
	napt_free(&b4.napt);
	options_free(&b4.o);
	return !running || ret < 0 ? 1 : 0;
}
