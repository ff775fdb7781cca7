//! illumos (and Solaris): how they differ from Linux in descriptor passing, from illumos-gate's
//! sources (`usr/src/uts/common/fs/sockfs/socksyscalls.c`: `recvit`, `sendit`; `socksubr.c`:
//! `so_closefds`, `so_truncatecmsg`, `fdbuf_extract`; `socktpi.c`: `sotpi_recvmsg`;
//! `usr/src/uts/common/sys/socket.h`: SO_MAXARGSIZE, the CMSG_* macros). Modelled in
//! `tests/models/illumos.rs`; type-checked, never run.
//!
//! - Layout: a 12-byte header, data at 12, a 4-byte unit (8 on sparc).
//! - A send may carry up to SO_MAXARGSIZE (8192) bytes of control, about 2045 descriptors;
//!   p9fd sends at most 253. A receive of more than its buffer holds: `recvit` installs all of
//!   them, closes those lying past the buffer (`so_closefds`), sets MSG_CTRUNC and copies out
//!   the rest; since illumos 12824 (June 2020) `so_truncatecmsg` also shortens the last header,
//!   before it (OmniOS r151034 and older) its `cmsg_len` stays at the full length. p9fd takes
//!   the whole descriptors of a cut-off message either way, closes them, and says EMSGSIZE.
//! - MSG_CMSG_CLOEXEC since illumos-gate 0250c53a (2024); older kernels drop the bit in
//!   `recvit` without an error. p9fd asks for it and sets close-on-exec with fcntl as well:
//!   atomic where honoured, always set. Solaris (as the libc crate knows it) has no such flag:
//!   fcntl only.
//! - A full table: `fdbuf_extract` fails, and recvmsg says EMFILE with the message already
//!   dequeued (`kstrgetmsg`) and freed: descriptors disposed of, data lost. The next receive
//!   is the next message, as on Linux.
//! - SOCK_SEQPACKET exists (`/dev/ticotsord`); a stream read returns one STREAMS message, so
//!   plain bytes written after a descriptor do not arrive with it.
//! - Credentials: getpeerucred (pid, effective uid and gid), which allocates inside libc, on
//!   stream and seqpacket sockets; ENOTSUP on a datagram socket.

use super::{Cloexec, Cut, FullTable, Layout, Owns, Records, Sigpipe, System};

pub(crate) const SYSTEM: System = System {
    layout: Layout::socklen(if cfg!(target_arch = "sparc64") { 8 } else { 4 }),
    max_send: 253,
    full_table: FullTable::Fails {
        errno: libc::EMFILE,
    },
    owns: Owns {
        cut: Cut::Partial,
        first_only: false,
    },
    cloexec: if cfg!(target_os = "solaris") {
        Cloexec::AfterReceipt
    } else {
        Cloexec::AtomicWhereHonoured
    },
    sigpipe: Sigpipe::Flag,
    records: Records::Atomic,
    socketpair_cloexec: true,
    send_nbio: false,
};

#[cfg(any(target_os = "illumos", target_os = "solaris"))]
pub(crate) use imp::*;

#[cfg(any(target_os = "illumos", target_os = "solaris"))]
mod imp {
    use core::ffi::c_int;
    use core::ptr;

    pub(crate) use super::super::no_message_creds::*;
    pub(in crate::sys) use super::super::usual::*;
    use super::super::{Creds, Errno, Result};

    /// The libc crate knows the layout.
    pub(in crate::sys) const LIBC_LAYOUT_WRONG: bool = false;

    pub(in crate::sys) unsafe fn errno_location() -> *mut c_int {
        // SAFETY: no precondition; the C library returns this thread's errno.
        unsafe { libc::___errno() }
    }

    #[cfg(target_os = "illumos")]
    pub(in crate::sys) const CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
    #[cfg(target_os = "solaris")]
    pub(in crate::sys) const CMSG_CLOEXEC: c_int = 0;
    pub(in crate::sys) const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;

    /// getpeerucred, which allocates the answer; freed here.
    #[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
    pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
        let mut uc: *mut libc::ucred_t = ptr::null_mut();
        // SAFETY: on success the system stores a ucred_t it allocated in `uc`.
        if unsafe { libc::getpeerucred(sock, &mut uc) } < 0 {
            return Err(Errno::last());
        }
        // SAFETY: `uc` is the valid ucred_t just returned; it is freed once, after these reads.
        unsafe {
            let c = (
                libc::ucred_getpid(uc),
                libc::ucred_geteuid(uc),
                libc::ucred_getegid(uc),
            );
            libc::ucred_free(uc);
            Ok((c.0.max(0), c.1, c.2))
        }
    }
}
