/*
 * A datagram or seqpacket message longer than recvfdmsg's buffer: the kernel keeps the first
 * nbuf bytes, discards the rest and says MSG_TRUNC. That is not a success: -1/EMSGSIZE, every
 * descriptor the message brought closed, the message consumed, *nfds and fds unwritten, and
 * the next message received normally. A message that fits exactly is a success. lib9's
 * recvfd reads its one byte of whatever came, as lib9 does; streams have no boundary.
 */
#include "t.h"

static const int types[] = { SOCK_DGRAM, SOCK_SEQPACKET };

static void
longer_than_the_buffer_is_emsgsize_all_closed_consumed(void)
{
	int i, sv[2], p[2], w[2], n, got[4];
	char buf[4];

	for(i = 0; i < 2; i++){
		got[0] = got[1] = -7;
		t_pair(types[i], sv);
		t_oracle(p);
		w[0] = w[1] = p[1];
		CHECK(sendfdmsg(sv[0], "0123456789", 10, w, 2) == 10);
		CHECK(sendfdmsg(sv[0], "abc", 3, w, 1) == 3);
		close(p[1]);
		n = 4;
		CHECK_ERR(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0), EMSGSIZE);
		CHECK(n == 4 && got[0] == -7 && got[1] == -7);
		/* the next message is received whole */
		CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, P9FD_CLOEXEC) == 3);
		CHECK(n == 1 && memcmp(buf, "abc", 3) == 0 && t_cloexec(got[0]));
		close(got[0]);
		CHECK(t_oracle_eof(p));
		t_nonblock(sv[1], 1);
		n = 4;
		CHECK_ERR(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0), EAGAIN);
		t_close2(sv);
	}
}

static void
without_descriptors_too(void)
{
	int i, sv[2], n, got[1];
	char buf[2];

	for(i = 0; i < 2; i++){
		t_pair(types[i], sv);
		CHECK(send(sv[0], "xyz", 3, 0) == 3);
		n = 1;
		CHECK_ERR(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0), EMSGSIZE);
		CHECK(t_passes(sv[0], sv[1], 1));
		t_close2(sv);
	}
}

static void
an_exact_fit_is_a_success(void)
{
	int i, sv[2], f, n, got[1];
	char buf[4];

	f = t_file("fit");
	for(i = 0; i < 2; i++){
		t_pair(types[i], sv);
		CHECK(sendfdmsg(sv[0], "wxyz", 4, &f, 1) == 4);
		n = 1;
		CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 4);
		CHECK(n == 1 && t_same_file(f, got[0]) && memcmp(buf, "wxyz", 4) == 0);
		close(got[0]);
		t_close2(sv);
	}
	close(f);
}

static void
recvfd_reads_one_byte_of_a_long_message(void)
{
	int i, sv[2], f, g;

	f = t_file("lib9");
	for(i = 0; i < 2; i++){
		t_pair(types[i], sv);
		CHECK(sendfdmsg(sv[0], "long message", 12, &f, 1) == 12);
		g = recvfd(sv[1]);
		CHECK(g >= 0 && t_same_file(f, g));
		close(g);
		CHECK(t_passes(sv[0], sv[1], f));
		t_close2(sv);
	}
	close(f);
}

/* A stream has no message boundary: the rest of the bytes stays for the next read. */
static void
a_stream_is_unchanged(void)
{
	int sv[2], f, n, got[1];
	char buf[16];

	f = t_file("stream");
	CHECK(p9pipe(sv) == 0);
	CHECK(sendfdmsg(sv[0], "0123456789", 10, &f, 1) == 10);
	n = 1;
	CHECK(recvfdmsg(sv[1], buf, 4, got, &n, 0) == 4 && n == 1);
	close(got[0]);
	n = 1;
	CHECK(recvfdmsg(sv[1], buf, sizeof buf, got, &n, 0) == 6 && n == 0);
	CHECK(memcmp(buf, "456789", 6) == 0);
	t_close2(sv);
	close(f);
}

int
main(void)
{
	t_begin();
	T(longer_than_the_buffer_is_emsgsize_all_closed_consumed);
	T(without_descriptors_too);
	T(an_exact_fit_is_a_success);
	T(recvfd_reads_one_byte_of_a_long_message);
	T(a_stream_is_unchanged);
	return t_end();
}
