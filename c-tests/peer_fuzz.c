/*
 * A malicious peer as a state machine over real sockets. Each input is a seed; it picks a
 * socket type (stream, seqpacket, datagram) and a random sequence of up to 40 steps mixing the
 * peer's actions with our receives:
 *
 *	peer: plain bytes; 0, 1, 2, 3 or 253 descriptors with a payload of 0-3 bytes; credentials
 *	with or without descriptors; an empty or partial SCM_RIGHTS; MSG_OOB with a descriptor;
 *	shutdown(SHUT_WR); close
 *	ours: SO_PASSCRED, SO_PASSPIDFD; an RLIMIT_NOFILE squeeze leaving 0-3 free slots;
 *	recvfd; recvfdmsg with random room, buffer and flags
 *
 * Every descriptor the peer sends is the write end of one oracle pipe. Oracles: each result is
 * in the allowed set (a descriptor for the oracle's file, close-on-exec exactly when asked,
 * or -1 with a documented errno); after teardown the descriptor table is what it was (set,
 * identity, flags) and the oracle pipe sees EOF, so no copy survives anywhere. Our side is
 * non-blocking and each input runs in its own child under alarm(), so a hang is a failure,
 * and RLIMIT changes cannot leak between inputs.
 *
 *	peer_fuzz [inputs [first-seed]]	(default: P9FD_FUZZ_INPUTS or 300 inputs, seed 1)
 */
#include "t.h"

#include <signal.h>
#include <sys/resource.h>

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif

static unsigned long long rng;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int ours, peer, oracle[2], type, peerdone, peerclosed;
static struct rlimit saved;
static const char *stepname;

/* The peer's raw sendmsg (t_rawsend_cmsg) of m payload bytes and nfds copies of the oracle's
 * write end; rightsbytes < 0: no SCM_RIGHTS. Failures (full buffer, peer gone) are part of the
 * game. */
static void
peer_send(int m, int nfds, int creds, int rightsbytes, int flags)
{
	static int fds[P9FD_MAXFDS];
	int i;

	for(i = 0; i < nfds; i++)
		fds[i] = oracle[1];
	(void)t_rawsend_cmsg(peer, "pqr", m, creds, fds, nfds, rightsbytes, flags | MSG_DONTWAIT);
}

static void
bad(const char *what, long r, int e)
{
	fprintf(stderr, "step %s: %s (r %ld, errno %s)\n", stepname, what, r, t_errname(e));
	t_failures++;
}

/* a descriptor we received: the oracle's file, with FD_CLOEXEC as asked; then closed */
static void
received(int fd, int cloexec)
{
	int f;

	if(!t_same_file(fd, oracle[1]))
		bad("received a descriptor that is not the peer's", fd, 0);
	f = fcntl(fd, F_GETFD);
	if(f < 0 || !!(f & FD_CLOEXEC) != cloexec)
		bad("close-on-exec not as asked", f, errno);
	close(fd);
}

static void
step(void)
{
	int r, e, n, i, room, fds[8], flags, nbuf;
	char buf[4];
	static const int counts[] = { 0, 1, 2, 3, T_MAX_SEND };

	switch(rnd(14)){
	case 0:
		stepname = "peer plain bytes";
		if(!peerdone)
			peer_send(1 + rnd(3), 0, 0, -1, 0);
		break;
	case 1: case 2: case 3:
		stepname = "peer descriptors";
		if(!peerdone){
			n = counts[rnd(5)];
			peer_send(rnd(4), n, 0, n * sizeof(int), 0);
		}
		break;
	case 4:
		stepname = "peer credentials";
		if(!peerdone){
			n = rnd(3);
			peer_send(1 + rnd(2), n, 1, n ? (int)(n * sizeof(int)) : -1, 0);
		}
		break;
	case 5:
		stepname = "peer empty or partial rights";
		if(!peerdone)
			peer_send(1, 1, 0, rnd(2) ? 0 : 3, 0);
		break;
	case 6:
		stepname = "peer MSG_OOB";
		if(!peerdone)
			peer_send(1 + rnd(2), 1, 0, sizeof(int), MSG_OOB);
		break;
	case 7:
		stepname = "peer goes";
		if(!peerdone && rnd(4) == 0){
			if(rnd(2))
				shutdown(peer, SHUT_WR);
			else{
				close(peer);
				peerclosed = 1;
			}
			peerdone = 1;
		}
		break;
	case 8:
		stepname = "our options";
		i = 1;
#ifdef SO_PASSCRED
		setsockopt(ours, SOL_SOCKET, rnd(2) ? SO_PASSCRED : SO_PASSPIDFD, &i, sizeof i);
#else
		(void)rnd(2);	/* no SO_PASSCRED or SO_PASSPIDFD off Linux: same draws, no option */
#endif
		break;
	case 9:
		stepname = "squeeze";
		if(getenv("P9FD_SKIP_RLIMIT") != NULL)	/* under valgrind: see T_RLIMIT in t.h */
			break;
		if(rnd(2))
			t_squeeze(rnd(4));	/* teardown closes its /dev/null fillers */
		else
			setrlimit(RLIMIT_NOFILE, &saved);
		break;
	case 10: case 11:
		stepname = "recvfd";
		errno = 0;
		r = recvfd(ours);
		e = errno;
		if(r >= 0)
			received(r, 0);
		else if(r != -1 || (e != EAGAIN && e != EBADMSG && e != EMFILE && e != ECONNRESET))
			bad("recvfd: not an allowed result", r, e);
		break;
	default:
		stepname = "recvfdmsg";
		room = rnd(5);
		n = room;
		nbuf = 1 + rnd(4);
		flags = rnd(2) ? P9FD_CLOEXEC : 0;
		for(i = 0; i < 8; i++)
			fds[i] = -7;
		errno = 0;
		r = recvfdmsg(ours, buf, nbuf, fds, &n, flags);
		e = errno;
		if(r >= 0){
			if(r > nbuf || n < 0 || n > room)
				bad("recvfdmsg: counts out of range", r, n);
			for(i = 0; i < n && i < room; i++)
				received(fds[i], flags != 0);
			for(i = n; i < 8; i++)
				if(fds[i] != -7)
					bad("recvfdmsg wrote past the descriptors it returned", i, 0);
		}else{
			if(r != -1 || (e != EAGAIN && e != EMSGSIZE && e != EMFILE && e != ECONNRESET))
				bad("recvfdmsg: not an allowed result", r, e);
			if(n != room)
				bad("recvfdmsg changed *nfds on failure", n, e);
			for(i = 0; i < 8; i++)
				if(fds[i] != -7)
					bad("recvfdmsg wrote descriptors on failure", i, e);
		}
		break;
	}
}

static void
one(unsigned long long seed)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	Census before, after;
	int sv[2], steps, i;

	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	alarm(20);
	getrlimit(RLIMIT_NOFILE, &saved);
	t_census(&before);
	type = types[rnd(3)];
	if(!T_SEQPACKET && type == SOCK_SEQPACKET)
		type = SOCK_STREAM;	/* macOS: the same draws, no SOCK_SEQPACKET */
	t_pair(type, sv);
	ours = sv[1];
	peer = sv[0];
	peerdone = peerclosed = 0;
	t_nonblock(ours, 1);
	t_oracle(oracle);
	steps = 1 + rnd(40);
	for(i = 0; i < steps; i++)
		step();
	/* tear down: whatever is still queued is the kernel's to release */
	setrlimit(RLIMIT_NOFILE, &saved);
	close(ours);
	if(!peerclosed)
		close(peer);
	close(oracle[1]);
	if(!t_oracle_eof(oracle))
		bad("a descriptor survived teardown (pipe-EOF oracle)", 0, 0);
	/* the squeeze's /dev/null fillers are ours to drop */
	for(i = 3; i < 256; i++){
		struct stat st;
		int keep = 0, j;
		for(j = 0; j < before.n; j++)
			if(before.fd[j] == i)
				keep = 1;
		if(!keep && fstat(i, &st) == 0 && S_ISCHR(st.st_mode))
			close(i);
	}
	t_census(&after);
	t_failures += t_census_diff(&before, &after);
}

int
main(int argc, char **argv)
{
	long inputs, k, failed = 0;
	unsigned long long first;
	const char *env;
	int st;
	pid_t pid;

	signal(SIGPIPE, SIG_DFL);
	env = getenv("P9FD_FUZZ_INPUTS");
	inputs = argc > 1 ? atol(argv[1]) : env != NULL ? atol(env) : 300;
	first = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	t_begin();
	for(k = 0; k < inputs; k++){
		fflush(NULL);
		pid = fork();
		if(pid == 0){
			t_failures = 0;
			one(first + k);
			_exit(t_failures != 0);
		}
		if(pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0){
			fprintf(stderr, "peer_fuzz: input %llu failed (status %#x); rerun: peer_fuzz 1 %llu\n",
				first + k, st, first + k);
			failed++;
		}
	}
	t_cases = inputs;
	fprintf(stderr, "peer_fuzz: %ld inputs from seed %llu, %ld failed\n", inputs, first, failed);
	t_failures += failed != 0;
	return t_end();
}
