/* recvfdmsg's edges: too little room, EOF, zero-length messages, bad arguments, no table. */
#include "t.h"

static void
more_than_room_is_emsgsize_all_closed_outputs_untouched(void)
{
	int sv[2], p[2], w[3], i, n, got[2] = { -7, -7 };
	char buf[8];

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	for(i = 0; i < 3; i++)
		w[i] = p[1];
	CHECK(sendfdmsg(sv[0], "three", 5, w, 3) == 5);
	close(p[1]);
	n = 2;
	CHECK_ERR(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0), EMSGSIZE);
	CHECK(n == 2 && got[0] == -7 && got[1] == -7);
	CHECK(t_oracle_eof(p));
	/* room 0: any descriptor at all is too many */
	CHECK(sendfd(sv[0], 1) == 0);
	n = 0;
	CHECK_ERR(recvfdmsg(sv[1], buf, sizeof buf, NULL, &n, 0), EMSGSIZE);
	CHECK(n == 0);
	/* the stream is still in step */
	CHECK(t_passes(sv[0], sv[1], 1));
	t_close2(sv);
}

static void
eof_is_zero_with_no_descriptors(void)
{
	int sv[2], n, got[1];
	char buf[4];

	CHECK(p9pipe(sv) == 0);
	close(sv[0]);
	n = 1;
	CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 0 && n == 0);
	close(sv[1]);
}

static void
zero_length_message_returns_zero_with_descriptors(void)
{
	int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };
	int i, sv[2], n, got[4], fds[2] = { 0, 2 };
	char buf[4];

	for(i = 0; i < 2; i++){
		if(!t_pair(types[i], sv))
			continue;
		CHECK(t_rawsend(sv[0], "", 0, fds, 2) == 0);
		n = 4;
		CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 0 && n == 2);
		CHECK(t_same_file(got[0], 0) && t_same_file(got[1], 2));
		close(got[0]);
		close(got[1]);
		t_close2(sv);
	}
}

static void
bad_arguments(void)
{
	int sv[2], n, got[2];
	char buf[4];

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfd(sv[0], 1) == 0);
	n = 2;
	CHECK_ERR(recvfdmsg(sv[1], buf, 4, got, NULL, 0), EFAULT);
	CHECK_ERR(recvfdmsg(sv[1], NULL, 4, got, &n, 0), EFAULT);
	CHECK_ERR(recvfdmsg(sv[1], buf, 4, NULL, &n, 0), EFAULT);
	CHECK_ERR(recvfdmsg(sv[1], buf, 0, got, &n, 0), EINVAL);
	CHECK_ERR(recvfdmsg(sv[1], NULL, 0, got, &n, 0), EINVAL);
	CHECK_ERR(recvfdmsg(sv[1], buf, -1, got, &n, 0), EINVAL);
	n = -1;
	CHECK_ERR(recvfdmsg(sv[1], buf, 4, got, &n, 0), EINVAL);
	CHECK(n == -1);
	n = 2;
	CHECK_ERR(recvfdmsg(-1, buf, 4, got, &n, 0), EBADF);
	/* none of that consumed the message */
	n = 2;
	CHECK(recvfdmsg(sv[1], buf, 4, got, &n, 0) == 1 && n == 1);
	close(got[0]);
	t_close2(sv);
}

/* Room above P9FD_MAXFDS is fine: the kernel never delivers more. */
static void
huge_room_is_capped(void)
{
	int sv[2], n, got[1];
	char c;

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfd(sv[0], 1) == 0);
	n = 1000000;	/* a lie about the array: only what arrives is written */
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 1);
	close(got[0]);
	t_close2(sv);
}

static int tfsv[2];

static void
three_into_one_free_slot(void)
{
	int n, got[3] = { -7, -7, -7 };
	char c;
	Census a, b;

	t_squeeze(1);
	t_census(&a);
	n = 3;
	CHECK_ERR(recvfdmsg(tfsv[1], &c, 1, got, &n, 0), EMFILE);
	t_census(&b);
	CHECK(a.n == b.n);
	CHECK(n == 3 && got[0] == -7);
}

static void
full_table_three_sent_room_for_one_is_emfile(void)
{
	int p[2], w[3], i, st;

	CHECK(p9pipe(tfsv) == 0);
	t_oracle(p);
	for(i = 0; i < 3; i++)
		w[i] = p[1];
	CHECK(sendfdmsg(tfsv[0], "x", 1, w, 3) == 1);
	close(p[1]);
	st = t_child(three_into_one_free_slot);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(t_oracle_eof(p));
	t_close2(tfsv);
}

static void
passcred_receiver(void)
{
	int sv[2], on, n, got[2], fds[2] = { 1, 2 };
	char buf[8];

#ifndef SO_PASSCRED
	(void)sv, (void)on, (void)n, (void)got, (void)fds, (void)buf;
	t_skip_case("no SO_PASSCRED on this system");
	return;
#else
	CHECK(p9pipe(sv) == 0);
	on = 1;
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0);
	CHECK(sendfdmsg(sv[0], "cred", 4, fds, 2) == 4);
	n = 2;
	CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 4 && n == 2);
	CHECK(t_same_file(got[0], 1) && t_same_file(got[1], 2));
	close(got[0]);
	close(got[1]);
	t_close2(sv);
#endif
}

int
main(void)
{
	t_begin();
	T(more_than_room_is_emsgsize_all_closed_outputs_untouched);
	T(eof_is_zero_with_no_descriptors);
	T(zero_length_message_returns_zero_with_descriptors);
	T(bad_arguments);
	T_RLIMIT(huge_room_is_capped);
	T_RLIMIT(full_table_three_sent_room_for_one_is_emfile);
	T(passcred_receiver);
	return t_end();
}
