//! The pipe-EOF oracle the integration tests share: send a pipe's write end around, drop every
//! copy we know of, and the read end must see end of file; a descriptor leaked or still in
//! flight keeps it open.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::OwnedFd;

/// A pipe: the read end, and the write end to send around.
pub fn oracle() -> (File, OwnedFd) {
    let (r, w) = io::pipe().unwrap();
    (File::from(OwnedFd::from(r)), OwnedFd::from(w))
}

/// Whether every copy of the oracle's write end is gone.
pub fn eof(mut r: File) -> bool {
    let mut b = [0u8];
    matches!(r.read(&mut b), Ok(0))
}

/// Whether a descriptor is close-on-exec.
#[allow(dead_code)] // not every test file asks
pub fn cloexec(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: F_GETFD on a borrowed, open descriptor.
    #[allow(unsafe_code)]
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    flags & libc::FD_CLOEXEC != 0
}

/// A socket's type (SO_TYPE).
#[allow(dead_code)] // not every test file asks
pub fn socket_type(fd: std::os::fd::BorrowedFd<'_>) -> libc::c_int {
    use std::os::fd::AsRawFd;
    let mut ty: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes to `ty`, which has that many.
    #[allow(unsafe_code)]
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut ty).cast(),
            &mut len,
        )
    };
    assert_eq!(r, 0, "SO_TYPE");
    ty
}
