/* DPDK ports: probing a device named in the configuration (a PCI address
 * or a virtual device spec), queues for the workers, start and stop. */
#ifndef AFTR_PORT_H
#define AFTR_PORT_H

#include "dp.h"

/* Probes and configures one port; on error writes why into err and
 * returns -errno. what is "transport" or "wan", for messages. */
int port_setup(struct dp_port *p, const char *what, const struct cfg_iface *iface,
               unsigned int nworkers, char *err, size_t errlen);
/* The interface p on the device of with (one-port mode): its own MTU,
 * VLAN and MAC (added to the device's when it differs). */
int port_share(struct dp_port *p, const struct dp_port *with, const char *what,
               const struct cfg_iface *iface);
void port_close(struct dp_port *p);
/* The transport port's RSS programmed to follow B4 ownership, and
 * dp.conf.rss to match (port_rss.c), when it has a queue per worker. */
void port_rss_owners(const struct dp_port *p, unsigned int nworkers);

#endif
