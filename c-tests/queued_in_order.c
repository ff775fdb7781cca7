/*
 * Messages queued before anyone receives arrive whole and in order. Four: NetBSD 6.99.16's
 * datagram receive buffer (4 KiB, unpdg_recvspace) holds six such messages, and a seventh is
 * ENOBUFS at once, not a wait. The receiver does not wait either: what was not queued is a
 * failure, not a hang.
 */
#include "t.h"

enum { N = 4 };

static void
queued_descriptors_arrive_in_order(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int i, k, sv[2], f[N], g;

	for(i = 0; i < N; i++)
		f[i] = t_file("queued");
	for(k = 0; k < 3; k++){
		if(!t_pair(types[k], sv))
			continue;
		for(i = 0; i < N; i++)
			CHECK(sendfd(sv[0], f[i]) == 0);
		t_nonblock(sv[1], 1);
		for(i = 0; i < N; i++){
			g = recvfd(sv[1]);
			CHECK(g >= 0 && t_same_file(f[i], g));
			if(g >= 0)
				close(g);
		}
		CHECK_ERR(recvfd(sv[1]), EAGAIN);
		t_close2(sv);
	}
	for(i = 0; i < N; i++)
		close(f[i]);
}

int
main(void)
{
	t_begin();
	T(queued_descriptors_arrive_in_order);
	return t_end();
}
