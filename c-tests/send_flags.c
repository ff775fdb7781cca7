/*
 * sendfdmsgall (a whole send), P9FD_DONTWAIT (one call that does not wait) and sendfdmsgto
 * (a send naming its destination).
 */
#include "t.h"
#include <pthread.h>
#include <sys/un.h>

enum { BIG = 1 << 20 };

static char big[BIG];

struct reader {
	int s;
	long total;
	int nfds;
	int fd;
};

static void *
read_all(void *arg)
{
	struct reader *r = arg;
	static char buf[1 << 16];
	int got[2], n;
	long k;

	for(;;){
		n = 2;
		k = recvfdmsg(r->s, buf, sizeof buf, got, &n, 0);
		if(k <= 0)
			break;
		if(n > 0){
			if(r->fd >= 0)
				close(r->fd);
			r->fd = got[0];
			r->nfds += n;
		}
		r->total += k;
	}
	return NULL;
}

/* 1 MiB on a non-blocking stream: one sendfdmsg goes short, sendfdmsgall sends it all, the
 * descriptor with the first part only. */
static void
whole_send_on_a_non_blocking_stream(void)
{
	int sv[2], fd = 0;
	struct reader r = { 0, 0, 0, -1 };
	pthread_t t;
	long part;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	memset(big, 0, sizeof big);
	part = sendfdmsg(sv[0], big, BIG, &fd, 1);
	CHECK(part > 0 && part < BIG);	/* short, on its own */
	r.s = sv[1];
	CHECK(pthread_create(&t, NULL, read_all, &r) == 0);
	CHECK(sendfdmsgall(sv[0], big, BIG, &fd, 1) == BIG);
	close(sv[0]);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(r.total == part + BIG);
	CHECK(r.nfds == 2 && t_same_file(r.fd, 0));
	if(r.fd >= 0)
		close(r.fd);
	close(sv[1]);
}

static void
whole_send_refuses_what_sendfdmsg_refuses(void)
{
	int sv[2], fd = -1;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_ERR(sendfdmsgall(sv[0], "x", 0, NULL, 0), EINVAL);
	CHECK_ERR(sendfdmsgall(sv[0], NULL, 1, NULL, 0), EFAULT);
	CHECK_ERR(sendfdmsgall(sv[0], "x", 1, &fd, 1), EBADF);
	CHECK_ERR(sendfdmsgall(sv[0], "x", 1, NULL, P9FD_MAXFDS + 1), EINVAL);
	CHECK_ERR(sendfdmsgall(-1, "x", 1, NULL, 0), EBADF);
	t_close2(sv);
}

/* Nothing queued: P9FD_DONTWAIT is EAGAIN on a blocking socket, which stays blocking. */
static void
receive_that_does_not_wait(void)
{
	int sv[2], got[1], n = 1, fd = 0;
	char c;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_ERR(recvfdmsg(sv[1], &c, 1, got, &n, P9FD_DONTWAIT), EAGAIN);
	CHECK(n == 1);
	CHECK((fcntl(sv[1], F_GETFL) & O_NONBLOCK) == 0);
	CHECK(sendfdmsg(sv[0], "y", 1, &fd, 1) == 1);
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, P9FD_DONTWAIT | P9FD_CLOEXEC) == 1);
	CHECK(n == 1 && t_same_file(got[0], 0) && t_cloexec(got[0]));
	close(got[0]);
	n = 1;
	CHECK_ERR(recvfdmsg(sv[1], &c, 1, got, &n, MSG_PEEK), EINVAL);
	t_close2(sv);
}

/* A full socket: a send with P9FD_DONTWAIT is EAGAIN and sends nothing. */
static void
send_that_does_not_wait(void)
{
	int sv[2], fd = 0, got[1], n;
	long k, total = 0;
	static char buf[4096];

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	for(;;){
		k = sendfdmsgto(sv[0], "z", 1, NULL, 0, P9FD_DONTWAIT, NULL, 0);
		if(k != 1)
			break;
		total++;
	}
	CHECK(k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS));
	CHECK(total > 0);
	CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) == 0);
	k = sendfdmsgto(sv[0], "z", 1, &fd, 1, P9FD_DONTWAIT, NULL, 0);
	CHECK(k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS));
	/* drain: every datagram is one byte, none carries a descriptor */
	while(total-- > 0){
		n = 1;
		CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, P9FD_DONTWAIT) == 1 && n == 0);
	}
	n = 1;
	CHECK_ERR(recvfdmsg(sv[1], buf, sizeof buf, got, &n, P9FD_DONTWAIT), EAGAIN);
	t_close2(sv);
}

/* A full stream: a send with P9FD_DONTWAIT is EAGAIN there too, and fills it without waiting.
 * (NetBSD's send reads no MSG_DONTWAIT: there p9fd says MSG_NBIO as well.) */
static void
stream_send_that_does_not_wait(void)
{
	int sv[2], fd = 0;
	long k, total = 0;
	static char buf[4096];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	for(;;){
		k = sendfdmsgto(sv[0], buf, sizeof buf, NULL, 0, P9FD_DONTWAIT, NULL, 0);
		if(k <= 0)
			break;
		total += k;
	}
	CHECK(k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
	CHECK(total > 0);
	CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) == 0);
	k = sendfdmsgto(sv[0], "z", 1, &fd, 1, P9FD_DONTWAIT, NULL, 0);
	CHECK(k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EMSGSIZE));
	t_close2(sv);
}

/* An unconnected datagram socket sends to a bound one by name. */
static void
send_to_an_address(void)
{
	struct sockaddr_un a;
	int r, s, fd = 1, got[1], n = 1;
	char c;

	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof a.sun_path, "/tmp/p9fd-send-to-%ld", (long)getpid());
	unlink(a.sun_path);
	r = socket(AF_UNIX, SOCK_DGRAM, 0);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(r >= 0 && s >= 0);
	CHECK(bind(r, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK_ERR(sendfdmsgto(s, "t", 1, &fd, 1, 0, NULL, 0), T_E_SEND_UNCONNECTED_DGRAM);
	CHECK(sendfdmsgto(s, "t", 1, &fd, 1, 0, (struct sockaddr *)&a, sizeof a) == 1);
	CHECK(recvfdmsg(r, &c, 1, got, &n, P9FD_CLOEXEC) == 1 && c == 't');
	CHECK(n == 1 && t_same_file(got[0], 1));
	close(got[0]);
	CHECK_ERR(sendfdmsgto(s, "t", 1, NULL, 0, 1, (struct sockaddr *)&a, sizeof a), EINVAL);
	CHECK_ERR(sendfdmsgto(s, "t", 1, NULL, 0, 0, NULL, 4), EFAULT);
	CHECK_ERR(sendfdmsgto(s, "t", 1, NULL, 0, 0, (struct sockaddr *)&a, 100000), EINVAL);
	unlink(a.sun_path);
	CHECK_ERR(sendfdmsgto(s, "t", 1, &fd, 1, 0, (struct sockaddr *)&a, sizeof a), ENOENT);
	close(s);
	close(r);
}

int
main(void)
{
	t_begin();
	T(whole_send_on_a_non_blocking_stream);
	T(whole_send_refuses_what_sendfdmsg_refuses);
	T(receive_that_does_not_wait);
	T(send_that_does_not_wait);
	T(stream_send_that_does_not_wait);
	T(send_to_an_address);
	return t_end();
}
