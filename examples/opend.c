/*
 * opend: privilege separation with an open server.
 *
 * A helper process opens files on behalf of a client and answers each request with a status
 * (0, or the errno of the failed open) carrying the descriptor when there is one. Run as root,
 * the client first drops to user nobody, so the helper's rights are the ones that count: it
 * opens a file the client itself may not.
 *
 * Protocol over a p9pipe: the client writes a path and a newline; the helper replies with
 * sendfdmsg: an int status, with one descriptor attached if the status is 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p9fd.h>

static void
fatal(const char *what)
{
	fprintf(stderr, "opend: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Reads one line (without its newline) into buf; 0 at end of file. */
static int
readline(int fd, char *buf, int n)
{
	int i;
	char c;

	for(i = 0; i < n - 1; i++){
		if(read(fd, &c, 1) != 1)
			return 0;
		if(c == '\n')
			break;
		buf[i] = c;
	}
	buf[i] = 0;
	return 1;
}

static void
helper(int s)
{
	char path[512];
	int fd, status;

	while(readline(s, path, sizeof path)){
		fd = open(path, O_RDONLY|O_CLOEXEC);
		status = fd < 0 ? errno : 0;
		if(sendfdmsg(s, &status, sizeof status, &fd, fd < 0 ? 0 : 1) < 0)
			fatal("helper: sendfdmsg");
		if(fd >= 0)
			close(fd);
	}
	exit(0);
}

/* Asks the helper to open path; returns the descriptor, or -1 with errno set. */
static int
opend(int s, const char *path)
{
	int status, fd, nfds;

	if(dprintf(s, "%s\n", path) < 0)
		return -1;
	nfds = 1;
	if(recvfdmsg(s, &status, sizeof status, &fd, &nfds, P9FD_CLOEXEC) != sizeof status)
		return -1;
	if(status != 0){
		if(nfds == 1)
			close(fd);
		errno = status;
		return -1;
	}
	if(nfds != 1){
		errno = EBADMSG;
		return -1;
	}
	return fd;
}

static void
show(int s, const char *path)
{
	char buf[128], *nl;
	ssize_t n;
	int fd;

	fd = opend(s, path);
	if(fd < 0){
		printf("client: opend %s: %s (the helper's errno, passed back)\n", path,
			strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	if((nl = strchr(buf, '\n')) != NULL)
		*nl = 0;
	printf("client: opend %s: descriptor %d, first line: %s\n", path, fd, buf);
	close(fd);
}

static void
client(int s, const char *secret)
{
	int fd;

	if(getuid() == 0 && setgid(65534) == 0 && setuid(65534) == 0)
		printf("client: now running as uid %d\n", (int)getuid());
	if((fd = open(secret, O_RDONLY)) < 0)
		printf("client: open %s myself: %s\n", secret, strerror(errno));
	else
		close(fd);
	show(s, secret);
	show(s, "/proc/self/status");	/* "self" is the helper, who opened it */
	show(s, "/no/such/file");
	exit(0);
}

int
main(void)
{
	char secret[] = "/tmp/opend-secret-XXXXXX";
	int p[2], fd, st, ok;
	pid_t hpid, cpid;

	alarm(30);
	fd = mkstemp(secret);	/* mode 0600: its owner only */
	if(fd < 0 || write(fd, "the helper could read this\n", 27) != 27)
		fatal("mkstemp");
	close(fd);
	if(pipe(p) < 0)	/* p9pipe */
		fatal("pipe");
	if((hpid = fork()) == 0){
		close(p[0]);
		helper(p[1]);
	}
	if((cpid = fork()) == 0){
		close(p[1]);
		client(p[0], secret);
	}
	close(p[0]);
	close(p[1]);
	ok = waitpid(cpid, &st, 0) == cpid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	ok &= waitpid(hpid, &st, 0) == hpid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	unlink(secret);
	return ok ? 0 : 1;
}
