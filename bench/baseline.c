/*
 * THE BASELINE, not p9fd: lib9's wire protocol done the naive way, as upstream does it and as
 * most copies do — one byte, one SCM_RIGHTS descriptor, a control buffer of
 * CMSG_SPACE(sizeof(int)), and no validation at all (a message without a descriptor makes
 * base_recvfd dereference NULL). Written for the benchmark only; never use it.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "baseline.h"

int
base_sendfd(int s, int fd)
{
	char byte;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;

	byte = 0;
	iov.iov_base = &byte;
	iov.iov_len = 1;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_LEN(sizeof(int));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if(sendmsg(s, &msg, 0) != 1)
		return -1;
	return 0;
}

int
base_recvfd(int s)
{
	char byte;
	int fd;
	struct iovec iov;
	struct msghdr msg;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;

	iov.iov_base = &byte;
	iov.iov_len = 1;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	if(recvmsg(s, &msg, 0) <= 0)
		return -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof fd);
	return fd;
}

int
base_p9pipe(int *fd)
{
	return socketpair(AF_UNIX, SOCK_STREAM, 0, fd);
}
