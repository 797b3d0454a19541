/* The AFTR's BGP announcements follow the dataplane's health (RFC 6333's
 * AFTR behind anycast, several boxes announcing one endpoint address): a
 * BIRD 2 beside aftr-control holds them in its own protocols (the
 * endpoint addresses towards the B4s' routers, the pools and stateless
 * prefixes towards the Internet's), and aftr-control disables those
 * protocols through BIRD's control socket while the dataplane is unhealthy
 * (none running, or a worker not answering its ring: bgp.down_after looks
 * in a row, one every bgp.check_interval_ms), which withdraws the routes,
 * and enables them again once it answers. BIRD's own BGP (and BFD) takes
 * care of a box that is gone altogether. One thread. */
#ifndef AFTR_BGP_ANNOUNCE_H
#define AFTR_BGP_ANNOUNCE_H

#include <jansson.h>

#include "config.h"

struct dpctl;
struct bgp_announce;

/* Starts following (bgp.bird_socket set), else NULL; whether the box is
 * drained is kept in state_dir/bgp.json across restarts. */
struct bgp_announce *bgp_start(const struct aftr_config *cfg, struct dpctl *dp,
                               const char *state_dir);
void bgp_stop(struct bgp_announce *b);

/* GET /api/v1/bgp: configured or not, announcing or withdrawn (or
 * unknown: BIRD not reached yet), the last change, the counts of
 * withdrawals, restorations and BIRD errors, the last error. */
json_t *bgp_json(struct bgp_announce *b);

/* An operator's drain: withdrawn whatever the dataplane's health until
 * undrained (to take the box out of its anycast group). 0, or -errno when
 * it could not be saved (then nothing changed). */
int bgp_drain(struct bgp_announce *b, bool drain);

#endif
