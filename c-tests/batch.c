/* sendfdmsg and recvfdmsg: many descriptors and a payload in one message. */
#include "t.h"

static void
the_most_descriptors_with_a_payload(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int sv[2], k, i, n, fds[P9FD_MAXFDS], got[P9FD_MAXFDS], p[2];
	char buf[64];
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if(rl.rlim_cur < 1024){
		rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for(k = 0; k < 3; k++){
		if(!t_pair(types[k], sv))
			continue;
		t_oracle(p);
		for(i = 0; i < T_MAX_SEND; i++)
			fds[i] = i % 2 ? p[1] : 1;
		CHECK(sendfdmsg(sv[0], "a payload", 9, fds, T_MAX_SEND) == 9);
		close(p[1]);
		n = P9FD_MAXFDS;
		memset(buf, 0, sizeof buf);
		CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 9);
		CHECK(strcmp(buf, "a payload") == 0);
		CHECK(n == T_MAX_SEND);
		for(i = 0; i < n; i++){
			/* the two ends of a pipe share an inode */
			CHECK(t_same_file(got[i], i % 2 ? p[0] : 1));
			CHECK(!t_cloexec(got[i]));
		}
		for(i = 0; i < n; i++)
			close(got[i]);
		CHECK(t_oracle_eof(p));
		t_close2(sv);
	}
}

static void
one_too_many_is_einval_with_nothing_queued(void)
{
	int sv[2], i, fds[P9FD_MAXFDS + 1];
	char c;

	CHECK(p9pipe(sv) == 0);
	for(i = 0; i <= P9FD_MAXFDS; i++)
		fds[i] = 1;
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, fds, T_MAX_SEND + 1), EINVAL);
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, fds, P9FD_MAXFDS + 1), EINVAL);
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, fds, 100000), EINVAL);
	CHECK_ERR(recv(sv[1], &c, 1, MSG_DONTWAIT), EAGAIN);
	t_close2(sv);
}

static void
bad_arguments_send_nothing(void)
{
	int sv[2], fds[2] = { 1, 2 }, bad[2] = { 1, -5 }, closed;
	char c;

	CHECK(p9pipe(sv) == 0);
	closed = open("/dev/null", O_RDONLY);
	close(closed);
	CHECK_ERR(sendfdmsg(sv[0], "x", 0, fds, 1), EINVAL);
	CHECK_ERR(sendfdmsg(sv[0], "x", -1, fds, 1), EINVAL);
	CHECK_ERR(sendfdmsg(sv[0], NULL, 0, fds, 1), EINVAL);
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, fds, -1), EINVAL);
	CHECK_ERR(sendfdmsg(sv[0], NULL, 1, fds, 1), EFAULT);
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, NULL, 1), EFAULT);
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, bad, 2), EBADF);
	bad[1] = closed;
	CHECK_ERR(sendfdmsg(sv[0], "x", 1, bad, 2), EBADF);
	CHECK_ERR(sendfdmsg(-1, "x", 1, fds, 1), EBADF);
	CHECK_ERR(sendfdmsg(closed, "x", 1, fds, 1), EBADF);
	CHECK_ERR(recv(sv[1], &c, 1, MSG_DONTWAIT), EAGAIN);
	t_close2(sv);
}

static void
no_descriptors_is_plain_data(void)
{
	int sv[2], n, got[1];
	char buf[8];

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfdmsg(sv[0], "plain", 5, NULL, 0) == 5);
	n = 1;
	CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 5 && n == 0);
	CHECK(memcmp(buf, "plain", 5) == 0);
	t_close2(sv);
}

/* The lib9 pair and the message pair speak the same wire format. */
static void
sendfd_to_recvfdmsg_and_sendfdmsg_to_recvfd(void)
{
	int sv[2], n, got[4], g, f;
	unsigned char buf[8];

	CHECK(p9pipe(sv) == 0);
	f = t_file("mixed");
	CHECK(sendfd(sv[0], f) == 0);
	n = 4;
	CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 1);
	CHECK(buf[0] == 0 && n == 1 && t_same_file(got[0], f));
	close(got[0]);
	CHECK(sendfdmsg(sv[0], "\0", 1, &f, 1) == 1);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(g, f));
	close(g);
	close(f);
	t_close2(sv);
}

/*
 * A short send on a stream: a large payload on a small non-blocking buffer goes out in part,
 * the descriptor with the first part; finishing the send with write delivers it exactly once.
 */
static void
short_send_carries_descriptor_once(void)
{
	enum { BIG = 300000 };
	static char out[BIG], in[BIG];
	int sv[2], sndbuf, fd, n, got[4], total, fds;
	long sent, r;

	CHECK(p9pipe(sv) == 0);
	sndbuf = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	t_nonblock(sv[0], 1);
	memset(out, 'q', sizeof out);
	fd = t_file("once");
	sent = sendfdmsg(sv[0], out, BIG, &fd, 1);
	CHECK(sent > 0 && sent < BIG);
	fds = 0;
	total = 0;
	t_nonblock(sv[1], 1);
	while(total < BIG){
		while(sent < BIG && (r = write(sv[0], out + sent, BIG - sent)) > 0)
			sent += r;
		n = 4;
		r = recvfdmsg(sv[1], in, sizeof in, got, &n, P9FD_CLOEXEC);
		if(r < 0){
			CHECK(errno == EAGAIN);
			if(errno != EAGAIN)
				break;
			continue;
		}
		total += r;
		while(n > 0)
			close(got[--n]), fds++;
	}
	CHECK(total == BIG);
	CHECK(fds == 1);
	close(fd);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(the_most_descriptors_with_a_payload);
	T(one_too_many_is_einval_with_nothing_queued);
	T(bad_arguments_send_nothing);
	T(no_descriptors_is_plain_data);
	T(sendfd_to_recvfdmsg_and_sendfdmsg_to_recvfd);
	T(short_send_carries_descriptor_once);
	return t_end();
}
