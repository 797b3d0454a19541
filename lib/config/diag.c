#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DIAG_DEFAULT_MAX 100

void diag_init(struct diag *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
}

void diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

void diag_add(struct diag *d, enum diag_level level, uint32_t line, uint32_t col, const char *path,
              const char *fmt, ...)
{
	struct diag_entry *e;
	va_list ap;
	char *msg;
	int rc;

	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->n >= (d->max ? d->max : DIAG_DEFAULT_MAX))
		return;
	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return;
	e = VEC_PUSH(d->v, d->n, d->cap);
	if (e == NULL) {
		free(msg);
		return;
	}
	e->level = level;
	e->line = line;
	e->col = col;
	e->path = strdup(path ? path : "");
	e->msg = msg;
}

char *diag_format(const struct diag *d, const struct diag_entry *e, char *buf, size_t len)
{
	size_t off = 0;

#define PUT(...) (off += (size_t)snprintf(buf + off, off < len ? len - off : 0, __VA_ARGS__))
	if (d->file)
		PUT("%s:", d->file);
	if (e->line)
		PUT("%u:", e->line);
	if (e->line && e->col)
		PUT("%u:", e->col);
	if (off)
		PUT(" ");
	if (e->level == DIAG_WARNING)
		PUT("warning: ");
	if (e->path && e->path[0])
		PUT("%s: ", e->path);
	PUT("%s", e->msg);
#undef PUT
	return buf;
}

/* Stable by (line, column): parse and validation errors then read in file
 * order. Insertion sort: at most d->max entries. */
void diag_sort(struct diag *d)
{
	for (size_t i = 1; i < d->n; i++) {
		struct diag_entry e = d->v[i];
		size_t j = i;

		for (; j > 0 && (d->v[j - 1].line > e.line ||
		                 (d->v[j - 1].line == e.line && d->v[j - 1].col > e.col));
		     j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = e;
	}
}

void diag_print(const struct diag *d, FILE *out)
{
	char buf[1024];
	size_t total = d->errors + d->warnings;

	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s\n", diag_format(d, &d->v[i], buf, sizeof(buf)));
	if (total > d->n)
		fprintf(out, "%s: %zu more not shown\n", d->file ? d->file : "config",
		        total - d->n);
}

void diag_err_entry(struct diag *d, uint32_t line, uint32_t col, const char *list, size_t i,
                    const char *fmt, ...)
{
	char path[64], msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s[%zu]", list, i);
	diag_err(d, line, col, path, "%s", msg);
}

void diag_mark_conflict(struct diag *d, size_t n_before)
{
	if (d->n > n_before)
		d->v[d->n - 1].conflict = true;
}
