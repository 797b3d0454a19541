/* The API's HTTP server (libmicrohttpd): a thread per connection, the
 * token checked and a body's size limited before any of it is read, then
 * each request handed to the router (api_handle). See api.h.
 *
 * Slow and greedy clients (api.*): connections are capped in all and per
 * client address; a connection whose request headers are not all in
 * within api.header_timeout of its start (or of its last request's end)
 * is shut by a watchdog, however slowly it trickles bytes (the idle
 * timeout alone cannot tell a slowloris from a client); a body announced
 * over api.max_body_mb is answered 413 before any of it is read, and one
 * of unknown length (chunked) 411. */
#include "api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "reply.h"
#include "util.h"

#define WATCH_MS 250 /* the header deadline is checked this often */

/* An open connection, for the header deadline. */
struct conn {
	struct conn *prev, *next;
	int fd;
	uint64_t since_ms; /* opened, or its last request ended */
	bool in_request;   /* its request's headers are in */
	bool shut;         /* the watchdog shut it */
};

struct api {
	struct MHD_Daemon *d;
	struct api_ctx *ctx;
	char *tls_cert, *tls_key; /* PEM, kept while the daemon runs */
	size_t max_body;
	uint64_t header_ms;
	pthread_mutex_t lock; /* the connections' list */
	struct conn conns;    /* its head */
	pthread_t watchdog;
	atomic_bool stop;
	bool watching;
};

static uint64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **sock_ctx,
                          enum MHD_ConnectionNotificationCode what)
{
	struct api *a = cls;
	struct conn *c = *sock_ctx;
	const union MHD_ConnectionInfo *ci;

	if (what == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (c == NULL || ci == NULL) {
			free(c);
			return; /* not watched: the idle timeout still ends it */
		}
		c->fd = ci->connect_fd;
		c->since_ms = mono_ms();
		pthread_mutex_lock(&a->lock);
		c->next = a->conns.next;
		c->prev = &a->conns;
		a->conns.next->prev = c;
		a->conns.next = c;
		pthread_mutex_unlock(&a->lock);
		*sock_ctx = c;
	} else if (c) {
		pthread_mutex_lock(&a->lock);
		c->prev->next = c->next;
		c->next->prev = c->prev;
		pthread_mutex_unlock(&a->lock);
		free(c);
		*sock_ctx = NULL;
	}
}

/* Marks the connection's request started (headers in) or ended. */
static void conn_request(struct api *a, struct MHD_Connection *conn, bool started)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = ci ? ci->socket_context : NULL;

	if (c == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	c->in_request = started;
	c->since_ms = mono_ms();
	pthread_mutex_unlock(&a->lock);
}

/* Shuts the connections whose headers are late: their thread sees the
 * end of the stream and libmicrohttpd closes them (the descriptor stays
 * theirs until then: shutdown, not close). */
static void *watch(void *arg)
{
	struct api *a = arg;

	while (!atomic_load(&a->stop)) {
		uint64_t now = mono_ms();

		pthread_mutex_lock(&a->lock);
		for (struct conn *c = a->conns.next; c != &a->conns; c = c->next)
			if (!c->in_request && !c->shut && now - c->since_ms > a->header_ms) {
				shutdown(c->fd, SHUT_RDWR);
				c->shut = true;
			}
		pthread_mutex_unlock(&a->lock);
		usleep(WATCH_MS * 1000);
	}
	return NULL;
}

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

static void upload_take(struct upload *u, const char *data, size_t n, size_t max)
{
	if (u->too_big || u->len + n > max) {
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

	(void)why;
	conn_request(cls, conn, false);
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
	for (const char *const *h = rep->headers; h && h[0] && h[1]; h += 2)
		MHD_add_response_header(r, h[0], h[1]);
	rc = MHD_queue_response(conn, rep->status, r);
	MHD_destroy_response(r);
	return rc;
}

/* 413 for a body over api.max_body_mb; the connection is then closed,
 * the rest of the body unread. */
static enum MHD_Result too_large(const struct api *a, struct MHD_Connection *conn)
{
	struct api_reply rep = {0};
	char detail[128];

	snprintf(detail, sizeof(detail),
	         "bodies are limited to %zu MiB (api.max_body_mb): split the bulk request",
	         a->max_body >> 20);
	reply_error(&rep, 413, "payload too large", detail, NULL);
	return send_reply(conn, &rep);
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
		conn_request(a, conn, true);
		/* No body is read for a client without the token, nor one
		 * announced too big: they are answered at once. */
		if (!api_authorized(a->ctx, &req)) {
			api_handle(a->ctx, &req, &rep);
			return send_reply(conn, &rep);
		}
		if (clen && strtoull(clen, NULL, 10) > a->max_body)
			return too_large(a, conn);
		/* A body of unknown length could only be refused once it is
		 * read (libmicrohttpd answers no sooner): a length is required
		 * (RFC 9110 section 15.5.12). */
		if (clen == NULL &&
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding")) {
			memset(&rep, 0, sizeof(rep));
			reply_error(&rep, 411, "length required",
			            "send the body with a Content-Length (not chunked)", NULL);
			return send_reply(conn, &rep);
		}
		*state = calloc(1, sizeof(struct upload));
		return *state ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		upload_take(u, upload, *upload_size, a->max_body);
		*upload_size = 0;
		/* Past its Content-Length's check: out of memory; closed. */
		return u->too_big ? MHD_NO : MHD_YES;
	}
	req.body = u->buf;
	req.body_len = u->len;
	api_handle(a->ctx, &req, &rep);
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
	pthread_mutex_destroy(&a->lock);
	free(a->tls_cert);
	free(a->tls_key);
	free(a);
}

/* Connections at most: api.max_connections, within the descriptors this
 * process may open (raised to its hard limit), some kept for the rest. */
static unsigned int connection_limit(const struct aftr_config *cfg)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0)
		return 64;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
		getrlimit(RLIMIT_NOFILE, &r);
	}
	if (r.rlim_cur < 128)
		return 16;
	return r.rlim_cur - 96 < cfg->fixed.api_max_connections ? (unsigned int)(r.rlim_cur - 96)
	                                                        : cfg->fixed.api_max_connections;
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
	 * another client. Connections are capped, in all and per client; an
	 * idle one (a thread, a small stack) costs little. Handlers read, or
	 * lock (dpctl, state). */
	unsigned int flags =
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	unsigned int limit = connection_limit(cfg);
	struct MHD_OptionItem opts[] = {
	        {MHD_OPTION_SOCK_ADDR, 0, sa},
	        {MHD_OPTION_CONNECTION_TIMEOUT, cfg->fixed.api_idle_timeout, NULL},
	        {MHD_OPTION_CONNECTION_LIMIT, limit, NULL},
	        {MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	         cfg->fixed.api_max_per_client < limit ? cfg->fixed.api_max_per_client : limit,
	         NULL},
	        {MHD_OPTION_THREAD_STACK_SIZE, 512 << 10, NULL},
	        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
	        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, a},
	        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, a},
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
	pthread_mutex_init(&a->lock, NULL);
	if ((v6 = listen_addr(cfg, &sa, err, errlen)) < 0 || load_tls(a, cfg, err, errlen) < 0) {
		api_free(a);
		return NULL;
	}
	a->ctx = ctx;
	a->max_body = (size_t)cfg->fixed.api_max_body_mb << 20;
	a->header_ms = cfg->fixed.api_header_timeout * 1000u;
	a->conns.next = a->conns.prev = &a->conns;
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
	a->watching = pthread_create(&a->watchdog, NULL, watch, a) == 0;
	if (!a->watching)
		fprintf(stderr, "aftr-control: api: no header deadline (no thread)\n");
	return a;
}

void api_stop(struct api *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->stop, true);
	if (a->watching)
		pthread_join(a->watchdog, NULL);
	MHD_stop_daemon(a->d);
	api_free(a);
}
