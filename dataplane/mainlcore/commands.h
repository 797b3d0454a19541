/* The dataplane's side of the control rings (ctl_msg.h): workers apply
 * their commands between bursts and send events; the main lcore takes the
 * commands about shared state (the live tables). */
#ifndef AFTR_COMMANDS_H
#define AFTR_COMMANDS_H

#include <stdint.h>

#include "ctl_msg.h"
#include "dp.h"

/* Applies the commands waiting for this worker and acknowledges each;
 * returns how many. */
unsigned int ctl_poll(struct dp_worker *w);
/* Main lcore: applies its waiting commands; returns how many. */
unsigned int ctl_main_poll(void);
/* The worker's event ring takes m (its worker and time filled); a full
 * ring counts it lost (events_lost). events.c. */
void ctl_send_event(struct dp_worker *w, struct ctl_msg *m);
/* A session as a message's u.sess. */
struct dp_session;
void ctl_sess_fields(const struct dp_worker *w, struct ctl_msg *m, const struct dp_session *se);
/* A session made or ended (nat_events: sessions), a subscriber's NAT
 * state made or gone (nat_events: blocks or sessions). */
struct dp_session;
void ctl_session_event(struct dp_worker *w, bool add, const struct dp_session *se);
void ctl_tunnel_event(struct dp_worker *w, bool add, const struct addr6 *b4, uint32_t pool_host);
/* A subscriber at one of its limits (CTL_EVT_QUOTA: kind, limit), or
 * its pool address out of port blocks (CTL_EVT_EXHAUSTED); the caller
 * keeps these to one a second a subscriber. */
void ctl_limit_event(struct dp_worker *w, enum ctl_type type, const struct addr6 *b4,
                     uint32_t pool_host, uint8_t proto, enum ctl_quota kind, uint32_t limit);
/* A port-block event (nat_events: blocks); first is the block's first port. */
void ctl_block_event(struct dp_worker *w, bool alloc, const struct addr6 *b4, uint32_t pool_host,
                     uint8_t proto, uint16_t first, uint16_t count);

#endif
