/* NAT event records to their destinations; see export.h. */
#include "export.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "evfmt.h"
#include "util.h"
#include "evlog_write.h"

#define TCP_BUF     (256 * 1024) /* syslog over TCP waiting to be written */
#define RETRY_MS    5000         /* a broken TCP connection tried again */
#define CONNECT_MS  1000         /* at start; at run time 100 ms */
#define COMPLAIN_MS 10000        /* a failing exporter's log line, at most */
#define SYSLOG_MAX  2048         /* one message (RFC 5424 section 6.1: >= 480) */

struct sink {
	const struct cfg_exporter *cfg;
	char dest[160]; /* "syslog udp 192.0.2.1:514", for log lines and stats */
	int fd;         /* -1: not connected */
	uint64_t retry_at;
	char *out; /* TCP: framed messages not written yet */
	size_t out_len;
	uint64_t out_n;         /* records in it since it was last empty */
	struct evfmt_ipfix msg; /* IPFIX: the message being filled */
	bool open;
	uint32_t seq; /* data records sent before (RFC 7011 section 3.1) */
	uint64_t tpl_at;
	uint64_t check_at; /* TCP: when to look for the collector's end again */
	uint64_t complain_at;
	_Atomic uint64_t records, lost, errors;
};

struct events {
	const struct aftr_config *cfg;
	struct evlog_w *log; /* NULL: off */
	struct evfmt_syslog fmt;
	size_t n;
	struct sink s[CFG_EXPORTERS_MAX];
};

/* At most one line every COMPLAIN_MS an exporter: a dead collector must
 * not flood the log it may be the only other copy of. */
static void complain(struct sink *s, const char *what, int err)
{
	uint64_t t = wall_ms();

	if (t < s->complain_at)
		return;
	s->complain_at = t + COMPLAIN_MS;
	fprintf(stderr, "aftr-control: exporter %s: %s: %s (%llu records lost so far)\n", s->dest,
	        what, strerror(err), (unsigned long long)atomic_load(&s->lost));
}

static socklen_t sink_addr(const struct sink *s, struct sockaddr_storage *ss)
{
	const struct cfg_exporter *c = s->cfg;
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_un *un = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	if (c->transport == EXPORT_LOCAL) {
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", c->path);
		return sizeof(*un);
	}
	if (inet_pton(AF_INET, c->address, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(c->port);
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, c->address, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(c->port);
		return sizeof(*v6);
	}
	return 0;
}

/* Connects (TCP: waits up to ms): 0, or -errno. The socket is left
 * non-blocking: the draining thread never waits for a collector. */
static int sink_connect(struct sink *s, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len = sink_addr(s, &ss);
	int type = s->cfg->transport == EXPORT_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd, err = 0;
	socklen_t elen = sizeof(err);
	struct pollfd p;

	if (len == 0)
		return -EINVAL;
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			p = (struct pollfd){.fd = fd, .events = POLLOUT};
			err = poll(&p, 1, ms) == 1 ? 0 : ETIMEDOUT;
			if (err == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
				err = errno;
		}
	}
	if (err) {
		close(fd);
		return -err;
	}
	s->fd = fd;
	return 0;
}

static void sink_break(struct sink *s, const char *what, int err)
{
	atomic_fetch_add(&s->errors, 1);
	complain(s, what, err);
	if (s->cfg->transport == EXPORT_UDP)
		return; /* a UDP socket stays: the next datagram may pass */
	/* What was buffered counts as lost (a few of them may have reached
	 * the collector): a partial frame cannot go on a new connection. */
	atomic_fetch_add(&s->lost, s->out_n);
	atomic_fetch_sub(&s->records, s->out_n);
	close(s->fd);
	s->fd = -1;
	s->out_len = 0;
	s->out_n = 0;
	s->retry_at = wall_ms() + RETRY_MS;
}

/* TCP: as much of the buffer as the socket takes. */
static void tcp_write(struct sink *s)
{
	while (s->fd >= 0 && s->out_len) {
		ssize_t n = send(s->fd, s->out, s->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				sink_break(s, "send", errno);
			return;
		}
		memmove(s->out, s->out + n, s->out_len - (size_t)n);
		s->out_len -= (size_t)n;
		if (s->out_len == 0)
			s->out_n = 0;
	}
}

/* TCP: whether the collector closed its end, once a second (a collector
 * never writes, so an end of file or an error means it is gone): found
 * at once, not at the next record. */
static void tcp_check(struct sink *s)
{
	uint64_t t = wall_ms();
	char b;
	ssize_t r;

	if (s->fd < 0 || t < s->check_at)
		return;
	s->check_at = t + 1000;
	r = recv(s->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r == 0)
		sink_break(s, "the collector closed the connection", ECONNRESET);
	else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		sink_break(s, "connection", errno);
}

static void syslog_put(struct events *ev, struct sink *s, const struct ctl_msg *m)
{
	char line[SYSLOG_MAX];
	int n = evfmt_syslog(&ev->fmt, m, line, sizeof(line));
	int h;

	if (n < 0)
		return;
	if (s->cfg->transport != EXPORT_TCP) {
		/* One message a datagram (RFC 5426 section 3.1). A local socket
		 * whose reader is gone (a restarted syslog daemon) is opened
		 * again every few seconds; a full one only loses this record. */
		if (s->fd >= 0 && send(s->fd, line, (size_t)n, MSG_DONTWAIT) == n) {
			atomic_fetch_add(&s->records, 1);
			return;
		}
		atomic_fetch_add(&s->lost, 1);
		if (s->fd >= 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			atomic_fetch_add(&s->errors, 1);
			complain(s, "collector too slow", errno);
		} else if (s->fd >= 0) {
			sink_break(s, "send", errno);
		}
		return;
	}
	/* RFC 6587 section 3.4.1: MSG-LEN SP SYSLOG-MSG. */
	if (s->fd < 0 || s->out_len + (size_t)n + 12 > TCP_BUF) {
		atomic_fetch_add(&s->lost, 1);
		if (s->fd >= 0)
			complain(s, "collector too slow, buffer full", ENOBUFS);
		return;
	}
	h = snprintf(s->out + s->out_len, 12, "%d ", n);
	memcpy(s->out + s->out_len + h, line, (size_t)n);
	s->out_len += (size_t)h + (size_t)n;
	s->out_n++;
	atomic_fetch_add(&s->records, 1);
	if (s->out_len > TCP_BUF / 2)
		tcp_write(s);
}

static void ipfix_send(struct sink *s)
{
	size_t len;

	if (!s->open)
		return;
	s->open = false;
	len = evfmt_ipfix_finish(&s->msg, (uint32_t)(wall_ms() / 1000), s->seq, s->cfg->domain);
	if (send(s->fd, s->msg.buf, len, MSG_DONTWAIT) == (ssize_t)len) {
		s->seq += s->msg.records;
		atomic_fetch_add(&s->records, s->msg.records);
	} else {
		atomic_fetch_add(&s->lost, s->msg.records);
		sink_break(s, "send", errno);
	}
}

/* A new message, led by the templates when they are due (RFC 7011
 * section 8.4: over UDP, again every template_refresh seconds). */
static void ipfix_begin(struct sink *s)
{
	uint64_t t = wall_ms();

	evfmt_ipfix_begin(&s->msg);
	if (t >= s->tpl_at) {
		evfmt_ipfix_templates(&s->msg);
		s->tpl_at = t + (uint64_t)s->cfg->template_refresh * 1000;
	}
	s->open = true;
}

static void ipfix_put(struct sink *s, const struct ctl_msg *m)
{
	if (!s->open)
		ipfix_begin(s);
	if (evfmt_ipfix_record(&s->msg, m) != 0)
		return;
	ipfix_send(s);
	ipfix_begin(s);
	evfmt_ipfix_record(&s->msg, m);
}

/* ISC's trace line, as logging.destination says. */
static void trace_line(const struct events *ev, const struct ctl_msg *m)
{
	char line[256];

	ctl_msg_format(m, line, sizeof(line));
	if (ev->cfg->fixed.log_dest == LOG_DEST_SYSLOG)
		syslog(LOG_NOTICE, "%s", line); /* ISC: trace messages at LOG_NOTICE */
	else
		fprintf(stderr, "%llu %s\n", (unsigned long long)(m->time_ms / 1000), line);
}

void events_put(struct events *ev, const struct ctl_msg *m)
{
	trace_line(ev, m);
	if (ev->log)
		evlog_w_put(ev->log, m);
	for (size_t i = 0; i < ev->n; i++) {
		struct sink *s = &ev->s[i];

		if (s->cfg->type == EXPORT_IPFIX)
			ipfix_put(s, m);
		else
			syslog_put(ev, s, m);
	}
}

void events_flush(struct events *ev)
{
	if (ev->log)
		evlog_w_flush(ev->log);
	for (size_t i = 0; i < ev->n; i++) {
		struct sink *s = &ev->s[i];

		if (s->cfg->type == EXPORT_IPFIX)
			ipfix_send(s);
		else if (s->cfg->transport != EXPORT_UDP && s->fd < 0 && wall_ms() >= s->retry_at) {
			int rc = sink_connect(s, 100);

			if (rc < 0) {
				s->retry_at = wall_ms() + RETRY_MS;
				complain(s, "connect", -rc);
			} else {
				fprintf(stderr, "aftr-control: exporter %s: connected again\n",
				        s->dest);
			}
		}
		if (s->cfg->transport == EXPORT_TCP) {
			tcp_write(s);
			tcp_check(s);
		}
	}
}

static void describe(struct sink *s)
{
	const struct cfg_exporter *c = s->cfg;
	bool v6 = strchr(c->address, ':') != NULL;

	if (c->transport == EXPORT_LOCAL)
		snprintf(s->dest, sizeof(s->dest), "%s local %s", cfg_export_type_names[c->type],
		         c->path);
	else
		snprintf(s->dest, sizeof(s->dest), "%s %s %s%s%s:%u",
		         cfg_export_type_names[c->type], cfg_export_transport_names[c->transport],
		         v6 ? "[" : "", c->address, v6 ? "]" : "", c->port);
}

/* The event log, where logging.event_log says (default state_dir/events). */
static int log_open(struct events *ev, const char *state_dir, char *err, size_t len)
{
	const struct cfg_event_log *c = &ev->cfg->fixed.event_log;
	char dir[256];

	if (!c->enabled)
		return 0;
	if (c->dir[0])
		snprintf(dir, sizeof(dir), "%s", c->dir);
	else if ((size_t)snprintf(dir, sizeof(dir), "%s/events", state_dir) >= sizeof(dir))
		return snprintf(err, len, "--state %s: too long a path", state_dir), -1;
	ev->log = evlog_w_open(c, dir, err, len);
	return ev->log ? 0 : -1;
}

const char *events_log_dir(const struct events *ev)
{
	return ev && ev->log ? evlog_w_dir(ev->log) : NULL;
}

struct events *events_open(const struct aftr_config *cfg, const char *state_dir, char *err,
                           size_t len)
{
	struct events *ev = calloc(1, sizeof(*ev));
	int rc, fac = evfmt_facility(cfg->fixed.log_facility);

	if (ev == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	ev->cfg = cfg;
	if (log_open(ev, state_dir, err, len) < 0) {
		free(ev);
		return NULL;
	}
	ev->fmt.facility = fac < 0 ? 21 : fac; /* local5: checked already */
	ev->fmt.enterprise = cfg->fixed.log_enterprise;
	if (gethostname(ev->fmt.hostname, sizeof(ev->fmt.hostname) - 1) < 0)
		ev->fmt.hostname[0] = '\0';
	snprintf(ev->fmt.procid, sizeof(ev->fmt.procid), "%d", (int)getpid());
	if (cfg->fixed.log_dest == LOG_DEST_SYSLOG)
		openlog("aftr", LOG_NDELAY | LOG_PID, ev->fmt.facility << 3);
	for (; ev->n < cfg->fixed.n_exporters; ev->n++) {
		struct sink *s = &ev->s[ev->n];

		s->cfg = &cfg->fixed.exporters[ev->n];
		s->fd = -1;
		describe(s);
		if (s->cfg->transport == EXPORT_TCP && (s->out = malloc(TCP_BUF)) == NULL) {
			snprintf(err, len, "out of memory");
			events_close(ev);
			return NULL;
		}
		if ((rc = sink_connect(s, CONNECT_MS)) < 0) {
			snprintf(err, len,
			         "logging.exporters[%zu] (%s): cannot reach the collector: %s",
			         ev->n, s->dest, strerror(-rc));
			ev->n++;
			events_close(ev);
			return NULL;
		}
	}
	return ev;
}

void events_close(struct events *ev)
{
	if (ev == NULL)
		return;
	events_flush(ev);
	for (size_t i = 0; i < ev->n; i++) {
		if (ev->s[i].fd >= 0)
			close(ev->s[i].fd);
		free(ev->s[i].out);
	}
	evlog_w_close(ev->log);
	free(ev);
}

json_t *events_stats(struct events *ev)
{
	json_t *l = json_array();

	for (size_t i = 0; ev && l && i < ev->n; i++) {
		struct sink *s = &ev->s[i];

		json_array_append_new(l, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "type",
		                                   cfg_export_type_names[s->cfg->type], "transport",
		                                   cfg_export_transport_names[s->cfg->transport],
		                                   "destination", s->dest, "records",
		                                   (json_int_t)atomic_load(&s->records), "lost",
		                                   (json_int_t)atomic_load(&s->lost), "errors",
		                                   (json_int_t)atomic_load(&s->errors)));
	}
	return l;
}
