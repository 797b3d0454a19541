/* A box that follows another's run-time lists (cluster.follow): the boxes
 * of an anycast group hold the same stateless bindings (softwires, prr,
 * nonat, and the tunnels, acl6 and private lists unless cluster.kinds
 * says otherwise), so a B4 the routers move to another box keeps working.
 * One box, the leader, takes the operators' changes; each follower's
 * thread reads the leader's change records over its API
 * (GET /api/v1/changes, a long poll) and makes the same changes in its
 * own desired state, journaled like an operator's, so a follower restarts
 * with them whether or not the leader answers; one that fell behind (or
 * whose leader restarted or reloaded its file) reads the leader's lists
 * whole and makes its own the same. The follower's API refuses changes to
 * the kinds it follows (409): they are the leader's.
 *
 * Where it is: STATE_DIR/cluster.json (the leader's state origin and
 * the generation of it applied). */
#ifndef AFTR_CLUSTER_FOLLOW_H
#define AFTR_CLUSTER_FOLLOW_H

#include <jansson.h>
#include <stdbool.h>

#include "cfg_kinds.h"
#include "config.h"

struct cluster;
struct state;

/* Starts following cfg's cluster.follow: NULL with err empty when the
 * configuration asks for none, NULL with err set when it cannot start. */
struct cluster *cluster_start(const struct aftr_config *cfg, struct state *st,
                              const char *state_dir, char *err, size_t errlen);
void cluster_stop(struct cluster *c);

/* Whether kind k is the leader's (c may be NULL: none is). */
bool cluster_follows(const struct cluster *c, enum cfg_kind k);
const char *cluster_leader(const struct cluster *c);
/* GET /api/v1/cluster's body (c NULL: this box follows nobody). */
json_t *cluster_json(const struct cluster *c, struct state *st);

#endif
