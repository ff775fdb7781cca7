/* Messages queued before anyone receives arrive whole and in order. */
#include "t.h"

enum { N = 8 };

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
		for(i = 0; i < N; i++){
			g = recvfd(sv[1]);
			CHECK(g >= 0 && t_same_file(f[i], g));
			close(g);
		}
		t_nonblock(sv[1], 1);
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
