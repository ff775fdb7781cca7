/*
 * limit: runs a program with a time limit, for the NetBSD image, whose userland has no
 * timeout(1). The program runs in a process group of its own, killed whole at the limit
 * (a test's forked children too).
 *
 *	limit SECONDS PROGRAM [ARG...]
 *
 * Exits with the program's status; 124 if the limit killed it, 128+N if signal N did,
 * 127 if it could not be run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t pid;
static volatile sig_atomic_t expired;

static void
alarmed(int sig)
{
	(void)sig;
	expired = 1;
	kill(-pid, SIGKILL);
}

int
main(int argc, char **argv)
{
	int st;

	if(argc < 3){
		fprintf(stderr, "usage: limit seconds program [arg...]\n");
		return 2;
	}
	fflush(NULL);
	pid = fork();
	if(pid < 0){
		perror("limit: fork");
		return 127;
	}
	if(pid == 0){
		setpgid(0, 0);
		execv(argv[2], argv + 2);
		fprintf(stderr, "limit: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	signal(SIGALRM, alarmed);
	alarm(atoi(argv[1]));
	while(waitpid(pid, &st, 0) < 0)
		if(errno != EINTR){
			perror("limit: waitpid");
			return 127;
		}
	alarm(0);
	if(expired){
		fprintf(stderr, "limit: %s killed after %s s\n", argv[2], argv[1]);
		return 124;
	}
	if(WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
