/* A request's query arguments; see query.h. */
#include "query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"

const char *query_arg(const struct api_req *req, const char *key)
{
	return req->arg ? req->arg(req->arg_ctx, key) : NULL;
}

int query_bool(const struct api_req *req, const char *key, struct api_reply *out)
{
	const char *v = query_arg(req, key);
	char detail[64];

	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "") == 0)
		return 1;
	snprintf(detail, sizeof(detail), "%s: true or false", key);
	reply_error(out, 422, "invalid value", detail, key);
	return -1;
}

long long query_count(const struct api_req *req, const char *key, long long def, long long min,
                      struct api_reply *out)
{
	const char *v = query_arg(req, key);
	char detail[96], *end;
	long long n;

	if (v == NULL)
		return def;
	n = strtoll(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || n < min) {
		snprintf(detail, sizeof(detail), "%s: an integer, at least %lld", key, min);
		reply_error(out, 422, "invalid value", detail, key);
		return -1;
	}
	return n;
}
