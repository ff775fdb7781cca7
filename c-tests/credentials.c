/*
 * Other control messages beside SCM_RIGHTS: credentials (SO_PASSCRED) are ignored, a pidfd
 * (SO_PASSPIDFD, itself a new descriptor) is closed; the descriptor sent is still returned,
 * and a message without one is still EBADMSG.
 */
#include "t.h"

#ifdef SO_PASSCRED	/* Linux's; the other systems' credentials: src/sys/, apue/apue_ufd */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76	/* Linux 6.5 */
#endif

static int
set(int s, int opt)
{
	int on = 1;

	return setsockopt(s, SOL_SOCKET, opt, &on, sizeof on);
}

/* With opt set on the receiver before the peer sends, recvfd adds exactly one descriptor. */
static void
exactly(int opt)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int i, sv[2], f, g;
	Census a, b;

	f = t_file("creds");
	for(i = 0; i < 3; i++){
		if(!t_pair(types[i], sv))
			continue;
		if(set(sv[1], opt) < 0){
			CHECK(errno == ENOPROTOOPT);
			fprintf(stderr, "skip: socket option %d not on this kernel\n", opt);
			t_close2(sv);
			break;
		}
		CHECK(sendfd(sv[0], f) == 0);
		CHECK(write(sv[0], "p", 1) == 1);
		t_census(&a);
		g = recvfd(sv[1]);
		t_census(&b);
		CHECK(g >= 0 && t_same_file(f, g));
		CHECK(b.n == a.n + 1);
		close(g);
		/* a plain byte with credentials (and a pidfd) is still no descriptor */
		CHECK_ERR(recvfd(sv[1]), EBADMSG);
		t_census(&b);
		CHECK(b.n == a.n);
		t_close2(sv);
	}
	close(f);
}

static void
passcred_is_ignored(void)
{
	exactly(SO_PASSCRED);
}

static void
passpidfd_is_closed(void)
{
	exactly(SO_PASSPIDFD);
}

static void
passcred_and_passpidfd_together(void)
{
	int sv[2], f;

	f = t_file("both");
	CHECK(p9pipe(sv) == 0);
	set(sv[1], SO_PASSCRED);
	set(sv[1], SO_PASSPIDFD);
	CHECK(t_passes(sv[0], sv[1], f));
	close(f);
	t_close2(sv);
}

/* 253 descriptors plus credentials plus a pidfd: all fit the receive buffer, so the kernel
 * truncates nothing: recvfdmsg hands out all 253 (a cut would be EMSGSIZE), and recvfd
 * refuses with EBADMSG, not EMFILE. */
static void
worst_case_fits_the_buffer(void)
{
	int sv[2], i, w[253], got[253], n;
	char c;
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if(rl.rlim_cur < 1024){
		rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	CHECK(p9pipe(sv) == 0);
	set(sv[1], SO_PASSCRED);
	set(sv[1], SO_PASSPIDFD);
	for(i = 0; i < 253; i++)
		w[i] = 1;
	CHECK(t_rawsend(sv[0], "", 1, w, 253) == 1);
	n = 253;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 253);
	for(i = 0; i < 253 && n == 253; i++){
		CHECK(t_same_file(got[i], 1));
		close(got[i]);
	}
	CHECK(t_rawsend(sv[0], "", 1, w, 253) == 1);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(passcred_is_ignored);
	T(passpidfd_is_closed);
	T(passcred_and_passpidfd_together);
	T(worst_case_fits_the_buffer);
	return t_end();
}
#else
int
main(void)
{
	t_begin();
	T_SKIP(passcred_is_ignored, "no SO_PASSCRED on this system");
	T_SKIP(passpidfd_is_closed, "no SO_PASSPIDFD on this system");
	T_SKIP(passcred_and_passpidfd_together, "no SO_PASSCRED on this system");
	T_SKIP(worst_case_fits_the_buffer, "no SO_PASSCRED on this system");
	return t_end();
}
#endif
