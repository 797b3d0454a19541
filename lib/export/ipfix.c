/* NAT event records as IPFIX (RFC 7011) with RFC 8158's templates; see
 * evfmt.h. */
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "evfmt.h"

/* Information elements (IANA's IPFIX registry). */
enum {
	IE_PROTOCOL = 4,       /* protocolIdentifier, unsigned8 */
	IE_SRC_PORT = 7,       /* sourceTransportPort, unsigned16 */
	IE_SRC_IP4 = 8,        /* sourceIPv4Address */
	IE_DST_PORT = 11,      /* destinationTransportPort */
	IE_DST_IP4 = 12,       /* destinationIPv4Address */
	IE_SRC_IP6 = 27,       /* sourceIPv6Address: the B4 (DS-Lite, RFC 8158 4.1) */
	IE_NAT_SRC_IP4 = 225,  /* postNATSourceIPv4Address */
	IE_NAT_SRC_PORT = 227, /* postNAPTSourceTransportPort */
	IE_NAT_EVENT = 230,    /* natEvent, unsigned8 */
	IE_TIME_MS = 323,      /* observationTimeMilliseconds, dateTimeMilliseconds */
	IE_PORT_START = 361,   /* portRangeStart */
	IE_PORT_END = 362,     /* portRangeEnd */
	IE_PORT_STEP = 363,    /* portRangeStepSize */
	IE_PORT_NUM = 364,     /* portRangeNumPorts */
	IE_QUOTA_EVENT = 466,  /* natQuotaExceededEvent, unsigned32 */
	IE_MAX_PER_USER = 473, /* maxEntriesPerUser, unsigned32 */
};

/* natEvent values (RFC 8158 section 4.1.3, IANA). */
enum {
	NAT_EV_ADDR_EXHAUSTED = 3,
	NAT_EV_SESS_CREATE = 4,
	NAT_EV_SESS_DELETE = 5,
	NAT_EV_PORTS_EXHAUSTED = 12,
	NAT_EV_QUOTA = 13,
	NAT_EV_BIND_CREATE = 14,
	NAT_EV_BIND_DELETE = 15,
	NAT_EV_BLOCK_ALLOC = 16,
	NAT_EV_BLOCK_FREE = 17,
};
#define QUOTA_PER_USER 3 /* natQuotaExceededEvent: maximum entries per user */

struct ie {
	uint16_t id, len;
};

static const struct ie t_session[] = {{IE_TIME_MS, 8},      {IE_SRC_IP6, 16}, {IE_SRC_IP4, 4},
                                      {IE_NAT_SRC_IP4, 4},  {IE_PROTOCOL, 1}, {IE_SRC_PORT, 2},
                                      {IE_NAT_SRC_PORT, 2}, {IE_DST_IP4, 4},  {IE_DST_PORT, 2},
                                      {IE_NAT_EVENT, 1}};
static const struct ie t_block[] = {{IE_TIME_MS, 8},   {IE_SRC_IP6, 16},   {IE_NAT_SRC_IP4, 4},
                                    {IE_PROTOCOL, 1},  {IE_PORT_START, 2}, {IE_PORT_END, 2},
                                    {IE_PORT_STEP, 2}, {IE_PORT_NUM, 2},   {IE_NAT_EVENT, 1}};
static const struct ie t_bind[] = {
        {IE_TIME_MS, 8}, {IE_SRC_IP6, 16}, {IE_NAT_SRC_IP4, 4}, {IE_NAT_EVENT, 1}};
static const struct ie t_quota[] = {{IE_TIME_MS, 8},     {IE_SRC_IP6, 16},  {IE_NAT_SRC_IP4, 4},
                                    {IE_PROTOCOL, 1},    {IE_NAT_EVENT, 1}, {IE_QUOTA_EVENT, 4},
                                    {IE_MAX_PER_USER, 4}};
static const struct ie t_ports[] = {{IE_TIME_MS, 8},
                                    {IE_SRC_IP6, 16},
                                    {IE_NAT_SRC_IP4, 4},
                                    {IE_PROTOCOL, 1},
                                    {IE_NAT_EVENT, 1}};

#define N(a) (uint16_t)(sizeof(a) / sizeof((a)[0]))
static const struct tpl {
	uint16_t id, n;
	const struct ie *ies;
} tpls[] = {{EVFMT_TPL_SESSION, N(t_session), t_session},
            {EVFMT_TPL_BLOCK, N(t_block), t_block},
            {EVFMT_TPL_BIND, N(t_bind), t_bind},
            {EVFMT_TPL_QUOTA, N(t_quota), t_quota},
            {EVFMT_TPL_PORTS, N(t_ports), t_ports}};
#undef N

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

void evfmt_ipfix_begin(struct evfmt_ipfix *x)
{
	x->len = 16;
	x->set_off = 0;
	x->set_id = 0;
	x->records = 0;
}

static void set_close(struct evfmt_ipfix *x)
{
	if (x->set_off)
		put16(x->buf + x->set_off + 2, (uint16_t)(x->len - x->set_off));
	x->set_off = 0;
	x->set_id = 0;
}

/* Opens a set of id unless it is the open one: false if 4 + need bytes
 * more do not fit. */
static bool set_open(struct evfmt_ipfix *x, uint16_t id, size_t need)
{
	if (x->set_id == id && x->len + need <= sizeof(x->buf))
		return true;
	if (x->len + 4 + need > sizeof(x->buf))
		return false;
	set_close(x);
	x->set_off = x->len;
	x->set_id = id;
	put16(x->buf + x->len, id);
	x->len += 4;
	return true;
}

int evfmt_ipfix_templates(struct evfmt_ipfix *x)
{
	size_t need = 0;

	for (size_t t = 0; t < sizeof(tpls) / sizeof(tpls[0]); t++)
		need += 4 + 4u * tpls[t].n;
	if (!set_open(x, 2, need)) /* set id 2: templates (section 3.3.2) */
		return -1;
	for (size_t t = 0; t < sizeof(tpls) / sizeof(tpls[0]); t++) {
		put16(x->buf + x->len, tpls[t].id);
		put16(x->buf + x->len + 2, tpls[t].n);
		x->len += 4;
		for (uint16_t i = 0; i < tpls[t].n; i++, x->len += 4) {
			put16(x->buf + x->len, tpls[t].ies[i].id);
			put16(x->buf + x->len + 2, tpls[t].ies[i].len);
		}
	}
	set_close(x);
	return 0;
}

/* The values a record may carry, by information element. */
struct vals {
	uint64_t time_ms;
	const uint8_t *b4;
	uint32_t src, ext, dst; /* network order */
	uint16_t sport, eport, dport, first, last, step, num;
	uint8_t proto, event;
	uint32_t quota, max;
};

static const struct tpl *vals_of(const struct ctl_msg *m, struct vals *v)
{
	memset(v, 0, sizeof(*v));
	v->time_ms = m->time_ms;
	switch (m->type) {
	case CTL_EVT_NAT_ADD:
	case CTL_EVT_NAT_DEL:
		*v = (struct vals){m->time_ms,
		                   m->u.sess.b4,
		                   m->u.sess.src,
		                   m->u.sess.ext,
		                   m->u.sess.dst,
		                   m->u.sess.sport,
		                   m->u.sess.eport,
		                   m->u.sess.dport,
		                   .proto = m->u.sess.proto,
		                   .event = m->type == CTL_EVT_NAT_ADD ? NAT_EV_SESS_CREATE
		                                                       : NAT_EV_SESS_DELETE};
		return &tpls[0];
	case CTL_EVT_BLOCK_ALLOC:
	case CTL_EVT_BLOCK_FREE:
		v->b4 = m->u.block.b4;
		v->ext = m->u.block.addr;
		v->proto = m->u.block.proto;
		v->first = m->u.block.first;
		v->last = (uint16_t)(m->u.block.first + m->u.block.count - 1u);
		v->step = 1; /* contiguous blocks */
		v->num = m->u.block.count;
		v->event = m->type == CTL_EVT_BLOCK_ALLOC ? NAT_EV_BLOCK_ALLOC : NAT_EV_BLOCK_FREE;
		return &tpls[1];
	case CTL_EVT_TUNNEL_ADD:
	case CTL_EVT_TUNNEL_DEL:
		v->b4 = m->u.subs.b4;
		v->ext = m->u.subs.addr;
		v->event = m->type == CTL_EVT_TUNNEL_ADD ? NAT_EV_BIND_CREATE : NAT_EV_BIND_DELETE;
		return &tpls[2];
	case CTL_EVT_QUOTA:
	case CTL_EVT_EXHAUSTED:
		/* RFC 8158's quotas are of entries: a creation rate has no
		 * natQuotaExceededEvent value (syslog and the event log say it). */
		if (m->type == CTL_EVT_QUOTA && m->u.limit.kind == CTL_QUOTA_RATE)
			return NULL;
		v->b4 = m->u.limit.b4;
		v->ext = m->u.limit.addr;
		v->proto = m->u.limit.proto;
		v->event = m->type == CTL_EVT_QUOTA ? NAT_EV_QUOTA : NAT_EV_PORTS_EXHAUSTED;
		v->quota = QUOTA_PER_USER;
		v->max = m->u.limit.limit;
		return m->type == CTL_EVT_QUOTA ? &tpls[3] : &tpls[4];
	default:
		return NULL;
	}
}

static void put_ie(uint8_t *p, uint16_t id, const struct vals *v)
{
	switch (id) {
	case IE_TIME_MS:
		put64(p, v->time_ms);
		break;
	case IE_SRC_IP6:
		memcpy(p, v->b4, 16);
		break;
	case IE_SRC_IP4:
		memcpy(p, &v->src, 4);
		break;
	case IE_NAT_SRC_IP4:
		memcpy(p, &v->ext, 4);
		break;
	case IE_DST_IP4:
		memcpy(p, &v->dst, 4);
		break;
	case IE_PROTOCOL:
		*p = v->proto;
		break;
	case IE_NAT_EVENT:
		*p = v->event;
		break;
	case IE_SRC_PORT:
		put16(p, v->sport);
		break;
	case IE_NAT_SRC_PORT:
		put16(p, v->eport);
		break;
	case IE_DST_PORT:
		put16(p, v->dport);
		break;
	case IE_PORT_START:
		put16(p, v->first);
		break;
	case IE_PORT_END:
		put16(p, v->last);
		break;
	case IE_PORT_STEP:
		put16(p, v->step);
		break;
	case IE_PORT_NUM:
		put16(p, v->num);
		break;
	case IE_QUOTA_EVENT:
		put32(p, v->quota);
		break;
	case IE_MAX_PER_USER:
		put32(p, v->max);
		break;
	}
}

int evfmt_ipfix_record(struct evfmt_ipfix *x, const struct ctl_msg *m)
{
	struct vals v;
	const struct tpl *t;
	size_t need = 0;

	if (ctl_msg_check(m) < 0 || (t = vals_of(m, &v)) == NULL)
		return -1;
	for (uint16_t i = 0; i < t->n; i++)
		need += t->ies[i].len;
	if (!set_open(x, t->id, need))
		return 0;
	for (uint16_t i = 0; i < t->n; i++) {
		put_ie(x->buf + x->len, t->ies[i].id, &v);
		x->len += t->ies[i].len;
	}
	x->records++;
	return 1;
}

size_t evfmt_ipfix_finish(struct evfmt_ipfix *x, uint32_t export_time, uint32_t seq,
                          uint32_t domain)
{
	set_close(x);
	put16(x->buf, 10); /* version */
	put16(x->buf + 2, (uint16_t)x->len);
	put32(x->buf + 4, export_time);
	put32(x->buf + 8, seq);
	put32(x->buf + 12, domain);
	return x->len;
}
