/* The state journal; see journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define PREFIX "journal."

struct journal {
	char *dir;
	int fd;
	uint64_t first;            /* the generation its file starts at */
	off_t size;                /* bytes in the current file */
	uint64_t records;          /* in the current file */
	_Atomic uint64_t appended; /* records appended, every file */
	pthread_mutex_t sync_lock; /* the fields below, and fd while it is synced */
	uint64_t synced;           /* records known on disk */
	int broken;                /* a failed fdatasync: -errno, from then on */
};

static int path_of(const char *dir, uint64_t first, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/" PREFIX "%020" PRIu64, dir, first) < (int)len
	               ? 0
	               : -ENAMETOOLONG;
}

/* The size of a journal file without a last record cut short (a crash
 * while it was written): records appended after it must start a line. */
static off_t whole_size(int fd, off_t size)
{
	char buf[4096];

	while (size > 0) {
		off_t at = size > (off_t)sizeof(buf) ? size - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(size - at), at);

		if (n <= 0)
			return -1;
		for (ssize_t i = n; i > 0; i--)
			if (buf[i - 1] == '\n')
				return at + i;
		size = at;
	}
	return 0;
}

static int open_file(struct journal *j, uint64_t first)
{
	char path[PATH_MAX];
	struct stat st;
	off_t size = 0;
	int fd, rc = path_of(j->dir, first, path, sizeof(path));

	if (rc < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (fstat(fd, &st) != 0 || sync_dir(path) < 0 ||
	    (st.st_size > 0 && (size = whole_size(fd, st.st_size)) < 0) ||
	    (st.st_size > size && ftruncate(fd, size) != 0)) {
		rc = errno ? -errno : -EIO;
		close(fd);
		return rc;
	}
	j->fd = fd;
	j->first = first;
	j->size = size;
	j->records = 0;
	return 0;
}

struct journal *journal_open(const char *dir, uint64_t first, char *err, size_t errlen)
{
	struct journal *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL || (j->dir = strdup(dir)) == NULL) {
		free(j);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	rc = open_file(j, first);
	if (rc < 0) {
		errf(err, errlen, "%s/" PREFIX "%020" PRIu64 ": %s", dir, first, strerror(-rc));
		free(j->dir);
		free(j);
		return NULL;
	}
	pthread_mutex_init(&j->sync_lock, NULL);
	return j;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	(void)fdatasync(j->fd);
	close(j->fd);
	pthread_mutex_destroy(&j->sync_lock);
	free(j->dir);
	free(j);
}

int journal_append(struct journal *j, const char *line, uint64_t *seq)
{
	size_t len = strlen(line);
	int rc;

	pthread_mutex_lock(&j->sync_lock);
	rc = j->broken;
	pthread_mutex_unlock(&j->sync_lock);
	if (rc < 0)
		return rc;
	/* The line and its newline in one write: whole, or cut back. */
	rc = write_all(j->fd, line, len);
	if (rc == 0)
		rc = write_all(j->fd, "\n", 1);
	if (rc < 0) {
		/* A part written (ENOSPC half way): cut it off, so that the
		 * file ends with whole records. */
		if (ftruncate(j->fd, j->size) != 0)
			fprintf(stderr, "aftr-control: journal: cannot cut a half record: %s\n",
			        strerror(errno));
		return rc;
	}
	j->size += (off_t)len + 1;
	j->records++;
	*seq = atomic_fetch_add(&j->appended, 1) + 1;
	return 0;
}

int journal_sync(struct journal *j, uint64_t seq)
{
	int rc;

	pthread_mutex_lock(&j->sync_lock);
	if (j->synced < seq && j->broken == 0) {
		/* Every record appended so far: one flush for them all. */
		uint64_t upto = atomic_load(&j->appended);

		if (fdatasync(j->fd) == 0) {
			j->synced = upto;
		} else {
			j->broken = -errno;
			fprintf(stderr,
			        "aftr-control: journal: %s: changes are refused until aftr-control "
			        "restarts\n",
			        strerror(errno));
		}
	}
	rc = j->synced >= seq ? 0 : j->broken;
	pthread_mutex_unlock(&j->sync_lock);
	return rc;
}

uint64_t journal_records(const struct journal *j)
{
	return j->records;
}

uint64_t journal_bytes(const struct journal *j)
{
	return (uint64_t)j->size;
}

int journal_rotate(struct journal *j, uint64_t first)
{
	int old = j->fd, rc;
	uint64_t first_old = j->first;
	off_t size = j->size;
	uint64_t records = j->records;

	pthread_mutex_lock(&j->sync_lock);
	rc = j->broken;
	if (rc == 0 && fdatasync(old) != 0)
		rc = j->broken = -errno;
	if (rc == 0)
		j->synced = atomic_load(&j->appended);
	if (rc == 0 && (rc = open_file(j, first)) == 0)
		close(old);
	if (rc < 0) {
		j->fd = old;
		j->first = first_old;
		j->size = size;
		j->records = records;
	}
	pthread_mutex_unlock(&j->sync_lock);
	return rc;
}

/* The journal files of dir by first generation, sorted: their number, or
 * -errno. */
static long list_files(const char *dir, uint64_t **out)
{
	return dir_numbered(dir, PREFIX, 20, "", out);
}

void journal_prune(struct journal *j, const char *dir, uint64_t gen)
{
	char path[PATH_MAX];
	uint64_t *v = NULL;
	long n = list_files(dir, &v);

	/* A file's records end where the next file starts. */
	for (long i = 0; i + 1 < n; i++)
		if (v[i + 1] <= gen + 1 && v[i] != j->first &&
		    path_of(dir, v[i], path, sizeof(path)) == 0 && unlink(path) != 0)
			fprintf(stderr, "aftr-control: %s: %s\n", path, strerror(errno));
	if (path_of(dir, j->first, path, sizeof(path)) == 0)
		(void)sync_dir(path);
	free(v);
}

/* The records of one file; see journal_replay. */
static int replay_file(const char *path, uint64_t after, uint64_t *last,
                       int (*fn)(const json_t *, void *, char *, size_t), void *arg, char *err,
                       size_t errlen)
{
	char *buf = NULL, *p, *nl;
	size_t len;
	int line = 1, rc = 0;

	if (read_file(path, &buf, &len) < 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (p = buf; rc == 0 && p < buf + len; p = nl + 1, line++) {
		json_error_t je;
		json_t *rec, *g;

		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (nl == NULL) {
			/* Never acknowledged: its writer was still waiting for it. */
			fprintf(stderr,
			        "aftr-control: %s:%d: a record cut short (a crash while it was "
			        "written, before it was acknowledged): left out\n",
			        path, line);
			break;
		}
		rec = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &je);
		g = json_object_get(rec, "generation");
		if (rec == NULL || !json_is_integer(g) || json_integer_value(g) < 1) {
			errf(err, errlen,
			     "%s:%d: a damaged record (%s): restore a saved copy of the state "
			     "directory, or move this file away to lose the changes from here on",
			     path, line, rec ? "no generation" : je.text);
			rc = -1;
		} else if ((uint64_t)json_integer_value(g) > after) {
			char why[300] = "";

			if ((rc = fn(rec, arg, why, sizeof(why))) < 0)
				errf(err, errlen, "%s:%d: %s", path, line, why);
			*last = (uint64_t)json_integer_value(g);
			after = *last;
		}
		json_decref(rec);
	}
	free(buf);
	return rc;
}

int journal_replay(const char *dir, uint64_t after, uint64_t *last,
                   int (*fn)(const json_t *rec, void *arg, char *err, size_t errlen), void *arg,
                   char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint64_t *v = NULL;
	long n = list_files(dir, &v);
	int rc = 0;

	*last = after;
	if (n < 0) {
		errf(err, errlen, "%s: %s", dir, strerror((int)-n));
		return -1;
	}
	for (long i = 0; i < n && rc == 0; i++) {
		/* Older files hold nothing above the next file's start. */
		if (i + 1 < n && v[i + 1] <= *last + 1)
			continue;
		if (path_of(dir, v[i], path, sizeof(path)) < 0) {
			errf(err, errlen, "%s: path too long", dir);
			rc = -1;
		} else {
			rc = replay_file(path, *last, last, fn, arg, err, errlen);
		}
	}
	free(v);
	return rc;
}
