//! Descriptor passing on tokio's Unix-domain sockets (feature `tokio`).
//!
//! The same functions as the crate's blocking ones, awaiting readiness instead of blocking:
//! each waits with tokio's own `async_io` until the socket is ready, makes the one system
//! call, and on `EAGAIN` waits again; nothing spins. An `EINTR` is retried (nothing was sent or
//! consumed by the interrupted call). The sockets are [`tokio::net::UnixStream`] and
//! [`tokio::net::UnixDatagram`]; the halves of a split stream reach theirs through
//! `.as_ref()`.
//!
//! **Cancellation.** [`send_fd`], [`recv_fd`], [`send_fds`] and [`recv_fds`] are
//! cancellation-safe: a future dropped before it completes has sent or received nothing (each
//! completes in the same poll as the one system call that does the work), so no descriptor is
//! lost or left in flight. [`send_fds_all`] is not: dropped after its first part went, the peer
//! has received a prefix of `data`, with the descriptors.
//!
//! A server that accepts connections and hands each one's descriptors to a task:
//!
//! ```
//! use std::os::fd::AsFd;
//! use tokio::net::{UnixListener, UnixStream};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let dir = std::env::temp_dir().join(format!("p9fd-tokio-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("server.sock");
//! let listener = UnixListener::bind(&path)?;
//! let server = tokio::spawn(async move {
//!     let (conn, _) = listener.accept().await?;
//!     // each connection's work is a task of its own
//!     tokio::spawn(async move {
//!         let mut buf = [0; 64];
//!         let mut fds = [None, None];
//!         let got = p9fd::tokio::recv_fds(&conn, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC)
//!             .await?;
//!         Ok::<_, std::io::Error>((buf[..got.bytes].to_vec(), got.fds))
//!     })
//!     .await?
//! });
//! let client = UnixStream::connect(&path).await?;
//! let (r, w) = std::io::pipe()?;
//! p9fd::tokio::send_fds(&client, b"two ends", &[r.as_fd(), w.as_fd()]).await?;
//! let (bytes, nfds) = server.await??;
//! assert_eq!((&bytes[..], nfds), (&b"two ends"[..], 2));
//! std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use ::tokio::io::Interest;
use ::tokio::net::{UnixDatagram, UnixStream};

use crate::{Received, RecvFlags};

/// A tokio socket that can carry descriptors: [`UnixStream`] and [`UnixDatagram`] (sealed).
/// A split half reaches its stream through `.as_ref()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixStream::pair()?;
/// let (_read, write) = a.into_split();
/// p9fd::tokio::send_fd(write.as_ref(), std::io::stdout()).await?;
/// # drop(p9fd::tokio::recv_fd(&b, p9fd::RecvFlags::CLOEXEC).await?);
/// # Ok(())
/// # }
/// ```
pub trait Socket: AsFd + Sync + sealed::Sealed {
    /// Runs `f` once the socket is ready for `interest`, and again after each `WouldBlock`
    /// (tokio's own `async_io`).
    #[doc(hidden)]
    fn when_ready<R: Send>(
        &self,
        interest: Interest,
        f: impl FnMut() -> io::Result<R> + Send,
    ) -> impl Future<Output = io::Result<R>> + Send;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::UnixStream {}
    impl Sealed for super::UnixDatagram {}
}

impl Socket for UnixStream {
    fn when_ready<R: Send>(
        &self,
        interest: Interest,
        f: impl FnMut() -> io::Result<R> + Send,
    ) -> impl Future<Output = io::Result<R>> + Send {
        self.async_io(interest, f)
    }
}

impl Socket for UnixDatagram {
    fn when_ready<R: Send>(
        &self,
        interest: Interest,
        f: impl FnMut() -> io::Result<R> + Send,
    ) -> impl Future<Output = io::Result<R>> + Send {
        self.async_io(interest, f)
    }
}

/// Descriptor passing as methods of tokio's [`UnixStream`] and [`UnixDatagram`]: each is this
/// module's function of the same name on `self`, nothing more (and as cancellation-safe).
///
/// ```
/// use p9fd::tokio::FdPassing;
/// use std::os::fd::AsFd;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixStream::pair()?;
/// a.send_fds(b"stdout", &[std::io::stdout().as_fd()]).await?;
/// let (mut buf, mut fds) = ([0; 8], [None]);
/// let got = b.recv_fds(&mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC).await?;
/// assert_eq!((&buf[..got.bytes], got.fds), (&b"stdout"[..], 1));
/// a.send_fd(std::io::stdin()).await?;
/// let stdin = b.recv_fd(p9fd::RecvFlags::CLOEXEC).await?;
/// # drop(stdin);
/// # Ok(())
/// # }
/// ```
pub trait FdPassing: Socket + Sized {
    /// [`send_fd`] on this socket.
    fn send_fd(&self, fd: impl AsFd + Send) -> impl Future<Output = io::Result<()>> + Send {
        send_fd(self, fd)
    }

    /// [`recv_fd`] on this socket.
    fn recv_fd(&self, flags: RecvFlags) -> impl Future<Output = io::Result<OwnedFd>> + Send {
        recv_fd(self, flags)
    }

    /// [`send_fds`] on this socket.
    fn send_fds(
        &self,
        data: &[u8],
        fds: &[BorrowedFd<'_>],
    ) -> impl Future<Output = io::Result<usize>> + Send {
        send_fds(self, data, fds)
    }

    /// [`send_fds_all`] on this socket (not cancellation-safe, as that is not).
    fn send_fds_all(
        &self,
        data: &[u8],
        fds: &[BorrowedFd<'_>],
    ) -> impl Future<Output = io::Result<()>> + Send {
        send_fds_all(self, data, fds)
    }

    /// [`recv_fds`] on this socket.
    fn recv_fds(
        &self,
        data: &mut [u8],
        fds: &mut [Option<OwnedFd>],
        flags: RecvFlags,
    ) -> impl Future<Output = io::Result<Received>> + Send {
        recv_fds(self, data, fds, flags)
    }
}

impl FdPassing for UnixStream {}
impl FdPassing for UnixDatagram {}

/// `f` again while it is interrupted: an `EINTR` means the call did nothing.
fn retrying<R>(mut f: impl FnMut() -> io::Result<R>) -> impl FnMut() -> io::Result<R> {
    move || loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// [`crate::send_fd`], awaiting readiness: lib9's wire format, one zero byte carrying `fd`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixStream::pair()?;
/// p9fd::tokio::send_fd(&a, std::io::stdout()).await?;
/// let out = p9fd::tokio::recv_fd(&b, p9fd::RecvFlags::CLOEXEC).await?;
/// # drop(out);
/// # Ok(())
/// # }
/// ```
#[doc(alias = "sendfd")]
pub async fn send_fd<S: Socket>(sock: &S, fd: impl AsFd + Send) -> io::Result<()> {
    let fd = fd.as_fd();
    sock.when_ready(Interest::WRITABLE, retrying(|| crate::send_fd(sock, fd)))
        .await
}

/// [`crate::recv_fd`], awaiting readiness: waits for a message if none is there yet.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixStream::pair()?;
/// let waiting = tokio::spawn(async move { p9fd::tokio::recv_fd(&b, p9fd::RecvFlags::CLOEXEC).await });
/// p9fd::tokio::send_fd(&a, std::io::stdin()).await?;
/// let stdin = waiting.await??;
/// # drop(stdin);
/// # Ok(())
/// # }
/// ```
#[doc(alias = "recvfd")]
pub async fn recv_fd<S: Socket>(sock: &S, flags: RecvFlags) -> io::Result<OwnedFd> {
    sock.when_ready(Interest::READABLE, retrying(|| crate::recv_fd(sock, flags)))
        .await
}

/// [`crate::send_fds`], awaiting readiness: one message, the bytes `data` carrying `fds`.
/// Returns how many bytes went; on a stream the rest is the caller's (see [`send_fds_all`]).
///
/// ```
/// use std::os::fd::AsFd;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixDatagram::pair()?;
/// let n = p9fd::tokio::send_fds(&a, b"stdio", &[std::io::stdin().as_fd()]).await?;
/// assert_eq!(n, 5);
/// # drop(b);
/// # Ok(())
/// # }
/// ```
#[doc(alias = "sendfdmsg")]
pub async fn send_fds<S: Socket>(
    sock: &S,
    data: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<usize> {
    sock.when_ready(
        Interest::WRITABLE,
        retrying(|| crate::send_fds(sock, data, fds)),
    )
    .await
}

/// [`crate::recv_fds`], awaiting readiness: one message into `data` and `fds`.
///
/// ```
/// use std::os::fd::AsFd;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixStream::pair()?;
/// p9fd::tokio::send_fds(&a, b"hi", &[std::io::stdout().as_fd()]).await?;
/// let mut buf = [0; 8];
/// let mut fds = [None];
/// let got = p9fd::tokio::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC).await?;
/// assert_eq!((&buf[..got.bytes], got.fds), (&b"hi"[..], 1));
/// # Ok(())
/// # }
/// ```
#[doc(alias = "recvfdmsg")]
pub async fn recv_fds<S: Socket>(
    sock: &S,
    data: &mut [u8],
    fds: &mut [Option<OwnedFd>],
    flags: RecvFlags,
) -> io::Result<Received> {
    sock.when_ready(
        Interest::READABLE,
        retrying(|| crate::recv_fds(sock, &mut *data, &mut *fds, flags)),
    )
    .await
}

/// [`crate::pipe_framed`] as tokio sockets: a pair of connected Unix-domain `SOCK_SEQPACKET`
/// sockets, close-on-exec and non-blocking, each a [`UnixStream`] (tokio has no seqpacket
/// type; its readiness is the same on one). Use it with this module's functions: each
/// [`send_fds`] is one record and each [`recv_fds`] takes one whole record (`EMSGSIZE` if it
/// is longer than the buffer). Its `AsyncRead` also reads one record a call, and drops what
/// does not fit the buffer. The stream form is tokio's own [`UnixStream::pair`], whose ends
/// are close-on-exec already.
///
/// # Errors
///
/// As for [`crate::pipe_framed`]: `EPROTONOSUPPORT` on macOS, which has no Unix-domain
/// `SOCK_SEQPACKET`.
///
/// # Panics
///
/// Outside a tokio runtime with IO enabled, as [`UnixStream::pair`].
///
/// ```
/// use std::os::fd::AsFd;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = match p9fd::tokio::pipe_framed() {
///     Ok(ends) => ends,
///     Err(e) if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) => return Ok(()), // macOS
///     Err(e) => return Err(e),
/// };
/// p9fd::tokio::send_fds(&a, b"one", &[std::io::stdout().as_fd()]).await?;
/// p9fd::tokio::send_fds(&a, b"two", &[]).await?;
/// let (mut buf, mut fds) = ([0; 16], [None]);
/// let got = p9fd::tokio::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC).await?;
/// assert_eq!((&buf[..got.bytes], got.fds), (&b"one"[..], 1));
/// # Ok(())
/// # }
/// ```
#[doc(alias = "SOCK_SEQPACKET")]
pub fn pipe_framed() -> io::Result<(UnixStream, UnixStream)> {
    let (a, b) = crate::pipe_framed()?;
    let tokio = |fd: OwnedFd| {
        let s = std::os::unix::net::UnixStream::from(fd);
        s.set_nonblocking(true)?;
        UnixStream::from_std(s)
    };
    Ok((tokio(a)?, tokio(b)?))
}

/// [`crate::send_fds_all`], awaiting readiness: all of `data`, the descriptors with its first
/// part only. Not cancellation-safe (see the module's documentation).
///
/// ```
/// use std::os::fd::AsFd;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = tokio::net::UnixStream::pair()?;
/// let big = vec![7u8; 1 << 20]; // more than the socket holds: sent in parts
/// let reader = tokio::spawn(async move {
///     let mut buf = vec![0; 1 << 16];
///     let mut fds = [None];
///     let (mut total, mut nfds) = (0, 0);
///     while total < 1 << 20 {
///         let got = p9fd::tokio::recv_fds(&b, &mut buf, &mut fds, p9fd::RecvFlags::CLOEXEC).await?;
///         total += got.bytes;
///         nfds += got.fds;
///     }
///     Ok::<_, std::io::Error>((total, nfds))
/// });
/// p9fd::tokio::send_fds_all(&a, &big, &[std::io::stdout().as_fd()]).await?;
/// assert_eq!(reader.await??, (1 << 20, 1));
/// # Ok(())
/// # }
/// ```
pub async fn send_fds_all<S: Socket>(
    sock: &S,
    data: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<()> {
    let mut sent = send_fds(sock, data, fds).await?;
    while sent < data.len() {
        sent += send_fds(sock, &data[sent..], &[]).await?;
    }
    Ok(())
}
