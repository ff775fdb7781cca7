/*
 * NetBSD's socket calls, run as a rump kernel in this process (NetBSD 7.99.34, 2016), with
 * NetBSD's ABI spelled out: the host's headers are Linux's, whose msghdr and cmsghdr differ.
 * NetBSD's sys/socket.h (amd64): msghdr is name, namelen (u32), iov, iovlen (int), control,
 * controllen (u32), flags; cmsghdr is len (u32), level, type, data aligned to sizeof(long).
 * Descriptors live in the rump kernel's table; errno is NetBSD's number.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

int rump_init(void);
/* rump_syscalls.h renames each call to its implementation (__RENAME); so do these. */
int rump_sys_socketpair(int, int, int, int *) __asm__("rump___sysimpl_socketpair");
ssize_t rump_sys_sendmsg(int, const void *, int) __asm__("rump___sysimpl_sendmsg");
ssize_t rump_sys_recvmsg(int, void *, int) __asm__("rump___sysimpl_recvmsg");
int rump_sys_close(int) __asm__("rump___sysimpl_close");
int rump_sys_pipe2(int *, int) __asm__("rump___sysimpl_pipe2");
int rump_sys_fcntl(int, int, ...) __asm__("rump___sysimpl_fcntl");
ssize_t rump_sys_read(int, void *, size_t) __asm__("rump___sysimpl_read");

enum {
	NB_AF_UNIX = 1, NB_SOCK_STREAM = 1, NB_SOCK_DGRAM = 2, NB_SOCK_SEQPACKET = 5,
	NB_SOL_SOCKET = 0xffff, NB_SCM_RIGHTS = 1,
	NB_MSG_TRUNC = 0x10, NB_MSG_CTRUNC = 0x20,
	NB_F_GETFD = 1, NB_O_NONBLOCK = 4,
	NB_EMSGSIZE = 40,
};

struct nb_iovec { void *base; size_t len; };
struct nb_msghdr {
	void *name; uint32_t namelen;
	struct nb_iovec *iov; int iovlen;
	void *control; uint32_t controllen;
	int flags;
};
struct nb_cmsghdr { uint32_t len; int level; int type; };

#define NB_ALIGN(n) (((n) + sizeof(long) - 1) & ~(sizeof(long) - 1))
#define NB_CMSG_LEN(n) (NB_ALIGN(sizeof(struct nb_cmsghdr)) + (n))
#define NB_CMSG_SPACE(n) (NB_ALIGN(sizeof(struct nb_cmsghdr)) + NB_ALIGN(n))

static int npass, nfail;

static void
check(const char *name, int ok)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if(ok)
		npass++;
	else
		nfail++;
}

/* Sends one byte with the descriptors fds[0..n) in one SCM_RIGHTS message. */
static ssize_t
sendfds(int s, int *fds, int n)
{
	unsigned char c = 'x', buf[256];
	struct nb_iovec iov = { &c, 1 };
	struct nb_msghdr m;
	struct nb_cmsghdr *h = (struct nb_cmsghdr *)buf;

	memset(buf, 0, sizeof buf);
	memset(&m, 0, sizeof m);
	h->len = NB_CMSG_LEN(n * sizeof(int));
	h->level = NB_SOL_SOCKET;
	h->type = NB_SCM_RIGHTS;
	memcpy(buf + NB_ALIGN(sizeof *h), fds, n * sizeof(int));
	m.iov = &iov;
	m.iovlen = 1;
	m.control = buf;
	m.controllen = NB_CMSG_SPACE(n * sizeof(int));
	return rump_sys_sendmsg(s, &m, 0);
}

static ssize_t
recvctl(int s, unsigned char *ctl, uint32_t clen, struct nb_msghdr *m)
{
	static unsigned char data[16];
	static struct nb_iovec iov;

	iov.base = data;
	iov.len = sizeof data;
	memset(m, 0, sizeof *m);
	m->iov = &iov;
	m->iovlen = 1;
	m->control = ctl;
	m->controllen = clen;
	return rump_sys_recvmsg(s, m, 0);
}

static void
one_fd(int type)
{
	int sv[2], p[2], fd;
	unsigned char ctl[64];
	struct nb_msghdr m;
	struct nb_cmsghdr *h = (struct nb_cmsghdr *)ctl;

	if(rump_sys_socketpair(NB_AF_UNIX, type, 0, sv) < 0 || rump_sys_pipe2(p, 0) < 0){
		check("socketpair and pipe", 0);
		return;
	}
	check("one descriptor sent", sendfds(sv[0], &p[1], 1) == 1);
	memset(ctl, 0, sizeof ctl);
	check("one descriptor received", recvctl(sv[1], ctl, sizeof ctl, &m) == 1);
	check("controllen is CMSG_SPACE(4)", m.controllen == NB_CMSG_SPACE(sizeof(int)));
	check("SCM_RIGHTS at SOL_SOCKET", h->level == NB_SOL_SOCKET && h->type == NB_SCM_RIGHTS
		&& h->len == NB_CMSG_LEN(sizeof(int)));
	memcpy(&fd, ctl + NB_ALIGN(sizeof *h), sizeof fd);
	check("received descriptor open", rump_sys_fcntl(fd, NB_F_GETFD) >= 0);
	rump_sys_close(fd);
	rump_sys_close(p[0]);
	rump_sys_close(p[1]);
	rump_sys_close(sv[0]);
	rump_sys_close(sv[1]);
}

static void
ctrunc(int type)
{
	int sv[2], p[2];
	unsigned char ctl[NB_CMSG_SPACE(sizeof(int))];
	struct nb_msghdr m;
	int fds[3];

	if(rump_sys_socketpair(NB_AF_UNIX, type, 0, sv) < 0 || rump_sys_pipe2(p, 0) < 0){
		check("socketpair and pipe", 0);
		return;
	}
	fds[0] = p[1];
	fds[1] = p[1];
	fds[2] = p[1];
	/* three: CMSG_SPACE(4) is CMSG_SPACE(8) on amd64 (data padded to 8), so two fit */
	check("three descriptors sent", sendfds(sv[0], fds, 3) == 1);
	memset(ctl, 0, sizeof ctl);
	recvctl(sv[1], ctl, sizeof ctl, &m);
	printf("info: three into room for one: flags %#x controllen %u\n", m.flags, m.controllen);
	check("three into room for one: MSG_CTRUNC", (m.flags & NB_MSG_CTRUNC) != 0);
	/* the model (tests/models/netbsd.rs, TooSmall::DropsWhole): nothing copied */
	check("three into room for one: controllen 0", m.controllen == 0);
	/* the pipe-EOF oracle: the dropped descriptors were closed in the kernel */
	rump_sys_close(p[1]);
	check("three into room for one: all closed (EOF)", rump_sys_read(p[0], fds, 1) == 0);
	rump_sys_close(p[0]);
	rump_sys_close(sv[0]);
	rump_sys_close(sv[1]);
}

/* Two SCM_RIGHTS messages in one send: unp_internalize keeps the first (the model's
 * SeveralRights::First); the second's descriptor is not passed. */
static void
several(void)
{
	int sv[2], p[2], q[2], fd;
	unsigned char c = 'x', buf[64], ctl[64];
	struct nb_iovec iov = { &c, 1 };
	struct nb_msghdr m;
	struct nb_cmsghdr *h;

	if(rump_sys_socketpair(NB_AF_UNIX, NB_SOCK_STREAM, 0, sv) < 0 || rump_sys_pipe2(p, 0) < 0
	|| rump_sys_pipe2(q, NB_O_NONBLOCK) < 0){
		check("socketpair and pipes", 0);
		return;
	}
	memset(buf, 0, sizeof buf);
	h = (struct nb_cmsghdr *)buf;
	h->len = NB_CMSG_LEN(sizeof(int));
	h->level = NB_SOL_SOCKET;
	h->type = NB_SCM_RIGHTS;
	memcpy(buf + NB_ALIGN(sizeof *h), &p[1], sizeof(int));
	h = (struct nb_cmsghdr *)(buf + NB_CMSG_SPACE(sizeof(int)));
	h->len = NB_CMSG_LEN(sizeof(int));
	h->level = NB_SOL_SOCKET;
	h->type = NB_SCM_RIGHTS;
	memcpy((unsigned char *)h + NB_ALIGN(sizeof *h), &q[1], sizeof(int));
	memset(&m, 0, sizeof m);
	m.iov = &iov;
	m.iovlen = 1;
	m.control = buf;
	m.controllen = 2 * NB_CMSG_SPACE(sizeof(int));
	check("two rights messages sent", rump_sys_sendmsg(sv[0], &m, 0) == 1);
	check("two rights messages: one received", recvctl(sv[1], ctl, sizeof ctl, &m) == 1
		&& m.controllen == NB_CMSG_SPACE(sizeof(int)));
	memcpy(&fd, ctl + NB_ALIGN(sizeof(struct nb_cmsghdr)), sizeof fd);
	rump_sys_close(fd);
	rump_sys_close(q[1]);
	check("two rights messages: the second's descriptor not in flight (EOF)",
		rump_sys_read(q[0], &c, 1) == 0);
	rump_sys_close(q[0]);
	rump_sys_close(p[0]);
	rump_sys_close(p[1]);
	rump_sys_close(sv[0]);
	rump_sys_close(sv[1]);
}

int
main(void)
{
	if(rump_init() != 0){
		printf("rump_init failed\n");
		return 1;
	}
	one_fd(NB_SOCK_STREAM);
	one_fd(NB_SOCK_DGRAM);
	one_fd(NB_SOCK_SEQPACKET);
	ctrunc(NB_SOCK_STREAM);
	ctrunc(NB_SOCK_DGRAM);
	several();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
