// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tun.c - the TUN device: IFF_TUN | IFF_NO_PI (| IFF_MULTI_QUEUE with more
 * than one worker), MTU, addresses and link state set by ioctl (no external
 * tools).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tun.h"
#include "log.h"
#include "offload.h"

/* struct in6_ifreq of <linux/ipv6.h>, which clashes with <netinet/in.h> */
struct eespd_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

int tun_open(const char *name, unsigned n, bool vnet, int *fds, bool *uso, char *err,
	     size_t err_len)
{
	unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6;
	*uso = vnet;
	for (unsigned i = 0; i < n; i++) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			snprintf(err, err_len, "/dev/net/tun: %s%s", strerror(errno),
				 errno == ENOENT ? " (load the tun module: modprobe tun; in a "
						   "container, pass the device: --device "
						   "/dev/net/tun)"
						 : "");
			goto bad;
		}
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags =
		    IFF_TUN | IFF_NO_PI | (n > 1 ? IFF_MULTI_QUEUE : 0) | (vnet ? IFF_VNET_HDR : 0);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			snprintf(err, err_len, "TUNSETIFF %s (queue %u): %s%s", name, i,
				 strerror(errno),
				 errno == EPERM ? " (creating a TUN device needs CAP_NET_ADMIN)"
				 : errno == EBUSY
				     ? " (the device is in use: another eespd on this interface?)"
				     : "");
			close(fd);
			goto bad;
		}
		/* USO (Linux >= 6.2): UDP super-packets both ways; older kernels
		 * refuse the unknown flags, then TSO alone */
		int r = vnet ? ioctl(fd, TUNSETOFFLOAD, off) : 0;
		if (r < 0 && errno == EINVAL && (off & TUN_F_USO4)) {
			off &= ~(unsigned)(TUN_F_USO4 | TUN_F_USO6);
			*uso = false;
			r = ioctl(fd, TUNSETOFFLOAD, off);
		}
		if (r < 0) {
			snprintf(err, err_len, "TUNSETOFFLOAD %s: %s (set offload = false)", name,
				 strerror(errno));
			close(fd);
			goto bad;
		}
		fds[i] = fd;
		continue;
	bad:
		while (i--)
			close(fds[i]);
		return -1;
	}
	return 0;
}

int tun_configure(const char *name, unsigned mtu, const struct prefix *addrs, unsigned n, char *err,
		  size_t err_len)
{
	struct ifreq ifr;
	int s4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int s6 = -1, rc = -1, ifindex;

	if (s4 < 0) {
		snprintf(err, err_len, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s4, SIOCSIFMTU, &ifr) < 0) {
		snprintf(err, err_len, "%s: set mtu %u: %s", name, mtu, strerror(errno));
		goto out;
	}
	ifr.ifr_qlen = 2000; /* default 500 overflows under TCP bursts */
	if (ioctl(s4, SIOCSIFTXQLEN, &ifr) < 0)
		log_debug("%s: txqueuelen: %s", name, strerror(errno));
	if (ioctl(s4, SIOCGIFINDEX, &ifr) < 0) {
		snprintf(err, err_len, "%s: ifindex: %s", name, strerror(errno));
		goto out;
	}
	ifindex = ifr.ifr_ifindex;
	for (unsigned i = 0; i < n; i++) {
		if (addrs[i].family != AF_INET)
			continue;
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		uint32_t mask = addrs[i].len ? htonl(~0u << (32 - addrs[i].len)) : 0;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addrs[i].addr, 4);
		if (ioctl(s4, SIOCSIFADDR, &ifr) < 0) {
			snprintf(err, err_len, "%s: set address: %s", name, strerror(errno));
			goto out;
		}
		sin->sin_addr.s_addr = mask;
		if (ioctl(s4, SIOCSIFNETMASK, &ifr) < 0) {
			snprintf(err, err_len, "%s: set netmask: %s", name, strerror(errno));
			goto out;
		}
		break; /* ioctl sets one IPv4 address per interface */
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s4, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(err, err_len, "%s: get flags: %s", name, strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s4, SIOCSIFFLAGS, &ifr) < 0) {
		snprintf(err, err_len, "%s: link up: %s", name, strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		struct eespd_in6_ifreq r6;
		if (addrs[i].family != AF_INET6)
			continue;
		if (s6 < 0)
			s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s6 < 0) {
			snprintf(err, err_len, "IPv6 socket: %s", strerror(errno));
			goto out;
		}
		memset(&r6, 0, sizeof(r6));
		memcpy(&r6.addr, addrs[i].addr, 16);
		r6.prefixlen = addrs[i].len;
		r6.ifindex = ifindex;
		if (ioctl(s6, SIOCSIFADDR, &r6) < 0 && errno != EEXIST) {
			char a[64];
			prefix_format(&addrs[i], a, sizeof(a));
			snprintf(err, err_len, "%s: add address %s: %s", name, a, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	close(s4);
	if (s6 >= 0)
		close(s6);
	return rc;
}
