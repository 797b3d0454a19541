/* The shared counters region (lib/shm/stats_shm.c): layout, readers, refusals. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include "counters.h"
#include "ctl_msg.h"
#include "stats_json.h"
#include "stats_shm.h"

static char name[64];

static void setup(void)
{
	snprintf(name, sizeof(name), "aftr-test-%d", (int)getpid());
}

START_TEST(write_then_read)
{
	static const char *const names[] = {"alpha", "beta",
	                                    "a_name_of_exactly_forty_seven_characters_long_x"};
	void *w = stats_shm_create(name, 3, names, 3, 42, NULL, 0);
	const struct stats_shm_hdr *r;

	ck_assert_ptr_nonnull(w);
	stats_shm_publish(w);
	for (uint32_t b = 0; b < 3; b++) {
		uint64_t *v = stats_shm_block(w, b);

		ck_assert_uint_eq((uintptr_t)v % 64, 0); /* a cache line per block */
		v[0] = b + 1;
		v[1] = 10 * (b + 1);
	}
	r = stats_shm_open(name);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->generation, 42);
	ck_assert_int_eq(r->pid, getpid());
	ck_assert_uint_eq(r->nblocks, 3);
	ck_assert_str_eq(stats_shm_name(r, 0), "alpha");
	ck_assert_str_eq(stats_shm_name(r, 2), names[2]);
	ck_assert_str_eq(stats_shm_name(r, 3), "");
	ck_assert_uint_eq(stats_shm_value(r, 1, 0), 2);
	ck_assert_uint_eq(stats_shm_total(r, 0), 6);
	ck_assert_uint_eq(stats_shm_total(r, 1), 60);
	ck_assert_uint_eq(stats_shm_total(r, 2), 0);
	ck_assert_uint_eq(stats_shm_value(r, 3, 0), 0); /* out of range reads 0 */
	/* A name without its NUL (a foreign region) reads as no name. */
	memset((char *)w + r->names_off, 'z', STATS_NAME_LEN);
	ck_assert_str_eq(stats_shm_name(r, 0), "");
	stats_shm_close(r);
	stats_shm_destroy(name, w);
	ck_assert_ptr_null(stats_shm_open(name));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* One JSON shape for the API and aftrctl: totals, per lcore on request,
 * and only the counters that moved with nonzero. */
START_TEST(counters_as_json)
{
	static const char *const names[] = {"moved", "still"};
	void *w = stats_shm_create(name, 2, names, 2, 9, NULL, 0);
	json_t *all, *moved;

	ck_assert_ptr_nonnull(w);
	stats_shm_publish(w);
	((uint64_t *)stats_shm_block(w, 0))[0] = 3;
	((uint64_t *)stats_shm_block(w, 1))[0] = 4;
	all = stats_shm_json(w, true, false);
	moved = stats_shm_json(w, false, true);
	ck_assert_int_eq(json_integer_value(json_object_get(all, "generation")), 9);
	ck_assert_int_eq(json_integer_value(json_object_get(all, "workers")), 1);
	ck_assert_int_eq(
	        json_integer_value(json_object_get(json_object_get(all, "counters"), "moved")), 7);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(all, "counters"), "still"));
	ck_assert_int_eq(json_array_size(json_object_get(all, "per_lcore")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                         json_array_get(json_object_get(all, "per_lcore"), 1), "moved")),
	                 4);
	ck_assert_ptr_null(json_object_get(moved, "per_lcore"));
	ck_assert_ptr_null(json_object_get(json_object_get(moved, "counters"), "still"));
	ck_assert_int_eq(json_object_size(json_object_get(moved, "counters")), 1);
	json_decref(all);
	json_decref(moved);
	stats_shm_destroy(name, w);
}
END_TEST

START_TEST(other_versions_are_refused)
{
	static const char *const names[] = {"x"};
	struct stats_shm_hdr *w = stats_shm_create(name, 1, names, 1, 1, NULL, 0);

	ck_assert_ptr_nonnull(w);
	stats_shm_publish(w);
	w->version = STATS_SHM_VERSION + 1;
	ck_assert_ptr_null(stats_shm_open(name));
	ck_assert_int_eq(errno, EPROTO);
	w->version = STATS_SHM_VERSION;
	w->magic = 0;
	ck_assert_ptr_null(stats_shm_open(name));
	ck_assert_int_eq(errno, EPROTO);
	w->magic = STATS_SHM_MAGIC;
	w->ncounters = 1000; /* would read past the mapping */
	ck_assert_ptr_null(stats_shm_open(name));
	w->ncounters = 1;
	stats_shm_destroy(name, w);
}
END_TEST

/* The live tables' generation and origin, as aftr-control reads them. */
START_TEST(tables_pair)
{
	static const char *const names[] = {"x"};
	struct stats_shm_hdr *w = stats_shm_create(name, 1, names, 1, 1, NULL, 0);
	const struct stats_shm_hdr *r;
	uint64_t g, o;

	ck_assert_ptr_nonnull(w);
	stats_shm_publish(w);
	r = stats_shm_open(name);
	ck_assert_ptr_nonnull(r);
	stats_shm_tables(r, &g, &o);
	ck_assert_uint_eq(g, 0); /* its own configuration file's */
	ck_assert_uint_eq(o, 0);
	stats_shm_set_tables(w, 7, 0xabcdef);
	stats_shm_tables(r, &g, &o);
	ck_assert_uint_eq(g, 7);
	ck_assert_uint_eq(o, 0xabcdef);
	stats_shm_set_tables(w, 0, 0xabcdef); /* none: no origin either */
	stats_shm_tables(r, &g, &o);
	ck_assert_uint_eq(o, 0);
	/* Caught half way (the sequence odd): neither is taken. */
	stats_shm_set_tables(w, 8, 0x1234);
	w->tables_seq++;
	stats_shm_tables(r, &g, &o);
	ck_assert_uint_eq(g, 0);
	ck_assert_uint_eq(o, 0);
	stats_shm_close(r);
	stats_shm_destroy(name, w);
}
END_TEST

/* A new dataplane replaces the region of a dead one. */
START_TEST(restart_replaces)
{
	static const char *const names[] = {"x"};
	void *a = stats_shm_create(name, 1, names, 1, 1, NULL, 0);
	void *b = stats_shm_create(name, 2, names, 1, 2, NULL, 0);
	const struct stats_shm_hdr *r;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	/* Not published yet (its rings not made): readers keep out. */
	ck_assert_ptr_null(stats_shm_open(name));
	stats_shm_publish(b);
	r = stats_shm_open(name);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->generation, 2);
	ck_assert_uint_eq(r->nblocks, 2);
	stats_shm_close(r);
	stats_shm_destroy(name, b);
	stats_shm_close(a); /* the old mapping stays readable until unmapped */
}
END_TEST

/* Rings follow the counter blocks, cache-aligned, commands then events. */
START_TEST(rings_layout)
{
	static const char *const names[] = {"x"};
	struct stats_shm_rings r = {2, 4096, 32, CTL_MSG_SIZE};
	struct stats_shm_hdr *w = stats_shm_create(name, 3, names, 1, 7, &r, 1700000000);
	struct stats_shm_hdr *rw;

	ck_assert_ptr_nonnull(w);
	stats_shm_publish(w);
	ck_assert_uint_eq(w->size, stats_shm_size(3, 1, &r));
	ck_assert_uint_eq(w->rings_off % 64, 0);
	ck_assert_uint_ge(w->rings_off, w->blocks_off + 3 * w->block_size);
	ck_assert_ptr_eq(stats_shm_ring(w, 0), (char *)w + w->rings_off);
	ck_assert_ptr_eq(stats_shm_ring(w, 3), (char *)w + w->rings_off + 3 * 4096);
	ck_assert_ptr_null(stats_shm_ring(w, 4));
	ck_assert_int_eq(w->start_time, 1700000000);
	/* The control process maps it writable, and what it writes is seen. */
	rw = stats_shm_attach(name);
	ck_assert_ptr_nonnull(rw);
	memset(stats_shm_ring(rw, 3), 0xab, 4096);
	ck_assert_uint_eq(*(uint8_t *)stats_shm_ring(w, 3), 0xab);
	stats_shm_close(rw);
	stats_shm_destroy(name, w);
}
END_TEST

/* Control messages: checked before trusted, logged as ISC's trace. */
START_TEST(messages)
{
	struct ctl_msg m = {.type = CTL_EVT_BLOCK_ALLOC};
	char buf[128];

	m.u.block.b4[0] = 0x20;
	m.u.block.b4[1] = 0x01;
	m.u.block.b4[2] = 0x0d;
	m.u.block.b4[3] = 0xb8;
	m.u.block.b4[15] = 2;
	m.u.block.addr = htonl(0xc6336401);
	m.u.block.first = 2048;
	m.u.block.count = 64;
	m.u.block.proto = IPPROTO_TCP;
	ck_assert_int_eq(ctl_msg_check(&m), 0);
	ck_assert_str_eq(ctl_msg_format(&m, buf, sizeof(buf)),
	                 "bucket add 2001:db8::2 198.51.100.1 tcp 2048-2111");
	m.type = CTL_EVT_BLOCK_FREE;
	ck_assert_str_eq(ctl_msg_format(&m, buf, sizeof(buf)),
	                 "bucket del 2001:db8::2 198.51.100.1 tcp 2048-2111");
	m.u.block.first = 65500; /* past the end of the port space */
	ck_assert_int_eq(ctl_msg_check(&m), -EINVAL);
	m.u.block.first = 2048;
	m.u.block.proto = 47;
	ck_assert_int_eq(ctl_msg_check(&m), -EINVAL);
	m.u.block.proto = IPPROTO_UDP;
	m.u.block.count = 0;
	ck_assert_int_eq(ctl_msg_check(&m), -EINVAL);
	m = (struct ctl_msg){.type = CTL_EVT_ACK, .seq = 9};
	m.u.ack.result = -95;
	ck_assert_str_eq(ctl_msg_format(&m, buf, sizeof(buf)), "ack 9 -95");
	/* An ack's reason must end within the message, or it is not read. */
	memset(m.u.ack.text, 'x', sizeof(m.u.ack.text));
	ck_assert_int_eq(ctl_msg_check(&m), -EINVAL);
	m.u.ack.text[sizeof(m.u.ack.text) - 1] = '\0';
	ck_assert_int_eq(ctl_msg_check(&m), 0);
	m = (struct ctl_msg){.type = CTL_CMD_TABLES, .seq = 10, .u.tables.gen = 7};
	ck_assert_int_eq(ctl_msg_check(&m), 0);
	m.type = 1234;
	ck_assert_int_eq(ctl_msg_check(&m), -EINVAL);
	ck_assert_str_eq(ctl_msg_format(&m, buf, sizeof(buf)), "invalid message (type 1234)");
}
END_TEST

/* The dataplane's name table: counters, drops, port statistics. */
START_TEST(dataplane_names)
{
	const char *names[AFTR_STATS_COUNT];

	ck_assert_uint_eq(aftr_stats_names(names), AFTR_STATS_COUNT);
	ck_assert_str_eq(names[0], "rx_transport");
	ck_assert_str_eq(names[CNT_COUNT], "drop_bad_ether");
	ck_assert_str_eq(names[CNT_COUNT + DROP_COUNT], "port_transport_rx_packets");
	ck_assert_str_eq(names[AFTR_STATS_COUNT - 1], "port_wan_tx_errors");
	/* Levels are gauges, the rest counts. */
	ck_assert(aftr_stats_is_gauge("fragments_held_ip6"));
	ck_assert(aftr_stats_is_gauge("fragments_held_out"));
	ck_assert(aftr_stats_is_gauge("neighbor_held"));
	ck_assert(aftr_stats_is_gauge("mbufs_in_use"));
	ck_assert(!aftr_stats_is_gauge("rx_transport"));
	ck_assert(!aftr_stats_is_gauge("drop_fragment_tunnel_limit"));
	for (unsigned int i = 0; i < AFTR_STATS_COUNT; i++) {
		ck_assert_uint_lt(strlen(names[i]), STATS_NAME_LEN);
		for (unsigned int j = 0; j < i; j++)
			ck_assert_str_ne(names[i], names[j]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats_shm");
	TCase *tc = tcase_create("shm");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, write_then_read);
	tcase_add_test(tc, counters_as_json);
	tcase_add_test(tc, other_versions_are_refused);
	tcase_add_test(tc, tables_pair);
	tcase_add_test(tc, restart_replaces);
	tcase_add_test(tc, dataplane_names);
	tcase_add_test(tc, rings_layout);
	tcase_add_test(tc, messages);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
