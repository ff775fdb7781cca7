/* p9framedpipe: a seqpacket socketpair that keeps message boundaries, close-on-exec on ask. */
#include "t.h"

/* p9framedpipe(p, flags), where the system has SOCK_SEQPACKET; where not (macOS), its error
 * is EPROTONOSUPPORT and p is untouched, and the case is over. */
static int
framed(int p[2], int flags)
{
	int v[2] = { -7, -7 };

	if(!T_SEQPACKET){
		CHECK_ERR(p9framedpipe(v, flags), EPROTONOSUPPORT);
		CHECK(v[0] == -7 && v[1] == -7);
		return 0;
	}
	CHECK(p9framedpipe(p, flags) == 0);
	return 1;
}

static void
ends_are_connected_unix_seqpacket_sockets(void)
{
	int p[2], v;
	socklen_t len;

	if(!framed(p, P9FD_CLOEXEC))
		return;
	len = sizeof v;
	CHECK(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_SEQPACKET);
	CHECK(getsockopt(p[1], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_SEQPACKET);
	CHECK(t_passes(p[0], p[1], 0) && t_passes(p[1], p[0], 0));
	t_close2(p);
}

static void
messages_stay_apart_with_their_descriptors(void)
{
	int p[2], fds[2], got[4], n;
	char buf[16];

	if(!framed(p, P9FD_CLOEXEC))
		return;
	fds[0] = 0;
	fds[1] = 1;
	CHECK(sendfdmsg(p[0], "one", 3, fds, 2) == 3);
	CHECK(sendfdmsg(p[0], "two", 3, NULL, 0) == 3);
	CHECK(sendfdmsg(p[0], "three", 5, fds, 1) == 5);
	n = 4;
	CHECK(recvfdmsg(p[1], buf, sizeof buf, got, &n, 0) == 3 && memcmp(buf, "one", 3) == 0);
	CHECK(n == 2 && t_same_file(got[0], 0) && t_same_file(got[1], 1));
	close(got[0]);
	close(got[1]);
	n = 4;
	CHECK(recvfdmsg(p[1], buf, sizeof buf, got, &n, 0) == 3 && memcmp(buf, "two", 3) == 0);
	CHECK(n == 0);
	/* a record longer than the buffer: EMSGSIZE, its descriptor closed, the next is next */
	CHECK(sendfdmsg(p[0], "4", 1, NULL, 0) == 1);
	n = 4;
	CHECK_ERR(recvfdmsg(p[1], buf, 2, got, &n, 0), EMSGSIZE);
	CHECK(n == 4);
	CHECK(recvfdmsg(p[1], buf, sizeof buf, got, &n, 0) == 1 && buf[0] == '4' && n == 0);
	close(p[0]);
	n = 4;
	CHECK(recvfdmsg(p[1], buf, sizeof buf, got, &n, 0) == 0 && n == 0);
	close(p[1]);
}

static void
cloexec_as_asked(void)
{
	int p[2], flags, i, st;
	char probe[32];

	for(i = 0; i < 2; i++){
		flags = i ? P9FD_CLOEXEC : 0;
		if(!framed(p, flags))
			return;
		CHECK(t_cloexec(p[0]) == i && t_cloexec(p[1]) == i);
		snprintf(probe, sizeof probe, "sock:%d,%d", p[0], p[1]);
		st = t_probe_exec(probe);
		if(st == -2)
			t_skip_case(T_NOPROBE);
		else
			CHECK(st == (i ? 1 : 0));	/* 1: the exec'd child has neither end */
		t_close2(p);
	}
}

static void
bad_flags_are_einval_and_null_efault(void)
{
	int v[2] = { -7, -7 };

	CHECK_ERR(p9framedpipe(v, 1), EINVAL);
	CHECK_ERR(p9framedpipe(v, P9FD_CLOEXEC | MSG_DONTWAIT), EINVAL);
	CHECK_ERR(p9framedpipe(v, -1), EINVAL);
	CHECK(v[0] == -7 && v[1] == -7);
	CHECK_ERR(p9framedpipe(NULL, 0), EFAULT);
	CHECK_ERR(p9framedpipe(NULL, P9FD_CLOEXEC), EFAULT);
}

static void
full_table(void)
{
	int v[2] = { -7, -7 };
	int e;

	e = T_SEQPACKET ? EMFILE : EPROTONOSUPPORT;
	t_squeeze(1);
	CHECK_ERR(p9framedpipe(v, P9FD_CLOEXEC), e);
	CHECK(v[0] == -7 && v[1] == -7);
	t_squeeze(0);
	CHECK_ERR(p9framedpipe(v, 0), e);
	CHECK(v[0] == -7 && v[1] == -7);
}

static void
full_table_is_emfile_and_fd_untouched(void)
{
	int st;

	st = t_child(full_table);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int
main(void)
{
	t_begin();
	T(ends_are_connected_unix_seqpacket_sockets);
	T(messages_stay_apart_with_their_descriptors);
	T(cloexec_as_asked);
	T(bad_flags_are_einval_and_null_efault);
	T_RLIMIT(full_table_is_emfile_and_fd_untouched);
	return t_end();
}
