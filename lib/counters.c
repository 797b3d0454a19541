/* Names and help texts of the dataplane counters; see counters.h. */
#include "counters.h"

#define NAME(sym, name, help) name,
#define HELP(sym, name, help) help,
static const char *const counter_names[] = {AFTR_COUNTERS(NAME)};
static const char *const counter_helps[] = {AFTR_COUNTERS(HELP)};
static const char *const drop_names[] = {AFTR_DROPS(NAME)};
static const char *const drop_helps[] = {AFTR_DROPS(HELP)};
#undef NAME
#undef HELP

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
