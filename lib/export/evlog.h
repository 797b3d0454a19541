/* The AFTR's own event log (README.md, "Answering an abuse request"):
 * every NAT event record, as the dataplane sent it (a struct ctl_msg of 64
 * bytes, host byte order), appended to files of a directory that
 * aftr-control rotates; each file closed gets a sorted index, so that
 * "who had this public address and port at that time" is a few binary
 * searches however long the log. Pure file I/O: aftr-control writes
 * (control/events/evlog.c), aftrctl and the API read.
 *
 * Files: ev-<ms>.evl (ms: milliseconds since 1970, UTC, when it was
 * begun, 13 digits: names sort by time), a 16-byte header EVLOG_MAGIC then
 * records; ev-<ms>.idx, its index: header EVLOG_IDX_MAGIC then struct
 * evlog_key entries in evlog_key_cmp order. */
#ifndef AFTR_EVLOG_H
#define AFTR_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"

#define EVLOG_MAGIC     "aftr-evlog 1\n\0\0" /* 16 bytes with its NUL */
#define EVLOG_IDX_MAGIC "aftr-evidx 1\n\0\0"
#define EVLOG_HDR       16

/* What a record says about a public address and port: a port block or a
 * session (kind), and when. 24 bytes. */
struct evlog_key {
	uint32_t addr;  /* the public address, network order */
	uint8_t kind;   /* EVLOG_BLOCK or EVLOG_SESSION */
	uint8_t proto;  /* IPPROTO_TCP, _UDP, _ICMP */
	uint16_t first; /* the block's first port, the session's public port */
	uint16_t count; /* ports (1 for a session) */
	uint16_t type;  /* enum ctl_type: alloc/free, add/del */
	uint32_t rec;   /* the record's number in its file */
	uint64_t time_ms;
};
#define EVLOG_BLOCK   0
#define EVLOG_SESSION 1
#define EVLOG_DP      2 /* a dataplane's start (addr 0): every state before it is gone */

/* The path of dir's file begun at ms, of extension ext ("evl", "idx"). */
void evlog_path(char *buf, size_t len, const char *dir, uint64_t ms, const char *ext);

/* Its key, if the record is a block or session event: true. */
bool evlog_key_of(const struct ctl_msg *m, uint32_t rec, struct evlog_key *k);
/* By address, kind, protocol, first port, time. */
int evlog_key_cmp(const void *a, const void *b);

/* Writes the index of the records file evl (PATH.evl -> PATH.idx, by a
 * temporary and a rename): 0, or -errno. */
int evlog_index(const char *evl);

/* One protocol's answer: the block event (and, with session records, the
 * session event) in force at the time asked, and what ended it. */
struct evlog_hit {
	bool block;            /* a block allocated and not released at that time */
	struct ctl_msg alloc;  /* its CTL_EVT_BLOCK_ALLOC */
	uint64_t released_ms;  /* its release after that time (0: none logged) */
	bool session;          /* a session on that very port then */
	struct ctl_msg create; /* its CTL_EVT_NAT_ADD */
	uint64_t ended_ms;     /* its deletion (0: none logged) */
};

/* Who held public address addr (network order), port, protocol proto
 * (IPPROTO_*) at at_ms, by the logs in dir: hit filled, 1 when a block
 * or a session was held, 0 when none, -errno (no such directory). A
 * block allocated before the start of the dataplane that ran at at_ms
 * (its CTL_EVT_DP_START record) was lost with the earlier one's state:
 * not held. */
int evlog_who(const char *dir, uint32_t addr, uint16_t port, uint8_t proto, uint64_t at_ms,
              struct evlog_hit *hit);

/* A time as an abuse request gives it: RFC 3339 in UTC
 * ("2026-12-03T14:02:11Z", a fraction of a second allowed, "+00:00" too)
 * or seconds since 1970: milliseconds since 1970, or -1. */
int64_t evlog_parse_time(const char *s);
/* ms as "2026-12-03T14:02:11.042Z" (buf: 32 bytes or more); buf. */
char *evlog_format_time(uint64_t ms, char *buf, size_t len);

/* The log files of dir ("ev-<ms>.evl"), sorted by time: their begin times
 * in ms[] (malloc'd, the caller frees); the count or -errno. */
int evlog_files(const char *dir, uint64_t **ms);

#endif
