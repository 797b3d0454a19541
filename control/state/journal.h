/* The state journal: each change of the desired state (state.h) is one
 * line appended to STATE_DIR/journal.<FIRST>, a JSON record carrying the
 * generation it makes, instead of the whole state file rewritten: a
 * change costs its own size on disk. The snapshot (state.bin) holds the
 * state of some generation G, rewritten in the background once enough
 * records piled up; the journals whose records are all at or below G are
 * then removed. At start the snapshot is read and the records above its
 * generation replayed, in order.
 *
 * Durability is a group commit: a writer appends its record (under the
 * state's lock, which orders them), then waits, without the lock, for one
 * fdatasync that covers every record appended so far; writers arriving
 * meanwhile share the next. A change is acknowledged only once its record
 * is on disk. A failed fdatasync leaves the journal refusing every later
 * record (their changes are refused) until aftr-control restarts: the
 * kernel may have dropped the unsynced pages, and a journal with a hole
 * must not grow. */
#ifndef AFTR_JOURNAL_H
#define AFTR_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct journal;

/* Starts a journal file in dir whose first record will be generation
 * first (appending if that file exists, empty). NULL with err set. */
struct journal *journal_open(const char *dir, uint64_t first, char *err, size_t errlen);
void journal_close(struct journal *j);

/* Appends one record (a JSON object on one line, without its newline):
 * 0 with its number in *seq, or -errno with the file as it was. One
 * appender at a time (the state's lock). */
int journal_append(struct journal *j, const char *line, uint64_t *seq);
/* Returns once record seq is on disk: 0, or -errno (then and from then
 * on: see above). Any thread, any number at once. */
int journal_sync(struct journal *j, uint64_t seq);
/* Records and bytes in the current file. */
uint64_t journal_records(const struct journal *j);
uint64_t journal_bytes(const struct journal *j);
/* Ends the current file (synced) and starts journal.<first>: after
 * this, records go to the new file. Under the appenders' lock. 0 or
 * -errno (the current file then stays in use). */
int journal_rotate(struct journal *j, uint64_t first);
/* Removes the journal files of dir whose records are all at or below gen
 * (a snapshot of gen is on disk), but the one in use. */
void journal_prune(struct journal *j, const char *dir, uint64_t gen);

/* Calls fn on each record of dir's journals, oldest first, whose
 * "generation" is above after: 0, or -1 with err saying which file and
 * line are damaged (or fn's error). A last line cut short (a crash while
 * it was written, before it was acknowledged) is left out, with a line
 * on stderr. *last: the highest generation replayed (after if none). */
int journal_replay(const char *dir, uint64_t after, uint64_t *last,
                   int (*fn)(const json_t *rec, void *arg, char *err, size_t errlen), void *arg,
                   char *err, size_t errlen);

#endif
