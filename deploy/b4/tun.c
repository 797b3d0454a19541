/* TUN device and IPv4 interface set-up through ioctl(); see tun.h. */
#include "tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/route.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((format(printf, 3, 4))) static void errf(char *err, size_t errlen, const char *fmt,
                                                       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A hint for the two errors an unprivileged caller sees. */
static const char *priv_hint(int e)
{
	return (e == EPERM || e == EACCES) ? " (needs root or CAP_NET_ADMIN)" : "";
}

int tun_create(const char *name, char ifname[IFNAMSIZ], char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(err, errlen, "open /dev/net/tun: %s%s", strerror(-ret), priv_hint(-ret));
		return ret;
	}
	memset(&ifr, 0, sizeof(ifr));
	/* IFF_TUN_EXCL: fail rather than attach to a device someone else made persistent. */
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL); /* 0x8000: sign bit */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		errf(err, errlen, "create TUN device %s: %s%s%s", name, strerror(-ret),
		     priv_hint(-ret),
		     -ret == EBUSY ? " (an interface of that name exists already)" : "");
		close(fd);
		return ret;
	}
	snprintf(ifname, IFNAMSIZ, "%s", ifr.ifr_name);
	return fd;
}

/* Runs one interface ioctl on a throw-away AF_INET socket; returns 0 or -errno. */
static int if_ioctl(unsigned long req, void *arg)
{
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, req, arg) < 0)
		ret = -errno;
	close(s);
	return ret;
}

static void ifr_init(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
}

static void sin_set(struct sockaddr *sa, in_addr_t a)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = a;
	memcpy(sa, &sin, sizeof(sin));
}

int if_set_ipv4(const char *ifname, struct in_addr addr, unsigned int plen, char *err,
                size_t errlen)
{
	char buf[INET_ADDRSTRLEN];
	struct ifreq ifr;
	in_addr_t mask;
	int ret;

	inet_ntop(AF_INET, &addr, buf, sizeof(buf));
	ifr_init(&ifr, ifname);
	sin_set(&ifr.ifr_addr, addr.s_addr);
	ret = if_ioctl(SIOCSIFADDR, &ifr);
	if (ret < 0) {
		errf(err, errlen, "set address %s on %s: %s%s", buf, ifname, strerror(-ret),
		     priv_hint(-ret));
		return ret;
	}
	/* On a point-to-point device SIOCSIFADDR gives a /32; the netmask makes it ADDR/LEN. */
	mask = plen == 0 ? 0 : htonl(~(uint32_t)0 << (32 - plen));
	ifr_init(&ifr, ifname);
	sin_set(&ifr.ifr_netmask, mask);
	ret = if_ioctl(SIOCSIFNETMASK, &ifr);
	if (ret < 0) {
		errf(err, errlen, "set prefix length /%u on %s: %s", plen, ifname, strerror(-ret));
		return ret;
	}
	return 0;
}

int if_set_mtu(const char *ifname, unsigned int mtu, char *err, size_t errlen)
{
	struct ifreq ifr;
	int ret;

	ifr_init(&ifr, ifname);
	ifr.ifr_mtu = (int)mtu;
	ret = if_ioctl(SIOCSIFMTU, &ifr);
	if (ret < 0)
		errf(err, errlen, "set MTU %u on %s: %s", mtu, ifname, strerror(-ret));
	return ret;
}

int if_up(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int ret;

	ifr_init(&ifr, ifname);
	ret = if_ioctl(SIOCGIFFLAGS, &ifr);
	if (ret == 0) {
		ifr.ifr_flags |= IFF_UP;
		ret = if_ioctl(SIOCSIFFLAGS, &ifr);
	}
	if (ret < 0)
		errf(err, errlen, "bring %s up: %s", ifname, strerror(-ret));
	return ret;
}

int if_disable_ipv6(const char *ifname, char *err, size_t errlen)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) /* no IPv6 in this kernel or namespace */
			return 0;
		ret = -errno;
	} else {
		ssize_t n = write(fd, "1\n", 2);

		if (n != 2)
			ret = n < 0 ? -errno : -EIO;
		close(fd);
	}
	if (ret < 0)
		errf(err, errlen, "write %s: %s", path, strerror(-ret));
	return ret;
}

int route4_default(const char *ifname, bool add, char *err, size_t errlen)
{
	char dev[IFNAMSIZ];
	struct rtentry rt;
	int ret;

	memset(&rt, 0, sizeof(rt));
	snprintf(dev, sizeof(dev), "%s", ifname);
	sin_set(&rt.rt_dst, INADDR_ANY);
	sin_set(&rt.rt_genmask, INADDR_ANY);
	sin_set(&rt.rt_gateway, INADDR_ANY);
	rt.rt_flags = RTF_UP; /* no RTF_GATEWAY: a device route, the TUN has no link layer */
	rt.rt_dev = dev;
	ret = if_ioctl(add ? SIOCADDRT : SIOCDELRT, &rt);
	if (ret < 0)
		errf(err, errlen, "%s IPv4 default route via %s: %s%s", add ? "add" : "delete",
		     ifname, strerror(-ret),
		     add && ret == -EEXIST ? " (one exists already; see --no-default-route)" : "");
	return ret;
}
