/* Model -> JSON (see config_json.h). Keys are emitted in the order of
 * config/reference.yaml, so that YAML written from this reads like it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"
#include "util.h"

/* jansson's set_new steals the reference; a NULL value fails the set and
 * the caller sees NULL at the end through the "ok" flag. */
struct enc {
	json_t *o;
	bool ok;
};

static void put(struct enc *e, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(e->o, key, v) < 0)
		e->ok = false;
}

static json_t *finish(struct enc *e)
{
	if (!e->ok) {
		json_decref(e->o);
		return NULL;
	}
	return e->o;
}

static struct enc enc_new(void)
{
	struct enc e = {json_object(), true};

	e.ok = e.o != NULL;
	return e;
}

static json_t *j_addr4(uint32_t a)
{
	char buf[ADDR4_STRLEN];

	return json_string(addr4_format(a, buf));
}

static json_t *j_addr6(const struct addr6 *a)
{
	char buf[ADDR6_STRLEN];

	return json_string(addr6_format(a, buf));
}

static json_t *j_prefix4(const struct prefix4 *p)
{
	char buf[PREFIX4_STRLEN];

	return json_string(prefix4_format(p, buf));
}

static json_t *j_prefix6(const struct prefix6 *p)
{
	char buf[PREFIX6_STRLEN];

	return json_string(prefix6_format(p, buf));
}

static json_t *j_range(struct port_range r)
{
	char buf[PORT_RANGE_STRLEN];

	port_range_format(r, buf, sizeof(buf));
	return json_string(buf);
}

/* ISC "default pcp" ranges: 0 means the feature is off. */
static json_t *j_pcp_range(struct port_range r)
{
	return r.max == 0 ? json_string("off") : j_range(r);
}

static json_t *j_triple_u(const uint16_t v[CFG_NPROTO])
{
	return json_pack("{s:i,s:i,s:i}", "tcp", v[CFG_TCP], "udp", v[CFG_UDP], "icmp",
	                 v[CFG_ICMP]);
}

json_t *cfg_pool_to_json(const struct aftr_config *cfg, const struct cfg_pool *p)
{
	static const char *const keys[CFG_NPROTO] = {"tcp", "udp", "echo"};
	struct enc e = enc_new();

	(void)cfg;
	put(&e, "address", j_addr4(p->addr));
	for (int i = 0; i < CFG_NPROTO; i++)
		if (p->has_range[i])
			put(&e, keys[i], j_range(p->range[i]));
	return finish(&e);
}

json_t *cfg_pcp_pool_to_json(const struct cfg_pcp_pool *p)
{
	struct enc e = enc_new();

	put(&e, "address", j_addr4(p->addr));
	for (int i = 0; i < 2; i++)
		if (p->has_range[i])
			put(&e, cfg_proto_names[i], j_range(p->range[i]));
	return finish(&e);
}

/* A tunnel's own limits of one kind (bit shift of nat_set): only those
 * it sets. */
static json_t *tunnel_limits(const struct cfg_tunnel *t, int shift)
{
	static const char *const names[CFG_NPROTO] = {"tcp", "udp", "icmp"};
	json_t *o = json_object();

	for (int p = 0; p < CFG_NPROTO; p++)
		if (t->nat_set & (1u << (shift + p)))
			json_object_set_new(
			        o, names[p],
			        json_integer(shift ? t->nat_rate[p] : t->nat_maxcount[p]));
	return o;
}

json_t *cfg_tunnel_to_json(const struct cfg_tunnel *t)
{
	struct enc e = enc_new();

	put(&e, "b4", j_addr6(&t->b4));
	if (t->has_ipv4)
		put(&e, "ipv4", j_addr4(t->ipv4));
	if (t->mtu)
		put(&e, "mtu", json_integer(t->mtu));
	if (t->mss != CFG_INHERIT)
		put(&e, "mss", json_boolean(t->mss));
	if (t->toobig != CFG_INHERIT)
		put(&e, "toobig", json_string(cfg_toobig_names[t->toobig]));
	if (t->admpro != CFG_INHERIT)
		put(&e, "admpro", json_string(cfg_admpro_names[t->admpro]));
	if (t->nat_set & 7u)
		put(&e, "nat_maxcount", tunnel_limits(t, 0));
	if (t->nat_set >> CFG_NPROTO)
		put(&e, "nat_rate", tunnel_limits(t, CFG_NPROTO));
	if (t->duid_len) {
		char d[3 * CFG_DUID_MAX];
		size_t at = 0;

		for (size_t i = 0; i < t->duid_len; i++)
			at += (size_t)snprintf(d + at, sizeof(d) - at, "%s%02x", i ? ":" : "",
			                       t->duid[i]);
		put(&e, "duid", json_string(d));
	}
	return finish(&e);
}

json_t *cfg_nat_to_json(const struct cfg_nat *m)
{
	struct enc e = enc_new();

	put(&e, "b4", j_addr6(&m->b4));
	put(&e, "protocol", json_string(cfg_proto_names[m->proto]));
	put(&e, "address", j_addr4(m->addr));
	put(&e, "port", json_integer(m->port));
	put(&e, "external_address", j_addr4(m->ext_addr));
	put(&e, "external_port", json_integer(m->ext_port));
	if (m->has_filter)
		put(&e, "filter",
		    json_pack("{s:o,s:i}", "destination", j_prefix4(&m->filter_dst), "port",
		              m->filter_port));
	return finish(&e);
}

json_t *cfg_prr_to_json(const struct cfg_prr *p)
{
	return json_pack("{s:o,s:s,s:o,s:i}", "b4", j_addr6(&p->b4), "protocol",
	                 cfg_proto_names[p->proto], "address", j_addr4(p->addr), "port", p->port);
}

json_t *cfg_nonat_to_json(const struct cfg_nonat *n)
{
	return json_pack("{s:o,s:o}", "b4", j_addr6(&n->b4), "prefix", j_prefix4(&n->prefix));
}

json_t *cfg_softwire_to_json(const struct cfg_softwire *s)
{
	json_t *o = json_pack("{s:o,s:o,s:i,s:i,s:i}", "b4", j_addr6(&s->b4), "ipv4",
	                      j_addr4(s->ipv4), "psid", s->psid.psid, "psid_len", s->psid.psid_len,
	                      "offset", s->psid.offset);

	if (o && !addr6_is_zero(&s->endpoint) &&
	    json_object_set_new(o, "endpoint", j_addr6(&s->endpoint)) < 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* Appends to a new array one encoded element per entry. */
#define ENC_LIST(arr, n, call)                                                                     \
	({                                                                                         \
		json_t *a_ = json_array();                                                         \
		for (size_t i_ = 0; a_ && i_ < (n); i_++) {                                        \
			__typeof__(&(arr)[0]) it = &(arr)[i_];                                     \
			if (json_array_append_new(a_, (call)) < 0) {                               \
				json_decref(a_);                                                   \
				a_ = NULL;                                                         \
			}                                                                          \
		}                                                                                  \
		a_;                                                                                \
	})

static json_t *enc_section_one(const struct aftr_config *cfg, struct enc *e)
{
	if (cfg->fixed.has_endpoint)
		put(e, "endpoint", j_addr6(&cfg->fixed.endpoint));
	put(e, "endpoints", ENC_LIST(cfg->fixed.endpoints, cfg->fixed.n_endpoints, j_addr6(it)));
	if (cfg->fixed.has_icmp_source)
		put(e, "icmp_source", j_addr4(cfg->fixed.icmp_source));
	put(e, "acl6", ENC_LIST(cfg->lists.acl6, cfg->lists.n_acl6, j_prefix6(&it->p)));
	put(e, "acl6_icmp", json_boolean(cfg->fixed.acl6_icmp));
	put(e, "private", ENC_LIST(cfg->lists.private4, cfg->lists.n_private4, j_prefix4(&it->p)));
	put(e, "pools", ENC_LIST(cfg->fixed.pools, cfg->fixed.n_pools, cfg_pool_to_json(cfg, it)));
	put(e, "pool_defaults",
	    json_pack("{s:o,s:o,s:o}", "tcp", j_range(cfg->fixed.pool_defaults[CFG_TCP]), "udp",
	              j_range(cfg->fixed.pool_defaults[CFG_UDP]), "echo",
	              j_range(cfg->fixed.pool_defaults[CFG_ICMP])));
	put(e, "pcp",
	    json_pack(
	            "{s:s,s:o,s:o,s:o,s:I,s:I,s:i,s:I}", "daemon", cfg_pcpd_names[cfg->fixed.pcpd],
	            "tcp", j_pcp_range(cfg->fixed.pcp_defaults[CFG_TCP]), "udp",
	            j_pcp_range(cfg->fixed.pcp_defaults[CFG_UDP]), "pools",
	            ENC_LIST(cfg->fixed.pcp_pools, cfg->fixed.n_pcp_pools,
	                     cfg_pcp_pool_to_json(it)),
	            "min_lifetime", (json_int_t)cfg->fixed.pcp_min_lifetime, "max_lifetime",
	            (json_int_t)cfg->fixed.pcp_max_lifetime, "max_mappings",
	            cfg->fixed.pcp_max_mappings, "max_rate", (json_int_t)cfg->fixed.pcp_max_rate));
	return e->o;
}

static json_t *enc_tunnel_defaults(const struct cfg_tunnel_defaults *t)
{
	return json_pack("{s:b,s:i,s:b,s:s,s:s,s:i,s:i,s:o,s:o}", "auto", t->auto_create, "mtu",
	                 t->mtu, "mss", t->mss, "toobig", cfg_toobig_names[t->toobig], "admpro",
	                 cfg_admpro_names[t->admpro], "fragment_ipv6_maxcount", t->frag6_maxcount,
	                 "fragment_ipv4_maxcount", t->frag4_maxcount, "nat_maxcount",
	                 j_triple_u(t->nat_maxcount), "nat_rate",
	                 json_pack("{s:i,s:i,s:i}", "tcp", t->nat_rate[CFG_TCP], "udp",
	                           t->nat_rate[CFG_UDP], "icmp", t->nat_rate[CFG_ICMP]));
}

static json_t *enc_lifetimes(const struct aftr_config *cfg)
{
	struct enc e = enc_new();

	for (int i = 0; i < LT_N; i++)
		put(&e, cfg_lifetime_names[i], json_integer(cfg->fixed.lifetime[i]));
	return finish(&e);
}

static void enc_section_zero(const struct aftr_config *cfg, struct enc *e)
{
	json_t *nat;

	put(e, "tunnel_defaults", enc_tunnel_defaults(&cfg->fixed.tun));
	put(e, "fragment",
	    json_pack("{s:b,s:i,s:i,s:i,s:i}", "equal", cfg->fixed.frag_equal, "lifetime",
	              cfg->fixed.frag_lifetime, "ipv6_maxcount", cfg->fixed.frag_maxcount[0],
	              "in_maxcount", cfg->fixed.frag_maxcount[1], "out_maxcount",
	              cfg->fixed.frag_maxcount[2]));
	nat = json_pack(
	        "{s:o,s:i,s:o,s:o,s:s,s:I,s:I,s:I,s:b}", "lifetime", enc_lifetimes(cfg),
	        "hold_lifetime", cfg->fixed.hold_lifetime, "port_block",
	        j_triple_u(cfg->fixed.port_block), "max_blocks", j_triple_u(cfg->fixed.max_blocks),
	        "filtering", cfg_filtering_names[cfg->fixed.filtering], "sessions_per_worker",
	        (json_int_t)cfg->fixed.sessions_per_worker, "subscribers_per_worker",
	        (json_int_t)cfg->fixed.subscribers_per_worker, "max_pools",
	        (json_int_t)cfg->fixed.max_pools, "any_endpoint", cfg->fixed.nat_any_endpoint);
	if (nat && cfg->fixed.has_determ)
		json_object_set_new(nat, "deterministic",
		                    json_pack("{s:o,s:i}", "prefix",
		                              j_prefix6(&cfg->fixed.determ_prefix),
		                              "subscriber_length", cfg->fixed.determ_len));
	put(e, "nat", nat);
	put(e, "decay",
	    json_pack("{s:f,s:f,s:f}", "1min", cfg->fixed.decay[0], "5min", cfg->fixed.decay[1],
	              "15min", cfg->fixed.decay[2]));
	put(e, "quantum", json_integer(cfg->fixed.quantum));
}

static void enc_section_two(const struct aftr_config *cfg, struct enc *e)
{
	put(e, "tunnels",
	    ENC_LIST(cfg->lists.tunnels, cfg->lists.n_tunnels, cfg_tunnel_to_json(it)));
	put(e, "static_nat", ENC_LIST(cfg->lists.nats, cfg->lists.n_nats, cfg_nat_to_json(it)));
	put(e, "prr", ENC_LIST(cfg->lists.prrs, cfg->lists.n_prrs, cfg_prr_to_json(it)));
	put(e, "nonat", ENC_LIST(cfg->lists.nonats, cfg->lists.n_nonats, cfg_nonat_to_json(it)));
	put(e, "softwires",
	    ENC_LIST(cfg->lists.softwires, cfg->lists.n_softwires, cfg_softwire_to_json(it)));
	put(e, "softwire_hairpinning", json_boolean(cfg->fixed.softwire_hairpinning));
}

static json_t *enc_filter_rule(const struct cfg_filter_rule *r)
{
	struct enc e = enc_new();

	put(&e, "action", json_string(cfg_filter_action_names[r->action]));
	if (r->has_b4)
		put(&e, "b4", j_prefix6(&r->b4));
	if (r->has_src)
		put(&e, "source", j_prefix4(&r->src));
	if (r->has_dst)
		put(&e, "destination", j_prefix4(&r->dst));
	if (r->proto >= 0)
		put(&e, "protocol", json_string(cfg_proto_names[r->proto]));
	if (r->has_sport)
		put(&e, "source_port", j_range(r->sport));
	if (r->has_dport)
		put(&e, "destination_port", j_range(r->dport));
	return finish(&e);
}

static json_t *enc_filters(const struct aftr_config *cfg)
{
	struct enc e = enc_new();

	for (int i = 0; i < CFG_NSIDES; i++) {
		struct enc s = enc_new();

		for (int k = 0; k < CFG_NDIRS; k++) {
			const struct cfg_filter_list *l = &cfg->lists.filters[i][k];

			put(&s, cfg_dir_names[k], ENC_LIST(l->v, l->n, enc_filter_rule(it)));
		}
		put(&e, cfg_side_names[i], finish(&s));
	}
	return finish(&e);
}

static json_t *enc_icmp(const struct aftr_config *cfg)
{
	struct enc e = enc_new();

	for (int i = 0; i < CFG_NSIDES; i++) {
		const struct cfg_icmp_policy *p = &cfg->fixed.icmp[i];

		put(&e, cfg_side_names[i],
		    json_pack("{s:b,s:b,s:s,s:I}", "errors", p->errors, "too_big", p->too_big,
		              "incoming", cfg_incoming_names[p->incoming], "rate",
		              (json_int_t)p->rate));
	}
	return finish(&e);
}

static json_t *j_mac(const uint8_t b[6])
{
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
	         b[5]);
	return json_string(mac);
}

static json_t *enc_iface(const struct cfg_iface *i, bool v6)
{
	struct enc e = enc_new();

	if (i->device)
		put(&e, "device", json_string(i->device));
	if (i->has_address)
		put(&e, "address", v6 ? j_prefix6(&i->addr6) : j_prefix4(&i->addr4));
	if (i->has_gateway)
		put(&e, "gateway", v6 ? j_addr6(&i->gw6) : j_addr4(i->gw4));
	if (i->has_gateway_mac)
		put(&e, "gateway_mac", j_mac(i->gateway_mac));
	put(&e, "mtu", json_integer(i->mtu));
	if (i->vlan)
		put(&e, "vlan", json_integer(i->vlan));
	if (i->has_mac)
		put(&e, "mac", j_mac(i->mac));
	return finish(&e);
}

/* logging.exporters, each with the keys its transport takes. */
static json_t *exporters_json(const struct aftr_config *cfg)
{
	json_t *l = json_array();

	for (size_t i = 0; l && i < cfg->fixed.n_exporters; i++) {
		const struct cfg_exporter *x = &cfg->fixed.exporters[i];
		json_t *o = json_pack("{s:s,s:s}", "type", cfg_export_type_names[x->type],
		                      "transport", cfg_export_transport_names[x->transport]);

		if (o == NULL)
			continue;
		if (x->transport == EXPORT_LOCAL) {
			json_object_set_new(o, "path", json_string(x->path));
		} else {
			json_object_set_new(o, "address", json_string(x->address));
			json_object_set_new(o, "port", json_integer(x->port));
		}
		if (x->type == EXPORT_IPFIX) {
			json_object_set_new(o, "template_refresh",
			                    json_integer(x->template_refresh));
			json_object_set_new(o, "observation_domain", json_integer(x->domain));
		}
		json_array_append_new(l, o);
	}
	return l;
}

static void enc_appliance(const struct aftr_config *cfg, struct enc *e)
{
	struct enc api = enc_new();

	put(e, "interfaces",
	    json_pack("{s:o,s:o}", "transport", enc_iface(&cfg->fixed.transport, true), "wan",
	              enc_iface(&cfg->fixed.wan, false)));
	put(&api, "listen", json_string(cfg->fixed.api_listen));
	put(&api, "port", json_integer(cfg->fixed.api_port));
	if (cfg->fixed.api_token_file)
		put(&api, "token_file", json_string(cfg->fixed.api_token_file));
	if (cfg->fixed.api_tls_cert)
		put(&api, "tls_cert", json_string(cfg->fixed.api_tls_cert));
	if (cfg->fixed.api_tls_key)
		put(&api, "tls_key", json_string(cfg->fixed.api_tls_key));
	put(&api, "max_body_mb", json_integer(cfg->fixed.api_max_body_mb));
	put(&api, "max_connections", json_integer(cfg->fixed.api_max_connections));
	put(&api, "max_per_client", json_integer(cfg->fixed.api_max_per_client));
	put(&api, "header_timeout", json_integer(cfg->fixed.api_header_timeout));
	put(&api, "idle_timeout", json_integer(cfg->fixed.api_idle_timeout));
	put(e, "api", finish(&api));
	{
		struct enc bgp = enc_new();

		if (cfg->fixed.bgp_bird_socket)
			put(&bgp, "bird_socket", json_string(cfg->fixed.bgp_bird_socket));
		put(&bgp, "protocol", json_string(cfg_bgp_protocol(&cfg->fixed)));
		put(&bgp, "check_interval_ms", json_integer(cfg->fixed.bgp_check_ms));
		put(&bgp, "down_after", json_integer(cfg->fixed.bgp_down_after));
		put(e, "bgp", finish(&bgp));
	}
	if (cfg->fixed.cluster_follow) {
		struct enc cl = enc_new();
		json_t *kinds_a = json_array();

		for (int k = 0; k < K_COUNT; k++)
			if (cfg->fixed.cluster_kinds & 1u << k)
				json_array_append_new(kinds_a, json_string(cfg_kind_urls[k]));
		put(&cl, "follow", json_string(cfg->fixed.cluster_follow));
		if (cfg->fixed.cluster_token_file)
			put(&cl, "token_file", json_string(cfg->fixed.cluster_token_file));
		put(&cl, "kinds", kinds_a);
		put(&cl, "retry_interval_ms", json_integer(cfg->fixed.cluster_retry_ms));
		put(e, "cluster", finish(&cl));
	}
	put(e, "logging",
	    json_pack("{s:s,s:s,s:s,s:i,s:s,s:I,s:o,s:{s:b,s:s,s:I,s:I,s:I}}", "level",
	              cfg_log_level_names[cfg->fixed.log_level], "destination",
	              cfg_log_dest_names[cfg->fixed.log_dest], "facility", cfg->fixed.log_facility,
	              "debug", cfg->fixed.debug, "nat_events",
	              cfg_nat_events_names[cfg->fixed.nat_events], "enterprise",
	              (json_int_t)cfg->fixed.log_enterprise, "exporters", exporters_json(cfg),
	              "event_log", "enabled", cfg->fixed.event_log.enabled, "dir",
	              cfg->fixed.event_log.dir, "file_mb", (json_int_t)cfg->fixed.event_log.file_mb,
	              "retention_days", (json_int_t)cfg->fixed.event_log.retention_days,
	              "max_total_mb", (json_int_t)cfg->fixed.event_log.max_total_mb));
	put(e, "dataplane",
	    json_pack("{s:s,s:i,s:b}", "idle", cfg_idle_names[cfg->fixed.idle], "idle_sleep_max_us",
	              cfg->fixed.idle_sleep_max_us, "fast_path", cfg->fixed.fast_path));
}

json_t *cfg_to_json(const struct aftr_config *cfg)
{
	struct enc e = enc_new();

	enc_section_one(cfg, &e);
	enc_section_zero(cfg, &e);
	enc_section_two(cfg, &e);
	put(&e, "icmp", enc_icmp(cfg));
	put(&e, "filters", enc_filters(cfg));
	enc_appliance(cfg, &e);
	return finish(&e);
}

/* Drops from obj every key whose value equals def's; recurses into
 * mappings so that one changed knob keeps only its own path. */
static void strip_defaults(json_t *obj, const json_t *def)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(obj, tmp, key, v) {
		const json_t *d = json_object_get(def, key);

		if (d == NULL)
			continue;
		if (json_is_object(v) && json_is_object(d)) {
			strip_defaults(v, d);
			if (json_object_size(v) == 0)
				json_object_del(obj, key);
		} else if (json_equal(v, d)) {
			json_object_del(obj, key);
		}
	}
}

json_t *cfg_to_json_sparse(const struct aftr_config *cfg)
{
	struct aftr_config def;
	json_t *full = cfg_to_json(cfg), *dj;

	if (full == NULL || cfg_init(&def) < 0) {
		json_decref(full);
		return NULL;
	}
	dj = cfg_to_json(&def);
	cfg_free(&def);
	if (dj == NULL) {
		json_decref(full);
		return NULL;
	}
	strip_defaults(full, dj);
	json_decref(dj);
	return full;
}

bool cfg_equal(const struct aftr_config *a, const struct aftr_config *b)
{
	json_t *x = cfg_to_json(a), *y = cfg_to_json(b);
	bool eq = x && y && json_equal(x, y);

	json_decref(x);
	json_decref(y);
	return eq;
}

const char *const cfg_live_keys[] = {"acl6",  "private",   "tunnels", "static_nat", "prr",
                                     "nonat", "softwires", "filters", NULL};

/* What a running dataplane cannot take without a restart: everything but
 * the live lists and the control process's own parts. The lists are left
 * out of a shallow copy before encoding: they may hold a million entries. */
static json_t *fixed_part(const struct aftr_config *cfg, unsigned int flags)
{
	struct aftr_config c = *cfg;
	json_t *o;

	c.lists.n_acl6 = c.lists.n_private4 = c.lists.n_tunnels = c.lists.n_nats = c.lists.n_prrs =
	        c.lists.n_nonats = 0;
	c.lists.n_softwires = 0;
	o = cfg_to_json(&c);

	for (int i = 0; o && cfg_live_keys[i]; i++)
		json_object_del(o, cfg_live_keys[i]);
	if (o && !(flags & CFG_FIXED_CONTROL)) {
		json_object_del(o, "api");
		json_object_del(o, "logging");
	}
	if (o && (flags & CFG_FIXED_POOLS))
		json_object_del(o, "pools");
	return o;
}

/* Pool p of cfg as its JSON, its address dropped; NULL for none. */
static json_t *pool_body(const struct aftr_config *cfg, const struct cfg_pool *p)
{
	json_t *j = p ? cfg_pool_to_json(cfg, p) : NULL;

	if (j)
		json_object_del(j, "address");
	return j;
}

static const struct cfg_pool *pool_of(const struct aftr_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->fixed.n_pools; i++)
		if (cfg->fixed.pools[i].addr == addr)
			return &cfg->fixed.pools[i];
	return NULL;
}

int cfg_pools_diff(const struct aftr_config *now, const struct aftr_config *next, char *why,
                   size_t len)
{
	size_t changed = 0;
	char a[ADDR4_STRLEN];

	for (size_t i = 0; i < next->fixed.n_pools; i++) {
		const struct cfg_pool *q = &next->fixed.pools[i], *p = pool_of(now, q->addr);
		json_t *x = pool_body(now, p), *y = pool_body(next, q);
		bool same = p && x && y && json_equal(x, y);

		json_decref(x);
		json_decref(y);
		if (p && !same) {
			snprintf(
			        why, len,
			        "pools: %s's port ranges differ: a pool's ranges change at restart "
			        "(remove it, reload, add it back with a restart)",
			        addr4_format(q->addr, a));
			return -EINVAL;
		}
		changed += p == NULL;
	}
	for (size_t i = 0; i < now->fixed.n_pools; i++)
		changed += pool_of(next, now->fixed.pools[i].addr) == NULL;
	if (changed && (now->fixed.has_determ || next->fixed.has_determ)) {
		snprintf(why, len,
		         "pools: nat.deterministic maps B4s onto the pools: adding or removing one "
		         "needs a restart");
		return -EINVAL;
	}
	return changed ? 1 : 0;
}

/* Writes after what which holds the first key whose values differ between
 * x and y (either way), as a path into nested mappings
 * (nat.sessions_per_worker); false when they are equal. */
static bool diff_path(json_t *x, json_t *y, char *which, size_t len)
{
	size_t n = strlen(which);
	const char *key;
	json_t *v, *w;

	json_object_foreach(x, key, v) {
		w = json_object_get(y, key);
		if (json_equal(v, w))
			continue;
		snprintf(which + n, len - n, "%s%s", n ? "." : "", key);
		if (json_is_object(v) && json_is_object(w))
			diff_path(v, w, which, len);
		return true;
	}
	json_object_foreach(y, key, v) {
		if (json_object_get(x, key))
			continue;
		snprintf(which + n, len - n, "%s%s", n ? "." : "", key);
		return true;
	}
	return false;
}

int cfg_fixed_diff(const struct aftr_config *a, const struct aftr_config *b, unsigned int flags,
                   char *which, size_t len)
{
	json_t *x = fixed_part(a, flags), *y = fixed_part(b, flags);
	char none[1];
	int rc;

	if (len == 0) {
		which = none;
		len = sizeof(none);
	}
	*which = '\0';
	/* Both ways: a key may be in one only (endpoint, icmp_source). */
	rc = x == NULL || y == NULL ? -ENOMEM : diff_path(x, y, which, len);
	json_decref(x);
	json_decref(y);
	return rc;
}
