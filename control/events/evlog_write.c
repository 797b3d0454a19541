/* The event log writer; see evlog_write.h. */
#include "evlog_write.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog.h"
#include "util.h"

#define BUF_RECS    512
#define COMPLAIN_MS 10000

struct evlog_w {
	struct cfg_event_log cfg;
	char dir[256];
	int fd;
	uint64_t begun;
	uint64_t size;
	struct ctl_msg buf[BUF_RECS];
	unsigned int n;
	uint64_t complain_at;
	pthread_t keeper; /* the last indexing and retention pass */
	bool keeper_running;
	_Atomic uint64_t records, lost, errors;
};

static void complain(struct evlog_w *l, const char *what, int err)
{
	uint64_t t = wall_ms();

	atomic_fetch_add(&l->errors, 1);
	if (t < l->complain_at)
		return;
	l->complain_at = t + COMPLAIN_MS;
	fprintf(stderr, "aftr-control: event log %s: %s: %s (%" PRIu64 " records lost so far)\n",
	        l->dir, what, strerror(err), atomic_load(&l->lost));
}

/* Every closed file indexed, then the old ones deleted (a file's records
 * end where the next one's begin). */
static void keep(struct evlog_w *l)
{
	uint64_t *files, total = 0, now = wall_ms();
	int n = evlog_files(l->dir, &files);
	char path[512];
	struct stat st;

	for (int i = 0; i < n; i++) {
		if (files[i] == l->begun)
			continue;
		evlog_path(path, sizeof(path), l->dir, files[i], "idx");
		if (access(path, F_OK) == 0)
			continue;
		evlog_path(path, sizeof(path), l->dir, files[i], "evl");
		if (evlog_index(path) < 0)
			fprintf(stderr, "aftr-control: event log: cannot index %s\n", path);
	}
	for (int i = n; i-- > 0;) {
		evlog_path(path, sizeof(path), l->dir, files[i], "evl");
		if (stat(path, &st) == 0)
			total += (uint64_t)st.st_size;
		if (files[i] == l->begun || i + 1 >= n)
			continue;
		bool old = l->cfg.retention_days &&
		           files[i + 1] + (uint64_t)l->cfg.retention_days * 86400000 < now;
		bool big = l->cfg.max_total_mb && total > (uint64_t)l->cfg.max_total_mb << 20;

		if (!old && !big)
			continue;
		unlink(path);
		evlog_path(path, sizeof(path), l->dir, files[i], "idx");
		unlink(path);
	}
	free(files);
}

static void *keeper(void *arg)
{
	keep(arg);
	return NULL;
}

static void keeper_join(struct evlog_w *l)
{
	if (l->keeper_running)
		pthread_join(l->keeper, NULL);
	l->keeper_running = false;
}

/* A new file, named by now (after the last one). */
static int begin(struct evlog_w *l)
{
	char path[512];
	uint64_t t = wall_ms();
	int fd;

	if (t <= l->begun)
		t = l->begun + 1;
	evlog_path(path, sizeof(path), l->dir, t, "evl");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (write(fd, EVLOG_MAGIC, EVLOG_HDR) != EVLOG_HDR) {
		int e = errno ? errno : EIO;

		close(fd);
		unlink(path);
		return -e;
	}
	l->fd = fd;
	l->begun = t;
	l->size = EVLOG_HDR;
	return 0;
}

static void rotate(struct evlog_w *l)
{
	int rc;

	close(l->fd);
	l->fd = -1;
	keeper_join(l); /* it reads l->begun */
	if ((rc = begin(l)) < 0) {
		complain(l, "cannot begin a new file", -rc);
		return;
	}
	l->keeper_running = pthread_create(&l->keeper, NULL, keeper, l) == 0;
}

void evlog_w_flush(struct evlog_w *l)
{
	size_t len = l->n * sizeof(l->buf[0]);
	ssize_t w;

	if (l->n == 0)
		return;
	if (l->fd < 0 && begin(l) < 0) {
		atomic_fetch_add(&l->lost, l->n);
		l->n = 0;
		return;
	}
	w = write(l->fd, l->buf, len);
	if (w == (ssize_t)len) {
		atomic_fetch_add(&l->records, l->n);
		l->size += len;
	} else {
		/* A short write leaves a partial record: readers stop at it;
		 * the rest of this file is not trusted, a new one begins. */
		atomic_fetch_add(&l->lost, l->n);
		complain(l, "write", w < 0 ? errno : ENOSPC);
		close(l->fd);
		l->fd = -1;
	}
	l->n = 0;
	if (l->fd >= 0 && l->size >= (uint64_t)l->cfg.file_mb << 20)
		rotate(l);
}

void evlog_w_put(struct evlog_w *l, const struct ctl_msg *m)
{
	l->buf[l->n++] = *m;
	if (l->n == BUF_RECS)
		evlog_w_flush(l);
}

static int mkdirs(const char *dir)
{
	char p[256];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0750) < 0 && errno != EEXIST ? -errno : 0;
}

struct evlog_w *evlog_w_open(const struct cfg_event_log *cfg, const char *dir, char *err,
                             size_t len)
{
	struct evlog_w *l = calloc(1, sizeof(*l));
	int rc;

	if (l == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	l->cfg = *cfg;
	l->fd = -1;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	if ((rc = mkdirs(l->dir)) < 0 || (rc = begin(l)) < 0) {
		snprintf(err, len, "event log %s: %s", l->dir, strerror(-rc));
		free(l);
		return NULL;
	}
	keep(l); /* what an earlier run left unindexed (a crash) */
	return l;
}

void evlog_w_close(struct evlog_w *l)
{
	char path[512];

	if (l == NULL)
		return;
	evlog_w_flush(l);
	keeper_join(l);
	if (l->fd >= 0) {
		close(l->fd);
		evlog_path(path, sizeof(path), l->dir, l->begun, "evl");
		evlog_index(path);
	}
	free(l);
}

void evlog_w_counts(struct evlog_w *l, uint64_t *records, uint64_t *lost, uint64_t *errors)
{
	*records = atomic_load(&l->records);
	*lost = atomic_load(&l->lost);
	*errors = atomic_load(&l->errors);
}

const char *evlog_w_dir(const struct evlog_w *l)
{
	return l->dir;
}
