/*
 * The receiver's descriptor table is full: the kernel consumes the message, drops the
 * descriptors it cannot install and sets MSG_CTRUNC. recvfd says EMFILE, closes whatever did
 * arrive, and the socket stays usable.
 *
 * Elsewhere the kernel fails the recvmsg instead (FreeBSD and illumos with EMFILE, OpenBSD,
 * NetBSD, DragonFly and xnu with EMSGSIZE), which p9fd reports as EMFILE, and most leave a
 * stream's data queued: p9fd receives nothing more, so the next recvfd reads that data without
 * its descriptors, EBADMSG (T_FULL_TABLE_KEEPS_STREAM_DATA; src/sys/, tests/models/).
 */
#include "t.h"

static int sv[2];
static int oracle[3][2];

static void
table_full_one_fd(void)
{
	int g;

	t_squeeze(0);
	CHECK_ERR(recvfd(sv[1]), EMFILE);
	/* after a slot is freed, the next message works; where the kernel kept the stream's
	 * byte (t.h), it comes first, without its descriptor */
	close(0);
	if(T_FULL_TABLE_KEEPS_STREAM_DATA)
		CHECK_ERR(recvfd(sv[1]), EBADMSG);
	g = recvfd(sv[1]);
	CHECK(g == 0);
}

static void
full_table_is_emfile_then_next_message_works(void)
{
	int st;

	CHECK(p9pipe(sv) == 0);
	t_oracle(oracle[0]);
	CHECK(sendfd(sv[0], oracle[0][1]) == 0);
	CHECK(sendfd(sv[0], 2) == 0);
	close(oracle[0][1]);
	st = t_child(table_full_one_fd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_close2(sv);
	CHECK(t_oracle_eof(oracle[0]));
}

static void
table_with_one_slot_three_fds(void)
{
	Census a, b;

	t_squeeze(1);
	t_census(&a);
	CHECK_ERR(recvfd(sv[1]), EMFILE);
	t_census(&b);
	CHECK(a.n == b.n);
}

static void
three_fds_with_room_for_one_is_emfile_and_all_closed(void)
{
	int st, i, w[3];

	CHECK(p9pipe(sv) == 0);
	for(i = 0; i < 3; i++){
		t_oracle(oracle[i]);
		w[i] = oracle[i][1];
	}
	CHECK(t_rawsend(sv[0], "", 1, w, 3) == 1);
	for(i = 0; i < 3; i++)
		close(w[i]);
	st = t_child(table_with_one_slot_three_fds);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the child consumed the message: no copy is left in any table or queue */
	for(i = 0; i < 3; i++)
		CHECK(t_oracle_eof(oracle[i]));
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T_RLIMIT(full_table_is_emfile_then_next_message_works);
	T_RLIMIT(three_fds_with_room_for_one_is_emfile_and_all_closed);
	return t_end();
}
