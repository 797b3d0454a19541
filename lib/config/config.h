/* The configuration model: every knob of ISC AFTR 1.1 (its manual's
 * sections zero, one and two) plus ours (lw4o6 softwires, port blocks,
 * interfaces, API, logging, the dataplane's lcores).
 *
 * One model, three ways in (YAML file, ISC aftr.conf, JSON over the API)
 * and two ways out (JSON, YAML). The YAML and JSON key names are listed in
 * config/reference.yaml, which documents each knob with its default, range
 * and ISC command.
 *
 * IPv4 addresses are host-order uint32_t (see addr.h). Every list entry
 * keeps the position it was read from, for error messages; positions are
 * not part of the model's value (cfg_equal ignores them). */
#ifndef AFTR_CONFIG_H
#define AFTR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "diag.h"
#include "portset.h"

/* Protocols with their own port space, limits and lifetimes. ISC calls
 * the ICMP echo identifier space "echo" in pools and "icmp" elsewhere. */
enum cfg_proto { CFG_TCP, CFG_UDP, CFG_ICMP, CFG_NPROTO };

/* ISC "toobig": what to do with an Internet packet that has DF set and
 * does not fit the tunnel MTU once encapsulated. */
enum cfg_toobig { TOOBIG_ON, TOOBIG_OFF, TOOBIG_STRICT };

/* ISC "admpro": where ICMPv4 administratively prohibited errors are sent
 * for filtered packets (in = tunnel to Internet, out = Internet to tunnel). */
enum cfg_admpro { ADMPRO_OFF, ADMPRO_IN, ADMPRO_OUT, ADMPRO_ALL };

/* ISC "default pcpd". */
enum cfg_pcpd { PCPD_DISABLE, PCPD_ENABLE, PCPD_STATELESS, PCPD_ENCAPSULATE };

/* ISC "default nat lifetime" kinds. */
enum cfg_lifetime { LT_TCP, LT_CLOSED, LT_UDP, LT_ICMP, LT_RETRANS, LT_N };

/* Which packets from the Internet a NAT session lets in (RFC 4787 section
 * 5, REQ-8): from anywhere, from the addresses it sent to, or from the
 * addresses and ports it sent to. */
enum cfg_filtering { FILTER_EIF, FILTER_ADF, FILTER_APDF };

enum cfg_log_level { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG };
enum cfg_log_dest { LOG_DEST_STDERR, LOG_DEST_SYSLOG };

/* logging.exporters: where aftr-control sends NAT event records
 * (lib/export/evfmt.h). */
#define CFG_EXPORTERS_MAX     8
#define CFG_SYSLOG_PORT       514
#define CFG_IPFIX_PORT        4739  /* RFC 7011 section 10.3.1 */
#define CFG_SYSLOG_ENTERPRISE 32473 /* RFC 5612's example number, for SD-IDs */
#define CFG_TEMPLATE_REFRESH  60    /* IPFIX over UDP: templates every N s */
/* logging.event_log: aftr-control's own log of the records (evlog.h). */
struct cfg_event_log {
	bool enabled;            /* default true */
	char dir[256];           /* default "": <--state DIR>/events */
	uint32_t file_mb;        /* a file's size before the next begins */
	uint32_t retention_days; /* files older are deleted (0: kept) */
	uint32_t max_total_mb;   /* the oldest deleted beyond (0: no limit) */
};
#define CFG_EVLOG_FILE_MB   64
#define CFG_EVLOG_RETENTION 180
enum cfg_export_type { EXPORT_SYSLOG, EXPORT_IPFIX };
enum cfg_export_transport { EXPORT_UDP, EXPORT_TCP, EXPORT_LOCAL };
struct cfg_exporter {
	enum cfg_export_type type;
	enum cfg_export_transport transport; /* IPFIX: udp */
	char address[48];                    /* udp, tcp: an IPv4 or IPv6 literal */
	char path[108];                      /* local: the socket, default /dev/log */
	uint16_t port;                       /* default 514 (syslog), 4739 (IPFIX) */
	uint16_t template_refresh;           /* IPFIX: seconds between template sets */
	uint32_t domain;                     /* IPFIX: observation domain id */
};
enum cfg_nat_events { NAT_EVENTS_OFF, NAT_EVENTS_BLOCKS, NAT_EVENTS_SESSIONS };
/* What a worker lcore does while it has nothing to do (dataplane.idle):
 * back off to short sleeps, or poll flat out (a dedicated box). */
enum cfg_idle { IDLE_ADAPTIVE, IDLE_POLL };

/* Between enum cfg_proto and IP protocol numbers (anything but TCP and UDP
 * is the ICMP echo space): a table, one load where the packet path asks
 * (two compares and selects took five instructions). */
extern const uint8_t cfg_proto_by_ip[256];
static inline enum cfg_proto cfg_proto_of_ip(uint8_t ipproto)
{
	return (enum cfg_proto)cfg_proto_by_ip[ipproto];
}

static inline uint8_t cfg_proto_ip(enum cfg_proto p)
{
	return p == CFG_TCP ? 6 : p == CFG_UDP ? 17 : 1; /* IPPROTO_TCP, _UDP, _ICMP */
}

/* Tri-state for per-tunnel settings that fall back to tunnel_defaults. */
#define CFG_INHERIT (-1)

struct cfg_pos {
	uint32_t line, col;
};

struct cfg_prefix4 {
	struct prefix4 p;
	struct cfg_pos pos;
};

struct cfg_prefix6 {
	struct prefix6 p;
	struct cfg_pos pos;
};

struct cfg_pool {
	uint32_t addr;
	struct port_range range[CFG_NPROTO]; /* meaningful where has_range */
	bool has_range[CFG_NPROTO];          /* else pool_defaults apply */
	struct cfg_pos pos;
};

struct cfg_pcp_pool {
	uint32_t addr;
	struct port_range range[2]; /* tcp, udp; meaningful where has_range */
	bool has_range[2];
	struct cfg_pos pos;
};

#define CFG_DUID_MAX 32 /* bytes, ours (RFC 8415 allows 130): DUID-LL 10, -LLT 14, -UUID 18 */

struct cfg_tunnel {
	struct addr6 b4;
	uint32_t ipv4; /* the pool address its NAT uses */
	bool has_ipv4; /* else pools are handed out round robin */
	uint16_t mtu;  /* 0: tunnel_defaults.mtu */
	int8_t mss;    /* CFG_INHERIT, 0, 1 */
	int8_t toobig; /* CFG_INHERIT or enum cfg_toobig */
	int8_t admpro; /* CFG_INHERIT or enum cfg_admpro */
	/* Ours: the B4's own RFC 6888 REQ-4/REQ-5 limits (VPP, A10 and Juniper
	 * set them per subscriber): nat_maxcount[p] where bit p of nat_set,
	 * nat_rate[p] where bit CFG_NPROTO + p; else tunnel_defaults'. */
	uint16_t nat_maxcount[CFG_NPROTO];
	uint8_t nat_rate[CFG_NPROTO];
	uint8_t nat_set;
	/* Ours: the B4's DHCPv6 client identifier (RFC 8415 section 11), for the
	 * DHCPv6 server's reservation of its lw4o6 binding (aftrctl provision
	 * kea); duid_len 0: none. */
	uint8_t duid_len;
	uint8_t duid[CFG_DUID_MAX];
	struct cfg_pos pos;
};

/* ISC "nat" (static mapping / port forward) with its optional "filter". */
struct cfg_nat {
	struct addr6 b4;
	uint8_t proto; /* CFG_TCP or CFG_UDP */
	uint32_t addr; /* inside (private) source */
	uint16_t port;
	uint32_t ext_addr; /* a pool address */
	uint16_t ext_port; /* outside that pool's dynamic range */
	bool has_filter;
	struct prefix4 filter_dst; /* remote peer allowed, both ways */
	uint16_t filter_port;      /* 0: any */
	struct cfg_pos pos;
};

/* ISC "prr": a port-range router / A+P null-NAT entry. */
struct cfg_prr {
	struct addr6 b4;
	uint8_t proto; /* enum cfg_proto; ICMP: port is the echo id */
	uint32_t addr;
	uint16_t port;
	struct cfg_pos pos;
};

/* ISC "nonat": the B4 owns a whole IPv4 prefix, no translation. */
struct cfg_nonat {
	struct addr6 b4;
	struct prefix4 prefix;
	struct cfg_pos pos;
};

/* lw4o6 binding (RFC 7596 section 5): B4 -> (IPv4, port set), through
 * one of the AFTR's endpoint (BR) addresses. A B4 may hold several. */
struct cfg_softwire {
	struct addr6 b4;
	uint32_t ipv4;
	struct psid_params psid;
	/* Its BR address: all zero for endpoint, else endpoint or one of
	 * endpoints (cfg_fixed). */
	struct addr6 endpoint;
	/* Not part of the model's value, filled in by lib/tables: the index
	 * of its BR address (0: endpoint, i: endpoints[i - 1]), and its port
	 * set as the packet path tests it. */
	uint8_t ep;
	struct psid_test test;
	struct cfg_pos pos;
};

struct cfg_iface {
	char *device;         /* DPDK device: PCI address or vdev spec; NULL: unset */
	bool has_address;     /* transport: IPv6 (addr6), wan: IPv4 (addr4) */
	struct prefix6 addr6; /* with host bits: the interface address */
	struct prefix4 addr4;
	bool has_gateway;
	struct addr6 gw6;
	uint32_t gw4;
	bool has_gateway_mac; /* a static neighbour entry: no ARP/ND for it */
	uint8_t gateway_mac[6];
	uint16_t mtu;
	uint16_t vlan; /* 802.1Q VLAN id, 1-4094; 0: untagged */
	bool has_mac;  /* our own MAC on the interface; else the device's */
	uint8_t mac[6];
};

/* Both interfaces on one device (one-port mode), told apart by VLAN id,
 * or by EtherType when both are untagged. */
static inline bool cfg_one_port(const struct cfg_iface *transport, const struct cfg_iface *wan)
{
	return transport->device && wan->device && strcmp(transport->device, wan->device) == 0;
}

/* The ICMP policy of one interface (icmp.transport, icmp.wan; RFC 7596
 * sections 5.2 and 6.2: "The ICMP policy SHOULD be configurable"). The
 * errors the AFTR makes go out of the interface their cause came in by. */
struct cfg_icmp_policy {
	bool errors;   /* send ICMP errors out of it */
	bool too_big;  /* among them fragmentation needed (else a DF packet that
	                * does not fit is dropped silently) */
	bool incoming; /* forward ICMP that arrives on it (else drop it) */
	uint32_t rate; /* errors per second per worker */
};
enum cfg_side { CFG_SIDE_TRANSPORT, CFG_SIDE_WAN, CFG_NSIDES };

/* A filter rule of one interface and direction (filters.IFACE.in|out): it
 * matches a packet when every key it has does (none: every packet); the
 * first rule that matches decides, and a packet no rule matches passes.
 * The IPv4 keys are of the IPv4 packet forwarded (inside the softwire on
 * the transport side); b4 (transport only) of the B4's IPv6 address. */
enum cfg_filter_action { FILTER_ACT_DROP, FILTER_ACT_ACCEPT };
enum cfg_dir { CFG_DIR_IN, CFG_DIR_OUT, CFG_NDIRS };
struct cfg_filter_rule {
	uint8_t action; /* enum cfg_filter_action */
	int8_t proto;   /* enum cfg_proto, or -1: any */
	bool has_b4, has_src, has_dst, has_sport, has_dport;
	struct prefix6 b4;
	struct prefix4 src, dst;
	struct port_range sport, dport; /* TCP and UDP */
	struct cfg_pos pos;
};
struct cfg_filter_list {
	struct cfg_filter_rule *v;
	size_t n, cap;
};
#define CFG_FILTER_RULES_MAX 64 /* per interface and direction */

struct cfg_tunnel_defaults {
	bool auto_create;                  /* default tunnel auto / autotunnel */
	uint16_t mtu;                      /* default tunnel mtu / defmtu */
	bool mss;                          /* default tunnel mss / defmss */
	uint8_t toobig;                    /* default tunnel toobig / deftoobig */
	uint8_t admpro;                    /* default tunnel admpro / defadmpro */
	uint8_t frag6_maxcount;            /* default tunnel fragment ipv6 maxcount */
	uint8_t frag4_maxcount;            /* default tunnel fragment ipv4 maxcount */
	uint16_t nat_maxcount[CFG_NPROTO]; /* default tunnel nat P maxcount */
	uint8_t nat_rate[CFG_NPROTO];      /* default tunnel nat P rate */
};

/* A tunnel's MTU: its own (ISC tunnel mtu), else the default (defmtu); t
 * may be NULL. */
static inline uint16_t cfg_tunnel_mtu(const struct cfg_tunnel *t,
                                      const struct cfg_tunnel_defaults *d)
{
	return t && t->mtu ? t->mtu : d->mtu;
}

/* A B4's session limit of protocol p (RFC 6888 REQ-4): its tunnel's own,
 * else the default; t may be NULL. */
static inline uint16_t cfg_tunnel_maxcount(const struct cfg_tunnel *t,
                                           const struct cfg_tunnel_defaults *d, int p)
{
	return t && (t->nat_set & (1u << p)) ? t->nat_maxcount[p] : d->nat_maxcount[p];
}

/* Its new sessions a second of protocol p (RFC 6888 REQ-5), the same way. */
static inline uint8_t cfg_tunnel_rate(const struct cfg_tunnel *t,
                                      const struct cfg_tunnel_defaults *d, int p)
{
	return t && (t->nat_set & (1u << (CFG_NPROTO + p))) ? t->nat_rate[p] : d->nat_rate[p];
}

/* Ours: endpoint addresses beside "endpoint" (BR addresses, RFC 7596). */
#define CFG_ENDPOINTS_MAX 15

/* Ours: ICMP errors a second a worker sends out of one interface. */
#define CFG_ICMP_RATE     1000
#define CFG_ICMP_RATE_MAX 1000000

/* What needs a restart of the dataplane to change (cfg_fixed_diff names
 * it): the endpoint and pools, the defaults, the interfaces, the API and
 * logging. Read-only while the dataplane runs: every lcore reads it
 * (dp.conf.cfg); the live tables never hold it. */
struct cfg_fixed {
	/* Section one (required): address endpoint, address icmp, pool, pcp
	 * (acl6: in the lists). */
	bool has_endpoint, has_icmp_source;
	struct addr6 endpoint;
	/* Ours: more endpoint (BR) addresses, for softwires that name one. */
	struct addr6 endpoints[CFG_ENDPOINTS_MAX];
	uint8_t n_endpoints;
	uint32_t icmp_source;
	struct cfg_pool *pools;
	size_t n_pools, cap_pools;
	struct cfg_pcp_pool *pcp_pools;
	size_t n_pcp_pools, cap_pcp_pools;

	/* Section zero: defaults. */
	bool acl6_icmp;                              /* default acl6 icmp */
	struct port_range pool_defaults[CFG_NPROTO]; /* default pool */
	enum cfg_pcpd pcpd;                          /* default pcpd */
	struct port_range pcp_defaults[2];           /* default pcp; 0-0: disabled */
	/* Ours: the PCP server (RFC 6887; on unless pcpd is disable or
	 * stateless): the lifetimes it grants and mappings a subscriber may hold. */
	uint32_t pcp_min_lifetime, pcp_max_lifetime;
	uint16_t pcp_max_mappings;
	uint32_t pcp_max_rate;           /* requests a second each worker passes up */
	struct cfg_tunnel_defaults tun;  /* default tunnel ... */
	bool frag_equal;                 /* default fragment equal / eqfrag */
	uint16_t frag_lifetime;          /* default fragment lifetime */
	uint16_t frag_maxcount[3];       /* default fragment ipv6|in|out maxcount */
	uint16_t hold_lifetime;          /* default hold lifetime */
	uint32_t lifetime[LT_N];         /* default nat lifetime */
	uint16_t port_block[CFG_NPROTO]; /* bucket P size: ports per block */
	uint16_t max_blocks[CFG_NPROTO]; /* ours; 0: as the session cap needs */
	/* Ours: deterministic port blocks (nat.deterministic, determ.h). */
	bool has_determ;
	struct prefix6 determ_prefix;    /* the B4s' addresses */
	uint8_t determ_len;              /* the bits that tell subscribers apart */
	enum cfg_filtering filtering;    /* ours; RFC 4787 REQ-8 */
	uint32_t sessions_per_worker;    /* ours; table size, at start */
	uint32_t subscribers_per_worker; /* ours; table size, at start */
	uint32_t max_pools;              /* ours; pools the dataplane holds, added ones too */
	double decay[3];                 /* decay 1|5|15 */
	uint8_t quantum;                 /* quantum */
	bool softwire_hairpinning;       /* ours; RFC 7596 section 6: between softwires */
	/* Ours: NAPT B4s may send to any endpoint (endpoint or endpoints), each
	 * session answered from the one it was sent to; else endpoint only. */
	bool nat_any_endpoint;
	struct cfg_icmp_policy icmp[CFG_NSIDES]; /* ours; by enum cfg_side */

	/* Ours: the appliance around the AFTR function. */
	struct cfg_iface transport, wan;
	char *api_listen; /* address literal */
	uint16_t api_port;
	char *api_token_file; /* NULL: no authentication */
	/* Ours: the BGP speaker beside the AFTR (BIRD 2): its control socket
	 * (NULL: none), the protocol holding the AFTR's announcements, which
	 * aftr-control disables while the dataplane is unhealthy, how often it
	 * looks and after how many failed looks it withdraws. */
	char *bgp_bird_socket;
	char *bgp_protocol;
	uint32_t bgp_check_ms;
	uint8_t bgp_down_after;
	/* Ours: a box of a group that follows another's run-time lists
	 * (control/cluster/): the leader's API URL (NULL: none, this box
	 * leads or stands alone), its token file, the kinds followed (a bit
	 * per enum cfg_kind) and the wait after a failed look at the leader. */
	char *cluster_follow;
	char *cluster_token_file;
	uint32_t cluster_kinds;
	uint32_t cluster_retry_ms;
	char *api_tls_cert; /* PEM certificate (chain) file; NULL: plain HTTP */
	char *api_tls_key;  /* its PEM private key file; with api_tls_cert */
	/* Limits that keep the API answering under slow or greedy clients. */
	uint32_t api_max_body_mb;     /* a body over this: 413, before it is read */
	uint32_t api_max_connections; /* open at once */
	uint32_t api_max_per_client;  /* open at once from one address */
	uint16_t api_header_timeout;  /* s: a request's headers must all be in by then */
	uint16_t api_idle_timeout;    /* s: a connection with nothing moving is closed */
	enum cfg_log_level log_level;
	enum cfg_log_dest log_dest;
	char *log_facility;
	uint32_t log_enterprise; /* logging.enterprise: the SD-IDs' number */
	struct cfg_exporter exporters[CFG_EXPORTERS_MAX];
	uint8_t n_exporters;
	struct cfg_event_log event_log;
	uint8_t debug; /* ISC "debug set" level, 0..10 */
	enum cfg_nat_events nat_events;
	enum cfg_idle idle;         /* dataplane.idle, at start */
	uint16_t idle_sleep_max_us; /* dataplane.idle_sleep_max_us: adaptive's longest sleep */
	bool fast_path;             /* dataplane.fast_path: common packets in one step */
};

/* What a running dataplane takes without a restart: ISC section two, the
 * acl6 and private prefixes and the filters (cfg_live_keys), published to the workers
 * as a new generation of the live tables (lib/tables,
 * dataplane/mainlcore/gen.c), which own a copy. */
struct cfg_lists {
	struct cfg_prefix6 *acl6; /* ISC acl6 */
	size_t n_acl6, cap_acl6;
	struct cfg_prefix4 *private4; /* ISC default private / delete private */
	size_t n_private4, cap_private4;
	struct cfg_tunnel *tunnels;
	size_t n_tunnels, cap_tunnels;
	struct cfg_nat *nats;
	size_t n_nats, cap_nats;
	struct cfg_prr *prrs;
	size_t n_prrs, cap_prrs;
	struct cfg_nonat *nonats;
	size_t n_nonats, cap_nonats;
	struct cfg_softwire *softwires;
	size_t n_softwires, cap_softwires;
	struct cfg_filter_list filters[CFG_NSIDES][CFG_NDIRS]; /* ours: by side, direction */
};

/* A whole configuration: the fixed part and the reloadable lists. */
struct aftr_config {
	struct cfg_fixed fixed;
	struct cfg_lists lists;
};

/* Limits from the ISC manual (and aftr.c where the manual has a typo). */
#define CFG_MTU_MIN           1280
#define CFG_FRAG_LIFETIME_MAX 1200
#define CFG_FRAG_MAXCOUNT_MAX 16535
#define CFG_HOLD_LIFETIME_MAX 600
#define CFG_LIFETIME_MAX      36000
#define CFG_PORT_BLOCK_MAX    4096 /* ISC buckets stop at 255; we allow bigger blocks */
#define CFG_QUANTUM_MIN       2
#define CFG_DEBUG_MAX         10

/* Ours: the NAT tables of each worker, reserved at start (dataplane/nat.c). */
#define CFG_PCP_MIN_LIFETIME           120   /* RFC 6887 section 15: 120 s or more */
#define CFG_PCP_MAX_LIFETIME           86400 /* one day */
#define CFG_PCP_LIFETIME_MAX           604800
#define CFG_PCP_MAX_MAPPINGS           16
#define CFG_PCP_MAX_RATE               1000
#define CFG_SESSIONS_PER_WORKER        65536
#define CFG_SESSIONS_PER_WORKER_MIN    1024
#define CFG_SESSIONS_PER_WORKER_MAX    67108864 /* 2^26 */
#define CFG_SUBSCRIBERS_PER_WORKER     16384
#define CFG_SUBSCRIBERS_PER_WORKER_MIN 16
#define CFG_SUBSCRIBERS_PER_WORKER_MAX 16777216 /* 2^24 */
#define CFG_MAX_POOLS                  256
#define CFG_MAX_POOLS_MAX              32767 /* a packet's context holds a pool in 16 bits */

/* Ours: an idle worker's longest sleep, microseconds (dataplane/idle.c). */
#define CFG_IDLE_SLEEP_MAX_US     200
#define CFG_IDLE_SLEEP_MAX_US_MIN 50
#define CFG_IDLE_SLEEP_MAX_US_MAX 1000

/* Fills cfg with the defaults: ISC's where ISC has the knob, except the
 * session lifetimes, which follow the RFC minimums (see config.c). */
int cfg_init(struct aftr_config *cfg);
/* The same with ISC's session lifetimes, as an ISC AFTR starts. */
int cfg_init_isc(struct aftr_config *cfg);
void cfg_free(struct aftr_config *cfg);
/* A deep copy of src into dst (initialised here); 0 or -ENOMEM. */
int cfg_copy(struct aftr_config *dst, const struct aftr_config *src);

/* Cross-entry checks: what the ISC manual forbids (static NAT ports inside
 * a dynamic range, overlapping pools, duplicates, ...) and what a running
 * AFTR needs (endpoint, icmp source, a pool, acl6 with auto tunnels).
 * Returns the number of errors added to d. */
size_t cfg_validate(const struct aftr_config *cfg, struct diag *d);

/* Warnings (not errors): session lifetimes below the RFC minimums, as
 * ISC's defaults are; an API open beyond this host with no token. Returns
 * how many. */
size_t cfg_warnings(const struct aftr_config *cfg, struct diag *d);

/* Whether an IPv6 address is one a B4 or an endpoint can have: unicast,
 * not ::, ::1 or IPv4-mapped (RFC 4291 section 2.5). */
bool cfg_addr6_unicast(const struct addr6 *a);

/* The dynamic (implicit NAT) range of a pool for a protocol. */
struct port_range cfg_pool_range(const struct aftr_config *cfg, const struct cfg_pool *p,
                                 enum cfg_proto proto);

/* Whether an IPv4 address (host order) is inside the private prefixes;
 * the first prefix holding it, or NULL. */
bool cfg_is_private(const struct aftr_config *cfg, uint32_t addr);
const struct cfg_prefix4 *cfg_private_of(const struct aftr_config *cfg, uint32_t addr);

/* Lookups used by validation and by the importers. */
struct cfg_pool *cfg_find_pool(const struct aftr_config *cfg, uint32_t addr);
struct cfg_tunnel *cfg_find_tunnel(const struct aftr_config *cfg, const struct addr6 *b4);

/* A softwire's BR address: its own, or endpoint. */
const struct addr6 *cfg_softwire_endpoint(const struct aftr_config *cfg,
                                          const struct cfg_softwire *s);
/* The index of an endpoint address (0: endpoint, i: endpoints[i - 1]), or
 * -1 when a is none of them. */
int cfg_endpoint_index(const struct aftr_config *cfg, const struct addr6 *a);

/* Value equality (positions ignored), through the canonical JSON form. */
bool cfg_equal(const struct aftr_config *a, const struct aftr_config *b);

/* Enum names as they appear in YAML/JSON and ISC commands. */
const char *cfg_proto_name(enum cfg_proto p); /* tcp, udp, icmp */
const char *cfg_toobig_name(enum cfg_toobig v);
const char *cfg_admpro_name(enum cfg_admpro v);
const char *cfg_pcpd_name(enum cfg_pcpd v);
/* The BIRD protocol of the AFTR's announcements (bgp.protocol, default
 * "aftr_routes"). */
const char *cfg_bgp_protocol(const struct cfg_fixed *f);
/* The run-time list kinds (cfg_kinds.h) and their API names, which
 * cluster.kinds takes too. */
enum cfg_kind { K_TUNNEL, K_NAT, K_PRR, K_NONAT, K_SOFTWIRE, K_ACL6, K_PRIVATE, K_COUNT };
#define CFG_KIND_URL_TUNNEL   "tunnels"
#define CFG_KIND_URL_NAT      "static-nat"
#define CFG_KIND_URL_PRR      "prr"
#define CFG_KIND_URL_NONAT    "nonat"
#define CFG_KIND_URL_SOFTWIRE "softwires"
#define CFG_KIND_URL_ACL6     "acl6"
#define CFG_KIND_URL_PRIVATE  "private"
extern const char *const cfg_kind_urls[K_COUNT + 1];
/* The kind whose API name is url ("softwires"), or -1. */
int cfg_kind_by_url(const char *url);
/* The kinds a follower takes from its leader unless cluster.kinds says
 * (bits of enum cfg_kind): all but static NAT, whose public addresses are
 * one box's own pool's. */
#define CFG_CLUSTER_KINDS_DEFAULT 0x7du
/* Whether the PCP server answers (default pcpd enable or encapsulate). */
bool cfg_pcp_on(const struct cfg_fixed *f);
const char *cfg_filtering_name(enum cfg_filtering v);
const char *cfg_lifetime_name(enum cfg_lifetime v);
const char *cfg_log_level_name(enum cfg_log_level v);
const char *cfg_log_dest_name(enum cfg_log_dest v);
const char *cfg_nat_events_name(enum cfg_nat_events v);
const char *cfg_idle_name(enum cfg_idle v);
/* Name to value over a NULL-terminated name table; -1 when unknown. */
int cfg_name_lookup(const char *const *names, const char *s);
extern const char *const cfg_proto_names[];
extern const char *const cfg_toobig_names[];
extern const char *const cfg_admpro_names[];
extern const char *const cfg_pcpd_names[];
extern const char *const cfg_filtering_names[];
extern const char *const cfg_lifetime_names[];
extern const char *const cfg_log_level_names[];
extern const char *const cfg_log_dest_names[];
extern const char *const cfg_export_type_names[];
extern const char *const cfg_export_transport_names[];
extern const char *const cfg_nat_events_names[];
extern const char *const cfg_idle_names[];
extern const char *const cfg_incoming_names[];
extern const char *const cfg_side_names[];
extern const char *const cfg_dir_names[];
extern const char *const cfg_filter_action_names[];

#endif
