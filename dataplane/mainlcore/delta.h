/* Deltas of the live tables (ctl_msg.h CTL_CMD_DELTA): the change records
 * that take the running generation to the next, applied by the main
 * lcore. Each record's entries are checked against the model (the set's
 * configuration, t->cfg: the same lists, in the same order, as the
 * control process's): an entry goes or leaves where the record says, or
 * the whole delta is refused and the control process sends the whole
 * tables instead.
 *
 * Deltas of softwires, tunnels, static mappings, prr and nonat entries
 * change the running set in place (tables_edit.h): one change beside a
 * million softwires costs microseconds, not the second a new set takes.
 * A delta with acl6 or private prefixes, or one the set has no room or
 * shape for, builds a new set from the model with the records applied
 * (no JSON of the whole, no validation of the whole: the control process
 * validated each change) and publishes it as gen.c does. */
#ifndef AFTR_DELTA_H
#define AFTR_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Applies the delta file at path, which must take generation base (the
 * running one) to gen. 0; -ESTALE when base is not running (send the
 * whole tables); -EINVAL, -ENOMEM with a message in err: the running
 * tables are then unchanged. *in_place: whether the running set was
 * changed in place (else a new one was published). */
int delta_apply(const char *path, uint64_t base, uint64_t gen, bool *in_place, char *err,
                size_t errlen);

#endif
