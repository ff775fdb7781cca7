/*
 * Where APUE's recv_fd aborts, p9fd's returns -1 with errno set and leaves nothing open:
 * no 0 byte before EOF, status 0 without a descriptor, several descriptors, EOF, a
 * descriptor sent with an error status, malformed datagrams, a failing userfunc.
 */
#include "../t.h"

static ssize_t
discard(int fd, const void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	return n;
}

static ssize_t
refuse(int fd, const void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	(void)n;
	errno = EIO;
	return -1;
}

static void
eof_is_econnreset(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	close(sv[0]);
	CHECK_ERR(recv_fd(sv[1], discard), ECONNRESET);
	close(sv[1]);
}

static void
text_without_terminator_then_eof_is_econnreset(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	CHECK(write(sv[0], "no null here", 12) == 12);
	close(sv[0]);
	CHECK_ERR(recv_fd(sv[1], discard), ECONNRESET);
	close(sv[1]);
}

static void
status_zero_without_descriptor_is_ebadmsg(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	CHECK(write(sv[0], "\0\0", 2) == 2);
	CHECK_ERR(recv_fd(sv[1], discard), EBADMSG);
	CHECK(t_passes(sv[0], sv[1], 1));	/* lib9's sendfd byte... */
	t_close2(sv);
}

static void
two_descriptors_are_ebadmsg_and_closed(void)
{
	int sv[2], p[2], w[2];

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	w[0] = w[1] = p[1];
	CHECK(t_rawsend(sv[0], "\0\0", 2, w, 2) == 2);
	close(p[1]);
	CHECK_ERR(recv_fd(sv[1], discard), EBADMSG);
	CHECK(t_oracle_eof(p));
	t_close2(sv);
}

static void
descriptor_with_error_status_is_closed_and_status_reported(void)
{
	int sv[2], p[2];

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	CHECK(t_rawsend(sv[0], "\0\x09", 2, &p[1], 1) == 2);
	close(p[1]);
	CHECK(recv_fd(sv[1], discard) == -9);
	CHECK(t_oracle_eof(p));
	t_close2(sv);
}

static void
descriptor_table_full_is_emfile(void)
{
	int sv[2], p[2], st;
	pid_t pid;

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	CHECK(t_rawsend(sv[0], "\0\0", 2, &p[1], 1) == 2);
	close(p[1]);
	fflush(NULL);
	pid = fork();
	if(pid == 0){
		t_squeeze(0);
		_exit(recv_fd(sv[1], discard) == -1 && errno == EMFILE ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(t_oracle_eof(p));
	t_close2(sv);
}

static void
malformed_datagrams_are_ebadmsg(void)
{
	/* no 0 before the status; a 0 inside the text (status 0, status 5); empty; too short */
	const char *bad[] = { "abc", "a\0b\0\0", "a\0b\0\5", "", "\0", "x\0" };
	int lens[] = { 3, 5, 5, 0, 1, 2 };
	int k, i, sv[2], types[] = { SOCK_DGRAM, SOCK_SEQPACKET };

	for(k = 0; k < 2; k++){
		if(!t_pair(types[k], sv))
			continue;
		t_nonblock(sv[1], 1);	/* a record that was not queued fails, not hangs */
		for(i = 0; i < 6; i++){
			if(lens[i] == 0 && types[k] == SOCK_SEQPACKET && !T_EMPTY_SEQPACKET_IS_A_RECORD)
				continue;	/* t.h */
			CHECK(send(sv[0], bad[i], lens[i], 0) == lens[i]);
			CHECK_ERR(recv_fd(sv[1], discard), EBADMSG);
		}
		CHECK(send_fd(sv[0], 1) == 0);	/* and the next good one works */
		i = recv_fd(sv[1], discard);
		CHECK(i >= 0 && t_same_file(i, 1));
		close(i);
		t_close2(sv);
	}
}

static void
failing_userfunc_fails_recv_fd(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	CHECK(send_err(sv[0], -ENOENT, "text") == 0);
	CHECK_ERR(recv_fd(sv[1], refuse), EIO);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(eof_is_econnreset);
	T(text_without_terminator_then_eof_is_econnreset);
	T(status_zero_without_descriptor_is_ebadmsg);
	T(two_descriptors_are_ebadmsg_and_closed);
	T(descriptor_with_error_status_is_closed_and_status_reported);
	T_RLIMIT(descriptor_table_full_is_emfile);
	T(malformed_datagrams_are_ebadmsg);
	T(failing_userfunc_fails_recv_fd);
	return t_end();
}
