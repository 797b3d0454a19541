/* The software B4's options: the command line and --config files; see options.h. */
#include "options.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portset.h"
#include "softwire.h"

#ifndef AFTR_VERSION
#define AFTR_VERSION "unknown"
#endif

#define PROG "aftr-b4"

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

/* A name or path option's value (field is OPT_KEPT_*), kept for the whole run: a file's line
 * buffer is not, so a file's value is copied (and a copy it replaces freed). */
static int keep(struct b4_opts *o, unsigned int field, const char *name, const char *arg,
                const char **out)
{
	if (o->in_file && (arg = strdup(arg)) == NULL) {
		fprintf(stderr, PROG ": %s: out of memory\n", name);
		return -ENOMEM;
	}
	if (o->kept & field)
		free((char *)*out);
	o->kept = o->in_file ? o->kept | field : o->kept & ~field;
	*out = arg;
	return 0;
}

void options_free(struct b4_opts *o)
{
	if (o->kept & OPT_KEPT_NAME)
		free((char *)o->name);
	if (o->kept & OPT_KEPT_STATS)
		free((char *)o->stats_file);
	if (o->kept & OPT_KEPT_DHCP)
		free((char *)o->dhcp);
	o->kept = 0;
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
		return keep(o, OPT_KEPT_NAME, name, arg, &o->name);
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
		return keep(o, OPT_KEPT_STATS, name, arg, &o->stats_file);
	case OPT_DHCP:
		if (arg[0] == '\0' || strlen(arg) >= IFNAMSIZ) {
			fprintf(stderr, PROG ": %s: an interface name: %s\n", name, arg);
			return -EINVAL;
		}
		return keep(o, OPT_KEPT_DHCP, name, arg, &o->dhcp);
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

int options_parse(int argc, char **argv, struct b4_opts *o)
{
	static const struct napt_timeouts timeouts = NAPT_TIMEOUTS_DEFAULT;
	int ret;

	*o = (struct b4_opts){.name = "b4tun0",
	                      .plen = 29,
	                      .mtu = 1460,
	                      .hop_limit = 64,
	                      .default_route = true,
	                      .offset = 6, /* RFC 7597 section 5.1: a = 6 by default */
	                      .timeouts = timeouts};
	o->ipv4.s_addr = htonl(0xc0000002); /* 192.0.0.2, RFC 6333 section 5.7 */
	ret = parse_args(argc, argv, o);
	if (ret == 0 && o->lw4o6) {
		/* The public address is the NAPT's, not the host's: the TUN keeps 192.0.0.2/29
		 * (RFC 7335), so that packets from inside to the public address (another
		 * subscriber sharing it) go to the AFTR, which hairpins them. */
		o->public4 = o->ipv4;
		o->ipv4.s_addr = htonl(0xc0000002);
		o->plen = 29;
	}
	return ret;
}
