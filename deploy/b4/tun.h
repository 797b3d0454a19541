/*
 * TUN device and IPv4 interface set-up for the software B4 (aftr-b4.c), through ioctl()s on
 * /dev/net/tun and an AF_INET socket only: no netlink library, no shelling out to ip(8).
 *
 * Every function returns 0 or -errno and, on failure, writes one line saying which step failed
 * and why into err (the caller prints it once).
 */
#ifndef AFTR_B4_TUN_H
#define AFTR_B4_TUN_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Creates the TUN device name (IFF_TUN | IFF_NO_PI, never attaching to an existing device) and
 * returns its file descriptor (non-blocking, close-on-exec); closing it removes the device.
 * The kernel's name for it (name may hold "%d") is copied to ifname.
 */
int tun_create(const char *name, char ifname[IFNAMSIZ], char *err, size_t errlen);

/* Sets the interface's IPv4 address and prefix length (the kernel adds the prefix route). */
int if_set_ipv4(const char *ifname, struct in_addr addr, unsigned int plen, char *err,
                size_t errlen);

/* Sets the interface's MTU. */
int if_set_mtu(const char *ifname, unsigned int mtu, char *err, size_t errlen);

/* Brings the interface up. */
int if_up(const char *ifname, char *err, size_t errlen);

/*
 * Turns IPv6 off on the interface (net.ipv6.conf.IF.disable_ipv6 = 1) so that the kernel's
 * own IPv6 traffic (link-local address, router and MLD reports) is not sent into an IPv4
 * tunnel. Not an error where IPv6 is absent.
 */
int if_disable_ipv6(const char *ifname, char *err, size_t errlen);

/* Adds (add) or deletes (!add) the IPv4 default route 0.0.0.0/0 through the interface. */
int route4_default(const char *ifname, bool add, char *err, size_t errlen);

#endif /* AFTR_B4_TUN_H */
