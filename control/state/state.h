/* The desired state the control process owns: the configuration file
 * (its "config" layer) plus what was added at run time through the API or
 * aftrctl (the "api" layer: each change in the journal, journal.h, before
 * it is acknowledged; snapshots in STATE_DIR/state.bin). The effective
 * configuration is the first layer followed by the second, valid as a
 * whole (a change is checked against what it could clash with:
 * state_delta.h); a change that does not validate changes nothing.
 *
 * Run-time resources are the live lists (tables.h): tunnels, static NAT,
 * prr, nonat, softwires, acl6 and private prefixes. An entry of the file
 * is changed by editing the file and reloading (ISC: section two is
 * re-read by "reload"); the API refuses to delete it (409).
 *
 * A sync thread programs the dataplane (sync.h): the changes since the
 * generation it runs, or the whole effective configuration to a new one. */
#ifndef AFTR_STATE_H
#define AFTR_STATE_H

#include <jansson.h>
#include <stdint.h>

#include "cfg_kinds.h"
#include "config.h"

struct state;
struct dpctl;

/* Why a change was refused: an HTTP status and the API's error parts. */
struct state_err {
	unsigned int status; /* 400, 404, 409, 422, 500 */
	char error[48];
	char detail[512];
	char field[128];
};

/* Loads the configuration file and the state file (if any) and checks
 * their sum; NULL with a message in err. The state directory is created
 * if missing. */
struct state *state_open(const char *config_path, const char *state_dir, char *err, size_t errlen);
void state_close(struct state *s);
/* Whether a state file was found at the start (false: a first start, or
 * one whose state was lost). */
bool state_found(struct state *s);

/* The kind named by a URL segment ("tunnels", "static-nat", "prr",
 * "nonat", "softwires", "acl6", "private"), or -1. */
int state_kind(const char *url_name);
const char *state_kind_url(enum cfg_kind k);
/* URL segments that name one entry of a kind (after the kind). */
int state_kind_id_segments(enum cfg_kind k);

/* The entries of a kind from offset on, at most limit of them, each with
 * "source": "config" or "api". */
json_t *state_list(struct state *s, enum cfg_kind k, size_t offset, size_t limit);
/* One entry of a kind named by its URL segments, with its "source"; NULL
 * with e (400: not a name of one, 404: none such). */
json_t *state_get(struct state *s, enum cfg_kind k, const char *const *seg, struct state_err *e);
/* The effective configuration (cfg_to_json); sparse: non-defaults only. */
json_t *state_config_json(struct state *s, bool sparse);
/* Everything the configuration holds of one B4: {"tunnels": [...],
 * "static-nat", "prr", "nonat", "softwires" (each entry with its source),
 * "acl6": the prefix that admits it, or null}, found by its index. */
json_t *state_b4(struct state *s, const struct addr6 *b4);
/* The effective configuration as the dataplane's tables file holds it
 * (ctl_msg.h: its header line, JSON, the lists in binary; *len bytes,
 * free it), and the generation it is. */
char *state_tables(struct state *s, uint64_t *gen, size_t *len);
/* The generation of the latest change. */
uint64_t state_generation(struct state *s);
/* A running dataplane's tables, of generation gen and that origin, are
 * this state as it was loaded, and every change since is in the delta
 * log (state_delta_text from gen works): a restarted aftr-control goes on
 * from there instead of sending the whole tables. The origin is a hash of
 * the state directory's identity (its file "id", made with it), the
 * configuration file's bytes and this build; within one state directory
 * a generation is used once (its record is in the journal before any
 * dataplane sees it), so the same generation of the same origin is the
 * same tables. */
bool state_resumes(struct state *s, uint64_t gen, uint64_t origin);
/* Waits up to timeout_ms for a generation other than known: the latest. */
uint64_t state_wait_change(struct state *s, uint64_t known, unsigned int timeout_ms);

/* A delta: the change records (the journal's, one a line, each with the
 * positions it changes) that take a dataplane running generation base to
 * the latest, whose generation goes in *gen; NULL when they are not kept
 * (a reload since base, or too many) and the whole tables must go. */
char *state_delta_text(struct state *s, uint64_t base, uint64_t *gen);
/* A dataplane runs generation gen: the records up to it are dropped. */
void state_delta_done(struct state *s, uint64_t gen);

/* The change records after generation since, for a box that follows this
 * one (control/cluster/): at most limit of them, and past the first about
 * 8 MiB at most, in *changes (an array of the journal's records, oldest
 * first; empty when none came within wait_ms), the latest generation in
 * *latest. -1 when they are not kept
 * (since is older than what is, or newer than the latest: the follower
 * must read the lists whole). */
int state_changes(struct state *s, uint64_t since, size_t limit, unsigned int wait_ms,
                  json_t **changes, uint64_t *latest);
/* Ends the waits of state_changes, now and from now on: the API stops
 * (a follower's poll must not hold it up). */
void state_closing(struct state *s);
/* The origin of the state (state_resumes): the state directory, the
 * configuration file and the build. A follower's changes are this one's
 * generations only while it stays the same. */
uint64_t state_origin(struct state *s);
/* The identity of one entry of kind k (a JSON object as the API takes
 * it) as its URL segments ("2001:db8::1/1"): 0, or -1 with e (400, 422). */
int state_entry_path(enum cfg_kind k, const json_t *entry, char *buf, size_t len,
                     struct state_err *e);
/* The same for every entry of an array, decoded at once: an array of
 * json_array_size(entries) strings (free each, then it), or NULL with e
 * when one of them is not an entry of k. */
char **state_entry_paths(enum cfg_kind k, const json_t *entries, struct state_err *e);

/* Adds one entry (a JSON object) or many (an array, all or nothing).
 * Returns 0 with the generation of the change in *gen, or -1 with e set. */
int state_add(struct state *s, enum cfg_kind k, const json_t *body, uint64_t *gen,
              struct state_err *e);
/* Deletes the entry the id segments name. 0 or -1 with e set. */
int state_delete(struct state *s, enum cfg_kind k, const char *const *seg, uint64_t *gen,
                 struct state_err *e);
/* Deletes every entry a JSON array lists (whole entries, as listed: one
 * that differs from the AFTR's is a 409), all or nothing: 0 with how many
 * went in *deleted, or -1 with e naming the first missing one (404) or one
 * of the file's or a different one (409). */
int state_delete_many(struct state *s, enum cfg_kind k, const json_t *body, uint64_t *gen,
                      size_t *deleted, struct state_err *e);
/* Replaces the entry the id segments name with body (one object, of the
 * same identity), in one change: never a moment without it. 0 or -1. */
int state_replace(struct state *s, enum cfg_kind k, const char *const *seg, const json_t *body,
                  uint64_t *gen, struct state_err *e);
/* Re-reads the configuration file (ISC "reload"): the new file's entries
 * replace the old file's; the api layer stays; pool addresses may come and
 * go (cfg_pools_diff). running, when a dataplane runs, is its pools as
 * GET /api/v1/pools/usage gives them (draining ones too): an address it
 * still has must keep its ranges, and there must be room for the new ones
 * (nat.max_pools). 0 or -1 with e set. */
int state_reload(struct state *s, const json_t *running, uint64_t *gen, struct state_err *e);

#endif
