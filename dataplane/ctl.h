/* A worker's side of the control rings (ctl_msg.h): applying commands
 * between bursts, and sending events. Worker threads only. */
#ifndef AFTR_CTL_H
#define AFTR_CTL_H

#include <stdint.h>

#include "ctl_msg.h"
#include "dp.h"

/* Applies the commands waiting for this worker and acknowledges each. */
void ctl_poll(struct dp_worker *w);
/* A port-block event (nat_events: blocks); first is the block's first port. */
void ctl_block_event(struct dp_worker *w, bool alloc, const struct addr6 *b4, uint32_t pool_host,
                     uint8_t proto, uint16_t first, uint16_t count);

#endif
