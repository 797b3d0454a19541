/* ISC aftr.conf importer: lines, tokens, sections, dispatch. The commands
 * themselves are in isc_cmds.c. See isc_import.h for the rules. */
#include "isc_import.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isc_priv.h"
#include "util.h"

static const char *const section_names[] = {"zero (defaults)", "one (required parameters)",
                                            "two (reloadable entries)"};

/* ISC runs a command only when its section is not behind the current one
 * (manual 3.3: section zero "must be defined before anything else"). */
static bool enter_section(struct isc *s, int min, int max)
{
	if (s->runtime)
		return true;
	if (s->section > max) {
		isc_err(s, "a section %s command cannot follow section %s commands",
		        section_names[max], section_names[s->section]);
		return false;
	}
	if (min > s->section)
		s->section = min;
	return true;
}

const struct isc_cmd *isc_lookup(const struct isc_cmd *table, const char *word)
{
	for (; table->name; table++)
		if (strcasecmp(table->name, word) == 0)
			return table;
	return NULL;
}

/* Runs tokens [at..] against a table; sub-tables take the next word. */
int isc_dispatch(struct isc *s, const struct isc_cmd *table, int at)
{
	const struct isc_cmd *c;
	size_t len = strlen(s->cmd);

	if (at >= s->ntok) {
		isc_err(s, "incomplete command: expected one of %s", isc_choices(table));
		return -1;
	}
	c = isc_lookup(table, s->tok[at]);
	if (c == NULL) {
		isc_err(s, "%s: unknown %s, expected one of %s", s->tok[at],
		        at ? "keyword" : "command", isc_choices(table));
		return -1;
	}
	snprintf(s->cmd + len, sizeof(s->cmd) - len, "%s%s", len ? " " : "", c->name);
	if (c->interactive) {
		isc_err(s, "an interactive command, not allowed in a configuration file");
		return -1;
	}
	if (c->sub)
		return isc_dispatch(s, c->sub, at + 1);
	if (!enter_section(s, c->section_min, c->section_max))
		return -1;
	return c->run(s, at + 1);
}

const char *isc_choices(const struct isc_cmd *table)
{
	static char buf[512];
	size_t off = 0;

	buf[0] = '\0';
	for (; table->name && off < sizeof(buf); table++)
		if (!table->interactive)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
			                        off ? "|" : "", table->name);
	return buf;
}

static int tokenize(struct isc *s, char *line)
{
	char *save = NULL;

	s->ntok = 0;
	for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (s->ntok == ISC_MAX_TOKENS) {
			isc_err(s, "too many words on one line");
			return -1;
		}
		s->tok[s->ntok++] = t;
	}
	return 0;
}

static void do_line(struct isc *s, char *line)
{
	size_t len = strlen(line);

	s->cmd[0] = '\0';
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len > ISC_LINE_MAX) {
		isc_err(s,
		        "line longer than %d characters (aftr-1.1 would run the rest as "
		        "another command)",
		        ISC_LINE_MAX);
		return;
	}
	if (line[0] == ' ' || line[0] == '\t') {
		const char *p = line + strspn(line, " \t");

		if (*p && *p != '#')
			diag_warn(s->d, s->line, 0, "",
			          "line begins with whitespace: ignored as a comment, as aftr-1.1 "
			          "does");
		return;
	}
	if (tokenize(s, line) < 0 || s->ntok == 0 || s->tok[0][0] == '#')
		return;
	isc_dispatch(s, isc_commands, 0);
}

static int run_lines(struct isc *s, char *text)
{
	char *line = text;

	/* strtok_r would merge empty lines and shift the numbering. */
	for (s->line = 1; line; s->line++) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		do_line(s, line);
		line = nl ? nl + 1 : NULL;
		if (line && *line == '\0')
			break;
	}
	return s->failed ? -1 : 0;
}

/* What "pool", "address" etc. must have supplied by the end of the file is
 * checked by cfg_validate, like a YAML configuration. */
int isc_import_buf(const char *buf, size_t len, struct aftr_config *cfg, struct diag *d)
{
	struct isc s = {.cfg = cfg, .d = d};
	char *text;
	int rc;

	if (cfg_init_isc(cfg) < 0 || (text = strndup(buf, len)) == NULL) {
		diag_err(d, 0, 0, "", "out of memory");
		return -1;
	}
	if (memchr(buf, '\0', len)) {
		diag_err(d, 0, 0, "", "not a text file (contains NUL bytes)");
		free(text);
		return -1;
	}
	rc = run_lines(&s, text);
	free(text);
	if (rc < 0)
		return -1;
	return cfg_validate(cfg, d) ? -1 : 0;
}

int isc_import_file(const char *path, struct aftr_config *cfg, struct diag *d)
{
	char *buf;
	size_t len;
	int rc;

	if (read_file(path, &buf, &len) < 0) {
		diag_err(d, 0, 0, "", "cannot read: %s", strerror(errno));
		cfg_init(cfg);
		return -1;
	}
	rc = isc_import_buf(buf, len, cfg, d);
	free(buf);
	return rc;
}

int isc_apply_line(struct aftr_config *cfg, const char *line, struct diag *d)
{
	struct isc s = {.cfg = cfg, .d = d, .line = 1, .runtime = true};
	char *text = strdup(line);

	if (text == NULL) {
		diag_err(d, 0, 0, "", "out of memory");
		return -1;
	}
	if (strchr(text, '\n')) {
		diag_err(d, 0, 0, "", "one command, on one line");
		free(text);
		return -1;
	}
	do_line(&s, text);
	free(text);
	if (!s.failed && s.ntok == 0) {
		diag_err(d, 0, 0, "", "no command");
		return -1;
	}
	return s.failed ? -1 : 0;
}
