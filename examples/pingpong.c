/*
 * pingpong: a parent and a child talk both ways over a Plan 9 pipe (p9pipe), then the parent
 * passes the child an open file through it, and the child writes into that file.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p9fd.h>

static void
fatal(const char *what)
{
	perror(what);
	exit(1);
}

/* an open file nobody else can name: made, then unlinked (memfd_create is Linux's and FreeBSD's only) */
static int
tmpfile_fd(void)
{
	char path[] = "/tmp/pingpong.XXXXXX";
	int fd;

	if((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	return fd;
}

static void
child(int s)
{
	char buf[64];
	ssize_t n;
	int fd;

	n = read(s, buf, sizeof buf - 1);
	if(n <= 0)
		fatal("child: read");
	buf[n] = 0;
	printf("child:  got \"%s\", answering\n", buf);
	fflush(stdout);
	if(write(s, "pong", 4) != 4)
		fatal("child: write");
	if((fd = recvfd(s)) < 0)
		fatal("child: recvfd");
	printf("child:  received descriptor %d, writing into it\n", fd);
	fflush(stdout);
	if(write(fd, "written by the child\n", 21) != 21)
		fatal("child: write to received file");
	exit(0);
}

int
main(void)
{
	int p[2], fd, status;
	char buf[64];
	ssize_t n;
	pid_t pid;

	if(pipe(p) < 0)	/* p9pipe: both ends read and write */
		fatal("pipe");
	if((pid = fork()) < 0)
		fatal("fork");
	if(pid == 0){
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	printf("parent: sending \"ping\"\n");
	fflush(stdout);
	if(write(p[0], "ping", 4) != 4)
		fatal("parent: write");
	n = read(p[0], buf, sizeof buf - 1);
	if(n <= 0)
		fatal("parent: read");
	buf[n] = 0;
	printf("parent: got \"%s\"\n", buf);
	if((fd = tmpfile_fd()) < 0)
		fatal("mkstemp");
	printf("parent: passing an open file to the child\n");
	fflush(stdout);
	if(sendfd(p[0], fd) < 0)
		fatal("parent: sendfd");
	if(waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fatal("parent: child failed");
	n = pread(fd, buf, sizeof buf - 1, 0);
	if(n <= 0)
		fatal("parent: pread");
	buf[n] = 0;
	printf("parent: the file now holds: %s", buf);
	return 0;
}
