/* A request's query arguments (query.c): each parser answers 422, naming
 * the argument, when the value is not one it takes. */
#ifndef AFTR_API_QUERY_H
#define AFTR_API_QUERY_H

#include "api.h"

/* The value of query argument key, or NULL. */
const char *query_arg(const struct api_req *req, const char *key);
/* A boolean: 1 or 0 (absent: 0), or -1 after a 422 for anything but
 * true/1/false/0 (a bare "?key" is true). */
int query_bool(const struct api_req *req, const char *key, struct api_reply *out);
/* A non-negative integer, at least min (def when absent); -1 after a 422. */
long long query_count(const struct api_req *req, const char *key, long long def, long long min,
                      struct api_reply *out);

#endif
