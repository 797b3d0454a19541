/* What the files of lib/config share and nothing else uses. */
#ifndef AFTR_CONFIG_INT_H
#define AFTR_CONFIG_INT_H

#include <stddef.h>

#include "config.h"
#include "diag.h"

/* An error about entry i of a list (path "list[i]") at pos. */
#define cfg_err_at(d, pos, list, i, ...)                                                           \
	diag_err_entry(d, (pos)->line, (pos)->col, list, i, __VA_ARGS__)

/* The checks of check_addrs.c, part of cfg_validate. */
void cfg_check_addrs(const struct aftr_config *cfg, struct diag *d);

#endif
