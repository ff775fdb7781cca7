/* sendfd and recvfd over p9pipe: the peer gets the same open file, inheritable. */
#include "t.h"

static void
received_fd_is_the_same_open_file(void)
{
	int sv[2], f, g;
	char buf[8];

	CHECK(p9pipe(sv) == 0);
	f = t_file("hello");
	CHECK(sendfd(sv[0], f) == 0);
	g = recvfd(sv[1]);
	CHECK(g >= 0);
	CHECK(g != f);
	CHECK(t_same_file(f, g));
	CHECK(fcntl(f, F_GETFD) >= 0);	/* still open in the sender */
	/* one open file description: the offset is shared */
	CHECK(lseek(f, 1, SEEK_SET) == 1);
	CHECK(lseek(g, 0, SEEK_CUR) == 1);
	CHECK(read(g, buf, 4) == 4 && memcmp(buf, "ello", 4) == 0);
	CHECK(lseek(f, 0, SEEK_CUR) == 5);
	close(f);
	close(g);
	t_close2(sv);
}

static void
received_fd_is_not_close_on_exec(void)
{
	int sv[2], f, g;

	CHECK(p9pipe(sv) == 0);
	f = open("/dev/null", O_RDONLY|O_CLOEXEC);
	CHECK(sendfd(sv[0], f) == 0);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && !t_cloexec(g));
	close(f);
	close(g);
	t_close2(sv);
}

static void
each_recvfd_adds_exactly_one_descriptor(void)
{
	int sv[2], i, g[4];
	Census a, b;

	CHECK(p9pipe(sv) == 0);
	for(i = 0; i < 4; i++)
		CHECK(sendfd(sv[0], 1) == 0);
	for(i = 0; i < 4; i++){
		t_census(&a);
		g[i] = recvfd(sv[1]);
		t_census(&b);
		CHECK(g[i] >= 0 && b.n == a.n + 1);
	}
	for(i = 0; i < 4; i++)
		close(g[i]);
	t_close2(sv);
}

static void
sending_a_socket_over_itself_works(void)
{
	int sv[2], g, h;

	CHECK(p9pipe(sv) == 0);
	CHECK(sendfd(sv[0], sv[0]) == 0);
	CHECK(sendfd(sv[0], sv[1]) == 0);
	g = recvfd(sv[1]);
	h = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(g, sv[0]));
	CHECK(h >= 0 && t_same_file(h, sv[1]));
	close(g);
	close(h);
	t_close2(sv);
}

#ifdef O_PATH
static void
an_o_path_descriptor_can_be_sent(void)
{
	int sv[2], f, g;

	CHECK(p9pipe(sv) == 0);
	f = open("/", O_PATH);
	CHECK(sendfd(sv[0], f) == 0);
	g = recvfd(sv[1]);
	CHECK(g >= 0 && t_same_file(f, g));
	close(f);
	close(g);
	t_close2(sv);
}
#endif

int
main(void)
{
	t_begin();
	T(received_fd_is_the_same_open_file);
	T(received_fd_is_not_close_on_exec);
	T(each_recvfd_adds_exactly_one_descriptor);
	T(sending_a_socket_over_itself_works);
#ifdef O_PATH
	T(an_o_path_descriptor_can_be_sent);
#else
	T_SKIP(an_o_path_descriptor_can_be_sent, "no O_PATH on this system");
#endif
	return t_end();
}
