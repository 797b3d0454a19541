/* The run-time resource kinds (the live lists an API changes one entry at
 * a time: control/state/state.h), as a table: each kind's list in struct
 * aftr_config, its JSON codec, and its identity (what a URL names and
 * what two entries of the kind may not share). The dataplane decodes the
 * control process's change records (its journal's) with it too. */
#ifndef AFTR_CFG_KINDS_H
#define AFTR_CFG_KINDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "jdec.h"

struct kind {
	const char *url;              /* /api/v1/<url> */
	const char *key;              /* the configuration's key (config_json.h) */
	size_t elem;                  /* sizeof an entry */
	size_t off_v, off_n, off_cap; /* the list's fields in struct aftr_config */
	int (*dec)(struct jdec *j, const json_t *node, void *out);
	json_t *(*enc)(const void *entry);
	int nseg;                                       /* URL segments of an identity */
	int (*id)(const char *const *seg, void *probe); /* fills the identity; 0 or -1 */
	bool (*eq)(const void *a, const void *b);       /* same identity */
	const char *id_form;                            /* for error messages */
	/* An entry's identity as URL segments ("tcp/198.51.100.1/80"). */
	void (*path)(const void *entry, char *buf, size_t len);
	/* An entry's identity as KIND_KEY_LEN bytes (equal iff eq()), to hash. */
	void (*idkey)(const void *entry, uint8_t *out);
};

#define KIND_KEY_LEN 20

extern const struct kind kinds[K_COUNT];

struct kind_list {
	void **v;
	size_t *n, *cap;
};

/* The kind whose url is url ("softwires"), or -1. */
int kind_by_url(const char *url);

struct kind_list kind_list(const struct kind *k, const struct aftr_config *cfg);
void *kind_at(const struct kind *k, const struct aftr_config *cfg, size_t i);
/* Index of the first entry from `from` on with probe's identity, or -1. */
long kind_find(const struct kind *k, const struct aftr_config *cfg, const void *probe, size_t from);

#endif
