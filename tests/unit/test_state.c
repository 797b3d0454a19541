/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the control process's desired state (control/state/state.c) and
 * of the API handlers of its resources (control/api/lists.c, through
 * api_handle, with no dataplane): validation and every error class, what
 * is saved, and that a crash at any point of a save loses nothing.
 */
#include "state.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "util.h"

static char dir[64], cfg_path[128], state_dir[128], state_file[160], snap_file[160];

static const char config_yaml[] = "endpoint: 2001:db8::1\n"
                                  "icmp_source: 192.0.0.1\n"
                                  "acl6: [2001:db8:1::/48]\n"
                                  "pools: [{address: 198.51.100.1}]\n"
                                  "tunnels: [{b4: \"2001:db8:1::1\"}]\n";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cfg_path, sizeof(cfg_path), "%s/aftr.yaml", dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	snprintf(state_file, sizeof(state_file), "%s/state.json", state_dir);
	snprintf(snap_file, sizeof(snap_file), "%s/state.bin", state_dir);
	write_text(cfg_path, config_yaml);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	/* NOLINTNEXTLINE(cert-env33-c): our own mkdtemp directory, no input in it */
	ck_assert_int_eq(system(cmd), 0);
}

static struct state *open_ok(void)
{
	char err[512] = "";
	struct state *s = state_open(cfg_path, state_dir, err, sizeof(err));

	ck_assert_msg(s != NULL, "state_open: %s", err);
	return s;
}

static int add(struct state *s, enum cfg_kind k, const char *json, struct state_err *e)
{
	json_t *body = json_loads(json, JSON_DECODE_ANY, NULL);
	uint64_t gen;
	int rc;

	ck_assert_ptr_nonnull(body);
	rc = state_add(s, k, body, &gen, e);
	json_decref(body);
	return rc;
}

static size_t count(struct state *s, enum cfg_kind k)
{
	json_t *l = state_list(s, k, 0, SIZE_MAX);
	size_t n = json_array_size(l);

	json_decref(l);
	return n;
}

/* The journal file of state_dir now in use (the newest), in buf. */
static void journal_path(char *buf, size_t len)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/journal.* | tail -1", state_dir);
	p = popen(cmd, "r"); /* NOLINT(cert-env33-c): our own directory */
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(buf, (int)len, p));
	buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

START_TEST(test_add_list_save)
{
	struct state *s = open_ok();
	struct state_err e;
	char jpath[256], *text;
	size_t len;
	json_t *l;

	ck_assert_uint_eq(count(s, K_TUNNEL), 1);
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\", \"mtu\": 1400}", &e), 0);
	l = state_list(s, K_TUNNEL, 0, SIZE_MAX);
	ck_assert_uint_eq(json_array_size(l), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "source")),
	                 "config");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 1), "source")), "api");
	json_decref(l);
	/* Journaled before acknowledged: one record, the change alone. */
	journal_path(jpath, sizeof(jpath));
	ck_assert_int_eq(read_file(jpath, &text, &len), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"op\":\"add\""));
	ck_assert_ptr_nonnull(strstr(text, "\"b4\":\"2001:db8:1::2\""));
	ck_assert_ptr_null(strstr(text, "2001:db8:1::1"));
	ck_assert_ptr_eq(strchr(text, '\n'), text + len - 1);
	free(text);
	ck_assert_int_eq(access(snap_file, F_OK), -1); /* no snapshot yet */
	state_close(s);
	/* A snapshot at close, of generation 2; the journal's records are in it. */
	ck_assert_int_eq(read_file(snap_file, &text, &len), 0);
	ck_assert_int_eq(strncmp(text, "aftr-state 3 2\n", 15), 0);
	free(text);
	journal_path(jpath, sizeof(jpath));
	ck_assert_int_eq(read_file(jpath, &text, &len), 0);
	ck_assert_uint_eq(len, 0);
	free(text);
	/* A new process finds it. */
	s = open_ok();
	ck_assert_uint_eq(count(s, K_TUNNEL), 2);
	state_close(s);
}
END_TEST

/* A crash before close: the journal alone holds the changes, deletions
 * and replacements too, and they come back in the same order. */
START_TEST(test_journal_replay)
{
	struct state *s = open_ok();
	struct state_err e;
	const char *id[] = {"2001:db8:1::3"};
	char jpath[256], cmd[1024];
	json_t *b, *before, *after;
	uint64_t gen;

	for (int i = 2; i <= 6; i++) {
		char t[64];

		snprintf(t, sizeof(t), "{\"b4\": \"2001:db8:1::%d\"}", i);
		ck_assert_int_eq(add(s, K_TUNNEL, t, &e), 0);
	}
	ck_assert_int_eq(state_delete(s, K_TUNNEL, id, &gen, &e), 0);
	b = json_pack("{s:s,s:i}", "b4", "2001:db8:1::5", "mtu", 1400);
	id[0] = "2001:db8:1::5";
	ck_assert_int_eq(state_replace(s, K_TUNNEL, id, b, &gen, &e), 0);
	json_decref(b);
	before = state_list(s, K_TUNNEL, 0, SIZE_MAX);
	/* Copied as a crash would leave it: no snapshot at close. */
	journal_path(jpath, sizeof(jpath));
	snprintf(cmd, sizeof(cmd), "cp %s %s.keep", jpath, jpath);
	ck_assert_int_eq(system(cmd), 0); /* NOLINT(cert-env33-c) */
	state_close(s);
	snprintf(cmd, sizeof(cmd), "rm %s; mv %s.keep %s", snap_file, jpath, jpath);
	ck_assert_int_eq(system(cmd), 0); /* NOLINT(cert-env33-c) */
	/* A record cut short at the end (never acknowledged) is left out. */
	snprintf(cmd, sizeof(cmd), "printf '{\"op\":\"add\",\"kind\":\"tunn' >> %s", jpath);
	ck_assert_int_eq(system(cmd), 0); /* NOLINT(cert-env33-c) */
	s = open_ok();
	after = state_list(s, K_TUNNEL, 0, SIZE_MAX);
	ck_assert(json_equal(before, after));
	ck_assert_uint_eq(state_generation(s), gen);
	/* And appended after: the cut part is gone. */
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::9\"}", &e), 0);
	json_decref(before);
	json_decref(after);
	state_close(s);
	s = open_ok();
	ck_assert_uint_eq(count(s, K_TUNNEL), 6);
	state_close(s);
}
END_TEST

START_TEST(test_errors)
{
	struct state *s = open_ok();
	struct state_err e;
	const char *none[] = {"2001:db8:1::9"}, *conf[] = {"2001:db8:1::1"}, *bad[] = {"x"};
	uint64_t gen;

	ck_assert_int_eq(add(s, K_TUNNEL, "[1]", &e), -1);
	ck_assert_uint_eq(e.status, 422);
	ck_assert_int_eq(add(s, K_TUNNEL, "\"2001:db8:1::2\"", &e), -1);
	ck_assert_uint_eq(e.status, 400);
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\", \"mtu\": 99}", &e), -1);
	ck_assert_uint_eq(e.status, 422);
	ck_assert_str_eq(e.field, "mtu");
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::1\"}", &e), -1);
	ck_assert_uint_eq(e.status, 409);
	ck_assert_int_eq(add(s, K_TUNNEL, "[]", &e), -1);
	ck_assert_uint_eq(e.status, 422);
	/* A static mapping on a pool port of the dynamic range: invalid. */
	ck_assert_int_eq(add(s, K_NAT,
	                     "{\"b4\": \"2001:db8:1::2\", \"protocol\": \"tcp\", \"address\": "
	                     "\"10.0.0.2\", \"port\": 80, \"external_address\": \"198.51.100.1\", "
	                     "\"external_port\": 4000}",
	                     &e),
	                 -1);
	ck_assert_uint_eq(e.status, 422);
	ck_assert_int_eq(state_delete(s, K_TUNNEL, none, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 404);
	ck_assert_int_eq(state_delete(s, K_TUNNEL, conf, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 409);
	ck_assert_int_eq(state_delete(s, K_TUNNEL, bad, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 400);
	/* Nothing of it was kept. */
	ck_assert_uint_eq(count(s, K_TUNNEL), 1);
	ck_assert_uint_eq(count(s, K_NAT), 0);
	ck_assert_int_eq(access(state_file, F_OK), -1);
	state_close(s);
}
END_TEST

START_TEST(test_replace)
{
	struct state *s = open_ok();
	struct state_err e;
	const char *id[] = {"2001:db8:1::2"}, *conf[] = {"2001:db8:1::1"};
	json_t *b, *l;
	uint64_t gen;

	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	b = json_pack("{s:s,s:i}", "b4", "2001:db8:1::2", "mtu", 1400);
	ck_assert_int_eq(state_replace(s, K_TUNNEL, id, b, &gen, &e), 0);
	json_decref(b);
	l = state_list(s, K_TUNNEL, 1, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l, 0), "mtu")), 1400);
	json_decref(l);
	b = json_pack("{s:s,s:i}", "b4", "2001:db8:1::2", "mtu", 99);
	ck_assert_int_eq(state_replace(s, K_TUNNEL, id, b, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 422);
	json_decref(b);
	b = json_pack("{s:s}", "b4", "2001:db8:1::1");
	ck_assert_int_eq(state_replace(s, K_TUNNEL, conf, b, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 409);
	ck_assert_int_eq(state_replace(s, K_TUNNEL, id, b, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 422); /* the body names another */
	json_decref(b);
	state_close(s);
	/* Saved: the replacement, once. */
	s = open_ok();
	l = state_list(s, K_TUNNEL, 0, SIZE_MAX);
	ck_assert_uint_eq(json_array_size(l), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l, 1), "mtu")), 1400);
	json_decref(l);
	state_close(s);
}
END_TEST

/* The records kept for followers (state_changes): each change's record
 * after a generation, in order; none kept across a restart (410 for the
 * follower); a wait ends at the next change, or at its time; the entries'
 * identities as URL segments. */
START_TEST(test_changes_for_followers)
{
	struct state *s = open_ok();
	uint64_t g0 = state_generation(s), latest;
	struct state_err e;
	json_t *ch;
	char **paths;

	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	ck_assert_int_eq(
	        add(s, K_TUNNEL, "[{\"b4\": \"2001:db8:1::3\"}, {\"b4\": \"2001:db8:1::4\"}]", &e),
	        0);
	ck_assert_int_eq(state_changes(s, g0, 100, 0, &ch, &latest), 0);
	ck_assert_uint_eq(latest, g0 + 2);
	ck_assert_uint_eq(json_array_size(ch), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ch, 1), "op")), "add");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ch, 1), "generation")),
	                 (json_int_t)(g0 + 2));
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(ch, 1), "entries")), 2);
	paths = state_entry_paths(K_TUNNEL, json_object_get(json_array_get(ch, 1), "entries"), &e);
	ck_assert_ptr_nonnull(paths);
	ck_assert_str_eq(paths[0], "2001:db8:1::3");
	ck_assert_str_eq(paths[1], "2001:db8:1::4");
	free(paths[0]);
	free(paths[1]);
	free(paths);
	json_decref(ch);
	/* One at most when asked so; none after the latest (a wait of 0). */
	ck_assert_int_eq(state_changes(s, g0, 1, 0, &ch, &latest), 0);
	ck_assert_uint_eq(json_array_size(ch), 1);
	json_decref(ch);
	ck_assert_int_eq(state_changes(s, g0 + 2, 100, 50, &ch, &latest), 0);
	ck_assert_uint_eq(json_array_size(ch), 0);
	json_decref(ch);
	/* Past the latest: not kept. */
	ck_assert_int_eq(state_changes(s, g0 + 3, 100, 0, &ch, &latest), -1);
	ck_assert_ptr_null(ch);
	ck_assert_uint_eq(state_origin(s) != 0, 1);
	state_close(s);
	/* A restart keeps none of them: the follower reads the lists whole. */
	s = open_ok();
	ck_assert_uint_eq(state_generation(s), g0 + 2);
	ck_assert_int_eq(state_changes(s, g0, 100, 0, &ch, &latest), -1);
	ck_assert_int_eq(state_changes(s, g0 + 2, 100, 0, &ch, &latest), 0);
	json_decref(ch);
	/* A waiting reader is let go when the API stops. */
	state_closing(s);
	ck_assert_int_eq(state_changes(s, g0 + 2, 100, 60000, &ch, &latest), 0);
	ck_assert_uint_eq(json_array_size(ch), 0);
	json_decref(ch);
	ch = json_string("x");
	ck_assert_ptr_null(state_entry_paths(K_TUNNEL, ch, &e));
	ck_assert_uint_eq(e.status, 400);
	json_decref(ch);
	state_close(s);
}
END_TEST

START_TEST(test_bulk_all_or_nothing)
{
	struct state *s = open_ok();
	struct state_err e;

	ck_assert_int_eq(
	        add(s, K_PRR,
	            "[{\"b4\": \"2001:db8:1::2\", \"protocol\": \"udp\", \"address\": "
	            "\"198.51.100.1\", \"port\": 100}, {\"b4\": \"2001:db8:1::3\", "
	            "\"protocol\": \"udp\", \"address\": \"198.51.100.1\", \"port\": 100}]",
	            &e),
	        -1);
	ck_assert_uint_eq(e.status, 409);
	ck_assert_uint_eq(count(s, K_PRR), 0);
	ck_assert_int_eq(
	        add(s, K_PRR,
	            "[{\"b4\": \"2001:db8:1::2\", \"protocol\": \"udp\", \"address\": "
	            "\"198.51.100.1\", \"port\": 100}, {\"b4\": \"2001:db8:1::3\", "
	            "\"protocol\": \"udp\", \"address\": \"198.51.100.1\", \"port\": 101}]",
	            &e),
	        0);
	ck_assert_uint_eq(count(s, K_PRR), 2);
	state_close(s);
}
END_TEST

/* A crash while a snapshot was written leaves its temporary file: the
 * last snapshot and the journal are read, not the leftover; the next
 * snapshot replaces it. */
START_TEST(test_crash_before_rename)
{
	struct state *s = open_ok();
	struct state_err e;
	char tmp[200];

	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	state_close(s);
	snprintf(tmp, sizeof(tmp), "%s.tmp", snap_file);
	write_text(tmp, "aftr-state 3 9\nAFTRLST1"); /* cut */
	s = open_ok();
	ck_assert_uint_eq(count(s, K_TUNNEL), 2); /* the config's and ::2 */
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::4\"}", &e), 0);
	state_close(s);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	s = open_ok();
	ck_assert_uint_eq(count(s, K_TUNNEL), 3);
	state_close(s);
}
END_TEST

/* Descriptors this process has open. */
static int open_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

/* A disk that is full (a file size limit at the journal's size): the
 * change is refused with why, nothing stays open, no half record stays in
 * the journal, the state is unchanged; once there is room, changes are
 * saved again. */
START_TEST(test_save_disk_full)
{
	struct state *s = open_ok();
	struct state_err e;
	struct rlimit lim, full;
	char jpath[256];
	struct stat st;
	int fds;

	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	journal_path(jpath, sizeof(jpath));
	ck_assert_int_eq(stat(jpath, &st), 0);
	fds = open_fds();
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &lim), 0);
	full = lim;
	full.rlim_cur = (rlim_t)st.st_size + 20; /* room for a part of a record */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &full), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::3\"}", &e), -1);
		ck_assert_uint_eq(e.status, 500);
		ck_assert_msg(strstr(e.detail, "File too large") != NULL, "%s", e.detail);
		ck_assert_int_eq(open_fds(), fds);
	}
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ck_assert_uint_eq(count(s, K_TUNNEL), 2);
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::3\"}", &e), 0);
	state_close(s);
	s = open_ok();
	ck_assert_uint_eq(count(s, K_TUNNEL), 3);
	state_close(s);
}
END_TEST

/* A state file of no version, an unknown one, or not an object is
 * refused with the file's name and what to do: never taken as empty. */
START_TEST(test_state_version)
{
	static const struct {
		const char *text, *why;
	} bad[] = {{"{}", "no version"},
	           {"{\"version\": 99}", "version 99 is not one this aftr-control reads"},
	           {"{\"version\": \"2\"}", "version is not a number"},
	           {"{\"version\": 2}", "generation: a positive number is required"},
	           {"[]", "not an object"},
	           {"{\"version\": 2, \"generation\": 5, \"tunnels\": [", "damaged"}};
	struct state_err e;
	struct state *s;
	char err[512];

	ck_assert_int_eq(mkdir(state_dir, 0700), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(state_file, bad[i].text);
		err[0] = '\0';
		ck_assert_ptr_null(state_open(cfg_path, state_dir, err, sizeof(err)));
		ck_assert_msg(strstr(err, bad[i].why) && strstr(err, state_file), "%s: %s",
		              bad[i].text, err);
	}
	/* Version 1, before generations were saved, is read; the next
	 * snapshot (binary) replaces it. */
	write_text(state_file, "{\"version\": 1, \"tunnels\": [{\"b4\": \"2001:db8:1::2\"}]}");
	s = open_ok();
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::3\"}", &e), 0);
	state_close(s);
	ck_assert_int_eq(access(state_file, F_OK), -1);
	s = open_ok();
	ck_assert_uint_eq(count(s, K_TUNNEL), 3);
	ck_assert_uint_eq(state_generation(s), 2);
	state_close(s);
	/* A damaged snapshot is refused with what to do. */
	write_text(snap_file, "aftr-state 3 2\nAFTRLST1 and nothing else");
	err[0] = '\0';
	ck_assert_ptr_null(state_open(cfg_path, state_dir, err, sizeof(err)));
	ck_assert_msg(strstr(err, snap_file) && strstr(err, "restore"), "%s", err);
}
END_TEST

/* The generation goes on from where it was, across restarts and reloads. */
START_TEST(test_generation_kept)
{
	struct state *s = open_ok();
	struct state_err e;
	uint64_t gen;

	ck_assert_uint_eq(state_generation(s), 1);
	ck_assert(!state_found(s)); /* a first start */
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::3\"}", &e), 0);
	ck_assert_uint_eq(state_generation(s), 3);
	state_close(s);
	s = open_ok();
	ck_assert(state_found(s));
	ck_assert_uint_eq(state_generation(s), 3);
	ck_assert_int_eq(state_reload(s, NULL, &gen, &e), 0);
	ck_assert_uint_eq(gen, 4);
	state_close(s);
	s = open_ok();
	ck_assert_uint_eq(state_generation(s), 4);
	state_close(s);
}
END_TEST

/* The generation and origin the whole tables of s carry (their header). */
static void tables_id(struct state *s, uint64_t *gen, uint64_t *origin)
{
	size_t len;
	char *t = state_tables(s, gen, &len);
	unsigned long long g, o;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(sscanf(t, "aftr-tables 3 %llu %16llx ", &g, &o), 2);
	ck_assert_uint_eq(g, *gen);
	*origin = o;
	free(t);
}

/* A restarted aftr-control goes on from a dataplane that runs its state as
 * it was loaded; another configuration file or state directory does not. */
START_TEST(test_resume)
{
	struct state *s = open_ok();
	struct state_err e;
	uint64_t g1, o1, g2, o2;
	char id_file[200];
	FILE *f;

	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	tables_id(s, &g1, &o1);
	ck_assert_uint_ne(o1, 0);
	state_close(s);
	s = open_ok();
	ck_assert(state_resumes(s, g1, o1));
	ck_assert(!state_resumes(s, g1, o1 ^ 1));
	ck_assert(!state_resumes(s, g1 - 1, o1)); /* an earlier one: whole */
	/* A change made before the dataplane was looked at: a delta. */
	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::3\"}", &e), 0);
	ck_assert(state_resumes(s, g1, o1));
	tables_id(s, &g2, &o2);
	ck_assert_uint_eq(g2, g1 + 1);
	ck_assert_uint_eq(o2, o1);
	state_close(s);
	/* The configuration file changed (a comment): another origin. */
	f = fopen(cfg_path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("# another file\n", f);
	ck_assert_int_eq(fclose(f), 0);
	s = open_ok();
	ck_assert(!state_resumes(s, g2, o2));
	tables_id(s, &g2, &o1);
	ck_assert_uint_ne(o1, o2);
	ck_assert(state_resumes(s, g2, o1));
	state_close(s);
	/* The state directory's identity gone (a restored backup): another. */
	snprintf(id_file, sizeof(id_file), "%s/id", state_dir);
	ck_assert_int_eq(unlink(id_file), 0);
	s = open_ok();
	ck_assert(!state_resumes(s, g2, o1));
	state_close(s);
}
END_TEST

/* A state file that no longer fits the configuration file is refused with
 * both names, never silently dropped. */
START_TEST(test_state_conflicts_with_config)
{
	struct state *s = open_ok();
	struct state_err e;
	char err[512] = "";

	ck_assert_int_eq(add(s, K_TUNNEL, "{\"b4\": \"2001:db8:1::2\"}", &e), 0);
	state_close(s);
	write_text(cfg_path, "endpoint: 2001:db8::1\n"
	                     "icmp_source: 192.0.0.1\n"
	                     "acl6: [2001:db8:1::/48]\n"
	                     "pools: [{address: 198.51.100.1}]\n"
	                     "tunnels: [{b4: \"2001:db8:1::2\"}]\n");
	ck_assert_ptr_null(state_open(cfg_path, state_dir, err, sizeof(err)));
	ck_assert_msg(strstr(err, state_dir) && strstr(err, "already has a tunnel"), "%s", err);
}
END_TEST

START_TEST(test_reload)
{
	struct state *s = open_ok();
	struct state_err e;
	uint64_t gen;

	write_text(cfg_path, "endpoint: 2001:db8::1\n"
	                     "icmp_source: 192.0.0.1\n"
	                     "acl6: [2001:db8:1::/48]\n"
	                     "pools: [{address: 198.51.100.1}]\n"
	                     "tunnels: [{b4: \"2001:db8:1::5\"}, {b4: \"2001:db8:1::6\"}]\n");
	ck_assert_int_eq(state_reload(s, NULL, &gen, &e), 0);
	ck_assert_uint_eq(count(s, K_TUNNEL), 2);
	/* A pool address for another: taken (the dataplane drains the old). */
	write_text(cfg_path, "endpoint: 2001:db8::1\n"
	                     "icmp_source: 192.0.0.1\n"
	                     "acl6: [2001:db8:1::/48]\n"
	                     "pools: [{address: 198.51.100.2}]\n");
	ck_assert_int_eq(state_reload(s, NULL, &gen, &e), 0);
	/* A kept pool's ranges: a restart. */
	write_text(cfg_path, "endpoint: 2001:db8::1\n"
	                     "icmp_source: 192.0.0.1\n"
	                     "acl6: [2001:db8:1::/48]\n"
	                     "pools: [{address: 198.51.100.2, udp: 1024-65535}]\n");
	ck_assert_int_eq(state_reload(s, NULL, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 409);
	ck_assert_str_eq(e.field, "pools");
	ck_assert_msg(strstr(e.detail, "restart") != NULL, "%s", e.detail);
	/* An address the running dataplane still drains comes back with other
	 * ranges: a restart too; with its own: taken. */
	{
		json_t *running = json_pack(
		        "[{s:s,s:s,s:i,s:i,s:i},{s:s,s:s,s:i,s:i,s:i},{s:s,s:s,s:i,s:i,s:i}]",
		        "address", "198.51.100.1", "protocol", "tcp", "first_port", 2048,
		        "block_size", 10, "blocks_all", 6348, "address", "198.51.100.1", "protocol",
		        "udp", "first_port", 512, "block_size", 8, "blocks_all", 8128, "address",
		        "198.51.100.1", "protocol", "icmp", "first_port", 0, "block_size", 3,
		        "blocks_all", 21845);

		write_text(cfg_path, "endpoint: 2001:db8::1\n"
		                     "icmp_source: 192.0.0.1\n"
		                     "acl6: [2001:db8:1::/48]\n"
		                     "pools: [{address: 198.51.100.2}, {address: 198.51.100.1, "
		                     "udp: 1024-65535}]\n");
		ck_assert_int_eq(state_reload(s, running, &gen, &e), -1);
		ck_assert_uint_eq(e.status, 409);
		ck_assert_msg(strstr(e.detail, "198.51.100.1") != NULL, "%s", e.detail);
		json_t *full = json_deep_copy(running);
		char a[32];

		/* A dataplane that holds nat.max_pools (256) already, draining
		 * ones: no room for 198.51.100.2. */
		for (int i = 1; i < 256; i++) {
			snprintf(a, sizeof(a), "10.0.%d.%d", i / 256, i % 256);
			json_array_append_new(
			        full, json_pack("{s:s,s:s}", "address", a, "protocol", "tcp"));
		}
		write_text(cfg_path, "endpoint: 2001:db8::1\n"
		                     "icmp_source: 192.0.0.1\n"
		                     "acl6: [2001:db8:1::/48]\n"
		                     "pools: [{address: 198.51.100.2}, {address: 198.51.100.1}]\n");
		ck_assert_int_eq(state_reload(s, full, &gen, &e), -1);
		ck_assert_uint_eq(e.status, 409);
		ck_assert_str_eq(e.field, "nat.max_pools");
		json_decref(full);
		write_text(cfg_path,
		           "endpoint: 2001:db8::1\n"
		           "icmp_source: 192.0.0.1\n"
		           "acl6: [2001:db8:1::/48]\n"
		           "pools: [{address: 198.51.100.2}, {address: 198.51.100.1}]\n"
		           "tunnels: [{b4: \"2001:db8:1::5\"}, {b4: \"2001:db8:1::6\"}]\n");
		ck_assert_int_eq(state_reload(s, running, &gen, &e), 0);
		json_decref(running);
	}
	write_text(cfg_path, "endpoint: [\n");
	ck_assert_int_eq(state_reload(s, NULL, &gen, &e), -1);
	ck_assert_uint_eq(e.status, 422);
	ck_assert_uint_eq(count(s, K_TUNNEL), 2); /* a failed reload changes nothing */
	state_close(s);
}
END_TEST

/* The handlers, as the server calls them. */
static unsigned int call(struct api_ctx *ctx, const char *method, const char *url, const char *body,
                         json_t **out)
{
	struct api_req req = {method, url, NULL, NULL, NULL, body, body ? strlen(body) : 0};
	struct api_reply rep;

	api_handle(ctx, &req, &rep);
	*out = rep.body ? json_loads(rep.body, 0, NULL) : NULL;
	free(rep.body);
	return rep.status;
}

START_TEST(test_handlers)
{
	struct api_ctx ctx = {.state = open_ok(), .config_path = cfg_path};
	json_t *j;

	ck_assert_uint_eq(
	        call(&ctx, "POST", "/api/v1/acl6", "{\"prefix\": \"2001:db8:2::/48\"}", &j), 201);
	ck_assert(json_is_false(json_object_get(j, "applied"))); /* no dataplane */
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "POST", "/api/v1/acl6", "{\"prefix\": ", &j), 400);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")), "bad request");
	json_decref(j);
	/* A key twice: which one meant? Refused, as YAML refuses it. */
	ck_assert_uint_eq(call(&ctx, "POST", "/api/v1/acl6",
	                       "{\"prefix\": \"2001:db8:3::/48\", \"prefix\": \"2001:db8:4::/48\"}",
	                       &j),
	                  400);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "detail")), "duplicate"));
	json_decref(j);
	/* The validation gaps closed in the model: the API refuses them too. */
	ck_assert_uint_eq(call(&ctx, "POST", "/api/v1/tunnels", "{\"b4\": \"ff02::1\"}", &j), 422);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "POST", "/api/v1/private", "{\"prefix\": \"0.0.0.0/0\"}", &j),
	                  422);
	json_decref(j);
	ck_assert_uint_eq(
	        call(&ctx, "POST", "/api/v1/acl6", "{\"prefix\": \"2001:db8:2::1/48\"}", &j), 422);
	ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "prefix");
	json_decref(j);
	ck_assert_uint_eq(
	        call(&ctx, "POST", "/api/v1/acl6", "{\"prefix\": \"2001:db8:2::/48\"}", &j), 409);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "GET", "/api/v1/acl6", NULL, &j), 200);
	ck_assert_uint_eq(json_array_size(j), 2);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "DELETE", "/api/v1/acl6/2001:db8:2::/48", NULL, &j), 200);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "DELETE", "/api/v1/acl6/2001:db8:2::", NULL, &j), 404);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "PUT", "/api/v1/acl6", "{}", &j), 405);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "GET", "/api/v1/reload", NULL, &j), 405);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "GET", "/api/v1/tunnel", NULL, &j), 404);
	json_decref(j);
	ck_assert_uint_eq(call(&ctx, "POST", "/api/v1/reload", NULL, &j), 200);
	json_decref(j);
	state_close(ctx.state);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("state");
	TCase *tc = tcase_create("state");
	SRunner *r;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_list_save);
	tcase_add_test(tc, test_changes_for_followers);
	tcase_add_test(tc, test_journal_replay);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_bulk_all_or_nothing);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_crash_before_rename);
	tcase_add_test(tc, test_save_disk_full);
	tcase_add_test(tc, test_state_version);
	tcase_add_test(tc, test_generation_kept);
	tcase_add_test(tc, test_state_conflicts_with_config);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_resume);
	tcase_add_test(tc, test_handlers);
	suite_add_tcase(su, tc);
	r = srunner_create(su);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
