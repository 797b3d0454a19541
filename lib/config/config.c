/* The configuration model: defaults, names, lookups. Validation is in
 * config_check.c, the formats in config_json.c, config_yaml.c and
 * isc_import.c. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const cfg_proto_names[] = {"tcp", "udp", "icmp", NULL};
const uint8_t cfg_proto_by_ip[256] = {[0 ... 5] = CFG_ICMP,
                                      [6] = CFG_TCP,
                                      [7 ... 16] = CFG_ICMP,
                                      [17] = CFG_UDP,
                                      [18 ... 255] = CFG_ICMP};
const char *const cfg_toobig_names[] = {"on", "off", "strict", NULL};
const char *const cfg_admpro_names[] = {"off", "in", "out", "all", NULL};
const char *const cfg_pcpd_names[] = {"disable", "enable", "stateless", "encapsulate", NULL};
const char *const cfg_filtering_names[] = {"endpoint-independent", "address-dependent",
                                           "address-and-port-dependent", NULL};
const char *const cfg_lifetime_names[] = {"tcp", "closed", "udp", "icmp", "retrans", NULL};
const char *const cfg_log_level_names[] = {"error", "warning", "notice", "info", "debug", NULL};
const char *const cfg_log_dest_names[] = {"stderr", "syslog", NULL};
const char *const cfg_export_type_names[] = {"syslog", "ipfix", NULL};
const char *const cfg_export_transport_names[] = {"udp", "tcp", "local", NULL};
const char *const cfg_nat_events_names[] = {"off", "blocks", "sessions", NULL};
const char *const cfg_idle_names[] = {"adaptive", "poll", NULL};
const char *const cfg_incoming_names[] = {"drop", "accept", NULL}; /* as the bool */
const char *const cfg_side_names[] = {"transport", "wan", NULL};
const char *const cfg_dir_names[] = {"in", "out", NULL};
const char *const cfg_filter_action_names[] = {"drop", "accept", NULL};

int cfg_name_lookup(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++)
		if (strcasecmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *cfg_proto_name(enum cfg_proto p)
{
	return cfg_proto_names[p];
}

const char *cfg_toobig_name(enum cfg_toobig v)
{
	return cfg_toobig_names[v];
}

const char *cfg_admpro_name(enum cfg_admpro v)
{
	return cfg_admpro_names[v];
}

const char *const cfg_kind_urls[K_COUNT + 1] = {
        [K_TUNNEL] = CFG_KIND_URL_TUNNEL,     [K_NAT] = CFG_KIND_URL_NAT,
        [K_PRR] = CFG_KIND_URL_PRR,           [K_NONAT] = CFG_KIND_URL_NONAT,
        [K_SOFTWIRE] = CFG_KIND_URL_SOFTWIRE, [K_ACL6] = CFG_KIND_URL_ACL6,
        [K_PRIVATE] = CFG_KIND_URL_PRIVATE,   [K_COUNT] = NULL};

int cfg_kind_by_url(const char *url)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strcmp(cfg_kind_urls[k], url) == 0)
			return k;
	return -1;
}

const char *cfg_bgp_protocol(const struct cfg_fixed *f)
{
	return f->bgp_protocol ? f->bgp_protocol : "aftr_routes";
}

bool cfg_pcp_on(const struct cfg_fixed *f)
{
	return f->pcpd == PCPD_ENABLE || f->pcpd == PCPD_ENCAPSULATE;
}

const char *cfg_pcpd_name(enum cfg_pcpd v)
{
	return cfg_pcpd_names[v];
}

const char *cfg_filtering_name(enum cfg_filtering v)
{
	return cfg_filtering_names[v];
}

const char *cfg_lifetime_name(enum cfg_lifetime v)
{
	return cfg_lifetime_names[v];
}

const char *cfg_log_level_name(enum cfg_log_level v)
{
	return cfg_log_level_names[v];
}

const char *cfg_log_dest_name(enum cfg_log_dest v)
{
	return cfg_log_dest_names[v];
}

const char *cfg_nat_events_name(enum cfg_nat_events v)
{
	return cfg_nat_events_names[v];
}

const char *cfg_idle_name(enum cfg_idle v)
{
	return cfg_idle_names[v];
}

/* RFC 1918 and the 192.0.0.0/29 of RFC 6333 section 5.7, as ISC starts with. */
static int init_private(struct aftr_config *cfg)
{
	static const struct prefix4 defaults[] = {
	        {0x0a000000, 8}, {0xac100000, 12}, {0xc0a80000, 16}, {0xc0000000, 29}};

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		struct cfg_prefix4 *e = VEC_PUSH(cfg->lists.private4, cfg->lists.n_private4,
		                                 cfg->lists.cap_private4);

		if (e == NULL)
			return -1;
		e->p = defaults[i];
	}
	return 0;
}

/* Session lifetimes (seconds), ours: the RFCs' minimums, where ISC's are
 * shorter. tcp: established idle >= 2 h 4 min (RFC 5382 REQ-5); closed and
 * retrans: transitory TCP >= 4 min (RFC 5382 REQ-5), and a UDP mapping lives
 * >= 2 min even before a reply (RFC 4787 REQ-5); udp: 5 min (RFC 4787
 * REQ-5's recommendation); icmp: >= 60 s (RFC 5508 REQ-1). */
static const uint32_t rfc_lifetimes[LT_N] = {7440, 240, 300, 60, 240};
/* ISC's (manual 3.3, "default nat lifetime"): what an imported aftr.conf keeps. */
static const uint32_t isc_lifetimes[LT_N] = {600, 120, 300, 30, 10};

/* ISC aftr 1.1 compile-time defaults (manual section 3.3). */
static void init_isc_defaults(struct aftr_config *cfg)
{
	struct cfg_tunnel_defaults *t = &cfg->fixed.tun;

	cfg->fixed.acl6_icmp = true;
	cfg->fixed.pool_defaults[CFG_TCP] = (struct port_range){2048, 65535};
	cfg->fixed.pool_defaults[CFG_UDP] = (struct port_range){512, 65535};
	cfg->fixed.pool_defaults[CFG_ICMP] = (struct port_range){0, 65535};
	cfg->fixed.pcpd = PCPD_DISABLE;
	cfg->fixed.pcp_min_lifetime = CFG_PCP_MIN_LIFETIME;
	cfg->fixed.pcp_max_lifetime = CFG_PCP_MAX_LIFETIME;
	cfg->fixed.pcp_max_mappings = CFG_PCP_MAX_MAPPINGS;
	cfg->fixed.pcp_max_rate = CFG_PCP_MAX_RATE;
	t->auto_create = true;
	t->mtu = 1500;
	t->mss = false;
	t->toobig = TOOBIG_ON;
	t->admpro = ADMPRO_ALL; /* the manual: "default is on" */
	t->frag6_maxcount = 16;
	t->frag4_maxcount = 64;
	t->nat_maxcount[CFG_TCP] = 2000;
	t->nat_maxcount[CFG_UDP] = 200;
	t->nat_maxcount[CFG_ICMP] = 50;
	t->nat_rate[CFG_TCP] = 50;
	t->nat_rate[CFG_UDP] = 20;
	t->nat_rate[CFG_ICMP] = 5;
	cfg->fixed.frag_lifetime = 30;
	for (int i = 0; i < 3; i++)
		cfg->fixed.frag_maxcount[i] = 1024;
	cfg->fixed.hold_lifetime = 120;
	memcpy(cfg->fixed.lifetime, rfc_lifetimes, sizeof(rfc_lifetimes));
	cfg->fixed.port_block[CFG_TCP] = 10;
	cfg->fixed.port_block[CFG_UDP] = 8;
	cfg->fixed.port_block[CFG_ICMP] = 3;
	cfg->fixed.decay[0] = exp(-1.0 / 60);
	cfg->fixed.decay[1] = exp(-1.0 / 300);
	cfg->fixed.decay[2] = exp(-1.0 / 900);
	cfg->fixed.quantum = 20;
}

int cfg_init(struct aftr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	init_isc_defaults(cfg);
	cfg->fixed.transport.mtu = 1500;
	cfg->fixed.wan.mtu = 1500;
	cfg->fixed.api_port = 8080;
	cfg->fixed.api_max_body_mb = 64;
	cfg->fixed.api_max_connections = 1024;
	cfg->fixed.api_max_per_client = 128;
	cfg->fixed.api_header_timeout = 10;
	cfg->fixed.api_idle_timeout = 30;
	cfg->fixed.bgp_check_ms = 500;
	cfg->fixed.bgp_down_after = 2;
	cfg->fixed.cluster_kinds = CFG_CLUSTER_KINDS_DEFAULT;
	cfg->fixed.cluster_retry_ms = 1000;
	cfg->fixed.softwire_hairpinning = true;
	for (int i = 0; i < CFG_NSIDES; i++)
		cfg->fixed.icmp[i] = (struct cfg_icmp_policy){true, true, true, CFG_ICMP_RATE};
	cfg->fixed.sessions_per_worker = CFG_SESSIONS_PER_WORKER;
	cfg->fixed.subscribers_per_worker = CFG_SUBSCRIBERS_PER_WORKER;
	cfg->fixed.max_pools = CFG_MAX_POOLS;
	cfg->fixed.log_level = LOG_LVL_INFO;
	cfg->fixed.log_dest = LOG_DEST_STDERR;
	cfg->fixed.nat_events = NAT_EVENTS_BLOCKS;
	cfg->fixed.log_enterprise = CFG_SYSLOG_ENTERPRISE;
	cfg->fixed.event_log =
	        (struct cfg_event_log){true, "", CFG_EVLOG_FILE_MB, CFG_EVLOG_RETENTION, 0};
	cfg->fixed.idle = IDLE_ADAPTIVE;
	cfg->fixed.idle_sleep_max_us = CFG_IDLE_SLEEP_MAX_US;
	cfg->fixed.fast_path = true;
	cfg->fixed.api_listen = strdup("127.0.0.1");
	cfg->fixed.log_facility = strdup("local5");
	if (cfg->fixed.api_listen == NULL || cfg->fixed.log_facility == NULL ||
	    init_private(cfg) < 0) {
		cfg_free(cfg);
		return -1;
	}
	return 0;
}

int cfg_init_isc(struct aftr_config *cfg)
{
	if (cfg_init(cfg) < 0)
		return -1;
	memcpy(cfg->fixed.lifetime, isc_lifetimes, sizeof(isc_lifetimes));
	return 0;
}

void cfg_free(struct aftr_config *cfg)
{
	free(cfg->lists.acl6);
	free(cfg->fixed.pools);
	free(cfg->fixed.pcp_pools);
	free(cfg->lists.private4);
	free(cfg->lists.tunnels);
	free(cfg->lists.nats);
	free(cfg->lists.prrs);
	free(cfg->lists.nonats);
	free(cfg->lists.softwires);
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++)
			free(cfg->lists.filters[i][k].v);
	free(cfg->fixed.transport.device);
	free(cfg->fixed.wan.device);
	free(cfg->fixed.api_listen);
	free(cfg->fixed.api_token_file);
	free(cfg->fixed.bgp_bird_socket);
	free(cfg->fixed.bgp_protocol);
	free(cfg->fixed.cluster_follow);
	free(cfg->fixed.cluster_token_file);
	free(cfg->fixed.api_tls_cert);
	free(cfg->fixed.api_tls_key);
	free(cfg->fixed.log_facility);
	memset(cfg, 0, sizeof(*cfg));
}

struct port_range cfg_pool_range(const struct aftr_config *cfg, const struct cfg_pool *p,
                                 enum cfg_proto proto)
{
	return p->has_range[proto] ? p->range[proto] : cfg->fixed.pool_defaults[proto];
}

const struct cfg_prefix4 *cfg_private_of(const struct aftr_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->lists.n_private4; i++)
		if (prefix4_contains(&cfg->lists.private4[i].p, addr))
			return &cfg->lists.private4[i];
	return NULL;
}

bool cfg_is_private(const struct aftr_config *cfg, uint32_t addr)
{
	return cfg_private_of(cfg, addr) != NULL;
}

struct cfg_pool *cfg_find_pool(const struct aftr_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->fixed.n_pools; i++)
		if (cfg->fixed.pools[i].addr == addr)
			return &cfg->fixed.pools[i];
	return NULL;
}

const struct addr6 *cfg_softwire_endpoint(const struct aftr_config *cfg,
                                          const struct cfg_softwire *s)
{
	return addr6_is_zero(&s->endpoint) ? &cfg->fixed.endpoint : &s->endpoint;
}

int cfg_endpoint_index(const struct aftr_config *cfg, const struct addr6 *a)
{
	if (addr6_equal(a, &cfg->fixed.endpoint))
		return 0;
	for (int i = 0; i < cfg->fixed.n_endpoints; i++)
		if (addr6_equal(a, &cfg->fixed.endpoints[i]))
			return i + 1;
	return -1;
}

struct cfg_tunnel *cfg_find_tunnel(const struct aftr_config *cfg, const struct addr6 *b4)
{
	for (size_t i = 0; i < cfg->lists.n_tunnels; i++)
		if (addr6_equal(&cfg->lists.tunnels[i].b4, b4))
			return &cfg->lists.tunnels[i];
	return NULL;
}

/* A copy of n elements of size sz (NULL for none); false when out of memory. */
static bool dup_array(void **dst, const void *src, size_t n, size_t sz, size_t *cap)
{
	*dst = NULL;
	*cap = 0;
	if (src == NULL || n == 0)
		return true;
	*dst = malloc(n * sz);
	if (*dst == NULL)
		return false;
	memcpy(*dst, src, n * sz);
	*cap = n;
	return true;
}

static bool dup_str(char **s)
{
	return *s == NULL || (*s = strdup(*s)) != NULL;
}

/* Every owned pointer of struct aftr_config is copied here and freed by
 * cfg_free: a field added to one goes to the other. */
int cfg_copy(struct aftr_config *dst, const struct aftr_config *src)
{
	bool ok = true;

	*dst = *src;
#define DUP(f, n, cap)                                                                             \
	(ok &= dup_array((void **)&dst->f, src->f, src->n, sizeof(*src->f), &dst->cap))
	DUP(lists.acl6, lists.n_acl6, lists.cap_acl6);
	DUP(fixed.pools, fixed.n_pools, fixed.cap_pools);
	DUP(fixed.pcp_pools, fixed.n_pcp_pools, fixed.cap_pcp_pools);
	DUP(lists.private4, lists.n_private4, lists.cap_private4);
	DUP(lists.tunnels, lists.n_tunnels, lists.cap_tunnels);
	DUP(lists.nats, lists.n_nats, lists.cap_nats);
	DUP(lists.prrs, lists.n_prrs, lists.cap_prrs);
	DUP(lists.nonats, lists.n_nonats, lists.cap_nonats);
	DUP(lists.softwires, lists.n_softwires, lists.cap_softwires);
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++)
			DUP(lists.filters[i][k].v, lists.filters[i][k].n, lists.filters[i][k].cap);
#undef DUP
	ok &= dup_str(&dst->fixed.transport.device);
	ok &= dup_str(&dst->fixed.wan.device);
	ok &= dup_str(&dst->fixed.api_listen);
	ok &= dup_str(&dst->fixed.api_token_file);
	ok &= dup_str(&dst->fixed.bgp_bird_socket);
	ok &= dup_str(&dst->fixed.bgp_protocol);
	ok &= dup_str(&dst->fixed.cluster_follow);
	ok &= dup_str(&dst->fixed.cluster_token_file);
	ok &= dup_str(&dst->fixed.api_tls_cert);
	ok &= dup_str(&dst->fixed.api_tls_key);
	ok &= dup_str(&dst->fixed.log_facility);
	if (!ok) {
		cfg_free(dst); /* each pointer is a copy or NULL */
		return -ENOMEM;
	}
	return 0;
}
