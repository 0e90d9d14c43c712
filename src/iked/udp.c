// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * udp.c - the IKE UDP sockets (udp.h).
 */
#include "udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int open_one(const struct sockaddr_storage *a, char *err, size_t el)
{
	int fam = a->ss_family, on = 1, fd;
	socklen_t len = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	char name[80];
	fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (fam == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)))
		goto fail;
	if (fam == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on))
			   : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)))
		goto fail;
	if (bind(fd, (const struct sockaddr *)a, len))
		goto fail;
	return fd;
fail:
	iked_addr_format(a, name, sizeof(name));
	snprintf(err, el, "listen %s: %s%s", name, strerror(errno),
		 errno == EACCES ? " (port below 1024: start eesp-iked as root)" : "");
	if (fd >= 0)
		close(fd);
	return -1;
}

int udp_open(const struct iked_conf *c, struct udp_socks *u, char *err, size_t err_len)
{
	memset(u, 0, sizeof(*u));
	for (unsigned i = 0; i < c->n_listen; i++) {
		int fd = open_one(&c->listen[i], err, err_len);
		if (fd < 0) {
			udp_close(u);
			return -1;
		}
		u->fd[i] = fd;
		u->addr[i] = c->listen[i];
		u->n = i + 1;
	}
	return 0;
}

void udp_close(struct udp_socks *u)
{
	for (unsigned i = 0; i < u->n; i++)
		if (u->fd[i] >= 0)
			close(u->fd[i]);
	u->n = 0;
}

/* our address from the control message, with the socket's port */
static void local_from_cmsg(const struct udp_socks *u, unsigned i, struct msghdr *mh,
			    struct iked_addr *to)
{
	to->ss = u->addr[i];
	to->sock = (int)i;
	to->len = u->addr[i].ss_family == AF_INET ? sizeof(struct sockaddr_in)
						  : sizeof(struct sockaddr_in6);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			((struct sockaddr_in *)&to->ss)->sin_addr = pi.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			((struct sockaddr_in6 *)&to->ss)->sin6_addr = pi.ipi6_addr;
		}
	}
}

ssize_t udp_recv(const struct udp_socks *u, unsigned i, uint8_t *buf, size_t cap,
		 struct iked_addr *from, struct iked_addr *to)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_name = &from->ss,
			    .msg_namelen = sizeof(from->ss),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = &ctl,
			    .msg_controllen = sizeof(ctl)};
	ssize_t r;
	memset(&from->ss, 0, sizeof(from->ss));
	do
		r = recvmsg(u->fd[i], &mh, MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	from->len = mh.msg_namelen;
	from->sock = (int)i;
	local_from_cmsg(u, i, &mh, to);
	return r;
}

static bool is_wildcard(const struct sockaddr_storage *a)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == htonl(INADDR_ANY);
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &any6, sizeof(any6));
}

int udp_send(const struct udp_socks *u, const struct iked_addr *local,
	     const struct iked_addr *remote, const uint8_t *buf, size_t len)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_name = (void *)&remote->ss,
			    .msg_namelen = remote->len,
			    .msg_iov = &iov,
			    .msg_iovlen = 1};
	ssize_t r;
	if (local->sock < 0 || (unsigned)local->sock >= u->n)
		return -1;
	memset(&ctl, 0, sizeof(ctl));
	if (!is_wildcard(&local->ss)) {
		struct cmsghdr *cm;
		mh.msg_control = &ctl;
		if (local->ss.ss_family == AF_INET) {
			struct in_pktinfo pi = {
			    .ipi_spec_dst = ((const struct sockaddr_in *)&local->ss)->sin_addr};
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in6_pktinfo pi = {
			    .ipi6_addr = ((const struct sockaddr_in6 *)&local->ss)->sin6_addr};
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	do
		r = sendmsg(u->fd[local->sock], &mh, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)len ? 0 : -1;
}

int udp_local_for(const struct udp_socks *u, const struct iked_addr *remote,
		  struct iked_addr *local)
{
	for (unsigned i = 0; i < u->n; i++)
		if (u->addr[i].ss_family == remote->ss.ss_family) {
			local->ss = u->addr[i];
			local->len = remote->len;
			local->sock = (int)i;
			return 0;
		}
	return -1;
}
