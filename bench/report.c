/* Figures of a run; see report.h. */
#include "report.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <rte_cycles.h>
#include <rte_version.h>
#include <stdio.h>
#include <string.h>

const char *const phase_names[3] = {"up", "down", "both"};
const char *const proto_names[] = {
        [IPPROTO_ICMP] = "icmp", [IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp"};

int parse_phases(const char *s, bool phase[3])
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

int word(const char *s, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] && strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

void phase_end(struct tr_model *t, struct phase *ph)
{
	for (int d = 0; d < 2; d++) {
		ph->sent[d] = t->st.sent[d];
		ph->received[d] = t->st.received[d];
		ph->bytes[d] = t->st.bytes[d];
		ph->wrong[d] = t->st.wrong[d];
	}
	ph->lat[0] = tr_latency(t, 50);
	ph->lat[1] = tr_latency(t, 99);
	ph->lat[2] = tr_latency(t, 99.9);
	ph->renewed = t->st.renewed;
	ph->relearned = t->st.relearned;
	memset(&t->st, 0, offsetof(struct tr_stats, learned));
	memset(t->st.lat_hist, 0, sizeof(t->st.lat_hist));
}

/* One direction's figures: what was sent, what came back right, at what
 * rate over the phase. */
static json_t *dir_json(const struct phase *ph, int d, double secs)
{
	return json_pack("{s:I, s:I, s:I, s:f, s:f}", "sent", (json_int_t)ph->sent[d], "received",
	                 (json_int_t)ph->received[d], "wrong", (json_int_t)ph->wrong[d], "mpps",
	                 ph->received[d] / secs / 1e6, "gbps",
	                 (double)ph->bytes[d] * 8 / secs / 1e9);
}

static json_t *phase_json(const struct phase *ph, double hz, bool per_packet)
{
	uint64_t rcv = ph->received[0] + ph->received[1], sent = ph->sent[0] + ph->sent[1];
	uint64_t wrong = ph->wrong[0] + ph->wrong[1];
	/* Frames of an earlier phase may come back in this one: never below 0. */
	uint64_t lost = sent > rcv + wrong ? sent - rcv - wrong : 0;
	double secs = ph->cycles ? (double)ph->cycles / hz : 1e-9;
	json_t *j = json_pack("{s:s, s:f, s:f, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f}", "phase",
	                      ph->name, "mpps", rcv / secs / 1e6, "gbps",
	                      (double)(ph->bytes[0] + ph->bytes[1]) * 8 / secs / 1e9, "sent",
	                      (json_int_t)sent, "received", (json_int_t)rcv, "lost",
	                      (json_int_t)lost, "wrong", (json_int_t)wrong, "seconds", secs,
	                      "latency_p50_us", ph->lat[0] / hz * 1e6, "latency_p99_us",
	                      ph->lat[1] / hz * 1e6, "latency_p999_us", ph->lat[2] / hz * 1e6);

	if (ph->renewed) {
		json_object_set_new(j, "new_flows", json_integer((json_int_t)ph->renewed));
		json_object_set_new(j, "new_flows_answered",
		                    json_integer((json_int_t)ph->relearned));
	}
	if (per_packet)
		json_object_set_new(j, "cycles_per_packet",
		                    json_real(rcv ? (double)ph->cycles / rcv : 0.0));
	for (int d = 0; d < 2; d++)
		if (ph->dir[d])
			json_object_set_new(j, d == 0 ? "up" : "down", dir_json(ph, d, secs));
	return j;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

uint64_t report_phases(const struct phase *ph, int n, bool per_packet, json_t **phases)
{
	double hz = (double)rte_get_tsc_hz();
	uint64_t wrong = 0;

	*phases = json_array();
	printf("%-6s %9s %9s %12s %10s %8s %10s %10s\n", "phase", "Mpps", "Gbit/s",
	       per_packet ? "cycles/pkt" : "loss %", "lost", "wrong", "p50 us", "p99.9 us");
	for (int i = 0; i < n; i++) {
		json_t *p = phase_json(&ph[i], hz, per_packet);
		double sent = num(p, "sent");

		printf("%-6s %9.3f %9.3f %12.*f %10.0f %8.0f %10.2f %10.2f\n", ph[i].name,
		       num(p, "mpps"), num(p, "gbps"), per_packet ? 1 : 3,
		       per_packet ? num(p, "cycles_per_packet")
		                  : (sent ? num(p, "lost") * 100 / sent : 0.0),
		       num(p, "lost"), num(p, "wrong"), num(p, "latency_p50_us"),
		       num(p, "latency_p999_us"));
		wrong += ph[i].wrong[0] + ph[i].wrong[1];
		json_array_append_new(*phases, p);
	}
	return wrong;
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

int report_write(json_t *head, json_t *phases, const char *path)
{
	char cpu[128];
	int rc = 0;

	json_object_set_new(head, "cpu", json_string(cpu_model(cpu, sizeof(cpu))));
	json_object_set_new(head, "tsc_ghz", json_real((double)rte_get_tsc_hz() / 1e9));
	json_object_set_new(head, "dpdk", json_string(rte_version()));
	json_object_set_new(head, "phases", phases);
	if (path && json_dump_file(head, path, JSON_INDENT(2)) < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		rc = -1;
	}
	json_decref(head);
	return rc;
}
