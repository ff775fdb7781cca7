//! macOS, modelled from xnu-11417.121.6: `bsd/kern/uipc_syscalls.c` (`sockargs`: the doubled
//! control size capped at MCLBYTES, so 254 descriptors; `copyout_control`: what does not fit
//! copied raw, `cmsg_len` left long, MSG_CTRUNC, the rest left installed), `uipc_usrreq.c`
//! (`unp_externalize`: all installed first, EMSGSIZE when `fdalloc` fails with the descriptors
//! disposed of; `unp_connect2`: peer credentials for SOCK_STREAM only, LOCAL_PEERCRED EINVAL
//! on a datagram socket), `uipc_socket.c` (`soreceive`: the data left queued on that error,
//! stream and datagram; without a control buffer the descriptors stay installed) and
//! `uipc_proto.c` (no SOCK_SEQPACKET); `unp_internalize` takes exactly one SCM_RIGHTS message
//! whose `cmsg_len` is the control mbuf's length, and refuses anything else, EINVAL. No
//! MSG_CMSG_CLOEXEC.

use super::{
    Behaviour, Calls, Fate, Model, RecordKind, SeveralRights, Spec, TooSmall, case, common, oracle,
    peer_not_on_datagrams, slots, system_calls,
};
use crate::pass::{Part, recv_on};
use crate::sys::{self, Errno, Sigpipe, System};

pub(super) struct Apple;

impl Spec for Apple {
    const SYSTEM: System = sys::apple::SYSTEM;
    const KERNEL: Behaviour = Behaviour {
        returns_space: true,
        several_rights: SeveralRights::Refused,
        too_small: TooSmall::CopiesRaw,
        // soreceive_ctl fails, soreceive goes to release: the data stays queued
        full: Some((libc::EMSGSIZE, [Fate::Kept, Fate::Kept, Fate::Dropped])),
        // unp_externalize: kalloc_data (ENOMEM), fdalloc (EMFILE past fdt_available_locked)
        other_failures: &[libc::ENOMEM, libc::EMFILE],
        records: RecordKind::Atomic,
        honours_cloexec: false,
        null_control_leaks: true,
        gathers: true,
        types: [true, true, false],
        socketpair_cloexec: false,
        peer: peer_not_on_datagrams,
    };
}

/// The same kernel, with p9fd's facts as they are built for x86_64 macOS (and iOS, tvOS,
/// watchOS): MSG_NOSIGNAL from Darwin 20 (macOS 11) on, found once per process.
pub(super) struct AppleIntel;

impl Spec for AppleIntel {
    const SYSTEM: System = System {
        sigpipe: Sigpipe::FlagFrom { release: 20 },
        ..sys::apple::SYSTEM
    };
    const KERNEL: Behaviour = Apple::KERNEL;
}

/// As built for aarch64-apple-darwin (and visionOS): MSG_NOSIGNAL, decided at compile time.
pub(super) struct AppleSilicon;

impl Spec for AppleSilicon {
    const SYSTEM: System = System {
        sigpipe: Sigpipe::Flag,
        ..sys::apple::SYSTEM
    };
    const KERNEL: Behaviour = Apple::KERNEL;
}

#[test]
fn common_cases() {
    common::<Apple>();
    common::<AppleSilicon>();
}

/// One system call per send where the kernel honours MSG_NOSIGNAL (xnu-7195.50.7 on: Darwin
/// 20), two (SO_NOSIGPIPE, then sendmsg) before it; the first send on x86_64 asks the release
/// (sysctl) once. Close-on-exec after receipt: one fcntl per descriptor.
#[test]
fn system_calls_per_pass() {
    // close-on-exec after receipt: one fcntl per descriptor
    let silicon = Calls {
        recv_cloexec: 2,
        batch_recv_cloexec: 254,
        ..Calls::one_each(253)
    };
    assert_eq!(system_calls::<AppleSilicon>(20), silicon);
    // the first send asks the release
    let intel_11 = Calls {
        first_send: 2,
        ..silicon
    };
    assert_eq!(system_calls::<AppleIntel>(20), intel_11);
    // SO_NOSIGPIPE before each send
    let intel_10_15 = Calls {
        first_send: 3,
        send: 2,
        batch_send: 2,
        ..silicon
    };
    assert_eq!(system_calls::<AppleIntel>(19), intel_10_15);
    // the sends themselves: the flag, or the option set before a plain send
    let mut k = Model::<AppleIntel>::new(libc::SOCK_STREAM);
    k.release = 19;
    crate::pass::send_on(&mut k, 3, b"x", &[]).unwrap();
    k.release = 20; // asked once: still 19 for this process
    crate::pass::send_on(&mut k, 3, b"x", &[]).unwrap();
    assert_eq!(k.sends, [(0, true), (0, true)]);
    let mut k = Model::<AppleIntel>::new(libc::SOCK_STREAM);
    k.release = 20;
    crate::pass::send_on(&mut k, 3, b"x", &[]).unwrap();
    assert_eq!(k.sends, [(libc::MSG_NOSIGNAL, false)]);
}

/// The most xnu delivers, 254 descriptors, fits p9fd's control buffer: nothing is left
/// installed unseen (as `copyout_control` would leave it past a smaller buffer), and with
/// room for 253, EMSGSIZE and all 254 closed.
#[test]
fn the_most_xnu_delivers_fits() {
    case("254", || {
        let (r, fds) = oracle(254);
        let mut k = Model::<Apple>::new(libc::SOCK_STREAM);
        k.send(b"x", vec![fds]);
        let mut s = slots(253);
        let got = recv_on(&mut k, 3, &mut [0; 1], &mut s, true, Part::Refused);
        assert_eq!(got.unwrap_err(), Errno(libc::EMSGSIZE));
        assert!(k.leaked.is_empty());
        vec![r]
    });
}

/// Close-on-exec is asked of nobody (no flag) and set after receipt.
#[test]
fn cloexec_without_the_flag() {
    case("cloexec", || {
        let (r, fds) = oracle(1);
        let mut k = Model::<Apple>::new(libc::SOCK_STREAM);
        k.send(&[0], vec![fds]);
        drop(crate::pass::recv_fd_on(&mut k, 3, true).unwrap());
        assert_eq!(k.flags, [0]);
        vec![r]
    });
}
