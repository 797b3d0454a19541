/* Making this box's lists the leader's (follow.h): entries put or
 * removed by identity, so that a change applied twice (a record seen again
 * after a restart, a list read while it changed) is a change made once. */
#ifndef AFTR_CLUSTER_MIRROR_H
#define AFTR_CLUSTER_MIRROR_H

#include <jansson.h>
#include <stdint.h>

#include "cfg_kinds.h"

struct state;

/* What mirroring did, added up; last_error is the latest refusal. */
struct mirror_count {
	uint64_t added, replaced, deleted, conflicts, errors;
	char last_error[256];
};

/* entries (an array of the API's JSON objects; a "source" member is
 * ignored) into kind k: each one absent added, each one different
 * replaced, each the same left; one held by this box's own file is a
 * conflict, counted, and left. */
void mirror_put(struct state *st, enum cfg_kind k, const json_t *entries, struct mirror_count *c);
/* entries out of kind k, where they are (this box's file's: conflicts). */
void mirror_del(struct state *st, enum cfg_kind k, const json_t *entries, struct mirror_count *c);

/* The identities of a leader's list, gathered while it is read, then the
 * entries of this box's api layer that are not among them removed. */
struct mirror_names {
	char **v;
	size_t n, cap;
};
/* Adds the identities of entries to names: 0, or -1 (out of memory). */
int mirror_names_add(struct mirror_names *names, enum cfg_kind k, const json_t *entries);
/* Removes this box's api-layer entries of kind k not in names (sorted
 * here), then frees names. */
void mirror_prune(struct state *st, enum cfg_kind k, struct mirror_names *names,
                  struct mirror_count *c);
void mirror_names_free(struct mirror_names *names);

#endif
