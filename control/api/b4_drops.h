/* The drops of B4s and what the workers know of one (b4_drops.c). */
#ifndef AFTR_API_B4_DROPS_H
#define AFTR_API_B4_DROPS_H

#include <jansson.h>

#include "addr.h"
#include "api.h"

/* Adds to a B4's view: "drops" (its drops summed over the workers that
 * hold it in their tables, by reason, or null), "pmtu" (learned, or null)
 * and "last_active_s" (since its sessions' last packet, or null). 0, or
 * the workers' error (the view then says so with nulls). */
int b4_drops_of(struct api_ctx *ctx, const struct addr6 *b4, json_t *view);

#endif
