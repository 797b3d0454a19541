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
 * This file: options, set-up, the poll() loop, signals, clean exit. The packet path and its
 * decisions (fragmentation, traffic class, ECN, what is dropped) are in softwire.c, the TUN
 * and interface set-up in tun.c, the counters in counters.h.
 *
 * Defaults follow RFC 6333: 192.0.0.2/29 on the TUN (section 5.7), MTU 1500 - 40 so that
 * nothing is fragmented on a 1500-byte access link (section 5.3), IPv4 default route via the
 * softwire. The TUN gets no IPv6 (disable_ipv6), so the kernel's own link-local chatter is
 * not offered to an IPv4 tunnel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
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
#include "provision.h"
#include "softwire.h"
#include "tun.h"

#ifndef AFTR_VERSION
#define AFTR_VERSION "unknown"
#endif

#define PROG "aftr-b4"

struct b4_opts {
	const char *name;          /* TUN device name */
	struct in_addr ipv4;       /* the B4's IPv4 address on the TUN */
	unsigned int plen;         /* and its prefix length */
	unsigned int mtu;          /* TUN MTU */
	unsigned int hop_limit;    /* outer IPv6 hop limit */
	bool default_route;        /* install 0.0.0.0/0 via the TUN */
	const char *stats_file;    /* NULL: none */
	struct sockaddr_in6 local; /* the B4's IPv6 address (softwire source) */
	struct sockaddr_in6 aftr;  /* the AFTR's IPv6 address (softwire destination) */
	const char *dhcp;          /* --dhcp IFACE: the AFTR (and a lw4o6 binding) from DHCPv6 */
	unsigned int dhcp_refresh; /* --dhcp-refresh S, 0: the server's refresh time */
	bool have_local, have_aftr, have_ipv4;
	bool lw4o6;             /* --lw4o6: NAPT into the binding's port set (napt.h) */
	struct in_addr public4; /* --lw4o6 --ipv4: the binding's address (not the TUN's) */
	bool have_psid;         /* --psid, --psid-len or --offset given */
	unsigned int psid, psid_len, offset;
	bool have_timeouts; /* a --*-timeout given */
	struct napt_timeouts timeouts;
	bool in_file; /* options being read from --config */
};

struct b4 {
	struct b4_opts o;
	struct softwire sw;    /* the fds and the counters */
	struct provision prov; /* with --dhcp */
	struct napt napt;      /* with --lw4o6 */
	char ifname[IFNAMSIZ];
	int sig_fd;
	bool route_added;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: " PROG " --local IPV6 --aftr IPV6|--dhcp IFACE [options]\n"
	        "A software DS-Lite B4 (RFC 6333): IPv4 routed into a TUN device is sent to the\n"
	        "AFTR inside IPv6 (IPv4-in-IPv6, RFC 2473); IPv4-in-IPv6 from the AFTR comes out.\n"
	        "\n"
	        "  --local IPV6          the B4's own IPv6 address (required)\n"
	        "  --aftr IPV6           the AFTR's IPv6 address\n"
	        "  --dhcp IFACE          or learn it by DHCPv6 on IFACE (RFC 6334 AFTR-Name and\n"
	        "                        DNS, or a RFC 7598 lw4o6 binding: BR, IPv4 address)\n"
	        "  --dhcp-refresh S      ask DHCPv6 again every S seconds (default: the server's\n"
	        "                        Information Refresh Time, at least 600); SIGUSR2: now\n"
	        "  --name NAME           TUN device name (default b4tun0)\n"
	        "  --ipv4 ADDR[/LEN]     the B4's IPv4 address on the TUN (default 192.0.0.2/29)\n"
	        "  --mtu N               TUN MTU, 68-65535 (default 1460 = 1500 - 40)\n"
	        "  --hop-limit N         outer IPv6 hop limit, 1-255 (default 64)\n"
	        "  --no-default-route    do not add the IPv4 default route via the TUN\n"
	        "  --stats-file PATH     also write the counters there, on SIGUSR1 and at exit\n"
	        "  --lw4o6               a lwB4 (RFC 7596): NAPT into the public address (--ipv4\n"
	        "                        ADDR, or DHCPv6's binding) and the port set of:\n"
	        "  --psid N --psid-len L [--offset O]  (RFC 7597 5.1; offset default 6)\n"
	        "  --udp-timeout S, --tcp-timeout S, --icmp-timeout S\n"
	        "                        idle mapping timeouts (default 300, 7440, 60)\n"
	        "  --config FILE         read options from FILE: one \"name [value]\" a line\n"
	        "  --help, --version\n"
	        "\n"
	        "SIGUSR1 prints the counters to stderr; SIGINT, SIGTERM or SIGHUP removes the "
	        "route\n"
	        "and the TUN, prints the counters and exits 0. Needs CAP_NET_ADMIN and "
	        "CAP_NET_RAW.\n");
}

static int parse_uint(const char *opt, const char *s, unsigned int min, unsigned int max,
                      unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, PROG ": %s: not a number from %u to %u: %s\n", opt, min, max, s);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/* Numeric IPv6 address, with an optional "%zone" for link-local ones. */
static int parse_ipv6(const char *opt, const char *s, struct sockaddr_in6 *out)
{
	struct addrinfo hints = {.ai_family = AF_INET6, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res;
	const struct in6_addr *a;

	if (getaddrinfo(s, NULL, &hints, &res) != 0 || res->ai_addrlen != sizeof(*out)) {
		fprintf(stderr, PROG ": %s: not an IPv6 address: %s\n", opt, s);
		return -EINVAL;
	}
	memcpy(out, res->ai_addr, sizeof(*out));
	freeaddrinfo(res);
	a = &out->sin6_addr;
	if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_V4MAPPED(a)) {
		fprintf(stderr, PROG ": %s: not a unicast IPv6 address: %s\n", opt, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_prefix4(const char *opt, const char *s, struct in_addr *addr, unsigned int *plen)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char buf[INET_ADDRSTRLEN];
	uint32_t a;

	if (alen >= sizeof(buf))
		goto bad;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		goto bad;
	a = ntohl(addr->s_addr);
	if (a == 0 || a >= 0xe0000000) /* 0.0.0.0, multicast, reserved, broadcast */
		goto bad;
	*plen = 32;
	if (slash && parse_uint(opt, slash + 1, 1, 32, plen) < 0)
		return -EINVAL;
	return 0;
bad:
	fprintf(stderr, PROG ": %s: not a unicast IPv4 address[/length]: %s\n", opt, s);
	return -EINVAL;
}

enum {
	OPT_LOCAL = 256,
	OPT_AFTR,
	OPT_NAME,
	OPT_IPV4,
	OPT_MTU,
	OPT_HOPS,
	OPT_NOROUTE,
	OPT_STATS,
	OPT_DHCP,
	OPT_REFRESH,
	OPT_LW4O6,
	OPT_PSID,
	OPT_PSID_LEN,
	OPT_OFFSET,
	OPT_UDP_TO,
	OPT_TCP_TO,
	OPT_ICMP_TO,
	OPT_CONFIG,
	OPT_VERSION
};

static const struct option opts[] = {
        {"local", required_argument, NULL, OPT_LOCAL},
        {"aftr", required_argument, NULL, OPT_AFTR},
        {"name", required_argument, NULL, OPT_NAME},
        {"ipv4", required_argument, NULL, OPT_IPV4},
        {"mtu", required_argument, NULL, OPT_MTU},
        {"hop-limit", required_argument, NULL, OPT_HOPS},
        {"no-default-route", no_argument, NULL, OPT_NOROUTE},
        {"stats-file", required_argument, NULL, OPT_STATS},
        {"dhcp", required_argument, NULL, OPT_DHCP},
        {"dhcp-refresh", required_argument, NULL, OPT_REFRESH},
        {"lw4o6", no_argument, NULL, OPT_LW4O6},
        {"psid", required_argument, NULL, OPT_PSID},
        {"psid-len", required_argument, NULL, OPT_PSID_LEN},
        {"offset", required_argument, NULL, OPT_OFFSET},
        {"udp-timeout", required_argument, NULL, OPT_UDP_TO},
        {"tcp-timeout", required_argument, NULL, OPT_TCP_TO},
        {"icmp-timeout", required_argument, NULL, OPT_ICMP_TO},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
};

static int parse_file(const char *path, struct b4_opts *o);

/* A name or path option's value, kept for the whole run: a file's line buffer is not. */
static int keep(const struct b4_opts *o, const char *name, const char *arg, const char **out)
{
	if (o->in_file && (arg = strdup(arg)) == NULL) {
		fprintf(stderr, PROG ": %s: out of memory\n", name);
		return -ENOMEM;
	}
	*out = arg;
	return 0;
}

/* Applies option c with its argument arg; name is what messages call it ("--mtu", or
 * "FILE:LINE: mtu"). Returns 0, 1 to exit 0 (--help, --version), -EINVAL. */
static int apply_opt(struct b4_opts *o, int c, const char *name, const char *arg)
{
	switch (c) {
	case OPT_LOCAL:
		o->have_local = true;
		return parse_ipv6(name, arg, &o->local);
	case OPT_AFTR:
		o->have_aftr = true;
		return parse_ipv6(name, arg, &o->aftr);
	case OPT_NAME:
		if (arg[0] == '\0' || strlen(arg) >= IFNAMSIZ) {
			fprintf(stderr, PROG ": %s: 1 to %d characters: %s\n", name, IFNAMSIZ - 1,
			        arg);
			return -EINVAL;
		}
		return keep(o, name, arg, &o->name);
	case OPT_IPV4:
		o->have_ipv4 = true;
		return parse_prefix4(name, arg, &o->ipv4, &o->plen);
	case OPT_MTU:
		return parse_uint(name, arg, 68, SOFTWIRE_PKT_MAX, &o->mtu);
	case OPT_HOPS:
		return parse_uint(name, arg, 1, 255, &o->hop_limit);
	case OPT_NOROUTE:
		o->default_route = false;
		return 0;
	case OPT_STATS:
		return keep(o, name, arg, &o->stats_file);
	case OPT_DHCP:
		if (arg[0] == '\0' || strlen(arg) >= IFNAMSIZ) {
			fprintf(stderr, PROG ": %s: an interface name: %s\n", name, arg);
			return -EINVAL;
		}
		return keep(o, name, arg, &o->dhcp);
	case OPT_REFRESH:
		return parse_uint(name, arg, 1, 86400, &o->dhcp_refresh);
	case OPT_LW4O6:
		o->lw4o6 = true;
		return 0;
	case OPT_PSID:
	case OPT_PSID_LEN:
	case OPT_OFFSET:
		o->have_psid = true;
		return parse_uint(name, arg, 0,
		                  c == OPT_PSID     ? 65535
		                  : c == OPT_OFFSET ? 15
		                                    : 16,
		                  c == OPT_PSID     ? &o->psid
		                  : c == OPT_OFFSET ? &o->offset
		                                    : &o->psid_len);
	case OPT_UDP_TO: /* RFC 4787 REQ-5: at least 2 minutes */
		o->have_timeouts = true;
		return parse_uint(name, arg, 120, 86400, &o->timeouts.udp);
	case OPT_TCP_TO: /* RFC 5382 REQ-5: at least 2 hours 4 minutes */
		o->have_timeouts = true;
		return parse_uint(name, arg, 7440, 604800, &o->timeouts.tcp);
	case OPT_ICMP_TO: /* RFC 5508 REQ-1: at least 60 seconds */
		o->have_timeouts = true;
		return parse_uint(name, arg, 60, 86400, &o->timeouts.icmp);
	case OPT_CONFIG:
		return parse_file(arg, o);
	case 'h':
		usage(stdout);
		return 1;
	case OPT_VERSION:
		printf(PROG " " AFTR_VERSION "\n");
		return 1;
	default: /* getopt_long() said what was wrong */
		return -EINVAL;
	}
}

/* One line of a --config file: "name [value]", blanks around, '#' starts a comment. */
static int parse_line(struct b4_opts *o, char *line, const char *where)
{
	char *name, *value, *end, what[PATH_MAX + 64];
	const struct option *opt;

	if ((end = strchr(line, '#')) != NULL)
		*end = '\0';
	for (name = line; isspace((unsigned char)*name); name++)
		;
	end = name + strlen(name);
	while (end > name && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (*name == '\0')
		return 0;
	for (value = name; *value && !isspace((unsigned char)*value); value++)
		;
	if (*value != '\0')
		*value++ = '\0';
	while (isspace((unsigned char)*value))
		value++;
	for (opt = opts; opt->name && strcmp(opt->name, name) != 0; opt++)
		;
	snprintf(what, sizeof(what), "%s: %s", where, name);
	if (!opt->name || opt->val == OPT_CONFIG || opt->val == 'h' || opt->val == OPT_VERSION) {
		fprintf(stderr, PROG ": %s: %s\n", what,
		        opt->name ? "not allowed in a file" : "unknown option");
		return -EINVAL;
	}
	if ((opt->has_arg == required_argument) != (*value != '\0')) {
		fprintf(stderr, PROG ": %s: %s\n", what,
		        *value ? "takes no value" : "needs a value");
		return -EINVAL;
	}
	return apply_opt(o, opt->val, what, value);
}

/* --config FILE: the long options, one a line, in order (later ones win, as on the command
 * line; the command line's after --config override the file's). */
static int parse_file(const char *path, struct b4_opts *o)
{
	char line[1024], where[PATH_MAX + 16];
	unsigned int lineno = 0;
	FILE *f;
	int ret = 0;

	if (o->in_file) {
		fprintf(stderr, PROG ": %s: config: not allowed in a file\n", path);
		return -EINVAL;
	}
	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, PROG ": --config %s: %s\n", path, strerror(errno));
		return -EINVAL;
	}
	o->in_file = true;
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		snprintf(where, sizeof(where), "%s:%u", path, ++lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, PROG ": %s: longer than %zu characters\n", where,
			        sizeof(line) - 2);
			ret = -EINVAL;
		} else {
			ret = parse_line(o, line, where);
		}
	}
	if (ret == 0 && ferror(f)) {
		fprintf(stderr, PROG ": --config %s: read error\n", path);
		ret = -EINVAL;
	}
	fclose(f);
	o->in_file = false;
	return ret;
}

/* What the options mean together. Returns 0 or -EINVAL. */
static int check_lw4o6(const struct b4_opts *o)
{
	struct psid_params ps = {(uint8_t)o->offset, (uint8_t)o->psid_len, (uint16_t)o->psid};
	char err[128];

	if (!o->lw4o6) {
		if (o->have_psid || o->have_timeouts) {
			fprintf(stderr, PROG ": --psid, --psid-len, --offset and the timeouts need "
			                     "--lw4o6\n");
			return -EINVAL;
		}
		return 0;
	}
	if (o->dhcp) {
		if (o->have_psid || o->have_ipv4) {
			fprintf(stderr,
			        PROG ": --lw4o6 with --dhcp takes the address and port set from "
			             "DHCPv6: no --ipv4, --psid, --psid-len or --offset\n");
			return -EINVAL;
		}
		return 0;
	}
	if (!o->have_ipv4 || o->plen != 32) {
		fprintf(stderr, PROG ": --lw4o6: --ipv4 ADDR (the public address, /32) is "
		                     "required\n");
		return -EINVAL;
	}
	if (psid_params_validate(&ps, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": --lw4o6: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

/* Returns 0 to run, 1 to exit 0 (--help, --version), -EINVAL to exit 1. */
static int parse_args(int argc, char **argv, struct b4_opts *o)
{
	char name[64];
	int c, idx = 0, ret = 0;

	while (ret == 0 && (c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		snprintf(name, sizeof(name), "--%s",
		         c == 'h' || c == '?' ? "help" : opts[idx].name);
		ret = apply_opt(o, c, name, optarg);
	}
	if (ret != 0)
		goto out;
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument: %s\n", argv[optind]);
		ret = -EINVAL;
	} else if (!o->have_local || (!o->have_aftr && !o->dhcp)) {
		fprintf(stderr, PROG ": %s is required\n",
		        o->have_local ? "--aftr or --dhcp" : "--local");
		ret = -EINVAL;
	} else if (o->have_aftr && o->dhcp) {
		fprintf(stderr, PROG ": --aftr or --dhcp, not both\n");
		ret = -EINVAL;
	} else if (o->dhcp_refresh && !o->dhcp) {
		fprintf(stderr, PROG ": --dhcp-refresh needs --dhcp\n");
		ret = -EINVAL;
	} else if (o->have_aftr && IN6_ARE_ADDR_EQUAL(&o->local.sin6_addr, &o->aftr.sin6_addr)) {
		fprintf(stderr, PROG ": --local and --aftr are the same address\n");
		ret = -EINVAL;
	} else {
		ret = check_lw4o6(o);
	}
out:
	if (ret < 0)
		fprintf(stderr, "Try '" PROG " --help'.\n");
	return ret;
}

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
	        .o = {.name = "b4tun0",
	              .plen = 29,
	              .mtu = 1460,
	              .hop_limit = 64,
	              .default_route = true},
	        .sw = {.tun_fd = -1, .raw_fd = -1},
	        .sig_fd = -1,
	};
	static const struct napt_timeouts timeouts = NAPT_TIMEOUTS_DEFAULT;
	char err[512] = "";
	bool running = false;
	int ret;

	b4.o.ipv4.s_addr = htonl(0xc0000002); /* 192.0.0.2, RFC 6333 section 5.7 */
	b4.o.offset = 6;                      /* RFC 7597 section 5.1: a = 6 by default */
	b4.o.timeouts = timeouts;
	ret = parse_args(argc, argv, &b4.o);
	if (ret != 0)
		return ret > 0 ? 0 : 1;
	b4.sw.aftr = b4.o.aftr;
	b4.sw.no_aftr = b4.o.dhcp != NULL;
	b4.prov.dhcp_fd = b4.prov.dns_fd = -1;
	b4.napt.ctr = &b4.sw.ctr;
	if (b4.o.lw4o6) {
		b4.sw.napt = &b4.napt; /* off until bound: from the options now, or DHCPv6 */
		/* The public address is the NAPT's, not the host's: the TUN keeps 192.0.0.2/29
		 * (RFC 7335), so that packets from inside to the public address (another
		 * subscriber sharing it) go to the AFTR, which hairpins them. */
		b4.o.public4 = b4.o.ipv4;
		b4.o.ipv4.s_addr = htonl(0xc0000002);
		b4.o.plen = 29;
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
	napt_free(&b4.napt);
	if (!running) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	counters_report(&b4);
	return ret < 0 ? 1 : 0;
}
