/* Descriptors passed between a parent and a forked child, both ways. */
#include "t.h"

static int sock;

static void
child_sends_a_file_it_opened(void)
{
	int f;

	f = t_file("made by the child");
	if(sendfd(sock, f) != 0)
		_exit(3);
}

static void
parent_receives_from_child(void)
{
	int sv[2], g, st;
	char buf[32];

	CHECK(p9pipe(sv) == 0);
	sock = sv[0];
	st = t_child(child_sends_a_file_it_opened);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the child is gone, its copy closed; the descriptor in flight lives on */
	g = recvfd(sv[1]);
	CHECK(g >= 0);
	memset(buf, 0, sizeof buf);
	CHECK(pread(g, buf, sizeof buf, 0) == 17 && strcmp(buf, "made by the child") == 0);
	t_nonblock(sv[1], 1);
	CHECK_ERR(recvfd(sv[1]), EAGAIN);	/* exactly one message was queued */
	close(g);
	t_close2(sv);
}

static void
child_receives_and_writes(void)
{
	int g;

	g = recvfd(sock);
	if(g < 0 || write(g, "child wrote", 11) != 11)
		_exit(3);
}

static void
child_receives_from_parent(void)
{
	int sv[2], f, st;
	char buf[16];

	CHECK(p9pipe(sv) == 0);
	f = t_file("");
	CHECK(sendfd(sv[0], f) == 0);
	sock = sv[1];
	st = t_child(child_receives_and_writes);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	memset(buf, 0, sizeof buf);
	CHECK(pread(f, buf, sizeof buf, 0) == 11 && strcmp(buf, "child wrote") == 0);
	/* the child's write moved the shared offset */
	CHECK(lseek(f, 0, SEEK_CUR) == 11);
	close(f);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(parent_receives_from_child);
	T(child_receives_from_parent);
	return t_end();
}
