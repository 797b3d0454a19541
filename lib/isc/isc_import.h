/* Importer for ISC AFTR 1.1 configuration files (aftr.conf).
 *
 * Reads every command of the manual's sections zero, one and two (section
 * 3.3 of the ISC AFTR manual) into the configuration model, as aftr-1.1
 * reads them:
 *   - commands are case-insensitive, one per line, tokens split on blanks;
 *   - a line whose first word starts with '#' is a comment, and so is a line
 *     that begins with whitespace (the manual says so; we warn, because a
 *     command indented by mistake is then silently lost, as in ISC);
 *   - there is no continuation: ISC reads at most 255 characters a line and
 *     runs the rest as another command, we report such a line instead;
 *   - section zero (defaults) must come before section one (required
 *     parameters), which must come before section two (reloadable entries).
 * An invalid line or a command that has no meaning in a file (the
 * interactive ones, "try dynamic") is an error naming its line. The result
 * is validated like a YAML configuration. */
#ifndef AFTR_ISC_IMPORT_H
#define AFTR_ISC_IMPORT_H

#include <stddef.h>

#include "config.h"
#include "diag.h"

#define ISC_LINE_MAX 255

/* cfg is initialised here (free it with cfg_free whatever the result).
 * Returns 0, or -1 with the errors in d (whose file names the input). */
int isc_import_file(const char *path, struct aftr_config *cfg, struct diag *d);
int isc_import_buf(const char *buf, size_t len, struct aftr_config *cfg, struct diag *d);

/* Runs one command line against a configuration, as ISC's interactive
 * commands change a running AFTR ("tunnel ...", "delete nat ..."): any
 * section's command, no validation (the caller decides what may change at
 * run time). 0, or -1 with the error in d; interactive-only commands
 * (list, show, reload, ...) are errors here. */
int isc_apply_line(struct aftr_config *cfg, const char *line, struct diag *d);

#endif
