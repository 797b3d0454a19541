/* NAT events as RFC 5424 syslog messages; see evfmt.h. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "evfmt.h"
#include "evlog.h"

static const char *const facilities[] = {
        "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
        "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
        "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};

int evfmt_facility(const char *name)
{
	for (int i = 0; i < (int)(sizeof(facilities) / sizeof(facilities[0])); i++)
		if (strcmp(name, facilities[i]) == 0)
			return i;
	return -1;
}

const char *evfmt_name(const struct ctl_msg *m)
{
	switch (m->type) {
	case CTL_EVT_BLOCK_ALLOC:
		return "blockAlloc";
	case CTL_EVT_BLOCK_FREE:
		return "blockFree";
	case CTL_EVT_NAT_ADD:
		return "sessionCreate";
	case CTL_EVT_NAT_DEL:
		return "sessionDelete";
	case CTL_EVT_TUNNEL_ADD:
		return "subscriberAdd";
	case CTL_EVT_TUNNEL_DEL:
		return "subscriberDelete";
	case CTL_EVT_QUOTA:
		return "quotaExceeded";
	case CTL_EVT_EXHAUSTED:
		return "portsExhausted";
	case CTL_EVT_DP_START:
		return "dataplaneStart";
	case CTL_EVT_PCP:
		return "pcpMapping";
	default:
		return NULL;
	}
}

static const char *b4_of(const uint8_t b[16], char out[ADDR6_STRLEN])
{
	struct addr6 a;

	memcpy(a.b, b, 16);
	return addr6_format(&a, out);
}

/* The SD-PARAMs of an event (values need no escaping: addresses, numbers
 * and names only). */
static int params(const struct ctl_msg *m, char *buf, size_t len)
{
	char b4[ADDR6_STRLEN], a[ADDR4_STRLEN], s[ADDR4_STRLEN], d[ADDR4_STRLEN];

	switch (m->type) {
	case CTL_EVT_BLOCK_ALLOC:
	case CTL_EVT_BLOCK_FREE:
		return snprintf(buf, len,
		                "b4=\"%s\" addr=\"%s\" proto=\"%s\" first=\"%u\" last=\"%u\"",
		                b4_of(m->u.block.b4, b4), addr4_format(ntohl(m->u.block.addr), a),
		                ctl_msg_proto_name(m->u.block.proto), m->u.block.first,
		                m->u.block.first + m->u.block.count - 1u);
	case CTL_EVT_NAT_ADD:
	case CTL_EVT_NAT_DEL:
		return snprintf(buf, len,
		                "b4=\"%s\" src=\"%s\" sport=\"%u\" addr=\"%s\" port=\"%u\" "
		                "proto=\"%s\" dst=\"%s\" dport=\"%u\"",
		                b4_of(m->u.sess.b4, b4), addr4_format(ntohl(m->u.sess.src), s),
		                m->u.sess.sport, addr4_format(ntohl(m->u.sess.ext), a),
		                m->u.sess.eport, ctl_msg_proto_name(m->u.sess.proto),
		                addr4_format(ntohl(m->u.sess.dst), d), m->u.sess.dport);
	case CTL_EVT_TUNNEL_ADD:
	case CTL_EVT_TUNNEL_DEL:
		return snprintf(buf, len, "b4=\"%s\" addr=\"%s\"", b4_of(m->u.subs.b4, b4),
		                addr4_format(ntohl(m->u.subs.addr), a));
	case CTL_EVT_QUOTA:
		return snprintf(buf, len,
		                "b4=\"%s\" addr=\"%s\" proto=\"%s\" limit=\"%s\" max=\"%u\"",
		                b4_of(m->u.limit.b4, b4), addr4_format(ntohl(m->u.limit.addr), a),
		                ctl_msg_proto_name(m->u.limit.proto),
		                ctl_quota_name(m->u.limit.kind), m->u.limit.limit);
	case CTL_EVT_DP_START:
		return snprintf(buf, len, "pid=\"%d\" generation=\"%llu\"", m->u.dp.pid,
		                (unsigned long long)m->u.dp.generation);
	case CTL_EVT_PCP:
		return snprintf(buf, len,
		                "op=\"%s\" b4=\"%s\" src=\"%s\" sport=\"%u\" addr=\"%s\" "
		                "port=\"%u\" proto=\"%s\" lifetime=\"%u\" result=\"%u\"",
		                ctl_pcp_op_name(m->u.pcp.op), b4_of(m->u.pcp.b4, b4),
		                addr4_format(ntohl(m->u.pcp.src), s), m->u.pcp.sport,
		                addr4_format(ntohl(m->u.pcp.ext), a), m->u.pcp.eport,
		                ctl_msg_proto_name(m->u.pcp.proto), m->u.pcp.lifetime,
		                m->u.pcp.result);
	default: /* CTL_EVT_EXHAUSTED */
		return snprintf(buf, len, "b4=\"%s\" addr=\"%s\" proto=\"%s\"",
		                b4_of(m->u.limit.b4, b4), addr4_format(ntohl(m->u.limit.addr), a),
		                ctl_msg_proto_name(m->u.limit.proto));
	}
}

int evfmt_syslog(const struct evfmt_syslog *s, const struct ctl_msg *m, char *buf, size_t len)
{
	const char *name = evfmt_name(m);
	int sev = m->type == CTL_EVT_QUOTA || m->type == CTL_EVT_EXHAUSTED ? EVFMT_SEV_WARNING
	                                                                   : EVFMT_SEV_NOTICE;
	char ts[32], sd[256], msg[200];
	int n;

	if (name == NULL || ctl_msg_check(m) < 0)
		return -1;
	/* RFC 5424 section 6.2.3: UTC ("Z"), here to the millisecond. */
	evlog_format_time(m->time_ms, ts, sizeof(ts));
	if (params(m, sd, sizeof(sd)) >= (int)sizeof(sd))
		return -1;
	ctl_msg_format(m, msg, sizeof(msg)); /* ISC's trace line */
	/* HEADER: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID
	 * SP MSGID, then SP STRUCTURED-DATA SP MSG (section 6). */
	n = snprintf(buf, len, "<%d>1 %s %s aftr %s %s [%s@%u %s] %s", s->facility * 8 + sev, ts,
	             s->hostname[0] ? s->hostname : "-", s->procid[0] ? s->procid : "-", name, name,
	             s->enterprise, sd, msg);
	return n < 0 || (size_t)n >= len ? -1 : n;
}
