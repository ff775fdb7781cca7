/*
 * Load: a soak of a million passes with the descriptor table checked as it goes; 8 sender and
 * 8 receiver threads on one socket, every message tagged; and passes across processes while
 * another thread forks and execs, proving that P9FD_CLOEXEC descriptors never reach a child.
 *
 *	P9FD_SOAK	passes in the soak (default 1000000)
 */
#include "t.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

/*
 * The counters and the flag between threads. gcc before 4.7 (NetBSD 6's is 4.5) has no
 * __atomic builtins: there its __sync ones, full barriers, do the same.
 */
#ifdef __ATOMIC_SEQ_CST
#define T_ADD(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define T_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define T_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#else
#define T_ADD(p) __sync_add_and_fetch((p), 1)
#define T_LOAD(p) __sync_fetch_and_add((p), 0)
#define T_STORE(p, v) ((void)__sync_lock_test_and_set((p), (v)), __sync_synchronize())
#endif

/* T38's soak: the table is back where it was every 100,000 passes and at the end. */
static void
soak(void)
{
	int sv[2], g;
	long i, n;
	const char *env;
	Census a, b;

	env = getenv("P9FD_SOAK");
	n = env != NULL ? atol(env) : 1000000;
	CHECK(p9pipe(sv) == 0);
	t_census(&a);
	for(i = 1; i <= n; i++){
		if(sendfd(sv[0], 2) != 0 || (g = recvfd(sv[1])) < 0){
			CHECK(!"a pass failed");
			break;
		}
		close(g);
		if(i % 100000 == 0 || i == n){
			t_census(&b);
			if(t_census_diff(&a, &b) != 0){
				CHECK(!"the table changed during the soak");
				break;
			}
		}
	}
	fprintf(stderr, "soak: %ld passes\n", i - 1);
	t_close2(sv);
}

/*
 * 8 senders x 2000 messages, 8 receivers, one stream socketpair. Each message is sendfdmsg of
 * a one-byte tag (the sender's id) with the read end of a fresh pipe holding (id, seq). Each
 * receiver checks the tag against the pipe's contents and marks (id, seq) seen.
 */
enum { NT = 8, PER = 2000, STOP = 0xff };
static int tsv[2];
static unsigned char seen[NT][PER];
static pthread_mutex_t seenlock = PTHREAD_MUTEX_INITIALIZER;
static int bad;

static void *
sender(void *arg)
{
	uint32_t msg[2];
	int p[2], i;
	unsigned char tag;

	msg[0] = (uint32_t)(uintptr_t)arg;
	tag = (unsigned char)msg[0];
	for(i = 0; i < PER; i++){
		msg[1] = i;
		if(t_pipe2(p, O_CLOEXEC) < 0 || write(p[1], msg, sizeof msg) != sizeof msg
		|| sendfdmsg(tsv[0], &tag, 1, &p[0], 1) != 1)
			T_ADD(&bad);
		close(p[0]);
		close(p[1]);
	}
	return NULL;
}

static void *
receiver(void *arg)
{
	uint32_t msg[2];
	unsigned char tag;
	int fd, n;

	(void)arg;
	for(;;){
		n = 1;
		if(recvfdmsg(tsv[1], &tag, 1, &fd, &n, P9FD_CLOEXEC) != 1){
			T_ADD(&bad);
			return NULL;
		}
		if(tag == STOP && n == 0)
			return NULL;
		if(n != 1 || read(fd, msg, sizeof msg) != sizeof msg || msg[0] != tag
		|| msg[0] >= NT || msg[1] >= PER)
			T_ADD(&bad);
		else{
			pthread_mutex_lock(&seenlock);
			seen[msg[0]][msg[1]]++;
			pthread_mutex_unlock(&seenlock);
		}
		if(n == 1)
			close(fd);
	}
}

static void
eight_by_eight_threads_lose_and_mix_nothing(void)
{
	pthread_t s[NT], r[NT];
	unsigned char stop = STOP;
	int i, j, once;

	CHECK(p9pipe(tsv) == 0);
	memset(seen, 0, sizeof seen);
	for(i = 0; i < NT; i++){
		CHECK(pthread_create(&r[i], NULL, receiver, NULL) == 0);
		CHECK(pthread_create(&s[i], NULL, sender, (void*)(uintptr_t)i) == 0);
	}
	for(i = 0; i < NT; i++)
		CHECK(pthread_join(s[i], NULL) == 0);
	for(i = 0; i < NT; i++)	/* one plain STOP byte per receiver */
		CHECK(sendfdmsg(tsv[0], &stop, 1, NULL, 0) == 1);
	for(i = 0; i < NT; i++)
		CHECK(pthread_join(r[i], NULL) == 0);
	CHECK(bad == 0);
	once = 1;
	for(i = 0; i < NT; i++)
		for(j = 0; j < PER; j++)
			once &= seen[i][j] == 1;
	CHECK(once);	/* every (id, seq) exactly once: no loss, no duplicate */
	t_close2(tsv);
}

/*
 * The exec'd child (t_probe_exec's "pipes" probe) exits 1 if it inherited a pipe besides 0,
 * 1, 2 and those the parent itself inherited (listed in P9FD_INHERITED), 0 if not: the
 * received descriptors are all pipe ends, and every other pipe of the parent is close-on-exec.
 */
static int forking;
static int leaks, execs;

static int
spawn_check(void)
{
	return t_probe_exec("pipes");
}

static void *
forker(void *arg)
{
	(void)arg;
	while(T_LOAD(&forking)){
		if(spawn_check() != 0)
			T_ADD(&leaks);
		T_ADD(&execs);
	}
	return NULL;
}

static void
cloexec_descriptors_never_reach_an_execd_child(void)
{
	int sv[2], i, fd, n, st, p[2];
	char c;
	pid_t pid;
	pthread_t t;

	/* what this process inherited and would pass on anyway */
	{
		Census c;
		char list[4096] = ",";
		int k;

		t_census(&c);
		for(k = 0; k < c.n; k++)
			if(c.fd[k] > 2 && !(c.flags[k] & FD_CLOEXEC) && strlen(list) < sizeof list - 16)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%d,", c.fd[k]);
		setenv("P9FD_INHERITED", list, 1);
	}
#ifdef SOCK_CLOEXEC
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
#else
	t_pair(SOCK_STREAM, sv);	/* macOS: no SOCK_CLOEXEC; no other thread forks yet */
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	fcntl(sv[1], F_SETFD, FD_CLOEXEC);
#endif
	/* The oracle works: a descriptor received without P9FD_CLOEXEC does reach the child. */
	CHECK(t_pipe2(p, O_CLOEXEC) == 0);
	CHECK(sendfd(sv[0], p[1]) == 0);
	fd = recvfd(sv[1]);
	st = spawn_check();
	close(fd);
	close(p[0]);
	close(p[1]);
	if(st == -2){
		t_skip_case(T_NOPROBE);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	CHECK(fd >= 0 && st == 1);
	if(!T_CMSG_CLOEXEC){
		/* per-system: t.h, src/sys/ */
		t_skip("no MSG_CMSG_CLOEXEC: P9FD_CLOEXEC is set by fcntl after recvmsg, so a fork "
			"between the two may pass the descriptor on (sendfdmsg(3) BUGS)");
		close(sv[0]);
		close(sv[1]);
		return;
	}

	fflush(NULL);
	pid = fork();
	if(pid == 0){	/* the sender, in another process */
		close(sv[1]);
		for(i = 0; i < 20000; i++){
			if(t_pipe2(p, O_CLOEXEC) < 0 || sendfdmsg(sv[0], "x", 1, &p[1], 1) != 1)
				_exit(1);
			close(p[0]);
			close(p[1]);
		}
		_exit(0);
	}
	close(sv[0]);
	T_STORE(&forking, 1);
	CHECK(pthread_create(&t, NULL, forker, NULL) == 0);
	for(i = 0; i < 20000; i++){
		n = 1;
		if(recvfdmsg(sv[1], &c, 1, &fd, &n, P9FD_CLOEXEC) != 1 || n != 1){
			CHECK(!"recvfdmsg failed");
			break;
		}
		close(fd);
	}
	T_STORE(&forking, 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fprintf(stderr, "cloexec: 20000 descriptors received while %d children were exec'd\n", execs);
	CHECK(execs > 0 && leaks == 0);
	close(sv[1]);
}

int
main(void)
{
	t_begin();
	T(soak);
	T(eight_by_eight_threads_lose_and_mix_nothing);
	T(cloexec_descriptors_never_reach_an_execd_child);
	return t_end();
}
