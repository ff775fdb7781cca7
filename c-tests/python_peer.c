/*
 * Interoperation with an implementation p9fd shares no code with: CPython's
 * socket.send_fds and socket.recv_fds (3.9 and later), in a child process.
 */
#include "t.h"

/* Runs python3 -c prog with the socket as descriptor 3; returns its wait status. */
static int
python(const char *prog, int sock)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if(pid == 0){
		if(dup2(sock, 3) < 0)
			_exit(126);
		execlp("python3", "python3", "-c", prog, (char*)NULL);
		_exit(127);
	}
	if(pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

static void
recvfd_takes_python_send_fds(void)
{
	int sv[2], g, st;
	char buf[16];

	CHECK(p9pipe(sv) == 0);
	st = python(
		"import os, socket\n"
		"s = socket.socket(fileno=3)\n"
		"r, w = os.pipe()\n"
		"os.write(w, b'from python')\n"
		"socket.send_fds(s, [b'\\0'], [r])\n", sv[0]);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	g = recvfd(sv[1]);
	CHECK(g >= 0);
	if(g >= 0){
		memset(buf, 0, sizeof buf);
		CHECK(read(g, buf, sizeof buf) == 11 && strcmp(buf, "from python") == 0);
		close(g);
	}
	t_close2(sv);
}

static void
python_recv_fds_takes_sendfd(void)
{
	int sv[2], f, st;

	CHECK(p9pipe(sv) == 0);
	f = t_file("from p9fd");
	CHECK(sendfd(sv[0], f) == 0);
	st = python(
		"import os, socket, sys\n"
		"s = socket.socket(fileno=3)\n"
		"data, fds, flags, addr = socket.recv_fds(s, 16, 4)\n"
		"assert data == b'\\0', data\n"
		"assert len(fds) == 1, fds\n"
		"os.lseek(fds[0], 0, 0)\n"
		"assert os.read(fds[0], 64) == b'from p9fd'\n", sv[1]);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(f);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	/* make check's preflight requires python3 on Linux; elsewhere (a bundle) it may be absent */
	if(!T_LINUX && system("command -v python3 >/dev/null 2>&1") != 0){
		T_SKIP(recvfd_takes_python_send_fds, "no python3 on PATH");
		T_SKIP(python_recv_fds_takes_sendfd, "no python3 on PATH");
		return t_end();
	}
	T(recvfd_takes_python_send_fds);
	T(python_recv_fds_takes_sendfd);
	return t_end();
}
