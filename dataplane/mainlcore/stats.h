/* The dataplane's counters: the shared region other processes read
 * (lib/shm/stats_shm.h; aftrctl stats), and their totals as "name value" lines
 * for --stats-file and the exit report. Main lcore only. */
#ifndef AFTR_STATS_H
#define AFTR_STATS_H

#include <stdio.h>

/* Creates the region /dev/shm/<shm_name>-stats and points every lcore's
 * counters into it; -errno on failure. */
int stats_init(const char *shm_name);
void stats_fini(const char *shm_name);
/* Copies the ports' own statistics into the main lcore's block. */
void stats_ports_update(void);
void stats_print(FILE *out);
/* Writes atomically (temporary file, then rename). */
int stats_write(const char *path);

#endif
