//! illumos, modelled from illumos-gate `usr/src/uts/common/fs/sockfs/socksyscalls.c`
//! (`recvit`: every descriptor installed, those lying past the control buffer closed by
//! `so_closefds(..., startoff = controllen)`, before the copy since 12824 and after it before,
//! MSG_CTRUNC; unknown flags masked away, so MSG_CMSG_CLOEXEC, passed on to `fdbuf_extract`
//! since 0250c53a, is ignored before it), `socksubr.c` (`so_truncatecmsg`, since
//! illumos 12824 in June 2020, shortens the cut-off header; before it `cmsg_len` stays long;
//! `fdbuf_extract`: EMFILE on a full table), `socktpi.c` (`sotpi_recvmsg`: the message already
//! dequeued and freed on that error) and `ucredsys.c` (getpeerucred: ENOTSUP on a datagram
//! socketpair). SO_MAXARGSIZE (8192) lets a peer send about 2045 descriptors.

use super::{
    Behaviour, Fate, Model, RecordKind, SeveralRights, Spec, TooSmall, case, common, oracle,
    peer_ok, slots,
};
use crate::pass::{Part, recv_on};
use crate::sys::{self, Creds, Errno, Result, System};

/// illumos-gate today: MSG_CMSG_CLOEXEC and `so_truncatecmsg`.
pub(super) struct Illumos;
/// illumos between 12824 (2020) and 0250c53a (2024): the header shortened, the flag ignored.
pub(super) struct Illumos2020;
/// illumos before 12824: `cmsg_len` left at the full length, the flag ignored.
pub(super) struct IllumosOld;

fn peer(ty: libc::c_int) -> Result<Creds> {
    match ty {
        libc::SOCK_DGRAM => Err(Errno(libc::ENOTSUP)),
        _ => peer_ok(ty),
    }
}

const fn kernel(shortens: bool, honours_cloexec: bool) -> Behaviour {
    Behaviour {
        returns_space: true,
        several_rights: SeveralRights::First,
        too_small: TooSmall::ClosesRest { shortens },
        // sotpi_recvmsg: the message already dequeued (kstrgetmsg) and freed
        full: Some((libc::EMFILE, [Fate::Dropped; 3])),
        other_failures: &[],
        records: RecordKind::Atomic,
        honours_cloexec,
        null_control_leaks: false,
        gathers: false,
        types: [true, true, true],
        socketpair_cloexec: true,
        peer,
    }
}

impl Spec for Illumos {
    const SYSTEM: System = sys::illumos::SYSTEM;
    const KERNEL: Behaviour = kernel(true, true);
}
impl Spec for Illumos2020 {
    const SYSTEM: System = sys::illumos::SYSTEM;
    const KERNEL: Behaviour = kernel(true, false);
}
impl Spec for IllumosOld {
    const SYSTEM: System = sys::illumos::SYSTEM;
    const KERNEL: Behaviour = kernel(false, false);
}

#[test]
fn common_cases() {
    common::<Illumos>();
    common::<Illumos2020>();
    common::<IllumosOld>();
}

/// 600 descriptors (SO_MAXARGSIZE allows 2045): the kernel installs all, closes those past
/// p9fd's buffer, and copies out the rest, its header shortened or not. p9fd closes every
/// whole descriptor that came back, either way, and says EMSGSIZE.
fn more_than_the_buffer_holds<S: Spec>() {
    case("600", || {
        let (r, fds) = oracle(600);
        let mut k = Model::<S>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds]);
        let mut s = slots(253);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, false, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        vec![r]
    });
}

#[test]
fn more_than_the_buffer_holds_today() {
    more_than_the_buffer_holds::<Illumos>();
}

#[test]
fn more_than_the_buffer_holds_before_2020() {
    more_than_the_buffer_holds::<IllumosOld>();
}

/// MSG_CMSG_CLOEXEC is asked for, and close-on-exec holds where the kernel ignored it.
#[test]
fn cloexec_where_the_flag_is_ignored() {
    case("cloexec", || {
        let (r, fds) = oracle(1);
        let mut k = Model::<IllumosOld>::new(libc::SOCK_STREAM);
        k.send(&[0], vec![fds]);
        drop(crate::pass::recv_fd_on(&mut k, 3, true).unwrap());
        assert_eq!(k.flags, [libc::MSG_CMSG_CLOEXEC]);
        vec![r]
    });
}

/// One system call per send (MSG_NOSIGNAL); close-on-exec is asked of the kernel and set with
/// fcntl as well (p9fd cannot tell a release that ignores the flag): one call per descriptor,
/// on every release.
#[test]
fn system_calls_per_pass() {
    let want = super::Calls {
        recv_cloexec: 2,
        batch_recv_cloexec: 254,
        ..super::Calls::one_each(253)
    };
    assert_eq!(super::system_calls::<Illumos>(u32::MAX), want);
    assert_eq!(super::system_calls::<IllumosOld>(u32::MAX), want);
}
