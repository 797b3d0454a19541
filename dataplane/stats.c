/* Counter totals; see stats.h. Reads other lcores' counters without
 * stopping them: each is a 64-bit word written by one lcore. */
#include "stats.h"

#include <rte_ethdev.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl.h"
#include "dp.h"

static void totals(struct dp_counters *t)
{
	memcpy(t, &ctrl_ctr, sizeof(*t));
	for (unsigned int w = 0; w < dp.nworkers; w++) {
		const struct dp_counters *c = dp.worker[w].ctr;

		if (c == NULL)
			continue;
		for (int i = 0; i < CNT_COUNT; i++)
			t->cnt[i] += __atomic_load_n(&c->cnt[i], __ATOMIC_RELAXED);
		for (int i = 0; i < DROP_COUNT; i++)
			t->drop[i] += __atomic_load_n(&c->drop[i], __ATOMIC_RELAXED);
	}
}

/* What the ports themselves counted: frames the NIC (or the kernel, for
 * af_packet) dropped before the dataplane saw them are rx_missed. */
static void ports_print(FILE *out)
{
	static const char *const names[DP_NPORTS] = {"transport", "wan"};
	struct rte_eth_stats st;

	for (int p = 0; p < DP_NPORTS; p++) {
		if (dp.port[p].nb_txq == 0 || rte_eth_stats_get(dp.port[p].port_id, &st) != 0)
			continue;
		fprintf(out, "port_%s_rx_packets %lu\nport_%s_rx_missed %lu\n"
			     "port_%s_rx_errors %lu\nport_%s_rx_nombuf %lu\n"
			     "port_%s_tx_packets %lu\nport_%s_tx_errors %lu\n",
			names[p], (unsigned long)st.ipackets, names[p], (unsigned long)st.imissed,
			names[p], (unsigned long)st.ierrors, names[p], (unsigned long)st.rx_nombuf,
			names[p], (unsigned long)st.opackets, names[p], (unsigned long)st.oerrors);
	}
}

void stats_print(FILE *out)
{
	struct dp_counters t;
	uint64_t dropped = 0;

	totals(&t);
	for (int i = 0; i < CNT_COUNT; i++)
		fprintf(out, "%s %lu\n", aftr_counter_name(i), (unsigned long)t.cnt[i]);
	for (int i = 0; i < DROP_COUNT; i++) {
		fprintf(out, "drop_%s %lu\n", aftr_drop_name(i), (unsigned long)t.drop[i]);
		dropped += t.drop[i];
	}
	fprintf(out, "dropped %lu\n", (unsigned long)dropped);
	ports_print(out);
}

int stats_write(const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	stats_print(f);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}
