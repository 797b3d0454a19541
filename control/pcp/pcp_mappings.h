/* The PCP server's record of the mappings it made (pcp_server.h): who
 * asked (the softwire, the client's address and port, the request's nonce,
 * RFC 6887 section 11.3), what was given and until when. The mappings
 * themselves live in the dataplane's NAPT tables; this record is what
 * the API lists, what a renewal's nonce is checked against, and whom an
 * ANNOUNCE goes to after the dataplane lost them (section 14.1.3). Kept
 * in STATE_DIR/pcp.json across aftr-control's restarts. Not thread-safe:
 * the server's lock guards it. */
#ifndef AFTR_PCP_MAPPINGS_H
#define AFTR_PCP_MAPPINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct pcp_mapping {
	uint8_t b4[16];
	uint32_t internal;      /* network order */
	uint16_t internal_port; /* host order */
	uint8_t proto;
	uint8_t opcode; /* RFC 6887: 1 MAP, 2 PEER */
	uint8_t ep;     /* the softwire's endpoint */
	uint8_t v6;     /* asked over plain IPv6 by the B4 (client 0), not inside the softwire */
	uint8_t nonce[12];
	uint32_t client; /* the client's address and port (ANNOUNCE) */
	uint16_t client_port;
	uint32_t external; /* network order */
	uint16_t external_port;
	uint32_t lifetime;        /* granted, seconds */
	int64_t created, expires; /* seconds since 1970 */
	struct pcp_mapping *next; /* in its hash chain */
};

struct pcp_mappings;

struct pcp_mappings *pcp_mappings_new(void);
void pcp_mappings_free(struct pcp_mappings *t);
/* The mapping of (b4, internal, port, proto, opcode), or NULL: a MAP and a
 * PEER of one internal endpoint are two mappings (RFC 6887 section 12),
 * each with its nonce (in the dataplane, one session). */
struct pcp_mapping *pcp_mappings_find(struct pcp_mappings *t, const uint8_t b4[16],
                                      uint32_t internal, uint16_t port, uint8_t proto,
                                      uint8_t opcode);
/* Adds (or replaces the fields of) the mapping with m's key: 0 or -ENOMEM. */
int pcp_mappings_put(struct pcp_mappings *t, const struct pcp_mapping *m);
void pcp_mappings_del(struct pcp_mappings *t, const struct pcp_mapping *key);
/* Drops those expired by now; returns how many. */
unsigned int pcp_mappings_expire(struct pcp_mappings *t, int64_t now);
size_t pcp_mappings_count(const struct pcp_mappings *t);
/* Calls fn for each (fn must not change t). */
void pcp_mappings_each(const struct pcp_mappings *t, void (*fn)(const struct pcp_mapping *, void *),
                       void *arg);
/* All of them, removed, as a list the caller frees (for ANNOUNCE). */
struct pcp_mapping *pcp_mappings_take_all(struct pcp_mappings *t);

/* As JSON (the API's and the file's form), now for "expires_in"; and back:
 * 0, or -1 for an entry that is not one (skipped on load). */
json_t *pcp_mapping_json(const struct pcp_mapping *m, int64_t now);
int pcp_mapping_from_json(const json_t *o, struct pcp_mapping *m);

/* The file: saved whole (a temporary, then renamed) with the dataplane
 * generation the mappings live in; loaded at start. 0 or -errno. */
int pcp_mappings_save(const struct pcp_mappings *t, const char *path, uint64_t generation);
int pcp_mappings_load(struct pcp_mappings *t, const char *path, uint64_t *generation);

#endif
