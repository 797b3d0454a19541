/* YAML -> JSON tree with positions -> model; see config_yaml.h. The
 * run-time lists at the top (tunnels, static_nat, prr, nonat, softwires)
 * are decoded an entry at a time as they are read instead: a million
 * softwires never become a million-object tree (and its positions).
 *
 * Scalars are typed as YAML 1.2's core schema types plain scalars: null,
 * true/false, integers, floats, else strings; quoted scalars are always
 * strings. "on"/"off" therefore stay strings, which the decoder accepts for
 * ISC-style switches. Anchors and aliases are refused: a configuration that
 * an operator reads top to bottom should say what it means where it is. */
#include "config_yaml.h"

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cfg_kinds.h"
#include "config_json.h"
#include "util.h"

/* Pointer -> position map, open addressing; singletons (true, false,
 * null) are not recorded: their errors fall back to the enclosing object. */
struct posmap {
	const json_t **keys;
	struct cfg_pos *vals;
	size_t cap, n;
};

static size_t ptr_hash(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(x >> 17) & (cap - 1);
}

static int posmap_grow(struct posmap *m)
{
	struct posmap g = {NULL, NULL, m->cap ? m->cap * 2 : 32, 0};

	g.keys = calloc(g.cap, sizeof(*g.keys));
	g.vals = calloc(g.cap, sizeof(*g.vals));
	if (g.keys == NULL || g.vals == NULL) {
		free(g.keys);
		free(g.vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t h;

		if (m->keys[i] == NULL)
			continue;
		for (h = ptr_hash(m->keys[i], g.cap); g.keys[h]; h = (h + 1) & (g.cap - 1))
			;
		g.keys[h] = m->keys[i];
		g.vals[h] = m->vals[i];
		g.n++;
	}
	free(m->keys);
	free(m->vals);
	*m = g;
	return 0;
}

static void posmap_put(struct posmap *m, const json_t *node, yaml_mark_t mark)
{
	size_t h;

	if ((m->n + 1) * 2 > m->cap && posmap_grow(m) < 0)
		return; /* positions are a convenience: keep loading without them */
	for (h = ptr_hash(node, m->cap); m->keys[h] && m->keys[h] != node;
	     h = (h + 1) & (m->cap - 1))
		;
	if (m->keys[h] == NULL)
		m->n++;
	m->keys[h] = node;
	m->vals[h] = (struct cfg_pos){(uint32_t)mark.line + 1, (uint32_t)mark.column + 1};
}

static bool posmap_get(void *ctx, const json_t *node, struct cfg_pos *out)
{
	const struct posmap *m = ctx;

	if (m->cap == 0)
		return false;
	for (size_t h = ptr_hash(node, m->cap); m->keys[h]; h = (h + 1) & (m->cap - 1)) {
		if (m->keys[h] == node) {
			*out = m->vals[h];
			return true;
		}
	}
	return false;
}

static void posmap_free(struct posmap *m)
{
	free(m->keys);
	free(m->vals);
}

/* Empty again, its room kept (a list entry's few nodes). */
static void posmap_clear(struct posmap *m)
{
	if (m->n)
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->n = 0;
}

/* YAML 1.2 core schema, section 10.3.2, for plain scalars. */
static bool only_chars(const char *s, const char *set)
{
	return s[0] != '\0' && s[strspn(s, set)] == '\0';
}

static json_t *plain_scalar(const char *s)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	static const char *const trues[] = {"true", "True", "TRUE"};
	static const char *const falses[] = {"false", "False", "FALSE"};
	char *end;

	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (strcmp(s, nulls[i]) == 0)
			return json_null();
	for (size_t i = 0; i < ARRAY_SIZE(trues); i++)
		if (strcmp(s, trues[i]) == 0)
			return json_true();
	for (size_t i = 0; i < ARRAY_SIZE(falses); i++)
		if (strcmp(s, falses[i]) == 0)
			return json_false();
	errno = 0;
	if (only_chars(s + (s[0] == '-' || s[0] == '+'), "0123456789")) {
		long long v = strtoll(s, &end, 10);

		if (errno == 0 && *end == '\0')
			return json_integer(v);
	} else if (strncmp(s, "0x", 2) == 0 && only_chars(s + 2, "0123456789abcdefABCDEF")) {
		long long v = strtoll(s + 2, &end, 16);

		if (errno == 0 && *end == '\0')
			return json_integer(v);
	} else if (only_chars(s, "0123456789+-.eE") && strpbrk(s, "0123456789")) {
		double v = strtod(s, &end);

		if (errno == 0 && *end == '\0')
			return json_real(v);
	}
	return json_string(s);
}

bool cfg_yaml_plain_is_string(const char *s)
{
	json_t *v = plain_scalar(s);
	bool str = v && json_is_string(v);

	json_decref(v);
	return str;
}

#define MAX_DEPTH 64

struct ybuild {
	yaml_parser_t p;
	struct posmap pm;
	struct diag *d;
	/* The run-time lists read an entry at a time (stream_list), moved
	 * into the configuration once the rest is decoded. */
	struct aftr_config lists;
	bool streamed[K_COUNT];
	struct posmap entry_pm; /* one entry's nodes */
};

static int next_event(struct ybuild *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->p, ev))
		return 0;
	diag_err(b->d, (uint32_t)b->p.problem_mark.line + 1, (uint32_t)b->p.problem_mark.column + 1,
	         "", "YAML syntax error: %s%s%s", b->p.problem ? b->p.problem : "unknown",
	         b->p.context ? " " : "", b->p.context ? b->p.context : "");
	return -1;
}

static void node_err(struct ybuild *b, const yaml_event_t *ev, const char *msg)
{
	diag_err(b->d, (uint32_t)ev->start_mark.line + 1, (uint32_t)ev->start_mark.column + 1, "",
	         "%s", msg);
}

static json_t *parse_node(struct ybuild *b, yaml_event_t *ev, int depth);

static json_t *parse_sequence(struct ybuild *b, int depth)
{
	json_t *arr = json_array();
	yaml_event_t ev;

	while (arr && next_event(b, &ev) == 0) {
		json_t *child;

		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return arr;
		}
		child = parse_node(b, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (child == NULL || json_array_append_new(arr, child) < 0)
			break;
	}
	json_decref(arr);
	return NULL;
}

/* One entry of a streamed list: decoded into the kind's list of b->lists
 * (a failure is in the diagnostics). 0, or -1 when it could not be read. */
static int stream_entry(struct ybuild *b, struct jdec *j, enum cfg_kind k, yaml_event_t *ev,
                        size_t i)
{
	const struct kind *kd = &kinds[k];
	struct kind_list l = kind_list(kd, &b->lists);
	json_t *it = parse_node(b, ev, 2);
	size_t mark;
	void *e;

	if (it == NULL)
		return -1;
	mark = jdec_push_index(j, i);
	e = vec_push(l.v, l.n, l.cap, kd->elem);
	if (e == NULL)
		jdec_error(j, it, "out of memory");
	else
		(void)kd->dec(j, it, e);
	jdec_pop(j, mark);
	json_decref(it);
	posmap_clear(&b->pm);
	return e ? 0 : -1;
}

/* The list of kind k, its sequence start read, an entry at a time: the
 * same decoder and error paths ("softwires[3].psid") as the whole tree's,
 * positions from the entry's own small map. 0, or -1. */
static int stream_list(struct ybuild *b, enum cfg_kind k)
{
	struct posmap outer = b->pm;
	struct jdec j;
	yaml_event_t ev;
	size_t mark, i = 0;
	int rc = -1;

	b->streamed[k] = true;
	b->pm = b->entry_pm; /* parse_node records positions there */
	jdec_init(&j, b->d);
	j.pos = posmap_get;
	j.pos_ctx = &b->pm;
	mark = jdec_push_key(&j, kinds[k].key);
	while (next_event(b, &ev) == 0) {
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			rc = 0;
			break;
		}
		rc = stream_entry(b, &j, k, &ev, i++);
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	jdec_pop(&j, mark);
	b->entry_pm = b->pm;
	b->pm = outer;
	return rc;
}

/* A key at the top naming a run-time list: its kind, or -1. */
static int streamed_kind(const char *key)
{
	for (int k = K_TUNNEL; k <= K_SOFTWIRE; k++)
		if (strcmp(key, kinds[k].key) == 0)
			return k;
	return -1;
}

/* A key given twice in one mapping (YAML parsers differ on which wins). */
static int duplicate_key(struct ybuild *b, const yaml_event_t *key)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "duplicate key \"%.100s\"",
	         (const char *)key->data.scalar.value);
	node_err(b, key, msg);
	return -1;
}

/* One key: value pair of a mapping; key is the scalar event already read. */
static int parse_pair(struct ybuild *b, json_t *obj, yaml_event_t *key, int depth)
{
	const char *k = (const char *)key->data.scalar.value;
	int sk = depth == 0 ? streamed_kind(k) : -1;
	yaml_event_t ev;
	json_t *v;

	if (next_event(b, &ev) < 0)
		return -1;
	if (sk >= 0 && b->streamed[sk]) {
		yaml_event_delete(&ev);
		return duplicate_key(b, key);
	}
	if (sk >= 0 && ev.type == YAML_SEQUENCE_START_EVENT) {
		yaml_event_delete(&ev);
		return json_object_get(obj, k) ? duplicate_key(b, key) : stream_list(b, sk);
	}
	v = parse_node(b, &ev, depth + 1);
	yaml_event_delete(&ev);
	if (v == NULL)
		return -1;
	if (json_object_get(obj, k)) {
		json_decref(v);
		return duplicate_key(b, key);
	}
	return json_object_set_new(obj, k, v);
}

static json_t *parse_mapping(struct ybuild *b, int depth)
{
	json_t *obj = json_object();
	yaml_event_t ev;

	while (obj && next_event(b, &ev) == 0) {
		int rc;

		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return obj;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			node_err(b, &ev,
			         "a mapping key must be a plain word, not a list or mapping");
			yaml_event_delete(&ev);
			break;
		}
		rc = parse_pair(b, obj, &ev, depth);
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	json_decref(obj);
	return NULL;
}

static json_t *parse_node(struct ybuild *b, yaml_event_t *ev, int depth)
{
	json_t *node = NULL;

	if (depth > MAX_DEPTH) {
		node_err(b, ev, "nested too deeply");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			node = plain_scalar((const char *)ev->data.scalar.value);
		else
			node = json_stringn((const char *)ev->data.scalar.value,
			                    ev->data.scalar.length);
		if (node == NULL)
			node_err(b, ev, "not valid UTF-8 text");
		break;
	case YAML_SEQUENCE_START_EVENT:
		node = parse_sequence(b, depth);
		break;
	case YAML_MAPPING_START_EVENT:
		node = parse_mapping(b, depth);
		break;
	case YAML_ALIAS_EVENT:
		node_err(b, ev, "YAML aliases (*name) are not supported: write the value out");
		return NULL;
	default:
		node_err(b, ev, "unexpected YAML structure");
		return NULL;
	}
	if (node && !json_is_null(node) && !json_is_boolean(node))
		posmap_put(&b->pm, node, ev->start_mark);
	return node;
}

/* Reads the stream's single document; NULL root (json null) when empty. */
static json_t *parse_stream(struct ybuild *b)
{
	json_t *root = NULL;
	yaml_event_t ev;
	bool in_doc = false;

	while (next_event(b, &ev) == 0) {
		yaml_event_type_t t = ev.type;

		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return root ? root : json_null();
		}
		if (t == YAML_DOCUMENT_START_EVENT && root) {
			node_err(b, &ev, "only one YAML document is allowed in a configuration");
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT || t == YAML_DOCUMENT_END_EVENT ||
		    t == YAML_STREAM_START_EVENT) {
			in_doc = t == YAML_DOCUMENT_START_EVENT;
			yaml_event_delete(&ev);
			continue;
		}
		root = in_doc ? parse_node(b, &ev, 0) : NULL;
		yaml_event_delete(&ev);
		if (root == NULL)
			break;
	}
	json_decref(root);
	return NULL;
}

/* The streamed lists moved into cfg (whose own are empty: the tree did
 * not hold their keys). */
static void take_lists(struct ybuild *b, struct aftr_config *cfg)
{
	for (int k = K_TUNNEL; k <= K_SOFTWIRE; k++) {
		struct kind_list from = kind_list(&kinds[k], &b->lists);
		struct kind_list to = kind_list(&kinds[k], cfg);

		if (!b->streamed[k])
			continue;
		free(*to.v);
		*to.v = *from.v;
		*to.n = *from.n;
		*to.cap = *from.cap;
		*from.v = NULL;
		*from.n = *from.cap = 0;
	}
}

/* Decodes and validates the tree and the streamed lists into cfg
 * (initialised here). */
static int load_tree(json_t *root, struct posmap *pm, struct aftr_config *cfg, struct diag *d,
                     struct ybuild *b)
{
	struct jdec j;

	if (cfg_init(cfg) < 0) {
		diag_err(d, 0, 0, "", "out of memory");
		return -1;
	}
	if (root == NULL)
		return -1;
	jdec_init(&j, d);
	j.pos = posmap_get;
	j.pos_ctx = pm;
	if (cfg_from_json(cfg, root, &j) < 0)
		return -1;
	take_lists(b, cfg);
	return cfg_validate(cfg, d) ? -1 : 0;
}

static int load(struct ybuild *b, struct aftr_config *cfg)
{
	json_t *root;
	int rc;

	memset(&b->lists, 0, sizeof(b->lists));
	root = parse_stream(b);
	rc = load_tree(root, &b->pm, cfg, b->d, b);
	json_decref(root);
	cfg_free(&b->lists);
	posmap_free(&b->pm);
	posmap_free(&b->entry_pm);
	yaml_parser_delete(&b->p);
	return rc;
}

int cfg_load_yaml_file(const char *path, struct aftr_config *cfg, struct diag *d)
{
	struct ybuild b = {.d = d};
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL) {
		diag_err(d, 0, 0, "", "cannot open: %s", strerror(errno));
		cfg_init(cfg);
		return -1;
	}
	yaml_parser_initialize(&b.p);
	yaml_parser_set_input_file(&b.p, f);
	rc = load(&b, cfg);
	fclose(f);
	return rc;
}

int cfg_load_yaml_buf(const char *buf, size_t len, struct aftr_config *cfg, struct diag *d)
{
	struct ybuild b = {.d = d};

	yaml_parser_initialize(&b.p);
	yaml_parser_set_input_string(&b.p, (const unsigned char *)buf, len);
	return load(&b, cfg);
}
