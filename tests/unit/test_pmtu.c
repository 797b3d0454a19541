/* Unit tests of dataplane/tunnel/pmtu.c, the softwire MTUs learned from ICMPv6
 * packet too big: lookups, lowering, expiry after PMTU_LIFETIME, eviction
 * when a key's slots are full, the tick that empties the table, and the
 * message that tells another worker. DPDK's EAL is started (no hugepages)
 * for rte_malloc, the mempool and the hand-off ring. */
#include <check.h>
#include <limits.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_test.h"
#include "dp.h"
#include "pmtu.h"
#include "tx.h"

static struct dp_counters ctr[2];

static void setup(void)
{
	memset(ctr, 0, sizeof(ctr));
	dp.nworkers = 2;
	for (unsigned int i = 0; i < 2; i++) {
		struct dp_worker *w = &dp.worker[i];
		char name[32];

		w->id = i;
		w->ctr = &ctr[i];
		w->now = 100;
		snprintf(name, sizeof(name), "handoff%u", i);
		w->handoff = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
		ck_assert_ptr_nonnull(w->handoff);
		ck_assert_int_eq(pmtu_init(&w->pmtu), 0);
	}
	dp.mp = rte_pktmbuf_pool_create("mp", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(dp.mp);
}

static void teardown(void)
{
	for (unsigned int i = 0; i < 2; i++) {
		pmtu_fini(&dp.worker[i].pmtu);
		rte_ring_free(dp.worker[i].handoff);
	}
	rte_mempool_free(dp.mp);
}

START_TEST(test_learn_get_expire)
{
	struct dp_worker *w = &dp.worker[0];
	struct addr6 a = dp_test_b4(1), b = dp_test_b4(2);

	ck_assert_uint_eq(pmtu_get(w, &a), 0);
	pmtu_learn(w, &a, 1400);
	ck_assert_uint_eq(w->pmtu.n, 1);
	ck_assert_uint_eq(pmtu_get(w, &a), 1400);
	ck_assert_uint_eq(pmtu_get(w, &b), 0);
	pmtu_learn(w, &a, 1300); /* the same B4: replaced, not added */
	ck_assert_uint_eq(w->pmtu.n, 1);
	ck_assert_uint_eq(pmtu_get(w, &a), 1300);
	/* Forgotten PMTU_LIFETIME seconds after it was learned. */
	w->now += PMTU_LIFETIME - 1;
	ck_assert_uint_eq(pmtu_get(w, &a), 1300);
	w->now += 1;
	ck_assert_uint_eq(pmtu_get(w, &a), 0);
	ck_assert_uint_eq(w->pmtu.n, 0);
}
END_TEST

START_TEST(test_tick_empties)
{
	struct dp_worker *w = &dp.worker[0];

	for (uint32_t i = 0; i < 1000; i++) {
		struct addr6 a = dp_test_b4(i);

		pmtu_learn(w, &a, 1280);
	}
	ck_assert_uint_gt(w->pmtu.n, 900);
	w->now += PMTU_LIFETIME;
	/* A slice a second: the whole table within PMTU_SLOTS / 256 ticks. */
	for (int i = 0; i < PMTU_SLOTS / 256; i++)
		pmtu_tick(w);
	ck_assert_uint_eq(w->pmtu.n, 0);
}
END_TEST

START_TEST(test_full_evicts_oldest)
{
	struct dp_worker *w = &dp.worker[0];
	uint32_t n = 0, evicted;

	/* Far more B4s than slots: every key still finds a slot, the one
	 * nearest its end is given up, and the count never passes the size. */
	for (uint32_t i = 0; i < 3 * PMTU_SLOTS; i++) {
		struct addr6 a = dp_test_b4(i);

		w->now = 100 + i / 64;
		pmtu_learn(w, &a, 1300);
		ck_assert_uint_eq(pmtu_get(w, &a), 1300);
	}
	ck_assert_uint_le(w->pmtu.n, PMTU_SLOTS);
	evicted = (uint32_t)ctr[0].cnt[CNT_PMTU_EVICTED];
	ck_assert_uint_eq(evicted + w->pmtu.n, 3 * PMTU_SLOTS);
	/* The latest are all still there. */
	for (uint32_t i = 3 * PMTU_SLOTS - 64; i < 3 * PMTU_SLOTS; i++) {
		struct addr6 a = dp_test_b4(i);

		n += pmtu_get(w, &a) == 1300;
	}
	ck_assert_uint_eq(n, 64);
}
END_TEST

START_TEST(test_told_to_others)
{
	struct dp_worker *w0 = &dp.worker[0], *w1 = &dp.worker[1];
	struct addr6 a = dp_test_b4(7);
	struct rte_mbuf *m;

	pmtu_learn_all(w0, &a, 1320);
	ck_assert_uint_eq(pmtu_get(w0, &a), 1320);
	ck_assert_uint_eq(pmtu_get(w1, &a), 0);
	ck_assert_uint_eq(rte_ring_count(w0->handoff), 0);
	ck_assert_int_eq(rte_ring_sc_dequeue(w1->handoff, (void **)&m), 0);
	ck_assert_uint_eq(m->hash.usr, HANDOFF_PMTU);
	pmtu_handoff_rx(w1, m);
	ck_assert_uint_eq(pmtu_get(w1, &a), 1320);
	ck_assert_uint_eq(ctr[0].cnt[CNT_HANDOFF_TX], 1);
	ck_assert_uint_eq(rte_mempool_in_use_count(dp.mp), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pmtu");
	TCase *tc = tcase_create("pmtu");

	if (dp_test_eal("test_pmtu", "64") < 0)
		return EXIT_FAILURE;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_learn_get_expire);
	tcase_add_test(tc, test_tick_empties);
	tcase_add_test(tc, test_full_evicts_oldest);
	tcase_add_test(tc, test_told_to_others);
	suite_add_tcase(s, tc);
	return dp_test_run(s);
}
