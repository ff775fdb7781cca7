/*
 * recv_ufd reports the sender's uid reliably: on Linux from the credentials p9fd's send_fd
 * attaches, even when the message was sent before the receiver turned SO_PASSCRED on; from
 * SO_PEERCRED when a sender attached none. Elsewhere no message carries credentials: the uid
 * is the peer's at connect time, asked before anything is read, so that a socket whose peer
 * the system cannot name (a datagram socketpair on FreeBSD, NetBSD, macOS, illumos) fails
 * with the system's errno and leaves the reply queued; recv_fd never asks. Where a socketpair
 * names no peer at all (NetBSD, DragonFly: T_PEER_ON_SOCKETPAIR in t.h), the cases that need
 * one use a pair connected through a name, as an APUE server's clients are.
 */
#include "../t.h"

static int sock;
static uid_t sender;

/*
 * A connected stream pair whose ends name their peer: a socketpair (p9pipe) where the system
 * records a socketpair's peer, elsewhere two sockets connected through a name in /tmp, the
 * listener gone and the name unlinked once they are. 0, or -1 with nothing left open.
 */
static int
ufd_pair(int sv[2])
{
	struct sockaddr_un a;
	int l;

	if(T_PEER_ON_SOCKETPAIR)
		return p9pipe(sv);
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof a.sun_path, "/tmp/p9fd-ufd.%ld", (long)getpid());
	unlink(a.sun_path);
	sv[0] = sv[1] = -1;
	if((l = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if(bind(l, (struct sockaddr*)&a, sizeof a) < 0 || listen(l, 1) < 0
	|| (sv[0] = socket(AF_UNIX, SOCK_STREAM, 0)) < 0
	|| connect(sv[0], (struct sockaddr*)&a, sizeof a) < 0
	|| (sv[1] = accept(l, NULL, NULL)) < 0){
		if(sv[0] >= 0)
			close(sv[0]);
		close(l);
		unlink(a.sun_path);
		return -1;
	}
	close(l);
	unlink(a.sun_path);
	return 0;
}

static void
child_drops_privileges_and_sends(void)
{
	if(getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
		_exit(3);
	if(send_fd(sock, 1) != 0)
		_exit(4);
}

static void
uid_of_a_forked_sender(void)
{
	int sv[2], g, st;
	uid_t uid;

	CHECK(ufd_pair(sv) == 0);
	sock = sv[0];
	sender = getuid() == 0 ? 65534 : getuid();
	/* the child sends and exits before anyone asks for credentials */
	st = t_child(child_drops_privileges_and_sends);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	uid = 12345;
	g = recv_ufd(sv[1], &uid, NULL);
	CHECK(g >= 0 && t_same_file(g, 1));
	/* elsewhere the peer is who made the pair: us */
	CHECK(uid == (T_PEER_AT_CONNECT ? geteuid() : sender));
	close(g);
	t_close2(sv);
}

/*
 * A datagram socketpair: recv_fd never asks who the peer is and gets its descriptor; recv_ufd
 * gets the uid where the system names the peer, and elsewhere fails with the system's errno
 * before reading anything, so that the reply is still there for recv_fd.
 */
static void
datagram_peer(void)
{
	int sv[2], g;
	uid_t uid;

	if(!t_pair(SOCK_DGRAM, sv))
		return;
	CHECK(send_fd(sv[0], 1) == 0);
	g = recv_fd(sv[1], NULL);
	CHECK(g >= 0 && t_same_file(g, 1));
	close(g);
	CHECK(send_fd(sv[0], 1) == 0);
	uid = 12345;
	if(T_PEER_ON_DGRAM){
		g = recv_ufd(sv[1], &uid, NULL);
		CHECK(g >= 0 && t_same_file(g, 1) && uid == geteuid());
	}else{
		CHECK_ERR(recv_ufd(sv[1], &uid, NULL), T_E_PEER_ON_DGRAM);
		CHECK(uid == 12345);
		g = recv_fd(sv[1], NULL);
		CHECK(g >= 0 && t_same_file(g, 1));
	}
	close(g);
	t_close2(sv);
}

static void
uid_of_an_error_status(void)
{
	int sv[2];
	uid_t uid;

	CHECK(ufd_pair(sv) == 0);
	CHECK(send_err(sv[0], -EPERM, "no") == 0);
	uid = 12345;
	CHECK(recv_ufd(sv[1], &uid, NULL) == -EPERM);
	CHECK(uid == geteuid());
	t_close2(sv);
}

/* A raw sender attaches no credentials: the connect-time peer (us) is reported. */
static void
raw_sender_falls_back_to_peercred(void)
{
	int sv[2], g;
	uid_t uid;

	CHECK(ufd_pair(sv) == 0);
	CHECK(t_rawsend(sv[0], "\0\0", 2, &sv[0], 1) == 2);
	uid = 12345;
	g = recv_ufd(sv[1], &uid, NULL);
	CHECK(g >= 0);
	CHECK(uid == geteuid());
	close(g);
	t_close2(sv);
}

/*
 * The same from a peer of another uid: a child that dropped to 65534 (where we are root) makes
 * a pair, raw-sends on one end with no credentials, hands us the other end and exits. The
 * pair's peer, for SO_PEERCRED and LOCAL_PEERCRED alike, is that child.
 */
static void
child_makes_a_pair_and_raw_sends(void)
{
	int pair[2];

	if(getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
		_exit(3);
	if(ufd_pair(pair) < 0 || t_rawsend(pair[0], "\0\0", 2, &pair[0], 1) != 2)
		_exit(4);
	if(sendfd(sock, pair[1]) != 0)
		_exit(5);
	_exit(0);
}

static void
raw_sender_of_another_uid_falls_back_to_its_uid(void)
{
	int sv[2], end, g, st;
	uid_t uid;

	CHECK(p9pipe(sv) == 0);
	sock = sv[0];
	sender = getuid() == 0 ? 65534 : getuid();
	st = t_child(child_makes_a_pair_and_raw_sends);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	end = recvfd(sv[1]);
	CHECK(end >= 0);
	uid = 12345;
	g = recv_ufd(end, &uid, NULL);
	CHECK(g >= 0);
	CHECK(uid == sender);
	if(g >= 0)
		close(g);
	close(end);
	t_close2(sv);
}

/*
 * Where a socketpair names no peer (t.h), recv_ufd on one fails with the system's errno before
 * reading anything: the uid is untouched and recv_fd gets the reply.
 */
static void
socketpair_without_a_peer(void)
{
	int sv[2], g;
	uid_t uid;

	CHECK(p9pipe(sv) == 0);
	CHECK(send_fd(sv[0], 1) == 0);
	uid = 12345;
	CHECK_ERR(recv_ufd(sv[1], &uid, NULL), T_E_PEER_ON_SOCKETPAIR);
	CHECK(uid == 12345);
	g = recv_fd(sv[1], NULL);
	CHECK(g >= 0 && t_same_file(g, 1));
	if(g >= 0)
		close(g);
	t_close2(sv);
}

static void
null_uidptr_is_efault_and_consumes_nothing(void)
{
	int sv[2], g;
	uid_t uid;

	CHECK(ufd_pair(sv) == 0);
	CHECK(send_fd(sv[0], 1) == 0);
	CHECK_ERR(recv_ufd(sv[1], NULL, NULL), EFAULT);
	g = recv_ufd(sv[1], &uid, NULL);
	CHECK(g >= 0 && t_same_file(g, 1));
	close(g);
	t_close2(sv);
}

int
main(void)
{
	t_begin();
	T(uid_of_a_forked_sender);
	T(uid_of_an_error_status);
	T(raw_sender_falls_back_to_peercred);
	T(raw_sender_of_another_uid_falls_back_to_its_uid);
	T(null_uidptr_is_efault_and_consumes_nothing);
	if(T_PEER_ON_SOCKETPAIR)
		T_SKIP(socketpair_without_a_peer, "this system names a socketpair's peer");
	else
		T(socketpair_without_a_peer);
	T(datagram_peer);
	return t_end();
}
