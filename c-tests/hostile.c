/*
 * A hostile or dying peer, and faults the library cannot prevent but must survive: MSG_OOB,
 * ETOOMANYREFS, a sender SIGKILLed mid-stream, a receiver killed with descriptors queued,
 * shutdown from another thread, a listening socket, and someone else read()ing the socket.
 * Every case runs between two censuses with canaries open, and every descriptor that could
 * hide in a queue is a pipe's write end checked with the pipe-EOF oracle.
 */
#include "t.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

/*
 * T27. One byte with a descriptor sent as out-of-band data: a normal receive drops the OOB
 * byte together with its descriptor (the kernel closes it), so a non-blocking recvfd says
 * EAGAIN, leaks nothing, and the stream stays in step. Skipped where the kernel lacks
 * AF_UNIX MSG_OOB (EOPNOTSUPP).
 */
static void
oob_descriptor_is_dropped_by_the_kernel_not_leaked(void)
{
	int sv[2], p[2], g, r;

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	r = t_rawsend_len(sv[0], "o", 1, &p[1], 1, sizeof(int), MSG_OOB);
	if(r < 0 && errno == EOPNOTSUPP){
		fprintf(stderr, "skip: no MSG_OOB on AF_UNIX here\n");
		close(p[1]);
		close(p[0]);
		t_close2(sv);
		return;
	}
	CHECK(r == 1);
	close(p[1]);
	t_nonblock(sv[1], 1);
	CHECK_ERR(recvfd(sv[1]), EAGAIN);
	CHECK(t_oracle_eof(p));	/* the kernel closed the OOB descriptor: no copy survives */
	t_nonblock(sv[1], 0);
	CHECK(t_passes(sv[0], sv[1], 1));	/* in step */

	/* Two bytes with a descriptor, OOB: the descriptor comes with the first (normal) byte,
	 * the second is the OOB byte and is dropped. */
	t_oracle(p);
	CHECK(t_rawsend_len(sv[0], "ab", 2, &p[1], 1, sizeof(int), MSG_OOB) == 2);
	close(p[1]);
	g = recvfd(sv[1]);
	CHECK(g >= 0);
	if(g >= 0)
		close(g);
	t_nonblock(sv[1], 1);
	CHECK_ERR(recvfd(sv[1]), EAGAIN);
	CHECK(t_oracle_eof(p));
	t_close2(sv);
}

/*
 * T34. A process without CAP_SYS_RESOURCE may have at most RLIMIT_NOFILE descriptors in flight
 * (per user). sendfd and sendfdmsg then fail with ETOOMANYREFS, the sender's descriptors stay
 * open, nothing is queued, plain data still goes, and once the peer drains, sending works
 * again. Run in a child that drops to uid 65534 (the suite runs as root, which is exempt).
 */
static void
too_many_refs_child(void)
{
	int sv[2], fds[10], got[P9FD_MAXFDS], i, n, sent;
	char c;
	struct rlimit rl, low;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	for(i = 0; i < 10; i++)
		fds[i] = 1;	/* standard output, ten times: the same file, ten references */
	if(getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0)){
		perror("setuid");
		_exit(2);
	}
	/* only the soft limit, so that it can be raised again to receive */
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	low = rl;
	low.rlim_cur = 16;
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	/* The limit is checked before each message is added: 0 and 10 in flight pass, 20 not. */
	for(sent = 0; sent < 10 && sendfdmsg(sv[0], "m", 1, fds, 10) == 1; sent++)
		;
	CHECK(sent == 2);
	CHECK_ERR(sendfdmsg(sv[0], "m", 1, fds, 10), ETOOMANYREFS);
	CHECK_ERR(sendfd(sv[0], 1), ETOOMANYREFS);
	CHECK(fcntl(1, F_GETFD) >= 0);	/* the sender's descriptor is untouched */
	CHECK(write(sv[0], "d", 1) == 1);	/* plain data still goes */
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	/* exactly the two messages that were reported sent are queued, then the byte */
	for(i = 0; i < 2; i++){
		n = P9FD_MAXFDS;
		CHECK(recvfdmsg(sv[1], &c, 1, got, &n, P9FD_CLOEXEC) == 1 && n == 10);
		while(n > 0)
			close(got[--n]);
	}
	n = P9FD_MAXFDS;
	CHECK(recvfdmsg(sv[1], &c, 1, got, &n, 0) == 1 && n == 0 && c == 'd');
	t_nonblock(sv[1], 1);
	CHECK_ERR(recvfd(sv[1]), EAGAIN);
	/* drained: sending works again */
	CHECK(sendfd(sv[0], 1) == 0);
	i = recvfd(sv[1]);
	CHECK(i >= 0 && t_same_file(i, 1));
	close(i);
	t_close2(sv);
}

static void
too_many_descriptors_in_flight_is_etoomanyrefs(void)
{
	int st;

	st = t_child(too_many_refs_child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * T15. A sender SIGKILLed mid-stream, after queueing three descriptors and half of a
 * four-byte payload message: the three still arrive and work, the partial plain data is
 * EBADMSG byte by byte, and then it is end of file, every time.
 */
static int killsv[2];
static int killp[3][2];
static int ready[2];

static void
sender_then_wait(void)
{
	int i;

	close(killsv[1]);
	close(ready[0]);
	for(i = 0; i < 3; i++)
		if(sendfd(killsv[0], killp[i][1]) != 0)
			_exit(1);
	if(write(killsv[0], "ab", 2) != 2 || write(ready[1], "r", 1) != 1)
		_exit(1);
	for(;;)
		pause();
}

static void
sender_killed_mid_stream(void)
{
	int i, g, st;
	pid_t pid;
	char r;

	CHECK(p9pipe(killsv) == 0);
	CHECK(t_pipe2(ready, O_CLOEXEC) == 0);
	for(i = 0; i < 3; i++)
		t_oracle(killp[i]);
	fflush(NULL);
	pid = fork();
	if(pid == 0){
		t_failures = 0;
		sender_then_wait();
	}
	CHECK(pid > 0);
	close(killsv[0]);
	close(ready[1]);
	for(i = 0; i < 3; i++)
		close(killp[i][1]);
	g = recvfd(killsv[1]);
	CHECK(g >= 0);
	CHECK(read(ready[0], &r, 1) == 1);	/* everything is queued: kill it mid-stream */
	close(ready[0]);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));
	CHECK(g >= 0 && write(g, "1", 1) == 1);	/* it works after its sender died */
	if(g >= 0)
		close(g);
	for(i = 1; i < 3; i++){
		g = recvfd(killsv[1]);
		CHECK(g >= 0 && write(g, "x", 1) == 1);
		if(g >= 0)
			close(g);
	}
	CHECK_ERR(recvfd(killsv[1]), EBADMSG);	/* 'a' */
	CHECK_ERR(recvfd(killsv[1]), EBADMSG);	/* 'b' */
	CHECK_ERR(recvfd(killsv[1]), ECONNRESET);
	CHECK_ERR(recvfd(killsv[1]), ECONNRESET);
	close(killsv[1]);
	for(i = 0; i < 3; i++){
		char buf[2];
		t_nonblock(killp[i][0], 1);
		CHECK(read(killp[i][0], buf, 1) == 1);	/* the byte written through it */
		CHECK(t_oracle_eof(killp[i]));
	}
}

/*
 * T16. A receiver killed with descriptors queued to it: the kernel releases them all.
 */
static void
receiver_killed_with_descriptors_queued(void)
{
	int sv[2], p[5][2], i, st;
	pid_t pid;

	CHECK(p9pipe(sv) == 0);
	fflush(NULL);
	pid = fork();
	if(pid == 0){
		close(sv[0]);
		for(;;)
			pause();
	}
	CHECK(pid > 0);
	close(sv[1]);
	for(i = 0; i < 5; i++){
		t_oracle(p[i]);
		CHECK(sendfd(sv[0], p[i][1]) == 0);
		close(p[i][1]);
	}
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));
	close(sv[0]);
	for(i = 0; i < 5; i++)
		CHECK(t_oracle_eof(p[i]));
}

/*
 * T18. A thread blocked in recvfd is woken by shutdown(SHUT_RD) from another thread, and told
 * ECONNRESET (end of file).
 */
static int shutsv[2];

static void *
blocked_receiver(void *arg)
{
	int *res = arg;

	errno = 0;
	res[0] = recvfd(shutsv[1]);
	res[1] = errno;
	return NULL;
}

static void
shutdown_wakes_a_blocked_recvfd(void)
{
	pthread_t t;
	int res[2];

	CHECK(p9pipe(shutsv) == 0);
	CHECK(pthread_create(&t, NULL, blocked_receiver, res) == 0);
	usleep(20000);	/* let it block; if it has not yet, it sees the shutdown at once */
	CHECK(shutdown(shutsv[1], SHUT_RD) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(res[0] == -1 && res[1] == ECONNRESET);
	t_close2(shutsv);
}

/*
 * T09. A listening socket neither sends nor receives descriptors. It is bound to an abstract
 * name on Linux (autobind), elsewhere to a file in /tmp.
 */
static void
listening_socket(void)
{
	int s;
	socklen_t len;
	struct sockaddr_un a;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	len = sizeof(sa_family_t);	/* autobind */
	if(!T_LINUX){
		snprintf(a.sun_path, sizeof a.sun_path, "/tmp/p9fd-listen.%ld", (long)getpid());
		unlink(a.sun_path);
		len = sizeof a;
	}
	CHECK(bind(s, (struct sockaddr*)&a, len) == 0);
	CHECK(listen(s, 1) == 0);
	CHECK_ERR(sendfd(s, 1), ENOTCONN);
	CHECK_ERR(recvfd(s), T_E_RECV_LISTENING);
	{
		int fds[1] = { 1 }, n = 1;
		char c;
		CHECK_ERR(sendfdmsg(s, "x", 1, fds, 1), ENOTCONN);
		CHECK_ERR(recvfdmsg(s, &c, 1, fds, &n, 0), T_E_RECV_LISTENING);
	}
	close(s);
	if(!T_LINUX)
		unlink(a.sun_path);
}

/*
 * T41. Someone else read()s the byte that carries a descriptor: the kernel closes the
 * descriptor silently (NetBSD a little later: T_DISPOSE_DEFERRED). Nothing for the library
 * to detect; the oracle shows nothing leaks.
 */
static void
plain_read_of_a_descriptor_byte_leaks_nothing(void)
{
	int sv[2], p[2];
	char c;

	CHECK(p9pipe(sv) == 0);
	t_oracle(p);
	CHECK(sendfd(sv[0], p[1]) == 0);
	close(p[1]);
	CHECK(read(sv[1], &c, 1) == 1 && c == 0);
	CHECK(t_oracle_eof(p));
	CHECK(t_passes(sv[0], sv[1], 2));	/* and the stream is in step */
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(oob_descriptor_is_dropped_by_the_kernel_not_leaked);
	if(T_INFLIGHT_IS_RLIMIT)	/* per-system: t.h, src/sys/ */
		T_RLIMIT(too_many_descriptors_in_flight_is_etoomanyrefs);	/* the kernel checks RLIMIT_NOFILE */
	else
		T_SKIP(too_many_descriptors_in_flight_is_etoomanyrefs,
			"the in-flight limit by RLIMIT_NOFILE and ETOOMANYREFS are Linux's");
	T(sender_killed_mid_stream);
	T(receiver_killed_with_descriptors_queued);
	T(shutdown_wakes_a_blocked_recvfd);
	T(listening_socket);
	T(plain_read_of_a_descriptor_byte_leaks_nothing);
	return t_end();
}
