/* Configured tunnels; see tunnels.h. ISC configurations can list 10^5
 * tunnels: a per-packet linear scan would not do. */
#include "tunnels.h"

#include <errno.h>
#include <stdlib.h>

static const struct cfg_tunnel **sorted;
static size_t n_sorted;

static int cmp(const void *a, const void *b)
{
	return addr6_cmp(&(*(const struct cfg_tunnel *const *)a)->b4,
	                 &(*(const struct cfg_tunnel *const *)b)->b4);
}

int tunnels_init(const struct aftr_config *cfg)
{
	free(sorted);
	n_sorted = 0;
	sorted = calloc(cfg->n_tunnels ? cfg->n_tunnels : 1, sizeof(*sorted));
	if (sorted == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_tunnels; i++)
		sorted[i] = &cfg->tunnels[i];
	n_sorted = cfg->n_tunnels;
	qsort(sorted, n_sorted, sizeof(*sorted), cmp);
	return 0;
}

const struct cfg_tunnel *tunnel_find(const struct addr6 *b4)
{
	size_t lo = 0, hi = n_sorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = addr6_cmp(&sorted[mid]->b4, b4);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void tunnels_fini(void)
{
	free(sorted);
	sorted = NULL;
	n_sorted = 0;
}
