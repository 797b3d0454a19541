/* Counters as JSON; see stats_json.h. */
#include "stats_json.h"

json_t *stats_shm_json(const struct stats_shm_hdr *h, bool per_lcore, bool nonzero)
{
	json_t *tot = json_object(), *per = json_array(), *j;

	for (uint32_t b = 0; per_lcore && b < h->nblocks; b++)
		json_array_append_new(per, json_object());
	for (uint32_t i = 0; i < h->ncounters; i++) {
		uint64_t v = stats_shm_total(h, i);

		if (nonzero && v == 0)
			continue;
		json_object_set_new(tot, stats_shm_name(h, i), json_integer((json_int_t)v));
		for (uint32_t b = 0; per_lcore && b < h->nblocks; b++)
			json_object_set_new(json_array_get(per, b), stats_shm_name(h, i),
			                    json_integer((json_int_t)stats_shm_value(h, b, i)));
	}
	/* The generation is a u64 and JSON integers here are signed. */
	j = json_pack("{s:I,s:i,s:o}", "generation", (json_int_t)(h->generation & INT64_MAX),
	              "workers", h->nblocks - 1, "counters", tot);
	if (per_lcore)
		json_object_set_new(j, "per_lcore", per);
	else
		json_decref(per);
	return j;
}
