/* Names and help texts of the dataplane counters; see counters.h. */
#include "counters.h"

#include <string.h>

#define NAME(sym, name, help) name,
#define HELP(sym, name, help) help,
static const char *const counter_names[] = {AFTR_COUNTERS(NAME)};
/* Long help texts are literals continued on the next line, not lists
 * missing a comma. NOLINTBEGIN(bugprone-suspicious-missing-comma) */
static const char *const counter_helps[] = {AFTR_COUNTERS(HELP)};
static const char *const drop_names[] = {AFTR_DROPS(NAME)};
static const char *const drop_helps[] = {AFTR_DROPS(HELP)};
/* NOLINTEND(bugprone-suspicious-missing-comma) */
static const char *const port_names[] = {
#define PORT(sym, name, help) "port_transport_" name,
        AFTR_PORT_STATS(PORT)
#undef PORT
#define PORT(sym, name, help) "port_wan_" name,
                AFTR_PORT_STATS(PORT)
#undef PORT
};
static const char *const drop_prefixed[] = {
#define DROP(sym, name, help) "drop_" name,
        AFTR_DROPS(DROP)
#undef DROP
};
#undef NAME
#undef HELP

unsigned int aftr_stats_names(const char *names[AFTR_STATS_COUNT])
{
	unsigned int n = 0;

	for (int i = 0; i < CNT_COUNT; i++)
		names[n++] = counter_names[i];
	for (int i = 0; i < DROP_COUNT; i++)
		names[n++] = drop_prefixed[i];
	for (int i = 0; i < 2 * PORT_STAT_COUNT; i++)
		names[n++] = port_names[i];
	return n;
}

bool aftr_stats_is_gauge(const char *name)
{
	static const enum aftr_counter gauges[] = {CNT_FRAG_HELD_IP6, CNT_FRAG_HELD_IN,
	                                           CNT_FRAG_HELD_OUT, CNT_NEIGH_HELD,
	                                           CNT_MBUFS_IN_USE};

	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (strcmp(name, counter_names[gauges[i]]) == 0)
			return true;
	return false;
}

const char *aftr_counter_name(enum aftr_counter c)
{
	return c < CNT_COUNT ? counter_names[c] : "invalid";
}

const char *aftr_counter_help(enum aftr_counter c)
{
	return c < CNT_COUNT ? counter_helps[c] : "";
}

const char *aftr_drop_name(enum aftr_drop d)
{
	return d < DROP_COUNT ? drop_names[d] : "invalid";
}

const char *aftr_drop_help(enum aftr_drop d)
{
	return d < DROP_COUNT ? drop_helps[d] : "";
}

/* NOLINTBEGIN(bugprone-suspicious-missing-comma): continued literals */
static const char *const port_helps[] = {
#define PORT(sym, name, help) help,
        AFTR_PORT_STATS(PORT)
#undef PORT
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

const char *aftr_stats_help(const char *name)
{
	const char *names[AFTR_STATS_COUNT];
	unsigned int n = aftr_stats_names(names);

	/* The dataplane names one more per filter rule. */
	if (strncmp(name, "filter_", 7) == 0)
		return "packets matched by this rule of filters.IFACE.DIR (its index N, from 0)";
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(names[i], name) != 0)
			continue;
		if (i < CNT_COUNT)
			return counter_helps[i];
		if (i < CNT_COUNT + DROP_COUNT)
			return drop_helps[i - CNT_COUNT];
		return port_helps[(i - CNT_COUNT - DROP_COUNT) % PORT_STAT_COUNT];
	}
	return "";
}
