/* The live tables: what may change while the AFTR runs (ISC section two:
 * tunnels, static NAT with its filters, prr, nonat, lw4o6 softwires; and
 * the acl6 and private prefixes), indexed for the packet path.
 *
 * A set is built whole from a configuration and never changes after: the
 * dataplane publishes a new set as a new generation and frees the old one
 * once every worker has moved on (dataplane/gen.c). Lookups are binary
 * searches over sorted pointer arrays, so readers need no lock. */
#ifndef AFTR_TABLES_H
#define AFTR_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct tables {
	uint64_t gen;           /* the generation, as the control process numbered it */
	struct aftr_config cfg; /* owned: the entries indexed below */
	const struct cfg_tunnel **tun;
	size_t n_tun;
	const struct cfg_nat **nat_in;  /* by (b4, proto, inside address, inside port) */
	const struct cfg_nat **nat_ext; /* by (proto, public address, public port) */
	size_t n_nat;
};

/* Takes cfg (moved in: *cfg is left empty, safe to cfg_free) and indexes
 * it; 0 or -ENOMEM (cfg is then freed). cfg must be valid (cfg_validate):
 * of duplicate keys, one is found. */
int tables_build(struct tables *t, struct aftr_config *cfg, uint64_t gen);
void tables_free(struct tables *t);

/* The tunnel configured for a B4, or NULL. */
const struct cfg_tunnel *tables_tunnel(const struct tables *t, const struct addr6 *b4);

/* Whether a B4 may use the softwire (ISC: the ACL is checked when no
 * tunnel is found); when not, *drop says why (DROP_ACL6, DROP_NO_TUNNEL). */
bool tables_b4_allowed(const struct tables *t, const struct addr6 *b4, int *drop);

/* The static mapping of an inside endpoint, or NULL. Host order. */
const struct cfg_nat *tables_nat_inside(const struct tables *t, const struct addr6 *b4,
                                        enum cfg_proto proto, uint32_t addr, uint16_t port);
/* The static mapping of a public endpoint, or NULL. Host order. */
const struct cfg_nat *tables_nat_public(const struct tables *t, enum cfg_proto proto, uint32_t addr,
                                        uint16_t port);
/* ISC "filter": whether a static mapping lets a remote peer (host order)
 * talk to it, either way. */
bool tables_nat_allows(const struct cfg_nat *n, uint32_t remote, uint16_t rport);

#endif
