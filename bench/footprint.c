/*
 * The program whose size make bench compares: it calls sendfd, recvfd and p9pipe (and, with
 * MSG, sendfdmsg and recvfdmsg too), built once on p9fd and once, with BASELINE, on the naive
 * C of baseline.c. The difference in text+data is what p9fd costs a program.
 */
#include <stdio.h>
#include <unistd.h>

#ifdef BASELINE
#include "baseline.h"
#define sendfd base_sendfd
#define recvfd base_recvfd
#define pipe base_p9pipe
#else
#include <p9fd.h>
#endif

int
main(void)
{
	int p[2], fd;

	if(pipe(p) < 0 || sendfd(p[0], 1) < 0 || (fd = recvfd(p[1])) < 0){
		perror("footprint");
		return 1;
	}
	close(fd);
#ifdef MSG
	{
		char buf[1];
		int out, fds[1], n;

		out = 1;
		n = 1;
		if(sendfdmsg(p[0], "x", 1, &out, 1) < 0 || recvfdmsg(p[1], buf, 1, fds, &n, 0) < 0){
			perror("footprint");
			return 1;
		}
		close(fds[0]);
	}
#endif
	return 0;
}
