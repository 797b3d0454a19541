/* The PCP server's record of its mappings; see pcp_mappings.h. A chained
 * hash table that grows: mappings come and go at request rates. */
#include "pcp_mappings.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ctl_msg.h"

struct pcp_mappings {
	struct pcp_mapping **bucket;
	size_t nbuckets, n;
};

static size_t hash_of(const struct pcp_mappings *t, const uint8_t b4[16], uint32_t internal,
                      uint16_t port, uint8_t proto)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ b4[i]) * 1099511628211ULL;
	h = (h ^ internal) * 1099511628211ULL;
	h = (h ^ ((uint32_t)port << 8 | proto)) * 1099511628211ULL;
	return (size_t)(h ^ h >> 29) & (t->nbuckets - 1);
}

struct pcp_mappings *pcp_mappings_new(void)
{
	struct pcp_mappings *t = calloc(1, sizeof(*t));

	if (t && (t->bucket = calloc(t->nbuckets = 256, sizeof(*t->bucket))) == NULL) {
		free(t);
		t = NULL;
	}
	return t;
}

static void free_list(struct pcp_mapping *m)
{
	while (m) {
		struct pcp_mapping *n = m->next;

		free(m);
		m = n;
	}
}

void pcp_mappings_free(struct pcp_mappings *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		free_list(t->bucket[i]);
	free(t->bucket);
	free(t);
}

static bool same(const struct pcp_mapping *m, const uint8_t b4[16], uint32_t internal,
                 uint16_t port, uint8_t proto, uint8_t opcode)
{
	return m->internal == internal && m->internal_port == port && m->proto == proto &&
	       m->opcode == opcode && memcmp(m->b4, b4, 16) == 0;
}

struct pcp_mapping *pcp_mappings_find(struct pcp_mappings *t, const uint8_t b4[16],
                                      uint32_t internal, uint16_t port, uint8_t proto,
                                      uint8_t opcode)
{
	for (struct pcp_mapping *m = t->bucket[hash_of(t, b4, internal, port, proto)]; m;
	     m = m->next)
		if (same(m, b4, internal, port, proto, opcode))
			return m;
	return NULL;
}

/* Twice the buckets once there are more mappings than buckets. */
static void grow(struct pcp_mappings *t)
{
	size_t old = t->nbuckets;
	struct pcp_mapping **b = calloc(old * 2, sizeof(*b)), **was = t->bucket;

	if (b == NULL)
		return; /* longer chains, still right */
	t->bucket = b;
	t->nbuckets = old * 2;
	for (size_t i = 0; i < old; i++)
		for (struct pcp_mapping *m = was[i], *n; m; m = n) {
			size_t h = hash_of(t, m->b4, m->internal, m->internal_port, m->proto);

			n = m->next;
			m->next = b[h];
			b[h] = m;
		}
	free(was);
}

int pcp_mappings_put(struct pcp_mappings *t, const struct pcp_mapping *m)
{
	struct pcp_mapping *e =
	        pcp_mappings_find(t, m->b4, m->internal, m->internal_port, m->proto, m->opcode);
	size_t h;

	if (e) {
		struct pcp_mapping *next = e->next;

		*e = *m;
		e->next = next;
		return 0;
	}
	if ((e = malloc(sizeof(*e))) == NULL)
		return -ENOMEM;
	*e = *m;
	h = hash_of(t, m->b4, m->internal, m->internal_port, m->proto);
	e->next = t->bucket[h];
	t->bucket[h] = e;
	if (++t->n > t->nbuckets)
		grow(t);
	return 0;
}

void pcp_mappings_del(struct pcp_mappings *t, const struct pcp_mapping *key)
{
	struct pcp_mapping **link =
	        &t->bucket[hash_of(t, key->b4, key->internal, key->internal_port, key->proto)];

	for (; *link; link = &(*link)->next)
		if (same(*link, key->b4, key->internal, key->internal_port, key->proto,
		         key->opcode)) {
			struct pcp_mapping *m = *link;

			*link = m->next;
			free(m);
			t->n--;
			return;
		}
}

unsigned int pcp_mappings_expire(struct pcp_mappings *t, int64_t now)
{
	unsigned int n = 0;

	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct pcp_mapping **link = &t->bucket[i]; *link;) {
			struct pcp_mapping *m = *link;

			if (m->expires > now) {
				link = &m->next;
				continue;
			}
			*link = m->next;
			free(m);
			t->n--;
			n++;
		}
	return n;
}

size_t pcp_mappings_count(const struct pcp_mappings *t)
{
	return t->n;
}

void pcp_mappings_each(const struct pcp_mappings *t, void (*fn)(const struct pcp_mapping *, void *),
                       void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (const struct pcp_mapping *m = t->bucket[i]; m; m = m->next)
			fn(m, arg);
}

struct pcp_mapping *pcp_mappings_take_all(struct pcp_mappings *t)
{
	struct pcp_mapping *all = NULL;

	for (size_t i = 0; i < t->nbuckets; i++)
		while (t->bucket[i]) {
			struct pcp_mapping *m = t->bucket[i];

			t->bucket[i] = m->next;
			m->next = all;
			all = m;
		}
	t->n = 0;
	return all;
}

static json_t *j_addr4(uint32_t net)
{
	char a[ADDR4_STRLEN];

	return json_string(addr4_format(ntohl(net), a));
}

json_t *pcp_mapping_json(const struct pcp_mapping *m, int64_t now)
{
	char b4[ADDR6_STRLEN], nonce[25];
	struct addr6 a;

	memcpy(a.b, m->b4, 16);
	for (int i = 0; i < 12; i++)
		snprintf(nonce + 2 * i, 3, "%02x", m->nonce[i]);
	return json_pack("{s:s,s:s,s:s,s:o,s:i,s:s,s:o,s:i,s:o,s:i,s:i,s:I,s:I,s:I,s:s,s:i}",
	                 "transport", m->v6 ? "ipv6" : "softwire", "opcode",
	                 m->opcode == 2 ? "peer" : "map", "b4", addr6_format(&a, b4), "internal",
	                 j_addr4(m->internal), "internal_port", m->internal_port, "protocol",
	                 ctl_msg_proto_name(m->proto) ? ctl_msg_proto_name(m->proto) : "?",
	                 "external", j_addr4(m->external), "external_port", m->external_port,
	                 "client", j_addr4(m->client), "client_port", m->client_port, "lifetime",
	                 m->lifetime, "expires_in",
	                 (json_int_t)(m->expires > now ? m->expires - now : 0), "created",
	                 (json_int_t)m->created, "expires", (json_int_t)m->expires, "nonce", nonce,
	                 "endpoint", m->ep);
}

static int get_addr4(const json_t *o, const char *key, uint32_t *net)
{
	const char *s = json_string_value(json_object_get(o, key));
	uint32_t a;

	if (s == NULL || addr4_parse(s, &a, NULL, 0) < 0)
		return -1;
	*net = htonl(a);
	return 0;
}

static int get_uint(const json_t *o, const char *key, uint64_t max, uint64_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    (uint64_t)json_integer_value(j) > max)
		return -1;
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

int pcp_mapping_from_json(const json_t *o, struct pcp_mapping *m)
{
	const char *b4 = json_string_value(json_object_get(o, "b4"));
	const char *proto = json_string_value(json_object_get(o, "protocol"));
	const char *nonce = json_string_value(json_object_get(o, "nonce"));
	const char *op = json_string_value(json_object_get(o, "opcode"));
	const char *tr = json_string_value(json_object_get(o, "transport"));
	uint64_t v[7];
	struct addr6 a;

	memset(m, 0, sizeof(*m));
	if (b4 == NULL || addr6_parse(b4, &a, NULL, 0) < 0 || proto == NULL || nonce == NULL ||
	    strlen(nonce) != 24 || op == NULL || get_addr4(o, "internal", &m->internal) < 0 ||
	    get_addr4(o, "external", &m->external) < 0 || get_addr4(o, "client", &m->client) < 0 ||
	    get_uint(o, "internal_port", 65535, &v[0]) < 0 ||
	    get_uint(o, "external_port", 65535, &v[1]) < 0 ||
	    get_uint(o, "client_port", 65535, &v[2]) < 0 ||
	    get_uint(o, "lifetime", UINT32_MAX, &v[3]) < 0 ||
	    get_uint(o, "created", INT64_MAX, &v[4]) < 0 ||
	    get_uint(o, "expires", INT64_MAX, &v[5]) < 0 || get_uint(o, "endpoint", 255, &v[6]) < 0)
		return -1;
	memcpy(m->b4, a.b, 16);
	m->proto = strcmp(proto, "tcp") == 0   ? IPPROTO_TCP
	           : strcmp(proto, "udp") == 0 ? IPPROTO_UDP
	                                       : 0;
	m->opcode = strcmp(op, "peer") == 0 ? 2 : 1;
	m->v6 = tr && strcmp(tr, "ipv6") == 0;
	for (int i = 0; i < 12; i++) {
		char hex[3] = {nonce[2 * i], nonce[2 * i + 1], '\0'}, *end;
		unsigned long x;

		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]))
			return -1; /* strtoul would take a sign or a space */
		x = strtoul(hex, &end, 16);
		if (end != hex + 2)
			return -1;
		m->nonce[i] = (uint8_t)x;
	}
	m->internal_port = (uint16_t)v[0];
	m->external_port = (uint16_t)v[1];
	m->client_port = (uint16_t)v[2];
	m->lifetime = (uint32_t)v[3];
	m->created = (int64_t)v[4];
	m->expires = (int64_t)v[5];
	m->ep = (uint8_t)v[6];
	return m->proto ? 0 : -1;
}

static void add_json(const struct pcp_mapping *m, void *arg)
{
	json_array_append_new(arg, pcp_mapping_json(m, 0));
}

int pcp_mappings_save(const struct pcp_mappings *t, const char *path, uint64_t generation)
{
	json_t *list = json_array(), *o;
	char tmp[4096];
	int rc = 0;

	pcp_mappings_each(t, add_json, list);
	o = json_pack("{s:s,s:I,s:o}", "format", "aftr-pcp 1", "generation", (json_int_t)generation,
	              "mappings", list);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (o == NULL || json_dump_file(o, tmp, JSON_COMPACT) < 0 || rename(tmp, path) < 0) {
		rc = -errno ? -errno : -EIO;
		unlink(tmp);
	}
	json_decref(o);
	return rc;
}

int pcp_mappings_load(struct pcp_mappings *t, const char *path, uint64_t *generation)
{
	json_error_t e;
	json_t *o = json_load_file(path, 0, &e), *it;
	const char *fmt = json_string_value(json_object_get(o, "format"));
	size_t i;

	*generation = 0;
	if (o == NULL)
		return access(path, F_OK) == 0 ? -EINVAL : -ENOENT;
	if (fmt == NULL || strcmp(fmt, "aftr-pcp 1") != 0 ||
	    !json_is_integer(json_object_get(o, "generation"))) {
		json_decref(o);
		return -EINVAL;
	}
	*generation = (uint64_t)json_integer_value(json_object_get(o, "generation"));
	json_array_foreach(json_object_get(o, "mappings"), i, it) {
		struct pcp_mapping m;

		if (pcp_mapping_from_json(it, &m) == 0)
			(void)pcp_mappings_put(t, &m);
	}
	json_decref(o);
	return 0;
}
