/* The YAML configuration file: libyaml reads it into a JSON tree (keeping
 * where each node was), config_dec.c turns the tree into the model with
 * errors such as "aftr.yaml:12:5: pools[1].tcp: 70000-80000 is beyond 65535",
 * and config_check.c validates the result. The run-time lists (tunnels,
 * static_nat, prr, nonat, softwires) skip the tree: each entry is decoded
 * as it is read (a million softwires load in about 3.5 s instead of 10).
 * The writer goes the other way. */
#ifndef AFTR_CONFIG_YAML_H
#define AFTR_CONFIG_YAML_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

/* Loads and validates. cfg is initialised here (free it with cfg_free
 * whatever the result). Returns 0, or -1 with the errors in d. Warnings
 * may be added to d either way. d->file should name the file. */
int cfg_load_yaml_file(const char *path, struct aftr_config *cfg, struct diag *d);
int cfg_load_yaml_buf(const char *buf, size_t len, struct aftr_config *cfg, struct diag *d);

/* Writes cfg as YAML: every knob (sparse = false) or only what differs
 * from the defaults. header, when not NULL, is written first as comment
 * lines. Returns 0 or -1 (out of memory, write error). */
int cfg_write_yaml(const struct aftr_config *cfg, bool sparse, const char *header, FILE *out);

/* True when the loader types this plain (unquoted) scalar as a string. */
bool cfg_yaml_plain_is_string(const char *s);

#endif
