//! The C ABI: each export converts its arguments, calls the safe API and maps the result to
//! C's convention (a value, or -1 with `errno` set) through [`ret`].
//!
//! The doc comments here are what `p9fd.h` says.

#![allow(unsafe_code)]

use core::ffi::c_int;
use std::io;
use std::os::fd::{BorrowedFd, IntoRawFd};

use crate::{RecvFlags, errno, sys};

/// The result for C: ok of the value, or -1 with errno set to the error's.
fn ret<T, R: From<i8>>(r: io::Result<T>, ok: impl FnOnce(T) -> R) -> R {
    match r {
        Ok(v) => ok(v),
        Err(e) => {
            sys::set_errno(e.raw_os_error().unwrap_or(libc::EIO));
            R::from(-1)
        }
    }
}

/// A descriptor number the C caller lends us for the call. Negative is EBADF, as the kernel
/// would say (and -1 cannot be a BorrowedFd).
fn borrow<'a>(fd: c_int) -> io::Result<BorrowedFd<'a>> {
    if fd < 0 {
        return Err(errno(libc::EBADF));
    }
    // SAFETY: the caller lends `fd` for the duration of the call, which is all it is used for;
    // the library never closes it. If it is not open, the kernel answers EBADF.
    Ok(unsafe { BorrowedFd::borrow_raw(fd) })
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
        borrow(socket).and_then(|s| crate::send_fd(s, borrow(fd)?)),
        |()| 0,
    )
}

/// Receives a file descriptor sent by sendfd (or by any peer sending one data byte, of any
/// value, carrying one SCM_RIGHTS descriptor) on the Unix-domain socket socket.
///
/// Returns a new descriptor, not close-on-exec, or -1 with errno set:
/// ECONNRESET at end of file; EBADMSG if the message carried no descriptor or more than one
/// (all are closed); EMFILE if the kernel dropped descriptors because the table is full (all
/// that arrived are closed); or the kernel's error (EBADF, ENOTSOCK, EAGAIN, EINTR with
/// nothing consumed, ...). Credentials are ignored and pidfds closed. Thread-safe; no
/// allocation.
#[unsafe(no_mangle)]
pub extern "C" fn recvfd(socket: c_int) -> c_int {
    ret(
        borrow(socket).and_then(|s| crate::recv_fd(s, RecvFlags::EMPTY)),
        IntoRawFd::into_raw_fd,
    )
}

/// Plan 9's pipe: creates a pair of connected Unix-domain stream sockets and stores them in
/// fd[0] and fd[1]. Each end is both readable and writable, can carry descriptors with
/// sendfd, and is inherited across exec. Unless NOPLAN9DEFINES is defined, this header
/// makes pipe mean p9pipe.
///
/// Returns 0, or -1 with errno set (EFAULT if fd is NULL, EMFILE, ENFILE), and then
/// fd is not written. Thread-safe; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn p9pipe(fd: *mut c_int) -> c_int {
    if fd.is_null() {
        return ret(Err(errno(libc::EFAULT)), |()| 0);
    }
    ret(crate::pipe(), |(a, b)| {
        // SAFETY: `fd` is not NULL and, as the prototype says, points to two ints.
        unsafe {
            fd.write(a.into_raw_fd());
            fd.add(1).write(b.into_raw_fd());
        }
        0
    })
}
