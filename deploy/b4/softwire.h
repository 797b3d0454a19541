/*
 * The softwire: the packet path of the software B4 between the TUN device and the AFTR,
 * through a raw IPv6 socket with next header 4 (IPv4-in-IPv6, RFC 2473). One thread owns a
 * struct softwire and everything in it; nothing here blocks for more than a second.
 */
#ifndef AFTR_B4_SOFTWIRE_H
#define AFTR_B4_SOFTWIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "counters.h"
#include "napt.h"

/* Largest IPv4 packet, and largest IPv6 payload without jumbograms. */
#define SOFTWIRE_PKT_MAX 65535

struct softwire {
	int tun_fd;               /* the TUN device, non-blocking, IFF_NO_PI */
	int raw_fd;               /* from softwire_open() */
	struct sockaddr_in6 aftr; /* destination of what we send, the only source we accept */
	bool no_aftr;             /* not known yet (--dhcp): what the TUN gives is dropped */
	struct napt *napt;        /* --lw4o6: translate into the port set (napt.h), or NULL */
	struct b4_counters ctr;
};

/*
 * Opens the raw IPv6 socket (protocol 4) bound to local, with the outer hop limit, IPv6
 * fragmentation to the path MTU, and the received traffic class reported.
 * Returns the fd, or -errno with err set.
 */
int softwire_open(const struct sockaddr_in6 *local, unsigned int hop_limit, char *err,
                  size_t errlen);

/*
 * Encapsulates up to a burst of IPv4 packets read from the TUN and sends them to the AFTR.
 * Returns 0, or -errno when the TUN device is gone.
 */
int softwire_tx_burst(struct softwire *sw);

/* Decapsulates up to a burst of packets received from the AFTR and writes them to the TUN. */
void softwire_rx_burst(struct softwire *sw);

#endif /* AFTR_B4_SOFTWIRE_H */
