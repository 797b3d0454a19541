/* The API's HTTP server (libmicrohttpd): a thread per connection, the
 * token checked and a body's size limited before any of it is read, then
 * each request handed to the router (api_handle). See api.h. */
#include "api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "util.h"

struct api {
	struct MHD_Daemon *d;
	struct api_ctx *ctx;
	char *tls_cert, *tls_key; /* PEM, kept while the daemon runs */
};

static const char *mhd_arg(void *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* A request's body, gathered over the calls libmicrohttpd makes. */
struct upload {
	char *buf;
	size_t len, cap;
	bool too_big;
};

static void upload_take(struct upload *u, const char *data, size_t n)
{
	if (u->too_big || u->len + n > API_MAX_BODY) {
		u->too_big = true;
		return;
	}
	if (u->len + n + 1 > u->cap) {
		size_t cap = (u->len + n + 1) * 2;
		char *b = realloc(u->buf, cap);

		if (b == NULL) {
			u->too_big = true;
			return;
		}
		u->buf = b;
		u->cap = cap;
	}
	memcpy(u->buf + u->len, data, n);
	u->len += n;
	u->buf[u->len] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
	struct upload *u = *state;

	(void)cls;
	(void)conn;
	(void)why;
	if (u) {
		free(u->buf);
		free(u);
		*state = NULL;
	}
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct api_reply *rep)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(rep->body ? strlen(rep->body) : 0,
	                                                         rep->body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (r == NULL) {
		free(rep->body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", rep->content_type);
	if (rep->status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	if (rep->status == 405 && rep->allow)
		MHD_add_response_header(r, "Allow", rep->allow);
	rc = MHD_queue_response(conn, rep->status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
	struct api *a = cls;
	struct upload *u = *state;
	struct api_req req = {
	        method,  url,  MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
	        mhd_arg, conn, NULL,
	        0};
	const char *clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	struct api_reply rep;

	(void)version;
	if (u == NULL) { /* first call: headers only */
		/* No body is read for a client without the token, nor one
		 * announced too big: they are answered at once. */
		if (!api_authorized(a->ctx, &req)) {
			api_handle(a->ctx, &req, &rep);
			return send_reply(conn, &rep);
		}
		if (clen && strtoull(clen, NULL, 10) > API_MAX_BODY) {
			memset(&rep, 0, sizeof(rep));
			reply_error(&rep, 413, "payload too large",
			            "bodies are limited to 256 MiB: split the bulk request", NULL);
			return send_reply(conn, &rep);
		}
		*state = calloc(1, sizeof(struct upload));
		return *state ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		upload_take(u, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	req.body = u->buf;
	req.body_len = u->len;
	if (u->too_big) {
		memset(&rep, 0, sizeof(rep));
		reply_error(&rep, 413, "payload too large",
		            "bodies are limited to 256 MiB: split the bulk request", NULL);
	} else {
		api_handle(a->ctx, &req, &rep);
	}
	return send_reply(conn, &rep);
}

/* HTTPS: the certificate and key, read now (errors name the file). */
static int load_tls(struct api *a, const struct aftr_config *cfg, char *err, size_t errlen)
{
	size_t len;

	if (cfg->fixed.api_tls_cert == NULL)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "api.tls_cert: this libmicrohttpd has no TLS support");
		return -1;
	}
	if (read_file(cfg->fixed.api_tls_cert, &a->tls_cert, &len) < 0 ||
	    read_file(cfg->fixed.api_tls_key, &a->tls_key, &len) < 0) {
		snprintf(err, errlen, "api.%s %s: %s", a->tls_cert ? "tls_key" : "tls_cert",
		         a->tls_cert ? cfg->fixed.api_tls_key : cfg->fixed.api_tls_cert,
		         strerror(errno));
		return -1;
	}
	return 0;
}

static void api_free(struct api *a)
{
	free(a->tls_cert);
	free(a->tls_key);
	free(a);
}

/* Where to listen: api.listen, an IPv6 or an IPv4 address. */
union listen_addr {
	struct sockaddr_in6 v6;
	struct sockaddr_in v4;
};

/* Fills sa from the configuration: 1 for IPv6, 0 for IPv4, -1 with err. */
static int listen_addr(const struct aftr_config *cfg, union listen_addr *sa, char *err,
                       size_t errlen)
{
	sa->v6 = (struct sockaddr_in6){.sin6_family = AF_INET6,
	                               .sin6_port = htons(cfg->fixed.api_port)};
	if (inet_pton(AF_INET6, cfg->fixed.api_listen, &sa->v6.sin6_addr) == 1)
		return 1;
	sa->v4 =
	        (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(cfg->fixed.api_port)};
	if (inet_pton(AF_INET, cfg->fixed.api_listen, &sa->v4.sin_addr) == 1)
		return 0;
	snprintf(err, errlen, "api.listen: %s: not an address", cfg->fixed.api_listen);
	return -1;
}

static struct MHD_Daemon *start_daemon(struct api *a, const struct aftr_config *cfg,
                                       union listen_addr *sa, bool v6)
{
	/* A thread per connection: a change waits (up to 5 s) for the
	 * dataplane, a health check pings every worker; neither may hold up
	 * another client. Connections are capped. Handlers read, or lock
	 * (dpctl, state). */
	unsigned int flags =
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[] = {
	        {MHD_OPTION_SOCK_ADDR, 0, sa},
	        {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
	        {MHD_OPTION_CONNECTION_LIMIT, 64, NULL},
	        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
	        {a->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, a->tls_cert},
	        {MHD_OPTION_HTTPS_MEM_KEY, 0, a->tls_key},
	        {MHD_OPTION_END, 0, NULL},
	};

	return MHD_start_daemon(flags | (v6 ? MHD_USE_IPv6 : 0) | (a->tls_cert ? MHD_USE_TLS : 0),
	                        cfg->fixed.api_port, NULL, NULL, on_request, a, MHD_OPTION_ARRAY,
	                        opts, MHD_OPTION_END);
}

struct api *api_start(struct api_ctx *ctx, char *err, size_t errlen)
{
	struct api *a = calloc(1, sizeof(*a));
	const struct aftr_config *cfg = ctx->cfg;
	union listen_addr sa;
	int v6;

	if (a == NULL) {
		snprintf(err, errlen, "api: out of memory");
		return NULL;
	}
	if ((v6 = listen_addr(cfg, &sa, err, errlen)) < 0 || load_tls(a, cfg, err, errlen) < 0) {
		api_free(a);
		return NULL;
	}
	a->ctx = ctx;
	a->d = start_daemon(a, cfg, &sa, v6);
	if (a->d == NULL) {
		snprintf(err, errlen,
		         "api: cannot listen on %s port %u (in use, or not an address of this "
		         "host?%s)",
		         cfg->fixed.api_listen, cfg->fixed.api_port,
		         a->tls_cert ? " Or api.tls_cert and api.tls_key are not a certificate and "
		                       "its key"
		                     : "");
		api_free(a);
		return NULL;
	}
	return a;
}

void api_stop(struct api *a)
{
	if (a == NULL)
		return;
	MHD_stop_daemon(a->d);
	api_free(a);
}
