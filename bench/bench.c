/*
 * p9fd's benchmarks against the naive C baseline (baseline.c), interleaved in one run.
 *
 *	bench time		the timing table (per pass, across processes, batching)
 *	bench count p9fd N	N passes of sendfd+recvfd+close, for callgrind and memcheck
 *	bench count base N	the same with the baseline
 *	bench count batch N	N messages of 16 descriptors with sendfdmsg/recvfdmsg
 *	bench count batch253 N	N messages of 253 descriptors with sendfdmsg/recvfdmsg
 *	bench count basebatch253 N	the same with the baseline's naive batch
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <p9fd.h>

#include "baseline.h"

/*
 * Per-pass and ping-pong timings come in many short rounds; in each round both implementations
 * run back to back (alternating which goes first), so that both see the same machine. The
 * ratio reported is the median of the rounds' ratios, with its quartiles: a paired comparison,
 * robust to the drift and pauses of a shared virtual machine.
 */
enum { REPS = 21, ROUNDS = 101, PASSES = 4000, PINGS = 2000 };

typedef struct Impl Impl;
struct Impl {
	const char *name;
	int (*send)(int, int);
	int (*recv)(int);
};

static Impl impls[2] = {
	{ "p9fd", sendfd, recvfd },
	{ "baseline", base_sendfd, base_recvfd },
};

static void
fatal(const char *what)
{
	perror(what);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double*)a, y = *(const double*)b;

	return (x > y) - (x < y);
}

/* the q-quantile (0.5: the median) of v[0..n), which it sorts */
static double
quantile(double *v, int n, double q)
{
	qsort(v, n, sizeof v[0], cmp);
	return v[(int)(q * (n - 1) + 0.5)];
}

static double
median(double *v, int n)
{
	return quantile(v, n, 0.5);
}

/* one table row: medians of a[] and b[], and the median and quartiles of a[r]/b[r] */
static void
paired(const char *what, double *a, double *b, int n)
{
	double q[ROUNDS];
	int r;

	for(r = 0; r < n; r++)
		q[r] = a[r] / b[r];
	printf("| %s | %.0f | %.0f | %.3f | %.3f–%.3f |\n", what, median(a, n), median(b, n),
		quantile(q, n, 0.5), quantile(q, n, 0.25), quantile(q, n, 0.75));
}

/* n passes of send+recv+close on one socketpair in this process */
static void
passes(Impl *im, int sv[2], long n)
{
	long i;
	int g;

	for(i = 0; i < n; i++){
		if(im->send(sv[0], 0) != 0)
			fatal("send");
		if((g = im->recv(sv[1])) < 0)
			fatal("recv");
		close(g);
	}
}

/* ns per round trip: we send, the child receives and sends it back, we receive */
static double
pingpong(Impl *im, long n)
{
	int sv[2], g, st;
	long i;
	pid_t pid;
	double t;

	if(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		fatal("socketpair");
	pid = fork();
	if(pid == 0){
		close(sv[0]);
		for(i = 0; i < n + 1; i++){
			if((g = im->recv(sv[1])) < 0 || im->send(sv[1], g) != 0)
				_exit(1);
			close(g);
		}
		_exit(0);
	}
	close(sv[1]);
	/* one warm-up exchange, then the clock */
	if(im->send(sv[0], 0) != 0 || (g = im->recv(sv[0])) < 0)
		fatal("pingpong");
	close(g);
	t = now();
	for(i = 0; i < n; i++){
		if(im->send(sv[0], 0) != 0 || (g = im->recv(sv[0])) < 0)
			fatal("pingpong");
		close(g);
	}
	t = now() - t;
	close(sv[0]);
	if(waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fatal("pingpong child");
	return t / n;
}

/* n messages of k descriptors with the baseline's naive batch, each received one closed */
static void
basebatch(int sv[2], int k, long n)
{
	int fds[P9FD_MAXFDS], got[P9FD_MAXFDS], i, r;

	for(i = 0; i < k; i++)
		fds[i] = 0;
	while(n-- > 0){
		if(base_sendfds(sv[0], fds, k) != 0 || (r = base_recvfds(sv[1], got)) != k)
			fatal("baseline batch");
		for(i = 0; i < r; i++)
			close(got[i]);
	}
}

/* descriptors per second, k per message with sendfdmsg/recvfdmsg (k = 0: sendfd/recvfd) */
static double
batch(int sv[2], int k, long total)
{
	int fds[P9FD_MAXFDS], got[P9FD_MAXFDS], i, n, g;
	long sent;
	char c;
	double t;

	for(i = 0; i < P9FD_MAXFDS; i++)
		fds[i] = 0;
	t = now();
	for(sent = 0; sent < total; sent += k ? k : 1){
		if(k == 0){
			if(sendfd(sv[0], 0) != 0 || (g = recvfd(sv[1])) < 0)
				fatal("single");
			close(g);
			continue;
		}
		if(sendfdmsg(sv[0], "", 1, fds, k) != 1)
			fatal("sendfdmsg");
		n = k;
		if(recvfdmsg(sv[1], &c, 1, got, &n, 0) != 1 || n != k)
			fatal("recvfdmsg");
		for(i = 0; i < n; i++)
			close(got[i]);
	}
	t = now() - t;
	return sent / (t / 1e9);
}

static void
machine(void)
{
	char line[256], model[256] = "unknown";
	FILE *f;

	if((f = fopen("/proc/cpuinfo", "r")) != NULL){
		while(fgets(line, sizeof line, f) != NULL)
			if(strncmp(line, "model name", 10) == 0){
				snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
				model[strcspn(model, "\n")] = 0;
				break;
			}
		fclose(f);
	}
	if((f = popen("uname -sr", "r")) != NULL){
		if(fgets(line, sizeof line, f) == NULL)
			line[0] = 0;
		line[strcspn(line, "\n")] = 0;
		pclose(f);
	}
	printf("machine: %s, %ld cores, %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), line);
}

static void
timing(void)
{
	double t[2][ROUNDS], pp[2][ROUNDS], rate[5][REPS], mr[5];
	int sv[2], r, i, ks[5] = { 0, 1, 16, 64, 253 };
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	machine();
	if(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		fatal("socketpair");
	for(i = 0; i < 2; i++)
		passes(&impls[i], sv, PASSES);	/* warm up */
	for(r = 0; r < ROUNDS; r++)
		for(i = 0; i < 2; i++){
			Impl *im = &impls[(r + i) % 2];	/* alternate which goes first */
			double s = now();
			passes(im, sv, PASSES);
			t[im == &impls[1]][r] = (now() - s) / PASSES;
		}
	for(r = 0; r < ROUNDS; r++)
		for(i = 0; i < 2; i++){
			Impl *im = &impls[(r + i) % 2];
			pp[im == &impls[1]][r] = pingpong(im, PINGS);
		}
	for(r = 0; r < REPS; r++)
		for(i = 0; i < 5; i++)	/* rotate the order of the sizes */
			rate[(r + i) % 5][r] = batch(sv, ks[(r + i) % 5], 50000);
	for(i = 0; i < 5; i++)
		mr[i] = median(rate[i], REPS);
	printf("\n| measure (%d paired rounds) | p9fd | baseline | p9fd / baseline | quartiles |\n", ROUNDS);
	printf("|---|---|---|---|---|\n");
	paired("sendfd+recvfd+close, one process, ns/pass", t[0], t[1], ROUNDS);
	paired("ping-pong across two processes, ns/round trip", pp[0], pp[1], ROUNDS);
	printf("\n| descriptors per message | descriptors/s | vs single sendfd/recvfd |\n");
	printf("|---|---|---|\n");
	printf("| single sendfd/recvfd | %.0f | 1.00 |\n", mr[0]);
	for(i = 1; i < 5; i++)
		printf("| %d (sendfdmsg/recvfdmsg) | %.0f | %.2f |\n", ks[i], mr[i], mr[i] / mr[0]);
}

int
main(int argc, char **argv)
{
	int sv[2];
	long n;

	if(argc == 2 && strcmp(argv[1], "time") == 0){
		timing();
		return 0;
	}
	if(argc == 4 && strcmp(argv[1], "count") == 0){
		n = atol(argv[3]);
		if(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			fatal("socketpair");
		if(strcmp(argv[2], "p9fd") == 0)
			passes(&impls[0], sv, n);
		else if(strcmp(argv[2], "base") == 0)
			passes(&impls[1], sv, n);
		else if(strcmp(argv[2], "batch") == 0)
			batch(sv, 16, n * 16);
		else if(strcmp(argv[2], "batch253") == 0)
			batch(sv, P9FD_MAXFDS, n * P9FD_MAXFDS);
		else if(strcmp(argv[2], "basebatch253") == 0)
			basebatch(sv, P9FD_MAXFDS, n);
		else
			return 2;
		return 0;
	}
	fprintf(stderr, "usage: bench time | bench count p9fd|base|batch|batch253|basebatch253 N\n");
	return 2;
}
