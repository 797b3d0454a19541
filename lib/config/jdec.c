/* JSON decoding helpers; see jdec.h. */
#include "jdec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void jdec_init(struct jdec *j, struct diag *d)
{
	memset(j, 0, sizeof(*j));
	j->d = d;
}

/* Appends ".key" (or "key" at the root) or "[i]" to the path. */
static size_t push(struct jdec *j, const char *key, size_t i)
{
	size_t mark = j->plen, room = sizeof(j->path) - j->plen;
	int n;

	if (key)
		n = snprintf(j->path + j->plen, room, "%s%s", j->plen ? "." : "", key);
	else
		n = snprintf(j->path + j->plen, room, "[%zu]", i);
	if (n > 0)
		j->plen = j->plen + (size_t)n < sizeof(j->path) ? j->plen + (size_t)n
		                                                : sizeof(j->path) - 1;
	return mark;
}

size_t jdec_push_key(struct jdec *j, const char *key)
{
	return push(j, key, 0);
}

size_t jdec_push_index(struct jdec *j, size_t i)
{
	return push(j, NULL, i);
}

void jdec_pop(struct jdec *j, size_t mark)
{
	j->plen = mark;
	j->path[mark] = '\0';
}

struct cfg_pos jdec_pos(struct jdec *j, const json_t *node)
{
	struct cfg_pos p;

	if (j->pos && node && j->pos(j->pos_ctx, node, &p))
		return p;
	return j->last;
}

static void report(struct jdec *j, enum diag_level lvl, const json_t *node, const char *fmt,
                   va_list ap) __attribute__((format(printf, 4, 0)));

static void report(struct jdec *j, enum diag_level lvl, const json_t *node, const char *fmt,
                   va_list ap)
{
	struct cfg_pos p = jdec_pos(j, node);
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	diag_add(j->d, lvl, p.line, p.col, j->path, "%s", msg);
}

void jdec_error(struct jdec *j, const json_t *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(j, DIAG_ERROR, node, fmt, ap);
	va_end(ap);
}

void jdec_warning(struct jdec *j, const json_t *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(j, DIAG_WARNING, node, fmt, ap);
	va_end(ap);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "a mapping";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static bool name_in(const char *const *names, const char *key)
{
	for (; *names; names++)
		if (strcmp(*names, key) == 0)
			return true;
	return false;
}

bool jdec_object(struct jdec *j, const json_t *node, const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!json_is_object(node)) {
		jdec_error(j, node, "expected a mapping, found %s", type_name(node));
		return false;
	}
	j->last = jdec_pos(j, node);
	json_object_foreach((json_t *)node, key, v) {
		size_t mark;

		if (name_in(allowed, key))
			continue;
		mark = jdec_push_key(j, key);
		jdec_error(j, v, "unknown key");
		jdec_pop(j, mark);
	}
	return true;
}

bool jdec_array(struct jdec *j, const json_t *node)
{
	if (json_is_array(node))
		return true;
	jdec_error(j, node, "expected a list, found %s", type_name(node));
	return false;
}

/* Enters obj.key for one getter: returns the value or NULL when absent. */
static const json_t *enter(struct jdec *j, const json_t *obj, const char *key, size_t *mark)
{
	const json_t *v = json_object_get(obj, key);

	if (v)
		*mark = jdec_push_key(j, key);
	return v;
}

static int fail(struct jdec *j, const json_t *v, size_t mark, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int fail(struct jdec *j, const json_t *v, size_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(j, DIAG_ERROR, v, fmt, ap);
	va_end(ap);
	jdec_pop(j, mark);
	return -1;
}

/* The text of a scalar, for messages. */
static const char *scalar_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else
		snprintf(buf, len, "%s", type_name(v));
	return buf;
}

int jdec_uint(struct jdec *j, const json_t *obj, const char *key, uint64_t min, uint64_t max,
              uint64_t *out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	json_int_t x;

	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return fail(j, v, mark, "expected an integer, found %s", type_name(v));
	x = json_integer_value(v);
	if (x < 0 || (uint64_t)x < min || (uint64_t)x > max) {
		jdec_error(j, v, "%" JSON_INTEGER_FORMAT " is out of range %llu..%llu", x,
		           (unsigned long long)min, (unsigned long long)max);
		jdec_pop(j, mark);
		return -1;
	}
	*out = (uint64_t)x;
	jdec_pop(j, mark);
	return 1;
}

int jdec_u32(struct jdec *j, const json_t *obj, const char *key, uint32_t min, uint32_t max,
             uint32_t *out)
{
	uint64_t x = 0;
	int rc = jdec_uint(j, obj, key, min, max, &x);

	if (rc == 1)
		*out = (uint32_t)x;
	return rc;
}

int jdec_u16(struct jdec *j, const json_t *obj, const char *key, uint16_t min, uint16_t max,
             uint16_t *out)
{
	uint64_t x = 0;
	int rc = jdec_uint(j, obj, key, min, max, &x);

	if (rc == 1)
		*out = (uint16_t)x;
	return rc;
}

int jdec_u8(struct jdec *j, const json_t *obj, const char *key, uint8_t min, uint8_t max,
            uint8_t *out)
{
	uint64_t x = 0;
	int rc = jdec_uint(j, obj, key, min, max, &x);

	if (rc == 1)
		*out = (uint8_t)x;
	return rc;
}

int jdec_real(struct jdec *j, const json_t *obj, const char *key, double min, double max,
              double *out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	double x;

	if (v == NULL)
		return 0;
	if (!json_is_number(v))
		return fail(j, v, mark, "expected a number, found %s", type_name(v));
	x = json_number_value(v);
	if (!(x >= min && x <= max)) {
		jdec_error(j, v, "%g is out of range %g..%g", x, min, max);
		jdec_pop(j, mark);
		return -1;
	}
	*out = x;
	jdec_pop(j, mark);
	return 1;
}

int jdec_bool(struct jdec *j, const json_t *obj, const char *key, bool *out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	const char *s;

	if (v == NULL)
		return 0;
	s = json_string_value(v);
	if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (s && (strcasecmp(s, "on") == 0 || strcasecmp(s, "off") == 0))
		*out = strcasecmp(s, "on") == 0;
	else
		return fail(j, v, mark, "expected true or false (or on/off), found %s",
		            s ? s : type_name(v));
	jdec_pop(j, mark);
	return 1;
}

int jdec_enum(struct jdec *j, const json_t *obj, const char *key, const char *const *names,
              int *out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	char choices[256] = "", buf[32];
	int x;

	if (v == NULL)
		return 0;
	/* YAML 1.1 habits: "off" may arrive as a boolean. */
	if (json_is_boolean(v))
		x = cfg_name_lookup(names, json_is_true(v) ? "on" : "off");
	else
		x = cfg_name_lookup(names, json_string_value(v));
	if (x >= 0) {
		*out = x;
		jdec_pop(j, mark);
		return 1;
	}
	for (int i = 0; names[i]; i++)
		snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), "%s%s",
		         i ? "|" : "", names[i]);
	jdec_error(j, v, "%s: expected one of %s", scalar_text(v, buf, sizeof(buf)), choices);
	jdec_pop(j, mark);
	return -1;
}

int jdec_string(struct jdec *j, const json_t *obj, const char *key, char **out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	char *s;

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return fail(j, v, mark, "expected a string, found %s", type_name(v));
	s = strdup(json_string_value(v));
	if (s == NULL)
		return fail(j, v, mark, "%s", "out of memory");
	free(*out);
	*out = s;
	jdec_pop(j, mark);
	return 1;
}

/* String-valued parsers share one shape: text in, message out. */
typedef int (*str_parser)(const char *s, unsigned int flags, void *out, char *err, size_t len);

static int p_addr4(const char *s, unsigned int flags, void *out, char *err, size_t len)
{
	(void)flags;
	return addr4_parse(s, out, err, len);
}

static int p_addr6(const char *s, unsigned int flags, void *out, char *err, size_t len)
{
	(void)flags;
	return addr6_parse(s, out, err, len);
}

static int p_prefix4(const char *s, unsigned int flags, void *out, char *err, size_t len)
{
	return prefix4_parse(s, flags, out, err, len);
}

static int p_prefix6(const char *s, unsigned int flags, void *out, char *err, size_t len)
{
	return prefix6_parse(s, flags, out, err, len);
}

/* Parses node v (at the current path) with p; reports at v. */
static int parse_value(struct jdec *j, const json_t *v, str_parser p, unsigned int flags, void *out)
{
	const char *s = json_string_value(v);
	char err[160];

	if (s == NULL) {
		jdec_error(j, v, "expected a string, found %s", type_name(v));
		return -1;
	}
	if (p(s, flags, out, err, sizeof(err)) < 0) {
		jdec_error(j, v, "%s", err);
		return -1;
	}
	return 1;
}

static int parse_key(struct jdec *j, const json_t *obj, const char *key, str_parser p,
                     unsigned int flags, void *out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	int rc;

	if (v == NULL)
		return 0;
	rc = parse_value(j, v, p, flags, out);
	jdec_pop(j, mark);
	return rc;
}

int jdec_addr4(struct jdec *j, const json_t *obj, const char *key, uint32_t *out)
{
	return parse_key(j, obj, key, p_addr4, 0, out);
}

int jdec_addr6(struct jdec *j, const json_t *obj, const char *key, struct addr6 *out)
{
	return parse_key(j, obj, key, p_addr6, 0, out);
}

int jdec_prefix4(struct jdec *j, const json_t *obj, const char *key, unsigned int flags,
                 struct prefix4 *out)
{
	return parse_key(j, obj, key, p_prefix4, flags, out);
}

int jdec_prefix6(struct jdec *j, const json_t *obj, const char *key, unsigned int flags,
                 struct prefix6 *out)
{
	return parse_key(j, obj, key, p_prefix6, flags, out);
}

int jdec_prefix4_value(struct jdec *j, const json_t *v, unsigned int flags, struct prefix4 *out)
{
	return parse_value(j, v, p_prefix4, flags, out);
}

int jdec_prefix6_value(struct jdec *j, const json_t *v, unsigned int flags, struct prefix6 *out)
{
	return parse_value(j, v, p_prefix6, flags, out);
}

int jdec_range(struct jdec *j, const json_t *obj, const char *key, uint16_t min_port,
               struct port_range *out)
{
	size_t mark;
	const json_t *v = enter(j, obj, key, &mark);
	char buf[32], err[160];
	const char *s;

	if (v == NULL)
		return 0;
	if (!json_is_string(v) && !json_is_integer(v))
		return fail(j, v, mark, "expected a port range such as 1024-65535, found %s",
		            type_name(v));
	s = scalar_text(v, buf, sizeof(buf));
	if (port_range_parse(s, min_port, out, err, sizeof(err)) < 0)
		return fail(j, v, mark, "%s", err);
	jdec_pop(j, mark);
	return 1;
}

int jdec_required(struct jdec *j, const json_t *obj, const char *key, int rc)
{
	if (rc == 0) {
		size_t mark = jdec_push_key(j, key);

		jdec_error(j, obj, "required");
		jdec_pop(j, mark);
	}
	return rc == 0 ? -1 : rc;
}
