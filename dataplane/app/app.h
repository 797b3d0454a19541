/* The dataplane's life, shared by aftr-dataplane (main.c) and the
 * in-memory benchmark (bench/): after rte_eal_init, load the
 * configuration, start (ports, tables, workers), run, stop. */
#ifndef AFTR_APP_H
#define AFTR_APP_H

#include "config.h"

/* Reads and checks a YAML configuration; messages go to stderr. */
int dp_app_load(const char *path, struct aftr_config *cfg);

/* Sets up the runtime configuration, the live tables, the counters region
 * /dev/shm/SHM-stats, the ports named by cfg (an existing ethdev of that
 * name is used as it is) and nworkers workers (1..DP_MAX_WORKERS), none
 * launched yet. cfg must outlive the dataplane. 0, or a negative errno
 * with the reason on stderr. */
int dp_app_start(const struct aftr_config *cfg, unsigned int nworkers, const char *shm);

/* Launches the workers on the worker lcores and runs the slow path on this
 * one until dp.stop; writes the counters to stats_path (if not NULL) once
 * a second. */
void dp_app_run(const char *stats_path);

/* After dp_app_start, whatever it returned: final counters (stats_path,
 * stderr), ports closed, memory freed, the counters region removed. */
void dp_app_stop(const char *stats_path, const char *shm);

/* rte_eal_cleanup, then this process's DPDK runtime directory removed
 * (/var/run/dpdk/PREFIX: EAL leaves its config, fbarray files and
 * socket there, one directory a run). Our processes are primaries with no
 * secondary, so nothing else uses it. */
void dp_eal_cleanup(void);

#endif
