//! macOS (and the other Apple systems): how xnu differs from Linux in descriptor passing, from
//! its sources (xnu-11417.121.6: `bsd/kern/uipc_usrreq.c`: `unp_internalize`,
//! `unp_externalize`, `unp_connect2`, `uipc_ctloutput`; `bsd/kern/uipc_socket.c`: `soreceive`;
//! `bsd/kern/uipc_syscalls.c`: `sendit`, `sockargs`, `copyout_control`;
//! `bsd/kern/uipc_proto.c`). Modelled in `tests/models/apple.rs`; type-checked, never run.
//!
//! - Layout: a 12-byte header, data at 12, a 4-byte unit, on x86_64 and arm64 alike.
//! - At most 254 descriptors a message (`sockargs` caps the doubled control size at MCLBYTES),
//!   in exactly one SCM_RIGHTS message. p9fd sends at most 253.
//! - A control buffer too small for what arrived: `unp_externalize` installs every descriptor,
//!   `copyout_control` copies what fits, `cmsg_len` left at the full length, MSG_CTRUNC; the
//!   descriptors past the copy stay installed where nobody can see them. p9fd's buffer holds
//!   the most xnu can deliver (checked below), so that never happens to it.
//! - A full table: `unp_externalize` fails with EMSGSIZE (`fdt_available_locked`), having
//!   disposed of the descriptors; `fdalloc` can still fail (EMFILE) and its allocation
//!   (ENOMEM), the same way. `soreceive_ctl` has dequeued the control only: the data stays
//!   queued, on stream and datagram sockets. p9fd says EMFILE for EMSGSIZE (the others as
//!   they are) and receives nothing more: the next receive reads that data without its
//!   descriptors.
//! - No MSG_CMSG_CLOEXEC: close-on-exec is set with fcntl right after receipt, not atomically.
//! - SIGPIPE: `sendit` (`uipc_syscalls.c`) raises it on EPIPE unless the socket has
//!   SO_NOSIGPIPE or, since xnu-7195.50.7 (macOS 11, iOS 14; Darwin 20), the send's flags have
//!   MSG_NOSIGNAL (0x80000, which xnu-6153, macOS 10.15, neither defines nor rejects: it is
//!   ignored there). So the send is one system call, MSG_NOSIGNAL, wherever the kernel is
//!   known to be 11 or later: on every Apple Silicon Mac (aarch64-apple-darwin's oldest macOS
//!   is 11) and on visionOS, decided at compile time. Elsewhere (x86_64 macOS, whose Rust
//!   target runs on 10.12; iOS, tvOS, watchOS) `kern.osrelease` is read once per process: from
//!   Darwin 20 on, MSG_NOSIGNAL alone; before it, SO_NOSIGPIPE is set before each send (two
//!   system calls; the option stays set, so plain writes to that socket stop raising SIGPIPE
//!   too).
//! - No AF_UNIX SOCK_SEQPACKET (`uipc_proto.c` has stream and datagram only): EPROTONOSUPPORT,
//!   from `socketpair` too (`socreate_internal` finds no protocol of that type), so p9fd's
//!   framed pipe fails with it.
//! - No SOCK_CLOEXEC: a close-on-exec pipe's ends get FD_CLOEXEC with fcntl right after
//!   `socketpair`, not atomically.
//! - Credentials: LOCAL_PEERCRED (uid, groups), recorded by `unp_connect2` for stream sockets
//!   only (EINVAL on a datagram socket), and LOCAL_PEERPID, which answers the peer socket's
//!   `last_pid` (`uipc_ctloutput`): the last process that used it, not the one that
//!   connected.
//! - Stream framing: `sbappend` adds later writes to the record that carried the descriptors.

use super::{Cloexec, Cut, FullTable, Layout, Owns, Records, Sigpipe, System};

pub(crate) const SYSTEM: System = System {
    layout: Layout::socklen(4),
    max_send: 253,
    full_table: FullTable::Fails {
        errno: libc::EMSGSIZE,
    },
    owns: Owns {
        cut: Cut::Partial,
        first_only: false,
    },
    cloexec: Cloexec::AfterReceipt,
    sigpipe: if cfg!(any(
        all(target_os = "macos", target_arch = "aarch64"),
        target_os = "visionos"
    )) {
        Sigpipe::Flag
    } else {
        Sigpipe::FlagFrom { release: 20 }
    },
    records: Records::Atomic,
    socketpair_cloexec: false,
    send_nbio: false,
};

/// The most xnu delivers in one message fits p9fd's receive buffer, so that `copyout_control`
/// never leaves descriptors installed past it.
const _: () = assert!(SYSTEM.layout.space(254 * 4) <= super::RECV_SPACE);

#[cfg(target_vendor = "apple")]
pub(crate) use imp::*;

#[cfg(target_vendor = "apple")]
mod imp {
    use core::ffi::c_int;

    pub(crate) use super::super::no_message_creds::*;
    use super::super::{Creds, Errno, Result, getsockopt, set_int_option};

    /// The libc crate knows Apple's layout.
    pub(in crate::sys) const LIBC_LAYOUT_WRONG: bool = false;

    pub(in crate::sys) unsafe fn errno_location() -> *mut c_int {
        // SAFETY: no precondition; the C library returns this thread's errno.
        unsafe { libc::__error() }
    }

    /// SO_NOSIGPIPE, idempotent; if it fails (not a socket, ...), sendmsg reports why.
    pub(in crate::sys) fn set_nosigpipe(sock: c_int) {
        let _ = set_int_option(sock, libc::SO_NOSIGPIPE, 1);
    }

    /// `kern.osrelease`'s major number (Darwin 20 is macOS 11), once per process.
    pub(in crate::sys) use super::super::osrelease::release;
    pub(in crate::sys) const CMSG_CLOEXEC: c_int = 0;
    /// None: `socketpair`'s ends are made close-on-exec with fcntl (`socketpair_cloexec`).
    pub(in crate::sys) const SOCK_CLOEXEC: c_int = 0;
    pub(in crate::sys) use libc::sendmsg as raw_sendmsg;

    /// LOCAL_PEERCRED (uid, first group) and LOCAL_PEERPID (the last process to use the peer
    /// socket, not necessarily the one that connected it).
    #[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
    pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
        let x: libc::xucred = getsockopt(sock, libc::SOL_LOCAL, libc::LOCAL_PEERCRED)?;
        if x.cr_version != libc::XUCRED_VERSION || x.cr_ngroups < 1 {
            return Err(Errno(libc::EINVAL));
        }
        let pid: libc::pid_t = getsockopt(sock, libc::SOL_LOCAL, libc::LOCAL_PEERPID)?;
        Ok((pid, x.cr_uid, x.cr_groups[0]))
    }
}
