/* aftr-bench: the real worker code in memory, no NIC and no kernel.
 *
 *   aftr-bench [EAL options] -- [--mode napt|lw4o6] [--b4s N] [--flows M] [--size BYTES|imix]
 *              [--packets N] [--phases up,down,both] [--json FILE] [--commit ID]
 *
 * The dataplane is set up from a configuration made here (app.h), on two
 * ring ports (DPDK's net_ring: rte_eth_from_rings), with one worker that
 * this thread runs itself, one round at a time (worker_poll): the traffic
 * model (traffic.h) puts a burst into each RX ring, the worker runs a
 * round, and what it sent is taken from the TX rings and checked. Only the
 * rounds are timed (rte_rdtsc), so the figures are the worker's own:
 * cycles per packet, and the packets per second one core would forward at
 * that cost. Run under callgrind with --toggle-collect=bench_round, the
 * same runs count instructions per packet (bench/check).
 *
 * NAPT (RFC 6333 with RFC 4787 UDP mappings): every flow is first sent
 * once from its B4 so the AFTR makes its session and the model learns its
 * public endpoint; then three phases of established traffic, B4 -> Internet
 * only, Internet -> B4 only, and both at once, N packets each way. lw4o6
 * (RFC 7596): a softwire per B4 in the configuration, the same phases. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "dp.h"
#include "gen.h"
#include "traffic.h"
#include "worker.h"

#define RING_SIZE 1024
#define BURST     32
#define PRIME_S   10 /* sessions are made at the tunnels' nat_rate: bound it */

struct opts {
	enum tr_mode mode;
	uint32_t b4s, flows, packets;
	uint16_t size;
	bool phase[3]; /* up, down, both */
	const char *json, *commit;
};

static const char *const phase_names[3] = {"up", "down", "both"};

/* --phases up,down,both (any of them, in any order). */
static int parse_phases(const char *s, bool phase[3])
{
	memset(phase, 0, 3 * sizeof(bool));
	while (*s) {
		size_t n = strcspn(s, ",");
		int i = 0;

		while (i < 3 && (strlen(phase_names[i]) != n || strncmp(s, phase_names[i], n) != 0))
			i++;
		if (i == 3)
			return -1;
		phase[i] = true;
		s += n + (s[n] == ',');
	}
	return phase[0] || phase[1] || phase[2] ? 0 : -1;
}

struct phase {
	const char *name;
	bool dir[2];
	uint64_t cycles, sent[2], received[2], bytes[2], wrong[2];
	uint64_t lat[3]; /* p50, p99, p99.9, TSC cycles */
};

static struct rte_ring *rx[2], *tx[2]; /* per DP port: transport, WAN */
static char port_name[2][RTE_ETH_NAME_MAX_LEN];

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {{"b4s", required_argument, NULL, 'b'},
	                                         {"flows", required_argument, NULL, 'f'},
	                                         {"size", required_argument, NULL, 's'},
	                                         {"packets", required_argument, NULL, 'n'},
	                                         {"json", required_argument, NULL, 'j'},
	                                         {"commit", required_argument, NULL, 'c'},
	                                         {"phases", required_argument, NULL, 'p'},
	                                         {"mode", required_argument, NULL, 'm'},
	                                         {NULL, 0, NULL, 0}};
	int c;

	*o = (struct opts){.b4s = 1024,
	                   .flows = 8,
	                   .packets = 1000000,
	                   .size = 100,
	                   .phase = {true, true, true}};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		unsigned long v = strtoul(optarg ? optarg : "", &end, 10);

		if (c == 's' && strcmp(optarg, "imix") == 0) {
			o->size = TR_IMIX;
			continue;
		}
		if (c == 'm' && (strcmp(optarg, "napt") == 0 || strcmp(optarg, "lw4o6") == 0)) {
			o->mode = strcmp(optarg, "napt") == 0 ? TR_NAPT : TR_LW4O6;
			continue;
		}
		if (c == 'p') {
			if (parse_phases(optarg, o->phase) < 0)
				return -1;
			continue;
		}
		if (c == 'j' || c == 'c') {
			*(c == 'j' ? &o->json : &o->commit) = optarg;
			continue;
		}
		if (*end || end == optarg || v == 0 || v > UINT32_MAX)
			return -1;
		if (c == 'b')
			o->b4s = (uint32_t)v;
		else if (c == 'f')
			o->flows = (uint32_t)v;
		else if (c == 'n')
			o->packets = (uint32_t)v;
		else if (c == 's' && v >= TR_MIN_SIZE && v <= TR_MAX_SIZE)
			o->size = (uint16_t)v;
		else
			return -1;
	}
	return optind == argc ? 0 : -1;
}

/* The dataplane's configuration for this traffic: B4s off-link behind a
 * gateway with a static MAC (no Neighbor Discovery: the main lcore's slow
 * path does not run here), enough pool addresses, tunnel limits above the
 * flows per B4, and softwires that carry a 1500-byte IPv4 packet whole
 * (RFC 6333 section 5.3: the operator's network should). */
/* lw4o6: a softwire per B4 (traffic.h). */
static void softwires(FILE *f, const struct tr_model *t, uint32_t flows)
{
	char b4[ADDR6_STRLEN], a[ADDR4_STRLEN];

	fprintf(f, "softwires:\n");
	for (uint32_t i = 0; i < t->nflows; i += flows)
		fprintf(f, "  - {b4: \"%s\", ipv4: %s, psid: %u, psid_len: 6, offset: 6}\n",
		        addr6_format(&t->flows[i].b4, b4), addr4_format(t->flows[i].lan, a),
		        (i / flows) % TR_LW_PSIDS);
}

static int write_config(const struct opts *o, const struct tr_model *t, char *path, uint32_t *pools)
{
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (f == NULL) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	if (o->mode == TR_LW4O6)
		softwires(f, t, o->flows);
	/* NAPT: a B4 takes a block of 64 UDP ports per 64 flows; an address
	 * has about 1000 such blocks (512-65535). lw4o6 needs no pool. */
	*pools = o->mode == TR_NAPT ? (o->b4s * ((o->flows + 63) / 64) + 999) / 1000 : 0;
	if (*pools > 250) {
		fclose(f);
		unlink(path);
		return -1;
	}
	fprintf(f,
	        "endpoint: 2001:db8::1\nicmp_source: 192.0.0.1\nacl6: [2001:db8:1::/48]\n"
	        "pools:%s\n",
	        *pools ? "" : " []");
	for (uint32_t i = 0; i < *pools; i++)
		fprintf(f, "  - address: 198.51.100.%u\n", i + 1);
	fprintf(f,
	        "tunnel_defaults:\n  mtu: 1540\n  nat_maxcount: {tcp: 2000, udp: %u, icmp: 50}\n"
	        "  nat_rate: {tcp: 255, udp: 255, icmp: 255}\n"
	        "nat:\n  port_block: {tcp: 64, udp: 64, icmp: 16}\n"
	        "interfaces:\n"
	        "  transport:\n    device: %s\n    mtu: 1540\n    address: 2001:db8:ffff::1/64\n"
	        "    gateway: 2001:db8:ffff::fe\n    gateway_mac: 02:00:00:00:00:fe\n"
	        "  wan:\n    device: %s\n    address: 192.0.2.1/24\n"
	        "    gateway: 192.0.2.254\n    gateway_mac: 02:00:00:00:01:fe\n",
	        o->flows > 200 ? o->flows : 200, port_name[0], port_name[1]);
	if (fclose(f) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

static int ring_ports(void)
{
	static const char *const names[2] = {"bench_tr", "bench_wan"};

	for (int p = 0; p < 2; p++) {
		char n[RTE_RING_NAMESIZE];
		int id;

		snprintf(n, sizeof(n), "%s_rx", names[p]);
		rx[p] = rte_ring_create(n, RING_SIZE, (int)rte_socket_id(),
		                        RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "%s_tx", names[p]);
		tx[p] = rte_ring_create(n, RING_SIZE, (int)rte_socket_id(),
		                        RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rx[p] == NULL || tx[p] == NULL ||
		    (id = rte_eth_from_rings(names[p], &rx[p], 1, &tx[p], 1, rte_socket_id())) <
		            0 ||
		    rte_eth_dev_get_name_by_port((uint16_t)id, port_name[p]) != 0)
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

/* What the worker sent: checked (dir 0 leaves on the WAN port). */
static void drain(struct tr_model *t)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n;

	for (int p = 0; p < 2; p++)
		while ((n = rte_ring_sc_dequeue_burst(tx[p], (void **)pkts, BURST, NULL)) > 0)
			for (unsigned int i = 0; i < n; i++)
				tr_check(t, p == DP_PORT_WAN ? 0 : 1, pkts[i]);
}

static void feed(struct tr_model *t, int dir)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n = tr_make(t, dir, dp.mp, pkts, BURST);
	unsigned int in = rte_ring_sp_enqueue_burst(rx[dir == 0 ? DP_PORT_TRANSPORT : DP_PORT_WAN],
	                                            (void **)pkts, n, NULL);

	rte_pktmbuf_free_bulk(pkts + in, n - in);
	t->st.sent[dir] -= n - in;
}

/* The first packet of every flow: with NAPT, each makes a session (and a
 * B4's first, its subscriber and port block), timed as the "setup" phase:
 * cycles per new session. Not a bench_round: callgrind counts the
 * established phases only. */
static int prime(struct tr_model *t, struct dp_worker *w, struct phase *setup)
{
	uint64_t end = rte_rdtsc() + PRIME_S * rte_get_tsc_hz(), before = t->st.learned;

	*setup = (struct phase){"setup", {true, false}};
	while (t->st.learned < t->nflows && rte_rdtsc() < end) {
		uint64_t t0;

		feed(t, 0);
		t0 = rte_rdtsc();
		worker_poll(w);
		setup->cycles += rte_rdtsc() - t0;
		drain(t);
	}
	setup->sent[0] = t->st.sent[0];
	setup->received[0] = t->st.learned - before;
	setup->bytes[0] = t->st.bytes[0];
	setup->wrong[0] = t->st.wrong[0];
	setup->lat[0] = tr_latency(t, 50);
	setup->lat[1] = tr_latency(t, 99);
	setup->lat[2] = tr_latency(t, 99.9);
	memset(&t->st, 0, offsetof(struct tr_stats, learned));
	memset(t->st.lat_hist, 0, sizeof(t->st.lat_hist));
	return t->st.learned == t->nflows ? 0 : -1;
}

static void run_phase(struct tr_model *t, struct dp_worker *w, struct phase *ph, uint32_t packets)
{
	for (;;) {
		bool more = false;

		for (int d = 0; d < 2; d++)
			if (ph->dir[d] && t->st.sent[d] < packets) {
				feed(t, d);
				more = true;
			}
		if (!more && rte_ring_count(rx[0]) == 0 && rte_ring_count(rx[1]) == 0)
			break;
		uint64_t t0 = rte_rdtsc();
		bench_round(w);
		ph->cycles += rte_rdtsc() - t0;
		drain(t);
	}
	for (int d = 0; d < 2; d++) {
		ph->sent[d] = t->st.sent[d];
		ph->received[d] = t->st.received[d];
		ph->bytes[d] = t->st.bytes[d];
		ph->wrong[d] = t->st.wrong[d];
	}
	ph->lat[0] = tr_latency(t, 50);
	ph->lat[1] = tr_latency(t, 99);
	ph->lat[2] = tr_latency(t, 99.9);
	memset(&t->st, 0, offsetof(struct tr_stats, learned));
	memset(t->st.lat_hist, 0, sizeof(t->st.lat_hist));
}

static json_t *phase_json(const struct phase *ph, double hz)
{
	uint64_t rcv = ph->received[0] + ph->received[1], sent = ph->sent[0] + ph->sent[1];
	double secs = (double)ph->cycles / hz;

	return json_pack("{s:s, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "phase",
	                 ph->name, "mpps", rcv / secs / 1e6, "gbps",
	                 (double)(ph->bytes[0] + ph->bytes[1]) * 8 / secs / 1e9,
	                 "cycles_per_packet", rcv ? (double)ph->cycles / rcv : 0.0, "sent",
	                 (json_int_t)sent, "received", (json_int_t)rcv, "lost",
	                 (json_int_t)(sent - rcv - ph->wrong[0] - ph->wrong[1]), "wrong",
	                 (json_int_t)(ph->wrong[0] + ph->wrong[1]), "latency_p50_us",
	                 ph->lat[0] / hz * 1e6, "latency_p99_us", ph->lat[1] / hz * 1e6,
	                 "latency_p999_us", ph->lat[2] / hz * 1e6);
}

static char *cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
			snprintf(buf, len, "%s", strchr(line, ':') + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	return buf;
}

static int report(const struct opts *o, const struct phase *ph, int n)
{
	double hz = (double)rte_get_tsc_hz();
	json_t *phases = json_array(), *j;
	char cpu[128], size[16];
	int rc = 0;

	snprintf(size, sizeof(size), o->size == TR_IMIX ? "imix" : "%u", o->size);
	printf("%-6s %9s %9s %12s %8s %8s %10s %10s\n", "phase", "Mpps", "Gbit/s", "cycles/pkt",
	       "lost", "wrong", "p50 us", "p99.9 us");
	for (int i = 0; i < n; i++) {
		json_t *p = phase_json(&ph[i], hz);

		printf("%-6s %9.3f %9.3f %12.1f %8" JSON_INTEGER_FORMAT " %8" JSON_INTEGER_FORMAT
		       " %10.2f %10.2f\n",
		       ph[i].name, json_real_value(json_object_get(p, "mpps")),
		       json_real_value(json_object_get(p, "gbps")),
		       json_real_value(json_object_get(p, "cycles_per_packet")),
		       json_integer_value(json_object_get(p, "lost")),
		       json_integer_value(json_object_get(p, "wrong")),
		       json_real_value(json_object_get(p, "latency_p50_us")),
		       json_real_value(json_object_get(p, "latency_p999_us")));
		if (json_integer_value(json_object_get(p, "wrong")) != 0)
			rc = -1;
		json_array_append_new(phases, p);
	}
	j = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:s, s:f, s:s, s:s, s:o}", "scenario",
	              o->mode == TR_NAPT ? "napt_established" : "lw4o6", "mode", "in-memory",
	              "workers", "1 (in this thread)", "b4s", o->b4s, "flows_per_b4", o->flows,
	              "size", size, "packets_per_direction", o->packets, "cpu",
	              cpu_model(cpu, sizeof(cpu)), "tsc_ghz", hz / 1e9, "dpdk", rte_version(),
	              "commit", o->commit ? o->commit : "unknown", "phases", phases);
	if (o->json && json_dump_file(j, o->json, JSON_INDENT(2)) < 0) {
		fprintf(stderr, "aftr-bench: cannot write %s\n", o->json);
		rc = -1;
	}
	json_decref(j);
	return rc;
}

static int bench(const struct opts *o)
{
	char path[] = "/tmp/aftr-bench-XXXXXX", shm[32];
	struct phase ph[4];
	struct aftr_config cfg;
	struct dp_worker *w = &dp.worker[0];
	struct tr_model t;
	uint32_t pools;
	int rc = -1;

	snprintf(shm, sizeof(shm), "bench%d", (int)getpid());
	if (tr_init(&t, o->mode, o->b4s, o->flows, o->size) < 0 || ring_ports() < 0 ||
	    write_config(o, &t, path, &pools) < 0) {
		fprintf(stderr, "aftr-bench: set-up failed (memory, or more than 250 pool "
		                "addresses' worth of flows)\n");
		tr_fini(&t);
		return -1;
	}
	rc = dp_app_load(path, &cfg);
	unlink(path);
	if (rc < 0 || dp_app_start(&cfg, 1, shm) < 0)
		goto out;
	t.endpoint = cfg.endpoint;
	t.pool_first = 0xc6336401; /* 198.51.100.1 */
	t.pool_count = pools;
	rte_eth_macaddr_get(dp.port[DP_PORT_TRANSPORT].port_id, &t.aftr_tr);
	rte_eth_macaddr_get(dp.port[DP_PORT_WAN].port_id, &t.aftr_wan);
	t.gw_tr = (struct rte_ether_addr){{2, 0, 0, 0, 0, 0xfe}};
	t.gw_wan = (struct rte_ether_addr){{2, 0, 0, 0, 1, 0xfe}};
	gen_reader_start(w);
	if (prime(&t, w, &ph[0]) < 0) {
		fprintf(stderr, "aftr-bench: only %" PRIu64 " of %u flows got a session\n",
		        t.st.learned, t.nflows);
		rc = -1;
	} else {
		int n = o->mode == TR_NAPT; /* the setup phase, if sessions were made */

		for (int i = 0; i < 3; i++) {
			if (!o->phase[i])
				continue;
			ph[n] = (struct phase){phase_names[i], {i != 1, i != 0}};
			run_phase(&t, w, &ph[n++], o->packets);
		}
		rc = report(o, ph, n);
	}
	gen_reader_stop(w);
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
		fprintf(stderr, "usage: aftr-bench [EAL options] -- [--mode napt|lw4o6] [--b4s N] "
		                "[--flows M] "
		                "[--size 54..1514|imix] [--packets N] [--phases up,down,both] "
		                "[--json FILE] [--commit ID]\n");
		rte_eal_cleanup();
		return 1;
	}
	rc = bench(&o);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
