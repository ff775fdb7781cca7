//! Linux (and Android): the reference p9fd was written against, and the one system where it
//! runs in tests. Sources: `net/core/scm.c` (`scm_detach_fds`, `put_cmsg`), `net/unix/af_unix.c`
//! (`unix_stream_read_generic`, `unix_dgram_recvmsg`), `include/net/scm.h` (SCM_MAX_FD).
//!
//! - Layout: the C library's `cmsghdr` (glibc: a `size_t` length, 16-byte header, 8-byte unit on
//!   64-bit; 12 and 4 on 32-bit). musl declares a `socklen_t` and padding where the kernel
//!   writes a `size_t`: what lies before `cmsg_level` is read as the length.
//! - At most 253 descriptors a message (SCM_MAX_FD); more is EINVAL.
//! - A full table: the data arrives with MSG_CTRUNC and no descriptors (`scm_detach_fds`).
//! - A small control buffer: the message and its `cmsg_len` are cut to what fits, the rest
//!   closed, MSG_CTRUNC (`put_cmsg`, `scm_detach_fds`).
//! - MSG_CMSG_CLOEXEC, atomic; MSG_NOSIGNAL.
//! - Credentials: SCM_CREDENTIALS with any message (SO_PASSCRED), SO_PEERCRED (with pid) on every
//!   socketpair type.
//! - A stream read stops at the bytes that carried descriptors (`unix_stream_read_generic`).

use core::ffi::c_int;
use core::mem::{offset_of, size_of};

use super::{Cloexec, Creds, Cut, FullTable, Layout, Owns, Records, Result, Sigpipe, System};

pub(crate) const SYSTEM: System = System {
    layout: Layout {
        hdr: size_of::<libc::cmsghdr>(),
        // SAFETY: CMSG_LEN and CMSG_SPACE are arithmetic on their argument.
        data: unsafe { libc::CMSG_LEN(0) } as usize,
        // SAFETY: as above.
        align: unsafe { libc::CMSG_SPACE(1) - libc::CMSG_LEN(0) } as usize,
        len_at: offset_of!(libc::cmsghdr, cmsg_len),
        len_size: offset_of!(libc::cmsghdr, cmsg_level) - offset_of!(libc::cmsghdr, cmsg_len),
        level_at: offset_of!(libc::cmsghdr, cmsg_level),
    },
    max_send: 253,
    full_table: FullTable::Ctrunc,
    owns: Owns {
        cut: Cut::WholeOnly,
        first_only: false,
    },
    cloexec: Cloexec::Atomic,
    sigpipe: Sigpipe::Flag,
    records: Records::Atomic,
    socketpair_cloexec: true,
    send_nbio: false,
};

/// The libc crate knows Linux's layout.
pub(super) const LIBC_LAYOUT_WRONG: bool = false;

/// The calling thread's errno.
pub(super) unsafe fn errno_location() -> *mut c_int {
    // SAFETY: no precondition; the C library returns this thread's errno.
    unsafe { libc::__errno_location() }
}

/// recvmsg's close-on-exec flag.
pub(super) const CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;

/// socketpair's close-on-exec flag (Linux 2.6.27 on).
pub(super) const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;

/// sendmsg itself. musl's wrapper copies the control data into a 1024-byte buffer (ENOMEM
/// beyond it: 253 descriptors need 1032 bytes), so there p9fd makes the system call directly;
/// the msghdr and cmsghdr it built are already the kernel's layout, their padding zeroed.
///
/// # Safety
/// As sendmsg(2): `msg` and what it points to are valid for reading.
#[cfg(not(target_env = "musl"))]
#[inline(always)]
pub(super) unsafe fn raw_sendmsg(sock: c_int, msg: *const libc::msghdr, flags: c_int) -> isize {
    // SAFETY: by the caller's contract.
    unsafe { libc::sendmsg(sock, msg, flags) as isize }
}
#[cfg(target_env = "musl")]
#[inline(always)]
pub(super) unsafe fn raw_sendmsg(sock: c_int, msg: *const libc::msghdr, flags: c_int) -> isize {
    // SAFETY: by the caller's contract; the system call reads what sendmsg(2) reads.
    unsafe { libc::syscall(libc::SYS_sendmsg, sock, msg, flags) as isize }
}

/// The credentials message a sender attaches for APUE's recv_ufd: SCM_CREDENTIALS (pid,
/// effective uid and gid, which the kernel checks).
pub(super) const SCM_CREDS: c_int = libc::SCM_CREDENTIALS;

/// Our own credentials, to send.
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn send_creds() -> Option<Creds> {
    // SAFETY: these calls cannot fail and touch no memory of ours.
    Some(unsafe { (libc::getpid(), libc::geteuid(), libc::getegid()) })
}

/// Turns SO_PASSCRED on: the kernel then attaches the sender's credentials to what it sends
/// from now on (and to what comes with credentials of its own).
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn set_passcred(sock: c_int) -> Result<()> {
    super::set_int_option(sock, libc::SO_PASSCRED, 1)
}

/// Who the peer was when the connection was made: SO_PEERCRED.
#[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
    let c: libc::ucred = super::getsockopt(sock, libc::SOL_SOCKET, libc::SO_PEERCRED)?;
    Ok((c.pid, c.uid, c.gid))
}
