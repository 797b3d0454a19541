/* aftrctl's verbs over aftr-control's REST API (aftrctl_api.c). */
#ifndef AFTR_AFTRCTL_API_H
#define AFTR_AFTRCTL_API_H

#include <stdbool.h>

struct api_opts {
	const char *url;   /* http://127.0.0.1:8080 */
	const char *token; /* bearer token, or NULL */
	bool json;
};

/* Runs "noop", "show stat|dropped", "list default". Returns the exit
 * status, or -1 when verb/object is not one of these. */
int aftrctl_api(const struct api_opts *o, const char *verb, const char *object);

#endif
