/*
 * The software B4's counters: one X-macro list gives the enum, the names printed as
 * "name value" lines (on SIGUSR1, at exit and in --stats-file) and the help text (README.md).
 * Every packet that is not forwarded is counted under exactly one drop reason.
 * One thread reads and writes them; no atomics needed.
 */
#ifndef AFTR_B4_COUNTERS_H
#define AFTR_B4_COUNTERS_H

#include <stdint.h>
#include <stdio.h>

#define B4_COUNTERS(X)                                                                             \
	X(tx_packets, "IPv4 packets read from the TUN and sent to the AFTR (encapsulated)")        \
	X(tx_bytes, "their IPv4 bytes (without the 40-byte IPv6 header)")                          \
	X(rx_packets, "IPv4 packets received from the AFTR and written to the TUN")                \
	X(rx_bytes, "their IPv4 bytes")                                                            \
	X(rx_ecn_ce, "of rx_packets, marked CE from the outer header (RFC 6040)")                  \
	X(tx_drop_not_ipv4, "TUN packet is not IPv4")                                              \
	X(tx_drop_bad_header, "TUN packet: IPv4 header too short or total length wrong")           \
	X(tx_drop_too_big, "send failed with EMSGSIZE (larger than IPv6 can carry)")               \
	X(tx_drop_send_error, "send failed otherwise (no route to the AFTR, buffers full, ...)")   \
	X(rx_drop_wrong_source, "IPv4-in-IPv6 packet whose IPv6 source is not the AFTR")           \
	X(rx_drop_truncated, "received packet larger than the receive buffer")                     \
	X(rx_drop_not_ipv4, "payload is not IPv4 (version field)")                                 \
	X(rx_drop_bad_header, "payload: IHL < 5, or total length != received length")              \
	X(rx_drop_ecn, "outer header CE but inner packet not ECN-capable (RFC 6040 4.2)")          \
	X(rx_drop_tun_write_error, "writing to the TUN failed")                                    \
	X(tun_read_errors, "read() on the TUN failed (no packet)")                                 \
	X(recv_errors, "recvmsg() on the raw socket failed (no packet)")                           \
	X(tx_drop_no_aftr, "TUN packet while DHCPv6 and DNS have not given the AFTR yet")          \
	X(dhcp_sent, "DHCPv6 Information-Requests sent (--dhcp)")                                  \
	X(dhcp_replies, "DHCPv6 Replies taken")                                                    \
	X(dhcp_ignored, "DHCPv6 messages not for us (another transaction or client)")              \
	X(dhcp_bad, "DHCPv6 Replies refused: malformed, or no AFTR-Name nor lw4o6 binding")        \
	X(dns_sent, "DNS AAAA questions sent for the AFTR-Name")                                   \
	X(dns_answers, "DNS answers that gave the AFTR an address")                                \
	X(dns_failures, "DNS answers without one (NXDOMAIN, no AAAA, errors, damage)")             \
	X(napt_mappings_created, "NAPT mappings made (--lw4o6)")                                   \
	X(napt_mappings_expired, "NAPT mappings freed after their timeout")                        \
	X(napt_active_tcp, "TCP mappings alive (as of the last report)")                           \
	X(napt_active_udp, "UDP mappings alive (as of the last report)")                           \
	X(napt_active_icmp, "ICMP echo mappings alive (as of the last report)")                    \
	X(tx_drop_no_binding, "TUN packet while --lw4o6 has no binding yet (--dhcp)")              \
	X(tx_drop_ports_exhausted,                                                                 \
	  "TUN packet needing a new mapping, every port of the set taken")                         \
	X(tx_drop_napt_unsupported, "not TCP, UDP, ICMP echo or error: cannot share by port")      \
	X(tx_drop_napt_truncated, "first fragment too short for its transport header")             \
	X(tx_drop_napt_bad_icmp, "ICMP error: fragmented, or its quote cannot be translated")      \
	X(tx_drop_napt_no_mapping, "ICMP error about a packet of no mapping")                      \
	X(rx_drop_napt_not_ours, "to another address than the public one (--lw4o6)")               \
	X(rx_drop_napt_unsupported, "not TCP, UDP, ICMP echo or error")                            \
	X(rx_drop_napt_truncated, "first fragment too short for its transport header")             \
	X(rx_drop_napt_bad_icmp, "ICMP error: fragmented, or its quote cannot be translated")      \
	X(rx_drop_napt_no_mapping, "to a port (ICMP identifier) of no mapping")                    \
	X(rx_drop_napt_fragment, "later fragment whose first fragment was not seen")

enum b4_counter {
#define B4_CTR_ENUM(name, help) CTR_##name,
	B4_COUNTERS(B4_CTR_ENUM)
#undef B4_CTR_ENUM
	        CTR__COUNT
};

struct b4_counters {
	uint64_t v[CTR__COUNT];
};

/* Prints every counter as a "name value" line; returns 0 or -EIO. */
int counters_print(FILE *f, const struct b4_counters *c);

/*
 * Writes the counters to path atomically (a temporary file in the same directory, then
 * rename()), so a reader sees the old file or the new one, never a partial one.
 * Returns 0 or -errno.
 */
int counters_write_file(const char *path, const struct b4_counters *c);

#endif /* AFTR_B4_COUNTERS_H */
