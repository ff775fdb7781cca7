/* A message without a descriptor is EBADMSG, never a crash; the stream stays in step. */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static void
plain_byte_is_ebadmsg_and_consumed(void)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int i, sv[2], g;

	for(i = 0; i < 3; i++){
		if(!t_pair(types[i], sv))
			continue;
		CHECK(write(sv[0], "x", 1) == 1);
		CHECK(sendfd(sv[0], 1) == 0);
		CHECK_ERR(recvfd(sv[1]), EBADMSG);
		g = recvfd(sv[1]);	/* the plain byte was consumed: the next message is whole */
		CHECK(g >= 0 && t_same_file(g, 1));
		close(g);
		t_close2(sv);
	}
}

/* "abc" then a descriptor on "x": each plain byte is a message without a descriptor. */
static void
data_before_the_descriptor(void)
{
	int sv[2], f, g;

	CHECK(p9pipe(sv) == 0);
	f = t_file("after");
	CHECK(write(sv[0], "abc", 3) == 3);
	CHECK(t_rawsend(sv[0], "x", 1, &f, 1) == 1);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(f, g));
	close(f);
	close(g);
	t_close2(sv);
}

/* A descriptor on a 2-byte message arrives with the first byte; the second is then plain. */
static void
descriptor_on_two_bytes(void)
{
	int sv[2], f, g;

	CHECK(p9pipe(sv) == 0);
	f = t_file("two");
	CHECK(t_rawsend(sv[0], "ab", 2, &f, 1) == 2);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(f, g));
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	close(f);
	close(g);
	t_close2(sv);
}

static void
empty_or_partial_scm_rights_is_ebadmsg(void)
{
	int sv[2], f;

	CHECK(p9pipe(sv) == 0);
	f = t_file("partial");
	CHECK(t_rawsend_len(sv[0], "e", 1, &f, 0, 0, 0) == 1);
	CHECK(t_rawsend_len(sv[0], "p", 1, &f, 0, 3, 0) == 1);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	CHECK_ERR(recvfd(sv[1]), EBADMSG);
	close(f);
	t_close2(sv);
}

/*
 * Linux's TCP silently drops SCM_RIGHTS: sendfd "succeeds", the peer's recvfd says EBADMSG.
 * (FreeBSD's refuses the send with EINVAL; what the other systems do was not read: sendfd(3).)
 */
static void
tcp_peer_is_ebadmsg(void)
{
	struct sockaddr_in a;
	socklen_t len;
	int l, c, s;

	l = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof a;
	CHECK(bind(l, (struct sockaddr*)&a, sizeof a) == 0);
	CHECK(listen(l, 1) == 0);
	CHECK(getsockname(l, (struct sockaddr*)&a, &len) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr*)&a, sizeof a) == 0);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK(sendfd(c, 1) == 0);
	CHECK_ERR(recvfd(s), EBADMSG);
	close(c);
	CHECK_ERR(recvfd(s), ECONNRESET);
	close(s);
	close(l);
}

static void
udp_peer_is_ebadmsg(void)
{
	struct sockaddr_in a;
	socklen_t len;
	int r, s;

	r = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof a;
	CHECK(bind(r, (struct sockaddr*)&a, sizeof a) == 0);
	CHECK(getsockname(r, (struct sockaddr*)&a, &len) == 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR(sendfd(s, 1), EDESTADDRREQ);
	CHECK(connect(s, (struct sockaddr*)&a, sizeof a) == 0);
	CHECK(sendfd(s, 1) == 0);
	CHECK_ERR(recvfd(r), EBADMSG);
	close(s);
	close(r);
}

int
main(void)
{
	t_begin();
	T(plain_byte_is_ebadmsg_and_consumed);
	T(data_before_the_descriptor);
	T(descriptor_on_two_bytes);
	T(empty_or_partial_scm_rights_is_ebadmsg);
	if(T_LINUX){
		T(tcp_peer_is_ebadmsg);
		T(udp_peer_is_ebadmsg);
	}else{
		T_SKIP(tcp_peer_is_ebadmsg, "Linux's TCP answers");
		T_SKIP(udp_peer_is_ebadmsg, "Linux's UDP answers");
	}
	return t_end();
}
