/* NAT event records (ctl_msg.h events) as the collectors take them:
 * syslog messages per RFC 5424 with structured data, one SD-ID per event
 * type (syslog5424.c), and IPFIX (RFC 7011) with RFC 8158's NAT templates
 * (ipfix.c). Pure formatting: no socket, no clock; aftr-control sends. */
#ifndef AFTR_EVFMT_H
#define AFTR_EVFMT_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"

/* Syslog severities (RFC 5424 section 6.2.1) and facilities by name. */
#define EVFMT_SEV_WARNING 4
#define EVFMT_SEV_NOTICE  5
/* The facility number (0..23) of kern, user, ... local7, or -1. */
int evfmt_facility(const char *name);

/* What every message of one sender shares. */
struct evfmt_syslog {
	int facility;        /* 0..23 */
	uint32_t enterprise; /* the SD-IDs' private enterprise number */
	char hostname[256];  /* RFC 5424 HOSTNAME ("-": unknown) */
	char procid[16];     /* the sender's pid */
};

/* The name of an event type: blockAlloc, blockFree, sessionCreate,
 * sessionDelete, subscriberAdd, subscriberDelete, quotaExceeded,
 * portsExhausted, dataplaneStart (syslog only: RFC 8158 has no such
 * event); NULL for another message. */
const char *evfmt_name(const struct ctl_msg *m);

/* One RFC 5424 message for an event, without framing: its length, or -1
 * when m is not an event or len is too small. TIMESTAMP is the record's
 * own (UTC, milliseconds), MSGID the event's name, and its structured data
 * one element whose SD-ID is that name @enterprise (README.md, "Event
 * records", lists their parameters); MSG is ISC's trace line. */
int evfmt_syslog(const struct evfmt_syslog *s, const struct ctl_msg *m, char *buf, size_t len);

/* IPFIX (RFC 7011) messages of NAT event records, with RFC 8158's
 * templates (ids EVFMT_TPL_*; README.md lists their fields). Over UDP each
 * message fits one datagram: EVFMT_IPFIX_MAX bytes (a 1500-byte path). */
#define EVFMT_IPFIX_MAX   1400
#define EVFMT_TPL_SESSION 256 /* NAT44 session create/delete (natEvent 4, 5) */
#define EVFMT_TPL_BLOCK   257 /* port block allocation/de-allocation (16, 17) */
#define EVFMT_TPL_BIND    258 /* address binding create/delete (14, 15): a B4 and its address */
#define EVFMT_TPL_QUOTA   259 /* quota exceeded (13): maximum entries per user */
#define EVFMT_TPL_PORTS   260 /* NAT ports exhausted (12) */

struct evfmt_ipfix {
	uint8_t buf[EVFMT_IPFIX_MAX];
	size_t len;       /* bytes so far, the header's 16 included */
	size_t set_off;   /* where the open set starts (0: none) */
	uint16_t set_id;  /* its id */
	uint32_t records; /* data records in the message */
};

/* Starts a message. */
void evfmt_ipfix_begin(struct evfmt_ipfix *x);
/* Adds the template set (every template): 0, or -1 when it does not fit
 * (at the start of a message it always does). */
int evfmt_ipfix_templates(struct evfmt_ipfix *x);
/* Adds m's data record: 1, 0 when the message has no room for it (send it
 * and begin another), -1 when m is not an event. */
int evfmt_ipfix_record(struct evfmt_ipfix *x, const struct ctl_msg *m);
/* Closes the message: the header (RFC 7011 section 3.1) with its export
 * time (seconds since 1970), sequence number (data records sent before it
 * in this domain) and observation domain; returns its length. */
size_t evfmt_ipfix_finish(struct evfmt_ipfix *x, uint32_t export_time, uint32_t seq,
                          uint32_t domain);

#endif
