//! The one place that talks to the kernel: `msghdr` and `cmsghdr` plumbing.
//!
//! Every `unsafe` block of the crate's socket code lives here. What comes out is safe: byte
//! slices the kernel wrote, counts, and `OwnedFd`s for descriptors the kernel installed.

#![allow(unsafe_code)]

use core::ffi::c_int;
use core::mem::{MaybeUninit, size_of, zeroed};
use core::ptr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// Most descriptors one message can carry: Linux's `SCM_MAX_FD`.
pub(crate) const MAXFDS: usize = 253;

/// Size of a `cmsghdr`; the data of a control message starts right after it.
pub(crate) const HDR: usize = size_of::<libc::cmsghdr>();

/// `CMSG_ALIGN`: control messages are padded to the size of a `long`.
pub(crate) const fn align(n: usize) -> usize {
    (n + size_of::<usize>() - 1) & !(size_of::<usize>() - 1)
}

/// `CMSG_SPACE`: room one control message with `n` data bytes takes, padding included.
pub(crate) const fn space(n: usize) -> usize {
    HDR + align(n)
}

/// The most a receive can be handed: SCM_CREDENTIALS, an SCM_SECURITY label (a context
/// string; 256 bytes is far above what SELinux or AppArmor produce), SCM_RIGHTS with
/// `MAXFDS` descriptors and an SCM_PIDFD. The library never truncates anything itself.
const RECV_SPACE: usize = space(size_of::<libc::ucred>())
    + space(256)
    + space(MAXFDS * size_of::<RawFd>())
    + space(size_of::<RawFd>());

/// A control buffer aligned as a `cmsghdr` must be.
#[repr(C, align(8))]
struct Aligned<T>(T);

const _: () = assert!(align_of::<libc::cmsghdr>() <= 8);

/// Where `recvmsg` writes control messages.
///
/// It is zeroed, so that the padding the kernel skips between messages reads as zeros rather
/// than as uninitialised memory.
pub(crate) struct RecvControl(Aligned<[u8; RECV_SPACE]>);

impl RecvControl {
    pub(crate) fn new() -> Self {
        RecvControl(Aligned([0; RECV_SPACE]))
    }
}

/// What one `recvmsg` returned.
pub(crate) struct Received<'c> {
    /// Data bytes received.
    pub bytes: usize,
    /// `msg_flags`: MSG_CTRUNC, MSG_TRUNC, ...
    pub flags: c_int,
    /// The control messages, exactly `msg_controllen` bytes of them.
    pub control: &'c [u8],
}

/// `recvmsg(2)` into `data`, with room for every control message the kernel can deliver.
pub(crate) fn recvmsg<'c>(
    sock: BorrowedFd<'_>,
    data: &mut [u8],
    control: &'c mut RecvControl,
    flags: c_int,
) -> io::Result<Received<'c>> {
    let buf = &mut control.0.0;
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: msghdr is plain data (pointers and integers, some private padding on some
    // targets) for which all zeros is valid.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = buf.as_mut_ptr().cast();
    msg.msg_controllen = buf.len() as _;
    // SAFETY: the kernel writes at most `iov_len` bytes to `data` and at most
    // `msg_controllen` bytes to `buf`; both borrows outlive the call.
    let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, flags) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    // The kernel only ever shrinks msg_controllen; min() keeps the slice in bounds regardless.
    let len = (msg.msg_controllen as usize).min(buf.len());
    Ok(Received {
        bytes: n as usize,
        flags: msg.msg_flags,
        control: &buf[..len],
    })
}

/// Takes ownership of a descriptor number found in a control message from `recvmsg`.
///
/// Returns `None` for a negative number, which the kernel never installs.
pub(crate) fn own(raw: RawFd) -> Option<OwnedFd> {
    if raw < 0 {
        return None;
    }
    // SAFETY: `raw` was read from an SCM_RIGHTS or SCM_PIDFD message that recvmsg just
    // returned: the kernel installed it in our table for this call alone, so nothing else owns
    // it, and the parser hands each such number out exactly once.
    Some(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Control buffer for sending: one SCM_RIGHTS message with up to `MAXFDS` descriptors.
type SendControl = Aligned<[MaybeUninit<u8>; space(MAXFDS * size_of::<RawFd>())]>;

/// `sendmsg(2)` of `data` with `fds` attached as one SCM_RIGHTS message, never raising
/// SIGPIPE. More than `MAXFDS` descriptors is EINVAL, as the kernel says, with nothing sent.
pub(crate) fn sendmsg(
    sock: BorrowedFd<'_>,
    data: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<usize> {
    if fds.len() > MAXFDS {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut control: SendControl = Aligned([MaybeUninit::uninit(); _]);
    let buf = &mut control.0;
    let used = HDR + fds.len() * size_of::<RawFd>();
    let len = space(fds.len() * size_of::<RawFd>());

    let mut iov = libc::iovec {
        iov_base: data.as_ptr().cast_mut().cast(),
        iov_len: data.len(),
    };
    // SAFETY: as in recvmsg, all zeros is a valid msghdr.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        // SAFETY: as for msghdr, all zeros is a valid cmsghdr.
        let mut hdr: libc::cmsghdr = unsafe { zeroed() };
        hdr.cmsg_len = used as _;
        hdr.cmsg_level = libc::SOL_SOCKET;
        hdr.cmsg_type = libc::SCM_RIGHTS;
        let base = buf.as_mut_ptr().cast::<u8>();
        // SAFETY: `buf` is 8-aligned (enough for cmsghdr, asserted above) and, as
        // `fds.len() <= MAXFDS`, holds at least `len` bytes: the header, `fds.len()` ints at offset HDR (a multiple of 4), then zeroed
        // padding up to `len`, so every byte the kernel reads is initialised.
        unsafe {
            base.cast::<libc::cmsghdr>().write(hdr);
            let data = base.add(HDR).cast::<RawFd>();
            for (i, fd) in fds.iter().enumerate() {
                data.add(i).write(fd.as_raw_fd());
            }
            ptr::write_bytes(base.add(used), 0, len - used);
        }
        msg.msg_control = base.cast();
        msg.msg_controllen = len as _;
    }
    // SAFETY: the kernel reads `iov_len` bytes of `data` and `msg_controllen` initialised
    // bytes of `buf`; both outlive the call.
    let n = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// `socketpair(AF_UNIX, ty, 0)`.
pub(crate) fn socketpair(ty: c_int) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut sv: [RawFd; 2] = [-1; 2];
    // SAFETY: the kernel writes two ints to `sv`, which has room for them.
    if unsafe { libc::socketpair(libc::AF_UNIX, ty, 0, sv.as_mut_ptr()) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: on success the kernel installed both descriptors for us alone.
    Ok(unsafe { (OwnedFd::from_raw_fd(sv[0]), OwnedFd::from_raw_fd(sv[1])) })
}

/// The socket's type (`SO_TYPE`): SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
pub(crate) fn socket_type(sock: BorrowedFd<'_>) -> io::Result<c_int> {
    let mut ty: c_int = 0;
    let mut len = size_of::<c_int>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes to `ty`, which has that many.
    let r = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut ty).cast(),
            &mut len,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ty)
}

/// Sets the calling thread's `errno`.
pub(crate) fn set_errno(e: c_int) {
    // SAFETY: __errno_location returns a valid pointer to this thread's errno.
    unsafe { *libc::__errno_location() = e };
}
