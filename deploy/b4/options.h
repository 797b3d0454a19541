/*
 * The software B4's options: the command line and --config files (options.c). One struct holds
 * what they say; aftr-b4.c acts on it.
 */
#ifndef AFTR_B4_OPTIONS_H
#define AFTR_B4_OPTIONS_H

#include <netinet/in.h>
#include <stdbool.h>

#include "napt.h"

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
	bool in_file;      /* options being read from --config */
	unsigned int kept; /* OPT_KEPT_*: which strings are copies of a file's (options_free) */
};

#define OPT_KEPT_NAME  0x1u
#define OPT_KEPT_STATS 0x2u
#define OPT_KEPT_DHCP  0x4u

/*
 * Fills o from the command line (and the --config files it names), defaults first, and checks
 * what the options mean together; errors are said on stderr. With --lw4o6, --ipv4 is the
 * binding's (public4) and the TUN keeps 192.0.0.2/29. Returns 0 to run, 1 to exit 0 (--help,
 * --version), -EINVAL or -ENOMEM to exit 1.
 */
int options_parse(int argc, char **argv, struct b4_opts *o);

/* Frees the strings options_parse() copied from --config files. */
void options_free(struct b4_opts *o);

#endif /* AFTR_B4_OPTIONS_H */
