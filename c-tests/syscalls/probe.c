/*
 * Driven by c-tests/syscalls.sh under strace.
 *
 *	probe calls	one of each call, for the audit of flags
 *	probe eintr	recvmsg fails once with EINTR (injected): recvfd says EINTR, nothing is
 *			consumed, and the next recvfd gets the descriptor
 *	probe eagain	sendmsg fails once with EAGAIN (injected): sendfd says EAGAIN, nothing is
 *			queued, and the next sendfd sends exactly one
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <p9fd.h>

int
main(int argc, char **argv)
{
	int sv[2], g, fds[2] = { 1, 2 }, n = 2;
	char c;

	if(argc != 2 || p9pipe(sv) < 0)
		return 2;
	if(strcmp(argv[1], "calls") == 0){
		if(sendfd(sv[0], 1) != 0 || (g = recvfd(sv[1])) < 0)
			return 1;
		close(g);
		if(sendfdmsg(sv[0], "x", 1, fds, 2) != 1 || recvfdmsg(sv[1], &c, 1, fds, &n, P9FD_CLOEXEC) != 1)
			return 1;
		return 0;
	}
	if(strcmp(argv[1], "eintr") == 0){
		if(sendfd(sv[0], 1) != 0)
			return 1;
		if(recvfd(sv[1]) != -1 || errno != EINTR)
			return 1;
		g = recvfd(sv[1]);
		return g < 0;
	}
	if(strcmp(argv[1], "eagain") == 0){
		if(sendfd(sv[0], 1) != -1 || errno != EAGAIN || sendfd(sv[0], 1) != 0)
			return 1;
		if((g = recvfd(sv[1])) < 0)
			return 1;
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		return !(recvfd(sv[1]) == -1 && errno == EAGAIN);
	}
	return 2;
}
