/* A message carrying more than one descriptor: recvfd closes them all and says EBADMSG. */
#include "t.h"

/* The most a kernel takes in one message: 253 (Linux's SCM_MAX_FD), 127 on OpenBSD. */
enum { MAXFDS = T_MAX_SEND };

/* Sends n pipe write ends in one message, closes ours; recvfd must refuse and close them. */
static void
refuse(int type, int n)
{
	int sv[2], i, p[MAXFDS][2], w[MAXFDS];
	Census a, b;

	if(!t_pair(type, sv))
		return;
	for(i = 0; i < n; i++){
		t_oracle(p[i]);
		w[i] = p[i][1];
	}
	CHECK(t_rawsend(sv[0], "", 1, w, n) == 1);
	for(i = 0; i < n; i++)
		close(w[i]);
	t_census(&a);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	t_census(&b);
	CHECK(a.n == b.n);
	/* every write end is gone from everywhere: ours, the queue, the receiver's table */
	for(i = 0; i < n; i++)
		CHECK(t_oracle_eof(p[i]));
	/* and the socket still works */
	CHECK(t_passes(sv[0], sv[1], 2));
	t_close2(sv);
}

static void
two_fds_into_recvfd_closes_both(void)
{
	refuse(SOCK_STREAM, 2);
	refuse(SOCK_SEQPACKET, 2);
	refuse(SOCK_DGRAM, 2);
}

static void
three_fds_into_recvfd_closes_all(void)
{
	refuse(SOCK_STREAM, 3);
	refuse(SOCK_DGRAM, 3);
}

static void
the_most_fds_into_recvfd_closes_all(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if(rl.rlim_cur < 1024){
		rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	refuse(SOCK_STREAM, MAXFDS);
	refuse(SOCK_SEQPACKET, MAXFDS);
}

/*
 * Two SCM_RIGHTS messages in one sendmsg are merged by the kernel: still more than one. Where
 * the kernel keeps only the first (T_FIRST_RIGHTS_ONLY), that one arrives.
 */
static void
two_cmsgs_of_one_fd_each_are_refused(void)
{
	int sv[2], p[2], q[2], g;
	char k;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	union {
		char buf[2*CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;

	t_pair(SOCK_STREAM, sv);
	t_oracle(p);
	t_oracle(q);
	memset(&msg, 0, sizeof msg);
	memset(&u, 0, sizeof u);
	iov.iov_base = "";
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &q[1], sizeof(int));
	CHECK(sendmsg(sv[0], &msg, 0) == 1);
	close(p[1]);
	close(q[1]);
	if(T_FIRST_RIGHTS_ONLY){
		/* the kernel delivers the first and disposes of the second: t.h */
		g = recvfd(sv[1]);
		CHECK(g >= 0 && write(g, "k", 1) == 1 && read(p[0], &k, 1) == 1 && k == 'k');
		if(g >= 0)
			close(g);
	}else
		CHECK_ERR(recvfd(sv[1]), EBADMSG);
	CHECK(t_oracle_eof(p));
	CHECK(t_oracle_eof(q));
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(two_fds_into_recvfd_closes_both);
	T(three_fds_into_recvfd_closes_all);
	T(the_most_fds_into_recvfd_closes_all);
	T(two_cmsgs_of_one_fd_each_are_refused);
	return t_end();
}
