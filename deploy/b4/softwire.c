/*
 * The softwire: IPv4 packets between the TUN device and the AFTR, through a raw IPv6 socket
 * with protocol 4 (IPv4-in-IPv6, RFC 2473). See softwire.h.
 *
 * Decisions, with the requirement they follow:
 * - Fragmentation: "the B4 element MUST perform fragmentation and reassembly if the outgoing
 *   link MTU cannot accommodate the extra IPv6 header ... The inner IPv4 packet MUST NOT be
 *   fragmented" (RFC 6333 section 5.3). IPV6_MTU_DISCOVER = IPV6_PMTUDISC_WANT makes the
 *   kernel fragment the IPv6 packet to the path MTU (it learns from ICMPv6 Packet Too Big);
 *   IPV6_PMTUDISC_DO or _PROBE would make it refuse with EMSGSIZE instead. IPV6_DONTFRAG = 0
 *   for good measure (on this kernel it has no effect on a protocol-4 raw socket). The inner
 *   DF bit is not looked at. (RFC 2473 section 7.2 would rather drop inner-DF packets too
 *   big for the tunnel MTU; RFC 6333 decides for DS-Lite, see its erratum 5847.)
 * - Traffic class: the outer traffic class is the inner TOS byte, per packet (RFC 2473
 *   section 6.4 lets the entry point copy it; copying the ECN bits too is the "normal mode"
 *   of RFC 6040 section 4.1). On decapsulation the outer ECN field is combined into the inner
 *   one by the table of RFC 6040 section 4.2 (outer CE over a not-ECT inner: drop).
 * - Hop limit from the caller, 64 by default (RFC 2473 section 6.3: tunnel configuration).
 * - Only packets from the configured AFTR are accepted (one softwire per B4, RFC 6333
 *   section 5), and only IPv4 with a header that parses; the inner checksum is left to the
 *   IPv4 stack behind the TUN.
 * - Inner TTL is not decremented here: the kernel did it when it forwarded the packet into the
 *   TUN (RFC 2473 section 3.1), and locally sent packets are not forwarded.
 * - Sends block (backpressure to the TUN queue), but never longer than SO_SNDTIMEO = 1 s.
 */
#include "softwire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"

#define BURST    64 /* packets handled per fd per wake-up, so neither side starves */
#define ECN_MASK 0x03
#define ECN_NOT  0x00
#define ECN_ECT1 0x01
#define ECN_ECT0 0x02
#define ECN_CE   0x03

/* One packet buffer: packets are handled one at a time, read, checked, written. */
static uint8_t pkt[SOFTWIRE_PKT_MAX + 1];

static int set_int(int fd, int level, int name, const char *what, int val, char *err, size_t errlen)
{
	int e;

	if (setsockopt(fd, level, name, &val, sizeof(val)) == 0)
		return 0;
	e = errno;
	snprintf(err, errlen, "setsockopt %s: %s", what, strerror(e));
	return -e;
}

int softwire_open(const struct sockaddr_in6 *local, unsigned int hop_limit, char *err,
                  size_t errlen)
{
	struct timeval snd_timeout = {.tv_sec = 1}; /* never block the loop for long */
	char buf[INET6_ADDRSTRLEN];
	int fd, ret;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "raw IPv6 socket, protocol 4: %s%s", strerror(-ret),
		         ret == -EPERM || ret == -EACCES ? " (needs root or CAP_NET_RAW)" : "");
		return ret;
	}
	if (bind(fd, (const struct sockaddr *)local, sizeof(*local)) < 0) {
		ret = -errno;
		inet_ntop(AF_INET6, &local->sin6_addr, buf, sizeof(buf));
		snprintf(err, errlen, "bind to --local %s: %s%s", buf, strerror(-ret),
		         ret == -EADDRNOTAVAIL ? " (is it configured on an interface, and past "
		                                 "duplicate address detection?)"
		                               : "");
		goto fail;
	}
	if ((ret = set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", (int)hop_limit,
	                   err, errlen)) < 0 ||
	    (ret = set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER",
	                   IPV6_PMTUDISC_WANT, err, errlen)) < 0 ||
	    (ret = set_int(fd, IPPROTO_IPV6, IPV6_DONTFRAG, "IPV6_DONTFRAG", 0, err, errlen)) < 0 ||
	    (ret = set_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, "IPV6_RECVTCLASS", 1, err, errlen)) <
	            0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd_timeout, sizeof(snd_timeout)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "setsockopt SO_SNDTIMEO: %s", strerror(-ret));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

enum ipv4_verdict { IPV4_OK, IPV4_NOT_IPV4, IPV4_BAD_HEADER };

/* Version 4, IHL >= 5 and within the packet, total length == the length we have. */
static enum ipv4_verdict ipv4_check(const uint8_t *p, size_t len)
{
	unsigned int ihl;

	if (len < 1 || p[0] >> 4 != 4)
		return IPV4_NOT_IPV4;
	ihl = (p[0] & 0x0fu) * 4;
	if (len < 20 || ihl < 20 || ihl > len || ((size_t)p[2] << 8 | p[3]) != len)
		return IPV4_BAD_HEADER;
	return IPV4_OK;
}

/* RFC 6040 section 4.2: the inner ECN field after decapsulation, or -1 to drop. */
static int ecn_decap(unsigned int inner, unsigned int outer)
{
	if (inner == ECN_NOT)
		return outer == ECN_CE ? -1 : ECN_NOT;
	if (outer == ECN_CE)
		return ECN_CE;
	if (inner == ECN_ECT0 && outer == ECN_ECT1)
		return ECN_ECT1;
	return inner;
}

/* Rewrites the TOS byte, updating the header checksum incrementally (RFC 1624 eqn. 3). */
static void ipv4_set_tos(uint8_t *h, uint8_t tos)
{
	uint32_t sum = (uint16_t) ~(h[10] << 8 | h[11]);

	sum += (uint16_t) ~(h[0] << 8 | h[1]);
	sum += (uint32_t)(h[0] << 8 | tos);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	h[1] = tos;
	h[10] = (uint8_t)(sum >> 8);
	h[11] = (uint8_t)sum;
}

/* Encapsulates one packet read from the TUN (translated with --lw4o6) and sends it to the
 * AFTR. */
static void tx_one(struct softwire *sw, uint8_t *p, size_t len, uint64_t now)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = {.iov_base = (void *)p, .iov_len = len};
	struct msghdr msg = {
	        .msg_name = &sw->aftr,
	        .msg_namelen = sizeof(sw->aftr),
	        .msg_iov = &iov,
	        .msg_iovlen = 1,
	        .msg_control = cbuf.buf,
	        .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cm;
	int tclass;

	switch (ipv4_check(p, len)) {
	case IPV4_NOT_IPV4:
		sw->ctr.v[CTR_tx_drop_not_ipv4]++;
		return;
	case IPV4_BAD_HEADER:
		sw->ctr.v[CTR_tx_drop_bad_header]++;
		return;
	case IPV4_OK:
		break;
	}
	if (sw->napt != NULL && !napt_out(sw->napt, p, len, now))
		return; /* counted by the NAPT */
	memset(&cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_TCLASS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	tclass = p[1]; /* DSCP and ECN of the inner packet */
	memcpy(CMSG_DATA(cm), &tclass, sizeof(tclass));
	if (sendmsg(sw->raw_fd, &msg, 0) < 0) {
		sw->ctr.v[errno == EMSGSIZE ? CTR_tx_drop_too_big : CTR_tx_drop_send_error]++;
		return;
	}
	sw->ctr.v[CTR_tx_packets]++;
	sw->ctr.v[CTR_tx_bytes] += len;
}

/* The outer traffic class from IPV6_RECVTCLASS, or -1. */
static int msg_tclass(struct msghdr *msg)
{
	int tclass;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_TCLASS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&tclass, CMSG_DATA(cm), sizeof(tclass));
			return tclass;
		}
	}
	return -1;
}

static bool from_aftr(const struct softwire *sw, const struct sockaddr_in6 *from, socklen_t fromlen)
{
	const struct sockaddr_in6 *aftr = &sw->aftr;

	return fromlen >= sizeof(*from) && from->sin6_family == AF_INET6 &&
	       IN6_ARE_ADDR_EQUAL(&from->sin6_addr, &aftr->sin6_addr) &&
	       (aftr->sin6_scope_id == 0 || from->sin6_scope_id == aftr->sin6_scope_id);
}

/* Decapsulates one packet received from the softwire socket (translated with --lw4o6) and
 * writes it to the TUN. */
static void rx_one(struct softwire *sw, struct msghdr *msg, uint8_t *p, size_t len, uint64_t now)
{
	enum b4_counter drop;
	int tclass, ecn;

	if (!from_aftr(sw, msg->msg_name, msg->msg_namelen)) {
		drop = CTR_rx_drop_wrong_source;
		goto drop;
	}
	if (msg->msg_flags & MSG_TRUNC) {
		drop = CTR_rx_drop_truncated;
		goto drop;
	}
	switch (ipv4_check(p, len)) {
	case IPV4_NOT_IPV4:
		drop = CTR_rx_drop_not_ipv4;
		goto drop;
	case IPV4_BAD_HEADER:
		drop = CTR_rx_drop_bad_header;
		goto drop;
	case IPV4_OK:
		break;
	}
	tclass = msg_tclass(msg);
	if (tclass >= 0) {
		ecn = ecn_decap(p[1] & ECN_MASK, (unsigned int)tclass & ECN_MASK);
		if (ecn < 0) {
			drop = CTR_rx_drop_ecn;
			goto drop;
		}
		if ((unsigned int)ecn != (p[1] & ECN_MASK)) {
			ipv4_set_tos(p, (uint8_t)((p[1] & ~ECN_MASK) | ecn));
			if (ecn == ECN_CE)
				sw->ctr.v[CTR_rx_ecn_ce]++;
		}
	}
	if (sw->napt != NULL && !napt_in(sw->napt, p, len, now))
		return; /* counted by the NAPT */
	if (write(sw->tun_fd, p, len) != (ssize_t)len) {
		drop = CTR_rx_drop_tun_write_error;
		goto drop;
	}
	sw->ctr.v[CTR_rx_packets]++;
	sw->ctr.v[CTR_rx_bytes] += len;
	return;
drop:
	sw->ctr.v[drop]++;
}

int softwire_tx_burst(struct softwire *sw)
{
	uint64_t now = now_ms();

	for (int i = 0; i < BURST; i++) {
		ssize_t n = read(sw->tun_fd, pkt, sizeof(pkt));

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == EBADFD || errno == ENODEV || errno == ENXIO)
				return -errno;
			sw->ctr.v[CTR_tun_read_errors]++;
			return 0;
		}
		if (sw->no_aftr)
			sw->ctr.v[CTR_tx_drop_no_aftr]++;
		else
			tx_one(sw, pkt, (size_t)n, now);
	}
	return 0;
}

void softwire_rx_burst(struct softwire *sw)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int)) * 4];
	} cbuf;
	struct sockaddr_in6 from;
	struct iovec iov;
	struct msghdr msg;
	uint64_t now = now_ms();
	ssize_t n;

	for (int i = 0; i < BURST; i++) {
		iov = (struct iovec){.iov_base = pkt, .iov_len = sizeof(pkt)};
		msg = (struct msghdr){
		        .msg_name = &from,
		        .msg_namelen = sizeof(from),
		        .msg_iov = &iov,
		        .msg_iovlen = 1,
		        .msg_control = cbuf.buf,
		        .msg_controllen = sizeof(cbuf.buf),
		};
		n = recvmsg(sw->raw_fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				sw->ctr.v[CTR_recv_errors]++;
			return;
		}
		rx_one(sw, &msg, pkt, (size_t)n, now);
	}
}
