/* aftr-bench: the real worker code in memory, no NIC and no kernel.
 *
 *   aftr-bench [EAL options] -- [--mode napt|lw4o6|prr|nonat] [--proto udp|tcp|icmp]
 *              [--b4s N] [--flows M] [--size BYTES|imix] [--packets N] [--workers 1|2]
 *              [--phases up,down,both] [--nat SETTINGS] [--mtu BYTES] [--vlan]
 *              [--refused] [--json FILE] [--commit ID]
 *
 * The dataplane is set up from a configuration made here (traffic.h's
 * tr_config), on two ring ports (DPDK's net_ring: rte_eth_from_rings), a
 * queue pair per worker, and its workers run by this thread, one round at
 * a time each (worker_poll): the traffic model (traffic.h) puts a burst
 * into the RX rings, each worker runs a round, and what they sent is taken
 * from the TX rings and checked. Only the rounds are timed (rte_rdtsc), so
 * the figures are the workers' own: cycles per packet (summed over the
 * workers), and the packets per second one core would forward at that
 * cost. Run under callgrind with --toggle-collect=bench_round, the same
 * runs count instructions per packet (bench/check).
 *
 * With two workers, frames go to a queue as RSS spreads them (rss_queue),
 * each queue topped up to a burst of its own flows each round (a loaded
 * NIC keeps every queue filled): a B4's reach the worker that owns the B4; about half of
 * the Internet's reach the worker that does not own their port block and
 * are handed to the owner over a ring: the hand-off's cost shows as the
 * difference in cycles per packet. (This box has two cores;
 * running the workers on lcores of their own would measure the scheduler,
 * not the code.)
 *
 * NAPT (RFC 6333 with RFC 4787 UDP mappings): every flow is first sent
 * once from its B4 so the AFTR makes its session and the model learns its
 * public endpoint; then three phases of established traffic, B4 -> Internet
 * only, Internet -> B4 only, and both at once, N packets each way. lw4o6
 * (RFC 7596): a softwire per B4 in the configuration, the same phases.
 *
 * --mtu sets the WAN MTU (the transport's 40 more), which sizes the
 * buffers: small packets in jumbo-sized buffers measure what that costs.
 * --vlan tags the transport's frames with VLAN 100 and the WAN's with 200
 * (802.1Q), both ways: what sorting and tagging cost. --refused adds a
 * phase "refused" after the others: the B4s' frames with a public inner
 * source, which the AFTR drops (not_private) and counts, per B4 too
 * (worker/b4drops.h): what a drop costs. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stddef.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_thash.h>
#include <rte_version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "ctl_msg.h"
#include "dp.h"
#include "gen.h"
#include "report.h"
#include "rss.h"
#include "traffic.h"
#include "worker.h"

#define RING_SIZE 1024
#define MAX_Q     TR_MAX_Q
#define BURST     32
#define PRIME_S   10 /* and a second per 200K flows: sessions are made at the tunnels' nat_rate */

struct opts {
	enum tr_mode mode;
	uint8_t proto;
	uint32_t b4s, flows, packets, workers;
	const char *nat;    /* more settings under nat: (YAML flow mapping body) */
	const char *events; /* logging.nat_events: off, blocks, sessions (default blocks) */
	uint16_t size, mtu;
	bool vlan;     /* transport on VLAN 100, WAN on 200 */
	bool refused;  /* a phase of frames the AFTR drops */
	bool phase[3]; /* up, down, both */
	const char *json, *commit;
};

static struct rte_ring *rx[2][MAX_Q], *tx[2][MAX_Q]; /* per DP port and queue */
static char port_name[2][RTE_ETH_NAME_MAX_LEN];

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	        {"b4s", required_argument, NULL, 'b'},    {"flows", required_argument, NULL, 'f'},
	        {"size", required_argument, NULL, 's'},   {"packets", required_argument, NULL, 'n'},
	        {"json", required_argument, NULL, 'j'},   {"commit", required_argument, NULL, 'c'},
	        {"phases", required_argument, NULL, 'p'}, {"mode", required_argument, NULL, 'm'},
	        {"proto", required_argument, NULL, 'P'},  {"workers", required_argument, NULL, 'w'},
	        {"nat", required_argument, NULL, 'N'},    {"mtu", required_argument, NULL, 'M'},
	        {"vlan", no_argument, NULL, 'V'},         {"refused", no_argument, NULL, 'R'},
	        {"events", required_argument, NULL, 'E'}, {NULL, 0, NULL, 0}};
	int c, k;

	*o = (struct opts){.proto = IPPROTO_UDP,
	                   .b4s = 1024,
	                   .flows = 8,
	                   .packets = 1000000,
	                   .workers = 1,
	                   .size = 100,
	                   .phase = {true, true, true}};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		unsigned long v;

		if (c == '?')
			return -1; /* getopt said why; every other option has its argument */
		if (c == 'V' || c == 'R') {
			*(c == 'V' ? &o->vlan : &o->refused) = true;
			continue;
		}
		v = strtoul(optarg, &end, 10);
		if (c == 's' && strcmp(optarg, "imix") == 0) {
			o->size = TR_IMIX;
		} else if (c == 'm' && (k = word(optarg, tr_mode_names, 4)) >= 0) {
			o->mode = (enum tr_mode)k;
		} else if (c == 'P' && (k = word(optarg, proto_names, IPPROTO_UDP + 1)) >= 0) {
			o->proto = (uint8_t)k;
		} else if (c == 'p') {
			if (parse_phases(optarg, o->phase) < 0)
				return -1;
		} else if (c == 'j' || c == 'c' || c == 'N') {
			*(c == 'j' ? &o->json : c == 'c' ? &o->commit : &o->nat) = optarg;
		} else if (c == 'E' && word(optarg, cfg_nat_events_names, 3) >= 0) {
			o->events = optarg;
		} else if (*end || end == optarg || v == 0 || v > UINT32_MAX) {
			return -1;
		} else if (c == 'b') {
			o->b4s = (uint32_t)v;
		} else if (c == 'f') {
			o->flows = (uint32_t)v;
		} else if (c == 'n') {
			o->packets = (uint32_t)v;
		} else if (c == 'w' && v <= MAX_Q) {
			o->workers = (uint32_t)v;
		} else if (c == 'M' && v >= 1280 && v <= 9560) {
			o->mtu = (uint16_t)v;
		} else if (c == 's' && v >= TR_MIN_SIZE && v <= TR_MAX_SIZE) {
			o->size = (uint16_t)v;
		} else {
			return -1;
		}
	}
	/* The frames must fit the MTU set, or the checks would see fragments. */
	if (o->mtu && (o->size == TR_IMIX ? 1514u : o->size) > o->mtu + 14u)
		return -1;
	return optind == argc ? 0 : -1;
}

/* --nat "a: 1, b: 2" as lines under nat: ("  a: 1\n  b: 2\n"). */
static void nat_lines(const char *s, char *out, size_t len)
{
	size_t l = (size_t)snprintf(out, len, "  ");

	for (; *s && l + 5 < len; s++) {
		if (*s != ',') {
			out[l++] = *s;
			continue;
		}
		l += (size_t)snprintf(out + l, len - l, "\n  ");
		while (s[1] == ' ')
			s++;
	}
	snprintf(out + l, len - l, "\n");
}

/* The dataplane's configuration for this traffic (traffic.h), in a file
 * of its own; --nat adds settings under nat:. */
static int write_config(const struct opts *o, const struct tr_model *t, char *path)
{
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	char extra[256] = "";
	int rc;

	if (f == NULL) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	if (o->nat)
		nat_lines(o->nat, extra, sizeof(extra));
	rc = tr_config(f, t, o->flows, port_name[0], port_name[1], extra);
	if (rc == 0 && o->events)
		fprintf(f, "logging: {nat_events: %s}\n", o->events);
	if (fclose(f) != 0 || rc < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

static int ring_ports(unsigned int nq)
{
	static const char *const names[2] = {"bench_tr", "bench_wan"};

	for (int p = 0; p < 2; p++) {
		char n[RTE_RING_NAMESIZE];
		int id;

		for (unsigned int q = 0; q < nq; q++) {
			snprintf(n, sizeof(n), "%s_rx%u", names[p], q);
			rx[p][q] = rte_ring_create(n, RING_SIZE, (int)rte_socket_id(),
			                           RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(n, sizeof(n), "%s_tx%u", names[p], q);
			tx[p][q] = rte_ring_create(n, RING_SIZE, (int)rte_socket_id(),
			                           RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rx[p][q] == NULL || tx[p][q] == NULL)
				return -1;
		}
		id = rte_eth_from_rings(names[p], rx[p], nq, tx[p], nq, rte_socket_id());
		if (id < 0 || rte_eth_dev_get_name_by_port((uint16_t)id, port_name[p]) != 0)
			return -1;
	}
	return 0;
}

/* One worker round, the only code timed and, under callgrind, counted. */
__attribute__((noinline)) void bench_round(struct dp_worker *w);
__attribute__((noinline)) void bench_round(struct dp_worker *w)
{
	worker_poll(w);
}

/* A round of every worker, timed; counted by callgrind when counted. */
static uint64_t rounds(unsigned int nw, bool counted)
{
	uint64_t t0 = rte_rdtsc();

	for (unsigned int i = 0; i < nw; i++)
		if (counted)
			bench_round(&dp.worker[i]);
		else
			worker_poll(&dp.worker[i]);
	return rte_rdtsc() - t0;
}

/* What the workers sent: checked (dir 0 leaves on the WAN port). */
static void drain(struct tr_model *t, unsigned int nq)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n;

	for (int p = 0; p < 2; p++)
		for (unsigned int q = 0; q < nq; q++)
			while ((n = rte_ring_sc_dequeue_burst(tx[p][q], (void **)pkts, BURST,
			                                      NULL)) > 0)
				for (unsigned int i = 0; i < n; i++)
					tr_check(t, p == DP_PORT_WAN ? 0 : 1, pkts[i]);
}

/* The queue RSS puts a flow's frames on. From the B4s, as a NIC that
 * port_rss.c programmed does it: the Toeplitz hash (DPDK's rte_softrss,
 * with our key) of the outer IPv6 source alone, a 128-entry indirection
 * table of the queues in turn (what the dataplane assumes of a device
 * without RSS, as net_ring is). From the Internet: a hash of the flow,
 * which knows nothing of who owns its port. */
static unsigned int rss_queue(const struct tr_model *t, uint32_t flow, int dir)
{
	uint32_t h = (flow * 2654435761u) ^ (uint32_t)dir, w[4];

	if (dir != 0)
		return h >> 16 ^ h;
	memcpy(w, t->flows[flow].b4.b, sizeof(w));
	for (int i = 0; i < 4; i++)
		w[i] = rte_be_to_cpu_32(w[i]);
	return rte_softrss(w, 4, rss_key) & 127;
}

static bool rx_empty(unsigned int nq)
{
	for (int p = 0; p < 2; p++)
		for (unsigned int q = 0; q < nq; q++)
			if (rte_ring_count(rx[p][q]) != 0)
				return false;
	return true;
}

/* Every RX queue topped up to a burst, with its own flows' frames, as a
 * loaded NIC keeps each of its queues filled: with two workers, each
 * polls a whole burst a round, as one worker alone. */
static void feed(struct tr_model *t, int dir, unsigned int nq)
{
	int port = dir == 0 ? DP_PORT_TRANSPORT : DP_PORT_WAN;

	for (unsigned int q = 0; q < nq; q++) {
		struct rte_mbuf *pkts[BURST];
		unsigned int have = rte_ring_count(rx[port][q]), n;

		if (have >= BURST)
			continue;
		n = nq == 1 ? tr_make(t, dir, dp.mp, pkts, BURST - have)
		            : tr_make_queue(t, dir, q, dp.mp, pkts, BURST - have);
		for (unsigned int i = 0; i < n; i++) {
			pkts[i]->hash.usr = 0;
			if (rte_ring_sp_enqueue(rx[port][q], pkts[i]) != 0) {
				rte_pktmbuf_free(pkts[i]);
				t->st.sent[dir]--;
			}
		}
	}
}

/* Whether every frame sent came back (with two workers, the last ones may
 * still be in a hand-off ring when the RX rings are empty). */
static bool all_back(const struct tr_model *t)
{
	for (int d = 0; d < 2; d++)
		if (t->st.received[d] + t->st.wrong[d] < t->st.sent[d])
			return false;
	return true;
}

/* The workers' event records, taken as aftr-control would (untimed: its
 * cost is the control process's), so that none is lost for a full ring. */
static uint64_t drain_events(unsigned int nw)
{
	struct ctl_msg m[64];
	uint64_t n = 0;
	unsigned int got;

	for (unsigned int i = 0; i < nw; i++)
		while ((got = rte_ring_sc_dequeue_burst_elem(dp.worker[i].evt_ring, m, CTL_MSG_SIZE,
		                                             64, NULL)) > 0)
			n += got;
	return n;
}

/* The first packet of every flow: with NAPT, each makes a session (and a
 * B4's first, its subscriber and port block), timed as the "setup" phase:
 * cycles per new session. Not a bench_round: callgrind counts the
 * established phases only. */
static int prime(struct tr_model *t, unsigned int nw, struct phase *setup)
{
	uint64_t end = rte_rdtsc() + (PRIME_S + t->nflows / 200000) * rte_get_tsc_hz();
	uint64_t before = t->st.learned, events = 0;
	unsigned int idle = 0;

	*setup = (struct phase){"setup", {true, false}};
	while (rte_rdtsc() < end) {
		uint64_t t0;

		if (t->st.learned < t->nflows)
			feed(t, 0, nw);
		else if (rx_empty(nw) && (all_back(t) || ++idle > 64))
			break; /* and the last frames are back */
		t0 = rte_rdtsc();
		for (unsigned int i = 0; i < nw; i++)
			worker_poll(&dp.worker[i]);
		setup->cycles += rte_rdtsc() - t0;
		drain(t, nw);
		events += drain_events(nw);
	}
	phase_end(t, setup);
	fprintf(stderr, "aftr-bench: %" PRIu64 " event records during set-up\n", events);
	/* Figures per new session: frames for a flow sent again before its
	 * first came back are not counted as lost. */
	setup->sent[0] = setup->received[0] = t->st.learned - before;
	return t->st.learned == t->nflows ? 0 : -1;
}

static void run_phase(struct tr_model *t, unsigned int nw, struct phase *ph, uint32_t packets)
{
	unsigned int idle = 0;

	for (;;) {
		bool more = false;

		for (int d = 0; d < 2; d++)
			if (ph->dir[d] && t->st.sent[d] < packets) {
				feed(t, d, nw);
				more = true;
			}
		if (!more && rx_empty(nw) && (all_back(t) || ++idle > 64))
			break;
		ph->cycles += rounds(nw, true);
		drain(t, nw);
	}
	phase_end(t, ph);
}

/* A counter summed over the workers. */
static uint64_t counter(unsigned int nw, enum aftr_counter c)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < nw; i++)
		n += dp.worker[i].ctr->cnt[c];
	return n;
}

/* Drops of one reason summed over the workers. */
static uint64_t drops(unsigned int nw, enum aftr_drop d)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < nw; i++)
		n += dp.worker[i].ctr->drop[d];
	return n;
}

/* Frames the AFTR drops (not_private), timed as phase "refused": each
 * frame dropped and counted under that reason stands as one received; any
 * other outcome is wrong. */
static void refused(struct tr_model *t, unsigned int nw, struct phase *ph, uint32_t packets)
{
	uint64_t d0 = drops(nw, DROP_NOT_PRIVATE), n;

	t->refused = true;
	*ph = (struct phase){"refused", {true, false}};
	run_phase(t, nw, ph, packets);
	t->refused = false;
	n = RTE_MIN(drops(nw, DROP_NOT_PRIVATE) - d0, ph->sent[0]);
	ph->wrong[0] += ph->sent[0] - n;
	ph->received[0] = n;
}

/* The cost of expiry: the clock jumps past every lifetime and hold time,
 * and the workers run without traffic until their sweeps (a few slots a
 * round, nat.c) have ended every session and freed every port block. Per
 * "packet" here: per session expired. -1 if some are left after two whole
 * passes of the sweep. */
static int expire(unsigned int nw, uint32_t slots, uint64_t sessions, struct phase *ph)
{
	uint64_t before = counter(nw, CNT_SESSION_EXPIRED), done = 0, blocks = 0;
	uint64_t max_rounds = 2 * ((uint64_t)slots / 16 + 1000); /* 64 slots a round */

	*ph = (struct phase){"expire", {true, false}};
	dp.start_tsc -= 100000 * rte_get_tsc_hz();
	for (uint64_t r = 0; r < max_rounds && (done < sessions || blocks); r++) {
		ph->cycles += rounds(nw, false); /* bench/check counts forwarding only */
		drain_events(nw);
		if (done < sessions &&
		    (done = counter(nw, CNT_SESSION_EXPIRED) - before) == sessions)
			dp.start_tsc -= 100000 * rte_get_tsc_hz(); /* and past the ports' hold */
		blocks = counter(nw, CNT_BLOCK_ALLOC) - counter(nw, CNT_BLOCK_FREE);
	}
	ph->sent[0] = ph->received[0] = done;
	if (done == sessions && blocks == 0)
		return 0;
	fprintf(stderr,
	        "aftr-bench: after expiry %" PRIu64 " of %" PRIu64 " sessions remain, %" PRIu64
	        " port blocks held\n",
	        sessions - RTE_MIN(done, sessions), sessions, blocks);
	return -1;
}

static int report(const struct opts *o, const struct phase *ph, int n, uint64_t handed)
{
	json_t *phases;
	char size[16];
	uint64_t wrong = report_phases(ph, n, true, &phases);
	json_t *head;

	snprintf(size, sizeof(size), o->size == TR_IMIX ? "imix" : "%u", o->size);
	if (o->workers > 1)
		printf("handed from one worker to the other: %" PRIu64 " packets\n", handed);
	head = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:i, s:s, s:i, s:s, s:s}", "scenario",
	                 tr_mode_names[o->mode], "proto", proto_names[o->proto], "mode",
	                 "in-memory", "workers", o->workers, "handoffs", (json_int_t)handed, "b4s",
	                 o->b4s, "flows_per_b4", o->flows, "size", size, "packets_per_direction",
	                 o->packets, "nat", o->nat ? o->nat : "", "commit",
	                 o->commit ? o->commit : "unknown");
	return report_write(head, phases, o->json) < 0 || wrong ? -1 : 0;
}

static int bench(const struct opts *o)
{
	char path[] = "/tmp/aftr-bench-XXXXXX", shm[32];
	struct phase ph[6];
	struct aftr_config cfg;
	struct tr_model t;
	int rc = -1;

	snprintf(shm, sizeof(shm), "bench%d", (int)getpid());
	rc = tr_init(&t, o->mode, o->proto, false, o->b4s, o->flows, o->size);
	t.mtu = o->mtu;
	if (o->vlan) {
		t.vlan[0] = 100;
		t.vlan[1] = 200;
	}
	if (rc == 0 && o->workers > 1)
		rc = tr_set_queues(&t, o->workers, rss_queue);
	if (rc < 0 || ring_ports(o->workers) < 0 || write_config(o, &t, path) < 0) {
		fprintf(stderr, "aftr-bench: set-up failed (memory, a size too small for the "
		                "protocol, or more than 250 pool addresses' worth of flows)\n");
		tr_fini(&t);
		return -1;
	}
	rc = dp_app_load(path, &cfg);
	unlink(path);
	if (rc < 0 || dp_app_start(&cfg, o->workers, shm) < 0)
		goto out;
	t.endpoint = cfg.fixed.endpoint;
	t.pool_first = TR_POOL_FIRST;
	t.pool_count = tr_pools(&t, o->b4s, o->flows);
	rte_eth_macaddr_get(dp.port[DP_PORT_TRANSPORT].port_id, &t.aftr_tr);
	rte_eth_macaddr_get(dp.port[DP_PORT_WAN].port_id, &t.aftr_wan);
	t.gw_tr = (struct rte_ether_addr){{2, 0, 0, 0, 0, 0xfe}};
	t.gw_wan = (struct rte_ether_addr){{2, 0, 0, 0, 1, 0xfe}};
	for (unsigned int i = 0; i < o->workers; i++)
		gen_reader_start(&dp.worker[i]);
	if (prime(&t, o->workers, &ph[0]) < 0) {
		fprintf(stderr, "aftr-bench: only %" PRIu64 " of %u flows got a session\n",
		        t.st.learned, t.nflows);
		rc = -1;
	} else {
		int n = o->mode == TR_NAPT; /* the setup phase, if sessions were made */
		uint64_t h0 = counter(o->workers, CNT_HANDOFF_TX);

		for (int i = 0; i < 3; i++) {
			if (!o->phase[i])
				continue;
			ph[n] = (struct phase){phase_names[i], {i != 1, i != 0}};
			run_phase(&t, o->workers, &ph[n++], o->packets);
		}
		if (o->refused)
			refused(&t, o->workers, &ph[n++], o->packets);
		if (o->mode == TR_NAPT)
			rc = expire(o->workers, cfg.fixed.sessions_per_worker, t.nflows, &ph[n++]);
		if (report(o, ph, n, counter(o->workers, CNT_HANDOFF_TX) - h0) < 0)
			rc = -1;
	}
	for (unsigned int i = 0; i < o->workers; i++)
		gen_reader_stop(&dp.worker[i]);
out:
	dp_app_stop(NULL, shm);
	cfg_free(&cfg);
	tr_fini(&t);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int n = rte_eal_init(argc, argv), rc;

	if (n < 0) {
		fprintf(stderr, "aftr-bench: EAL initialisation failed: %s\n",
		        rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (parse(argc - n, argv + n, &o) < 0) {
		fprintf(stderr,
		        "usage: aftr-bench [EAL options] -- [--mode napt|lw4o6|prr|nonat] "
		        "[--proto udp|tcp|icmp] [--b4s N] [--flows M] [--size 54..9014|imix] "
		        "[--packets N] [--workers 1|2] [--phases up,down,both] "
		        "[--nat SETTINGS] [--mtu 1280..9560] [--vlan] [--refused] [--json FILE] "
		        "[--commit ID]\n");
		dp_eal_cleanup();
		return 1;
	}
	rc = bench(&o);
	dp_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
