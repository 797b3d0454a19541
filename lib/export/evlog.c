/* The event log's files, indexes and searches; see evlog.h. */
#include "evlog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MAX_BLOCK 4096 /* CFG_PORT_BLOCK_MAX: how far below a port a block may begin */

bool evlog_key_of(const struct ctl_msg *m, uint32_t rec, struct evlog_key *k)
{
	memset(k, 0, sizeof(*k));
	k->type = m->type;
	k->rec = rec;
	k->time_ms = m->time_ms;
	switch (m->type) {
	case CTL_EVT_BLOCK_ALLOC:
	case CTL_EVT_BLOCK_FREE:
		k->kind = EVLOG_BLOCK;
		k->addr = m->u.block.addr;
		k->proto = m->u.block.proto;
		k->first = m->u.block.first;
		k->count = m->u.block.count;
		return true;
	case CTL_EVT_DP_START:
		k->kind = EVLOG_DP;
		k->time_ms = m->u.dp.start_ms;
		return true;
	case CTL_EVT_NAT_ADD:
	case CTL_EVT_NAT_DEL:
		k->kind = EVLOG_SESSION;
		k->addr = m->u.sess.ext;
		k->proto = m->u.sess.proto;
		k->first = m->u.sess.eport;
		k->count = 1;
		return true;
	default:
		return false;
	}
}

#define CMP(x, y)                                                                                  \
	do {                                                                                       \
		if ((x) != (y))                                                                    \
			return (x) < (y) ? -1 : 1;                                                 \
	} while (0)

int evlog_key_cmp(const void *a, const void *b)
{
	const struct evlog_key *x = a, *y = b;

	CMP(x->addr, y->addr);
	CMP(x->kind, y->kind);
	CMP(x->proto, y->proto);
	CMP(x->first, y->first);
	CMP(x->time_ms, y->time_ms);
	CMP(x->rec, y->rec);
	return 0;
}

int64_t evlog_parse_time(const char *v)
{
	struct tm tm = {0};
	char *end;
	double frac = 0;
	const char *p;

	if (*v >= '0' && *v <= '9' && strchr(v, '-') == NULL) {
		double sec = strtod(v, &end);

		return *end || sec < 0 ? -1 : (int64_t)(sec * 1000 + 0.5);
	}
	p = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		frac = strtod(p, &end);
		p = end;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	return (int64_t)timegm(&tm) * 1000 + (int64_t)(frac * 1000 + 0.5);
}

char *evlog_format_time(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(ms % 1000));
	return buf;
}

int evlog_files(const char *dir, uint64_t **ms)
{
	/* "ev-" 13 digits ".evl" */
	return (int)dir_numbered(dir, "ev-", 13, ".evl", ms);
}

/* A file's keys: an index mapped, or (a file still being written, or not
 * indexed yet) made from its records. */
struct view {
	const struct evlog_key *k;
	size_t n;
	void *map;
	size_t maplen;
	struct evlog_key *own;
};

/* Keys of the records of fd, sorted (own: malloc'd). */
static int keys_of_records(int fd, struct evlog_key **out, size_t *n)
{
	struct ctl_msg m[256];
	struct evlog_key *v = NULL;
	size_t cap = 0, rec = 0;
	ssize_t got;
	off_t off = EVLOG_HDR;

	*n = 0;
	while ((got = pread(fd, m, sizeof(m), off)) > 0) {
		size_t c = (size_t)got / sizeof(m[0]);

		if (c == 0)
			break; /* a record being written: not yet whole */
		off += (off_t)(c * sizeof(m[0]));
		for (size_t i = 0; i < c; i++, rec++) {
			if (*n == cap) {
				struct evlog_key *g =
				        realloc(v, (cap = cap ? 2 * cap : 1024) * sizeof(*v));

				if (g == NULL) {
					free(v);
					return -ENOMEM;
				}
				v = g;
			}
			if (evlog_key_of(&m[i], (uint32_t)rec, &v[*n]))
				(*n)++;
		}
	}
	if (got < 0) {
		free(v);
		return -errno;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), evlog_key_cmp);
	*out = v;
	return 0;
}

void evlog_path(char *buf, size_t len, const char *dir, uint64_t ms, const char *ext)
{
	snprintf(buf, len, "%s/ev-%013" PRIu64 ".%s", dir, ms, ext);
}

static int view_open(struct view *w, const char *dir, uint64_t ms)
{
	char path[4096];
	struct stat st;
	int fd, rc;

	memset(w, 0, sizeof(*w));
	evlog_path(path, sizeof(path), dir, ms, "idx");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && (size_t)st.st_size >= EVLOG_HDR) {
		w->maplen = (size_t)st.st_size;
		w->map = mmap(NULL, w->maplen, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (w->map == MAP_FAILED)
			return -errno;
		if (memcmp(w->map, EVLOG_IDX_MAGIC, EVLOG_HDR) != 0) {
			munmap(w->map, w->maplen);
			return -EPROTO;
		}
		w->k = (const struct evlog_key *)((const char *)w->map + EVLOG_HDR);
		w->n = (w->maplen - EVLOG_HDR) / sizeof(struct evlog_key);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	evlog_path(path, sizeof(path), dir, ms, "evl");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	rc = keys_of_records(fd, &w->own, &w->n);
	close(fd);
	w->k = w->own;
	return rc;
}

static void view_close(struct view *w)
{
	if (w->map)
		munmap(w->map, w->maplen);
	free(w->own);
}

/* The first key not below k. */
static size_t lower_bound(const struct view *w, const struct evlog_key *k)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (evlog_key_cmp(&w->k[mid], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool same_place(const struct evlog_key *a, const struct evlog_key *b)
{
	return a->addr == b->addr && a->kind == b->kind && a->proto == b->proto;
}

/* The latest event of kind on (addr, proto) covering port at or before
 * at_ms in w, or NULL. */
static const struct evlog_key *latest(const struct view *w, uint32_t addr, uint8_t kind,
                                      uint8_t proto, uint16_t port, uint64_t at_ms)
{
	struct evlog_key k = {.addr = addr,
	                      .kind = kind,
	                      .proto = proto,
	                      .first = port,
	                      .time_ms = at_ms,
	                      .rec = UINT32_MAX};
	size_t i = lower_bound(w, &k);
	const struct evlog_key *best = NULL;

	if (w->k == NULL)
		return NULL;
	/* Back over the window of blocks that may hold port (sessions: the
	 * port itself); later firsts sort after k. */
	while (i-- > 0) {
		const struct evlog_key *e = &w->k[i];

		if (!same_place(e, &k) || port - e->first >= (kind == EVLOG_BLOCK ? MAX_BLOCK : 1))
			break;
		if (e->time_ms > at_ms || (uint32_t)e->first + e->count <= port)
			continue;
		if (best == NULL || e->time_ms > best->time_ms ||
		    (e->time_ms == best->time_ms && e->rec > best->rec))
			best = e;
	}
	return best;
}

/* The event after e on its block or port in w (e's own file: after e;
 * a later file: the first): its time, or 0. */
static uint64_t next_time(const struct view *w, const struct evlog_key *e, bool same_file)
{
	struct evlog_key k = *e;
	size_t i;

	if (same_file) {
		k.rec++;
	} else {
		k.time_ms = 0;
		k.rec = 0;
	}
	i = lower_bound(w, &k);
	if (i < w->n && same_place(&w->k[i], e) && w->k[i].first == e->first)
		return w->k[i].time_ms;
	return 0;
}

static int read_rec(const char *dir, uint64_t ms, uint32_t rec, struct ctl_msg *m)
{
	char path[4096];
	int fd;
	ssize_t got;

	evlog_path(path, sizeof(path), dir, ms, "evl");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	got = pread(fd, m, sizeof(*m), EVLOG_HDR + (off_t)rec * (off_t)sizeof(*m));
	close(fd);
	return got == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

/* Where an event was found: its file and key. */
struct found {
	bool yes;
	size_t file;
	struct evlog_key k;
};

/* The event after f's, in its file or a later one: its time, or 0. */
static uint64_t ended(const char *dir, const uint64_t *files, int nfiles, const struct found *f)
{
	struct view w;
	uint64_t t = 0;

	for (size_t i = f->file; t == 0 && i < (size_t)nfiles; i++) {
		if (view_open(&w, dir, files[i]) < 0)
			continue;
		t = next_time(&w, &f->k, i == f->file);
		view_close(&w);
	}
	return t;
}

/* The start of the dataplane that ran at at_ms, by the latest start
 * record at or before it in any file (control writes one when it
 * attaches, maybe later than the start): 0 when none is logged. */
static uint64_t dp_start(const char *dir, const uint64_t *files, int n, uint64_t at_ms)
{
	struct evlog_key k = {.kind = EVLOG_DP, .time_ms = at_ms, .rec = UINT32_MAX};
	uint64_t best = 0;

	for (int i = n; i-- > 0 && best == 0;) {
		const struct evlog_key *e;
		struct view w;
		size_t j;

		if (view_open(&w, dir, files[i]) < 0)
			continue;
		j = lower_bound(&w, &k);
		e = j > 0 && w.k ? &w.k[j - 1] : NULL;
		if (e && e->addr == 0 && e->kind == EVLOG_DP)
			best = e->time_ms;
		view_close(&w);
	}
	return best;
}

int evlog_who(const char *dir, uint32_t addr, uint16_t port, uint8_t proto, uint64_t at_ms,
              struct evlog_hit *hit)
{
	uint64_t *files;
	int n = evlog_files(dir, &files), rc = 0;
	struct found b = {0}, s = {0};
	size_t i;

	memset(hit, 0, sizeof(*hit));
	if (n <= 0 || files == NULL) {
		free(files);
		return n; /* no files: nobody */
	}
	/* Back from the last file begun by then, until a block event. */
	for (i = (size_t)n; i-- > 0 && !b.yes;) {
		struct view w;
		const struct evlog_key *e;

		if (files[i] > at_ms)
			continue;
		if ((rc = view_open(&w, dir, files[i])) < 0)
			break;
		if ((e = latest(&w, addr, EVLOG_BLOCK, proto, port, at_ms)) != NULL)
			b = (struct found){true, i, *e};
		if (!s.yes && (e = latest(&w, addr, EVLOG_SESSION, proto, port, at_ms)) != NULL)
			s = (struct found){true, i, *e};
		view_close(&w);
	}
	/* A holder from before the dataplane of that time lost it then. */
	if (rc == 0 && (b.yes || s.yes)) {
		uint64_t start = dp_start(dir, files, n, at_ms);

		if (b.yes && b.k.time_ms < start)
			b.yes = false;
		if (s.yes && s.k.time_ms < start)
			s.yes = false;
	}
	if (rc == 0 && b.yes && b.k.type == CTL_EVT_BLOCK_ALLOC &&
	    (rc = read_rec(dir, files[b.file], b.k.rec, &hit->alloc)) == 0) {
		hit->block = true;
		hit->released_ms = ended(dir, files, n, &b);
	}
	if (rc == 0 && s.yes && s.k.type == CTL_EVT_NAT_ADD &&
	    (rc = read_rec(dir, files[s.file], s.k.rec, &hit->create)) == 0) {
		hit->session = true;
		hit->ended_ms = ended(dir, files, n, &s);
	}
	free(files);
	return rc < 0 ? rc : hit->block || hit->session;
}

int evlog_index(const char *evl)
{
	char idx[4096], tmp[4200];
	struct evlog_key *k = NULL;
	size_t n = 0, len = strlen(evl);
	int fd, rc;
	FILE *f;

	if (len < 4 || len >= sizeof(idx) || strcmp(evl + len - 4, ".evl") != 0)
		return -EINVAL;
	memcpy(idx, evl, len - 4);
	memcpy(idx + len - 4, ".idx", 5);
	snprintf(tmp, sizeof(tmp), "%s.tmp", idx);
	if ((fd = open(evl, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	rc = keys_of_records(fd, &k, &n);
	close(fd);
	if (rc < 0)
		return rc;
	f = fopen(tmp, "w");
	if (f == NULL) {
		rc = -errno;
	} else {
		rc = fwrite(EVLOG_IDX_MAGIC, EVLOG_HDR, 1, f) == 1 &&
		                     (n == 0 || fwrite(k, sizeof(*k), n, f) == n)
		             ? 0
		             : -EIO;
		if (fclose(f) != 0 && rc == 0)
			rc = -errno;
		if (rc == 0 && rename(tmp, idx) < 0)
			rc = -errno;
		if (rc < 0)
			unlink(tmp);
	}
	free(k);
	return rc;
}
