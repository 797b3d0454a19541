/* Small helpers shared by lib/ modules: error strings and growable arrays. */
#ifndef AFTR_UTIL_H
#define AFTR_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* snprintf into an optional error buffer (err may be NULL). */
void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Makes room for one more element in a growable array *v of *n elements
 * (capacity *cap), returns a pointer to the new zeroed slot and counts it,
 * or NULL when memory is exhausted. */
void *vec_push(void **v, size_t *n, size_t *cap, size_t elem);

/* Room for want elements in *v (capacity *cap, exactly want if it
 * grows): 0, or -ENOMEM with *v as it was. */
int vec_reserve(void **v, size_t *cap, size_t want, size_t elem);

/* Removes element i, keeping the order of the others. */
void vec_remove(void *v, size_t *n, size_t elem, size_t i);

#define VEC_PUSH(arr, n, cap)                                                                      \
	((__typeof__(arr))vec_push((void **)&(arr), &(n), &(cap), sizeof(*(arr))))

/* Memory for a read-mostly table: from 2 MiB on, its own mapping, 2 MiB
 * aligned and marked for transparent huge pages (a lookup over a million
 * entries then walks few TLB entries); below, malloc'd. Zeroed, 16-byte
 * aligned. Free it with big_free() only. */
void *big_calloc(size_t n, size_t size);
void big_free(void *p);

/* A key and the index of what it is the key of, for key_idx_sort. */
struct key_idx {
	uint64_t key;
	uint32_t idx;
};

/* Sorts v by key, stably (equal keys keep their order: put them in by
 * index, and they come out by key, then index), with room for n more in
 * tmp: an LSD radix sort, a byte a pass, passes where every key has the
 * same byte skipped. A million in tens of milliseconds where qsort with
 * a comparison function takes a few hundred. */
void key_idx_sort(struct key_idx *v, struct key_idx *tmp, size_t n);

/* A 64-bit hash of n bytes, eight at a time (a file's identity, a
 * check against damage: not against an adversary). */
uint64_t hash_mem64(const void *p, size_t n, uint64_t seed);

/* The wall clock: milliseconds since 1970, UTC. */
uint64_t wall_ms(void);

/* A growing NUL-terminated buffer (free data). membuf_append adds size x
 * n bytes of p and returns how many it added: the shape of a libcurl
 * write callback (0, out of memory, stops the transfer). */
struct membuf {
	char *data;
	size_t len;
};
size_t membuf_append(char *p, size_t size, size_t n, void *arg);

/* Reads a whole file into a NUL-terminated buffer (free it); sets errno. */
int read_file(const char *path, char **buf, size_t *len);

/* The first line of a file (a token, say), without its line end; -1 with
 * errno set, ENODATA when that line is empty. Free *line. */
int read_first_line(const char *path, char **line);

/* The numbers of the files of dir named PREFIX, digits decimal digits,
 * SUFFIX ("ev-0000000000001.evl"), sorted up, in *out (free it; NULL
 * when none): their count, or -errno. */
long dir_numbered(const char *dir, const char *prefix, size_t digits, const char *suffix,
                  uint64_t **out);

/* Writes all of data to fd: 0, or -errno (EIO for a write that wrote
 * nothing and gave no error). */
int write_all(int fd, const void *data, size_t len);
/* The directory of path flushed: a rename or a new file in it is then on
 * the disk. 0 or -errno. */
int sync_dir(const char *path);

/* Replaces the file at path with len bytes of buf so that a crash at any
 * point leaves the old file or the new one, whole: a temporary file
 * beside it (PATH.tmp) written in full, flushed to the disk, renamed over
 * path (atomic), the directory flushed. 0, or -errno (ENOSPC; EIO for a
 * write that stopped short), the temporary file then removed and no
 * descriptor left open. */
int file_replace(const char *path, const void *buf, size_t len);

#endif
