/* The workers' end of the control rings; see ctl.h. Between bursts, with
 * no lock and no system call: single producer, single consumer rings. */
#include "ctl.h"

#include <errno.h>
#include <netinet/in.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <string.h>

#define CTL_BURST 8

static void send_event(struct dp_worker *w, struct ctl_msg *m)
{
	m->worker = (uint16_t)w->id;
	m->time = w->now;
	if (w->evt_ring == NULL || rte_ring_sp_enqueue_elem(w->evt_ring, m, CTL_MSG_SIZE) != 0)
		DP_COUNT(w, EVENTS_LOST);
}

void ctl_poll(struct dp_worker *w)
{
	struct ctl_msg cmds[CTL_BURST];
	unsigned int n;

	if (w->cmd_ring == NULL)
		return;
	n = rte_ring_sc_dequeue_burst_elem(w->cmd_ring, cmds, CTL_MSG_SIZE, CTL_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct ctl_msg ack = {.type = CTL_EVT_ACK, .seq = cmds[i].seq};

		/* Only NOOP exists so far: anything else is refused, not guessed. */
		ack.u.ack.result = cmds[i].type == CTL_CMD_NOOP ? 0 : -ENOTSUP;
		DP_COUNT(w, COMMANDS);
		send_event(w, &ack);
	}
}

void ctl_block_event(struct dp_worker *w, bool alloc, const struct addr6 *b4, uint32_t pool_host,
		     uint8_t proto, uint16_t first, uint16_t count)
{
	struct ctl_msg m = {.type = alloc ? CTL_EVT_BLOCK_ALLOC : CTL_EVT_BLOCK_FREE};

	if (dp.conf.cfg->nat_events == NAT_EVENTS_OFF)
		return;
	memcpy(m.u.block.b4, b4->b, 16);
	m.u.block.addr = htonl(pool_host);
	m.u.block.first = first;
	m.u.block.count = count;
	m.u.block.proto = proto;
	send_event(w, &m);
}
