/* SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM pairs all carry sendfd to recvfd. */
#include "t.h"

static int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };

static void
every_unix_socket_type_carries_a_descriptor(void)
{
	int i, sv[2], f, g;

	f = t_file("kinds");
	for(i = 0; i < 3; i++){
		if(!t_pair(types[i], sv))
			continue;
		CHECK(sendfd(sv[0], f) == 0);
		CHECK(t_passes(sv[1], sv[1], f));
		g = recvfd(sv[0]);
		CHECK(g >= 0 && t_same_file(f, g));
		close(g);
		t_close2(sv);
	}
	close(f);
}

/* A datagram longer than recvfd's one byte: the rest is discarded, the descriptor kept. */
static void
long_datagram_still_gives_its_descriptor(void)
{
	int i, sv[2], f, g, h;
	char msg[10];

	memcpy(msg, "0123456789", sizeof msg);
	f = t_file("long");
	for(i = 1; i < 3; i++){
		if(!t_pair(types[i], sv))
			continue;
		CHECK(t_rawsend(sv[0], msg, sizeof msg, &f, 1) == sizeof msg);
		CHECK(sendfd(sv[0], 1) == 0);
		g = recvfd(sv[1]);
		CHECK(g >= 0 && t_same_file(f, g));
		h = recvfd(sv[1]);	/* the next message is whole: no leftover bytes */
		CHECK(h >= 0 && t_same_file(h, 1));
		close(g);
		close(h);
		t_close2(sv);
	}
	close(f);
}

int
main(void)
{
	t_begin();
	T(every_unix_socket_type_carries_a_descriptor);
	T(long_datagram_still_gives_its_descriptor);
	return t_end();
}
