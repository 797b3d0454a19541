/* DPDK ports: probing a device named in the configuration (a PCI address
 * or a virtual device spec), queues for the workers, start and stop. */
#ifndef AFTR_PORT_H
#define AFTR_PORT_H

#include "dp.h"

/* Probes and configures one port; on error writes why into err and
 * returns -errno. what is "transport" or "wan", for messages. */
int port_setup(struct dp_port *p, const char *what, const struct cfg_iface *iface,
               unsigned int nworkers, char *err, size_t errlen);
void port_close(struct dp_port *p);

#endif
