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
const char *const cfg_toobig_names[] = {"on", "off", "strict", NULL};
const char *const cfg_admpro_names[] = {"off", "in", "out", "all", NULL};
const char *const cfg_pcpd_names[] = {"disable", "enable", "stateless", "encapsulate", NULL};
const char *const cfg_filtering_names[] = {"endpoint-independent", "address-dependent",
                                           "address-and-port-dependent", NULL};
const char *const cfg_lifetime_names[] = {"tcp", "closed", "udp", "icmp", "retrans", NULL};
const char *const cfg_log_level_names[] = {"error", "warning", "notice", "info", "debug", NULL};
const char *const cfg_log_dest_names[] = {"stderr", "syslog", NULL};
const char *const cfg_nat_events_names[] = {"off", "blocks", "sessions", NULL};
const char *const cfg_idle_names[] = {"adaptive", "poll", NULL};

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
		struct cfg_prefix4 *e = VEC_PUSH(cfg->private4, cfg->n_private4, cfg->cap_private4);

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
	struct cfg_tunnel_defaults *t = &cfg->tun;

	cfg->acl6_icmp = true;
	cfg->pool_defaults[CFG_TCP] = (struct port_range){2048, 65535};
	cfg->pool_defaults[CFG_UDP] = (struct port_range){512, 65535};
	cfg->pool_defaults[CFG_ICMP] = (struct port_range){0, 65535};
	cfg->pcpd = PCPD_DISABLE;
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
	cfg->frag_lifetime = 30;
	for (int i = 0; i < 3; i++)
		cfg->frag_maxcount[i] = 1024;
	cfg->hold_lifetime = 120;
	memcpy(cfg->lifetime, rfc_lifetimes, sizeof(rfc_lifetimes));
	cfg->port_block[CFG_TCP] = 10;
	cfg->port_block[CFG_UDP] = 8;
	cfg->port_block[CFG_ICMP] = 3;
	cfg->decay[0] = exp(-1.0 / 60);
	cfg->decay[1] = exp(-1.0 / 300);
	cfg->decay[2] = exp(-1.0 / 900);
	cfg->quantum = 20;
}

int cfg_init(struct aftr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	init_isc_defaults(cfg);
	cfg->transport.mtu = 1500;
	cfg->wan.mtu = 1500;
	cfg->api_port = 8080;
	cfg->softwire_hairpinning = true;
	cfg->sessions_per_worker = CFG_SESSIONS_PER_WORKER;
	cfg->subscribers_per_worker = CFG_SUBSCRIBERS_PER_WORKER;
	cfg->log_level = LOG_LVL_INFO;
	cfg->log_dest = LOG_DEST_STDERR;
	cfg->nat_events = NAT_EVENTS_BLOCKS;
	cfg->idle = IDLE_ADAPTIVE;
	cfg->idle_sleep_max_us = CFG_IDLE_SLEEP_MAX_US;
	cfg->api_listen = strdup("127.0.0.1");
	cfg->log_facility = strdup("local5");
	if (cfg->api_listen == NULL || cfg->log_facility == NULL || init_private(cfg) < 0) {
		cfg_free(cfg);
		return -1;
	}
	return 0;
}

int cfg_init_isc(struct aftr_config *cfg)
{
	if (cfg_init(cfg) < 0)
		return -1;
	memcpy(cfg->lifetime, isc_lifetimes, sizeof(isc_lifetimes));
	return 0;
}

void cfg_free(struct aftr_config *cfg)
{
	free(cfg->acl6);
	free(cfg->pools);
	free(cfg->pcp_pools);
	free(cfg->private4);
	free(cfg->tunnels);
	free(cfg->nats);
	free(cfg->prrs);
	free(cfg->nonats);
	free(cfg->softwires);
	free(cfg->transport.device);
	free(cfg->wan.device);
	free(cfg->api_listen);
	free(cfg->api_token_file);
	free(cfg->api_tls_cert);
	free(cfg->api_tls_key);
	free(cfg->log_facility);
	memset(cfg, 0, sizeof(*cfg));
}

struct port_range cfg_pool_range(const struct aftr_config *cfg, const struct cfg_pool *p,
                                 enum cfg_proto proto)
{
	return p->has_range[proto] ? p->range[proto] : cfg->pool_defaults[proto];
}

bool cfg_is_private(const struct aftr_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->n_private4; i++)
		if (prefix4_contains(&cfg->private4[i].p, addr))
			return true;
	return false;
}

struct cfg_pool *cfg_find_pool(const struct aftr_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->n_pools; i++)
		if (cfg->pools[i].addr == addr)
			return &cfg->pools[i];
	return NULL;
}

struct cfg_tunnel *cfg_find_tunnel(const struct aftr_config *cfg, const struct addr6 *b4)
{
	for (size_t i = 0; i < cfg->n_tunnels; i++)
		if (addr6_equal(&cfg->tunnels[i].b4, b4))
			return &cfg->tunnels[i];
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
	DUP(acl6, n_acl6, cap_acl6);
	DUP(pools, n_pools, cap_pools);
	DUP(pcp_pools, n_pcp_pools, cap_pcp_pools);
	DUP(private4, n_private4, cap_private4);
	DUP(tunnels, n_tunnels, cap_tunnels);
	DUP(nats, n_nats, cap_nats);
	DUP(prrs, n_prrs, cap_prrs);
	DUP(nonats, n_nonats, cap_nonats);
	DUP(softwires, n_softwires, cap_softwires);
#undef DUP
	ok &= dup_str(&dst->transport.device);
	ok &= dup_str(&dst->wan.device);
	ok &= dup_str(&dst->api_listen);
	ok &= dup_str(&dst->api_token_file);
	ok &= dup_str(&dst->api_tls_cert);
	ok &= dup_str(&dst->api_tls_key);
	ok &= dup_str(&dst->log_facility);
	if (!ok) {
		cfg_free(dst); /* each pointer is a copy or NULL */
		return -ENOMEM;
	}
	return 0;
}
