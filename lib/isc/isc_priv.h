/* Internals shared by the ISC aftr.conf importer's files. */
#ifndef AFTR_ISC_PRIV_H
#define AFTR_ISC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"

#define ISC_MAX_TOKENS 16

struct isc {
	struct aftr_config *cfg;
	struct diag *d;
	uint32_t line;
	int section; /* 0, 1 or 2: the furthest section seen */
	char *tok[ISC_MAX_TOKENS];
	int ntok;
	char cmd[64]; /* the command words matched so far, for messages */
	bool failed;
	bool runtime; /* one line against a running configuration: no sections */
};

/* One command word. Either sub (a table for the next word) or run (given
 * the index of its first argument). Sections: manual 3.5, "Command Summary". */
struct isc_cmd {
	const char *name;
	const struct isc_cmd *sub;
	int (*run)(struct isc *s, int at);
	int section_min, section_max;
	bool interactive;
};

extern const struct isc_cmd isc_commands[];

void isc_err(struct isc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int isc_dispatch(struct isc *s, const struct isc_cmd *table, int at);
const struct isc_cmd *isc_lookup(const struct isc_cmd *table, const char *word);
const char *isc_choices(const struct isc_cmd *table);

/* Argument helpers: each reports its own error and returns -1, or 0. */
int isc_nargs(struct isc *s, int at, int min, int max, const char *usage);
int isc_uint(struct isc *s, const char *tok, uint32_t min, uint32_t max, uint32_t *out);
int isc_onoff(struct isc *s, const char *tok, bool *out);
int isc_enum(struct isc *s, const char *tok, const char *const *names, int *out);
int isc_addr4(struct isc *s, const char *tok, uint32_t *out);
int isc_addr6(struct isc *s, const char *tok, struct addr6 *out);
int isc_prefix4(struct isc *s, const char *tok, struct prefix4 *out);
int isc_prefix6(struct isc *s, const char *tok, struct prefix6 *out);
int isc_range(struct isc *s, const char *tok, uint16_t lowest, struct port_range *out);
/* tcp|udp, or also icmp (and "echo" for it) when icmp_ok. */
int isc_proto(struct isc *s, const char *tok, bool icmp_ok, enum cfg_proto *out);
struct cfg_pos isc_pos(const struct isc *s);

/* Section zero (isc_defaults.c). */
extern const struct isc_cmd isc_default_cmds[];
int isc_autotunnel(struct isc *s, int at);
int isc_defadmpro(struct isc *s, int at);
int isc_defmss(struct isc *s, int at);
int isc_defmtu(struct isc *s, int at);
int isc_deftoobig(struct isc *s, int at);
int isc_eqfrag(struct isc *s, int at);
int isc_bucket(struct isc *s, int at);
int isc_decay(struct isc *s, int at);
int isc_quantum(struct isc *s, int at);
int isc_delete_private(struct isc *s, int at);
#endif
