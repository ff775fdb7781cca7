/* Errors the kernel reports come back as -1 with the kernel's errno, with nothing sent. */
#include "t.h"

#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83	/* Linux 6.16 */
#endif

static void
bad_socket_is_ebadf(void)
{
	int f;

	CHECK_ERR(sendfd(-1, 0), EBADF);
	CHECK_ERR(sendfd(1000000, 0), EBADF);
	CHECK_ERR(recvfd(-1), EBADF);
	CHECK_ERR(recvfd(1000000), EBADF);
	f = open("/dev/null", O_RDONLY);
	close(f);
	CHECK_ERR(sendfd(f, 0), EBADF);
	CHECK_ERR(recvfd(f), EBADF);
}

static void
bad_fd_to_send_is_ebadf_and_nothing_queued(void)
{
	int sv[2], f;
	char c;

	CHECK(p9pipe(sv) == 0);
	f = open("/dev/null", O_RDONLY);
	close(f);
	CHECK_ERR(sendfd(sv[0], -1), EBADF);
	CHECK_ERR(sendfd(sv[0], -2), EBADF);
	CHECK_ERR(sendfd(sv[0], f), EBADF);
	CHECK_ERR(sendfd(sv[0], 1000000), EBADF);
	CHECK_ERR(recv(sv[1], &c, 1, MSG_DONTWAIT), EAGAIN);
	t_close2(sv);
}

static void
non_sockets_are_enotsock(void)
{
	int fds[4], p[2], i;

	CHECK(t_pipe2(p, 0) == 0);	/* the system's pipe: pipe itself means p9pipe here */
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = open("/dev/null", O_RDWR);
	fds[3] = t_file("regular");
	for(i = 0; i < 4; i++){
		CHECK_ERR(sendfd(fds[i], 0), ENOTSOCK);
		CHECK_ERR(recvfd(fds[i]), ENOTSOCK);
		close(fds[i]);
	}
}

static void
unconnected_sockets(void)
{
	int s;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(sendfd(s, 0), ENOTCONN);
	/* the kernel's answer for an unconnected stream; per-system: t.h */
	CHECK_ERR(recvfd(s), T_E_RECV_UNCONNECTED_STREAM);
	close(s);
	if(T_SEQPACKET){
		s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		CHECK_ERR(sendfd(s, 0), ENOTCONN);
		CHECK_ERR(recvfd(s), ENOTCONN);
		close(s);
	}else
		t_skip("no AF_UNIX SOCK_SEQPACKET on this system");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(sendfd(s, 0), T_E_SEND_UNCONNECTED_DGRAM);
	t_nonblock(s, 1);
	CHECK_ERR(recvfd(s), EAGAIN);
	close(s);
}

static void
nonblocking_empty_socket_is_eagain(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	t_nonblock(sv[1], 1);
	CHECK_ERR(recvfd(sv[1]), EAGAIN);
	CHECK_ERR(recvfd(sv[1]), EAGAIN);
	t_close2(sv);
}

/* Fill a non-blocking socket: every sendfd that said 0 is queued, the one that said EAGAIN
 * is not. */
static void
full_nonblocking_socket_is_eagain_and_counts_match(void)
{
	int sv[2], sent, got, g, p[2];

	CHECK(p9pipe(sv) == 0);
	t_nonblock(sv[0], 1);
	t_oracle(p);
	for(sent = 0; sendfd(sv[0], p[1]) == 0; sent++)
		;
	CHECK(errno == EAGAIN);
	CHECK(sent > 0);
	close(p[1]);
	t_nonblock(sv[1], 1);
	for(got = 0; (g = recvfd(sv[1])) >= 0; got++)
		close(g);
	CHECK(errno == EAGAIN);
	CHECK(got == sent);
	CHECK(t_oracle_eof(p));
	t_close2(sv);
}

static void
receiver_refusing_descriptors_is_eperm(void)
{
	int sv[2], off, f;
	char c;

	CHECK(p9pipe(sv) == 0);
	off = 0;
	if(setsockopt(sv[1], SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof off) < 0){
		CHECK(errno == ENOPROTOOPT);	/* before Linux 6.16: nothing to test */
		fprintf(stderr, "skip: no SO_PASSRIGHTS on this kernel\n");
		t_close2(sv);
		return;
	}
	f = t_file("refused");
	CHECK_ERR(sendfd(sv[0], f), EPERM);
	CHECK(fcntl(f, F_GETFD) >= 0);	/* the sender's descriptor stays open */
	CHECK_ERR(recv(sv[1], &c, 1, MSG_DONTWAIT), EAGAIN);
	close(f);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(bad_socket_is_ebadf);
	T(bad_fd_to_send_is_ebadf_and_nothing_queued);
	T(non_sockets_are_enotsock);
	T(unconnected_sockets);
	T(nonblocking_empty_socket_is_eagain);
	T(full_nonblocking_socket_is_eagain_and_counts_match);
	T(receiver_refusing_descriptors_is_eperm);
	return t_end();
}
