/* p9pipe: a connected stream socketpair, two-way, inheritable; pipe means p9pipe. */
#include "t.h"

static void
both_directions_then_eof(void)
{
	int p[2];
	char buf[8];

	CHECK(p9pipe(p) == 0);
	CHECK(write(p[0], "ping", 4) == 4);
	CHECK(read(p[1], buf, sizeof buf) == 4 && memcmp(buf, "ping", 4) == 0);
	CHECK(write(p[1], "pong", 4) == 4);
	CHECK(read(p[0], buf, sizeof buf) == 4 && memcmp(buf, "pong", 4) == 0);
	close(p[0]);
	CHECK(read(p[1], buf, sizeof buf) == 0);
	close(p[1]);
}

static void
ends_are_connected_unix_stream_sockets(void)
{
	int p[2], v;
	socklen_t len;

	CHECK(p9pipe(p) == 0);
	len = sizeof v;
	CHECK(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM);
#ifdef SO_DOMAIN
	{
		int d;

		len = sizeof d;
		CHECK(getsockopt(p[1], SOL_SOCKET, SO_DOMAIN, &d, &len) == 0 && d == AF_UNIX);
	}
#else
	{
		struct sockaddr_un sa;

		len = sizeof sa;
		CHECK(getsockname(p[1], (struct sockaddr*)&sa, &len) == 0 && sa.sun_family == AF_UNIX);
	}
#endif
#ifdef __linux__
	{
		struct ucred a, b;

		len = sizeof a;
		CHECK(getsockopt(p[0], SOL_SOCKET, SO_PEERCRED, &a, &len) == 0 && a.pid == getpid());
		len = sizeof b;
		CHECK(getsockopt(p[1], SOL_SOCKET, SO_PEERCRED, &b, &len) == 0 && b.pid == getpid());
	}
#else
	/* A stream socketpair's peer is its maker, by getpeereid, on FreeBSD, OpenBSD and macOS
	 * (src/sys/); NetBSD and DragonFly record no peer for a socketpair (t.h). */
	{
		uid_t u;
		gid_t g;

		if(T_PEER_ON_SOCKETPAIR){
			CHECK(getpeereid(p[0], &u, &g) == 0 && u == geteuid() && g == getegid());
			CHECK(getpeereid(p[1], &u, &g) == 0 && u == geteuid() && g == getegid());
		}else{
			CHECK_ERR(getpeereid(p[0], &u, &g), T_E_PEER_ON_SOCKETPAIR);
			CHECK_ERR(getpeereid(p[1], &u, &g), T_E_PEER_ON_SOCKETPAIR);
		}
	}
#endif
	t_close2(p);
}

static void
ends_are_inherited_across_exec(void)
{
	int p[2], st;
	char probe[32];

	CHECK(p9pipe(p) == 0);
	CHECK(!t_cloexec(p[0]) && !t_cloexec(p[1]));
	snprintf(probe, sizeof probe, "sock:%d,%d", p[0], p[1]);
	st = t_probe_exec(probe);
	if(st == -2)
		t_skip_case(T_NOPROBE);
	else
		CHECK(st == 0);
	t_close2(p);
}

static void
null_is_efault(void)
{
	CHECK_ERR(p9pipe(NULL), EFAULT);
}

static void
pipe_means_p9pipe(void)
{
	int p[2];
	struct stat st;

	CHECK(pipe(p) == 0);
	CHECK(fstat(p[0], &st) == 0 && S_ISSOCK(st.st_mode));
	t_close2(p);
}

static void
full_table(void)
{
	int v[2] = { -7, -7 };

	t_squeeze(1);
	CHECK_ERR(p9pipe(v), EMFILE);
	CHECK(v[0] == -7 && v[1] == -7);
	t_squeeze(0);
	CHECK_ERR(p9pipe(v), EMFILE);
	CHECK(v[0] == -7 && v[1] == -7);
}

static void
full_table_is_emfile_and_fd_untouched(void)
{
	int st;

	st = t_child(full_table);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
p9pipe_carries_descriptors(void)
{
	int p[2];

	CHECK(p9pipe(p) == 0);
	CHECK(t_passes(p[1], p[0], 0));
	t_close2(p);
}

int
main(void)
{
	t_begin();
	T(both_directions_then_eof);
	T(ends_are_connected_unix_stream_sockets);
	T(ends_are_inherited_across_exec);
	T(null_is_efault);
	T(pipe_means_p9pipe);
	T_RLIMIT(full_table_is_emfile_and_fd_untouched);
	T(p9pipe_carries_descriptors);
	return t_end();
}
