/* The transport port's RSS made to follow B4 ownership (dp.h struct
 * dp_rss): our key, the outer source alone hashed where the NIC can, an
 * indirection table of queues in turn; then dp.conf.rss says the same, so
 * that nat_b4_owner is the queue a B4's packets arrive on. A NIC that
 * refuses any of it still works: its packets are handed to their owners
 * (and a line says so). */
#include <rte_ethdev.h>
#include <stdio.h>
#include <string.h>

#include "port.h"

static void rss_warn(const char *why)
{
	fprintf(stderr,
	        "aftr-dataplane: interfaces.transport: %s: RSS does not follow B4 ownership, "
	        "workers hand packets over\n",
	        why);
}

/* The key and hash functions: source only (*src_only) if the NIC takes it. */
static int rss_key_set(const struct dp_port *p, const struct rte_eth_dev_info *info, uint8_t *key,
                       bool *src_only)
{
	struct rte_eth_rss_conf conf = {.rss_key = key, .rss_key_len = info->hash_key_size};
	uint64_t hf;

	/* Source and destination windows of the key: 36 bytes. */
	if (info->hash_key_size < 36 || info->hash_key_size > RSS_KEY_LEN)
		return -EINVAL;
	memcpy(key, rss_key, RSS_KEY_LEN);
	if (rte_eth_dev_rss_hash_conf_get(p->port_id, &conf) < 0)
		return -EIO;
	hf = conf.rss_hf;
	memcpy(key, rss_key, RSS_KEY_LEN);
	conf.rss_key_len = info->hash_key_size;
	*src_only = (info->flow_type_rss_offloads & RTE_ETH_RSS_L3_SRC_ONLY) != 0;
	conf.rss_hf = hf | (*src_only ? RTE_ETH_RSS_L3_SRC_ONLY : 0);
	if (*src_only && rte_eth_dev_rss_hash_update(p->port_id, &conf) == 0)
		return 0;
	*src_only = false;
	conf.rss_hf = hf;
	return rte_eth_dev_rss_hash_update(p->port_id, &conf);
}

/* Entry i to queue i modulo the queues. */
static int rss_reta_set(const struct dp_port *p, uint16_t size)
{
	struct rte_eth_rss_reta_entry64 reta[DP_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];

	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
		        (uint16_t)(i % p->nb_rxq);
	}
	return rte_eth_dev_rss_reta_update(p->port_id, reta, size);
}

void port_rss_owners(const struct dp_port *p, unsigned int nworkers)
{
	struct rte_eth_dev_info info;
	uint8_t key[RSS_KEY_LEN], in[32] = {0};
	bool src_only;

	/* One queue, or fewer than workers (owners stay spread over all). */
	if (p->nb_rxq < 2 || p->nb_rxq != nworkers || rte_eth_dev_info_get(p->port_id, &info) < 0 ||
	    (info.flow_type_rss_offloads & (RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_OTHER)) ==
	            0)
		return;
	if (info.reta_size == 0 || info.reta_size > DP_RETA_MAX ||
	    (info.reta_size & (info.reta_size - 1)) != 0) {
		rss_warn("its indirection table's size is not one we can follow");
		return;
	}
	if (rss_key_set(p, &info, key, &src_only) < 0) {
		rss_warn("it does not take our RSS key");
		return;
	}
	if (rss_reta_set(p, info.reta_size) < 0) {
		rss_warn("it does not take our indirection table");
		return;
	}
	/* A NIC that hashes the destination too: the first endpoint's part. */
	memcpy(in + 16, dp.conf.endpoints[0].b, 16);
	dp.conf.rss.dst = src_only ? 0 : rss_toeplitz(key, info.hash_key_size, in, sizeof(in));
	dp.conf.rss.reta_mask = info.reta_size - 1u;
	for (unsigned int i = 0; i < DP_RETA_MAX; i++)
		dp.conf.rss.reta[i] = (uint8_t)(i % p->nb_rxq);
	fprintf(stderr,
	        "aftr-dataplane: interfaces.transport: RSS by the outer %s, %u-entry table: "
	        "a B4's packets reach the worker that owns it\n",
	        src_only ? "source" : "source and destination", info.reta_size);
}
