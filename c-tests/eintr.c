/*
 * A signal whose handler was installed without SA_RESTART interrupts a blocked sendfd or
 * recvfd: -1/EINTR, nothing sent or consumed, and no retry inside the library. (NetBSD's
 * sendfd does not wait on a full stream: EMSGSIZE at once, nothing sent; t.h.)
 */
#include "t.h"

static void
blocked_recvfd_is_eintr(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	t_alarm_soon();
	CHECK_ERR(recvfd(sv[1]), EINTR);
	CHECK(t_alarms == 1);
	/* nothing was lost: the next message arrives whole */
	CHECK(t_passes(sv[0], sv[1], 2));
	t_close2(sv);
}

static void
blocked_sendfd_is_eintr_and_sends_nothing(void)
{
	int sv[2], p[2], fds[4], nfds, flags, seen;
	char buf[4096];
	long filled, drained;
	ssize_t n;

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	memset(buf, 'f', sizeof buf);
	/* fill the socket with plain bytes */
	t_nonblock(sv[0], 1);
	filled = 0;
	while((n = write(sv[0], buf, sizeof buf)) > 0)
		filled += n;
	while((n = write(sv[0], buf, 1)) > 0)
		filled += n;
	CHECK(errno == EAGAIN);
	t_nonblock(sv[0], 0);
	if(T_FULL_STREAM_SEND_WAITS){
		t_alarm_soon();
		CHECK_ERR(sendfd(sv[0], p[1]), EINTR);
		CHECK(t_alarms == 1);
	}else
		CHECK_ERR(sendfd(sv[0], p[1]), EMSGSIZE);	/* at once, not a wait: t.h */
	close(p[1]);
	/* drain: exactly the filler, and no descriptor */
	t_nonblock(sv[1], 1);
	drained = 0;
	seen = 0;
	while((n = t_rawrecv(sv[1], buf, sizeof buf, fds, 4, &nfds, &flags)) > 0){
		drained += n;
		seen += nfds;
	}
	CHECK(drained == filled);
	CHECK(seen == 0);
	CHECK(t_oracle_eof(p));
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(blocked_recvfd_is_eintr);
	T(blocked_sendfd_is_eintr_and_sends_nothing);
	return t_end();
}
