/*
 * t.h: what every p9fd C test shares. A test is a main() that calls T(case) for each case;
 * T runs the case between two censuses of the descriptor table, and fails it if the set of
 * open descriptors, their identities (st_dev, st_ino) or their FD_CLOEXEC flags changed: a
 * leak, or a close() of the wrong descriptor. t_end() prints the verdict.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p9fd.h"

enum { TMAXFD = 4096 };

typedef struct Census Census;
struct Census {
	int n;
	int fd[TMAXFD];
	dev_t dev[TMAXFD];
	ino_t ino[TMAXFD];
	int flags[TMAXFD];
};

static int t_failures;
static int t_cases;
static const char *t_case = "setup";

#define CHECK(c) t_check((c), #c, __FILE__, __LINE__)

/* CHECK_ERR(call, E): call returns -1 with errno E. */
#define CHECK_ERR(call, e) do { \
	long r_; \
	errno = 0; \
	r_ = (long)(call); \
	t_check_err(r_, errno, (e), #call, __FILE__, __LINE__); \
} while(0)

#define T(fn) t_run(fn, #fn)

/*
 * T_RLIMIT(fn): a case that caps RLIMIT_NOFILE (t_squeeze). Skipped when P9FD_SKIP_RLIMIT is
 * set, as the valgrind pass does: valgrind emulates the soft limit for the descriptors it sees
 * opened, but not for those recvmsg installs, so under it the cases cannot be what they test.
 */
#define T_RLIMIT(fn) do { \
	if(getenv("P9FD_SKIP_RLIMIT") != NULL) \
		fprintf(stderr, "skip %s: P9FD_SKIP_RLIMIT\n", #fn); \
	else \
		T(fn); \
} while(0)

/* The name of errno value e, for messages (glibc's strerrorname_np is not portable). */
static inline const char *
t_errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EFAULT, "EFAULT" }, { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" },
		{ EMFILE, "EMFILE" }, { EPIPE, "EPIPE" }, { ENOTSOCK, "ENOTSOCK" },
		{ EMSGSIZE, "EMSGSIZE" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ECONNRESET, "ECONNRESET" }, { ENOTCONN, "ENOTCONN" },
		{ ETOOMANYREFS, "ETOOMANYREFS" }, { EBADMSG, "EBADMSG" },
		{ ENOPROTOOPT, "ENOPROTOOPT" }, { EACCES, "EACCES" }, { EIO, "EIO" },
	};
	size_t i;

	for(i = 0; i < sizeof names / sizeof names[0]; i++)
		if(names[i].e == e)
			return names[i].name;
	return "?";
}

static inline void
t_fail(const char *file, int line, const char *fmt, const char *what, long r, int e)
{
	fprintf(stderr, "%s:%d: [%s] ", file, line, t_case);
	fprintf(stderr, fmt, what, r, e, t_errname(e));
	fputc('\n', stderr);
	t_failures++;
}

static inline int
t_check(int ok, const char *what, const char *file, int line)
{
	if(!ok)
		t_fail(file, line, "CHECK(%s) failed (r %ld, errno %d %s)", what, 0, errno);
	return ok;
}

static inline void
t_check_err(long r, int got, int want, const char *what, const char *file, int line)
{
	if(r != -1 || got != want){
		t_fail(file, line, "%s = %ld, errno %d %s", what, r, got);
		fprintf(stderr, "\twant -1, errno %s\n", t_errname(want));
	}
}

static inline void
t_census(Census *c)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	int fd;

	c->n = 0;
	d = opendir("/proc/self/fd");
	if(d == NULL){
		perror("opendir /proc/self/fd");
		exit(2);
	}
	while((e = readdir(d)) != NULL && c->n < TMAXFD){
		if(e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if(fd == dirfd(d))
			continue;
		memset(&st, 0, sizeof st);
		fstat(fd, &st);
		c->fd[c->n] = fd;
		c->dev[c->n] = st.st_dev;
		c->ino[c->n] = st.st_ino;
		c->flags[c->n] = fcntl(fd, F_GETFD);
		c->n++;
	}
	closedir(d);
}

static inline int
t_census_find(Census *c, int fd)
{
	int i;

	for(i = 0; i < c->n; i++)
		if(c->fd[i] == fd)
			return i;
	return -1;
}

/* Reports every difference between two censuses; returns how many. */
static inline int
t_census_diff(Census *a, Census *b)
{
	int i, j, bad;

	bad = 0;
	for(i = 0; i < a->n; i++){
		j = t_census_find(b, a->fd[i]);
		if(j < 0){
			fprintf(stderr, "[%s] descriptor %d was closed\n", t_case, a->fd[i]);
			bad++;
		}else if(a->dev[i] != b->dev[j] || a->ino[i] != b->ino[j] || a->flags[i] != b->flags[j]){
			fprintf(stderr, "[%s] descriptor %d changed identity or flags\n", t_case, a->fd[i]);
			bad++;
		}
	}
	for(j = 0; j < b->n; j++)
		if(t_census_find(a, b->fd[j]) < 0){
			fprintf(stderr, "[%s] descriptor %d leaked\n", t_case, b->fd[j]);
			bad++;
		}
	return bad;
}

static Census t_before, t_after;

static inline void
t_run(void (*fn)(void), const char *name)
{
	int f;

	t_case = name;
	t_cases++;
	f = t_failures;
	t_census(&t_before);
	fn();
	t_census(&t_after);
	t_failures += t_census_diff(&t_before, &t_after);
	if(t_failures != f)
		fprintf(stderr, "case %s FAILED\n", name);
}

/*
 * Makes sure 0, 1 and 2 are open (CI may run us without a standard input) and opens a few
 * canary descriptors, so that a wrong close() shows in every census.
 */
static inline void
t_begin(void)
{
	int fd;

	while((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if(fd > 2)
		close(fd);
	open("/dev/null", O_RDONLY);
	open("/", O_RDONLY|O_DIRECTORY);
	memfd_create("canary", 0);
	signal(SIGPIPE, SIG_DFL);
}

static inline int
t_end(void)
{
	if(t_failures)
		fprintf(stderr, "%d cases, %d failures\n", t_cases, t_failures);
	return t_failures != 0;
}

/* A connected pair of Unix-domain sockets of the given type. */
static inline void
t_pair(int type, int sv[2])
{
	if(socketpair(AF_UNIX, type, 0, sv) < 0){
		perror("socketpair");
		exit(2);
	}
}

static inline void
t_close2(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* A file in memory holding s. */
static inline int
t_file(const char *s)
{
	int fd;

	fd = memfd_create("t_file", 0);
	if(fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)){
		perror("memfd");
		exit(2);
	}
	return fd;
}

static inline int
t_same_file(int a, int b)
{
	struct stat sa, sb;

	if(fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static inline int
t_cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static inline void
t_nonblock(int fd, int on)
{
	int fl;

	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, on ? fl|O_NONBLOCK : fl&~O_NONBLOCK);
}

/*
 * sendmsg for the raw peer. musl's sendmsg copies the control data into a 1024-byte buffer
 * (ENOMEM beyond: 253 descriptors need 1032 bytes), so off glibc the system call is made
 * directly; the message is already the kernel's layout, its padding zeroed by the caller.
 */
static inline ssize_t
t_sendmsg(int s, const struct msghdr *msg, int flags)
{
#if defined(__linux__) && !defined(__GLIBC__)
	return syscall(SYS_sendmsg, s, msg, flags);
#else
	return sendmsg(s, msg, flags);
#endif
}

/*
 * The raw peer: sends n data bytes with plain sendmsg (t_sendmsg), with the sender's own SCM_CREDENTIALS
 * first if creds, then, unless ctllen < 0, one SCM_RIGHTS message carrying nfds descriptors
 * whose cmsg_len is CMSG_LEN(ctllen) (ctllen = nfds*sizeof(int) normally; other values make
 * empty or partial messages). Returns sendmsg's result.
 */
static inline ssize_t
t_rawsend_cmsg(int s, const void *buf, size_t n, int creds, const int *fds, int nfds, long ctllen, int flags)
{
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	struct ucred uc;
	size_t len;
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(256*sizeof(int))];
		struct cmsghdr align;
	} u;

	memset(&msg, 0, sizeof msg);
	memset(&u, 0, sizeof u);
	iov.iov_base = (void*)buf;
	iov.iov_len = n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	c = CMSG_FIRSTHDR(&msg);
	len = 0;
	if(creds){
		uc.pid = getpid();
		uc.uid = geteuid();
		uc.gid = getegid();
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof uc);
		memcpy(CMSG_DATA(c), &uc, sizeof uc);
		len += CMSG_SPACE(sizeof uc);
		c = CMSG_NXTHDR(&msg, c);
	}
	if(ctllen >= 0){
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(ctllen);
		memcpy(CMSG_DATA(c), fds, nfds*sizeof(int));
		len += CMSG_SPACE(ctllen);
	}
	msg.msg_controllen = len;
	if(len == 0)
		msg.msg_control = NULL;
	return t_sendmsg(s, &msg, flags|MSG_NOSIGNAL);
}

/* t_rawsend_cmsg without credentials, and without a control message if nfds and ctllen are 0 */
static inline ssize_t
t_rawsend_len(int s, const void *buf, size_t n, const int *fds, int nfds, size_t ctllen, int flags)
{
	return t_rawsend_cmsg(s, buf, n, 0, fds, nfds, nfds > 0 || ctllen > 0 ? (long)ctllen : -1, flags);
}

static inline ssize_t
t_rawsend(int s, const void *buf, size_t n, const int *fds, int nfds)
{
	return t_rawsend_len(s, buf, n, fds, nfds, nfds*sizeof(int), 0);
}

/*
 * The raw receiver: one recvmsg with room for everything; the SCM_RIGHTS descriptors found
 * go to fds (at most maxfds, the rest closed) and *nfds; *flags gets msg_flags.
 */
static inline ssize_t
t_rawrecv(int s, void *buf, size_t n, int *fds, int maxfds, int *nfds, int *flags)
{
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	union {
		char buf[CMSG_SPACE(256*sizeof(int)) + 256];
		struct cmsghdr align;
	} u;
	ssize_t r;
	int i, k, fd;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = buf;
	iov.iov_len = n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	*nfds = 0;
	r = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	if(r < 0)
		return r;
	*flags = msg.msg_flags;
	for(c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)){
		if(c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for(i = 0; i < k; i++){
			memcpy(&fd, CMSG_DATA(c) + i*sizeof(int), sizeof fd);
			if(*nfds < maxfds)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	return r;
}

/* One descriptor goes through: sendfd(from, fd), then recvfd(to) gives the same file. */
static inline int
t_passes(int from, int to, int fd)
{
	int g, ok;

	if(sendfd(from, fd) != 0)
		return 0;
	g = recvfd(to);
	ok = g >= 0 && t_same_file(g, fd);
	if(g >= 0)
		close(g);
	return ok;
}

/* A pipe whose write end is p[1]: the pipe-EOF oracle. */
static inline void
t_oracle(int p[2])
{
	if(pipe2(p, O_CLOEXEC) < 0){
		perror("pipe2");
		exit(2);
	}
}

/* Whether no copy of the oracle's write end survives anywhere (its read end sees EOF). */
static inline int
t_oracle_eof(int p[2])
{
	char c;
	ssize_t r;

	t_nonblock(p[0], 1);
	r = read(p[0], &c, 1);
	close(p[0]);
	return r == 0;
}

/* SIGALRMs caught since t_alarm_soon. */
static volatile sig_atomic_t t_alarms;

static inline void
t_onalarm(int sig)
{
	(void)sig;
	t_alarms++;
}

/*
 * SIGALRM in 50 ms, with a handler installed without SA_RESTART: a system call blocked then
 * fails with EINTR.
 */
static inline void
t_alarm_soon(void)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = t_onalarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = 50000;
	t_alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Runs fn in a child process; returns its wait status. */
static inline int
t_child(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if(pid < 0){
		perror("fork");
		exit(2);
	}
	if(pid == 0){
		t_failures = 0;
		fn();
		_exit(t_failures != 0);
	}
	if(waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* Lowers RLIMIT_NOFILE so that exactly `free` descriptor slots are left. */
static inline void
t_squeeze(int free)
{
	struct rlimit rl;
	int fd, top;

	/* fill the holes below the highest descriptor, then cap the table above it */
	top = -1;
	while((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < 64)
		top = fd;
	if(fd >= 0)
		close(fd);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = top + 1 + free;
	if(setrlimit(RLIMIT_NOFILE, &rl) < 0){
		perror("setrlimit");
		exit(2);
	}
}
