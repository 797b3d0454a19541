/* Inside the desired state (state.h): the parts its files share. */
#ifndef AFTR_STATE_INT_H
#define AFTR_STATE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "journal.h"
#include "state.h"
#include "state_index.h"

struct state {
	pthread_mutex_t lock;
	char *config_path, *state_dir, *state_path, *snap_path;
	struct aftr_config base; /* the configuration file */
	/* Its lists followed by the api layer's: kind k's entries from
	 * n_base[k] on are the api layer. */
	struct aftr_config eff;
	size_t n_base[K_COUNT];
	struct sindex ix;  /* over eff */
	uint64_t gen;      /* changes made (the first state is 1) */
	uint64_t id;       /* the state directory's (state.c) */
	uint64_t origin;   /* of eff: id, the configuration file, this build */
	uint64_t loaded;   /* gen when the state was loaded */
	bool found;        /* a state file or journal was there at the start */
	struct journal *j; /* where changes go before they are acknowledged */
	/* The records since generation dlog_from, in order (record i makes
	 * generation dlog_from + 1 + i), kept until the dataplane runs them:
	 * what a delta to it is made of (state_delta_text). */
	char **dlog;
	size_t dlog_n, dlog_cap, dlog_bytes;
	uint64_t dlog_from;
	/* The records since generation chlog_from, for the boxes that
	 * follow this one (state_changes): record i makes generation
	 * chlog_from + 1 + i; the oldest go when they hold too much. */
	char **chlog;
	size_t chlog_n, chlog_cap, chlog_bytes;
	uint64_t chlog_from;
	pthread_cond_t changed; /* broadcast at each new generation */
	bool closing;           /* state_changes waits no more */
	/* The snapshot writer (state.c): woken when the journal has grown. */
	pthread_t saver;
	pthread_cond_t wake;
	bool stop, save_due;
};

/* Fills e. */
void state_err_set(struct state_err *e, unsigned int status, const char *error, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The first error of d into e (409 for a conflict, else 422): -1. */
int state_first_error(const struct diag *d, struct state_err *e);

/* The api layer of s as a configuration that shares s's memory (its
 * lists point into eff, its fixed part is base's): to read, not to free. */
void state_rt_view(const struct state *s, struct aftr_config *view);

/* eff = base's lists + rt's, validated whole; n_base set. 0, or -1 with e. */
int state_build_eff(const struct aftr_config *base, const struct aftr_config *rt,
                    struct aftr_config *eff, size_t n_base[K_COUNT], struct state_err *e);

/* A change's record (journal.h) appended with the generation it makes
 * (s->gen + 1): 0 with its number in *seq, or -1 with e (500). Lock held. */
int state_log(struct state *s, json_t *rec, uint64_t *seq, struct state_err *e);
/* The delta log emptied: deltas start from the current generation (a
 * reload, which no delta carries). Lock held. */
void state_dlog_reset(struct state *s);
/* now + ms on CLOCK_MONOTONIC (s->changed's clock), for a timed wait. */
void state_deadline(struct timespec *t, unsigned int ms);

/* Keeps a copy of the record of generation s->gen + 1 for followers
 * (state_changes.c). Lock held. */
void state_chlog_push(struct state *s, const char *line);
void state_chlog_free(struct state *s);

/* After the lock is let go: waits for the record to be on disk, and
 * wakes the snapshot writer when the journal has grown enough. 0, or -1
 * with e (500: in effect, but not saved). */
int state_log_sync(struct state *s, uint64_t seq, struct state_err *e);

/* The configuration file, and a hash of its bytes: 0, or -1 with err. */
int state_load_base(const char *path, struct aftr_config *cfg, uint64_t *hash, char *err,
                    size_t errlen);
/* The origin of the tables made of the state with identity id and the
 * configuration file of that hash, by this build (never 0). */
uint64_t state_origin_of(uint64_t id, uint64_t config_hash);
/* Decodes body (an object, or an array of them) into kind kd's list of
 * scratch: 0, or -1 with e (400, 422). */
struct kind;
int state_decode(const struct kind *kd, const json_t *body, struct aftr_config *scratch,
                 struct state_err *e);

/* A configuration with empty lists, for decoding entries into: 0, or -1
 * with e (500). cfg is safe to cfg_free either way. */
int state_empty_lists(struct aftr_config *cfg, struct state_err *e);

#endif
