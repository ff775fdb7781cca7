/*
 * THE BASELINE'S BATCH, not p9fd: n descriptors after one byte in one SCM_RIGHTS message, the
 * naive way (no validation; cmsg_len trusted). For make bench's instruction count only, in a
 * file of its own so that the footprint's naive program (footprint.c on baseline.c) stays
 * lib9's three functions.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "baseline.h"

enum { BASE_MAX = 253 };

int
base_sendfds(int s, const int *fds, int n)
{
	char byte;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	union {
		char buf[CMSG_SPACE(BASE_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;

	byte = 0;
	iov.iov_base = &byte;
	iov.iov_len = 1;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	if(sendmsg(s, &msg, 0) != 1)
		return -1;
	return 0;
}

/* Receives up to BASE_MAX descriptors into fds and returns how many (trusting cmsg_len). */
int
base_recvfds(int s, int *fds)
{
	char byte;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	union {
		char buf[CMSG_SPACE(BASE_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	int n;

	iov.iov_base = &byte;
	iov.iov_len = 1;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	if(recvmsg(s, &msg, 0) <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return n;
}
