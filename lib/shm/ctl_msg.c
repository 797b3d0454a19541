/* Control messages; see ctl_msg.h. */
#include "ctl_msg.h"

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "counters.h"
#include "ctl_pkt.h"

const char *ctl_msg_proto_name(uint8_t p)
{
	return p == IPPROTO_TCP    ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_ICMP ? "icmp"
	                           : NULL;
}

const char *ctl_quota_name(uint8_t kind)
{
	return kind == CTL_QUOTA_SESSIONS ? "sessions"
	       : kind == CTL_QUOTA_BLOCKS ? "blocks"
	                                  : "rate";
}

const char *ctl_pcp_op_name(uint8_t op)
{
	static const char *const names[] = {
	        [CTL_PCP_MAP] = "map",        [CTL_PCP_PEER] = "peer", [CTL_PCP_ADD] = "add",
	        [CTL_PCP_RENEW] = "renew",    [CTL_PCP_DEL] = "del",   [CTL_PCP_EXPIRE] = "expire",
	        [CTL_PCP_REFUSED] = "refused"};

	return op < sizeof(names) / sizeof(names[0]) && names[op] ? names[op] : "?";
}

static int pcp_check(const struct ctl_msg *msg, bool cmd)
{
	const uint8_t op = msg->u.pcp.op;

	if (msg->u.pcp.proto != IPPROTO_TCP && msg->u.pcp.proto != IPPROTO_UDP)
		return -EINVAL;
	if (cmd)
		return op == CTL_PCP_MAP || op == CTL_PCP_PEER ? 0 : -EINVAL;
	return op >= CTL_PCP_ADD && op <= CTL_PCP_REFUSED ? 0 : -EINVAL;
}

int ctl_msg_check(const struct ctl_msg *msg)
{
	switch (msg->type) {
	case CTL_CMD_NOOP:
	case CTL_CMD_TABLES:
		return 0;
	case CTL_CMD_DELTA:
		return msg->u.tables.base < msg->u.tables.gen ? 0 : -EINVAL;
	case CTL_EVT_ACK:
		return memchr(msg->u.ack.text, '\0', sizeof(msg->u.ack.text)) ? 0 : -EINVAL;
	case CTL_CMD_SESSIONS:
	case CTL_CMD_SUBSCRIBERS:
	case CTL_CMD_POOLS:
		return msg->u.dump.max ? 0 : -EINVAL;
	case CTL_CMD_B4DROPS:
	case CTL_CMD_B4:
		return msg->u.dump.max ? 0 : -EINVAL;
	case CTL_EVT_B4DROPS:
		return msg->u.b4drops.nreasons <= (DROP_COUNT + 3) / 4 ? 0 : -EINVAL;
	case CTL_EVT_B4REASONS:
		if (msg->u.b4reasons.n > 4)
			return -EINVAL;
		for (unsigned int i = 0; i < msg->u.b4reasons.n; i++)
			if (msg->u.b4reasons.reason[i] >= DROP_COUNT)
				return -EINVAL;
		return 0;
	case CTL_EVT_B4:
		return msg->u.b4.nat <= 2 ? 0 : -EINVAL;
	case CTL_CMD_PCP:
	case CTL_EVT_PCP:
		return pcp_check(msg, msg->type == CTL_CMD_PCP);
	case CTL_CMD_CLEAR: /* never every B4's at once */
		return msg->u.dump.max && msg->u.dump.has_b4 ? 0 : -EINVAL;
	case CTL_EVT_POOL:
		return ctl_msg_proto_name(msg->u.pool.proto) && msg->u.pool.draining <= 1 &&
		                       msg->u.pool.blocks_free <= msg->u.pool.blocks &&
		                       msg->u.pool.ports_used <= msg->u.pool.ports
		               ? 0
		               : -EINVAL;
	case CTL_EVT_SUBSCRIBER:
		return 0;
	case CTL_EVT_SESSION:
	case CTL_EVT_NAT_ADD:
	case CTL_EVT_NAT_DEL:
		return ctl_msg_proto_name(msg->u.sess.proto) ? 0 : -EINVAL;
	case CTL_EVT_TUNNEL_ADD:
	case CTL_EVT_TUNNEL_DEL:
		return 0;
	case CTL_EVT_QUOTA:
		if (msg->u.limit.kind < CTL_QUOTA_SESSIONS || msg->u.limit.kind > CTL_QUOTA_RATE)
			return -EINVAL;
		/* fall through */
	case CTL_EVT_EXHAUSTED:
		return ctl_msg_proto_name(msg->u.limit.proto) ? 0 : -EINVAL;
	case CTL_EVT_DP_START:
		return 0;
	case CTL_EVT_BLOCK_ALLOC:
	case CTL_EVT_BLOCK_FREE:
	case CTL_EVT_BLOCK:
		if (ctl_msg_proto_name(msg->u.block.proto) == NULL || msg->u.block.count == 0 ||
		    (uint32_t)msg->u.block.first + msg->u.block.count > 65536)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static void pcp_format(const struct ctl_msg *msg, char *buf, size_t len)
{
	char b4[ADDR6_STRLEN], in[ADDR4_STRLEN], ext[ADDR4_STRLEN];
	struct addr6 a;
	int n;

	memcpy(a.b, msg->u.pcp.b4, 16);
	n = snprintf(buf, len, "pcp %s %s %s %s %u %s %u %u", ctl_pcp_op_name(msg->u.pcp.op),
	             addr6_format(&a, b4), ctl_msg_proto_name(msg->u.pcp.proto),
	             addr4_format(ntohl(msg->u.pcp.src), in), msg->u.pcp.sport,
	             addr4_format(ntohl(msg->u.pcp.ext), ext), msg->u.pcp.eport,
	             msg->u.pcp.lifetime);
	if (msg->u.pcp.result && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " result %u", msg->u.pcp.result);
}

char *ctl_msg_format(const struct ctl_msg *msg, char *buf, size_t len)
{
	char b4[ADDR6_STRLEN], a4[ADDR4_STRLEN];
	struct addr6 a;

	if (ctl_msg_check(msg) < 0) {
		snprintf(buf, len, "invalid message (type %u)", msg->type);
		return buf;
	}
	switch (msg->type) {
	case CTL_EVT_BLOCK_ALLOC:
	case CTL_EVT_BLOCK_FREE:
		memcpy(a.b, msg->u.block.b4, 16);
		snprintf(buf, len, "bucket %s %s %s %s %u-%u",
		         msg->type == CTL_EVT_BLOCK_ALLOC ? "add" : "del", addr6_format(&a, b4),
		         addr4_format(ntohl(msg->u.block.addr), a4),
		         ctl_msg_proto_name(msg->u.block.proto), msg->u.block.first,
		         msg->u.block.first + msg->u.block.count - 1);
		break;
	case CTL_EVT_ACK:
		snprintf(buf, len, "ack %u %d", msg->seq, msg->u.ack.result);
		break;
	case CTL_EVT_NAT_ADD:
	case CTL_EVT_NAT_DEL:
		memcpy(a.b, msg->u.sess.b4, 16);
		snprintf(buf, len, "nat %s %s %s %s %u",
		         msg->type == CTL_EVT_NAT_ADD ? "add" : "del", addr6_format(&a, b4),
		         ctl_msg_proto_name(msg->u.sess.proto),
		         addr4_format(ntohl(msg->u.sess.ext), a4), msg->u.sess.eport);
		break;
	case CTL_EVT_TUNNEL_ADD:
	case CTL_EVT_TUNNEL_DEL:
		memcpy(a.b, msg->u.subs.b4, 16);
		snprintf(buf, len, "tunnel %s %s", msg->type == CTL_EVT_TUNNEL_ADD ? "add" : "del",
		         addr6_format(&a, b4));
		break;
	case CTL_EVT_QUOTA:
		memcpy(a.b, msg->u.limit.b4, 16);
		snprintf(buf, len, "quota %s %s %s %s %u", addr6_format(&a, b4),
		         addr4_format(ntohl(msg->u.limit.addr), a4),
		         ctl_msg_proto_name(msg->u.limit.proto), ctl_quota_name(msg->u.limit.kind),
		         msg->u.limit.limit);
		break;
	case CTL_EVT_EXHAUSTED:
		memcpy(a.b, msg->u.limit.b4, 16);
		snprintf(buf, len, "exhausted %s %s %s", addr6_format(&a, b4),
		         addr4_format(ntohl(msg->u.limit.addr), a4),
		         ctl_msg_proto_name(msg->u.limit.proto));
		break;
	case CTL_EVT_DP_START:
		snprintf(buf, len, "dataplane start pid %d", msg->u.dp.pid);
		break;
	case CTL_EVT_PCP:
		pcp_format(msg, buf, len);
		break;
	case CTL_EVT_SESSION:
		snprintf(buf, len, "session %s %u -> %u", ctl_msg_proto_name(msg->u.sess.proto),
		         msg->u.sess.sport, msg->u.sess.eport);
		break;
	case CTL_CMD_SESSIONS:
		snprintf(buf, len, "sessions from %u", msg->u.dump.cursor);
		break;
	default:
		snprintf(buf, len, "noop %u", msg->seq);
	}
	return buf;
}

int ctl_pkt_check(const struct ctl_pkt *p)
{
	return p->type == CTL_PKT_PCP && p->len <= CTL_PKT_DATA && p->v6 <= 1 ? 0 : -1;
}
