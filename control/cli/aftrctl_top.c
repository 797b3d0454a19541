/* aftrctl's live rates, from aftr-control's GET /api/v1/rates (each
 * counter's rate over the last second and its 1, 5 and 15 minute averages,
 * ISC's decay):
 *
 *   aftrctl show rates             every counter that moves, a line each
 *   aftrctl show pools             each pool address and protocol: port
 *                                  blocks used and free, ports in use
 *   aftrctl top [SECONDS [COUNT]]  the main rates and the top drop reasons,
 *                                  again every SECONDS (default 1), COUNT
 *                                  times (default: until interrupted); on
 *                                  a terminal the screen is redrawn
 *
 * (Snabb's "snabb top" and ISC's "show stat" rates, for a NOC screen.) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aftrctl_api.h"

#define TOP_DROPS 5

static const char *const windows[] = {"last", "1min", "5min", "15min"};

/* The main lines of the screen: a label and the counter. */
static const char *const main_rates[][2] = {
        {"received, transport", "rx_transport"},
        {"received, WAN", "rx_wan"},
        {"sent, transport", "tx_transport"},
        {"sent, WAN", "tx_wan"},
        {"decapsulated (4in6)", "decap"},
        {"encapsulated", "encap"},
        {"NAT out", "nat_out"},
        {"NAT in", "nat_in"},
        {"stateless out", "stateless_out"},
        {"stateless in", "stateless_in"},
        {"sessions created", "session_created"},
        {"sessions expired", "session_expired"},
        {"port blocks allocated", "block_allocated"},
        {"ICMP sent", "icmp_sent"},
};

static double rate(const json_t *rates, const char *name, int w)
{
	return json_number_value(json_object_get(json_object_get(rates, name), windows[w]));
}

static void line(const char *label, const json_t *rates, const char *name)
{
	printf("%-26s", label);
	for (int w = 0; w < 4; w++)
		printf(" %12.1f", rate(rates, name, w));
	printf("\n");
}

/* Every drop reason's rates summed, and the TOP_DROPS reasons with the
 * highest 1-minute rate. */
static void drops(const json_t *rates)
{
	const char *k, *top[TOP_DROPS] = {NULL};
	double sum[4] = {0};
	json_t *v;

	json_object_foreach((json_t *)rates, k, v) {
		if (strncmp(k, "drop_", 5) != 0)
			continue;
		for (int w = 0; w < 4; w++)
			sum[w] += rate(rates, k, w);
		for (int i = 0; i < TOP_DROPS; i++) {
			if (rate(rates, k, 1) <= 0)
				break;
			if (top[i] == NULL || rate(rates, k, 1) > rate(rates, top[i], 1)) {
				memmove(top + i + 1, top + i, sizeof(top[0]) * (TOP_DROPS - 1 - i));
				top[i] = k;
				break;
			}
		}
	}
	printf("%-26s", "dropped, every reason");
	for (int w = 0; w < 4; w++)
		printf(" %12.1f", sum[w]);
	printf("\n");
	for (int i = 0; i < TOP_DROPS && top[i]; i++) {
		char label[64];

		snprintf(label, sizeof(label), "  %s", top[i] + 5);
		line(label, rates, top[i]);
	}
}

static void screen(const struct api_opts *o, const json_t *j, unsigned int every)
{
	const json_t *rates = json_object_get(j, "rates");
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	printf("%s  %s  dataplane generation %lld, rates over %lld s, every %u s\n", when, o->url,
	       (long long)json_integer_value(json_object_get(j, "generation")),
	       (long long)json_integer_value(json_object_get(j, "seconds")), every);
	printf("%-26s %12s %12s %12s %12s\n", "per second", "last second", "1 min avg", "5 min avg",
	       "15 min avg");
	for (size_t i = 0; i < sizeof(main_rates) / sizeof(main_rates[0]); i++)
		line(main_rates[i][0], rates, main_rates[i][1]);
	drops(rates);
}

static int positive(const char *s, unsigned int *v)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n == 0 || n > 86400)
		return -1;
	*v = (unsigned int)n;
	return 0;
}

int aftrctl_top(const struct api_opts *o, int argc, char **argv)
{
	unsigned int every = 1, count = 0;
	bool tty = isatty(STDOUT_FILENO);

	if (argc > 3 || (argc > 1 && positive(argv[1], &every) < 0) ||
	    (argc > 2 && positive(argv[2], &count) < 0)) {
		fprintf(stderr, "usage: aftrctl top [SECONDS [COUNT]] (each from 1 to 86400)\n");
		return 2;
	}
	for (unsigned int n = 0; count == 0 || n < count; n++) {
		json_t *j;
		int rc = aftrctl_fetch(o, "/api/v1/rates", &j);

		if (rc != 0)
			return rc;
		if (o->json) {
			aftrctl_dump(j);
		} else {
			if (tty)
				printf("\033[H\033[2J");
			else if (n > 0)
				printf("\n");
			screen(o, j, every);
		}
		json_decref(j);
		fflush(stdout);
		if (count == 0 || n + 1 < count)
			sleep(every);
	}
	return 0;
}

int aftrctl_show_rates(const struct api_opts *o)
{
	const char *k;
	json_t *j, *v;
	int rc = aftrctl_fetch_view(o, "/api/v1/rates", &j);

	if (rc != 0 || j == NULL)
		return rc;
	printf("%-32s %12s %12s %12s %12s\n", "per second", "last second", "1 min avg", "5 min avg",
	       "15 min avg");
	json_object_foreach(json_object_get(j, "rates"), k, v) {
		double any = 0;

		for (int w = 0; w < 4; w++)
			any += json_number_value(json_object_get(v, windows[w]));
		if (any > 0)
			printf("%-32s %12.1f %12.1f %12.1f %12.1f\n", k,
			       json_number_value(json_object_get(v, "last")),
			       json_number_value(json_object_get(v, "1min")),
			       json_number_value(json_object_get(v, "5min")),
			       json_number_value(json_object_get(v, "15min")));
	}
	json_decref(j);
	return 0;
}

int aftrctl_show_pools(const struct api_opts *o)
{
	json_t *j, *p;
	size_t i;
	int rc = aftrctl_fetch_view(o, "/api/v1/pools/usage", &j);

	if (rc != 0 || j == NULL)
		return rc;
	printf("%-16s %-8s %-8s %8s %8s %8s %7s %10s %10s\n", "address", "protocol", "state",
	       "blocks", "used", "free", "used %", "ports", "in use");
	json_array_foreach(json_object_get(j, "pools"), i, p) {
		printf("%-16s %-8s %-8s %8lld %8lld %8lld %7.1f %10lld %10lld\n",
		       json_string_value(json_object_get(p, "address")),
		       json_string_value(json_object_get(p, "protocol")),
		       json_string_value(json_object_get(p, "state")) ?: "-",
		       (long long)json_integer_value(json_object_get(p, "blocks")),
		       (long long)json_integer_value(json_object_get(p, "blocks_used")),
		       (long long)json_integer_value(json_object_get(p, "blocks_free")),
		       100 * json_number_value(json_object_get(p, "utilisation")),
		       (long long)json_integer_value(json_object_get(p, "ports")),
		       (long long)json_integer_value(json_object_get(p, "ports_used")));
	}
	json_decref(j);
	return 0;
}
