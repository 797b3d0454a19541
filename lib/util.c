#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void *vec_push(void **v, size_t *n, size_t *cap, size_t elem)
{
	char *slot;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *nv = realloc(*v, ncap * elem);

		if (nv == NULL)
			return NULL;
		*v = nv;
		*cap = ncap;
	}
	slot = (char *)*v + *n * elem;
	memset(slot, 0, elem);
	(*n)++;
	return slot;
}

int vec_reserve(void **v, size_t *cap, size_t want, size_t elem)
{
	void *nv;

	if (*cap >= want)
		return 0;
	if ((nv = realloc(*v, want * elem)) == NULL)
		return -ENOMEM;
	*v = nv;
	*cap = want;
	return 0;
}

void vec_remove(void *v, size_t *n, size_t elem, size_t i)
{
	char *base = v;

	memmove(base + i * elem, base + (i + 1) * elem, (*n - i - 1) * elem);
	(*n)--;
}

/* A regular file whole, in one allocation and few reads (tables files
 * of tens of megabytes): 0, 1 when it is not a regular file, -1. */
static int read_regular(FILE *f, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;

	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 1;
	if ((*buf = malloc((size_t)st.st_size + 1)) == NULL)
		return -1;
	while (n < (size_t)st.st_size &&
	       ((r = read(fileno(f), *buf + n, (size_t)st.st_size - n)) > 0 ||
	        (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	if (n < (size_t)st.st_size) { /* cut short (changed while read): read it as a stream */
		free(*buf);
		*buf = NULL;
		rewind(f);
		return lseek(fileno(f), 0, SEEK_SET) == 0 ? 1 : -1;
	}
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	FILE *mem;
	char chunk[65536];
	size_t n;
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
		return -1;
	if ((rc = read_regular(f, buf, len)) <= 0) {
		fclose(f);
		return rc;
	}
	rc = 0;
	mem = open_memstream(buf, len);
	if (mem == NULL) {
		fclose(f);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fwrite(chunk, 1, n, mem) != n)
			rc = -1;
	if (ferror(f))
		rc = -1;
	fclose(f);
	if (fclose(mem) != 0)
		rc = -1;
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
		errno = errno ? errno : EIO;
	}
	return rc;
}

size_t membuf_append(char *p, size_t size, size_t n, void *arg)
{
	struct membuf *b = arg;
	char *d = realloc(b->data, b->len + size * n + 1);

	if (d == NULL)
		return 0;
	memcpy(d + b->len, p, size * n);
	b->len += size * n;
	d[b->len] = '\0';
	b->data = d;
	return size * n;
}

int read_first_line(const char *path, char **line)
{
	char *buf;
	size_t len;

	if (read_file(path, &buf, &len) < 0)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		free(buf);
		errno = ENODATA;
		return -1;
	}
	*line = buf;
	return 0;
}

#define HUGE_2M (2u << 20)

/* A big allocation is its own mapping (reused heap would keep its small
 * pages), 2 MiB aligned; the mapping's base and length sit just before
 * the pointer, in the alignment slack. A small one is malloc'd, with the
 * same header (len 0) in front. */
struct big_hdr {
	void *base;
	size_t len; /* of the mapping; 0: base is a malloc'd block */
} __attribute__((aligned(16)));

void *big_calloc(size_t n, size_t size)
{
	size_t bytes, len;
	uint8_t *base, *p;
	struct big_hdr h;

	if (size && n > SIZE_MAX / size)
		return NULL;
	bytes = (n ? n : 1) * (size ? size : 1);
	if (bytes > SIZE_MAX - 2 * (size_t)HUGE_2M)
		return NULL;
	if (bytes < HUGE_2M) {
		base = calloc(1, sizeof(h) + bytes);
		if (base == NULL)
			return NULL;
		h = (struct big_hdr){base, 0};
		memcpy(base, &h, sizeof(h));
		return base + sizeof(h);
	}
	bytes = (bytes + HUGE_2M - 1) & ~(size_t)(HUGE_2M - 1);
	len = bytes + HUGE_2M; /* room to align, and for the header */
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	p = (uint8_t *)(((uintptr_t)base + sizeof(h) + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	madvise(p, bytes, MADV_HUGEPAGE); /* advice: without THP it still works */
	h = (struct big_hdr){base, len};
	memcpy(p - sizeof(h), &h, sizeof(h));
	return p; /* zeroed: fresh anonymous memory */
}

void big_free(void *p)
{
	struct big_hdr h;

	if (p == NULL)
		return;
	memcpy(&h, (uint8_t *)p - sizeof(h), sizeof(h));
	if (h.len == 0)
		free(h.base);
	else
		munmap(h.base, h.len);
}

void key_idx_sort(struct key_idx *v, struct key_idx *tmp, size_t n)
{
	struct key_idx *from = v, *to = tmp;

	for (unsigned int shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0}, at = 0;

		for (size_t i = 0; i < n; i++)
			count[from[i].key >> shift & 0xff]++;
		if (n == 0 || count[from[0].key >> shift & 0xff] == n)
			continue; /* every key has this byte: the order stands */
		for (unsigned int b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[from[i].key >> shift & 0xff]++] = from[i];
		from = to;
		to = from == v ? tmp : v;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
}

static uint64_t mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

uint64_t hash_mem64(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL), h2 = ~h, w, w2;
	size_t i = 0;

	/* Two lanes: one word's multiply need not wait for the last one's. */
	for (; i + 16 <= n; i += 16) {
		memcpy(&w, b + i, 8);
		memcpy(&w2, b + i + 8, 8);
		h = (h ^ w) * 0x87c37b91114253d5ULL;
		h = h << 31 | h >> 33;
		h2 = (h2 ^ w2) * 0x4cf5ad432745937fULL;
		h2 = h2 << 29 | h2 >> 35;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return mix64(h ^ mix64(h2));
}

uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

long dir_numbered(const char *dir, const char *prefix, size_t digits, const char *suffix,
                  uint64_t **out)
{
	size_t lp = strlen(prefix), ls = strlen(suffix), n = 0, cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t *v = NULL, *slot;

	*out = NULL;
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name;

		if (strlen(name) != lp + digits + ls || strncmp(name, prefix, lp) != 0 ||
		    strcmp(name + lp + digits, suffix) != 0 ||
		    strspn(name + lp, "0123456789") < digits)
			continue;
		if ((slot = VEC_PUSH(v, n, cap)) == NULL) {
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		*slot = strtoull(name + lp, NULL, 10);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), u64_cmp);
	*out = v;
	return (long)n;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *buf = data;

	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int file_replace(const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	/* Renamed: the new file is the file. The directory's flush makes that
	 * survive a power cut; a failure of it changes nothing now. */
	(void)sync_dir(path);
	return 0;
}
