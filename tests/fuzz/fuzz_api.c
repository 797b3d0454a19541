/* libFuzzer target: every API request decoder, through the real router
 * and resources (control/api/), the real desired state (control/state/,
 * saved in a directory under /dev/shm) and the real link to a dataplane
 * (none runs: the resources that need one say so). An input is a request:
 * its first byte picks the method, then the URL (query included) up to a
 * line end, then the body. Whatever it is: no crash, no leak, no undefined
 * behaviour, and a well-formed answer (a status the API documents, a JSON
 * body for every /api/v1/ resource but the Prometheus text). The state is
 * started afresh every 256 requests, so that what they add stays small. */
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "config_yaml.h"
#include "dpctl.h"
#include "fuzz.h"
#include "state.h"
#include "sync.h"

static const char base_yaml[] =
        "endpoint: 2001:db8::1\n"
        "icmp_source: 192.0.0.1\n"
        "acl6: [2001:db8:1::/48]\n"
        "pools: [{address: 198.51.100.1}]\n"
        "tunnels: [{b4: \"2001:db8:1::1\"}]\n"
        "static_nat: [{b4: \"2001:db8:1::1\", protocol: tcp, address: 192.168.1.2, port: 80,"
        " external_address: 198.51.100.1, external_port: 80}]\n"
        "prr: [{b4: \"2001:db8:1::5\", protocol: udp, address: 198.51.100.1, port: 81}]\n"
        "nonat: [{b4: \"2001:db8:1::6\", prefix: 203.0.113.0/29}]\n"
        "softwires: [{b4: \"2001:db8:1::7\", ipv4: 203.0.113.77, psid: 5, psid_len: 6,"
        " offset: 6}]\n";

static char dir[64], cfg_path[96], state_dir[96];
static struct aftr_config cfg;
static struct api_ctx ctx;
static unsigned int served;

/* The files of a directory removed (not its subdirectories: none). */
static void rm_files(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char f[256];

	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' &&
		    snprintf(f, sizeof(f), "%s/%s", path, e->d_name) < (int)sizeof(f))
			unlink(f);
	if (d)
		closedir(d);
}

static void state_fresh(void)
{
	char err[512];

	if (ctx.sync)
		sync_stop(ctx.sync);
	state_close(ctx.state);
	rm_files(state_dir);
	ctx.state = state_open(cfg_path, state_dir, err, sizeof(err));
	FUZZ_ASSERT(ctx.state != NULL, "state_open: %s", err);
	ctx.sync = sync_start(ctx.state, ctx.dp);
	FUZZ_ASSERT(ctx.sync != NULL, "sync_start failed");
}

/* At exit, what it made removed (run.sh removes it after a crash: the
 * directory has the fuzzer's pid). */
static void fini(void)
{
	sync_stop(ctx.sync);
	dpctl_stop(ctx.dp);
	state_close(ctx.state);
	cfg_free(&cfg);
	rm_files(state_dir); /* the snapshot and the journals */
	rmdir(state_dir);
	unlink(cfg_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diag d;
	FILE *f;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz_api.%d", (int)getpid());
	FUZZ_ASSERT(mkdir(dir, 0700) == 0, "mkdir %s failed", dir);
	snprintf(cfg_path, sizeof(cfg_path), "%s/aftr.yaml", dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	f = fopen(cfg_path, "w");
	FUZZ_ASSERT(f && fputs(base_yaml, f) >= 0 && fclose(f) == 0, "cannot write %s", cfg_path);
	diag_init(&d, cfg_path);
	FUZZ_ASSERT(cfg_load_yaml_file(cfg_path, &cfg, &d) == 0, "the base configuration");
	diag_free(&d);
	ctx.cfg = &cfg;
	ctx.config_path = cfg_path;
	ctx.state_dir = state_dir;
	ctx.shm_name = "fuzz-api-none"; /* no dataplane has this region */
	ctx.dp = dpctl_start(ctx.shm_name, &cfg, NULL);
	FUZZ_ASSERT(ctx.dp != NULL, "dpctl_start failed");
	state_fresh();
	atexit(fini);
	return 0;
}

static const char *arg(void *c, const char *key)
{
	/* The query string after '?', as libmicrohttpd would give it. */
	const char *q = strchr((const char *)c, '?');
	static __thread char val[256];
	size_t klen = strlen(key);

	for (const char *p = q ? q + 1 : NULL; p && *p;
	     p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "&");

			snprintf(val, sizeof(val), "%.*s", (int)(n < 255 ? n : 255), p + klen + 1);
			return val;
		}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"};
	char url[512], path[512];
	const uint8_t *nl;
	size_t ulen;
	struct api_req req;
	struct api_reply rep;

	if (size < 1)
		return 0;
	nl = memchr(data + 1, '\n', size - 1);
	ulen = (nl ? (size_t)(nl - data) : size) - 1;
	if (ulen >= sizeof(url) || memchr(data + 1, '\0', ulen))
		return 0; /* no server passes such a URL on */
	memcpy(url, data + 1, ulen);
	url[ulen] = '\0';
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(url, "?"), url);
	req = (struct api_req){methods[data[0] % 6], path, NULL, arg, url, NULL, 0};
	if (nl) {
		req.body = (const char *)nl + 1;
		req.body_len = size - (size_t)(nl + 1 - data);
	}
	api_handle(&ctx, &req, &rep);
	FUZZ_ASSERT(rep.status >= 200 && rep.status <= 599, "status %u", rep.status);
	if (rep.body && strncmp(path, "/api/v1/", 8) == 0) {
		json_t *j = json_loads(rep.body, JSON_DECODE_ANY, NULL);

		FUZZ_ASSERT(j != NULL, "%s %s: the answer is not JSON", req.method, url);
		json_decref(j);
	}
	free(rep.body);
	if (++served % 256 == 0)
		state_fresh();
	return 0;
}
