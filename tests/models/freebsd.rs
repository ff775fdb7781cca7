//! FreeBSD 15, modelled from `sys/kern/uipc_usrreq.c` (`unp_externalize`: descriptors installed
//! with `fdallocn`, EMFILE on a full table after disposing of them; the stream and seqpacket
//! receive, `uipc_soreceive_stream_or_seqpacket`, puts the data back, `uipc_soreceive_dgram`
//! drops the datagram; several SCM_RIGHTS messages of one send delivered as several, each in
//! its own mbuf; `uipc_ctloutput`: LOCAL_PEERCRED refused without PR_CONNREQUIRED, EINVAL on a
//! datagram socket), `sys/kern/uipc_syscalls.c` (`kern_recvit`: control mbufs copied while a
//! whole one fits, the first that does not and all after it never copied and closed by
//! `m_dispose_extcontrolm`, MSG_CTRUNC; `kern_socketpair`: `unp_copy_peercred` gives both ends
//! of a stream or seqpacket pair the caller's credentials) and
//! `tests/sys/kern/unix_passfd_test.c` (send_a_lot, truncated_rights).

use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

use super::ownership::{Standard, identity};
use super::{
    Behaviour, Fate, Model, RecordKind, SeveralRights, Spec, TooSmall, case, common, oracle,
    peer_not_on_datagrams, slots,
};
use crate::pass::{Part, recv_on};
use crate::sys::{self, Errno, Layout, System};

pub(super) struct FreeBsd;

impl Spec for FreeBsd {
    const SYSTEM: System = sys::freebsd::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        returns_space: true,
        several_rights: SeveralRights::All,
        too_small: TooSmall::DropsWhole,
        // uipc_soreceive_stream_or_seqpacket links the data back after unp_externalize
        // fails, unless the buffer refilled meanwhile ("Losing data!"); uipc_soreceive_dgram
        // has already dequeued the datagram and frees it.
        full: Some((
            libc::EMFILE,
            [
                Fate::KeptUnlessRefilled,
                Fate::Dropped,
                Fate::KeptUnlessRefilled,
            ],
        )),
        other_failures: &[],
        records: RecordKind::Marked,
        honours_cloexec: true,
        null_control_leaks: false,
        gathers: true,
        types: [true, true, true],
        socketpair_cloexec: true,
        peer: peer_not_on_datagrams,
    };
}

/// A 32-bit FreeBSD (i386, armv7) on its own kernel: `kern_recvit` as on 64-bit, in the 4-byte
/// layout.
pub(super) struct FreeBsd32;

impl Spec for FreeBsd32 {
    const SYSTEM: System = System {
        layout: sys::freebsd::ILP32,
        ..sys::freebsd::SYSTEM
    };
    const KERNEL: Behaviour = FreeBsd::KERNEL;
}

/// The same 32-bit p9fd on a 64-bit kernel, whose receive copies out through
/// `sys/compat/freebsd32/freebsd32_misc.c` `freebsd32_copy_msg_out` ([`TooSmall::Compat32`]).
/// A 32-bit build cannot tell the two apart: its facts are `FreeBsd32`'s.
pub(super) struct FreeBsd32Compat;

impl Spec for FreeBsd32Compat {
    const SYSTEM: System = FreeBsd32::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        too_small: TooSmall::Compat32,
        ..FreeBsd::KERNEL
    };
}

#[test]
fn common_cases() {
    common::<FreeBsd>();
    common::<FreeBsd32>();
    common::<FreeBsd32Compat>();
}

/// The compat path's cut (a foreign sender's three rights messages, the second too long for
/// what is left of the buffer, the third short enough for it): `msg_controllen` ends inside the
/// third message, after the second's header, whose `cmsg_len` runs past it. The ints after
/// that header are the third message's header (its `cmsg_len`, SOL_SOCKET, SCM_RIGHTS: 1,
/// standard output) and numbers the kernel has closed; none is p9fd's. p9fd closes the first
/// message's descriptors, which the kernel installed, and nothing else; EMSGSIZE.
#[test]
fn compat32_cut_closes_only_what_was_installed() {
    case("compat32", || {
        let (r, mut fds) = oracle(3 + 100 + 2);
        let third = fds.split_off(103);
        let second = fds.split_off(3);
        let mut k = Model::<FreeBsd32Compat>::new(libc::SOCK_STREAM);
        // the first (24 bytes) and the second's header (12) fit, its 400 bytes do not; the
        // third (12 + 8) fits in the 24 left
        k.control_room = 24 + 12 + 24;
        // the caller's own descriptors, taken as raw numbers: if p9fd closed one, nothing
        // closes it again
        let (_keep, decoys) = oracle(2);
        k.stand_ins = decoys.into_iter().map(IntoRawFd::into_raw_fd).collect();
        k.send(b"x", vec![fds, second, third]);
        let mut s = slots(253);
        let others: Vec<_> = [0, 1, 2].iter().chain(&k.stand_ins).copied().collect();
        let ids: Vec<_> = others.iter().map(|&fd| identity(fd)).collect();
        let standard = Standard::keep();
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused);
        let after: Vec<_> = others.iter().map(|&fd| identity(fd)).collect();
        standard.restore();
        assert_eq!(after, ids, "p9fd closed a descriptor it did not own");
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        for fd in k.stand_ins.drain(..) {
            // SAFETY: the caller's, still open (checked above).
            drop(unsafe { OwnedFd::from_raw_fd(fd) });
        }
        vec![r]
    });
}

/// Several SCM_RIGHTS messages in one send (a foreign sender): all handed out, in order.
#[test]
fn several_rights_messages() {
    case("several SCM_RIGHTS", || {
        let (r, mut fds) = oracle(5);
        let two = fds.split_off(3);
        let mut k = Model::<FreeBsd>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds, two]);
        let mut s = slots(5);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused).unwrap();
        assert_eq!(got.0.fds, 5);
        drop(s);
        vec![r]
    });
}

/// 2 × 250 descriptors (FreeBSD takes 254 a message, several a send): more than p9fd's buffer
/// holds. The kernel (`uipc_syscalls.c` `kern_recvit`) copies the first message's mbuf whole,
/// never copies the second and closes its descriptors (`m_dispose_extcontrolm`), MSG_CTRUNC;
/// p9fd closes the rest and says EMSGSIZE (not EMFILE: a full table is an error here, never a
/// cut).
#[test]
fn more_than_the_buffer_holds() {
    case("2 x 250", || {
        let (r, mut fds) = oracle(500);
        let second = fds.split_off(250);
        let mut k = Model::<FreeBsd>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds, second]);
        let mut s = slots(253);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        for fd in k.stand_ins.drain(..) {
            // SAFETY: the caller's, still open (checked above).
            drop(unsafe { OwnedFd::from_raw_fd(fd) });
        }
        vec![r]
    });
}

/// SCM_CREDS (a `struct cmsgcred`, 84 bytes, added by the kernel where the receiver set
/// LOCAL_CREDS: `unp_addsockcred`) before the rights: the walk steps over it in FreeBSD's
/// layout and hands out the descriptors after it. (Type 3 is SCM_CREDS on FreeBSD; on this
/// host it names no descriptor-carrying message either.)
#[test]
fn credentials_before_the_rights() {
    case("SCM_CREDS", || {
        let (r, fds) = oracle(2);
        let mut k = Model::<FreeBsd>::new(libc::SOCK_DGRAM);
        k.send_with(b"x", 3, &[7; 84], fds);
        let mut s = slots(2);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, true, Part::Refused).unwrap();
        assert_eq!((got.0.fds, got.1), (2, None));
        assert!(s.iter().all(|s| s.as_ref().is_some_and(super::is_cloexec)));
        drop(s);
        vec![r]
    });
}

/// `unp_internalize` refuses (EMSGSIZE) a rights message whose file pointers do not fit one
/// cluster: `CMSG_SPACE(n * sizeof(void *)) > MCLBYTES` (2048). The limit so depends on the
/// architecture: 254 on 64-bit, 509 on 32-bit (4-byte pointers, a 4-byte unit). p9fd sends at
/// most 253 everywhere, under both.
#[test]
fn the_limit_per_architecture() {
    let most =
        |layout: Layout, ptr: usize| (1..).take_while(|n| layout.space(n * ptr) <= 2048).last();
    assert_eq!(most(Layout::socklen(8), 8), Some(254));
    assert_eq!(most(Layout::socklen(4), 4), Some(509));
    assert_eq!(sys::check_send(&FreeBsd::SYSTEM, 253), Ok(()));
    assert_eq!(
        sys::check_send(&FreeBsd::SYSTEM, 254),
        Err(Errno(libc::EINVAL))
    );
}

/// One system call per send (MSG_NOSIGNAL: `uipc_syscalls.c` `kern_sendit` raises no SIGPIPE
/// with it; MSG_EOR rides on the same call) and per receive (MSG_CMSG_CLOEXEC, atomic:
/// `uipc_usrreq.c` `unp_externalize`); the first send of the process also reads
/// `kern.osrelease` (sysctl), to know whether to mark records. So on FreeBSD 14.
#[test]
fn system_calls_per_pass() {
    let want = super::Calls {
        first_send: 2,
        ..super::Calls::one_each(253)
    };
    assert_eq!(super::system_calls::<FreeBsd>(15), want);
    assert_eq!(super::system_calls::<FreeBsd14>(14), want);
}

/// FreeBSD 14 and older: seqpacket was PR_ATOMIC (`uipc_usrreq.c` `seqpacketproto`: `PR_ADDR |
/// PR_ATOMIC`; `uipc_send` appends one record a send; `uipc_socket.c` `soreceive_generic` says
/// MSG_TRUNC and drops the rest), and `sosend_generic` refuses MSG_EOR on a stream (EINVAL).
/// Read in fel1x-developer/freebsd-src at 2d614aa2 (`__FreeBSD_version` 1500012, before the
/// rewrite that 15.0 shipped).
pub(super) struct FreeBsd14;

impl Spec for FreeBsd14 {
    const SYSTEM: System = FreeBsd::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        records: RecordKind::AtomicStreamRefusesEor,
        // soreceive_generic: after a failed externalize the record is dropped (likely: its
        // unp_externalize was not read)
        full: Some((
            libc::EMFILE,
            [Fate::KeptUnlessRefilled, Fate::Dropped, Fate::Dropped],
        )),
        ..FreeBsd::KERNEL
    };
    const RELEASE: u32 = 14;
}

#[test]
fn common_cases_freebsd14() {
    common::<FreeBsd14>();
}

/// p9fd's sends carry MSG_EOR from FreeBSD 15 on, on every socket type (a stream takes it as
/// the end of a read, a datagram ignores it), and none before: FreeBSD 14's stream would
/// refuse it.
#[test]
fn records_are_marked_from_15() {
    use crate::pass::send_on;
    for ty in [libc::SOCK_STREAM, libc::SOCK_DGRAM, libc::SOCK_SEQPACKET] {
        let mut k = Model::<FreeBsd>::new(ty);
        send_on(&mut k, 3, b"x", &[]).unwrap();
        assert_eq!(k.sends[0].0, libc::MSG_NOSIGNAL | libc::MSG_EOR);
        let mut k = Model::<FreeBsd14>::new(ty);
        send_on(&mut k, 3, b"x", &[]).unwrap();
        assert_eq!(k.sends[0].0, libc::MSG_NOSIGNAL);
    }
}

/// FreeBSD 15's seqpacket keeps the boundaries of p9fd's messages (each ends a record), so two
/// sends are two receives, and a record longer than the buffer is EMSGSIZE, as on every other
/// system: the receive comes back full without MSG_EOR, p9fd asks the socket's type (one
/// getsockopt), closes the descriptors and discards the rest of the record (one recvmsg per
/// 2 KiB of it, without waiting); the next message is whole. A record that fits exactly says
/// MSG_EOR and costs nothing more.
#[test]
fn seqpacket_records_keep_their_boundaries() {
    use crate::pass::send_on;
    case("records", || {
        let (r, fds) = oracle(2);
        let fd = fds[0].as_raw_fd();
        let mut k = Model::<FreeBsd>::new(libc::SOCK_SEQPACKET);
        send_on(&mut k, 3, b"one", &[]).unwrap();
        send_on(&mut k, 3, b"two", &[]).unwrap();
        let mut buf = [0; 16];
        let got = recv_on(&mut k, 3, &mut buf, &mut slots(1), false, Part::Refused).unwrap();
        assert_eq!((got.0.bytes, &buf[..3]), (3, &b"one"[..]));
        let got = recv_on(&mut k, 3, &mut buf, &mut slots(1), false, Part::Refused).unwrap();
        assert_eq!((got.0.bytes, &buf[..3]), (3, &b"two"[..]));
        // exactly the buffer: MSG_EOR, one call
        send_on(&mut k, 3, &[7; 16], &[fd]).unwrap();
        let before = k.calls;
        let mut s = slots(1);
        let got = recv_on(&mut k, 3, &mut buf, &mut s, false, Part::Refused).unwrap();
        assert_eq!((got.0.bytes, got.0.fds, k.calls - before), (16, 1, 1));
        drop(s);
        // 5000 bytes with a descriptor into 16: EMSGSIZE, the rest gone, then the next whole
        send_on(&mut k, 3, &[1; 5000], &[fd]).unwrap();
        send_on(&mut k, 3, b"next", &[fd]).unwrap();
        drop(fds);
        let before = k.calls;
        let mut s = slots(1);
        let got = recv_on(&mut k, 3, &mut buf, &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        // recvmsg, SO_TYPE, and the rest (4984 bytes) in three reads of up to 2 KiB
        assert_eq!(k.calls - before, 2 + 3);
        assert_eq!(k.flags[k.flags.len() - 1], libc::MSG_DONTWAIT);
        let got = recv_on(&mut k, 3, &mut buf, &mut s, false, Part::Refused).unwrap();
        assert_eq!((got.0.bytes, got.0.fds, &buf[..4]), (4, 1, &b"next"[..]));
        assert_eq!(k.queued(), 0);
        drop(s);
        vec![r]
    });
}

/// What FreeBSD 15 makes of a sender that does not mark its records (a program that is not
/// p9fd, or p9fd before this release): no boundaries. Its plain messages run together into one
/// receive, as a stream's writes do, and one that fills the buffer exactly cannot be told from
/// a cut record: p9fd says EMSGSIZE and discards what follows it up to the next message with
/// descriptors (sendfdmsg(3), BUGS). The descriptors are never touched wrongly.
#[test]
fn unmarked_senders_have_no_boundaries() {
    case("unmarked", || {
        let (r, fds) = oracle(2);
        let mut fds = fds.into_iter();
        let mut k = Model::<FreeBsd>::new(libc::SOCK_SEQPACKET);
        k.marks = false;
        k.send(b"ab", vec![fds.by_ref().take(1).collect()]);
        k.send(b"cd", vec![]);
        k.send(b"ef", vec![fds.by_ref().take(1).collect()]);
        let mut buf = [0; 8];
        let mut s = slots(1);
        let got = recv_on(&mut k, 3, &mut buf, &mut s, false, Part::Refused).unwrap();
        assert_eq!((got.0.bytes, got.0.fds, &buf[..4]), (4, 1, &b"abcd"[..]));
        let mut two = [0; 2];
        let got = recv_on(&mut k, 3, &mut two, &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        assert_eq!(k.queued(), 0);
        drop(s);
        vec![r]
    });
}
