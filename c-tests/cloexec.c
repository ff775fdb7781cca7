/*
 * P9FD_CLOEXEC: descriptors received with it are close-on-exec, set by the kernel as it
 * installs them; a program exec'ed afterwards never sees them. Without it they are inherited.
 */
#include "t.h"

static void
flag_is_set_only_when_asked(void)
{
	int sv[2], n, got[2], fds[2] = { 0, 1 };
	char c;

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfdmsg(sv[0], "a", 1, fds, 2) == 1);
	CHECK(sendfdmsg(sv[0], "b", 1, fds, 2) == 1);
	n = 2;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, P9FD_CLOEXEC) == 1 && n == 2);
	CHECK(t_cloexec(got[0]) && t_cloexec(got[1]));
	close(got[0]);
	close(got[1]);
	n = 2;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 2);
	CHECK(!t_cloexec(got[0]) && !t_cloexec(got[1]));
	close(got[0]);
	close(got[1]);
	t_close2(sv);
}

static void
other_flags_are_einval_and_consume_nothing(void)
{
	int sv[2], n, got[1], bad[] = { MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, 1, -1, P9FD_CLOEXEC|MSG_PEEK };
	unsigned i;
	char c;

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfd(sv[0], 1) == 0);
	for(i = 0; i < sizeof bad / sizeof bad[0]; i++){
		n = 1;
		got[0] = -7;
		CHECK_ERR(recvfdmsg(sv[1], &c, 1, got, &n, bad[i]), EINVAL);
		CHECK(n == 1 && got[0] == -7);
	}
	n = 1;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 1);
	close(got[0]);
	t_close2(sv);
}

/*
 * Whether an exec'ed program still has descriptor fd open (t_probe_exec's "open" probe): 1 or
 * 0, or t_probe_exec's -1 or -2.
 */
static int
open_after_exec(int fd)
{
	char probe[32];
	int r;

	snprintf(probe, sizeof probe, "open:%d", fd);
	r = t_probe_exec(probe);
	return r < 0 ? r : r == 0;
}

static void
exec_never_sees_cloexec_descriptors(void)
{
	int sv[2], n, g, f;
	char c;

	if(open_after_exec(0) == -2){
		t_skip_case(T_NOPROBE);
		return;
	}
	CHECK(p9pipe(sv) == 0);
	f = t_file("secret");
	CHECK(sendfd(sv[0], f) == 0);
	CHECK(sendfd(sv[0], f) == 0);
	n = 1;
	CHECK(recvfdmsg(sv[1], &c, 1, &g, &n, P9FD_CLOEXEC) == 1 && n == 1);
	CHECK(open_after_exec(g) == 0);
	close(g);
	g = recvfd(sv[1]);	/* the control: an inherited descriptor is seen */
	CHECK(open_after_exec(g) == 1);
	close(g);
	close(f);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(flag_is_set_only_when_asked);
	T(other_flags_are_einval_and_consume_nothing);
	T(exec_never_sees_cloexec_descriptors);
	return t_end();
}
