/* The PCP server (RFC 6887) of aftr-control, for NAPT subscribers: hosts
 * behind a B4 (or the B4 for them, with THIRD_PARTY) ask for inbound
 * mappings (MAP) or for their outbound ones (PEER). Requests come over
 * the shared region's packet ring (the dataplane passes up UDP to the
 * AFTR's 192.0.0.1, port 5351, inside a softwire: ctl_pkt.h) and answers
 * go back the same way into the softwire. The server checks the request
 * (lib/net/pcp.c), decides the lifetime (pcp.min_lifetime to
 * pcp.max_lifetime), checks the nonce of a mapping it made, and has the
 * B4's owning worker make it (CTL_CMD_PCP: a session in the subscriber's
 * own port block, within its quotas). Its epoch (section 8.5) counts from
 * the dataplane's start: a new dataplane has none of the mappings, so the
 * server sends each client it knew an ANNOUNCE (section 14.1.3) and they
 * map again. Each refusal is counted by result and logged once per client
 * and result. One thread; the API reads its state under a lock. */
#ifndef AFTR_PCP_SERVER_H
#define AFTR_PCP_SERVER_H

#include <jansson.h>

#include "config.h"

struct dpctl;
struct pcp_server;

/* Starts the server when the configuration turns it on (pcp.daemon enable
 * or encapsulate; else NULL, and err empty), its record in
 * state_dir/pcp.json. NULL with err set on failure. */
struct pcp_server *pcp_start(const struct aftr_config *cfg, struct dpctl *dp, const char *state_dir,
                             char *err, size_t errlen);
void pcp_stop(struct pcp_server *s);

/* GET /api/v1/pcp: on or off, the epoch, the counters (by opcode and
 * result), and the mappings. s may be NULL (off). */
json_t *pcp_json(struct pcp_server *s);

#endif
