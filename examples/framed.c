/*
 * framed: a child sends its parent three messages, one carrying a descriptor, and they
 * arrive apart two ways: over p9framedpipe, one message a seqpacket record (where the system
 * has it: not macOS), and over p9pipe with a length prefix, which works on every system
 * (sendfdmsg(3), Framing): the descriptors travel with the prefix's first byte, and the
 * receiver reads exactly one message's bytes at a time, so it never reads into the next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p9fd.h>

static const char *msgs[] = { "hello", "here is my stdout", "bye" };

static void
fatal(const char *what)
{
	perror(what);
	exit(1);
}

/* a length prefix (4 bytes, big-endian), then the bytes; the descriptors with the first */
static int
sendframe(int s, const char *msg, int *fds, int nfds)
{
	char buf[4 + 256];
	long n, k, sent;

	n = strlen(msg);
	buf[0] = n >> 24;
	buf[1] = n >> 16;
	buf[2] = n >> 8;
	buf[3] = n;
	memcpy(buf + 4, msg, n);
	for(sent = 0; sent < 4 + n; sent += k)	/* a stream may send short */
		if((k = sendfdmsg(s, buf + sent, 4 + n - sent, sent ? NULL : fds, sent ? 0 : nfds)) < 0)
			return -1;
	return 0;
}

/* exactly n bytes; descriptors only with the first part (a later one is an error) */
static int
readfull(int s, char *buf, long n, int *fds, int *nfds)
{
	long k, got;
	int none;

	for(got = 0; got < n; got += k){
		none = 0;
		k = recvfdmsg(s, buf + got, n - got, got ? NULL : fds, got ? &none : nfds, P9FD_CLOEXEC);
		if(k <= 0)
			return -1;	/* an error, or end of file inside a message */
	}
	return 0;
}

/* one length-prefixed message into buf (NUL-terminated), its descriptors into fds */
static long
recvframe(int s, char *buf, long nbuf, int *fds, int *nfds)
{
	unsigned char h[4];
	long n;
	int none, i;

	if(readfull(s, (char*)h, 4, fds, nfds) < 0)
		return -1;
	n = (long)h[0] << 24 | (long)h[1] << 16 | h[2] << 8 | h[3];
	none = 0;
	if(n >= nbuf || readfull(s, buf, n, NULL, &none) < 0){
		for(i = 0; i < *nfds; i++)
			close(fds[i]);
		return -1;
	}
	buf[n] = 0;
	return n;
}

static void
child(int framed, int stream)
{
	int i, out[1] = { 1 };

	for(i = 0; i < 3; i++){
		if(framed >= 0 && sendfdmsg(framed, msgs[i], strlen(msgs[i]), out, i == 1) < 0)
			fatal("child: sendfdmsg");
		if(sendframe(stream, msgs[i], out, i == 1) < 0)
			fatal("child: sendframe");
	}
	_exit(0);
}

/* what the parent got: the text, and a note written through any descriptor */
static void
show(const char *how, const char *buf, int *fds, int nfds)
{
	printf("%s: \"%s\", %d descriptor%s\n", how, buf, nfds, nfds == 1 ? "" : "s");
	fflush(stdout);
	if(nfds == 1){
		if(write(fds[0], "  (written through it)\n", 23) != 23)
			fatal("write");
		close(fds[0]);
	}
}

int
main(void)
{
	int f[2], s[2], fds[1], nfds, i, st;
	pid_t pid;
	char buf[256];
	long n;

	f[0] = f[1] = -1;
	if(p9framedpipe(f, P9FD_CLOEXEC) < 0){
		if(errno != EPROTONOSUPPORT)
			fatal("p9framedpipe");
		printf("framed pipe: none here (no SOCK_SEQPACKET)\n");
	}
	if(p9pipe(s) < 0)
		fatal("p9pipe");
	fflush(stdout);
	if((pid = fork()) < 0)
		fatal("fork");
	if(pid == 0){
		close(f[0]);
		close(s[0]);
		child(f[1], s[1]);
	}
	close(f[1]);
	close(s[1]);
	for(i = 0; f[0] >= 0 && i < 3; i++){
		nfds = 1;
		if((n = recvfdmsg(f[0], buf, sizeof buf - 1, fds, &nfds, P9FD_CLOEXEC)) < 0)
			fatal("recvfdmsg");
		buf[n] = 0;
		show("framed pipe", buf, fds, nfds);
	}
	for(i = 0; i < 3; i++){
		nfds = 1;
		if(recvframe(s[0], buf, sizeof buf, fds, &nfds) < 0)
			fatal("recvframe");
		show("length prefix", buf, fds, nfds);
	}
	if(wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fatal("child");
	return 0;
}
