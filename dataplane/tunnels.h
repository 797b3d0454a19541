/* Configured tunnels, found by B4 address on the packet path (ACL, pool
 * binding) with a binary search over a sorted, read-only view. */
#ifndef AFTR_TUNNELS_H
#define AFTR_TUNNELS_H

#include "config.h"

/* Builds the view of cfg's tunnels (main lcore, at start); -ENOMEM. */
int tunnels_init(const struct aftr_config *cfg);
/* Frees the view (before the configuration it points into goes). */
void tunnels_fini(void);
/* The tunnel of a B4, or NULL. Any lcore. */
const struct cfg_tunnel *tunnel_find(const struct addr6 *b4);

#endif
