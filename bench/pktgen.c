/* aftr-pktgen: the benchmark's traffic (traffic.h) over real ports, for
 * a device under test in another process: aftr-dataplane, or the Linux
 * kernel's NAT44 (bench/veth.sh runs both on the same veth topology).
 *
 *   aftr-pktgen [EAL options: two ports, transport side first] --
 *       [--mode napt|lw4o6|prr|nonat] [--proto udp|tcp|icmp] [--peer aftr|kernel]
 *       [--b4s N] [--flows M] [--size BYTES|imix] [--seconds S] [--rate MPPS]
 *       [--new-rate FLOWS] [--phases up,down,both] [--dut-mac TR,WAN] [--vlan]
 *       [--json FILE] [--commit ID]
 *   aftr-pktgen [EAL options] -- [traffic options] --write-config FILE --tr-dev DEV
 *       --wan-dev DEV
 *
 * Port 0 faces the DUT's transport (B4) side, port 1 its WAN side; their
 * MAC addresses must be the gateways' the DUT is configured with (the
 * configuration --write-config writes: 02:00:00:00:00:fe and
 * 02:00:00:00:01:fe), and --dut-mac gives the DUT's own (default
 * 02:00:00:00:00:01,02:00:00:00:01:01). With --peer kernel the traffic is
 * NAPT without the softwire (traffic.h "plain"), and the public address is
 * the DUT's WAN address 192.0.2.1 (masquerade).
 *
 * Every flow is sent first until the DUT has answered for all (its
 * sessions exist; NAPT learns the public endpoints), then each phase sends
 * for S seconds, flat out or at --rate Mpps per direction, receives and
 * checks what comes back (traffic.h), and waits 200 ms for stragglers.
 * Figures: packets per second that came back right, per direction, loss,
 * latency percentiles (frame made to frame checked, one clock). With
 * --new-rate, NAPT flows are made new at that many a second (the next in
 * turn gets another source port: a new session at the device), and how
 * many of them were answered is reported. Frames
 * that are not the traffic's (ARP, Neighbor Discovery) are ignored. With
 * --vlan, the transport's frames carry 802.1Q VLAN 100 and the WAN's 200,
 * both ways (and --write-config says so to the DUT). */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "pkt.h"
#include "report.h"
#include "traffic.h"

#define BURST   32
#define NB_DESC 1024
#define PRIME_S 10 /* and a second more for each 50,000 flows */
#define DRAIN_S 0.2

struct opts {
	enum tr_mode mode;
	uint8_t proto;
	bool kernel;
	bool vlan; /* transport on VLAN 100, WAN on 200 (802.1Q) */
	uint32_t b4s, flows, seconds;
	double rate;     /* Mpps per direction; 0: as fast as the ports take them */
	double new_rate; /* new flows a second (NAPT); 0: none */
	uint16_t size;
	bool phase[3];
	struct rte_ether_addr dut[2];
	const char *json, *commit, *config[3]; /* --write-config, --tr-dev, --wan-dev */
};

static struct rte_mempool *mp;
static volatile sig_atomic_t stop;
static uint64_t ignored;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {{"mode", required_argument, NULL, 'm'},
	                                         {"proto", required_argument, NULL, 'P'},
	                                         {"peer", required_argument, NULL, 'k'},
	                                         {"b4s", required_argument, NULL, 'b'},
	                                         {"flows", required_argument, NULL, 'f'},
	                                         {"size", required_argument, NULL, 's'},
	                                         {"seconds", required_argument, NULL, 't'},
	                                         {"rate", required_argument, NULL, 'r'},
	                                         {"new-rate", required_argument, NULL, 'R'},
	                                         {"phases", required_argument, NULL, 'p'},
	                                         {"dut-mac", required_argument, NULL, 'd'},
	                                         {"vlan", no_argument, NULL, 'V'},
	                                         {"json", required_argument, NULL, 'j'},
	                                         {"commit", required_argument, NULL, 'c'},
	                                         {"write-config", required_argument, NULL, 'w'},
	                                         {"tr-dev", required_argument, NULL, 'T'},
	                                         {"wan-dev", required_argument, NULL, 'W'},
	                                         {NULL, 0, NULL, 0}};
	static const char *const peers[] = {"aftr", "kernel"};
	int c, k;

	*o = (struct opts){.proto = IPPROTO_UDP,
	                   .b4s = 256,
	                   .flows = 8,
	                   .seconds = 5,
	                   .size = 100,
	                   .phase = {true, true, true},
	                   .dut = {{{2, 0, 0, 0, 0, 1}}, {{2, 0, 0, 0, 1, 1}}}};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end, *mac2;
		unsigned long v;

		if (c == '?')
			return -1;
		if (c == 'V') {
			o->vlan = true;
			continue;
		}
		v = strtoul(optarg, &end, 10);
		if (c == 's' && strcmp(optarg, "imix") == 0)
			o->size = TR_IMIX;
		else if (c == 'm' && (k = word(optarg, tr_mode_names, 4)) >= 0)
			o->mode = (enum tr_mode)k;
		else if (c == 'P' && (k = word(optarg, proto_names, IPPROTO_UDP + 1)) >= 0)
			o->proto = (uint8_t)k;
		else if (c == 'k' && (k = word(optarg, peers, 2)) >= 0)
			o->kernel = k == 1;
		else if (c == 'p' && parse_phases(optarg, o->phase) == 0)
			continue;
		else if (c == 'd' && (mac2 = strchr(optarg, ',')) != NULL &&
		         (*mac2++ = '\0', rte_ether_unformat_addr(optarg, &o->dut[0]) == 0) &&
		         rte_ether_unformat_addr(mac2, &o->dut[1]) == 0)
			continue;
		else if (c == 'j' || c == 'c')
			*(c == 'j' ? &o->json : &o->commit) = optarg;
		else if (c == 'w' || c == 'T' || c == 'W')
			o->config[c == 'w' ? 0 : c == 'T' ? 1 : 2] = optarg;
		else if (c == 'r' && (o->rate = strtod(optarg, &end)) > 0 && !*end)
			continue;
		else if (c == 'R' && (o->new_rate = strtod(optarg, &end)) > 0 && !*end)
			continue;
		else if (*end || end == optarg || v == 0 || v > UINT32_MAX)
			return -1;
		else if (c == 'b')
			o->b4s = (uint32_t)v;
		else if (c == 'f')
			o->flows = (uint32_t)v;
		else if (c == 't')
			o->seconds = (uint32_t)v;
		else if (c == 's' && v >= TR_MIN_SIZE && v <= TR_MAX_SIZE)
			o->size = (uint16_t)v;
		else
			return -1;
	}
	if ((o->config[0] == NULL) != (o->config[1] == NULL) ||
	    (o->config[1] == NULL) != (o->config[2] == NULL))
		return -1;
	/* Only NAPT flows can be made new (tr_renew), and only NAPT, untagged,
	 * runs on the kernel peer. */
	if ((o->mode != TR_NAPT || o->vlan) && o->kernel)
		return -1;
	if (o->mode != TR_NAPT && o->new_rate > 0)
		return -1;
	return optind == argc ? 0 : -1;
}

static int port_init(uint16_t port)
{
	struct rte_eth_conf conf = {0};

	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL, mp) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL) < 0 ||
	    rte_eth_dev_start(port) < 0)
		return -1;
	rte_eth_promiscuous_enable(port);
	return 0;
}

/* A frame the traffic could have made: IPv4, or IPv6 carrying IPv4,
 * after a VLAN tag when the traffic has them (tr_check checks its id). */
static bool ours(const struct tr_model *t, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *l3 = (const uint8_t *)(eth + 1);
	uint16_t type = eth->ether_type;

	if (t->vlan[0] && type == htons(RTE_ETHER_TYPE_VLAN)) {
		memcpy(&type, l3 + 2, 2);
		l3 += 4;
	}
	if (m->data_len < (size_t)(l3 - (const uint8_t *)eth) + sizeof(struct l3_ip6_hdr))
		return false;
	if (type == htons(RTE_ETHER_TYPE_IPV4))
		return true;
	return type == htons(RTE_ETHER_TYPE_IPV6) &&
	       ((const struct l3_ip6_hdr *)l3)->next_hdr == AFTR_IPPROTO_IPIP;
}

/* What came back on both ports: port 1 (WAN) carries direction 0. */
static void receive(struct tr_model *t)
{
	struct rte_mbuf *pkts[BURST];

	for (uint16_t p = 0; p < 2; p++) {
		uint16_t n = rte_eth_rx_burst(p, 0, pkts, BURST);

		for (uint16_t i = 0; i < n; i++) {
			if (ours(t, pkts[i])) {
				tr_check(t, p == 1 ? 0 : 1, pkts[i]);
			} else {
				ignored++;
				rte_pktmbuf_free(pkts[i]);
			}
		}
	}
}

/* Up to max frames in direction dir onto its port; what the port did not
 * take is not counted as sent. */
static void send_burst(struct tr_model *t, int dir, unsigned int max)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n = tr_make(t, dir, mp, pkts, RTE_MIN(max, (unsigned int)BURST));
	uint16_t done = rte_eth_tx_burst((uint16_t)dir, 0, pkts, (uint16_t)n);

	rte_pktmbuf_free_bulk(pkts + done, n - done);
	t->st.sent[dir] -= n - done;
}

/* Every flow once (again while unanswered): the DUT's sessions exist. At
 * 32 frames each 100 us (320,000 a second), a million flows take 3 s a
 * round. */
static int prime(struct tr_model *t)
{
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc();
	uint64_t end = t0 + (PRIME_S + t->nflows / 50000) * hz;

	while (t->st.learned < t->nflows && rte_rdtsc() < end && !stop) {
		uint64_t pause = rte_rdtsc() + hz / 10000;

		send_burst(t, 0, BURST);
		while (rte_rdtsc() < pause)
			receive(t);
	}
	for (uint64_t e = rte_rdtsc() + hz / 5; rte_rdtsc() < e;)
		receive(t);
	if (t->st.learned < t->nflows)
		return -1;
	/* A script driving the DUT meanwhile waits for this line. */
	fprintf(stderr, "aftr-pktgen: all %u flows answered in %.1f s\n", t->nflows,
	        (double)(rte_rdtsc() - t0) / (double)hz);
	return 0;
}

static void progress(const struct tr_model *t, const struct phase *ph, double secs, uint32_t total)
{
	uint64_t s = t->st.sent[0] + t->st.sent[1], r = t->st.received[0] + t->st.received[1];

	fprintf(stderr, "\r%-4s %4.0f/%u s  sent %7.3f Mpps  back %7.3f Mpps  loss %5.2f%%  ",
	        ph->name, secs, total, s / secs / 1e6, r / secs / 1e6,
	        s ? 100.0 * (double)(s - RTE_MIN(r, s)) / (double)s : 0.0);
}

static void run_phase(struct tr_model *t, const struct opts *o, struct phase *ph)
{
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), end = t0 + o->seconds * hz;
	uint64_t next = t0 + hz, now;
	bool tty = isatty(2);

	while ((now = rte_rdtsc()) < end && !stop) {
		for (int d = 0; d < 2; d++) {
			double due = o->rate * 1e6 * (double)(now - t0) / (double)hz;

			if (!ph->dir[d])
				continue;
			if (o->rate == 0)
				send_burst(t, d, BURST);
			else if (due > (double)t->st.sent[d])
				send_burst(t, d, (unsigned int)(due - (double)t->st.sent[d]) + 1);
		}
		/* New flows need packets out to be answered. */
		while (o->new_rate > 0 && ph->dir[0] && !stop &&
		       (double)t->st.renewed < o->new_rate * (double)(now - t0) / (double)hz)
			tr_renew(t);
		receive(t);
		if (tty && now >= next) {
			progress(t, ph, (double)(now - t0) / (double)hz, o->seconds);
			next += hz;
		}
	}
	ph->cycles = rte_rdtsc() - t0;
	for (uint64_t e = rte_rdtsc() + (uint64_t)(DRAIN_S * (double)hz); rte_rdtsc() < e;)
		receive(t);
	if (tty)
		fprintf(stderr, "\n");
	phase_end(t, ph);
}

static int write_config(const struct opts *o, const struct tr_model *t)
{
	FILE *f = fopen(o->config[0], "w");
	int rc = f ? tr_config(f, t, o->flows, o->config[1], o->config[2], NULL) : -1;

	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "aftr-pktgen: cannot write %s (or too many pool addresses)\n",
		        o->config[0]);
	return rc;
}

static int report(const struct opts *o, const struct phase *ph, int n)
{
	json_t *phases, *head;
	char size[16];
	uint64_t wrong = report_phases(ph, n, false, &phases);

	snprintf(size, sizeof(size), o->size == TR_IMIX ? "imix" : "%u", o->size);
	if (ignored)
		printf("frames not of the traffic (ignored): %" PRIu64 "\n", ignored);
	head = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:f, s:I, s:f, s:s}", "scenario",
	                 tr_mode_names[o->mode], "proto", proto_names[o->proto], "mode", "veth",
	                 "peer", o->kernel ? "kernel" : "aftr", "b4s", o->b4s, "flows_per_b4",
	                 o->flows, "size", size, "seconds", o->seconds, "rate_mpps", o->rate,
	                 "ignored", (json_int_t)ignored, "new_flows_per_s", o->new_rate, "commit",
	                 o->commit ? o->commit : "unknown");
	return report_write(head, phases, o->json) < 0 || wrong ? -1 : 0;
}

static int run(const struct opts *o, struct tr_model *t)
{
	struct phase ph[4];
	int n = 0;

	if (rte_eth_dev_count_avail() != 2 || port_init(0) < 0 || port_init(1) < 0) {
		fprintf(stderr,
		        "aftr-pktgen: needs two ports that start (transport side, WAN side)\n");
		return -1;
	}
	addr6_parse(TR_ENDPOINT, &t->endpoint, NULL, 0);
	t->pool_first = o->kernel ? 0xc0000201 : TR_POOL_FIRST; /* 192.0.2.1: masquerade */
	t->pool_count = o->kernel ? 1 : tr_pools(t, o->b4s, o->flows);
	t->aftr_tr = o->dut[0];
	t->aftr_wan = o->dut[1];
	rte_eth_macaddr_get(0, &t->gw_tr);
	rte_eth_macaddr_get(1, &t->gw_wan);
	ph[n] = (struct phase){"setup", {true, false}};
	if (prime(t) < 0) {
		fprintf(stderr, "aftr-pktgen: only %" PRIu64 " of %u flows came back\n",
		        t->st.learned, t->nflows);
		return -1;
	}
	phase_end(t, &ph[n++]);
	for (int i = 0; i < 3 && !stop; i++)
		if (o->phase[i]) {
			ph[n] = (struct phase){phase_names[i], {i != 1, i != 0}};
			run_phase(t, o, &ph[n++]);
		}
	/* The set-up phase is not timed: its figures are not rates. */
	return report(o, ph + 1, n - 1);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct tr_model t;
	int n = rte_eal_init(argc, argv), rc;

	if (n < 0) {
		fprintf(stderr, "aftr-pktgen: EAL initialisation failed: %s\n",
		        rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (parse(argc - n, argv + n, &o) < 0 ||
	    tr_init(&t, o.mode, o.proto, o.kernel, o.b4s, o.flows, o.size) < 0) {
		fprintf(stderr,
		        "usage: aftr-pktgen [EAL options] -- [--mode napt|lw4o6|prr|nonat] "
		        "[--proto udp|tcp|icmp] [--peer aftr|kernel (napt only)] [--b4s N] "
		        "[--flows M] "
		        "[--size 54..9014|imix] [--seconds S] [--rate MPPS] [--new-rate FLOWS] "
		        "[--phases up,down,both] "
		        "[--dut-mac TR,WAN] [--vlan] [--json FILE] [--commit ID] "
		        "[--write-config FILE --tr-dev DEV --wan-dev DEV]\n");
		dp_eal_cleanup();
		return 1;
	}
	if (o.vlan) {
		t.vlan[0] = 100;
		t.vlan[1] = 200;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o.config[0]) {
		rc = write_config(&o, &t);
	} else {
		/* A frame of the size asked (as 4in6, with a tag) in one buffer. */
		unsigned int frame = (o.size == TR_IMIX ? 1514u : o.size) + 40u + 4u;

		mp = rte_pktmbuf_pool_create(
		        "pktgen", 16383, 256, 0,
		        (uint16_t)RTE_MAX(RTE_PKTMBUF_HEADROOM + frame,
		                          (unsigned int)RTE_MBUF_DEFAULT_BUF_SIZE),
		        (int)rte_socket_id());
		rc = mp ? run(&o, &t) : -1;
		for (uint16_t p = 0; p < rte_eth_dev_count_avail(); p++) {
			rte_eth_dev_stop(p);
			rte_eth_dev_close(p);
		}
	}
	tr_fini(&t);
	dp_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
