/* The run-time lists (cfg_kinds.h: tunnels, static NAT, prr, nonat,
 * softwires, acl6, private) in a compact binary form: what aftr-control's
 * snapshot holds and how it sends the whole tables to the dataplane. A
 * million softwires are 42 MB, read in tens of milliseconds, where their
 * JSON takes seconds to parse.
 *
 * Field by field, little-endian, never a struct's bytes (the form does
 * not change with the compiler or the build): "AFTRLST3", then each kind
 * in cfg_kinds.h order as u32 kind, u64 count and its entries (their
 * fields below), then a u64 hash_mem64 (util.h, seed 0) of all the bytes
 * before it. Read only: "AFTRLST2" (tunnels without their NAT limits) and
 * "AFTRLST1" (the same, summed with FNV-1a). The
 * decoder checks every field as the JSON decoders do (ranges, prefixes
 * without host bits, PSIDs that fit), and the hash; cross-entry rules are
 * cfg_validate's. Source positions (line, column) are not kept. */
#ifndef AFTR_CFG_BIN_H
#define AFTR_CFG_BIN_H

#include <stddef.h>

#include "config.h"

/* The lists of cfg, encoded into *buf (malloc'd, *len bytes): 0 or
 * -ENOMEM. */
int cfg_bin_encode(const struct aftr_config *cfg, char **buf, size_t *len);
/* Appends the lists encoded at buf to cfg's: 0, or -EINVAL with err
 * saying what is wrong (-ENOMEM). cfg's lists are then as they were. */
int cfg_bin_decode(const void *buf, size_t len, struct aftr_config *cfg, char *err, size_t errlen);

#endif
