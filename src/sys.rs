//! The one place that talks to the kernel: `msghdr` and `cmsghdr` plumbing, errno, and the
//! owning descriptor type.
//!
//! Every `unsafe` block of the crate's socket code lives here. What comes out is safe: byte
//! slices the kernel wrote, counts, errno values, and [`Fd`]s for descriptors the kernel
//! installed. It needs `core` and `libc` only.

#![allow(unsafe_code)]

use core::ffi::c_int;
use core::mem::{MaybeUninit, offset_of, size_of, zeroed};
use core::ptr;

/// An errno value: how every failure is reported inside the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Errno(pub(crate) c_int);

/// A result whose error is an errno value.
pub(crate) type Result<T> = core::result::Result<T, Errno>;

impl Errno {
    /// The calling thread's errno, as the call that just failed left it.
    #[cold]
    pub(crate) fn last() -> Errno {
        // SAFETY: errno_location returns a valid pointer to this thread's errno.
        Errno(unsafe { *errno_location() })
    }

    /// Sets the calling thread's errno to this value.
    #[cfg_attr(not(feature = "capi"), allow(dead_code))]
    pub(crate) fn set(self) {
        // SAFETY: as in `last`.
        unsafe { *errno_location() = self.0 };
    }
}

/// Where the calling thread's errno lives: the one name each C library gives it.
#[cfg(any(target_os = "linux", target_os = "emscripten", target_os = "redox"))]
unsafe fn errno_location() -> *mut c_int {
    // SAFETY: no precondition; the C library returns this thread's errno.
    unsafe { libc::__errno_location() }
}
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
unsafe fn errno_location() -> *mut c_int {
    // SAFETY: as above.
    unsafe { libc::__error() }
}
#[cfg(any(target_os = "openbsd", target_os = "netbsd", target_os = "android"))]
unsafe fn errno_location() -> *mut c_int {
    // SAFETY: as above.
    unsafe { libc::__errno() }
}
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
unsafe fn errno_location() -> *mut c_int {
    // SAFETY: as above.
    unsafe { libc::___errno() }
}

/// A descriptor this process owns: closed when dropped, unless given away by
/// [`Fd::into_raw`]. Made only here, from a descriptor the kernel just installed for us.
#[derive(Debug)]
pub(crate) struct Fd(c_int);

impl Fd {
    /// The descriptor number, which the caller now owns.
    pub(crate) fn into_raw(self) -> c_int {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor (see `own`), and nothing uses it after this. An error
        // from close (EINTR, EIO) still leaves it closed on every system we build for.
        unsafe { libc::close(self.0) };
    }
}

#[cfg(feature = "std")]
impl From<Fd> for std::os::fd::OwnedFd {
    fn from(fd: Fd) -> Self {
        use std::os::fd::FromRawFd;
        // SAFETY: an Fd owns its descriptor, and into_raw hands that ownership over.
        unsafe { Self::from_raw_fd(fd.into_raw()) }
    }
}

/// Borrowed descriptors as the numbers the kernel reads.
#[cfg(feature = "std")]
pub(crate) fn raw_fds<'a>(fds: &'a [std::os::fd::BorrowedFd<'_>]) -> &'a [c_int] {
    // SAFETY: BorrowedFd is repr(transparent) over a c_int (RawFd), so the slice is that many
    // ints, borrowed for as long as `fds` is.
    unsafe { core::slice::from_raw_parts(fds.as_ptr().cast::<c_int>(), fds.len()) }
}

/// Ends the process at once, as a panic in the C library must: nothing may unwind into C.
#[cfg(all(feature = "capi", not(feature = "std"), not(test)))]
pub(crate) fn abort() -> ! {
    // SAFETY: abort has no precondition.
    unsafe { libc::abort() }
}

/// Most descriptors one message can carry: Linux's `SCM_MAX_FD`, p9fd's limit everywhere.
pub(crate) const MAXFDS: usize = 253;

// The control-message layout, from the platform's own `cmsghdr` and CMSG_* macros (the libc
// crate's): a 16-byte header with an 8-byte `cmsg_len` and 8-byte padding on 64-bit Linux with
// glibc; 12 bytes and 4-byte padding on 32-bit Linux, macOS and illumos; a 12-byte header whose
// data starts at 16 on 64-bit FreeBSD; a 4-byte `cmsg_len` and 4 bytes of padding in a 16-byte
// header on 64-bit musl.

/// Size of a `cmsghdr`.
pub(crate) const HDR: usize = size_of::<libc::cmsghdr>();
// SAFETY: CMSG_LEN and CMSG_SPACE are arithmetic on their argument; the libc crate declares
// them unsafe only because it declares all the CMSG_* macros alike.
const CMSG_LEN_0: u32 = unsafe { libc::CMSG_LEN(0) };
// SAFETY: as above.
const CMSG_SPACE_1: u32 = unsafe { libc::CMSG_SPACE(1) };
/// Where a control message's data starts, from its header: `CMSG_LEN(0)`.
pub(crate) const DATA: usize = CMSG_LEN_0 as usize;
/// `CMSG_ALIGN`'s unit: a message's data is padded to a multiple of it, so the next header
/// starts at `align(cmsg_len)`.
pub(crate) const ALIGN: usize = CMSG_SPACE_1 as usize - DATA;
/// Where `cmsg_len` lies in a header, and its size as the kernel writes it: everything before
/// `cmsg_level`. That is a `size_t` on Linux whatever the C library's struct says (musl
/// declares a `socklen_t` and padding, where the kernel writes 8 bytes), and a `socklen_t` on
/// the BSDs, macOS and illumos.
pub(crate) const LEN_AT: usize = offset_of!(libc::cmsghdr, cmsg_len);
pub(crate) const LEN_SIZE: usize = LEVEL_AT - LEN_AT;
/// Where `cmsg_level` lies; `cmsg_type` follows it.
pub(crate) const LEVEL_AT: usize = offset_of!(libc::cmsghdr, cmsg_level);

const _: () = assert!(ALIGN.is_power_of_two() && DATA.is_multiple_of(ALIGN) && DATA >= HDR);
const _: () = assert!(LEN_SIZE == 4 || LEN_SIZE == 8);
const _: () = assert!(offset_of!(libc::cmsghdr, cmsg_type) == LEVEL_AT + 4);
// SAFETY: as above.
const _: () = assert!(space(MAXFDS * 4) == unsafe { libc::CMSG_SPACE(MAXFDS as u32 * 4) } as usize);

/// `CMSG_ALIGN`: `n` rounded up to the padding unit.
pub(crate) const fn align(n: usize) -> usize {
    (n + ALIGN - 1) & !(ALIGN - 1)
}

/// `CMSG_SPACE`: room one control message with `n` data bytes takes, padding included.
pub(crate) const fn space(n: usize) -> usize {
    DATA + align(n)
}

/// The `cmsg_len` of the header at the start of `hdr`, read as the platform lays it out; `None`
/// if `hdr` is shorter than a header.
#[inline(always)]
pub(crate) fn cmsg_len(hdr: &[u8]) -> Option<usize> {
    let b = hdr.get(..HDR)?.get(LEN_AT..LEN_AT + LEN_SIZE)?;
    match *b {
        [a, b, c, d] => Some(u32::from_ne_bytes([a, b, c, d]) as usize),
        _ => usize::try_from(u64::from_ne_bytes(b.try_into().ok()?)).ok(),
    }
}

/// The sender's credentials, as (pid, uid, gid).
pub(crate) type Creds = (i32, u32, u32);

/// The most a receive can be handed: credentials (Linux's SCM_CREDENTIALS is 12 bytes,
/// FreeBSD's SCM_CREDS about 84, NetBSD's with groups about 90), an SCM_SECURITY label (a
/// context string; 256 bytes is far above what SELinux or AppArmor produce), SCM_RIGHTS with
/// `MAXFDS` descriptors and an SCM_PIDFD. The library never truncates anything itself.
const RECV_SPACE: usize =
    space(256) + space(256) + space(MAXFDS * size_of::<c_int>()) + space(size_of::<c_int>());

/// A control buffer aligned as a `cmsghdr` must be (on every platform: 4 or 8).
#[repr(C, align(8))]
struct Aligned<T>(T);

const _: () = assert!(align_of::<libc::cmsghdr>() <= 8);

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
                // SAFETY: a whole header lies at `at`, and the kernel writes headers whole, at
                // exactly these offsets, so its HDR bytes are initialised.
                let hdr = unsafe { &*ptr::slice_from_raw_parts(buf.as_ptr().add(at).cast(), HDR) };
                match cmsg_len(hdr) {
                    Some(n) if n >= DATA && n <= len - at => at + n,
                    _ => at,
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
    sock: c_int,
    data: &mut [u8],
    control: &mut RecvControl,
    cloexec: bool,
) -> Result<Received> {
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
    let n = unsafe { libc::recvmsg(sock, &mut msg, recv_flags(cloexec)) };
    if n < 0 {
        return Err(Errno::last());
    }
    Ok(Received {
        bytes: n as usize,
        flags: msg.msg_flags,
        control_len: msg.msg_controllen as usize,
    })
}

/// Takes ownership of a descriptor number found in a control message from `recvmsg`, which
/// was asked to install it close-on-exec or not (see [`after_receipt`]).
///
/// Returns `None` for a negative number, which the kernel never installs.
#[inline(always)]
pub(crate) fn own(raw: c_int, cloexec: bool) -> Option<Fd> {
    if raw < 0 {
        return None;
    }
    after_receipt(raw, cloexec);
    // Ownership, not memory: `raw` was read from an SCM_RIGHTS or SCM_PIDFD message that
    // recvmsg just returned: the kernel installed it in our table for this call alone, so
    // nothing else owns it, and the parser hands each such number out exactly once.
    Some(Fd(raw))
}

/// Control buffer for sending: credentials (Linux's 12-byte SCM_CREDENTIALS), then
/// SCM_RIGHTS with up to `MAXFDS` descriptors.
const SEND_SPACE: usize = space(12) + space(MAXFDS * size_of::<c_int>());
type SendControl = Aligned<[MaybeUninit<u8>; SEND_SPACE]>;

/// Writes one SOL_SOCKET control message of type `kind` carrying `data` at `base + at`,
/// padding included, and returns where the next one starts.
///
/// # Safety
/// `base + at` has room for `space(data.len())` bytes.
#[inline(always)]
unsafe fn put_cmsg(base: *mut u8, at: usize, kind: c_int, data: &[u8]) -> usize {
    // SAFETY: all zeros is a valid cmsghdr (integers, some private padding on some targets).
    let mut hdr: libc::cmsghdr = unsafe { zeroed() };
    hdr.cmsg_len = (DATA + data.len()) as _;
    hdr.cmsg_level = libc::SOL_SOCKET;
    hdr.cmsg_type = kind;
    let end = at + space(data.len());
    // SAFETY: by the caller's contract everything up to `end` is in bounds: the header (written
    // unaligned, so no alignment is assumed), zeros in any gap before the data (HDR < DATA on
    // some systems; none on Linux), the data, and zeroed padding; so every byte the kernel
    // reads is initialised.
    unsafe {
        base.add(at).cast::<libc::cmsghdr>().write_unaligned(hdr);
        ptr::write_bytes(base.add(at + HDR), 0, DATA - HDR);
        ptr::copy_nonoverlapping(data.as_ptr(), base.add(at + DATA), data.len());
        ptr::write_bytes(
            base.add(at + DATA + data.len()),
            0,
            end - (at + DATA + data.len()),
        );
    }
    end
}

/// `sendmsg(2)` of the byte slices in `data` (gathered, as one message) with `fds` attached as
/// one SCM_RIGHTS message, and `creds` as SCM_CREDENTIALS (Linux; elsewhere `creds` is always
/// `None`, see [`send_creds`]), never raising SIGPIPE. More than `MAXFDS` descriptors is
/// EINVAL, as the kernel says, with nothing sent.
#[inline(always)]
pub(crate) fn sendmsg<const N: usize>(
    sock: c_int,
    data: [&[u8]; N],
    fds: &[c_int],
    creds: Option<Creds>,
) -> Result<usize> {
    if fds.len() > MAXFDS {
        return Err(Errno(libc::EINVAL));
    }
    let mut control: SendControl = Aligned([MaybeUninit::uninit(); SEND_SPACE]);
    let base = control.0.as_mut_ptr().cast::<u8>();
    let mut len = 0;
    if let Some((pid, uid, gid)) = creds {
        let bytes = [pid.to_ne_bytes(), uid.to_ne_bytes(), gid.to_ne_bytes()];
        // SAFETY: SEND_SPACE has room for the 12 bytes of credentials first.
        len = unsafe { put_cmsg(base, len, SCM_CREDS, bytes.as_flattened()) };
    }
    if !fds.is_empty() {
        // SAFETY: `fds` is that many initialised ints.
        let ints =
            unsafe { core::slice::from_raw_parts(fds.as_ptr().cast::<u8>(), size_of_val(fds)) };
        // SAFETY: `len` is 0 or space(12), and as `fds.len() <= MAXFDS` the rest of SEND_SPACE
        // has room for them.
        len = unsafe { put_cmsg(base, len, libc::SCM_RIGHTS, ints) };
    }
    let mut iov = data.map(|d| libc::iovec {
        iov_base: d.as_ptr().cast_mut().cast(),
        iov_len: d.len(),
    });
    // SAFETY: all zeros is a valid msghdr (and zero is what any private padding must hold).
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = N as _;
    if len > 0 {
        msg.msg_control = base.cast();
        msg.msg_controllen = len as _;
    }
    before_send(sock);
    // SAFETY: the kernel only reads: the slices of `data` through `iov`, and `msg_controllen`
    // initialised bytes of the control buffer; all outlive the call.
    let n = unsafe { raw_sendmsg(sock, &msg, SEND_FLAGS) };
    if n < 0 {
        return Err(Errno::last());
    }
    Ok(n as usize)
}

/// Waits until `sock` has room to send (poll, POLLOUT). An interrupted wait returns as if
/// woken: the caller tries again.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn wait_writable(sock: c_int) -> Result<()> {
    let mut p = libc::pollfd {
        fd: sock,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: the kernel reads and writes the one pollfd we pass.
    if unsafe { libc::poll(&mut p, 1, -1) } < 0 {
        let e = Errno::last();
        if e.0 != libc::EINTR {
            return Err(e);
        }
    }
    Ok(())
}

/// `socketpair(AF_UNIX, ty, 0)`.
pub(crate) fn socketpair(ty: c_int) -> Result<(Fd, Fd)> {
    let mut sv: [c_int; 2] = [-1; 2];
    // SAFETY: the kernel writes two ints to `sv`, which has room for them.
    if unsafe { libc::socketpair(libc::AF_UNIX, ty, 0, sv.as_mut_ptr()) } < 0 {
        return Err(Errno::last());
    }
    // On success the kernel installed both descriptors for us alone.
    Ok((Fd(sv[0]), Fd(sv[1])))
}

/// `setsockopt(2)` of a SOL_SOCKET option whose value is an int.
#[cfg_attr(
    not(any(
        all(feature = "apue", any(target_os = "linux", target_os = "android")),
        target_vendor = "apple"
    )),
    allow(dead_code)
)]
fn set_int_option(sock: c_int, opt: c_int, value: c_int) -> Result<()> {
    // SAFETY: the kernel reads `size_of::<c_int>()` bytes of `value`.
    let r = unsafe {
        libc::setsockopt(
            sock,
            libc::SOL_SOCKET,
            opt,
            (&raw const value).cast(),
            size_of::<c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// `getsockopt(2)` of a SOL_SOCKET option whose value is a plain `T` (an int, a ucred).
fn getsockopt<T: Copy>(sock: c_int, opt: c_int) -> Result<T> {
    let mut v = MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes to `v`, which has that many.
    let r =
        unsafe { libc::getsockopt(sock, libc::SOL_SOCKET, opt, v.as_mut_ptr().cast(), &mut len) };
    if r < 0 {
        return Err(Errno::last());
    }
    // SAFETY: T is plain integers (callers use c_int and ucred): zeroed, then partly or wholly
    // written by the kernel, it is initialised either way.
    Ok(unsafe { v.assume_init() })
}

/// The socket's type (`SO_TYPE`): SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
pub(crate) fn socket_type(sock: c_int) -> Result<c_int> {
    getsockopt(sock, libc::SO_TYPE)
}

// ---- What differs by platform: one small, named place each. ----

/// How SIGPIPE is avoided: MSG_NOSIGNAL on every send, where the system has it.
#[cfg(not(target_vendor = "apple"))]
const SEND_FLAGS: c_int = libc::MSG_NOSIGNAL;
#[cfg(not(target_vendor = "apple"))]
#[inline(always)]
fn before_send(_sock: c_int) {}

/// macOS: no MSG_NOSIGNAL in its documented API; SO_NOSIGPIPE on the socket instead, set before
/// each send (idempotent; the setting stays on the socket). If it fails (not a socket, ...),
/// sendmsg reports why.
#[cfg(target_vendor = "apple")]
const SEND_FLAGS: c_int = 0;
#[cfg(target_vendor = "apple")]
fn before_send(sock: c_int) {
    let _ = set_int_option(sock, libc::SO_NOSIGPIPE, 1);
}

/// sendmsg itself. musl's wrapper copies the control data into a 1024-byte buffer (ENOMEM
/// beyond it: 253 descriptors need 1032 bytes), so there p9fd makes the system call directly;
/// the msghdr and cmsghdr it built are already the kernel's layout, their padding zeroed.
///
/// # Safety
/// As sendmsg(2): `msg` and what it points to are valid for reading.
#[cfg(not(all(target_os = "linux", target_env = "musl")))]
#[inline(always)]
unsafe fn raw_sendmsg(sock: c_int, msg: &libc::msghdr, flags: c_int) -> isize {
    // SAFETY: by the caller's contract.
    unsafe { libc::sendmsg(sock, msg, flags) as isize }
}
#[cfg(all(target_os = "linux", target_env = "musl"))]
#[inline(always)]
unsafe fn raw_sendmsg(sock: c_int, msg: &libc::msghdr, flags: c_int) -> isize {
    // SAFETY: by the caller's contract; the system call reads what sendmsg(2) reads.
    unsafe { libc::syscall(libc::SYS_sendmsg, sock, msg as *const libc::msghdr, flags) as isize }
}

/// Close-on-exec on receipt: atomically, by the kernel as it installs the descriptors
/// (MSG_CMSG_CLOEXEC, each system with its own value), where the system has it.
#[cfg(not(target_vendor = "apple"))]
#[inline(always)]
fn recv_flags(cloexec: bool) -> c_int {
    if cloexec { libc::MSG_CMSG_CLOEXEC } else { 0 }
}
#[cfg(not(target_vendor = "apple"))]
#[inline(always)]
fn after_receipt(_fd: c_int, _cloexec: bool) {}

/// macOS has no MSG_CMSG_CLOEXEC: the flag is set with fcntl right after receipt, which is not
/// atomic (a fork+exec in another thread between the two can inherit the descriptor).
#[cfg(target_vendor = "apple")]
#[inline(always)]
fn recv_flags(_cloexec: bool) -> c_int {
    0
}
#[cfg(target_vendor = "apple")]
fn after_receipt(fd: c_int, cloexec: bool) {
    if cloexec {
        // SAFETY: F_SETFD on a descriptor we own; it touches no memory.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}

/// Credentials a sender attaches for APUE's recv_ufd: Linux's SCM_CREDENTIALS (pid, effective
/// uid and gid, which the kernel checks). Elsewhere none: the receiver asks the socket who its
/// peer is ([`peer_creds`]).
#[cfg(any(target_os = "linux", target_os = "android"))]
const SCM_CREDS: c_int = libc::SCM_CREDENTIALS;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SCM_CREDS: c_int = -1;

/// Our own credentials, to send, where the system takes them (Linux).
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn send_creds() -> Option<Creds> {
    if cfg!(any(target_os = "linux", target_os = "android")) {
        // SAFETY: these calls cannot fail and touch no memory of ours.
        Some(unsafe { (libc::getpid(), libc::geteuid(), libc::getegid()) })
    } else {
        None
    }
}

/// Turns SO_PASSCRED on (Linux): the kernel then attaches the sender's credentials to what it
/// sends from now on (and to what comes with credentials of its own). Elsewhere nothing to do.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn set_passcred(sock: c_int) -> Result<()> {
    set_int_option(sock, libc::SO_PASSCRED, 1)
}
#[cfg(not(any(target_os = "linux", target_os = "android")))]
#[cfg_attr(not(feature = "apue"), allow(dead_code))]
pub(crate) fn set_passcred(_sock: c_int) -> Result<()> {
    Ok(())
}

/// Who the peer was when the connection was made, as (pid, uid, gid); pid 0 where the system
/// does not say. Linux: SO_PEERCRED.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
    let c: libc::ucred = getsockopt(sock, libc::SO_PEERCRED)?;
    Ok((c.pid, c.uid, c.gid))
}
/// The BSDs and macOS: getpeereid (no pid).
#[cfg(any(
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly",
    target_vendor = "apple"
))]
#[cfg_attr(not(any(feature = "apue", feature = "std")), allow(dead_code))]
pub(crate) fn peer_creds(sock: c_int) -> Result<Creds> {
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: the system writes one uid_t and one gid_t, which we provide.
    if unsafe { libc::getpeereid(sock, &mut uid, &mut gid) } < 0 {
        return Err(Errno::last());
    }
    Ok((0, uid, gid))
}
/// illumos: getpeerucred, which allocates the answer; freed here.
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
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

/// A control-message header as this platform lays it out, for tests: `DATA` bytes, with
/// `cmsg_len`, level and type in their places and zeros elsewhere.
#[cfg(test)]
pub(crate) fn test_header(cmsg_len: usize, level: c_int, kind: c_int) -> [u8; DATA] {
    let mut h = [0u8; DATA];
    match LEN_SIZE {
        4 => h[LEN_AT..LEN_AT + 4].copy_from_slice(&(cmsg_len as u32).to_ne_bytes()),
        _ => h[LEN_AT..LEN_AT + 8].copy_from_slice(&(cmsg_len as u64).to_ne_bytes()),
    }
    h[LEVEL_AT..LEVEL_AT + 4].copy_from_slice(&level.to_ne_bytes());
    h[LEVEL_AT + 4..LEVEL_AT + 8].copy_from_slice(&kind.to_ne_bytes());
    h
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
            let cmsg_len = cmsg_len(&raw[at..]).unwrap();
            if cmsg_len < DATA || cmsg_len > raw.len() - at {
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
                let len = ((DATA + n) as i64 + fudge).max(0) as usize;
                let start = raw.len();
                raw.extend(test_header(len, i32::from(fill), i32::from(fill)));
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
