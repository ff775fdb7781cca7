//! The C ABI (feature `capi`): each export converts its arguments, calls the core
//! ([`crate::pass`]) and maps the result to C's convention (a value, or -1 with `errno` set)
//! through [`ret`].
//!
//! The doc comments here are what `p9fd.h` says.

#![allow(unsafe_code)]

use core::ffi::{c_int, c_long, c_void};

#[cfg(feature = "apue")]
use crate::pass::apue;
use crate::pass::{self, Slot};
use crate::sys::{self, Errno, Fd, Result};

/// The result for C: ok of the value, or -1 with errno set to the error's.
#[inline(always)]
fn ret<T, R: From<i8>>(r: Result<T>, ok: impl FnOnce(T) -> R) -> R {
    match r {
        Ok(v) => ok(v),
        Err(e) => {
            fail(e);
            R::from(-1)
        }
    }
}

/// Sets errno to the error's. Out of line: failure is the rare path.
#[cold]
#[inline(never)]
fn fail(e: Errno) {
    e.set();
}

/// A descriptor number the C caller lends us for the call; negative is EBADF, with nothing
/// done (the kernel would say the same).
#[inline(always)]
fn borrow(fd: c_int) -> Result<c_int> {
    if fd < 0 {
        return Err(Errno(libc::EBADF));
    }
    Ok(fd)
}

/// recvfdmsg's slots are the caller's ints, written only on success.
impl Slot for c_int {
    #[inline(always)]
    fn put(&mut self, fd: Fd) {
        *self = fd.into_raw();
    }
}

/// Sends the open file descriptor fd over the Unix-domain socket socket: one data byte of
/// value 0 carrying fd as SCM_RIGHTS, the wire format of plan9port's lib9.
///
/// Returns 0, or -1 with errno set: the kernel's error (EBADF, ENOTSOCK, EAGAIN, EINTR with
/// nothing sent, ETOOMANYREFS, EPERM when the receiver refuses descriptors, ...), and EPIPE
/// when the peer is gone. It never raises SIGPIPE. fd stays open in the caller.
/// Thread-safe; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn sendfd(socket: c_int, fd: c_int) -> c_int {
    ret(
        borrow(socket).and_then(|s| pass::send_fd(s, borrow(fd)?)),
        |()| 0,
    )
}

/// Receives a file descriptor sent by sendfd (or by any peer sending one data byte, of any
/// value, carrying one SCM_RIGHTS descriptor) on the Unix-domain socket socket.
///
/// Returns a new descriptor, not close-on-exec, or -1 with errno set:
/// ECONNRESET at end of file; EBADMSG if the message carried no descriptor or more than one
/// (all are closed); EMFILE if the descriptor table is full (all that arrived are closed;
/// on Linux and illumos the message is gone, on the BSDs and macOS the kernel may have left
/// its byte queued, and then the next recvfd says EBADMSG: see BUGS in sendfd(3)); or the
/// kernel's error (EBADF, ENOTSOCK, EAGAIN, EINTR with nothing consumed, ...). On a datagram socket it takes one byte of a longer message,
/// as lib9 does. Credentials are ignored and pidfds closed. Thread-safe; no
/// allocation.
#[unsafe(no_mangle)]
pub extern "C" fn recvfd(socket: c_int) -> c_int {
    ret(
        borrow(socket).and_then(|s| pass::recv_fd(s, false)),
        Fd::into_raw,
    )
}

/// Plan 9's pipe: creates a pair of connected Unix-domain stream sockets and stores them in
/// fd[0] and fd[1]. Each end is both readable and writable, can carry descriptors with
/// sendfd, and is inherited across exec. Unless NOPLAN9DEFINES is defined, this header
/// makes pipe mean p9pipe.
///
/// Returns 0, or -1 with errno set (EFAULT if fd is NULL, EMFILE, ENFILE, ENOMEM, ENOBUFS,
/// or another of socketpair's errors), and then fd is not written. Thread-safe; no
/// allocation.
#[unsafe(no_mangle)]
pub extern "C" fn p9pipe(fd: *mut c_int) -> c_int {
    if fd.is_null() {
        return ret(Err(Errno(libc::EFAULT)), |()| 0);
    }
    // SAFETY: `fd` is not NULL and, as the prototype says, points to two ints.
    ret(pass::pipe(libc::SOCK_STREAM, false), |ends| unsafe {
        store_pair(fd, ends)
    })
}

/// A pipe that keeps message boundaries: creates a pair of connected Unix-domain
/// SOCK_SEQPACKET sockets and stores them in fd[0] and fd[1]. Each sendfdmsg (or sendfd) is
/// one record, and each recvfdmsg takes one whole record with its descriptors, so messages
/// never run together. flags is 0 (both ends inherited across exec, as p9pipe's) or
/// P9FD_CLOEXEC (both ends close-on-exec, atomically: SOCK_CLOEXEC). Send with p9fd's
/// functions: on FreeBSD 15 a record ends only where its sender marks it (MSG_EOR, which they
/// pass).
///
/// Returns 0, or -1 with errno set, and then fd is not written: EINVAL for any other flag,
/// EFAULT if fd is NULL, EPROTONOSUPPORT on macOS (no Unix-domain SOCK_SEQPACKET), or
/// another of socketpair's errors (EMFILE, ENFILE, ENOMEM, ENOBUFS). Thread-safe; no
/// allocation.
#[unsafe(no_mangle)]
pub extern "C" fn p9framedpipe(fd: *mut c_int, flags: c_int) -> c_int {
    if flags & !P9FD_CLOEXEC != 0 {
        return ret(Err(Errno(libc::EINVAL)), |()| 0);
    }
    if fd.is_null() {
        return ret(Err(Errno(libc::EFAULT)), |()| 0);
    }
    let cloexec = flags & P9FD_CLOEXEC != 0;
    // SAFETY: `fd` is not NULL and, as the prototype says, points to two ints.
    ret(pass::pipe(libc::SOCK_SEQPACKET, cloexec), |ends| unsafe {
        store_pair(fd, ends)
    })
}

/// Stores a pipe's two ends in `fd[0]` and `fd[1]`, which the caller now owns; returns 0.
///
/// # Safety
/// `fd` is not NULL and points to two writable ints.
#[inline(always)]
unsafe fn store_pair(fd: *mut c_int, (a, b): (Fd, Fd)) -> c_int {
    // SAFETY: as the caller promises.
    unsafe {
        fd.write(a.into_raw());
        fd.add(1).write(b.into_raw());
    }
    0
}

/// The most descriptors one message can carry: Linux's SCM_MAX_FD, p9fd's limit on every
/// system (a kernel with a lower one refuses a larger message with its own error).
pub const P9FD_MAXFDS: c_int = 253;

/// recvfdmsg flag: the received descriptors are close-on-exec, set atomically by the kernel as
/// it installs them (MSG_CMSG_CLOEXEC, mapped to each system's value), so a concurrent fork and
/// exec cannot leak them. On macOS, which has no MSG_CMSG_CLOEXEC, it is set with fcntl right
/// after receipt, which is not atomic. The same value on every system.
pub const P9FD_CLOEXEC: c_int = 1 << 30;

/// recvfdmsg and sendfdmsgto flag: this call does not wait (MSG_DONTWAIT; a send on NetBSD,
/// whose kernel ignores that flag there, says MSG_NBIO too): it fails with EAGAIN where it
/// would block, on a blocking socket too, and the socket's own mode is left as it is. The
/// same value on every system.
pub const P9FD_DONTWAIT: c_int = 1 << 29;

const _: () = assert!(
    P9FD_MAXFDS as usize == sys::MAXFDS
        && P9FD_CLOEXEC == pass::CLOEXEC
        && P9FD_DONTWAIT == pass::DONTWAIT
);

/// The C array (ptr, n) as a slice; n < 0 is EINVAL, NULL with n > 0 is EFAULT.
///
/// # Safety
/// A non-NULL ptr must point to n valid Ts that live as long as 'a.
unsafe fn slice<'a, T>(ptr: *const T, n: c_long) -> Result<&'a [T]> {
    match usize::try_from(n) {
        Err(_) => Err(Errno(libc::EINVAL)),
        Ok(0) => Ok(&[]),
        Ok(_) if ptr.is_null() => Err(Errno(libc::EFAULT)),
        // SAFETY: by the caller's contract.
        Ok(n) => Ok(unsafe { core::slice::from_raw_parts(ptr, n) }),
    }
}

/// As slice, mutable.
///
/// # Safety
/// A non-NULL ptr must point to n valid Ts, not aliased, that live as long as 'a.
unsafe fn slice_mut<'a, T>(ptr: *mut T, n: c_long) -> Result<&'a mut [T]> {
    match usize::try_from(n) {
        Err(_) => Err(Errno(libc::EINVAL)),
        Ok(0) => Ok(&mut []),
        Ok(_) if ptr.is_null() => Err(Errno(libc::EFAULT)),
        // SAFETY: by the caller's contract.
        Ok(n) => Ok(unsafe { core::slice::from_raw_parts_mut(ptr, n) }),
    }
}

/// The C caller's descriptor numbers to send: a negative one is EBADF, as the kernel would
/// say, with nothing sent.
fn borrow_all(fds: &[c_int]) -> Result<&[c_int]> {
    // One pass over all of them, no early exit: the sign of their union.
    if fds.iter().fold(0, |all, &fd| all | fd) < 0 {
        return Err(Errno(libc::EBADF));
    }
    Ok(fds)
}

/// Sends one message on the Unix-domain socket socket: the nbuf bytes at buf, carrying
/// the nfds descriptors in fds as one SCM_RIGHTS message (none if nfds is 0).
///
/// Returns the number of bytes sent, or -1 with errno set:
/// EINVAL if nbuf < 1 (a stream socket drops descriptors sent with no byte) or nfds is
/// negative or above P9FD_MAXFDS; EFAULT if buf is NULL, or fds is NULL while nfds > 0;
/// EBADF for a negative descriptor; or the kernel's error, as for sendfd. On error nothing is
/// sent. It never raises SIGPIPE. The descriptors stay open in the caller.
///
/// On a stream socket a large message may be sent short. The descriptors travel with the
/// first byte sent, so a caller who sends the rest (with write, say) must not send them again.
/// Thread-safe; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn sendfdmsg(
    socket: c_int,
    buf: *const c_void,
    nbuf: c_long,
    fds: *const c_int,
    nfds: c_int,
) -> c_long {
    let args = || {
        if nfds > P9FD_MAXFDS {
            return Err(Errno(libc::EINVAL));
        }
        // SAFETY: the caller passes `nbuf` readable bytes at `buf` and `nfds` ints at `fds`.
        let (data, fds) = unsafe { (slice(buf.cast::<u8>(), nbuf)?, slice(fds, nfds.into())?) };
        Ok((borrow(socket)?, data, borrow_all(fds)?))
    };
    ret(
        args().and_then(|(s, data, fds)| pass::send(s, data, fds)),
        |n| n as c_long,
    )
}

/// Sends all nbuf bytes at buf, the nfds descriptors in fds with the first part only: on a
/// stream, where one sendmsg may send a large message short, it sends the rest until all has
/// gone, retrying EINTR and, on a non-blocking socket, waiting for room (poll) instead of
/// failing with EAGAIN after part of the message went. Never raises SIGPIPE.
///
/// Returns nbuf, or -1 with errno set: the errors of sendfdmsg (EINVAL, EFAULT, EBADF before
/// anything is sent) and the kernel's. After a kernel error an unknown prefix may have gone
/// (with the descriptors, if any of it did). Thread-safe; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn sendfdmsgall(
    socket: c_int,
    buf: *const c_void,
    nbuf: c_long,
    fds: *const c_int,
    nfds: c_int,
) -> c_long {
    let args = || {
        if nfds > P9FD_MAXFDS {
            return Err(Errno(libc::EINVAL));
        }
        // SAFETY: the caller passes `nbuf` readable bytes at `buf` and `nfds` ints at `fds`.
        let (data, fds) = unsafe { (slice(buf.cast::<u8>(), nbuf)?, slice(fds, nfds.into())?) };
        Ok((borrow(socket)?, data, borrow_all(fds)?))
    };
    ret(
        args().and_then(|(s, data, fds)| pass::send_all(s, data, fds).map(|()| data.len())),
        |n| n as c_long,
    )
}

/// sendfdmsg with flags for this call and a destination: flags is 0 or P9FD_DONTWAIT (EAGAIN,
/// nothing sent, where it would wait for room); to and tolen, if to is not NULL, name the
/// destination of an unconnected datagram socket (a struct sockaddr_un), as sendto(2) takes
/// them. With flags 0 and to NULL it is sendfdmsg.
///
/// Returns the number of bytes sent, or -1 with errno set: sendfdmsg's errors; EINVAL for a
/// flag other than P9FD_DONTWAIT, or a tolen above sizeof(struct sockaddr_storage); EFAULT for a NULL to with tolen > 0; EAGAIN; and the kernel's for the
/// address (ENOENT, ECONNREFUSED, EISCONN, ...). Thread-safe; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn sendfdmsgto(
    socket: c_int,
    buf: *const c_void,
    nbuf: c_long,
    fds: *const c_int,
    nfds: c_int,
    flags: c_int,
    to: *const libc::sockaddr,
    tolen: libc::socklen_t,
) -> c_long {
    let args = || {
        if nfds > P9FD_MAXFDS || flags & !P9FD_DONTWAIT != 0 {
            return Err(Errno(libc::EINVAL));
        }
        if tolen as usize > size_of::<libc::sockaddr_storage>() {
            return Err(Errno(libc::EINVAL));
        }
        // at most a sockaddr_storage's size, so no conversion loses anything
        let tolen = tolen as c_long;
        // SAFETY: the caller passes `nbuf` readable bytes at `buf`, `nfds` ints at `fds` and
        // `tolen` bytes at `to`.
        let (data, fds, name) = unsafe {
            (
                slice(buf.cast::<u8>(), nbuf)?,
                slice(fds, nfds.into())?,
                slice(to.cast::<u8>(), if to.is_null() { 0 } else { tolen })?,
            )
        };
        if to.is_null() && tolen > 0 {
            return Err(Errno(libc::EFAULT));
        }
        let name = (!to.is_null()).then_some(name);
        Ok((borrow(socket)?, data, borrow_all(fds)?, name))
    };
    ret(
        args().and_then(|(s, data, fds, name)| {
            pass::send_to(s, data, fds, flags & P9FD_DONTWAIT != 0, name)
        }),
        |n| n as c_long,
    )
}

/// Receives one message on the Unix-domain socket socket: up to nbuf bytes into buf,
/// and up to *nfds descriptors into fds. flags is 0, or P9FD_CLOEXEC and P9FD_DONTWAIT
/// (EAGAIN when nothing is queued) or'ed together.
///
/// On success it returns the number of bytes received and sets *nfds to the number of
/// descriptors stored in fds. It returns 0 with *nfds 0 at end of file; a zero-length
/// datagram or seqpacket message returns 0 too, with its descriptors. Credentials are
/// ignored and pidfds closed.
///
/// On error it returns -1 with errno set, and *nfds and fds are not written (buf may
/// hold bytes of the refused message):
/// EINVAL if nbuf < 1, *nfds < 0, or flags has another bit (MSG_PEEK among them: a peek
/// would install the descriptors);
/// EFAULT if nfds or buf is NULL, or fds is NULL while *nfds > 0;
/// EMSGSIZE if more descriptors arrived than *nfds, or than the kernel could hand over at
/// once (FreeBSD, NetBSD and illumos take more than 253 a send), or a datagram or seqpacket
/// message was longer than nbuf (its rest is gone; not detected on a FreeBSD seqpacket
/// socket, where the rest is the next message): all its descriptors are closed and the
/// message is consumed;
/// EMFILE if the descriptor table is full (all that arrived are closed; whether the message's
/// data is still queued depends on the system and socket type: BUGS in sendfdmsg(3));
/// or the kernel's error, as for recvfd. Thread-safe; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn recvfdmsg(
    socket: c_int,
    buf: *mut c_void,
    nbuf: c_long,
    fds: *mut c_int,
    nfds: *mut c_int,
    flags: c_int,
) -> c_long {
    if nfds.is_null() {
        return ret(Err(Errno(libc::EFAULT)), |()| 0);
    }
    // SAFETY: `nfds` is not NULL and points to an int.
    let room = unsafe { nfds.read() };
    let args = || {
        if flags & !(P9FD_CLOEXEC | P9FD_DONTWAIT) != 0 {
            return Err(Errno(libc::EINVAL));
        }
        let (cloexec, dontwait) = (flags & P9FD_CLOEXEC != 0, flags & P9FD_DONTWAIT != 0);
        // More than P9FD_MAXFDS slots can never be used.
        let room = room.min(P9FD_MAXFDS);
        // SAFETY: the caller passes `nbuf` writable bytes at `buf` and room for `*nfds` ints
        // at `fds`.
        let (data, out) = unsafe {
            (
                slice_mut(buf.cast::<u8>(), nbuf)?,
                slice_mut(fds, room.into())?,
            )
        };
        Ok((borrow(socket)?, data, out, cloexec, dontwait))
    };
    ret(
        args().and_then(|(s, data, out, cloexec, dontwait)| {
            // The core writes `out` only on success.
            let (got, _) = pass::recv_with(s, data, out, cloexec, dontwait)?;
            // SAFETY: as above, `nfds` points to an int.
            unsafe { nfds.write(got.fds as c_int) };
            Ok(got.bytes)
        }),
        |n| n as c_long,
    )
}

/// The status byte for APUE's negative fd_to_send or errcode: its low 8 bits, 0 made 1.
#[cfg(feature = "apue")]
fn apue_status(negative: c_int) -> core::num::NonZeroU8 {
    let s = (-i64::from(negative)) as u8;
    core::num::NonZeroU8::new(s).unwrap_or(core::num::NonZeroU8::MIN)
}

/// APUE's userfunc: receives the error text the server sent. (Written out in the prototypes
/// below, so that the header shows APUE's own.)
#[cfg(feature = "apue")]
type Userfunc = Option<unsafe extern "C" fn(c_int, *const c_void, libc::size_t) -> libc::ssize_t>;

/// APUE's reply as C sees it: the descriptor, or -status with errno set to the status.
#[cfg(feature = "apue")]
fn apue_reply(r: Result<(apue::Reply, Option<u32>)>, uid: *mut libc::uid_t) -> c_int {
    ret(r, |(reply, u)| {
        if let Some(u) = u
            && !uid.is_null()
        {
            // SAFETY: a non-NULL `uidptr` points to a uid_t, as APUE's prototype says.
            unsafe { uid.write(u) };
        }
        match reply {
            apue::Reply::Fd(fd) => fd.into_raw(),
            apue::Reply::Status(s) => {
                Errno(c_int::from(s.get())).set();
                -c_int::from(s.get())
            }
        }
    })
}

/// Calls userfunc(STDERR_FILENO, text, n) and fails unless it took all n bytes: with the
/// errno userfunc set, or EIO if it set none.
#[cfg(feature = "apue")]
fn apue_text(userfunc: Userfunc) -> impl FnMut(&[u8]) -> Result<()> {
    move |t: &[u8]| {
        let Some(f) = userfunc else { return Ok(()) };
        Errno(0).set();
        // SAFETY: userfunc is the caller's function with APUE's prototype; it reads `t`.
        match unsafe { f(libc::STDERR_FILENO, t.as_ptr().cast(), t.len()) } {
            n if n == t.len() as libc::ssize_t => Ok(()),
            _ => match Errno::last() {
                Errno(0) => Err(Errno(libc::EIO)),
                e => Err(e),
            },
        }
    }
}

/// APUE: sends fd_to_send over the Unix-domain socket fd with status 0 (bytes 0, 0 carrying
/// it as SCM_RIGHTS), or, if fd_to_send is negative, no descriptor and status -fd_to_send
/// (its low 8 bits; 0 becomes 1). On Linux the message also carries our credentials for
/// recv_ufd, unless the kernel cannot vouch for them (an unmapped user namespace).
///
/// Returns 0, or -1 with errno set as for sendfd. Declared when P9FD_APUE is defined; exported
/// by a library built with the apue feature (make FEATURES=apue).
#[cfg(feature = "apue")]
#[unsafe(no_mangle)]
pub extern "C" fn send_fd(fd: c_int, fd_to_send: c_int) -> c_int {
    let r = borrow(fd).and_then(|s| match fd_to_send {
        n if n < 0 => apue::send_status(s, apue_status(n), b""),
        n => apue::send_fd(s, n),
    });
    ret(r, |()| 0)
}

/// APUE: sends the text errmsg (NULL for none) and then the status -errcode in one message,
/// with no descriptor. errcode is a negative errno; a non-negative one becomes -1. The peer's
/// recv_fd then returns errcode, e.g. send_err(s, -ENOENT, "no such file") makes it return
/// -ENOENT.
///
/// Returns 0, or -1 with errno set as for sendfd. Declared when P9FD_APUE is defined.
#[cfg(feature = "apue")]
#[unsafe(no_mangle)]
pub extern "C" fn send_err(fd: c_int, errcode: c_int, errmsg: *const core::ffi::c_char) -> c_int {
    let text: &[u8] = if errmsg.is_null() {
        b""
    } else {
        // SAFETY: a non-NULL errmsg is a NUL-terminated string, as APUE's prototype says.
        unsafe { core::ffi::CStr::from_ptr(errmsg) }.to_bytes()
    };
    let status = apue_status(if errcode >= 0 { -1 } else { errcode });
    ret(
        borrow(fd).and_then(|s| apue::send_status(s, status, text)),
        |()| 0,
    )
}

/// APUE: receives a reply from send_fd or send_err on the Unix-domain socket fd. Any error
/// text is passed to userfunc(STDERR_FILENO, text, n) (NULL to discard it).
///
/// Returns the received descriptor (not close-on-exec); or, when the server sent a nonzero
/// status s, -s with errno set to s; or -1 with errno set: ECONNRESET at end of file,
/// EBADMSG for a malformed message (status 0 without a descriptor, more than one descriptor,
/// a datagram that is not text, 0, status: any descriptor is closed), EMFILE if the kernel
/// dropped descriptors, userfunc's errno (EIO if it set none) if it did not take the whole
/// text, or the kernel's error (EINTR, EAGAIN, ...). Text is passed to userfunc as it
/// arrives, also when the call then fails: a retry passes only what follows. It turns
/// SO_PASSCRED on for fd. Declared when P9FD_APUE is defined.
#[cfg(feature = "apue")]
#[unsafe(no_mangle)]
pub extern "C" fn recv_fd(
    fd: c_int,
    userfunc: Option<unsafe extern "C" fn(c_int, *const c_void, libc::size_t) -> libc::ssize_t>,
) -> c_int {
    let r = borrow(fd).and_then(|s| apue::recv_reply(s, false, apue_text(userfunc)));
    apue_reply(r, core::ptr::null_mut())
}

/// APUE: as recv_fd, and also stores the sender's effective uid in *uidptr: from the
/// credentials the message carried (p9fd's send_fd and send_err always attach them), or else
/// from SO_PEERCRED, the peer's at connect time, which is asked before anything is read (if
/// that fails, the reply stays queued). *uidptr is written whenever a reply arrived:
/// with the descriptor, and with any status, including status 1, which returns -1 with errno
/// EPERM; it is not written when the call fails (errno as for recv_fd). A NULL uidptr is
/// EFAULT, with nothing consumed. Declared when P9FD_APUE is defined.
#[cfg(feature = "apue")]
#[unsafe(no_mangle)]
pub extern "C" fn recv_ufd(
    fd: c_int,
    uidptr: *mut libc::uid_t,
    userfunc: Option<unsafe extern "C" fn(c_int, *const c_void, libc::size_t) -> libc::ssize_t>,
) -> c_int {
    if uidptr.is_null() {
        return ret(Err(Errno(libc::EFAULT)), |()| 0);
    }
    let r = borrow(fd).and_then(|s| apue::recv_reply(s, true, apue_text(userfunc)));
    apue_reply(r, uidptr)
}
