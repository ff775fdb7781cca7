/*
 * The default library does not take APUE's names: a program with its own send_fd, send_err,
 * recv_fd and recv_ufd links against libp9fd (static and shared) and calls its own.
 */
#include "t.h"

int
send_fd(int fd, int fd_to_send)
{
	return fd + fd_to_send + 1000;
}

int
send_err(int fd, int errcode, const char *msg)
{
	(void)msg;
	return fd + errcode + 2000;
}

int
recv_fd(int fd, ssize_t (*userfunc)(int, const void *, size_t))
{
	(void)userfunc;
	return fd + 3000;
}

int
recv_ufd(int fd, uid_t *uid, ssize_t (*userfunc)(int, const void *, size_t))
{
	(void)uid;
	(void)userfunc;
	return fd + 4000;
}

static void
own_apue_names_are_called(void)
{
	int sv[2];

	CHECK(send_fd(1, 2) == 1003);
	CHECK(send_err(1, 2, "") == 2003);
	CHECK(recv_fd(1, NULL) == 3001);
	CHECK(recv_ufd(1, NULL, NULL) == 4001);
	CHECK(p9pipe(sv) == 0);
	CHECK(t_passes(sv[0], sv[1], 1));
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(own_apue_names_are_called);
	return t_end();
}
