/*
 * A zero-length datagram or seqpacket message carrying a descriptor is a descriptor, not end
 * of file; a zero-length datagram without one is EBADMSG.
 */
#include "t.h"

static void
zero_length_message_with_descriptor_is_returned(void)
{
	int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };
	int i, sv[2], f, g;

	f = t_file("zero");
	for(i = 0; i < 2; i++){
		if(!t_pair(types[i], sv))
			continue;
		CHECK(t_rawsend(sv[0], "", 0, &f, 1) == 0);
		g = recvfd(sv[1]);
		CHECK(g >= 0 && t_same_file(f, g));
		close(g);
		t_close2(sv);
	}
	close(f);
}

static void
zero_length_datagram_without_descriptor_is_ebadmsg(void)
{
	int sv[2];

	t_pair(SOCK_DGRAM, sv);
	CHECK(send(sv[0], "", 0, 0) == 0);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	CHECK(t_passes(sv[0], sv[1], 1));
	t_close2(sv);
}

/*
 * On a stream the kernel drops descriptors sent with no byte; sendfd never sends that.
 * NetBSD delivers them (T_STREAM_KEEPS_EMPTY_RIGHTS): recvfd returns the descriptor.
 */
static void
stream_drops_zero_length_sends(void)
{
	int sv[2], g;

	CHECK(p9pipe(sv) == 0);
	CHECK(t_rawsend(sv[0], "", 0, &sv[0], 1) == 0);
	t_nonblock(sv[1], 1);
	if(T_STREAM_KEEPS_EMPTY_RIGHTS){
		g = recvfd(sv[1]);
		CHECK(g >= 0 && t_same_file(g, sv[0]));
		if(g >= 0)
			close(g);
	}
	CHECK_ERR(recvfd(sv[1]), EAGAIN);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(zero_length_message_with_descriptor_is_returned);
	T(zero_length_datagram_without_descriptor_is_ebadmsg);
	T(stream_drops_zero_length_sends);
	return t_end();
}
