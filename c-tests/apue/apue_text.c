/*
 * The APUE layer against the book's own behaviour: error text reaches userfunc as it arrives,
 * even when the call then fails (EINTR, EAGAIN, end of file), and is never handed twice; a
 * sender in a user namespace where its uid has no mapping still sends (the book's send_fd
 * attaches no credentials); a userfunc that takes fewer bytes than offered without setting
 * errno gives -1 with a defined errno (EIO), never a stale one; short text comes in one call.
 */
#define _GNU_SOURCE
#include "../t.h"

#include <sched.h>

static char text[256];
static size_t ntext;

static ssize_t
keep(int fd, const void *buf, size_t n)
{
	(void)fd;
	if(ntext + n <= sizeof text){
		memcpy(text + ntext, buf, n);
		ntext += n;
	}
	return n;
}

static int ncalls;

static ssize_t
count(int fd, const void *buf, size_t n)
{
	ncalls++;
	return keep(fd, buf, n);
}

static ssize_t
short_take(int fd, const void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	return n - 1;	/* and errno untouched */
}

static void
text_before_eagain_is_handed_over_then_the_status(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	ntext = 0;
	t_nonblock(sv[1], 1);
	CHECK(write(sv[0], "no such", 7) == 7);
	CHECK_ERR(recv_fd(sv[1], keep), EAGAIN);
	CHECK(ntext == 7 && memcmp(text, "no such", 7) == 0);
	CHECK(write(sv[0], " file\0\2", 7) == 7);
	CHECK(recv_fd(sv[1], keep) == -2 && errno == 2);
	CHECK(ntext == 12 && memcmp(text, "no such file", 12) == 0);
	t_close2(sv);
}

static void
text_before_eintr_is_handed_over_then_the_status(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	ntext = 0;
	CHECK(write(sv[0], "busy", 4) == 4);
	t_alarm_soon();
	CHECK_ERR(recv_fd(sv[1], keep), EINTR);
	CHECK(ntext == 4 && memcmp(text, "busy", 4) == 0);
	CHECK(write(sv[0], "\0\5", 2) == 2);
	CHECK(recv_fd(sv[1], keep) == -5 && errno == 5);
	CHECK(ntext == 4);
	t_close2(sv);
}

static void
text_then_eof_is_handed_over_then_econnreset(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	ntext = 0;
	CHECK(write(sv[0], "server died", 11) == 11);
	close(sv[0]);
	CHECK_ERR(recv_fd(sv[1], keep), ECONNRESET);
	CHECK(ntext == 11 && memcmp(text, "server died", 11) == 0);
	close(sv[1]);
}

static int unmapped_sock;

static void
send_from_an_unmapped_user_namespace(void)
{
	int fd;

	/* A new user namespace with no uid_map: our uid there maps to nothing outside. */
#ifdef CLONE_NEWUSER
	if(unshare(CLONE_NEWUSER) < 0){
		fprintf(stderr, "unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		_exit(77);
	}
#else
	_exit(78);	/* no user namespaces on this system */
#endif
	fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0 && send_fd(unmapped_sock, fd) == 0);
	CHECK(send_err(unmapped_sock, -EACCES, "refused") == 0);
}

static void
a_sender_in_an_unmapped_user_namespace_still_sends(void)
{
	int sv[2], st, fd;
	uid_t uid;

	CHECK(p9pipe(sv) == 0);
	unmapped_sock = sv[0];
	st = t_child(send_from_an_unmapped_user_namespace);
	if(WIFEXITED(st) && (WEXITSTATUS(st) == 77 || WEXITSTATUS(st) == 78)){
		t_skip_case(WEXITSTATUS(st) == 77 ? "cannot make a user namespace here (above)"
			: "user namespaces are Linux's");
		t_close2(sv);
		return;
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	uid = (uid_t)-1;
	fd = recv_ufd(sv[1], &uid, NULL);
	CHECK(fd >= 0 && uid == geteuid());
	if(fd >= 0)
		close(fd);
	ntext = 0;
	CHECK(recv_fd(sv[1], keep) == -EACCES && errno == EACCES);
	CHECK(ntext == 7);
	t_close2(sv);
}

static void
a_short_userfunc_is_eio_not_a_stale_errno(void)
{
	int sv[2];

	CHECK(p9pipe(sv) == 0);
	CHECK(send_err(sv[0], -ENOENT, "missing") == 0);
	errno = ENOENT;	/* stale */
	CHECK_ERR(recv_fd(sv[1], short_take), EIO);
	t_close2(sv);
}

/*
 * A stream is read two bytes at a time (never past the message), but text of up to 256 bytes,
 * what p9fd gathers, reaches userfunc in one call, not in two-byte pieces.
 */
static void
short_text_reaches_userfunc_in_one_call(void)
{
	int sv[2], sizes[] = { 1, 2, 3, 200, 256 }, i;
	char msg[257];

	CHECK(p9pipe(sv) == 0);
	for(i = 0; i < (int)(sizeof sizes / sizeof sizes[0]); i++){
		memset(msg, 'a' + i, sizes[i]);
		msg[sizes[i]] = 0;
		CHECK(send_err(sv[0], -ENOENT, msg) == 0);
		ntext = 0;
		ncalls = 0;
		CHECK(recv_fd(sv[1], count) == -ENOENT);
		CHECK(ncalls == 1 && ntext == (size_t)sizes[i] && memcmp(text, msg, ntext) == 0);
	}
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(text_before_eagain_is_handed_over_then_the_status);
	T(text_before_eintr_is_handed_over_then_the_status);
	T(text_then_eof_is_handed_over_then_econnreset);
	T(a_sender_in_an_unmapped_user_namespace_still_sends);
	T(a_short_userfunc_is_eio_not_a_stale_errno);
	T(short_text_reaches_userfunc_in_one_call);
	return t_end();
}
