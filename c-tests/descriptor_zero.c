/*
 * Descriptor 0 is a descriptor like any other, as the one sent and as the socket, in every
 * call: only a negative number is EBADF. (t_begin leaves /dev/null open on 0.)
 */
#include "t.h"

static void
descriptor_zero_is_sent(void)
{
	int sv[2], f, g, fds[2], got[2], n;
	char c;

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfd(sv[0], 0) == 0);
	g = recvfd(sv[1]);
	CHECK(g > 0 && t_same_file(g, 0));
	close(g);

	f = t_file("zero");
	fds[0] = f;
	fds[1] = 0;
	CHECK(sendfdmsg(sv[0], "z", 1, fds, 2) == 1);
	n = 2;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 2 && c == 'z');
	if(n == 2){
		CHECK(t_same_file(got[0], f) && t_same_file(got[1], 0));
		close(got[0]);
		close(got[1]);
	}
	close(f);
	t_close2(sv);
}

/* Each call with the socket on descriptor 0; 0 is /dev/null again afterwards. */
static void
socket_on_descriptor_zero(void)
{
	int sv[2], save, f, g, n;
	char c;

	CHECK(p9pipe(sv) == 0);
	f = t_file("zero");
	save = dup(0);
	CHECK(save > 0 && dup2(sv[0], 0) == 0);

	CHECK(sendfd(0, f) == 0);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(g, f));
	close(g);
	CHECK(sendfdmsg(0, "m", 1, &f, 1) == 1);
	n = 1;
	CHECK(recvfdmsg(sv[1], &c, 1, &g, &n, 0) == 1 && n == 1 && c == 'm');
	CHECK(n == 1 && t_same_file(g, f));
	close(g);

	CHECK(sendfd(sv[1], f) == 0);
	g = recvfd(0);
	CHECK(g >= 0 && t_same_file(g, f));
	close(g);
	CHECK(sendfdmsg(sv[1], "r", 1, &f, 1) == 1);
	n = 1;
	CHECK(recvfdmsg(0, &c, 1, &g, &n, 0) == 1 && n == 1 && c == 'r');
	CHECK(n == 1 && t_same_file(g, f));
	close(g);

	CHECK(dup2(save, 0) == 0);
	close(save);
	close(f);
	t_close2(sv);
}

/*
 * The kernel installs a received descriptor at the lowest free number: with 0 closed, the
 * first one lands there, and must be handed out (or closed) like any other, whichever way the
 * receive reads the message: one descriptor (recvfd, recvfdmsg), several, and a message
 * refused for having more than the room (every descriptor closed, 0 included: the census
 * sees a leak as 0 still open).
 */
static void
received_on_descriptor_zero(void)
{
	int sv[2], f, save, fds[3], got[3], n;
	char c;

	CHECK(p9pipe(sv) == 0);
	f = t_file("zero");
	fds[0] = fds[1] = fds[2] = f;
	save = dup(0);
	CHECK(save > 0);

	close(0);
	CHECK(sendfd(sv[0], f) == 0);
	CHECK(recvfd(sv[1]) == 0 && t_same_file(0, f));
	close(0);
	CHECK(sendfdmsg(sv[0], "a", 1, fds, 1) == 1);
	n = 1;
	got[0] = -1;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 1 && got[0] == 0);
	CHECK(t_same_file(0, f));
	close(0);
	CHECK(sendfdmsg(sv[0], "b", 1, fds, 3) == 1);
	n = 3;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 3 && got[0] == 0);
	if(n == 3){
		CHECK(t_same_file(got[1], f) && t_same_file(got[2], f));
		close(got[1]);
		close(got[2]);
	}
	close(0);
	CHECK(sendfdmsg(sv[0], "c", 1, fds, 3) == 1);
	n = 2;
	CHECK_ERR(recvfdmsg(sv[1], &c, 1, got, &n, 0), EMSGSIZE);
	CHECK(fcntl(0, F_GETFD) == -1 && errno == EBADF);

	CHECK(dup2(save, 0) == 0);
	close(save);
	close(f);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(descriptor_zero_is_sent);
	T(socket_on_descriptor_zero);
	T(received_on_descriptor_zero);
	return t_end();
}
