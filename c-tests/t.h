/*
 * t.h: what every p9fd C test shares. A test is a main() that calls T(case) for each case;
 * T runs the case between two censuses of the descriptor table, and fails it if the set of
 * open descriptors, their identities (st_dev, st_ino) or their FD_CLOEXEC flags changed: a
 * leak, or a close() of the wrong descriptor. t_end() prints the verdict.
 *
 * Portable: where /proc/self/fd is absent (the BSDs, macOS) the census scans the table with
 * fcntl(F_GETFD), and the exec'd probes (t_probe_exec) re-run the test binary itself; with
 * P9FD_NOPROC set, Linux does the same and checks each scan against /proc/self/fd. What a
 * system lacks is a skip (t_skip, T_SKIP), printed as "skip: why" and never counted: a
 * program whose cases were all skipped exits 77, which run.sh reports as a skip.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "p9fd.h"

/*
 * What differs between the systems the suite runs on, one place each. T_LINUX marks what only
 * Linux has (SO_PASSCRED and SCM_CREDENTIALS, SO_PASSPIDFD, SO_PEERCRED's struct ucred,
 * memfd_create, ETOOMANYREFS as the in-flight limit's errno); T_SEQPACKET, whether AF_UNIX
 * has SOCK_SEQPACKET (not on macOS: xnu's uipc_proto.c has stream and datagram only).
 */
#ifdef __linux__
#define T_LINUX 1
#else
#define T_LINUX 0
#endif
#ifdef __APPLE__
#define T_SEQPACKET 0
#else
#define T_SEQPACKET 1
#endif
/*
 * The kernels' own answers where they differ from Linux's, as src/sys/<system>.rs states them
 * from each kernel's sources and tests/models/ models them; the rest is the same everywhere
 * by p9fd's doing (a full table is EMFILE, ...). The NetBSD answers marked "run" are what
 * NetBSD 6.99.16 did booted under qemu (make check-netbsd-vm, docs/platforms.md), each also
 * read in NetBSD 10.99.12's sys/kern (2025):
 *	T_E_RECV_UNCONNECTED_STREAM	recvmsg on an unconnected stream socket: EINVAL on Linux,
 *					ENOTCONN on FreeBSD 15, xnu and NetBSD (run; soreceive)
 *	T_E_RECV_LISTENING		recvmsg on a listening stream socket: EINVAL; ENOTCONN on
 *					NetBSD (run: soreceive asks only whether it is connected)
 *	T_E_SEND_UNCONNECTED_DGRAM	sendmsg without an address on an unconnected datagram
 *					socket: ENOTCONN; EDESTADDRREQ on NetBSD (run; sosend)
 *	T_INFLIGHT_IS_RLIMIT		the per-user in-flight limit is RLIMIT_NOFILE and its
 *					errno ETOOMANYREFS (Linux's unix_inflight; OpenBSD says
 *					EMFILE, NetBSD EAGAIN, for limits of their own)
 */
#if defined(__FreeBSD__) || defined(__APPLE__) || defined(__NetBSD__)
#define T_E_RECV_UNCONNECTED_STREAM ENOTCONN
#else
#define T_E_RECV_UNCONNECTED_STREAM EINVAL
#endif
#ifdef __NetBSD__
#define T_E_RECV_LISTENING ENOTCONN
#define T_E_SEND_UNCONNECTED_DGRAM EDESTADDRREQ
#else
#define T_E_RECV_LISTENING EINVAL
#define T_E_SEND_UNCONNECTED_DGRAM ENOTCONN
#endif
#define T_INFLIGHT_IS_RLIMIT T_LINUX
/*
 *	T_FULL_STREAM_SEND_WAITS	whether a sendfd on a stream whose peer's buffer is full
 *					waits for room; NetBSD (run) fails it at once with EMSGSIZE:
 *					its stream send (uipc_usrreq.c) shrinks the sender's sb_hiwat
 *					by what the peer holds, and sosend refuses control larger
 *					than sb_hiwat
 *	T_DISPOSE_DEFERRED		whether descriptors the kernel disposes of itself (a plain
 *					read past them, several SCM_RIGHTS of which one is kept) are
 *					closed later, not at once: NetBSD (run) queues them for its
 *					unp_gc thread (unp_dispose, unp_discard_later), which runs
 *					when an AF_UNIX socket is closed (unp_detach kicks it) or,
 *					while rights are in flight, once a second; else it sleeps
 *	T_FIRST_RIGHTS_ONLY		whether of several SCM_RIGHTS messages in one send only
 *					the first is delivered (NetBSD, run; DragonFly), the rest
 *					disposed of by the kernel; elsewhere recvfd sees two, EBADMSG
 *	T_STREAM_KEEPS_EMPTY_RIGHTS	whether a stream delivers descriptors sent with no data
 *					byte (NetBSD, run); Linux drops them
 *	T_EPIPE_AFTER_PEER_SHUT_RD	whether a send to a stream peer that shut down its reading
 *					is EPIPE; NetBSD (run) queues it (its stream send never asks
 *					whether the peer can receive more)
 *	T_FULL_TABLE_KEEPS_STREAM_DATA	whether, when a full table fails recvmsg, a stream's data
 *					stays queued, so that the next recvfd reads it without its
 *					descriptors (EBADMSG), then the next message: everywhere but
 *					Linux (MSG_CTRUNC, the data consumed) and illumos (the message
 *					gone); NetBSD run (docs/kernels.md)
 */
/*
 *	T_EMPTY_SEQPACKET_IS_A_RECORD	whether a zero-length seqpacket send with no control is a
 *					record the receiver reads (as a datagram's is); NetBSD (run)
 *					says it sent it and queues nothing (sbappendrecord of no mbuf)
 */
#ifdef __NetBSD__
#define T_EMPTY_SEQPACKET_IS_A_RECORD 0
#define T_FULL_STREAM_SEND_WAITS 0
#define T_DISPOSE_DEFERRED 1
#define T_STREAM_KEEPS_EMPTY_RIGHTS 1
#define T_EPIPE_AFTER_PEER_SHUT_RD 0
#else
#define T_EMPTY_SEQPACKET_IS_A_RECORD 1
#define T_FULL_STREAM_SEND_WAITS 1
#define T_DISPOSE_DEFERRED 0
#define T_STREAM_KEEPS_EMPTY_RIGHTS 0
#define T_EPIPE_AFTER_PEER_SHUT_RD 1
#endif
#if defined(__NetBSD__) || defined(__DragonFly__)
#define T_FIRST_RIGHTS_ONLY 1
#else
#define T_FIRST_RIGHTS_ONLY 0
#endif
#if defined(__linux__) || defined(__sun)
#define T_FULL_TABLE_KEEPS_STREAM_DATA 0
#else
#define T_FULL_TABLE_KEEPS_STREAM_DATA 1
#endif
/*
 *	T_MAX_SEND			the most descriptors one message may carry: 253 (P9FD_MAXFDS),
 *					127 on OpenBSD (its kernel's limit; p9fd says EINVAL past it)
 *	T_PEER_ON_SOCKETPAIR		whether the system names the peer of a stream socketpair;
 *					NetBSD (run: only connect() records ids, unp_connid) and
 *					DragonFly do not: recv_ufd says T_E_PEER_ON_SOCKETPAIR
 *	T_PEER_ON_DGRAM			whether the system names the peer of a datagram socketpair
 *					(Linux, OpenBSD); elsewhere recv_ufd says T_E_PEER_ON_DGRAM
 *	T_PEER_AT_CONNECT		whether recv_ufd's uid is the peer's at connect time
 *					(everywhere but Linux, where p9fd's send_fd sends its own)
 */
#ifdef __OpenBSD__
#define T_MAX_SEND 127
#else
#define T_MAX_SEND P9FD_MAXFDS
#endif
#if defined(__NetBSD__)
#define T_PEER_ON_SOCKETPAIR 0
#define T_E_PEER_ON_SOCKETPAIR EINVAL
#elif defined(__DragonFly__)
#define T_PEER_ON_SOCKETPAIR 0
#define T_E_PEER_ON_SOCKETPAIR ENOTCONN
#else
#define T_PEER_ON_SOCKETPAIR 1
#define T_E_PEER_ON_SOCKETPAIR 0
#endif
#if defined(__linux__) || defined(__OpenBSD__)
#define T_PEER_ON_DGRAM 1
#else
#define T_PEER_ON_DGRAM 0
#endif
#if defined(__sun)
#define T_E_PEER_ON_DGRAM ENOTSUP
#elif defined(__DragonFly__)
#define T_E_PEER_ON_DGRAM ENOTCONN
#else
#define T_E_PEER_ON_DGRAM EINVAL
#endif
#define T_PEER_AT_CONNECT (!T_LINUX)

/* macOS has no MSG_CMSG_CLOEXEC: t_rawrecv sets FD_CLOEXEC itself there */
#ifdef MSG_CMSG_CLOEXEC
#define T_CMSG_CLOEXEC MSG_CMSG_CLOEXEC
#else
#define T_CMSG_CLOEXEC 0
#endif

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
static int t_skips;
static int t_case_skipped;
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

/* T_SKIP(fn, why): a case this system cannot run; printed, never counted as a case. */
#define T_SKIP(fn, why) do { \
	fprintf(stderr, "skip: %s: %s\n", #fn, (why)); \
	t_skips++; \
} while(0)

/*
 * T_RLIMIT(fn): a case that caps RLIMIT_NOFILE (t_squeeze). Skipped when P9FD_SKIP_RLIMIT is
 * set, as the valgrind pass does: valgrind emulates the soft limit for the descriptors it sees
 * opened, but not for those recvmsg installs, so under it the cases cannot be what they test.
 */
#define T_RLIMIT(fn) do { \
	if(getenv("P9FD_SKIP_RLIMIT") != NULL) \
		T_SKIP(fn, "P9FD_SKIP_RLIMIT"); \
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
		{ E2BIG, "E2BIG" }, { ENOBUFS, "ENOBUFS" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ EPROTOTYPE, "EPROTOTYPE" }, { EISCONN, "EISCONN" },
		{ EDESTADDRREQ, "EDESTADDRREQ" },
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

/*
 * The census, two ways. Where /proc/self/fd exists (Linux) it lists the table; elsewhere, or
 * with P9FD_NOPROC set, every slot below the table's size is asked with fcntl(F_GETFD). The
 * size is the larger of RLIMIT_NOFILE now and at t_begin (a case may lower it below
 * descriptors already open); t_begin caps it at T_SCANMAX where it is larger, so the scan
 * covers every slot a descriptor can be opened in.
 */
enum { T_SCANMAX = 65536 };
static long t_scantop;

static inline void
t_census_add(Census *c, int fd)
{
	struct stat st;

	memset(&st, 0, sizeof st);
	fstat(fd, &st);
	c->fd[c->n] = fd;
	c->dev[c->n] = st.st_dev;
	c->ino[c->n] = st.st_ino;
	c->flags[c->n] = fcntl(fd, F_GETFD);
	c->n++;
}

/* The census from /proc/self/fd; -1 if there is none. */
static inline int
t_census_proc(Census *c)
{
	DIR *d;
	struct dirent *e;
	int fd;

	c->n = 0;
	d = opendir("/proc/self/fd");
	if(d == NULL)
		return -1;
	while((e = readdir(d)) != NULL && c->n < TMAXFD){
		if(e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if(fd == dirfd(d))
			continue;
		t_census_add(c, fd);
	}
	closedir(d);
	return 0;
}

static inline void
t_census_scan(Census *c)
{
	struct rlimit rl;
	long top, fd;

	c->n = 0;
	top = t_scantop;
	if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur > top)
		top = rl.rlim_cur;
	if(top > T_SCANMAX)
		top = T_SCANMAX;
	for(fd = 0; fd < top && c->n < TMAXFD; fd++)
		if(fcntl(fd, F_GETFD) >= 0)
			t_census_add(c, fd);
}

static inline int t_census_diff(Census *a, Census *b);

static inline void
t_census(Census *c)
{
	static Census proc;

	if(getenv("P9FD_NOPROC") == NULL){
		if(t_census_proc(c) == 0)
			return;
	}
	t_census_scan(c);
	/* P9FD_NOPROC on Linux: the scan must see what /proc/self/fd lists */
	if(getenv("P9FD_NOPROC") != NULL && t_census_proc(&proc) == 0 && t_census_diff(&proc, c) != 0){
		fprintf(stderr, "[%s] the fcntl scan and /proc/self/fd disagree\n", t_case);
		t_failures++;
	}
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
	t_case_skipped = 0;
	f = t_failures;
	t_census(&t_before);
	fn();
	t_census(&t_after);
	t_failures += t_census_diff(&t_before, &t_after);
	if(t_failures != f)
		fprintf(stderr, "case %s FAILED\n", name);
	else if(t_case_skipped)
		return;	/* t_skip_case: not counted */
	t_cases++;
}

/* Part of the current case cannot run on this system: says which, and why. */
static inline void
t_skip(const char *why)
{
	fprintf(stderr, "skip: %s: %s\n", t_case, why);
}

/* None of the current case can run on this system: it returns at once and is not counted. */
static inline void
t_skip_case(const char *why)
{
	t_skip(why);
	t_skips++;
	t_case_skipped = 1;
}

/* A file with no name (memfd_create on Linux; an unlinked temporary file elsewhere). */
static inline int
t_anonfile(const char *name)
{
#ifdef __linux__
	return memfd_create(name, 0);
#else
	char path[64];
	int fd;

	(void)name;
	snprintf(path, sizeof path, "/tmp/p9fd-t.XXXXXX");
	fd = mkstemp(path);
	if(fd >= 0)
		unlink(path);
	return fd;
#endif
}

/* pipe2 (macOS has none: pipe, then fcntl; the tests that use it have no other thread forking) */
static inline int
t_pipe2(int p[2], int flags)
{
#ifdef __APPLE__
	if(pipe(p) < 0)
		return -1;
	if(flags & O_CLOEXEC){
		fcntl(p[0], F_SETFD, FD_CLOEXEC);
		fcntl(p[1], F_SETFD, FD_CLOEXEC);
	}
	return 0;
#else
	return pipe2(p, flags);
#endif
}

/*
 * Exec'd probes: what a program this one execs still holds. On Linux the program is /bin/sh
 * reading /proc/self/fd (native even under qemu-user); elsewhere, or with P9FD_NOPROC, it is
 * the test binary again (its path in P9FD_SELF, which run.sh and the bundle's script set),
 * which t_begin turns into the probe named by P9FD_PROBE:
 *	open:N		exits 0 if descriptor N is open, 1 if not
 *	sock:N,M	exits 0 if N and M are both sockets, 1 if not
 *	pipes		exits 1 if a pipe above 2 is open that P9FD_INHERITED (",3,7,") does not
 *			list, 0 if none is
 */
static inline int
t_isa(int fd, mode_t type)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static inline void
t_probe(void)
{
	const char *p, *inh;
	char key[24];
	int a, b, fd;

	if((p = getenv("P9FD_PROBE")) == NULL)
		return;
	if(sscanf(p, "open:%d", &a) == 1)
		_exit(fcntl(a, F_GETFD) < 0);
	if(sscanf(p, "sock:%d,%d", &a, &b) == 2)
		_exit(!(t_isa(a, S_IFSOCK) && t_isa(b, S_IFSOCK)));
	if(strcmp(p, "pipes") == 0){
		if((inh = getenv("P9FD_INHERITED")) == NULL)
			inh = "";
		for(fd = 3; fd < T_SCANMAX; fd++){
			snprintf(key, sizeof key, ",%d,", fd);
			if(t_isa(fd, S_IFIFO) && strstr(inh, key) == NULL)
				_exit(1);
		}
		_exit(0);
	}
	_exit(126);
}

#define T_NOPROBE "no /proc/self/fd and no P9FD_SELF to exec (run.sh and the bundle set it)"

static const char t_pipes_sh[] =
	"for f in /proc/$$/fd/*; do n=${f##*/}; "
	"case \"$P9FD_INHERITED\" in *,$n,*) continue;; esac; "
	"[ \"$n\" -gt 2 ] && [ -p \"$f\" ] && exit 1; done; exit 0";

/*
 * Runs the probe (above) in an exec'd child; returns its exit status (0 or 1), -1 if it did
 * not run, -2 if it cannot run here (no /proc/self/fd and P9FD_SELF unset). Only
 * fork, exec and _exit happen in the child, so a thread may call it while others work.
 */
static inline int
t_probe_exec(const char *probe)
{
	extern char **environ;
	char cmd[512], pr[64], inh[256];
	char *env[256];
	const char *self, *p;
	pid_t pid;
	int st, a, b, sh;

	self = getenv("P9FD_SELF");
	sh = getenv("P9FD_NOPROC") == NULL && access("/proc/self/fd", F_OK) == 0;
	if(!sh && self == NULL)
		return -2;	/* the caller skips: T_NOPROBE */
	if(sscanf(probe, "open:%d", &a) == 1)
		snprintf(cmd, sizeof cmd, "test -e /proc/self/fd/%d", a);
	else if(sscanf(probe, "sock:%d,%d", &a, &b) == 2)
		snprintf(cmd, sizeof cmd, "test -S /proc/self/fd/%d && test -S /proc/self/fd/%d", a, b);
	else
		snprintf(cmd, sizeof cmd, "%s", t_pipes_sh);
	snprintf(pr, sizeof pr, "P9FD_PROBE=%s", probe);
	p = getenv("P9FD_INHERITED");
	snprintf(inh, sizeof inh, "P9FD_INHERITED=%s", p != NULL ? p : "");
	/* the caller's environment (LD_LIBRARY_PATH and the like), then the probe's own */
	for(a = 0, b = 0; environ[a] != NULL && b < 253; a++)
		if(strncmp(environ[a], "P9FD_PROBE=", 11) != 0 && strncmp(environ[a], "P9FD_INHERITED=", 15) != 0)
			env[b++] = environ[a];
	env[b++] = pr;
	env[b++] = inh;
	env[b] = NULL;
	fflush(NULL);
	pid = fork();
	if(pid == 0){
		if(sh)
			execl("/bin/sh", "sh", "-c", cmd, (char*)NULL);
		else
			execle(self, self, (char*)NULL, env);
		_exit(127);
	}
	if(pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st);
}

/*
 * Makes sure 0, 1 and 2 are open (CI may run us without a standard input) and opens a few
 * canary descriptors, so that a wrong close() shows in every census.
 */
static inline void
t_begin(void)
{
	struct rlimit rl;
	int fd;

	while((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if(fd > 2)
		close(fd);
	t_probe();
	open("/dev/null", O_RDONLY);
	open("/", O_RDONLY|O_DIRECTORY);
	t_anonfile("canary");
	signal(SIGPIPE, SIG_DFL);
	if(getrlimit(RLIMIT_NOFILE, &rl) == 0){
		if(rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > T_SCANMAX){
			rl.rlim_cur = T_SCANMAX;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		t_scantop = rl.rlim_cur;
	}
}

/* 1 if any case failed; 77 (a skip) if every case was skipped; else 0. */
static inline int
t_end(void)
{
	if(t_failures)
		fprintf(stderr, "%d cases, %d failures\n", t_cases, t_failures);
	if(t_failures == 0 && t_cases == 0 && t_skips > 0)
		return 77;
	return t_failures != 0;
}

/*
 * A connected pair of Unix-domain sockets of the given type. Returns 1; 0 (after a skip line)
 * for SOCK_SEQPACKET where the system has none, so loops over the types go on to the next.
 */
static inline int
t_pair(int type, int sv[2])
{
	if(!T_SEQPACKET && type == SOCK_SEQPACKET){
		t_skip("no AF_UNIX SOCK_SEQPACKET on this system");
		return 0;
	}
	if(socketpair(AF_UNIX, type, 0, sv) < 0){
		perror("socketpair");
		exit(2);
	}
	return 1;
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

	fd = t_anonfile("t_file");
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
	size_t len;
	union {
		char buf[CMSG_SPACE(64) + CMSG_SPACE(256*sizeof(int))];
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
#ifdef SCM_CREDENTIALS
		struct ucred uc;

		uc.pid = getpid();
		uc.uid = geteuid();
		uc.gid = getegid();
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof uc);
		memcpy(CMSG_DATA(c), &uc, sizeof uc);
		len += CMSG_SPACE(sizeof uc);
		c = CMSG_NXTHDR(&msg, c);
#else
		errno = EOPNOTSUPP;	/* no SCM_CREDENTIALS: callers skip */
		return -1;
#endif
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
	r = recvmsg(s, &msg, T_CMSG_CLOEXEC);
	if(r < 0)
		return r;
	*flags = msg.msg_flags;
	for(c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)){
		if(c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for(i = 0; i < k; i++){
			memcpy(&fd, CMSG_DATA(c) + i*sizeof(int), sizeof fd);
			if(T_CMSG_CLOEXEC == 0)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
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
	if(t_pipe2(p, O_CLOEXEC) < 0){
		perror("pipe2");
		exit(2);
	}
}

/*
 * Whether no copy of the oracle's write end survives anywhere (its read end sees EOF). Where
 * the kernel closes what it disposed of later (T_DISPOSE_DEFERRED), a socketpair is made and
 * closed, which wakes the collector, and it is given up to 10 s: a copy alive then is a leak.
 */
static inline int
t_oracle_eof(int p[2])
{
	char c;
	ssize_t r;

	if(T_DISPOSE_DEFERRED){
		struct pollfd pf;
		int kick[2];

		if(socketpair(AF_UNIX, SOCK_STREAM, 0, kick) == 0)
			t_close2(kick);
		pf.fd = p[0];
		pf.events = POLLIN;
		poll(&pf, 1, 10000);
	}
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
