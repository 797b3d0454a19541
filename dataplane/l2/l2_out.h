/* Ethernet out (nodes tr_tx and wan_tx): the next hop and its MAC. */
#ifndef AFTR_L2_OUT_H
#define AFTR_L2_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* The next hop towards a destination (itself when on-link, else the
 * gateway); false when there is none (WAN: off-link and no gateway). */
bool dp_nexthop4(uint32_t dst_host, struct addr6 *nh);
bool dp_nexthop6(const uint8_t dst[16], struct addr6 *nh);

#endif
