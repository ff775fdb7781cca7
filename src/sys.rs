//! The one place that talks to the kernel: `msghdr` and `cmsghdr` plumbing.
//!
//! Every `unsafe` block of the crate's socket code lives here. What comes out is safe: byte
//! slices the kernel wrote, counts, and `OwnedFd`s for descriptors the kernel installed.

#![allow(unsafe_code)]

use core::ffi::c_int;
use core::mem::{MaybeUninit, size_of, zeroed};
use core::ptr;
use std::io::{self, IoSlice};
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

const _: () = assert!(align_of::<libc::cmsghdr>() <= 8 && HDR.is_multiple_of(8));

/// Where `recvmsg` writes control messages. It starts uninitialised (zeroing 1.3 KiB on every
/// receive would cost more than the rest of the library's work); only its head is zeroed, and
/// [`RecvControl::bytes`] zeroes the padding the kernel skipped in a longer answer.
pub(crate) struct RecvControl(Aligned<[MaybeUninit<u8>; RECV_SPACE]>);

/// How much of a receive's control buffer is zeroed beforehand: enough for the usual
/// answers (one SCM_RIGHTS message with up to four descriptors, or credentials alone), which
/// [`RecvControl::head`] then hands out with no work at all.
const PREZEROED: usize = 32;

impl RecvControl {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        let mut buf = [MaybeUninit::uninit(); RECV_SPACE];
        for b in &mut buf[..PREZEROED] {
            b.write(0);
        }
        RecvControl(Aligned(buf))
    }

    /// The `len` bytes `recvmsg` returned, if they lie in the zeroed head.
    #[inline(always)]
    pub(crate) fn head(&self, len: usize) -> Option<&[u8]> {
        let head = self.0.0.get(..len).filter(|_| len <= PREZEROED)?;
        // SAFETY: every byte below PREZEROED was zeroed in `new`, and the kernel writes
        // only initialised bytes over them.
        Some(unsafe { &*(ptr::slice_from_raw_parts(head.as_ptr().cast::<u8>(), len)) })
    }

    /// The `len` bytes `recvmsg` returned (at most the buffer), every one of them initialised.
    ///
    /// The kernel writes each control message's header and data, then skips the padding that
    /// aligns the next one. This walks the headers as the kernel laid them out and zeroes each
    /// padding; where a header is inconsistent (which the kernel never writes), the rest is
    /// zeroed, and the parser, which applies the same rule, ends its walk there too.
    pub(crate) fn bytes(&mut self, len: usize) -> &[u8] {
        let buf = &mut self.0.0[..len.min(RECV_SPACE)];
        let len = buf.len();
        let mut at = 0;
        while at < len {
            let end = if at + HDR <= len {
                // SAFETY: `at` is 8-aligned in an 8-aligned buffer and a whole header lies at
                // `at` (the kernel writes headers whole, at exactly these offsets); cmsg_len is
                // its first word (a size_t, glibc).
                let cmsg_len = unsafe { buf.as_ptr().add(at).cast::<usize>().read() };
                if cmsg_len < HDR || cmsg_len > len - at {
                    at
                } else {
                    at + cmsg_len
                }
            } else {
                at
            };
            let next = if end == at { len } else { align(end).min(len) };
            for b in &mut buf[end..next] {
                b.write(0);
            }
            if end == at {
                break;
            }
            at = next;
        }
        // SAFETY: every byte below `len` is one the kernel wrote (headers and data) or one we
        // just zeroed (padding, and any rest after an inconsistent header).
        unsafe { &*(ptr::slice_from_raw_parts(buf.as_ptr().cast::<u8>(), len)) }
    }
}

/// What one `recvmsg` returned.
pub(crate) struct Received {
    /// Data bytes received.
    pub bytes: usize,
    /// `msg_flags`: MSG_CTRUNC, MSG_TRUNC, ...
    pub flags: c_int,
    /// `msg_controllen`: how much of the control buffer the kernel filled.
    pub control_len: usize,
}

/// `recvmsg(2)` into `data`, with room in `control` for every control message the kernel can
/// deliver.
#[inline(always)]
pub(crate) fn recvmsg(
    sock: BorrowedFd<'_>,
    data: &mut [u8],
    control: &mut RecvControl,
    flags: c_int,
) -> io::Result<Received> {
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
    Ok(Received {
        bytes: n as usize,
        flags: msg.msg_flags,
        control_len: msg.msg_controllen as usize,
    })
}

/// Takes ownership of a descriptor number found in a control message from `recvmsg`.
///
/// Returns `None` for a negative number, which the kernel never installs.
#[inline(always)]
pub(crate) fn own(raw: RawFd) -> Option<OwnedFd> {
    if raw < 0 {
        return None;
    }
    // SAFETY: `raw` was read from an SCM_RIGHTS or SCM_PIDFD message that recvmsg just
    // returned: the kernel installed it in our table for this call alone, so nothing else owns
    // it, and the parser hands each such number out exactly once.
    Some(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Control buffer for sending: SCM_CREDENTIALS, then SCM_RIGHTS with up to `MAXFDS`
/// descriptors.
const SEND_SPACE: usize = space(size_of::<libc::ucred>()) + space(MAXFDS * size_of::<RawFd>());
type SendControl = Aligned<[MaybeUninit<u8>; SEND_SPACE]>;

/// Writes one SOL_SOCKET control message of type `kind` carrying `data` at `base + at`,
/// padding included, and returns where the next one starts.
///
/// # Safety
/// `base` is 8-aligned, `at` a multiple of 8, and `base + at` has room for `space(data.len())`
/// bytes.
#[inline(always)]
unsafe fn put_cmsg(base: *mut u8, at: usize, kind: c_int, data: &[u8]) -> usize {
    // SAFETY: all zeros is a valid cmsghdr (integers, some private padding on some targets).
    let mut hdr: libc::cmsghdr = unsafe { zeroed() };
    hdr.cmsg_len = (HDR + data.len()) as _;
    hdr.cmsg_level = libc::SOL_SOCKET;
    hdr.cmsg_type = kind;
    let end = at + space(data.len());
    // SAFETY: by the caller's contract the header (aligned), the data and the zeroed padding
    // up to `end` are all in bounds, so every byte the kernel reads is initialised.
    unsafe {
        base.add(at).cast::<libc::cmsghdr>().write(hdr);
        ptr::copy_nonoverlapping(data.as_ptr(), base.add(at + HDR), data.len());
        ptr::write_bytes(
            base.add(at + HDR + data.len()),
            0,
            end - (at + HDR + data.len()),
        );
    }
    end
}

/// `sendmsg(2)` of the bytes in `data` (gathered, as one message) with `fds` attached as one
/// SCM_RIGHTS message, and `creds` as SCM_CREDENTIALS, never raising SIGPIPE. More than
/// `MAXFDS` descriptors is EINVAL, as the kernel says, with nothing sent.
#[inline(always)]
pub(crate) fn sendmsg(
    sock: BorrowedFd<'_>,
    data: &[IoSlice<'_>],
    fds: &[BorrowedFd<'_>],
    creds: Option<libc::ucred>,
) -> io::Result<usize> {
    if fds.len() > MAXFDS {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut control: SendControl = Aligned([MaybeUninit::uninit(); SEND_SPACE]);
    let base = control.0.as_mut_ptr().cast::<u8>();
    let mut len = 0;
    if let Some(c) = creds {
        let bytes = [
            c.pid.to_ne_bytes(),
            c.uid.to_ne_bytes(),
            c.gid.to_ne_bytes(),
        ];
        // SAFETY: `base` is 8-aligned and SEND_SPACE has room for the credentials first.
        len = unsafe { put_cmsg(base, len, libc::SCM_CREDENTIALS, bytes.as_flattened()) };
    }
    if !fds.is_empty() {
        // SAFETY: BorrowedFd is repr(transparent) over RawFd, so `fds` is that many ints.
        let ints =
            unsafe { std::slice::from_raw_parts(fds.as_ptr().cast::<u8>(), size_of_val(fds)) };
        // SAFETY: `len` is 0 or space(ucred), a multiple of 8, and as `fds.len() <= MAXFDS`
        // the rest of SEND_SPACE has room for them.
        len = unsafe { put_cmsg(base, len, libc::SCM_RIGHTS, ints) };
    }
    // SAFETY: all zeros is a valid msghdr.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    // IoSlice is ABI-compatible with struct iovec on Unix; the kernel only reads the array.
    msg.msg_iov = data.as_ptr().cast_mut().cast();
    msg.msg_iovlen = data.len() as _;
    if len > 0 {
        msg.msg_control = base.cast();
        msg.msg_controllen = len as _;
    }
    // SAFETY: the kernel reads the slices of `data` and `msg_controllen` initialised bytes of
    // the control buffer; all outlive the call.
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

/// `getsockopt(2)` of a SOL_SOCKET option whose value is a plain `T` (an int, a ucred).
fn getsockopt<T: Copy>(sock: BorrowedFd<'_>, opt: c_int) -> io::Result<T> {
    let mut v = MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes to `v`, which has that many.
    let r = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            opt,
            v.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: T is plain integers (callers use c_int and ucred): zeroed, then partly or wholly
    // written by the kernel, it is initialised either way.
    Ok(unsafe { v.assume_init() })
}

/// The socket's type (`SO_TYPE`): SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
pub(crate) fn socket_type(sock: BorrowedFd<'_>) -> io::Result<c_int> {
    getsockopt(sock, libc::SO_TYPE)
}

/// Sets the calling thread's `errno`.
pub(crate) fn set_errno(e: c_int) {
    // SAFETY: __errno_location returns a valid pointer to this thread's errno.
    unsafe { *libc::__errno_location() = e };
}

/// Turns SO_PASSCRED on: the kernel then attaches the sender's credentials to what it sends
/// from now on (and to what comes with credentials of its own).
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn set_passcred(sock: BorrowedFd<'_>) -> io::Result<()> {
    let on: c_int = 1;
    // SAFETY: the kernel reads `size_of::<c_int>()` bytes of `on`.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PASSCRED,
            (&raw const on).cast(),
            size_of::<c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The credentials the peer had when the connection was made (SO_PEERCRED), as
/// (pid, uid, gid).
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn peer_creds(sock: BorrowedFd<'_>) -> io::Result<(i32, u32, u32)> {
    let c: libc::ucred = getsockopt(sock, libc::SO_PEERCRED)?;
    Ok((c.pid, c.uid, c.gid))
}

/// Our own credentials as the kernel will vouch for them: pid, effective uid and gid.
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn own_creds() -> libc::ucred {
    // SAFETY: these calls cannot fail and touch no memory of ours.
    unsafe {
        libc::ucred {
            pid: libc::getpid(),
            uid: libc::geteuid(),
            gid: libc::getegid(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `bytes` must give for a buffer whose first `len` bytes are `raw` where the kernel
    /// wrote (headers and data) and garbage elsewhere: the headers and data, with every other
    /// byte zero; an inconsistent header and all after it zero.
    fn expected(raw: &[u8]) -> Vec<u8> {
        let mut out = vec![0; raw.len()];
        let mut at = 0;
        while raw.len() - at >= HDR {
            let cmsg_len = usize::from_ne_bytes(raw[at..at + 8].try_into().unwrap());
            if cmsg_len < HDR || cmsg_len > raw.len() - at {
                break;
            }
            out[at..at + cmsg_len].copy_from_slice(&raw[at..at + cmsg_len]);
            at = align(at + cmsg_len);
            if at >= raw.len() {
                break;
            }
        }
        out
    }

    proptest! {
        /// The padding walk zeroes exactly what the kernel skipped, whatever the layout and
        /// whatever the garbage, and never reads or writes past the length it is given.
        #[test]
        fn bytes_zeroes_exactly_the_padding(
            msgs in prop::collection::vec((0..300usize, -3..3i64, any::<u8>()), 0..6),
            garbage in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut raw = Vec::new();
            for (n, fudge, fill) in msgs {
                let len = ((HDR + n) as i64 + fudge).max(0) as usize;
                let start = raw.len();
                raw.extend(len.to_ne_bytes());
                raw.extend([fill; 8]);
                raw.extend(std::iter::repeat_n(fill, n));
                raw.resize(start + space(n), garbage);
            }
            let len = cut.index(raw.len().min(RECV_SPACE) + 1);
            let mut c = RecvControl::new();
            for (b, r) in c.0.0.iter_mut().zip(&raw) {
                b.write(*r);
            }
            for b in &mut c.0.0[raw.len().min(RECV_SPACE)..] {
                b.write(garbage);
            }
            let want = expected(&raw[..len]);
            let got = c.bytes(len).to_vec();
            prop_assert_eq!(got, want);
        }
    }
}
