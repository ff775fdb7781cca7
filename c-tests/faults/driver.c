/*
 * The fault-injection driver, run by c-tests/faults.sh under strace's inject=: one scenario a
 * run. A scenario builds a socket pair, queues the message its export is to meet (M1) and a
 * sentinel after it (M2: "z" carrying one descriptor), calls the export once between two
 * getppid() markers (the script fails every system call between them in turn), and checks:
 *
 *	the export succeeded with what the uninjected run gives, or returned -1 with an errno its
 *	man page documents: one its ERRORS section names, or the injected call's own where the
 *	section says that call's errors are passed on (P9FD_DOC_ERRNOS, P9FD_DOC_CALLS);
 *	the queue is what that answer says it is: after a success or an error that says the
 *	message was consumed (EBADMSG, EMSGSIZE, EMFILE) the next receive gets M2; after end of
 *	file (ECONNRESET), end of file; after any other error M1, whole; a failed send sent
 *	nothing, a successful one exactly its message;
 *	no descriptor leaked or was closed that should not be (t.h's census around the case).
 *
 *	driver list		the scenarios this build has, one a line
 *	driver SCENARIO		runs it; exit 0 if every check held
 *
 * Environment: P9FD_FAULT=CALL:ERRNO names the injected fault (unset: none); P9FD_FAULT_CLOSED=N
 * when the fault is a close of descriptor N, which strace skipped: the driver closes N after
 * the call, as Linux releases a descriptor whatever close(2) returns (the export never reads
 * close's result).
 */
#include "../t.h"

static const char *fault_call = "";
static int fault_errno;

/* The errno names faults.sh injects: each system call's list from its Linux man page. */
static const struct { const char *name; int e; } enames[] = {
	{ "EACCES", EACCES }, { "EAFNOSUPPORT", EAFNOSUPPORT }, { "EAGAIN", EAGAIN },
	{ "EALREADY", EALREADY }, { "EBADF", EBADF }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ECONNRESET", ECONNRESET }, { "EDESTADDRREQ", EDESTADDRREQ }, { "EDQUOT", EDQUOT },
	{ "EFAULT", EFAULT }, { "EINTR", EINTR }, { "EINVAL", EINVAL }, { "EIO", EIO },
	{ "EISCONN", EISCONN }, { "EMFILE", EMFILE }, { "EMSGSIZE", EMSGSIZE },
	{ "ENFILE", ENFILE }, { "ENOBUFS", ENOBUFS }, { "ENOMEM", ENOMEM },
	{ "ENOPROTOOPT", ENOPROTOOPT }, { "ENOSPC", ENOSPC }, { "ENOTCONN", ENOTCONN },
	{ "ENOTSOCK", ENOTSOCK }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EPERM", EPERM },
	{ "EPIPE", EPIPE }, { "EPROTONOSUPPORT", EPROTONOSUPPORT }, { "EPROTOTYPE", EPROTOTYPE },
	{ "ETOOMANYREFS", ETOOMANYREFS },
};

static const char *
ename(int e)
{
	size_t i;

	for(i = 0; i < sizeof enames / sizeof enames[0]; i++)
		if(enames[i].e == e)
			return enames[i].name;
	return t_errname(e);
}

/* What the next receive must find. */
enum { NOTHING, ENDOFFILE, DATA };

typedef struct Msg Msg;
struct Msg {
	int kind;
	const char *data;
	int n;
	int nfds;
	int file[4];	/* the files its descriptors are */
};

/*
 * Whether the export's man page documents errno e: P9FD_DOC_ERRNOS lists the errors its
 * ERRORS section names, P9FD_DOC_CALLS the system calls whose errors it says are passed on
 * (faults.sh reads both from the page).
 */
static int
documented(int e)
{
	char key[40];
	const char *named, *calls;

	named = getenv("P9FD_DOC_ERRNOS");
	calls = getenv("P9FD_DOC_CALLS");
	if(named == NULL || calls == NULL){
		fprintf(stderr, "P9FD_DOC_ERRNOS and P9FD_DOC_CALLS unset\n");
		exit(2);
	}
	snprintf(key, sizeof key, " %s ", ename(e));
	if(strstr(named, key) != NULL)
		return 1;
	snprintf(key, sizeof key, " %s ", fault_call);
	return e == fault_errno && fault_errno != 0 && strstr(calls, key) != NULL;
}

static int sv[2], fa, fb, fc, fs;	/* the pair; three files to send; the sentinel's */
static Msg m1, m2;
static long r;
static int e;
static char text[64];
static size_t ntext;

static void
bad(const char *why)
{
	fprintf(stderr, "[%s] %s (returned %ld, errno %s; fault %s %s)\n", t_case, why, r, ename(e),
		fault_call[0] ? fault_call : "none", ename(fault_errno));
	t_failures++;
}

static void
queue(int s, const Msg *m)
{
	int fds[4], i;

	for(i = 0; i < m->nfds; i++)
		fds[i] = m->file[i];
	if(m->kind == DATA && t_rawsend(s, m->data, m->n, fds, m->nfds) != m->n){
		perror("queue");
		exit(2);
	}
}

/* The next receive on s finds m (whole: its bytes, and descriptors of its files). */
static void
next_is(int s, const Msg *m, const char *what)
{
	char buf[256], why[160];
	int fds[8], nfds, flags, i, ok;
	ssize_t n;

	t_nonblock(s, 1);
	errno = 0;
	n = t_rawrecv(s, buf, sizeof buf, fds, 8, &nfds, &flags);
	switch(m->kind){
	case NOTHING:
		ok = n == -1 && errno == EAGAIN;
		break;
	case ENDOFFILE:
		ok = n == 0 && nfds == 0;
		break;
	default:
		ok = n == m->n && memcmp(buf, m->data, m->n) == 0 && nfds == m->nfds;
		for(i = 0; ok && i < nfds; i++)
			ok = t_same_file(fds[i], m->file[i]);
	}
	for(i = 0; n >= 0 && i < nfds; i++)
		close(fds[i]);
	if(!ok){
		snprintf(why, sizeof why, "the next receive is not %s: %zd bytes (\"%.*s\"), %d descriptors, errno %s",
			what, n, n > 0 ? (int)n : 0, buf, n >= 0 ? nfds : 0, n < 0 ? ename(errno) : "0");
		bad(why);
	}
}

static void
setup(int type, const Msg *first)
{
	if(!t_pair(type, sv))
		exit(77);
	fa = t_file("a");
	fb = t_file("b");
	fc = t_file("c");
	fs = t_file("sentinel");
	m1 = *first;
	m1.file[0] = fa;	/* M1's descriptors are a, b and c, in that order */
	m1.file[1] = fb;
	m1.file[2] = fc;
	m2 = (Msg){ DATA, "z", 1, 1, { fs } };
	queue(sv[0], &m1);
	queue(sv[0], &m2);
	ntext = 0;
}

static void
teardown(void)
{
	t_close2(sv);
	close(fa);
	close(fb);
	close(fc);
	close(fs);
}

/* The markers around the export's call: faults.sh fails the system calls between them. */
static void
begin(void)
{
	(void)getppid();
	errno = 0;
}

static void
end(long ret)
{
	const char *c;

	r = ret;
	e = errno;
	(void)getppid();
	if((c = getenv("P9FD_FAULT_CLOSED")) != NULL)
		close(atoi(c));
}

/*
 * A receive's verdict: ok is whether its success delivered M1 as the uninjected run does; on
 * an error, the errno must be documented and the queue as that errno says.
 */
static void
received(int ok)
{
	if(r >= 0 || (r < -1 && e == -r)){	/* a descriptor, or an APUE status */
		if(!ok)
			bad("success, but not with the message");
		next_is(sv[1], &m2, "the sentinel (M1 was received)");
		return;
	}
	if(r != -1)
		bad("neither a result nor -1");
	else if(!documented(e))
		bad("an errno its page does not document");
	else if(e == ECONNRESET){
		static const Msg eof = { ENDOFFILE, "", 0, 0, { 0 } };
		next_is(sv[1], &eof, "end of file (ECONNRESET says so)");
	}else if(e == EBADMSG || e == EMSGSIZE || e == EMFILE)
		next_is(sv[1], &m2, "the sentinel (the errno says M1 was consumed)");
	else
		next_is(sv[1], &m1, "M1 (the errno says nothing was consumed)");
}

/* A send's verdict: on success the peer gets m, and nothing more; on error, nothing. */
static void
sent(const Msg *m, long want)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };

	if(r == want){
		next_is(sv[1], m, "the message sent");
		next_is(sv[1], &none, "empty (one message sent)");
		return;
	}
	if(r != -1)
		bad("neither the byte count nor -1");
	else if(!documented(e))
		bad("an errno its page does not document");
	next_is(sv[1], &none, "empty (the send failed)");
}

static void
p9pipe_(void)
{
	int p[2] = { -7, -7 };

	begin();
	end(p9pipe(p));
	if(r == 0){
		if(!t_isa(p[0], S_IFSOCK) || !t_isa(p[1], S_IFSOCK) || write(p[0], "x", 1) != 1
		|| read(p[1], text, 1) != 1)
			bad("the ends are not a connected pair");
		close(p[0]);
		close(p[1]);
	}else if(r != -1 || !documented(e))
		bad("an errno its page does not document");
	else if(p[0] != -7 || p[1] != -7)
		bad("fd written on error");
}

static void
p9framedpipe_(void)
{
	int p[2] = { -7, -7 };
	int v;
	socklen_t len;

	begin();
	end(p9framedpipe(p, P9FD_CLOEXEC));
	if(r == 0){
		len = sizeof v;
		if(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len) != 0 || v != SOCK_SEQPACKET
		|| !t_cloexec(p[0]) || !t_cloexec(p[1]) || write(p[0], "x", 1) != 1
		|| read(p[1], text, 1) != 1)
			bad("the ends are not a connected close-on-exec seqpacket pair");
		close(p[0]);
		close(p[1]);
	}else if(r != -1 || !documented(e))
		bad("an errno its page does not document");
	else if(p[0] != -7 || p[1] != -7)
		bad("fd written on error");
}

static void
sendfd_(void)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };
	Msg m;

	setup(SOCK_STREAM, &none);
	next_is(sv[1], &m2, "the sentinel");	/* out of the way */
	m = (Msg){ DATA, "\0", 1, 1, { fa } };
	begin();
	end(sendfd(sv[0], fa));
	sent(&m, 0);
	teardown();
}

static void
sendfdmsg_(void)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };
	Msg m;
	int fds[2];

	setup(SOCK_SEQPACKET, &none);
	next_is(sv[1], &m2, "the sentinel");
	m = (Msg){ DATA, "hello", 5, 2, { fa, fb } };
	fds[0] = fa;
	fds[1] = fb;
	begin();
	end(sendfdmsg(sv[0], "hello", 5, fds, 2));
	sent(&m, 5);
	teardown();
}

static void
sendfdmsgall_(void)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };
	Msg m;
	int fds[2];

	setup(SOCK_SEQPACKET, &none);
	next_is(sv[1], &m2, "the sentinel");
	m = (Msg){ DATA, "hello", 5, 2, { fa, fb } };
	fds[0] = fa;
	fds[1] = fb;
	begin();
	end(sendfdmsgall(sv[0], "hello", 5, fds, 2));
	sent(&m, 5);
	teardown();
}

static void
sendfdmsgto_(void)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };
	Msg m;
	int fds[2];

	setup(SOCK_SEQPACKET, &none);
	next_is(sv[1], &m2, "the sentinel");
	m = (Msg){ DATA, "hello", 5, 2, { fa, fb } };
	fds[0] = fa;
	fds[1] = fb;
	begin();
	end(sendfdmsgto(sv[0], "hello", 5, fds, 2, P9FD_DONTWAIT, NULL, 0));
	sent(&m, 5);
	teardown();
}

/* recvfd of one byte with one descriptor, on a stream. */
static void
recvfd_stream(void)
{
	setup(SOCK_STREAM, &(Msg){ DATA, "a", 1, 1, { 0 } });
	begin();
	end(recvfd(sv[1]));
	received(r >= 0 && t_same_file(r, fa));
	if(r >= 0)
		close(r);
	teardown();
}

/* An empty datagram: a message without a descriptor (EBADMSG, consumed), not end of file. */
static void
recvfd_empty_datagram(void)
{
	setup(SOCK_DGRAM, &(Msg){ DATA, "", 0, 0, { 0 } });
	begin();
	end(recvfd(sv[1]));
	received(0);
	if(r >= 0)
		close(r);
	teardown();
}

/* End of file on a stream: ECONNRESET, and end of file after. */
static void
recvfd_end_of_file(void)
{
	static const Msg eof = { ENDOFFILE, "", 0, 0, { 0 } };

	if(!t_pair(SOCK_STREAM, sv))
		exit(77);
	close(sv[0]);
	sv[0] = open("/dev/null", O_RDONLY);	/* for teardown */
	m1 = m2 = eof;
	fa = open("/dev/null", O_RDONLY);
	fb = dup(fa);
	fc = dup(fa);
	fs = dup(fa);
	begin();
	end(recvfd(sv[1]));
	received(0);
	if(r >= 0)
		close(r);
	teardown();
}

/* Two descriptors on one datagram: EBADMSG, both closed, consumed. */
static void
recvfd_two_descriptors(void)
{
	setup(SOCK_DGRAM, &(Msg){ DATA, "a", 1, 2, { 0 } });
	begin();
	end(recvfd(sv[1]));
	received(0);
	if(r >= 0)
		close(r);
	teardown();
}

static long
recvfdmsg_into(int room, long nbuf, int *got, int *nfds)
{
	*nfds = room;
	begin();
	end(recvfdmsg(sv[1], text, nbuf, got, nfds, P9FD_CLOEXEC));
	ntext = r > 0 ? (size_t)r : 0;
	return r;
}

static void
recvfdmsg_stream(void)
{
	int got[4], n, ok, i;

	setup(SOCK_STREAM, &(Msg){ DATA, "hello", 5, 2, { 0 } });
	recvfdmsg_into(4, sizeof text, got, &n);
	ok = r == 5 && memcmp(text, "hello", 5) == 0 && n == 2 && t_same_file(got[0], fa)
		&& t_same_file(got[1], fb) && t_cloexec(got[0]) && t_cloexec(got[1]);
	received(ok);
	for(i = 0; r >= 0 && i < n; i++)
		close(got[i]);
	teardown();
}

/* Three descriptors for one slot: EMSGSIZE, all closed, consumed. */
static void
recvfdmsg_too_many(void)
{
	int got[1], n;

	setup(SOCK_SEQPACKET, &(Msg){ DATA, "hi", 2, 3, { 0 } });
	recvfdmsg_into(1, sizeof text, got, &n);
	received(0);
	if(r >= 0 && n == 1)
		close(got[0]);
	teardown();
}

/* A datagram longer than the buffer: EMSGSIZE, its descriptor closed, consumed. */
static void
recvfdmsg_truncated(void)
{
	int got[1], n;

	setup(SOCK_DGRAM, &(Msg){ DATA, "hello world", 11, 1, { 0 } });
	recvfdmsg_into(1, 4, got, &n);
	received(0);
	if(r >= 0 && n == 1)
		close(got[0]);
	teardown();
}

#ifdef P9FD_APUE
static ssize_t
collect(int fd, const void *p, size_t n)
{
	(void)fd;
	if(ntext + n > sizeof text)
		return -1;
	memcpy(text + ntext, p, n);
	ntext += n;
	return n;
}

static void
send_fd_(void)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };
	Msg m;

	setup(SOCK_STREAM, &none);
	next_is(sv[1], &m2, "the sentinel");
	m = (Msg){ DATA, "\0\0", 2, 1, { fa } };
	begin();
	end(send_fd(sv[0], fa));
	sent(&m, 0);
	teardown();
}

static void
send_err_(void)
{
	static const Msg none = { NOTHING, "", 0, 0, { 0 } };
	Msg m;

	setup(SOCK_SEQPACKET, &none);
	next_is(sv[1], &m2, "the sentinel");
	m = (Msg){ DATA, "oops\0\5", 6, 0, { 0 } };
	begin();
	end(send_err(sv[0], -5, "oops"));
	sent(&m, 0);
	teardown();
}

/* recv_fd of status 0 with a descriptor, on a stream (one two-byte read). */
static void
recv_fd_stream(void)
{
	setup(SOCK_STREAM, &(Msg){ DATA, "\0\0", 2, 1, { 0 } });
	begin();
	end(recv_fd(sv[1], collect));
	received(r >= 0 && t_same_file(r, fa) && ntext == 0);
	if(r >= 0)
		close(r);
	teardown();
}

/* recv_fd of text and a status, on a seqpacket socket (one read). */
static void
recv_fd_status(void)
{
	setup(SOCK_SEQPACKET, &(Msg){ DATA, "oops\0\5", 6, 0, { 0 } });
	begin();
	end(recv_fd(sv[1], collect));
	received(r == -5 && e == 5 && ntext == 4 && memcmp(text, "oops", 4) == 0);
	if(r == -1 && ntext != 0)
		bad("text handed over from a message that was not received");
	teardown();
}

/*
 * recv_ufd of a message that carries no credentials (a raw sender; SO_PASSCRED turned on only
 * by the receive): on Linux the uid comes from SO_PEERCRED.
 */
static void
recv_ufd_raw(void)
{
	uid_t uid = 4242;

	setup(SOCK_STREAM, &(Msg){ DATA, "\0\0", 2, 1, { 0 } });
	begin();
	end(recv_ufd(sv[1], &uid, collect));
	received(r >= 0 && t_same_file(r, fa) && uid == geteuid());
	if(r == -1 && uid != 4242)
		bad("uidptr written on error");
	if(r >= 0)
		close(r);
	teardown();
}

/* recv_ufd of p9fd's send_fd, which attaches credentials on Linux. */
static void
recv_ufd_creds(void)
{
	uid_t uid = 4242;

	if(!t_pair(SOCK_STREAM, sv))
		exit(77);
	fa = t_file("a");
	fb = t_file("b");
	fc = t_file("c");
	fs = t_file("sentinel");
	if(send_fd(sv[0], fa) != 0){
		perror("send_fd");
		exit(2);
	}
	m1 = (Msg){ DATA, "\0\0", 2, 1, { fa } };
	m2 = (Msg){ DATA, "z", 1, 1, { fs } };
	queue(sv[0], &m2);
	begin();
	end(recv_ufd(sv[1], &uid, collect));
	received(r >= 0 && t_same_file(r, fa) && uid == geteuid());
	if(r == -1 && uid != 4242)
		bad("uidptr written on error");
	if(r >= 0)
		close(r);
	teardown();
}
#endif

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "p9pipe", p9pipe_ },
	{ "p9framedpipe", p9framedpipe_ },
	{ "sendfd", sendfd_ },
	{ "sendfdmsg", sendfdmsg_ },
	{ "sendfdmsgall", sendfdmsgall_ },
	{ "sendfdmsgto", sendfdmsgto_ },
	{ "recvfd_stream", recvfd_stream },
	{ "recvfd_empty_datagram", recvfd_empty_datagram },
	{ "recvfd_end_of_file", recvfd_end_of_file },
	{ "recvfd_two_descriptors", recvfd_two_descriptors },
	{ "recvfdmsg_stream", recvfdmsg_stream },
	{ "recvfdmsg_too_many", recvfdmsg_too_many },
	{ "recvfdmsg_truncated", recvfdmsg_truncated },
#ifdef P9FD_APUE
	{ "send_fd", send_fd_ },
	{ "send_err", send_err_ },
	{ "recv_fd_stream", recv_fd_stream },
	{ "recv_fd_status", recv_fd_status },
	{ "recv_ufd_raw", recv_ufd_raw },
	{ "recv_ufd_creds", recv_ufd_creds },
#endif
};

int
main(int argc, char **argv)
{
	const char *f, *colon;
	size_t i, j;

	if(argc == 2 && strcmp(argv[1], "list") == 0){
		for(i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
			printf("%s\n", scenarios[i].name);
		return 0;
	}
	if((f = getenv("P9FD_FAULT")) != NULL && (colon = strchr(f, ':')) != NULL){
		static char call[32];

		snprintf(call, sizeof call, "%.*s", (int)(colon - f), f);
		fault_call = call;
		for(j = 0; j < sizeof enames / sizeof enames[0]; j++)
			if(strcmp(enames[j].name, colon + 1) == 0)
				fault_errno = enames[j].e;
		if(fault_errno == 0){
			fprintf(stderr, "unknown errno %s\n", colon + 1);
			return 2;
		}
	}
	t_begin();
	for(i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		if(argc == 2 && strcmp(argv[1], scenarios[i].name) == 0){
			t_run(scenarios[i].fn, scenarios[i].name);
			return t_end();
		}
	fprintf(stderr, "usage: driver list | driver SCENARIO\n");
	return 2;
}
