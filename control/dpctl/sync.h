/* Keeping the dataplane programmed: a thread, woken by each change, that
 * sends the dataplane's main lcore (dpctl.h) the change records since the
 * generation it runs (a delta), or the whole effective configuration (a
 * new dataplane, a reload, a refused delta), and what the API waits on to
 * say a change is in effect. */
#ifndef AFTR_SYNC_H
#define AFTR_SYNC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct state;
struct dpctl;
struct sync;

struct sync *sync_start(struct state *s, struct dpctl *dp);
void sync_stop(struct sync *y);

/* Waits until the dataplane runs generation gen or a later one: 0;
 * -ENOENT when no dataplane runs (it gets the state when one starts);
 * -ETIMEDOUT; -EINVAL when it refused it, with why. */
int sync_wait(struct sync *y, uint64_t gen, unsigned int timeout_ms, char *why, size_t len);

/* {"dataplane": "programmed"|"pending"|"refused"|"none", "generation": N,
 *  "wanted": N, "error": ...} for the health resource. */
json_t *sync_json(struct sync *y);

#endif
