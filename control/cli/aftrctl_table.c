/* aftrctl's human tables: a JSON array of objects as aligned columns. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl_api.h"

#define MAX_COLS 24

/* A cell: a string as it is, anything else as compact JSON; "-" if absent. */
static char *cell(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);

	if (v == NULL || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The columns: every key in the order first seen, "source" last. */
static int columns(const json_t *arr, const char **col)
{
	const char *k;
	const json_t *row, *v;
	size_t i;
	int n = 0, src = 0;

	json_array_foreach((json_t *)arr, i, row) {
		json_object_foreach((json_t *)row, k, v) {
			int c = 0;

			if (strcmp(k, "source") == 0) {
				src = 1;
				continue;
			}
			while (c < n && strcmp(col[c], k) != 0)
				c++;
			if (c == n && n < MAX_COLS - 1)
				col[n++] = k;
		}
	}
	if (src)
		col[n++] = "source";
	return n;
}

/* A cell padded to its column, or the last one of its row. */
static void put(const char *s, size_t width, bool last)
{
	if (last)
		printf("%s\n", s);
	else
		printf("%-*s  ", (int)width, s);
}

void aftrctl_table(const json_t *arr)
{
	const char *col[MAX_COLS];
	size_t width[MAX_COLS], i;
	const json_t *row;
	int n = columns(arr, col);

	if (json_array_size(arr) == 0) {
		printf("(none)\n");
		return;
	}
	for (int c = 0; c < n; c++)
		width[c] = strlen(col[c]);
	json_array_foreach((json_t *)arr, i, row) {
		for (int c = 0; c < n; c++) {
			char *s = cell(row, col[c]);

			if (s && strlen(s) > width[c])
				width[c] = strlen(s);
			free(s);
		}
	}
	for (int c = 0; c < n; c++)
		put(col[c], width[c], c + 1 == n);
	json_array_foreach((json_t *)arr, i, row) {
		for (int c = 0; c < n; c++) {
			char *s = cell(row, col[c]);

			put(s ? s : "?", width[c], c + 1 == n);
			free(s);
		}
	}
}
