/* Argument parsing for the ISC aftr.conf importer. Numbers are strict
 * decimal (ISC's atoi would read "1500x" as 1500 and "abc" as 0; we say
 * what is wrong instead). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isc_priv.h"
#include "util.h"

/* An error at the command being read; the import goes on to report all
 * of them, and fails. */
void isc_err(struct isc *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_err(s->d, s->line, 0, s->cmd, "%s", msg);
	s->failed = true;
}

struct cfg_pos isc_pos(const struct isc *s)
{
	return (struct cfg_pos){s->line, 0};
}

int isc_nargs(struct isc *s, int at, int min, int max, const char *usage)
{
	int n = s->ntok - at;

	if (n >= min && n <= max)
		return 0;
	if (n > max && s->tok[at + max][0] == '#') {
		isc_err(s,
		        "a comment must be on a line of its own (aftr-1.1 reads \"%s\" as an "
		        "argument)",
		        s->tok[at + max]);
		return -1;
	}
	isc_err(s, "%s arguments; usage: %s %s", n < min ? "missing" : "too many", s->cmd, usage);
	return -1;
}

int isc_uint(struct isc *s, const char *tok, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(tok, &end, 10);
	if (tok[0] < '0' || tok[0] > '9' || *end != '\0' || errno != 0) {
		isc_err(s, "%s: not a number", tok);
		return -1;
	}
	if (v < min || v > max) {
		isc_err(s, "%s is out of range %u..%u", tok, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int isc_onoff(struct isc *s, const char *tok, bool *out)
{
	static const char *const names[] = {"off", "on", NULL};
	int v;

	if (isc_enum(s, tok, names, &v) < 0)
		return -1;
	*out = v == 1;
	return 0;
}

int isc_enum(struct isc *s, const char *tok, const char *const *names, int *out)
{
	char choices[128] = "";
	int v = cfg_name_lookup(names, tok);

	if (v >= 0) {
		*out = v;
		return 0;
	}
	for (int i = 0; names[i]; i++)
		snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), "%s%s",
		         i ? "|" : "", names[i]);
	isc_err(s, "%s: expected %s", tok, choices);
	return -1;
}

/* Runs a parser that writes its own message into err. */
#define PARSE(s, call)                                                                             \
	do {                                                                                       \
		char err[160];                                                                     \
		if ((call) < 0) {                                                                  \
			isc_err(s, "%s", err);                                                     \
			return -1;                                                                 \
		}                                                                                  \
		return 0;                                                                          \
	} while (0)

int isc_addr4(struct isc *s, const char *tok, uint32_t *out)
{
	PARSE(s, addr4_parse(tok, out, err, sizeof(err)));
}

int isc_addr6(struct isc *s, const char *tok, struct addr6 *out)
{
	PARSE(s, addr6_parse(tok, out, err, sizeof(err)));
}

int isc_prefix4(struct isc *s, const char *tok, struct prefix4 *out)
{
	PARSE(s, prefix4_parse(tok, 0, out, err, sizeof(err)));
}

int isc_prefix6(struct isc *s, const char *tok, struct prefix6 *out)
{
	PARSE(s, prefix6_parse(tok, 0, out, err, sizeof(err)));
}

int isc_range(struct isc *s, const char *tok, uint16_t lowest, struct port_range *out)
{
	PARSE(s, port_range_parse(tok, lowest, out, err, sizeof(err)));
}

int isc_proto(struct isc *s, const char *tok, bool icmp_ok, enum cfg_proto *out)
{
	static const char *const all[] = {"tcp", "udp", "icmp", "echo", NULL};
	static const char *const l4[] = {"tcp", "udp", NULL};
	int v;

	if (isc_enum(s, tok, icmp_ok ? all : l4, &v) < 0)
		return -1;
	*out = v == 3 ? CFG_ICMP : (enum cfg_proto)v;
	return 0;
}
