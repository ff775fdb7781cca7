/* The peer is gone: sendfd says EPIPE without SIGPIPE, recvfd says ECONNRESET. */
#include "t.h"

static int sock;

static void
send_to_closed_peer(void)
{
	/* SIGPIPE has its default action here: if it were raised, the child would die of it */
	signal(SIGPIPE, SIG_DFL);
	CHECK_ERR(sendfd(sock, 0), EPIPE);
	CHECK_ERR(sendfd(sock, 0), EPIPE);
}

static void
sendfd_to_closed_peer_is_epipe_without_sigpipe(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET };
	int i, sv[2], st;

	for(i = 0; i < 2; i++){
		if(!t_pair(types[i], sv))
			continue;
		close(sv[1]);
		sock = sv[0];
		st = t_child(send_to_closed_peer);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		close(sv[0]);
	}
}

/* NetBSD queues the sends instead (t.h): they succeed, and closing the pair disposes of them. */
static void
send_to_peer_that_reads_no_more(void)
{
	signal(SIGPIPE, SIG_DFL);
	CHECK(sendfd(sock, 0) == 0);
}

static void
sendfd_after_peer_shut_down_reading_is_epipe(void)
{
	int sv[2], st;

	CHECK(p9pipe(sv) == 0);
	CHECK(shutdown(sv[1], SHUT_RD) == 0);
	sock = sv[0];
	st = t_child(T_EPIPE_AFTER_PEER_SHUT_RD ? send_to_closed_peer : send_to_peer_that_reads_no_more);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_close2(sv);
}

static void
recvfd_at_eof_is_econnreset_every_time(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET };
	int i, sv[2];

	for(i = 0; i < 2; i++){
		if(!t_pair(types[i], sv))
			continue;
		close(sv[0]);
		CHECK_ERR(recvfd(sv[1]), ECONNRESET);
		CHECK_ERR(recvfd(sv[1]), ECONNRESET);
		close(sv[1]);
	}
	CHECK(p9pipe(sv) == 0);
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	CHECK_ERR(recvfd(sv[1]), ECONNRESET);
	t_close2(sv);
}

/* Descriptors queued before the peer left are still delivered, then EOF. */
static void
queued_descriptor_outlives_its_sender(void)
{
	int sv[2], f, g;

	CHECK(p9pipe(sv) == 0);
	f = t_file("left behind");
	CHECK(sendfd(sv[0], f) == 0);
	close(f);
	close(sv[0]);
	g = recvfd(sv[1]);
	CHECK(g >= 0);
	CHECK_ERR(recvfd(sv[1]), ECONNRESET);
	close(g);
	close(sv[1]);
}

/* We sent data the peer never read, and it closed: the kernel says ECONNRESET once, then
 * end of file; both read as ECONNRESET. */
static void
peer_closed_with_unread_data_is_econnreset(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	CHECK(write(sv[1], "unread", 6) == 6);
	close(sv[0]);
	CHECK_ERR(recvfd(sv[1]), ECONNRESET);
	CHECK_ERR(recvfd(sv[1]), ECONNRESET);
	close(sv[1]);
}

int
main(void)
{
	t_begin();
	T(sendfd_to_closed_peer_is_epipe_without_sigpipe);
	T(sendfd_after_peer_shut_down_reading_is_epipe);
	T(recvfd_at_eof_is_econnreset_every_time);
	T(queued_descriptor_outlives_its_sender);
	T(peer_closed_with_unread_data_is_econnreset);
	return t_end();
}
