/* lw4o6 bindings in bulk: a CSV file of "b4,ipv4,psid,psid_len,offset"
 * rows, with an optional sixth column, the softwire's endpoint (BR)
 * address (RFC 7596 section 5.1; an optional header row naming the columns,
 * blank lines and lines starting with '#' skipped) made into the API's JSON
 * array. The rows are checked by the AFTR, all or nothing; its errors name
 * an array index, which is turned back into the file's line. */
#include "aftrctl_csv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FIELDS 6 /* the last optional */

static const char *const names[FIELDS] = {"b4", "ipv4", "psid", "psid_len", "offset", "endpoint"};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One row into an object: 0, or -1 with the reason in err. */
static int row(char *line, json_t **out, char *err, size_t errlen)
{
	char *f[FIELDS], *p = line;
	int n = 0;

	for (char *t = strsep(&p, ","); t && n <= FIELDS; t = strsep(&p, ","))
		if (n < FIELDS)
			f[n++] = trim(t);
		else
			n++;
	if (n != FIELDS && n != FIELDS - 1) {
		errf(err, errlen,
		     "%d fields, expected 5 or 6: b4,ipv4,psid,psid_len,offset[,endpoint]", n);
		return -1;
	}
	*out = json_pack("{s:s,s:s}", "b4", f[0], "ipv4", f[1]);
	if (*out && n == FIELDS && *f[FIELDS - 1])
		json_object_set_new(*out, "endpoint", json_string(f[FIELDS - 1]));
	for (int i = 2; *out && i < FIELDS - 1; i++) {
		char *end;
		long v = strtol(f[i], &end, 10);

		if (!isdigit((unsigned char)*f[i]) || *end || v > 65535) {
			errf(err, errlen, "%s: \"%s\" is not a number from 0 to 65535", names[i],
			     f[i]);
			json_decref(*out);
			return -1;
		}
		json_object_set_new(*out, names[i], json_integer(v));
	}
	if (*out == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int csv_softwires(const char *path, json_t **arr, uint32_t **lines)
{
	char *buf, *p, *line, err[160];
	size_t len, n = 0;
	uint32_t no = 0;
	int rc = 0;

	if (read_file(path, &buf, &len) < 0) {
		fprintf(stderr, "aftrctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	*arr = json_array();
	*lines = calloc(len / 8 + 2, sizeof(**lines)); /* a row is at least 8 bytes */
	for (p = buf; rc == 0 && *arr && *lines && (line = strsep(&p, "\n")) != NULL;) {
		char *t = trim(line);
		json_t *o;

		no++;
		if (*t == '\0' || *t == '#' || (n == 0 && strncmp(t, "b4,", 3) == 0))
			continue;
		if (row(t, &o, err, sizeof(err)) < 0) {
			fprintf(stderr, "aftrctl: %s:%u: %s\n", path, no, err);
			rc = -1;
		} else {
			json_array_append_new(*arr, o);
			(*lines)[n++] = no;
		}
	}
	free(buf);
	if (rc == 0 && (*arr == NULL || *lines == NULL)) {
		fprintf(stderr, "aftrctl: out of memory\n");
		rc = -1;
	}
	if (rc < 0) {
		json_decref(*arr);
		free(*lines);
		*arr = NULL;
		*lines = NULL;
	}
	return rc;
}

void csv_report(const char *path, const uint32_t *lines, size_t n, long status, const json_t *j)
{
	const char *field = json_string_value(json_object_get(j, "field"));
	const char *detail = json_string_value(json_object_get(j, "detail"));
	char *end;
	unsigned long i;

	if (field && field[0] == '[' && (i = strtoul(field + 1, &end, 10), *end == ']') && i < n) {
		fprintf(stderr, "aftrctl: %ld %s: %s:%u: %s%s%s\n", status,
		        json_string_value(json_object_get(j, "error")) ?: "error", path, lines[i],
		        end[1] == '.' ? end + 2 : "", end[1] == '.' ? ": " : "", detail ?: "");
		return;
	}
	fprintf(stderr, "aftrctl: %ld %s: %s\n", status,
	        json_string_value(json_object_get(j, "error")) ?: "error", detail ?: "(no detail)");
}
