/*
 * APUE's protocol, both ways, against a raw sendmsg/recvmsg peer written from its description:
 * optional text, a 0 byte, a status byte; status 0 carries exactly one SCM_RIGHTS descriptor.
 */
#include "../t.h"

static char text[65536];
static size_t ntext;

/* userfunc: keeps the text. It is never handed an empty piece (APUE's recv_fd calls it only
 * when there is text). */
static ssize_t
collect(int fd, const void *buf, size_t n)
{
	CHECK(fd == STDERR_FILENO);
	CHECK(n > 0);
	if(ntext + n > sizeof text)
		return -1;
	memcpy(text + ntext, buf, n);
	ntext += n;
	return n;
}

static void
raw_descriptor_to_recv_fd(void)
{
	int sv[2], f, g;

	CHECK(p9pipe(sv) == 0);
	f = t_file("apue");
	CHECK(t_rawsend(sv[0], "\0\0", 2, &f, 1) == 2);
	ntext = 0;
	g = recv_fd(sv[1], collect);
	CHECK(g >= 0 && t_same_file(f, g));
	CHECK(ntext == 0);
	CHECK(!t_cloexec(g));
	close(g);
	close(f);
	t_close2(sv);
}

static void
raw_error_with_text_to_recv_fd(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	CHECK(write(sv[0], "cannot open\0\x02", 13) == 13);
	ntext = 0;
	errno = 0;
	CHECK(recv_fd(sv[1], collect) == -2);
	CHECK(errno == 2);
	CHECK(ntext == 11 && memcmp(text, "cannot open", 11) == 0);
	/* APUE's own send_err writes the text first, then the status: two writes */
	CHECK(write(sv[0], "two ", 4) == 4);
	CHECK(write(sv[0], "parts", 5) == 5);
	CHECK(write(sv[0], "\0\x07", 2) == 2);
	ntext = 0;
	CHECK(recv_fd(sv[1], collect) == -7);
	CHECK(ntext == 9 && memcmp(text, "two parts", 9) == 0);
	t_close2(sv);
}

static void
send_fd_sends_zero_zero_and_one_descriptor(void)
{
	int sv[2], fds[4], nfds, flags;
	unsigned char buf[16];

	CHECK(p9pipe(sv) == 0);
	CHECK(send_fd(sv[0], 1) == 0);
	CHECK(t_rawrecv(sv[1], buf, sizeof buf, fds, 4, &nfds, &flags) == 2);
	CHECK(buf[0] == 0 && buf[1] == 0);
	CHECK(nfds == 1 && t_same_file(fds[0], 1));
	if(nfds > 0)
		close(fds[0]);
	t_close2(sv);
}

/* Status bytes: -fd_to_send's low 8 bits, never 0. */
static void
negative_fd_to_send_is_a_status(void)
{
	int sv[2], i, fds[4], nfds, flags;
	int in[] = { -5, -255, -256, -257, -1 };
	unsigned char want[] = { 5, 255, 1, 1, 1 }, buf[16];

	CHECK(p9pipe(sv) == 0);
	for(i = 0; i < 5; i++){
		CHECK(send_fd(sv[0], in[i]) == 0);
		CHECK(t_rawrecv(sv[1], buf, sizeof buf, fds, 4, &nfds, &flags) == 2);
		CHECK(buf[0] == 0 && buf[1] == want[i] && nfds == 0);
	}
	t_close2(sv);
}

static void
send_err_sends_text_then_status_in_one_message(void)
{
	int sv[2], fds[4], nfds, flags;
	unsigned char buf[64];

	CHECK(p9pipe(sv) == 0);
	CHECK(send_err(sv[0], -ENOENT, "no such file") == 0);
	CHECK(t_rawrecv(sv[1], buf, sizeof buf, fds, 4, &nfds, &flags) == 14);
	CHECK(memcmp(buf, "no such file\0", 13) == 0 && buf[13] == ENOENT && nfds == 0);
	CHECK(send_err(sv[0], 5, NULL) == 0);	/* errcode >= 0 becomes -1 */
	CHECK(t_rawrecv(sv[1], buf, sizeof buf, fds, 4, &nfds, &flags) == 2);
	CHECK(buf[0] == 0 && buf[1] == 1);
	t_close2(sv);
}

static void
send_err_to_recv_fd(void)
{
	int sv[2], g;

	CHECK(p9pipe(sv) == 0);
	CHECK(send_err(sv[0], -ENOENT, "no such file") == 0);
	CHECK(send_fd(sv[0], 2) == 0);
	ntext = 0;
	errno = 0;
	CHECK(recv_fd(sv[1], collect) == -ENOENT);
	CHECK(errno == ENOENT);
	CHECK(ntext == 12 && memcmp(text, "no such file", 12) == 0);
	/* the stream is in step: the descriptor that followed is next */
	ntext = 0;
	g = recv_fd(sv[1], collect);
	CHECK(g >= 0 && t_same_file(g, 2));
	close(g);
	t_close2(sv);
}

static void
long_text_arrives_whole_and_in_order(void)
{
	static char msg[20001];
	int sv[2], i, g, go[2];
	char c;

	CHECK(p9pipe(sv) == 0);
	CHECK(t_pipe2(go, 0) == 0);
	for(i = 0; i < 20000; i++)
		msg[i] = 'a' + i % 26;
	msg[20000] = 0;
	if(fork() == 0){	/* the writer must not wait for the reader */
		close(sv[1]);
		close(go[1]);
		if(send_err(sv[0], -E2BIG, msg) != 0)
			_exit(1);
		/* where a send on a full stream fails at once (t.h), the descriptor waits until
		 * the reader has the text */
		if(!T_FULL_STREAM_SEND_WAITS && read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(send_fd(sv[0], 1) == 0 ? 0 : 3);
	}
	close(sv[0]);
	close(go[0]);
	ntext = 0;
	CHECK(recv_fd(sv[1], collect) == -E2BIG);
	CHECK(ntext == 20000 && memcmp(text, msg, 20000) == 0);
	if(!T_FULL_STREAM_SEND_WAITS)
		CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	g = recv_fd(sv[1], NULL);
	CHECK(g >= 0 && t_same_file(g, 1));
	close(g);
	CHECK(wait(&i) > 0 && WIFEXITED(i) && WEXITSTATUS(i) == 0);
	close(sv[1]);
}

static void
seqpacket_and_datagram(void)
{
	int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };
	int k, sv[2], g;

	for(k = 0; k < 2; k++){
		if(!t_pair(types[k], sv))
			continue;
		CHECK(send_err(sv[0], -EACCES, "denied") == 0);
		CHECK(send_fd(sv[0], 1) == 0);
		ntext = 0;
		CHECK(recv_fd(sv[1], collect) == -EACCES);
		CHECK(ntext == 6 && memcmp(text, "denied", 6) == 0);
		g = recv_fd(sv[1], collect);
		CHECK(g >= 0 && t_same_file(g, 1));
		close(g);
		t_close2(sv);
	}
}

/* fd_to_send 0 is descriptor 0, status 0: only a negative one is a status. */
static void
send_fd_sends_descriptor_zero(void)
{
	int sv[2], g;

	CHECK(p9pipe(sv) == 0);
	CHECK(send_fd(sv[0], 0) == 0);
	ntext = 0;
	g = recv_fd(sv[1], collect);
	CHECK(g > 0 && t_same_file(g, 0));
	CHECK(ntext == 0);
	if(g > 0)
		close(g);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(raw_descriptor_to_recv_fd);
	T(raw_error_with_text_to_recv_fd);
	T(send_fd_sends_zero_zero_and_one_descriptor);
	T(negative_fd_to_send_is_a_status);
	T(send_fd_sends_descriptor_zero);
	T(send_err_sends_text_then_status_in_one_message);
	T(send_err_to_recv_fd);
	T(long_text_arrives_whole_and_in_order);
	T(seqpacket_and_datagram);
	return t_end();
}
