/*
 * handoff: passing the baton between cooperating servers.
 *
 * An acceptor listens on TCP loopback. For each connection it reads the first bytes (as a
 * server does to route a request), then hands the connection and those bytes to a worker
 * process with sendfdmsg. The worker, which never called accept, reads the rest of the
 * request from the connection and answers the client. A client process makes three requests.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p9fd.h>

enum { NREQ = 3 };

static void
fatal(const char *what)
{
	fprintf(stderr, "handoff: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The worker: takes connections from the acceptor until it closes its end. */
static void
worker(int boss)
{
	char buf[256], *nl;
	long n, m;
	int fd, nfds;

	for(;;){
		nfds = 1;
		n = recvfdmsg(boss, buf, sizeof buf - 1, &fd, &nfds, P9FD_CLOEXEC);
		if(n < 0)
			fatal("worker: recvfdmsg");
		if(n == 0)
			exit(0);	/* the acceptor is done */
		if(nfds != 1){
			fprintf(stderr, "worker: a message without a connection\n");
			continue;
		}
		/* the acceptor's bytes came along; read the rest of the line ourselves */
		while(memchr(buf, '\n', n) == NULL && n < (long)sizeof buf - 1){
			m = read(fd, buf + n, sizeof buf - 1 - n);
			if(m <= 0)
				break;
			n += m;
		}
		buf[n] = 0;
		if((nl = strchr(buf, '\n')) != NULL)
			*nl = 0;
		printf("worker %d: got connection %d with \"%s\"\n", (int)getpid(), fd, buf);
		fflush(stdout);
		for(m = 0; buf[m]; m++)
			buf[m] = toupper((unsigned char)buf[m]);
		dprintf(fd, "%s (served by worker %d)\n", buf, (int)getpid());
		close(fd);
	}
}

static void
client(struct sockaddr_in *addr)
{
	char req[64], resp[256];
	int i, s;
	ssize_t n, m;

	for(i = 1; i <= NREQ; i++){
		s = socket(AF_INET, SOCK_STREAM, 0);
		if(s < 0 || connect(s, (struct sockaddr*)addr, sizeof *addr) < 0)
			fatal("client: connect");
		snprintf(req, sizeof req, "hello number %d\n", i);
		if(write(s, req, strlen(req)) != (ssize_t)strlen(req))
			fatal("client: write");
		n = 0;
		while((m = read(s, resp + n, sizeof resp - 1 - n)) > 0)
			n += m;
		resp[n] = 0;
		printf("client: sent \"hello number %d\", got back: %s", i, resp);
		fflush(stdout);
		close(s);
	}
	exit(0);
}

int
main(void)
{
	struct sockaddr_in addr;
	socklen_t len;
	int l, p[2], conn, i, st, ok;
	pid_t wpid, cpid;
	char buf[8];
	ssize_t n;

	alarm(30);	/* whatever happens, stop */
	l = socket(AF_INET, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof addr;
	if(l < 0 || bind(l, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(l, NREQ) < 0
	|| getsockname(l, (struct sockaddr*)&addr, &len) < 0)
		fatal("listen");
	printf("acceptor %d: listening on 127.0.0.1:%d\n", (int)getpid(), ntohs(addr.sin_port));
	fflush(stdout);

	if(pipe(p) < 0)	/* p9pipe */
		fatal("pipe");
	if((wpid = fork()) == 0){
		close(l);
		close(p[0]);
		worker(p[1]);
	}
	close(p[1]);
	if((cpid = fork()) == 0){
		close(l);
		close(p[0]);
		client(&addr);
	}

	for(i = 0; i < NREQ; i++){
		if((conn = accept(l, NULL, NULL)) < 0)
			fatal("accept");
		/* read a little, as a router would, then pass the baton */
		n = read(conn, buf, sizeof buf);
		if(n <= 0){
			close(conn);
			continue;
		}
		printf("acceptor: read %zd bytes \"%.*s\", handing connection %d to the worker\n",
			n, (int)n, buf, conn);
		fflush(stdout);
		if(sendfdmsg(p[0], buf, n, &conn, 1) != n)
			fatal("sendfdmsg");
		close(conn);	/* the worker has its own descriptor now */
	}
	close(p[0]);	/* tells the worker to finish */
	close(l);
	ok = 1;
	if(waitpid(cpid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		ok = 0;
	if(waitpid(wpid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		ok = 0;
	printf("acceptor: %s\n", ok ? "all served" : "something failed");
	return ok ? 0 : 1;
}
