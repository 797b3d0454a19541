/* The counters region: a POSIX shared-memory object the dataplane creates
 * and writes, and that any process (aftrctl, the control process) maps
 * read-only to read the counters without stopping a worker.
 *
 * Layout (version 1), all offsets from the start, little-endian host order:
 *   struct stats_shm_hdr
 *   names:  ncounters x char[STATS_NAME_LEN], NUL-padded
 *   blocks: nblocks x block_size bytes; block b holds ncounters uint64_t,
 *           written by one lcore only (the workers in order, then the main
 *           lcore), read with relaxed 64-bit loads.
 * A reader checks magic and version, and compares the generation before
 * and after reading to notice a restarted dataplane. */
#ifndef AFTR_STATS_SHM_H
#define AFTR_STATS_SHM_H

#include <stddef.h>
#include <stdint.h>

#define STATS_SHM_MAGIC 0x53525446u /* "FTRS" */
#define STATS_SHM_VERSION 1u
#define STATS_NAME_LEN 48
#define STATS_SHM_DEFAULT "aftr"   /* /dev/shm/aftr-stats */

struct stats_shm_hdr {
	uint32_t magic, version;
	uint64_t generation; /* changes on every dataplane start */
	uint64_t size;       /* of the whole region */
	uint32_t nblocks;    /* workers, then the main lcore */
	uint32_t ncounters;
	uint32_t names_off, blocks_off;
	uint32_t block_size;
	int32_t pid; /* of the dataplane */
};

/* Region size for the given shape. */
size_t stats_shm_size(uint32_t nblocks, uint32_t ncounters);

/* Creates (or replaces) /dev/shm/<name>-stats, lays it out and returns the
 * mapping (read-write), or NULL with errno set. */
void *stats_shm_create(const char *name, uint32_t nblocks, const char *const *names,
		       uint32_t ncounters, uint64_t generation);
/* Unmaps and removes it (at an orderly stop). */
void stats_shm_destroy(const char *name, void *region);

/* The counter block of lcore block b in a region. */
uint64_t *stats_shm_block(void *region, uint32_t b);

/* Readers: maps an existing region read-only and checks it. Returns the
 * mapping or NULL with errno set (ENOENT: no dataplane; EPROTO: not a
 * region of this version). Unmap with stats_shm_close. */
const struct stats_shm_hdr *stats_shm_open(const char *name);
void stats_shm_close(const struct stats_shm_hdr *h);
const char *stats_shm_name(const struct stats_shm_hdr *h, uint32_t i);
uint64_t stats_shm_value(const struct stats_shm_hdr *h, uint32_t block, uint32_t i);
/* Sum over every block. */
uint64_t stats_shm_total(const struct stats_shm_hdr *h, uint32_t i);

#endif
