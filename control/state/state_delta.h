/* Validating a change by its neighbourhood: the configuration before the
 * change is valid, and every rule of cfg_validate is about one entry, the
 * fixed part and the short lists (acl6, private, filters), or two entries
 * that share a B4 or an IPv4 address (or a nonat prefix holding it).
 * So the changed configuration has the same errors as a small one made
 * of the fixed part, the short lists, the new entries and the existing
 * entries that share a key with them (found by state_index.h), in the
 * same relative order. That one is validated instead, and its errors'
 * positions ("softwires[3]", in paths and messages) are mapped back to
 * the whole configuration's: the same errors, in microseconds instead of
 * a second at a million entries. tests/unit/test_state_delta.c checks it
 * against cfg_validate on random configurations and changes. */
#ifndef AFTR_STATE_DELTA_H
#define AFTR_STATE_DELTA_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "state.h"
#include "state_index.h"

/* The errors of cfg with n_add entries of kind k (add) appended to that
 * list, or, when at >= 0 (n_add 1), with add[0] in place of the entry at
 * position at: their number, added to d as cfg_validate of the changed
 * configuration would add them. -1 when the neighbourhood is too wide to
 * gather (acl6 and private, whose entries concern every other entry; a
 * nonat prefix shorter than /20): validate the whole instead. -ENOMEM. */
long state_check_delta(const struct aftr_config *cfg, const struct sindex *x, enum cfg_kind k,
                       const void *add, size_t n_add, long at, struct diag *d);

#endif
