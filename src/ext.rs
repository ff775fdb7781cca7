//! The free functions as methods of std's Unix-domain sockets: [`FdPassing`].

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use crate::{Received, RecvFlags};

/// Descriptor passing as methods of [`UnixStream`] and [`UnixDatagram`] (sealed): each is the
/// free function of the same name on `self`, nothing more.
///
/// ```
/// use p9fd::FdPassing;
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixStream;
/// let (a, b) = UnixStream::pair()?;
/// a.send_fds(b"stdout", &[std::io::stdout().as_fd()])?;
/// let (mut buf, mut fds) = ([0; 8], [None]);
/// let got = b.recv_fds(&mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)?;
/// assert_eq!((&buf[..got.bytes], got.fds), (&b"stdout"[..], 1));
/// a.send_fd(std::io::stdin())?;
/// let stdin = b.recv_fd(p9fd::RecvFlags::CLOEXEC)?;
/// # drop(stdin);
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait FdPassing: AsFd + Sized + sealed::Sealed {
    /// [`crate::send_fd`] on this socket.
    fn send_fd(&self, fd: impl AsFd) -> io::Result<()> {
        crate::send_fd(self, fd)
    }

    /// [`crate::recv_fd`] on this socket.
    fn recv_fd(&self, flags: RecvFlags) -> io::Result<OwnedFd> {
        crate::recv_fd(self, flags)
    }

    /// [`crate::send_fds`] on this socket.
    fn send_fds(&self, data: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        crate::send_fds(self, data, fds)
    }

    /// [`crate::send_fds_all`] on this socket.
    fn send_fds_all(&self, data: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
        crate::send_fds_all(self, data, fds)
    }

    /// [`crate::recv_fds`] on this socket.
    fn recv_fds(
        &self,
        data: &mut [u8],
        fds: &mut [Option<OwnedFd>],
        flags: RecvFlags,
    ) -> io::Result<Received> {
        crate::recv_fds(self, data, fds, flags)
    }
}

impl FdPassing for UnixStream {}
impl FdPassing for UnixDatagram {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::UnixStream {}
    impl Sealed for super::UnixDatagram {}
}
