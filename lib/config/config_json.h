/* JSON form of the configuration model (jansson). The YAML file is the
 * same tree written as YAML; the REST API sends and takes these objects.
 * Key names are documented in config/reference.yaml. */
#ifndef AFTR_CONFIG_JSON_H
#define AFTR_CONFIG_JSON_H

#include <jansson.h>

#include "config.h"
#include "jdec.h"

/* Model -> JSON. Each returns a new reference, or NULL on out of memory. */
json_t *cfg_pool_to_json(const struct aftr_config *cfg, const struct cfg_pool *p);
json_t *cfg_pcp_pool_to_json(const struct cfg_pcp_pool *p);
json_t *cfg_tunnel_to_json(const struct cfg_tunnel *t);
json_t *cfg_nat_to_json(const struct cfg_nat *m);
json_t *cfg_prr_to_json(const struct cfg_prr *p);
json_t *cfg_nonat_to_json(const struct cfg_nonat *n);
json_t *cfg_softwire_to_json(const struct cfg_softwire *s);
/* The whole model, every knob included (the effective configuration). */
json_t *cfg_to_json(const struct aftr_config *cfg);
/* Only what differs from the defaults (what a person would write). */
json_t *cfg_to_json_sparse(const struct aftr_config *cfg);

/* JSON -> model. Errors go to j->d with key paths below j's current path;
 * each returns 0, or -1 when it reported an error. The list decoders are
 * what the API uses for one object; cfg_from_json fills a model that
 * cfg_init() prepared (absent keys keep their defaults; a list that is
 * present replaces the default list). */
int cfg_pool_from_json(struct jdec *j, const json_t *node, struct cfg_pool *out);
int cfg_pcp_pool_from_json(struct jdec *j, const json_t *node, struct cfg_pcp_pool *out);
int cfg_tunnel_from_json(struct jdec *j, const json_t *node, struct cfg_tunnel *out);
int cfg_nat_from_json(struct jdec *j, const json_t *node, struct cfg_nat *out);
int cfg_prr_from_json(struct jdec *j, const json_t *node, struct cfg_prr *out);
int cfg_nonat_from_json(struct jdec *j, const json_t *node, struct cfg_nonat *out);
int cfg_softwire_from_json(struct jdec *j, const json_t *node, struct cfg_softwire *out);
int cfg_from_json(struct aftr_config *cfg, const json_t *root, struct jdec *j);

/* The top-level keys that may change while the dataplane runs (the live
 * tables, tables.h), NULL-terminated. */
extern const char *const cfg_live_keys[];
/* 0 when a and b differ only in live keys (and, without CFG_FIXED_CONTROL,
 * in the control process's own parts: api, logging, which the dataplane
 * does not take from the tables); 1 when they differ elsewhere, with the
 * first such key in which, as a path into nested mappings
 * (nat.sessions_per_worker); -ENOMEM. */
#define CFG_FIXED_CONTROL 0x1
/* With CFG_FIXED_POOLS, pools are left out (cfg_pools_diff says whether a
 * change of them can be made while the dataplane runs). */
#define CFG_FIXED_POOLS 0x2
int cfg_fixed_diff(const struct aftr_config *a, const struct aftr_config *b, unsigned int flags,
                   char *which, size_t len);

/* How the pools of next differ from those of now: 0 not at all, 1 only by
 * whole pool addresses added or removed (what a running dataplane takes:
 * an added one is used at once, a removed one drains), -EINVAL when a
 * pool in both has other ranges or nat.deterministic is on (why says so:
 * a restart is needed). */
int cfg_pools_diff(const struct aftr_config *now, const struct aftr_config *next, char *why,
                   size_t len);

#endif
