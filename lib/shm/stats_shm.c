/* The counters region; see stats_shm.h. */
#include "stats_shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALIGN 64u /* one cache line per block start: no false sharing */

static uint32_t round_up(uint32_t x)
{
	return (x + ALIGN - 1) / ALIGN * ALIGN;
}

static uint32_t names_off(void)
{
	return round_up(sizeof(struct stats_shm_hdr));
}

static uint32_t blocks_off(uint32_t ncounters)
{
	return round_up(names_off() + ncounters * STATS_NAME_LEN);
}

static uint32_t block_size(uint32_t ncounters)
{
	return round_up(ncounters * (uint32_t)sizeof(uint64_t));
}

static size_t rings_off(uint32_t nblocks, uint32_t ncounters)
{
	return round_up((uint32_t)((size_t)blocks_off(ncounters) +
	                           (size_t)nblocks * block_size(ncounters)));
}

static size_t pkt_rings_off(uint32_t nblocks, uint32_t ncounters, const struct stats_shm_rings *r)
{
	return rings_off(nblocks, ncounters) + 2 * (size_t)r->nrings * r->ring_bytes;
}

size_t stats_shm_size(uint32_t nblocks, uint32_t ncounters, const struct stats_shm_rings *r)
{
	if (r == NULL)
		return rings_off(nblocks, ncounters);
	return pkt_rings_off(nblocks, ncounters, r) + 2 * (size_t)r->pkt_ring_bytes;
}

void *stats_shm_pkt_ring(const struct stats_shm_hdr *h, uint32_t dir)
{
	if (dir > 1 || h->pkt_ring_bytes == 0)
		return NULL;
	return (char *)h + h->pkt_rings_off + (size_t)dir * h->pkt_ring_bytes;
}

void *stats_shm_ring(const struct stats_shm_hdr *h, uint32_t i)
{
	if (i >= 2 * h->nrings)
		return NULL;
	return (char *)h + h->rings_off + (size_t)i * h->ring_bytes;
}

static void shm_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "/%s-stats", name);
}

void *stats_shm_create(const char *name, uint32_t nblocks, const char *const *names,
                       uint32_t ncounters, uint64_t generation, const struct stats_shm_rings *r,
                       int64_t start_time)
{
	static const struct stats_shm_rings none;
	size_t size;
	struct stats_shm_hdr *h;
	char path[256];
	void *mem;
	int fd;

	if (r == NULL)
		r = &none;
	size = stats_shm_size(nblocks, ncounters, r);
	shm_path(name, path, sizeof(path));
	shm_unlink(path); /* a dead dataplane's region: replaced, never reused */
	fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		shm_unlink(path);
		return NULL;
	}
	/* Populated now: a worker's first lap of its event ring must not take
	 * a page fault every 64 records. */
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	close(fd);
	if (mem == MAP_FAILED) {
		shm_unlink(path);
		return NULL;
	}
	h = mem;
	for (uint32_t i = 0; i < ncounters; i++)
		strncpy((char *)mem + names_off() + i * STATS_NAME_LEN, names[i],
		        STATS_NAME_LEN - 1);
	*h = (struct stats_shm_hdr){.version = STATS_SHM_VERSION,
	                            .generation = generation,
	                            .size = size,
	                            .nblocks = nblocks,
	                            .ncounters = ncounters,
	                            .names_off = names_off(),
	                            .blocks_off = blocks_off(ncounters),
	                            .block_size = block_size(ncounters),
	                            .pid = (int32_t)getpid(),
	                            .nrings = r->nrings,
	                            .ring_bytes = r->ring_bytes,
	                            .rings_off = (uint32_t)rings_off(nblocks, ncounters),
	                            .ring_count = r->ring_count,
	                            .msg_size = r->msg_size,
	                            .start_time = start_time,
	                            .pkt_rings_off = (uint32_t)pkt_rings_off(nblocks, ncounters, r),
	                            .pkt_ring_bytes = r->pkt_ring_bytes,
	                            .pkt_count = r->pkt_count,
	                            .pkt_size = r->pkt_size};
	return mem;
}

void stats_shm_publish(void *region)
{
	struct stats_shm_hdr *h = region;

	/* The magic last: a reader never sees a half-made region as valid. */
	__atomic_store_n(&h->magic, STATS_SHM_MAGIC, __ATOMIC_RELEASE);
}

void stats_shm_set_tables(void *region, uint64_t gen, uint64_t origin)
{
	struct stats_shm_hdr *h = region;

	/* A sequence lock of one writer (the main lcore). */
	__atomic_add_fetch(&h->tables_seq, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&h->tables_gen, gen, __ATOMIC_SEQ_CST);
	__atomic_store_n(&h->tables_origin, gen ? origin : 0, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&h->tables_seq, 1, __ATOMIC_SEQ_CST);
}

void stats_shm_tables(const struct stats_shm_hdr *h, uint64_t *gen, uint64_t *origin)
{
	uint64_t s = __atomic_load_n(&h->tables_seq, __ATOMIC_SEQ_CST);

	*gen = __atomic_load_n(&h->tables_gen, __ATOMIC_SEQ_CST);
	*origin = __atomic_load_n(&h->tables_origin, __ATOMIC_SEQ_CST);
	if ((s & 1) || __atomic_load_n(&h->tables_seq, __ATOMIC_SEQ_CST) != s)
		*gen = *origin = 0;
}

void stats_shm_destroy(const char *name, void *region)
{
	char path[256];

	if (region == NULL)
		return;
	shm_path(name, path, sizeof(path));
	munmap(region, ((struct stats_shm_hdr *)region)->size);
	shm_unlink(path);
}

uint64_t *stats_shm_block(void *region, uint32_t b)
{
	struct stats_shm_hdr *h = region;

	return (uint64_t *)((char *)region + h->blocks_off + (size_t)b * h->block_size);
}

static int valid(const struct stats_shm_hdr *h, size_t mapped)
{
	return __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == STATS_SHM_MAGIC &&
	       h->version == STATS_SHM_VERSION && h->size == mapped &&
	       h->names_off == names_off() && h->blocks_off == blocks_off(h->ncounters) &&
	       h->block_size == block_size(h->ncounters) &&
	       h->rings_off == rings_off(h->nblocks, h->ncounters) &&
	       h->pkt_rings_off ==
	               pkt_rings_off(h->nblocks, h->ncounters,
	                             &(struct stats_shm_rings){.nrings = h->nrings,
	                                                       .ring_bytes = h->ring_bytes}) &&
	       h->size == stats_shm_size(h->nblocks, h->ncounters,
	                                 &(struct stats_shm_rings){h->nrings, h->ring_bytes,
	                                                           h->ring_count, h->msg_size,
	                                                           h->pkt_ring_bytes, h->pkt_count,
	                                                           h->pkt_size});
}

static struct stats_shm_hdr *map_region(const char *name, bool rw)
{
	struct stat st;
	char path[256];
	void *mem;
	int fd;

	shm_path(name, path, sizeof(path));
	fd = shm_open(path, rw ? O_RDWR : O_RDONLY, 0);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(struct stats_shm_hdr)) {
		close(fd);
		errno = EPROTO;
		return NULL;
	}
	/* Writing into it (the rings) only if it is ours and nobody else can
	 * write it: /dev/shm is open to every local user. */
	if (rw && (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED)
		return NULL;
	if (!valid(mem, (size_t)st.st_size)) {
		munmap(mem, (size_t)st.st_size);
		errno = EPROTO;
		return NULL;
	}
	return mem;
}

const struct stats_shm_hdr *stats_shm_open(const char *name)
{
	return map_region(name, false);
}

struct stats_shm_hdr *stats_shm_attach(const char *name)
{
	return map_region(name, true);
}

void stats_shm_close(const struct stats_shm_hdr *h)
{
	if (h)
		munmap((void *)h, h->size);
}

const char *stats_shm_name(const struct stats_shm_hdr *h, uint32_t i)
{
	const char *n;

	if (i >= h->ncounters)
		return "";
	n = (const char *)h + h->names_off + (size_t)i * STATS_NAME_LEN;
	/* Another process's bytes: a name without its NUL is no name. */
	return n[STATS_NAME_LEN - 1] == '\0' ? n : "";
}

uint64_t stats_shm_value(const struct stats_shm_hdr *h, uint32_t block, uint32_t i)
{
	const uint64_t *v;

	if (block >= h->nblocks || i >= h->ncounters)
		return 0;
	v = (const uint64_t *)((const char *)h + h->blocks_off + (size_t)block * h->block_size);
	return __atomic_load_n(&v[i], __ATOMIC_RELAXED);
}

uint64_t stats_shm_total(const struct stats_shm_hdr *h, uint32_t i)
{
	uint64_t sum = 0;

	for (uint32_t b = 0; b < h->nblocks; b++)
		sum += stats_shm_value(h, b, i);
	return sum;
}
