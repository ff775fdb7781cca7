/*
 * lib9's wire format, both ways, against a raw sendmsg/recvmsg peer written from the format
 * alone: one data byte carrying exactly one SCM_RIGHTS descriptor.
 */
#include "t.h"

static void
sendfd_sends_one_zero_byte_with_one_descriptor(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int i, sv[2], fds[8], nfds, flags;
	unsigned char buf[16];
	ssize_t n;

	for(i = 0; i < 3; i++){
		if(!t_pair(types[i], sv))
			continue;
		CHECK(sendfd(sv[0], 2) == 0);
		n = t_rawrecv(sv[1], buf, sizeof buf, fds, 8, &nfds, &flags);
		CHECK(n == 1 && buf[0] == 0);
		CHECK(nfds == 1 && t_same_file(fds[0], 2));
		CHECK((flags & (MSG_CTRUNC|MSG_TRUNC)) == 0);
		if(nfds > 0)
			close(fds[0]);
		t_close2(sv);
	}
}

static void
sendfd_cmsg_is_exactly_one_scm_rights(void)
{
	int sv[2], fd;
	char byte;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	union {
		char buf[512];
		struct cmsghdr align;
	} u;

	t_pair(SOCK_STREAM, sv);
	CHECK(sendfd(sv[0], 0) == 0);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	CHECK(recvmsg(sv[1], &msg, 0) == 1);
	c = CMSG_FIRSTHDR(&msg);
	CHECK(c != NULL);
	if(c != NULL){
		CHECK(c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS);
		CHECK(c->cmsg_len == CMSG_LEN(sizeof(int)));
		CHECK(CMSG_NXTHDR(&msg, c) == NULL);
		memcpy(&fd, CMSG_DATA(c), sizeof fd);
		CHECK(t_same_file(fd, 0));
		close(fd);
	}
	t_close2(sv);
}

/* As plan9port's sendfd does it: byte 0, msg_controllen = CMSG_LEN(sizeof(int)), no padding. */
static void
recvfd_takes_lib9_shaped_message(void)
{
	int sv[2], f, g;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;

	t_pair(SOCK_STREAM, sv);
	f = t_file("lib9");
	byte = 0;
	memset(&msg, 0, sizeof msg);
	memset(&u, 0, sizeof u);
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_LEN(sizeof(int));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &f, sizeof f);
	CHECK(sendmsg(sv[0], &msg, 0) == 1);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(f, g));
	close(f);
	close(g);
	t_close2(sv);
}

static void
recvfd_accepts_any_byte_value(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	unsigned char values[] = { 0, 'x', 0xff };
	int i, j, sv[2], f, g;

	f = t_file("any");
	for(i = 0; i < 3; i++){
		if(!t_pair(types[i], sv))
			continue;
		for(j = 0; j < 3; j++){
			CHECK(t_rawsend(sv[0], &values[j], 1, &f, 1) == 1);
			g = recvfd(sv[1]);
			CHECK(g >= 0 && t_same_file(f, g));
			if(g >= 0)
				close(g);
		}
		t_close2(sv);
	}
	close(f);
}

int
main(void)
{
	t_begin();
	T(sendfd_sends_one_zero_byte_with_one_descriptor);
	T(sendfd_cmsg_is_exactly_one_scm_rights);
	T(recvfd_takes_lib9_shaped_message);
	T(recvfd_accepts_any_byte_value);
	return t_end();
}
