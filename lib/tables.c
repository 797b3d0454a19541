/* The live tables; see tables.h. */
#include "tables.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

static int tun_cmp(const void *a, const void *b)
{
	return addr6_cmp(&(*(const struct cfg_tunnel *const *)a)->b4,
	                 &(*(const struct cfg_tunnel *const *)b)->b4);
}

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y))

/* Inside key order: B4, protocol, address, port. */
static int nat_in_key(const struct cfg_nat *n, const struct addr6 *b4, uint8_t proto, uint32_t addr,
                      uint16_t port)
{
	int c = addr6_cmp(&n->b4, b4);

	if (c)
		return c;
	if (n->proto != proto)
		return CMP(n->proto, proto);
	if (n->addr != addr)
		return CMP(n->addr, addr);
	return CMP(n->port, port);
}

static int nat_ext_key(const struct cfg_nat *n, uint8_t proto, uint32_t addr, uint16_t port)
{
	if (n->proto != proto)
		return CMP(n->proto, proto);
	if (n->ext_addr != addr)
		return CMP(n->ext_addr, addr);
	return CMP(n->ext_port, port);
}

static int nat_in_cmp(const void *a, const void *b)
{
	const struct cfg_nat *x = *(const struct cfg_nat *const *)a;
	const struct cfg_nat *y = *(const struct cfg_nat *const *)b;

	return nat_in_key(x, &y->b4, y->proto, y->addr, y->port);
}

static int nat_ext_cmp(const void *a, const void *b)
{
	const struct cfg_nat *x = *(const struct cfg_nat *const *)a;
	const struct cfg_nat *y = *(const struct cfg_nat *const *)b;

	return nat_ext_key(x, y->proto, y->ext_addr, y->ext_port);
}

int tables_build(struct tables *t, struct aftr_config *cfg, uint64_t gen)
{
	memset(t, 0, sizeof(*t));
	t->gen = gen;
	t->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	t->n_tun = t->cfg.n_tunnels;
	t->n_nat = t->cfg.n_nats;
	t->tun = calloc(t->n_tun + 1, sizeof(*t->tun));
	t->nat_in = calloc(t->n_nat + 1, sizeof(*t->nat_in));
	t->nat_ext = calloc(t->n_nat + 1, sizeof(*t->nat_ext));
	if (t->tun == NULL || t->nat_in == NULL || t->nat_ext == NULL) {
		tables_free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_tun; i++)
		t->tun[i] = &t->cfg.tunnels[i];
	for (size_t i = 0; i < t->n_nat; i++)
		t->nat_in[i] = t->nat_ext[i] = &t->cfg.nats[i];
	qsort(t->tun, t->n_tun, sizeof(*t->tun), tun_cmp);
	qsort(t->nat_in, t->n_nat, sizeof(*t->nat_in), nat_in_cmp);
	qsort(t->nat_ext, t->n_nat, sizeof(*t->nat_ext), nat_ext_cmp);
	return 0;
}

void tables_free(struct tables *t)
{
	free(t->tun);
	free(t->nat_in);
	free(t->nat_ext);
	cfg_free(&t->cfg);
	memset(t, 0, sizeof(*t));
}

const struct cfg_tunnel *tables_tunnel(const struct tables *t, const struct addr6 *b4)
{
	size_t lo = 0, hi = t->n_tun;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr6_cmp(&t->tun[mid]->b4, b4);

		if (c == 0)
			return t->tun[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool tables_b4_allowed(const struct tables *t, const struct addr6 *b4, int *drop)
{
	if (tables_tunnel(t, b4))
		return true;
	*drop = DROP_ACL6;
	for (size_t i = 0; i < t->cfg.n_acl6; i++)
		if (prefix6_contains(&t->cfg.acl6[i].p, b4)) {
			*drop = DROP_NO_TUNNEL;
			return t->cfg.tun.auto_create;
		}
	return false;
}

const struct cfg_nat *tables_nat_inside(const struct tables *t, const struct addr6 *b4,
                                        enum cfg_proto proto, uint32_t addr, uint16_t port)
{
	size_t lo = 0, hi = t->n_nat;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = nat_in_key(t->nat_in[mid], b4, (uint8_t)proto, addr, port);

		if (c == 0)
			return t->nat_in[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct cfg_nat *tables_nat_public(const struct tables *t, enum cfg_proto proto, uint32_t addr,
                                        uint16_t port)
{
	size_t lo = 0, hi = t->n_nat;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = nat_ext_key(t->nat_ext[mid], (uint8_t)proto, addr, port);

		if (c == 0)
			return t->nat_ext[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool tables_nat_allows(const struct cfg_nat *n, uint32_t remote, uint16_t rport)
{
	return !n->has_filter || (prefix4_contains(&n->filter_dst, remote) &&
	                          (n->filter_port == 0 || n->filter_port == rport));
}
