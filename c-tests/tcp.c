/*
 * recvfd and sendfd on TCP sockets, as sendfd(3)'s BUGS says: Linux's answers, from
 * tcp_recvmsg_locked in net/ipv4/tcp.c (ENOTCONN when listening or never connected, the
 * pending error after a reset, 0 at end of file) and sk_stream_wait_connect in
 * net/core/stream.c (EPIPE for a send on a socket that is not connected); run on Linux 6.18.
 * Other systems answer otherwise (FreeBSD's tcp_usr_send, sys/netinet/tcp_usrreq.c, refuses
 * any control message with EINVAL): skipped there.
 */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>

/* A listening TCP socket on the loopback; its address in a. */
static int
listener(struct sockaddr_in *a)
{
	socklen_t len;
	int l;

	l = socket(AF_INET, SOCK_STREAM, 0);
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof *a;
	if(!CHECK(l >= 0 && bind(l, (struct sockaddr*)a, sizeof *a) == 0 && listen(l, 1) == 0
	&& getsockname(l, (struct sockaddr*)a, &len) == 0)){
		close(l);
		return -1;
	}
	return l;
}

/* A connected pair: c connected to s. */
static int
tcp_pair(int *c, int *s)
{
	struct sockaddr_in a;
	int l;

	*c = *s = -1;
	if((l = listener(&a)) < 0)
		return 0;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if(CHECK(*c >= 0 && connect(*c, (struct sockaddr*)&a, sizeof a) == 0))
		*s = accept(l, NULL, NULL);
	close(l);
	if(!CHECK(*s >= 0)){
		close(*c);
		return 0;
	}
	return 1;
}

/* Until s has n bytes queued to read. */
static int
queued(int s, int n)
{
	struct pollfd p;
	int q;

	p.fd = s;
	p.events = POLLIN;
	for(;;){
		if(poll(&p, 1, -1) < 0 || ioctl(s, FIONREAD, &q) < 0)
			return 0;
		if(q >= n)
			return q == n;
	}
}

/* A close that resets the connection (SO_LINGER with a zero timeout). */
static void
reset(int s)
{
	struct linger l;

	l.l_onoff = 1;
	l.l_linger = 0;
	CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
	close(s);
}

static void
not_connected_is_enotconn_and_epipe(void)
{
	struct sockaddr_in a;
	int s, l;

	s = socket(AF_INET, SOCK_STREAM, 0);	/* never connected */
	CHECK_ERR(recvfd(s), ENOTCONN);
	CHECK_ERR(sendfd(s, 1), EPIPE);
	close(s);
	if((l = listener(&a)) < 0)
		return;
	CHECK_ERR(recvfd(l), ENOTCONN);
	CHECK_ERR(sendfd(l, 1), EPIPE);
	close(l);	/* nothing listens there now: a connect is refused */
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(s, (struct sockaddr*)&a, sizeof a), ECONNREFUSED);
	CHECK_ERR(recvfd(s), ENOTCONN);
	CHECK_ERR(sendfd(s, 1), EPIPE);
	close(s);
}

/* sendfd's byte arrives without its descriptor; a plain byte reads the same; one at a time */
static void
connected_is_ebadmsg_one_byte_at_a_time(void)
{
	int c, s;
	char b;

	if(!tcp_pair(&c, &s))
		return;
	CHECK(sendfd(c, 1) == 0);
	CHECK_ERR(recvfd(s), EBADMSG);
	CHECK(write(c, "ab", 2) == 2);
	CHECK(queued(s, 2));
	CHECK_ERR(recvfd(s), EBADMSG);
	CHECK(queued(s, 1));
	CHECK(read(s, &b, 1) == 1 && b == 'b');
	t_nonblock(s, 1);
	CHECK_ERR(recvfd(s), EAGAIN);
	close(c);
	close(s);
}

static void
end_of_file_and_reset_are_econnreset(void)
{
	int c, s;

	if(!tcp_pair(&c, &s))
		return;
	close(c);	/* FIN */
	CHECK_ERR(recvfd(s), ECONNRESET);
	CHECK_ERR(recvfd(s), ECONNRESET);
	close(s);
	if(!tcp_pair(&c, &s))
		return;
	reset(c);	/* RST: the kernel's ECONNRESET, then end of file */
	CHECK_ERR(recvfd(s), ECONNRESET);
	CHECK_ERR(recvfd(s), ECONNRESET);
	close(s);
	if(!tcp_pair(&c, &s))
		return;
	CHECK(write(c, "x", 1) == 1);
	CHECK(queued(s, 1));
	reset(c);	/* what came before the reset is read first */
	CHECK_ERR(recvfd(s), EBADMSG);
	CHECK_ERR(recvfd(s), ECONNRESET);
	close(s);
}

int
main(void)
{
	t_begin();
	if(T_LINUX){
		T(not_connected_is_enotconn_and_epipe);
		T(connected_is_ebadmsg_one_byte_at_a_time);
		T(end_of_file_and_reset_are_econnreset);
	}else{
		T_SKIP(not_connected_is_enotconn_and_epipe, "Linux's TCP answers");
		T_SKIP(connected_is_ebadmsg_one_byte_at_a_time, "Linux's TCP answers");
		T_SKIP(end_of_file_and_reset_are_econnreset, "Linux's TCP answers");
	}
	return t_end();
}
