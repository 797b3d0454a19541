/* Diagnostics: a list of errors (and warnings) found while loading or
 * validating a configuration, each with where it was found.
 *
 * An entry keeps its parts apart (file, line, column, key path, message) so
 * the CLI prints "aftr.yaml:12:5: pools[1].tcp: 70000-80000 is beyond 65535"
 * and the REST API can return {"field": "pools[1].tcp", "detail": ...}. */
#ifndef AFTR_DIAG_H
#define AFTR_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag_entry {
	enum diag_level level;
	uint32_t line; /* 1-based; 0 when unknown */
	uint32_t col;  /* 1-based; 0 when unknown or line-oriented input */
	char *path;    /* key path such as "pools[1].tcp", or "" */
	char *msg;
	bool conflict; /* an error about two entries that cannot both be (API: 409) */
};

struct diag {
	const char *file; /* name printed before line:col, or NULL */
	struct diag_entry *v;
	size_t n, cap;
	size_t errors, warnings; /* counted even past the kept maximum */
	size_t max;              /* keep at most this many entries (0: 100) */
};

void diag_init(struct diag *d, const char *file);
void diag_free(struct diag *d);
void diag_add(struct diag *d, enum diag_level level, uint32_t line, uint32_t col, const char *path,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define diag_err(d, line, col, path, ...)  diag_add(d, DIAG_ERROR, line, col, path, __VA_ARGS__)
#define diag_warn(d, line, col, path, ...) diag_add(d, DIAG_WARNING, line, col, path, __VA_ARGS__)

/* An error about entry i of a list: its path is "list[i]". */
void diag_err_entry(struct diag *d, uint32_t line, uint32_t col, const char *list, size_t i,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Marks the last entry added (if kept) as a conflict between entries. */
void diag_mark_conflict(struct diag *d, size_t n_before);

/* "file:line:col: path: msg" with absent parts left out; returns buf. */
char *diag_format(const struct diag *d, const struct diag_entry *e, char *buf, size_t len);
/* Orders the entries by line and column (stable). */
void diag_sort(struct diag *d);
/* Prints every entry, one a line, and a count of those not kept. */
void diag_print(const struct diag *d, FILE *out);

#endif
