/* For the unit tests of dataplane/ (test_nat, test_pmtu, test_ctx): DPDK's
 * EAL started as they need it, and a suite run without fork (the EAL
 * lives in this process), then the EAL stopped and its run directory
 * removed. */
#ifndef AFTR_DP_TEST_H
#define AFTR_DP_TEST_H

#include <check.h>
#include <limits.h>
#include <rte_eal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "addr.h"

/* B4 address n: 2001:db8:1::/96 with n in its last 32 bits. */
static inline struct addr6 dp_test_b4(uint32_t n)
{
	struct addr6 a = {{0x20, 0x01, 0x0d, 0xb8, 0, 1}};

	a.b[12] = (uint8_t)(n >> 24);
	a.b[13] = (uint8_t)(n >> 16);
	a.b[14] = (uint8_t)(n >> 8);
	a.b[15] = (uint8_t)n;
	return a;
}

/* The EAL with no hugepages, no PCI, no telemetry and a file prefix of the
 * test's name and pid (tests may run beside each other): 0, or -1 said. */
static inline int dp_test_eal(const char *name, const char *memory_mb)
{
	char prefix[64];
	char *eal_argv[] = {(char *)(uintptr_t)name,
	                    "--no-huge",
	                    "-m",
	                    (char *)(uintptr_t)memory_mb,
	                    "--no-pci",
	                    "-l",
	                    "0",
	                    "--no-telemetry",
	                    "--no-shconf",
	                    "--file-prefix",
	                    prefix,
	                    "--log-level=*:error",
	                    NULL};
	int eal_argc = (int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1;

	snprintf(prefix, sizeof(prefix), "%s_%d", name, (int)getpid());
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "%s: cannot initialise DPDK's EAL\n", name);
		return -1;
	}
	return 0;
}

/* Runs s without fork, then fini (if any: what must go before the EAL),
 * then stops the EAL: the exit status. */
static inline int dp_test_run_then(Suite *s, void (*fini)(void))
{
	char rundir[PATH_MAX];
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (fini)
		fini();
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline int dp_test_run(Suite *s)
{
	return dp_test_run_then(s, NULL);
}

#endif
