/* With NOPLAN9DEFINES, p9fd.h leaves pipe alone: pipe is the system's. */
#define NOPLAN9DEFINES
#include "t.h"

static void
pipe_is_the_system_pipe(void)
{
	int p[2];
	struct stat st;

	CHECK(pipe(p) == 0);
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	t_close2(p);
	CHECK(p9pipe(p) == 0);
	CHECK(fstat(p[0], &st) == 0 && S_ISSOCK(st.st_mode));
	t_close2(p);
}

int
main(void)
{
	t_begin();
	T(pipe_is_the_system_pipe);
	return t_end();
}
