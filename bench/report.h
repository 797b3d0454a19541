/* What aftr-bench and aftr-pktgen share: the phases of a run (B4 ->
 * Internet only, Internet -> B4 only, both at once), their figures as a
 * table and as JSON, and the machine they ran on. */
#ifndef AFTR_BENCH_REPORT_H
#define AFTR_BENCH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "traffic.h"

extern const char *const phase_names[3]; /* "up", "down", "both" */
extern const char *const proto_names[];  /* by IP protocol number */

struct phase {
	const char *name;
	bool dir[2];
	uint64_t cycles; /* TSC cycles: the workers' rounds, or the phase's time */
	uint64_t sent[2], received[2], bytes[2], wrong[2];
	uint64_t lat[3];             /* p50, p99, p99.9, TSC cycles */
	uint64_t renewed, relearned; /* new flows made, and answered (tr_renew) */
};

/* --phases up,down,both (any of them, in any order): 0, or -1. */
int parse_phases(const char *s, bool phase[3]);

/* A word of a list (tr_mode_names, proto_names) of n: its index, or -1. */
int word(const char *s, const char *const *list, int n);

/* The model's counts since the last call into ph, and zeroes them. */
void phase_end(struct tr_model *t, struct phase *ph);

/* The phases as a table on stdout and a JSON array (*phases); per_packet:
 * cycles are the workers' own, so show cycles per packet. Returns the
 * number of wrong frames. */
uint64_t report_phases(const struct phase *ph, int n, bool per_packet, json_t **phases);

/* The run's JSON: the fields of head (consumed), then the machine's (CPU
 * model, TSC rate, DPDK version), written to path if not NULL. 0 or -1. */
int report_write(json_t *head, json_t *phases, const char *path);

#endif
