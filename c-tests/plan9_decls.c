/*
 * p9fd.h next to plan9port's own declarations (from its libc.h) compiles cleanly under
 * -Wall -Werror, and pipe means p9pipe.
 */
#include "t.h"

extern int sendfd(int, int);
extern int recvfd(int);
extern int p9pipe(int*);

static void
plan9_names_link_and_work(void)
{
	int (*s)(int, int) = sendfd;
	int (*r)(int) = recvfd;
	int p[2], g;
	struct stat st;

	CHECK(pipe(p) == 0);	/* p9pipe */
	CHECK(fstat(p[0], &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK(s(p[0], 1) == 0);
	g = r(p[1]);
	CHECK(g >= 0 && t_same_file(g, 1));
	close(g);
	t_close2(p);
}

int
main(void)
{
	t_begin();
	T(plan9_names_link_and_work);
	return t_end();
}
