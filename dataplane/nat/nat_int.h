/* NAPT internals shared by the files of dataplane/nat/ (not a public
 * interface: nat.h is): the session keys and their hashes, the lookups the
 * packet path inlines, where an L4 header's port and checksum are, and the
 * functions one file of the folder gives another. Calls go one way:
 * translate.c and nat_icmp.c -> session.c -> subscriber.c. */
#ifndef AFTR_NAT_INT_H
#define AFTR_NAT_INT_H

#include <rte_prefetch.h>
#include <stddef.h>
#include <string.h>

#include "hash.h"
#include "nat.h"

struct key_out {
	uint8_t b4[16];
	uint32_t src;
	uint16_t sport;
	uint8_t proto;
	uint8_t pad;
};

/* The outside key, (public address, port, protocol), in one word built
 * in registers (no bytes through the stack): network-order fields. */
static inline uint64_t key_in(uint32_t ext, uint16_t eport, uint8_t proto)
{
	return (uint64_t)ext | (uint64_t)eport << 32 | (uint64_t)proto << 48;
}

_Static_assert(sizeof(struct dp_session) == 64, "a session is one cache line");

/* The session indexes' hashes: the key's 64-bit words, each multiplied by
 * an odd constant (a bijection) and combined, then MurmurHash3's 64-bit
 * finalizer, after which every key bit moves every hash bit (the index's
 * slot is the low bits). About a dozen instructions. */
#define HASH_K1 0x9e3779b97f4a7c15ULL
#define HASH_K2 0xbf58476d1ce4e5b9ULL
#define HASH_K3 0x94d049bb133111ebULL

static inline uint32_t hash_out(const struct key_out *ko)
{
	return (uint32_t)hash_fmix64(hash_word(ko->b4) * HASH_K1 ^ hash_word(ko->b4 + 8) * HASH_K2 ^
	                             hash_word(&ko->src) * HASH_K3);
}

static inline uint32_t hash_in(uint64_t ki)
{
	return (uint32_t)hash_fmix64(ki ^ HASH_K1);
}

static inline bool is_out(const struct dp_session *se, const struct key_out *ko)
{
	return ((hash_word(se->b4.b) ^ hash_word(ko->b4)) |
	        (hash_word(se->b4.b + 8) ^ hash_word(ko->b4 + 8))) == 0 &&
	       se->src == ko->src && se->sport == ko->sport && se->proto == ko->proto;
}

_Static_assert(offsetof(struct dp_session, eport) == offsetof(struct dp_session, ext) + 4 &&
                       offsetof(struct dp_session, proto) == offsetof(struct dp_session, ext) + 6,
               "a session's outside key is key_in's word");

/* The word at ext is key_in's, and the flags' byte above it. */
static inline bool is_in(const struct dp_session *se, uint64_t ki)
{
	uint64_t w;

	memcpy(&w, &se->ext, 8);
	return (w & 0x00ffffffffffffffULL) == ki;
}

/* A session's lifetime in its state: a packet of it sets its expiry to
 * now plus this (ISC default nat lifetime). */
static inline uint64_t nat_sess_lifetime(const struct dp_session *se)
{
	const uint32_t *lt = dp.conf.cfg->lifetime;

	if (se->state == SESS_NEW)
		return lt[LT_RETRANS];
	if (se->state == SESS_CLOSING)
		return lt[LT_CLOSED];
	return se->proto == IPPROTO_TCP   ? lt[LT_TCP]
	       : se->proto == IPPROTO_UDP ? lt[LT_UDP]
	                                  : lt[LT_ICMP];
}

/* The session of an inside or outside key, or SIDX_NONE. */
static inline uint32_t lookup_out(const struct nat_state *ns, const struct key_out *ko)
{
	uint32_t h = hash_out(ko), v;

	for (uint32_t pos = h; (v = sidx_next(&ns->sess_by_out, h, &pos)) != SIDX_NONE;)
		if (is_out(&ns->sess[v], ko))
			return v;
	return SIDX_NONE;
}

static inline uint32_t lookup_in(const struct nat_state *ns, uint64_t ki)
{
	uint32_t h = hash_in(ki), v;

	for (uint32_t pos = h; (v = sidx_next(&ns->sess_by_in, h, &pos)) != SIDX_NONE;)
		if (is_in(&ns->sess[v], ki))
			return v;
	return SIDX_NONE;
}

/* The session of the packet being processed: the one the look-ahead found
 * if it is still in use with this key (a key is held by one session at
 * most, so it is the key's), else a lookup. */
static inline uint32_t find_out_ahead(const struct dp_worker *w, const struct key_out *ko)
{
	uint32_t v = dp_nat_ahead_val(w, DP_NAT_AHEAD_OUT);

	return v != SIDX_NONE && w->nat.sess[v].in_use && is_out(&w->nat.sess[v], ko)
	               ? v
	               : lookup_out(&w->nat, ko);
}

static inline struct dp_session *find_in_ahead(struct dp_worker *w, uint32_t ext, uint16_t eport,
                                               uint8_t proto)
{
	uint64_t ki = key_in(ext, eport, proto);
	uint32_t v = dp_nat_ahead_val(w, DP_NAT_AHEAD_IN);

	if (v == SIDX_NONE || !w->nat.sess[v].in_use || !is_in(&w->nat.sess[v], ki))
		v = lookup_in(&w->nat, ki);
	return v == SIDX_NONE ? NULL : &w->nat.sess[v];
}

/* Where the port (or echo id) and the checksum are in an L4 header. */
struct l4_fields {
	uint16_t *sport, *dport; /* for ICMP echo both point at the id */
	uint16_t *cksum;
	bool cksum_pseudo; /* covers the IPv4 pseudo-header (TCP, UDP) */
	bool udp_zero;     /* UDP without checksum (0): leave it so */
};

#define TCP_CKSUM_OFF  16
#define UDP_CKSUM_OFF  6
#define ICMP_CKSUM_OFF 2
#define ICMP_ID_OFF    4

/* session.c */
/* A new session of ko, public (ext, eport), first sent to or from (remote,
 * rport) (network order; its event carries them), of subscriber sidx or
 * NAT_NO_SUB: 0 with its index in out, -1 when the tables are full. */
int nat_sess_insert(struct dp_worker *w, const struct key_out *ko, uint32_t ext, uint16_t eport,
                    uint32_t sidx, uint32_t remote, uint16_t rport, uint32_t *out);
const struct cfg_nat *nat_static_of(const struct dp_worker *w, const uint8_t *b4, uint8_t proto,
                                    uint32_t src, uint16_t sport);
const struct cfg_nat *nat_static_check(const struct dp_worker *w, const struct dp_session *se);

/* The PCP mapping of session idx ends; the session stays. */
void nat_pcp_clear(struct dp_worker *w, uint32_t idx);

/* subscriber.c */
struct dp_subscriber *nat_sub_get(struct dp_worker *w, const struct addr6 *b4, uint32_t *idx);
void nat_sub_maybe_free(struct dp_worker *w, uint32_t idx);
int nat_sub_admit(struct dp_worker *w, struct dp_subscriber *s, enum cfg_proto p);
/* Whether the subscriber holds as many blocks of p as it may. */
bool nat_sub_block_limit(const struct dp_worker *w, const struct dp_subscriber *s,
                         enum cfg_proto p);
int nat_sub_port(struct dp_worker *w, struct dp_subscriber *s, uint32_t sidx, enum cfg_proto p,
                 uint16_t *port);
void nat_port_release(struct dp_worker *w, struct dp_subscriber *s, enum cfg_proto p,
                      uint16_t port);

#endif
