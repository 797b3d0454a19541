/* aftr-control's event log writer (lib/export/evlog.h): appends the
 * records to the current file, begins a new one every file_mb MB, indexes
 * each file it closes and deletes the files past the retention, in a
 * thread of their own so that draining the rings never waits for them. */
#ifndef AFTR_EVLOG_WRITE_H
#define AFTR_EVLOG_WRITE_H

#include <stdint.h>

#include "config.h"
#include "ctl_msg.h"

struct evlog_w;

/* Opens the log in dir (made if missing): files left unindexed by an
 * earlier run are indexed, a new file begun. NULL with the reason in err. */
struct evlog_w *evlog_w_open(const struct cfg_event_log *cfg, const char *dir, char *err,
                             size_t len);
void evlog_w_close(struct evlog_w *l);
void evlog_w_put(struct evlog_w *l, const struct ctl_msg *m);
/* Writes what was put; begins the next file when this one is full. */
void evlog_w_flush(struct evlog_w *l);
/* Records written, lost (not written: a full disk, an I/O error), errors. */
void evlog_w_counts(struct evlog_w *l, uint64_t *records, uint64_t *lost, uint64_t *errors);
const char *evlog_w_dir(const struct evlog_w *l);

#endif
