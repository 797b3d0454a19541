/* Helpers to decode JSON values (jansson) into C values with errors that
 * name the key path, and the source position when the JSON came from a
 * YAML file (the YAML loader supplies a position lookup).
 *
 * Getters return 1 when the key is present and valid, 0 when it is absent
 * (nothing reported) and -1 when it is present but invalid (reported). */
#ifndef AFTR_JDEC_H
#define AFTR_JDEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "diag.h"
#include "portset.h"

struct jdec {
	struct diag *d;
	char path[256];
	size_t plen;
	/* Where a node was read from, when known (YAML); NULL for plain JSON. */
	bool (*pos)(void *ctx, const json_t *node, struct cfg_pos *out);
	void *pos_ctx;
	struct cfg_pos last; /* position of the innermost object entered */
};

void jdec_init(struct jdec *j, struct diag *d);

/* Path handling: push returns a mark that pop restores. */
size_t jdec_push_key(struct jdec *j, const char *key);
size_t jdec_push_index(struct jdec *j, size_t i);
void jdec_pop(struct jdec *j, size_t mark);

struct cfg_pos jdec_pos(struct jdec *j, const json_t *node);
void jdec_error(struct jdec *j, const json_t *node, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void jdec_warning(struct jdec *j, const json_t *node, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Checks that node is an object whose keys are all in allowed (NULL-ended);
 * reports each unknown key. Returns false if node is not an object. */
bool jdec_object(struct jdec *j, const json_t *node, const char *const *allowed);
/* Node must be an array; returns false (reported) otherwise. */
bool jdec_array(struct jdec *j, const json_t *node);

int jdec_uint(struct jdec *j, const json_t *obj, const char *key, uint64_t min, uint64_t max,
              uint64_t *out);
int jdec_u32(struct jdec *j, const json_t *obj, const char *key, uint32_t min, uint32_t max,
             uint32_t *out);
int jdec_u16(struct jdec *j, const json_t *obj, const char *key, uint16_t min, uint16_t max,
             uint16_t *out);
int jdec_u8(struct jdec *j, const json_t *obj, const char *key, uint8_t min, uint8_t max,
            uint8_t *out);
int jdec_real(struct jdec *j, const json_t *obj, const char *key, double min, double max,
              double *out);
/* true/false, and "on"/"off" as ISC writes them. */
int jdec_bool(struct jdec *j, const json_t *obj, const char *key, bool *out);
int jdec_enum(struct jdec *j, const json_t *obj, const char *key, const char *const *names,
              int *out);
int jdec_string(struct jdec *j, const json_t *obj, const char *key, char **out);
int jdec_addr4(struct jdec *j, const json_t *obj, const char *key, uint32_t *out);
int jdec_addr6(struct jdec *j, const json_t *obj, const char *key, struct addr6 *out);
int jdec_prefix4(struct jdec *j, const json_t *obj, const char *key, unsigned int flags,
                 struct prefix4 *out);
int jdec_prefix6(struct jdec *j, const json_t *obj, const char *key, unsigned int flags,
                 struct prefix6 *out);
/* The same for a list element v at the current path. */
int jdec_prefix4_value(struct jdec *j, const json_t *v, unsigned int flags, struct prefix4 *out);
int jdec_prefix6_value(struct jdec *j, const json_t *v, unsigned int flags, struct prefix6 *out);
/* "min-max" or a single port; min_port is the lowest value accepted. */
int jdec_range(struct jdec *j, const json_t *obj, const char *key, uint16_t min_port,
               struct port_range *out);

/* Reports a required key that is absent and returns -1; else the getter's result. */
int jdec_required(struct jdec *j, const json_t *obj, const char *key, int rc);

#endif
