//! NetBSD: how it differs from Linux in descriptor passing, from its kernel's sources
//! (`sys/kern/uipc_usrreq.c`: `unp_internalize`, `unp_externalize`, `unp_ctloutput`;
//! `sys/kern/uipc_socket.c`: `soreceive`; `sys/kern/uipc_proto.c`: `unixsw`;
//! `sys/kern/uipc_syscalls.c`: `do_sys_recvmsg`; `sys/arch/*/include/cdefs.h`: `__ALIGNBYTES`).
//! Modelled in `tests/models/netbsd.rs`; the C suite run on NetBSD 6.99.16 booted under qemu
//! (`make check-netbsd-vm`), and the core on NetBSD 7.99.34's socket code as a rump kernel
//! (`make check-rump`; docs/platforms.md, docs/kernels.md).
//! - A send that does not wait needs MSG_NBIO: `sosend` gives up without room only for a
//!   non-blocking socket or MSG_NBIO, and reads no MSG_DONTWAIT (7.99.34 waited, run;
//!   10.99.12's `uipc_socket.c` 1.313 reads the same). p9fd says both ([`System::send_nbio`]).
//!   A receive reads MSG_DONTWAIT (`soreceive`).
//! - A send on a stream whose peer's buffer is full fails at once with EMSGSIZE, not a wait:
//!   the stream send shrinks the sender's `sb_hiwat` by what the peer holds, and `sosend`
//!   refuses control larger than `sb_hiwat`. p9fd passes it on.
//! - What the kernel disposes of itself (a plain read past a descriptor) is closed later, by
//!   its `unp_gc` thread (`unp_discard_later`), which runs when an AF_UNIX socket is closed
//!   (`unp_detach`) or, while rights are in flight, once a second.
//!
//! - Layout: a 12-byte header, data at `__ALIGN(12)`; the unit is `__ALIGNBYTES + 1`: 8 on
//!   x86_64, 4 on i386, 16 on aarch64 (AAPCS64), riscv64 and sparc64. On aarch64 the libc crate
//!   says 4 (its `_ALIGNBYTES` is 3): there p9fd uses the kernel's value, not the crate's.
//! - A send may carry a page of control (1020 descriptors with 4 KiB pages); of several
//!   SCM_RIGHTS messages only the first is delivered. p9fd sends one of at most 253. A rights
//!   message that does not fit the receiver's buffer is not copied, its descriptors closed:
//!   MSG_CTRUNC, reported as EMSGSIZE (a full table is not a cut here).
//! - A full table: `unp_externalize` fails with EMSGSIZE, having disposed of the descriptors
//!   (EPERM the same way for a directory outside the receiver's chroot). `soreceive` then
//!   copies no data; on a PR_ATOMIC socket (datagram, and seqpacket) it drops the rest of the
//!   record, on a stream the data stays queued. p9fd says EMFILE (EPERM as it is) and
//!   receives nothing more: the next receive reads a stream's data without its descriptors.
//! - MSG_CMSG_CLOEXEC, atomic; MSG_NOSIGNAL.
//! - Credentials: LOCAL_PEEREID (`unpcbid`, with pid) on a stream or seqpacket socket that
//!   `connect` connected (`unp_connect` records them, `unp_connid`); EINVAL on a socketpair,
//!   whose `unp_connect2` records none (run on 6.99.16 under qemu; the same in 10.99.12's
//!   source), and on a datagram socket.
//! - Stream framing: later writes are appended to the record that carried the descriptors.
//! - The in-flight limit is EAGAIN, not Linux's ETOOMANYREFS.

use super::{Cloexec, Cut, FullTable, Layout, Owns, Records, Sigpipe, System};

/// The layout on aarch64 (and riscv64, sparc64), where the libc crate's differs.
#[cfg(test)]
pub(crate) const AARCH64: Layout = Layout::socklen(16);

/// The padding unit: `__ALIGNBYTES + 1`.
const UNIT: usize = if cfg!(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "sparc64"
)) {
    16
} else if cfg!(target_arch = "x86") {
    4
} else {
    8 // `sizeof(long)` on x86_64, `sizeof(long long)` or `sizeof(double)` on the 32-bit others
};

pub(crate) const SYSTEM: System = System {
    layout: Layout::socklen(UNIT),
    max_send: 253,
    full_table: FullTable::Fails {
        errno: libc::EMSGSIZE,
    },
    owns: Owns {
        cut: Cut::WholeOnly,
        first_only: false,
    },
    cloexec: Cloexec::Atomic,
    sigpipe: Sigpipe::Flag,
    records: Records::Atomic,
    socketpair_cloexec: true,
    send_nbio: true,
};

#[cfg(target_os = "netbsd")]
pub(crate) use imp::*;

#[cfg(target_os = "netbsd")]
mod imp {
    use core::ffi::c_int;

    pub(crate) use super::super::no_message_creds::*;
    pub(in crate::sys) use super::super::usual::*;
    use super::super::{Creds, Result, getsockopt};

    /// Where the libc crate's CMSG_* macros disagree with the kernel: aarch64.
    pub(in crate::sys) const LIBC_LAYOUT_WRONG: bool = cfg!(target_arch = "aarch64");

    pub(in crate::sys) unsafe fn errno_location() -> *mut c_int {
        // SAFETY: no precondition; the C library returns this thread's errno.
        unsafe { libc::__errno() }
    }

    pub(in crate::sys) const CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
    pub(in crate::sys) const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;

    /// LOCAL_PEEREID (level 0): pid, effective uid and gid.
    #[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
    pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
        let c: libc::unpcbid = getsockopt(sock, 0, libc::LOCAL_PEEREID)?;
        Ok((c.unp_pid, c.unp_euid, c.unp_egid))
    }
}
