/* The shared region: a POSIX shared-memory object the dataplane creates,
 * holding its counters, which any process (aftrctl, the control process)
 * maps read-only to read without stopping a worker, and the rings between
 * the control process and each worker (ctl_msg.h), which the control
 * process maps read-write.
 *
 * Layout (version 5), all offsets from the start, host byte order:
 *   struct stats_shm_hdr
 *   names:  ncounters x char[STATS_NAME_LEN], NUL-padded
 *   blocks: nblocks x block_size bytes; block b holds ncounters uint64_t,
 *           written by one lcore only (the workers in order, then the main
 *           lcore), read with relaxed 64-bit loads.
 *   rings:  2 x nrings x ring_bytes: first the command rings (control ->
 *           dataplane), then the event rings (dataplane -> control), one
 *           each for every worker and, last, the main lcore (nrings =
 *           workers + 1); DPDK rte_rings of ctl_msg elements, single
 *           producer and single consumer, initialised by the dataplane.
 *   packet rings: 2 x pkt_ring_bytes: packets of the slow path's protocols
 *           between the main lcore and the control process (ctl_pkt.h),
 *           first the dataplane's to control, then control's to it; rte_rings
 *           of pkt_size elements, single producer and consumer (none: 0).
 * A reader checks magic and version, and compares the generation before
 * and after reading to notice a restarted dataplane. */
#ifndef AFTR_STATS_SHM_H
#define AFTR_STATS_SHM_H

#include <stddef.h>
#include <stdint.h>

#define STATS_SHM_MAGIC   0x53525446u /* "FTRS" */
#define STATS_SHM_VERSION 5u
#define STATS_NAME_LEN    48
#define STATS_SHM_DEFAULT "aftr" /* /dev/shm/aftr-stats */

struct stats_shm_hdr {
	uint32_t magic, version;
	uint64_t generation; /* changes on every dataplane start */
	uint64_t size;       /* of the whole region */
	uint32_t nblocks;    /* workers, then the main lcore */
	uint32_t ncounters;
	uint32_t names_off, blocks_off;
	uint32_t block_size;
	int32_t pid;         /* of the dataplane */
	uint32_t nrings;     /* rings each way: one per worker, then the main lcore's */
	uint32_t ring_bytes; /* each, rte_ring_get_memsize_elem(msg_size, ring_count) */
	uint32_t rings_off;
	uint32_t ring_count; /* elements a ring holds */
	uint32_t msg_size;   /* CTL_MSG_SIZE */
	uint32_t pad;
	int64_t start_time; /* the dataplane's start, seconds since the epoch */
	/* The live tables (stats_shm_set_tables): the generation aftr-control
	 * gave them (0: the dataplane's own configuration file) and the
	 * origin of the state they came from (control/state/state.h). */
	uint64_t tables_seq; /* odd while the two below change */
	uint64_t tables_gen, tables_origin;
	/* The packet rings (ctl_pkt.h): each this size, of pkt_count
	 * elements of pkt_size bytes, from pkt_rings_off (0: none). */
	uint32_t pkt_rings_off, pkt_ring_bytes, pkt_count, pkt_size;
};

/* The rings of a region (all zero: none). */
struct stats_shm_rings {
	uint32_t nrings, ring_bytes, ring_count, msg_size;
	uint32_t pkt_ring_bytes, pkt_count, pkt_size; /* the two packet rings */
};

/* Region size for the given shape. */
size_t stats_shm_size(uint32_t nblocks, uint32_t ncounters, const struct stats_shm_rings *r);

/* Creates (or replaces) /dev/shm/<name>-stats, lays it out and returns the
 * mapping (read-write), or NULL with errno set. The rings' memory is left
 * zeroed for the caller to initialise; readers refuse the region until
 * stats_shm_publish. */
void *stats_shm_create(const char *name, uint32_t nblocks, const char *const *names,
                       uint32_t ncounters, uint64_t generation, const struct stats_shm_rings *r,
                       int64_t start_time);
/* Marks a created region (rings initialised) valid for readers. */
void stats_shm_publish(void *region);
/* Ring i of a region: command ring i for i < nrings (worker i, or the
 * main lcore for i = nrings - 1), event ring i - nrings after. */
void *stats_shm_ring(const struct stats_shm_hdr *h, uint32_t i);
/* Packet ring dir (0: dataplane -> control, 1: control -> dataplane), or
 * NULL when the region has none. */
void *stats_shm_pkt_ring(const struct stats_shm_hdr *h, uint32_t dir);
/* The dataplane: the live tables are now generation gen of origin. A
 * reader never takes one's generation with another's origin. */
void stats_shm_set_tables(void *region, uint64_t gen, uint64_t origin);
/* Readers: the generation and origin of the live tables; 0 for both when
 * the dataplane runs its own configuration file's, or they were changing
 * as they were read (ask again). */
void stats_shm_tables(const struct stats_shm_hdr *h, uint64_t *gen, uint64_t *origin);
/* Unmaps and removes it (at an orderly stop). */
void stats_shm_destroy(const char *name, void *region);

/* The counter block of lcore block b in a region. */
uint64_t *stats_shm_block(void *region, uint32_t b);

/* Readers: maps an existing region read-only and checks it. Returns the
 * mapping or NULL with errno set (ENOENT: no dataplane; EPROTO: not a
 * region of this version). Unmap with stats_shm_close. */
const struct stats_shm_hdr *stats_shm_open(const char *name);
/* The control process: the same, read-write (to use the rings). */
struct stats_shm_hdr *stats_shm_attach(const char *name);
void stats_shm_close(const struct stats_shm_hdr *h);
const char *stats_shm_name(const struct stats_shm_hdr *h, uint32_t i);
uint64_t stats_shm_value(const struct stats_shm_hdr *h, uint32_t block, uint32_t i);
/* Sum over every block. */
uint64_t stats_shm_total(const struct stats_shm_hdr *h, uint32_t i);

#endif
