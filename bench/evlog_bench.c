/* aftr-evlog-bench: the event log's "who" at scale (lib/export/evlog.h).
 * Writes N block records (a B4 per block, each allocated then released,
 * the block handed to the next B4) over files of 1M records as
 * aftr-control does, indexes them, then times "who had ADDRESS PORT at
 * TIME" for random points of the whole span and checks each answer
 * against the holder the generator knows; then the longest search, for
 * an address the log never saw (every file's index searched).
 *
 * Usage: aftr-evlog-bench DIR RECORDS [QUERIES]   (DIR must not exist)
 * Prints the bytes written, the time to write and to index, and the
 * query times (median, 99th percentile, worst) in milliseconds. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "evlog.h"

#define PER_FILE 1000000u
#define ADDRS    256u  /* 198.51.100.0/24 */
#define BLOCKS   1008u /* 64-port blocks of 1024-65535 */
#define STEP_MS  10u   /* one record every 10 ms: 100M records span ~12 days */
#define T0       ((uint64_t)1796306531000)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Record i: slot s = i / 2 of a round robin over (address, block); even i
 * allocates it to B4 number s, odd i releases it. Each slot's block comes
 * back every ADDRS * BLOCKS slots, to another B4. */
static struct ctl_msg record(uint64_t i)
{
	uint64_t s = i / 2, place = s % (ADDRS * BLOCKS);
	struct ctl_msg m = {.type = i % 2 ? CTL_EVT_BLOCK_FREE : CTL_EVT_BLOCK_ALLOC,
	                    .time_ms = T0 + i * STEP_MS};
	uint32_t b4[4] = {htonl(0x20010db8), 0, htonl((uint32_t)(s >> 32)), htonl((uint32_t)s)};

	memcpy(m.u.block.b4, b4, 16);
	m.u.block.addr = htonl(0xc6336400u + (uint32_t)(place % ADDRS));
	m.u.block.first = (uint16_t)(1024 + 64 * (place / ADDRS));
	m.u.block.count = 64;
	m.u.block.proto = 17;
	return m;
}

static int write_all(const char *dir, uint64_t n)
{
	char path[512];
	struct ctl_msg buf[4096];
	FILE *f = NULL;

	for (uint64_t i = 0; i < n; i++) {
		if (i % PER_FILE == 0) {
			if (f && fclose(f) != 0)
				return -1;
			evlog_path(path, sizeof(path), dir, T0 + i * STEP_MS, "evl");
			if ((f = fopen(path, "w")) == NULL ||
			    fwrite(EVLOG_MAGIC, EVLOG_HDR, 1, f) != 1)
				return -1;
		}
		buf[i % 4096] = record(i);
		if (i % 4096 == 4095 || i + 1 == n || (i + 1) % PER_FILE == 0) {
			size_t k = i % 4096 + 1;

			if (fwrite(buf, sizeof(buf[0]), k, f) != k)
				return -1;
		}
	}
	return f && fclose(f) == 0 ? 0 : -1;
}

/* xorshift64: the same queries every run (a benchmark, not a secret). */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 0, *files, seed = 42;
	unsigned int q = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 10) : 200, bad = 0;
	double t, *lat;
	char path[512];
	int nf;

	if (argc < 3 || n < 4 || q == 0 || mkdir(argv[1], 0700) < 0) {
		fprintf(stderr, "usage: aftr-evlog-bench NEW_DIR RECORDS [QUERIES]\n");
		return 2;
	}
	t = now_s();
	if (write_all(argv[1], n) < 0) {
		perror("write");
		return 1;
	}
	printf("records %" PRIu64 ", %.1f GB, written in %.1f s\n", n, (double)n * 64 / 1e9,
	       now_s() - t);
	t = now_s();
	nf = evlog_files(argv[1], &files);
	for (int i = 0; i < nf; i++) {
		evlog_path(path, sizeof(path), argv[1], files[i], "evl");
		if (evlog_index(path) < 0) {
			fprintf(stderr, "cannot index %s\n", path);
			return 1;
		}
	}
	free(files);
	printf("files %d, indexed in %.1f s (%.2f s a file)\n", nf, now_s() - t,
	       (now_s() - t) / nf);
	lat = calloc(q, sizeof(*lat));
	for (unsigned int k = 0; k < q; k++) {
		/* A time inside a random allocation (between its two records). */
		uint64_t i = next_rand(&seed) % (n / 2) * 2;
		struct ctl_msg m = record(i);
		struct evlog_hit h;
		int rc;

		t = now_s();
		rc = evlog_who(argv[1], m.u.block.addr, (uint16_t)(m.u.block.first + 17), 17,
		               m.time_ms + STEP_MS / 2, &h);
		lat[k] = (now_s() - t) * 1000;
		if (rc != 1 || memcmp(h.alloc.u.block.b4, m.u.block.b4, 16) != 0 ||
		    h.released_ms != m.time_ms + STEP_MS)
			bad++;
	}
	qsort(lat, q, sizeof(*lat), cmp_d);
	printf("queries %u: median %.2f ms, p99 %.2f ms, worst %.2f ms; wrong answers %u\n", q,
	       lat[q / 2], lat[q * 99 / 100], lat[q - 1], bad);
	/* The longest search: an address with no record walks every file. */
	for (unsigned int k = 0; k < q; k++) {
		struct evlog_hit h;

		t = now_s();
		if (evlog_who(argv[1], htonl(0xc6336500u), 4242, 17, T0 + n * STEP_MS, &h) != 0)
			bad++;
		lat[k] = (now_s() - t) * 1000;
	}
	qsort(lat, q, sizeof(*lat), cmp_d);
	printf("queries %u for an address never logged (every file searched): median %.2f ms, "
	       "worst %.2f ms\n",
	       q, lat[q / 2], lat[q - 1]);
	free(lat);
	return bad ? 1 : 0;
}
