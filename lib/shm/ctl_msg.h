/* Messages between aftr-control and the dataplane workers, carried by the
 * rings of the shared region (stats_shm.h): commands (control -> a worker)
 * and events (a worker -> control: acknowledgements carrying the command's
 * sequence number, port blocks allocated and freed).
 *
 * Fixed 64-byte elements, host byte order except where a field says
 * network order; CTL_MSG_VERSION changes with any change of layout, and the
 * region's layout version with it. */
#ifndef AFTR_CTL_MSG_H
#define AFTR_CTL_MSG_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MSG_VERSION     6
#define CTL_MSG_SIZE        64
#define CTL_DUMP_END        UINT32_MAX
#define CTL_PCP_SERVER_PORT 5351 /* RFC 6887 section 19.1 */

enum ctl_type {
	/* Commands. */
	CTL_CMD_NOOP = 1,    /* ISC "noop": the worker answers, proving it runs */
	CTL_CMD_SESSIONS,    /* u.dump: list sessions as CTL_EVT_SESSION, then ack */
	CTL_CMD_TABLES,      /* u.tables: (main lcore) load the live tables from the tables file */
	CTL_CMD_SUBSCRIBERS, /* u.dump (b4, ext): list subscribers, each with its blocks */
	CTL_CMD_DELTA,       /* u.tables: (main lcore) apply the delta file's change records */
	CTL_CMD_POOLS,       /* u.dump (cursor): the worker's share of each pool, CTL_EVT_POOL */
	CTL_CMD_CLEAR,   /* u.dump (b4 required): end matching sessions, each a CTL_EVT_SESSION */
	CTL_CMD_B4DROPS, /* u.dump (cursor, b4): the B4s of the worker's drop table, CTL_EVT_B4DROPS
	                  */
	CTL_CMD_B4,      /* u.dump (b4 or none): what the worker knows of a B4, one CTL_EVT_B4 */
	CTL_CMD_PCP,     /* u.pcp: make, renew or delete a PCP mapping (RFC 6887) of a B4 the
	                  * worker owns: one CTL_EVT_PCP (same seq, its result), then the ack */
	/* Events. */
	CTL_EVT_ACK = 64,    /* u.ack: a command's result */
	CTL_EVT_BLOCK_ALLOC, /* u.block: a subscriber got a port block */
	CTL_EVT_BLOCK_FREE,  /* u.block: it gave the block back */
	CTL_EVT_SESSION,     /* u.sess: one session, for a CTL_CMD_SESSIONS (same seq) */
	CTL_EVT_SUBSCRIBER,  /* u.subs: one subscriber, for a CTL_CMD_SUBSCRIBERS */
	CTL_EVT_BLOCK,       /* u.block: one of that subscriber's port blocks (it follows) */
	CTL_EVT_NAT_ADD,     /* u.sess: a session was made (nat_events: sessions) */
	CTL_EVT_NAT_DEL,     /* u.sess: a session ended (nat_events: sessions) */
	CTL_EVT_TUNNEL_ADD,  /* u.subs (b4, addr): a B4 got NAT state (nat_events: on) */
	CTL_EVT_TUNNEL_DEL,  /* u.subs (b4, addr): it has none left */
	CTL_EVT_QUOTA,       /* u.limit: a subscriber at its limit (RFC 8158 quota exceeded) */
	CTL_EVT_EXHAUSTED,   /* u.limit: the pool address has no port block left */
	/* aftr-control's own, never on a ring: it follows a dataplane that
	 * started at u.dp.start_ms (time_ms too); every NAT state of an
	 * earlier one is gone (evlog.h). */
	CTL_EVT_DP_START,
	CTL_EVT_POOL,      /* u.pool: a worker's share of one pool address and protocol */
	CTL_EVT_B4DROPS,   /* u.b4drops: a B4's drops on the worker, its reasons follow */
	CTL_EVT_B4REASONS, /* u.b4reasons: up to 4 of its drop reasons and their counts */
	CTL_EVT_B4,        /* u.b4: for a CTL_CMD_B4 */
	CTL_EVT_PCP,       /* u.pcp: a PCP mapping made, renewed, deleted (a CTL_CMD_PCP's
	                    * seq) or expired (seq 0), or a command's refusal */
};

/* u.pcp.op: what a CTL_CMD_PCP asks, what a CTL_EVT_PCP says was done. */
enum ctl_pcp_op {
	CTL_PCP_MAP =
	        1,    /* command: MAP (RFC 6887 section 11): inbound from anyone (or the filters) */
	CTL_PCP_PEER, /* command: PEER (section 12): the mapping of an outbound flow */
	CTL_PCP_ADD,  /* event: a mapping made */
	CTL_PCP_RENEW,   /* event: an existing one renewed (its lifetime, filters) */
	CTL_PCP_DEL,     /* event: deleted by its client (lifetime 0) */
	CTL_PCP_EXPIRE,  /* event: its lifetime ran out (the session may live on, idle-timed) */
	CTL_PCP_REFUSED, /* event: refused (result says why) */
};
#define CTL_PCP_PREFER_FAILURE 0x01 /* u.pcp.flags: this port or none (section 13.2) */
#define CTL_PCP_FILTER         0x02 /* inbound only from remote[]/rport[] (section 13.3) */
#define CTL_PCP_STATIC         0x04 /* event: a static mapping (ISC "nat") answered */
/* An EXPIRE or DEL event the dataplane sends on its own (seq 0): which of
 * the session's mappings ended (a MAP and a PEER of one internal endpoint
 * are two mappings in one session, each with its own end). */
#define CTL_PCP_ENDS_MAP  0x08
#define CTL_PCP_ENDS_PEER 0x10
#define CTL_PCP_FILTERS   2 /* remotes a command carries */

/* u.limit.kind of a CTL_EVT_QUOTA: which of a subscriber's limits (the
 * first two are RFC 8158's "maximum entries per user"). */
enum ctl_quota {
	CTL_QUOTA_SESSIONS = 1, /* sessions of a protocol (nat_maxcount) */
	CTL_QUOTA_BLOCKS,       /* port blocks of a protocol (nat.max_blocks) */
	CTL_QUOTA_RATE,         /* new sessions a second of a protocol (nat_rate; not RFC 8158's) */
};

struct ctl_msg {
	uint16_t type;    /* enum ctl_type */
	uint16_t worker;  /* the worker it comes from or goes to */
	uint32_t seq;     /* a command's number; an ack repeats it */
	uint64_t time_ms; /* events: when it happened, milliseconds since 1970 (UTC) */
	union {
		struct {
			int32_t result; /* 0 or -errno */
			uint32_t next;  /* sessions: where to go on, CTL_DUMP_END when done */
			char text[40];  /* why, when result < 0 (NUL-terminated, maybe cut) */
		} ack;
		struct {
			uint64_t gen;  /* the generation the file must carry */
			uint64_t base; /* CTL_CMD_DELTA: the generation it applies to */
		} tables;
		struct {
			uint32_t cursor; /* session slot to start at */
			uint16_t max;    /* sessions to send at most */
			uint8_t proto;   /* 0: any */
			uint8_t has_b4;
			uint8_t b4[16];
			uint32_t ext;   /* pool address, network order; 0: any */
			uint16_t eport; /* host order; 0: any */
		} dump;
		struct {
			uint8_t b4[16];
			uint32_t src, ext;     /* network order */
			uint16_t sport, eport; /* host order */
			uint8_t proto, state;
			uint32_t expires_in; /* seconds */
			uint32_t dst;        /* its first destination, network order */
			uint16_t dport;      /* host order */
		} sess;
		struct {
			uint8_t b4[16];
			uint32_t addr;       /* its pool address, network order */
			uint32_t nsess[3];   /* dynamic sessions: tcp, udp, icmp */
			uint16_t nblocks[3]; /* port blocks held: tcp, udp, icmp */
		} subs;
		struct {
			uint8_t b4[16]; /* the subscriber */
			uint32_t addr;  /* pool address, network order */
			uint16_t first; /* first port (or echo id), host order */
			uint16_t count; /* ports in the block */
			uint8_t proto;  /* IPPROTO_TCP, _UDP, _ICMP */
		} block;
		struct {
			uint8_t b4[16]; /* the subscriber */
			uint32_t addr;  /* its pool address, network order */
			uint32_t limit; /* CTL_EVT_QUOTA: the limit reached */
			uint8_t proto;  /* IPPROTO_TCP, _UDP, _ICMP */
			uint8_t kind;   /* CTL_EVT_QUOTA: enum ctl_quota */
		} limit;
		struct {
			uint32_t addr;        /* pool address, network order */
			uint32_t blocks;      /* the worker's port blocks of it */
			uint32_t blocks_free; /* of those, held by no subscriber */
			uint32_t ports;       /* their ports */
			uint32_t ports_used;  /* of those, in use or waiting out their hold */
			uint8_t proto;        /* IPPROTO_TCP, _UDP, _ICMP */
			uint8_t draining;     /* removed by a reload: no new subscriber takes it */
			uint16_t first_port;  /* its blocks' layout (all workers'): the first */
			uint16_t block_size;  /* port, ports a block */
			uint32_t blocks_all;  /* and how many */
		} pool;
		struct {
			uint8_t b4[16];
			uint64_t total;   /* its drops on this worker since since_s */
			uint32_t since_s; /* seconds since it took its place in the table */
			uint32_t last_s;  /* seconds since its last drop */
			uint8_t nreasons; /* CTL_EVT_B4REASONS that follow */
		} b4drops;
		struct {
			uint64_t count[4];
			uint8_t reason[4]; /* enum aftr_drop */
			uint8_t n;         /* of them in use */
		} b4reasons;
		struct {
			uint8_t b4[16];
			uint64_t replaced;     /* B4s that took another's place in its drop table */
			uint32_t tracked;      /* B4s its drop table holds */
			uint32_t capacity;     /* and can hold */
			uint32_t active_ago_s; /* with nat 2: since its sessions' last packet */
			uint16_t pmtu;         /* the softwire MTU learned towards it, or 0 */
			uint8_t nat; /* 0: no NAT state here, 1: no live session, 2: some */
		} b4;
		struct {
			uint8_t b4[16];
			uint32_t src; /* internal address, network order */
			uint32_t ext; /* external address (event), network order */
			uint32_t
			        remote[CTL_PCP_FILTERS]; /* FILTER or PEER remotes, network order */
			uint16_t rport[CTL_PCP_FILTERS]; /* host order; 0: any port */
			uint16_t sport;                  /* internal port, host order */
			uint16_t eport;    /* external port: suggested (command), given (event) */
			uint32_t lifetime; /* seconds: asked (0 deletes), granted (event) */
			uint8_t proto;     /* IPPROTO_TCP, _UDP */
			uint8_t op;        /* enum ctl_pcp_op */
			uint8_t flags;     /* CTL_PCP_* */
			uint8_t result;    /* event: an RFC 6887 result code (0: success) */
		} pcp;
		struct {
			uint64_t generation; /* the region's (stats_shm.h) */
			uint64_t start_ms;   /* when it started, ms since 1970 */
			int32_t pid;
		} dp;
		uint8_t raw[48];
	} u;
};

_Static_assert(sizeof(struct ctl_msg) == CTL_MSG_SIZE, "ring elements are 64 bytes");

/* The tables file of CTL_CMD_TABLES: /dev/shm/<shm>-tables, written by the
 * control process (write a temporary, then rename), read by the dataplane's
 * main lcore: the line "aftr-tables 3 GEN ORIGIN JSONLEN" (ORIGIN: 16 hex
 * digits, the identity of the state they come from, which the dataplane
 * shows in the stats region's header), JSONLEN bytes of the
 * configuration as JSON (config_json.h) without the run-time lists, then
 * those lists in binary (lib/config/cfg_bin.h) to the end of the file. The
 * control process removes it once answered. */
#define CTL_TABLES_MAGIC "aftr-tables 3 "
/* The delta file of CTL_CMD_DELTA: /dev/shm/<shm>-delta, written and
 * removed the same way: the line "aftr-delta 1 BASE GEN", then the change
 * records that take generation BASE to GEN, one JSON object a line, as
 * aftr-control's journal holds them (control/state/journal.h) with "at":
 * the positions in the kind's list each entry goes to or leaves from
 * (a deletion moves the list's last entry into the hole). */
#define CTL_DELTA_MAGIC "aftr-delta 1 "

/* The word of a PCP event's op: "add", "renew", "del", "expire", "refused". */
const char *ctl_pcp_op_name(uint8_t op);

/* The word of a quota kind: "sessions", "blocks", "rate". */
const char *ctl_quota_name(uint8_t kind);

/* 0 if msg is a well-formed message of a known type, else -EINVAL (a
 * reader must not trust what another process wrote). */
int ctl_msg_check(const struct ctl_msg *msg);
/* "tcp", "udp" or "icmp" for an IP protocol number, NULL for another. */
const char *ctl_msg_proto_name(uint8_t proto);

/* One log line for an event, in ISC AFTR's trace format (manual 4.1.1):
 * "bucket add|del CLIENT_IPV6 NATTED_IPV4 tcp|udp|icmp FIRST-LAST" for
 * blocks, "nat add|del CLIENT_IPV6 tcp|udp|icmp NATTED_IPV4 PORT" for
 * sessions (ISC's TRACE_NAT without NOPRIVACY), "tunnel add|del
 * CLIENT_IPV6" for subscribers, "ack SEQ RESULT" for acks; ours, "quota
 * CLIENT_IPV6 NATTED_IPV4 PROTO sessions|blocks|rate MAX" and "exhausted
 * CLIENT_IPV6 NATTED_IPV4 PROTO" for a subscriber at a limit, "pcp
 * add|renew|del|expire|refused CLIENT_IPV6 PROTO INTERNAL_IPV4 PORT NATTED_IPV4
 * PORT LIFETIME [RESULT]" for PCP mappings. Returns buf. */
char *ctl_msg_format(const struct ctl_msg *msg, char *buf, size_t len);

#endif
