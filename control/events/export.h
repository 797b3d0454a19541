/* Where NAT event records go (logging in the configuration): ISC's trace
 * lines to stderr or syslog(3), and each of logging.exporters, syslog
 * per RFC 5424 over UDP (RFC 5426), TCP (RFC 6587 octet counting) or a
 * local socket, and IPFIX over UDP (RFC 7011). Called from the thread
 * that drains the event rings (dpctl.c) only, but for the counters. */
#ifndef AFTR_EXPORT_H
#define AFTR_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "ctl_msg.h"

struct events;

/* Opens every exporter of cfg (which must outlive them) and the event
 * log (logging.event_log; its default folder state_dir/events): NULL with
 * the reason in err when one cannot be set up or its collector cannot be
 * reached (a TCP or local socket refusing the connection, no route). */
struct events *events_open(const struct aftr_config *cfg, const char *state_dir, char *err,
                           size_t len);
/* The event log's folder, or NULL when it is off. */
const char *events_log_dir(const struct events *ev);
void events_close(struct events *ev);

/* An event record from the dataplane (checked: ctl_msg_check). */
void events_put(struct events *ev, const struct ctl_msg *m);
/* After a pass over the rings: IPFIX messages out, templates when due,
 * a broken TCP connection or a vanished local socket opened again
 * (every few seconds). */
void events_flush(struct events *ev);

/* Each exporter's counters, as a JSON array of {type, transport,
 * destination, records, lost, errors}: records sent, records lost (not
 * sent, or sent on a connection that broke), send errors; the event log
 * last (type "log", transport "file"). */
json_t *events_stats(struct events *ev);

#endif
