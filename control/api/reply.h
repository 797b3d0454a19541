/* The API's answers (reply.c), for every resource's handler: JSON bodies,
 * the error form, and a saved change's reply. */
#ifndef AFTR_API_REPLY_H
#define AFTR_API_REPLY_H

#include <jansson.h>
#include <stdint.h>

#include "api.h"

struct state_err;

#define JSON_TYPE "application/json"

/* body as the reply (its reference taken); a 500 when it is NULL. */
void reply_json(struct api_reply *out, unsigned int status, json_t *body);
/* The API's error form: {"error": ..., "detail": ..., "field": ...}. */
void reply_error(struct api_reply *out, unsigned int status, const char *error, const char *detail,
                 const char *field);
/* A change the desired state refused (state.h). */
void reply_state_err(struct api_reply *out, const struct state_err *e);
#define APPLY_WAIT_MS 5000

/* status (201 or 200) for a saved change of generation gen, with body
 * (taken) telling whether the dataplane runs it yet: it waits up to
 * APPLY_WAIT_MS for that. */
void reply_change(struct api_ctx *ctx, struct api_reply *out, unsigned int status, json_t *body,
                  uint64_t gen);

#endif
