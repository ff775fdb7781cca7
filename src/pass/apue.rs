//! APUE's descriptor-passing protocol (feature `apue`), in the core: the open server of
//! "Advanced Programming in the UNIX Environment", over Unix-domain sockets.
//!
//! Each message is optional error text, a 0 byte and a status byte. Status 0 carries exactly
//! one SCM_RIGHTS descriptor; a nonzero status reports an error. Where APUE's own `recv_fd`
//! aborts on a malformed message, these functions return an error and close whatever arrived.
//!
//! On Linux every message p9fd sends also carries the sender's credentials (SCM_CREDENTIALS:
//! pid, effective uid and gid, which the kernel checks), so a receiver learns who sent it
//! however late it turned SO_PASSCRED on; where the kernel cannot vouch for them (a user
//! namespace without a mapping for the sender's ids) the message goes without them. Elsewhere the receiver asks the socket who its peer
//! is (getpeereid, getpeerucred).

use core::ffi::c_int;
use core::num::NonZeroU8;

use crate::pass::{Kernel, Os, Part, recv_on, sendmsg_on};
use crate::sys::{self, Creds, Errno, Fd, Result};

/// What the server answered.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Status 0 and its descriptor.
    Fd(Fd),
    /// A nonzero status: an error, by convention an errno.
    Status(NonZeroU8),
}

/// Sends `fd` with status 0.
pub(crate) fn send_fd(sock: c_int, fd: c_int) -> Result<()> {
    send(sock, b"", 0, &[fd])
}

/// Sends a nonzero status, after `text` (which may be empty, and must not hold a 0 byte:
/// EINVAL) in the same message.
pub(crate) fn send_status(sock: c_int, status: NonZeroU8, text: &[u8]) -> Result<()> {
    if text.contains(&0) {
        return Err(Errno(libc::EINVAL));
    }
    send(sock, text, status.get(), &[])
}

fn send(sock: c_int, text: &[u8], status: u8, fds: &[c_int]) -> Result<()> {
    let tail = [0, status];
    let creds = sys::send_creds();
    let n = match sendmsg_on(&mut Os, sock, [text, &tail], fds, creds) {
        // The kernel refuses credentials it cannot vouch for (a uid or gid with no mapping
        // in a user namespace): EINVAL, with nothing sent. Send as the book does, without
        // them; the receiver falls back to SO_PEERCRED.
        Err(Errno(libc::EINVAL)) if creds.is_some() => {
            sendmsg_on(&mut Os, sock, [text, &tail], fds, None)?
        }
        r => r?,
    };
    if n != text.len() + tail.len() {
        return Err(Errno(libc::EAGAIN));
    }
    Ok(())
}

/// Receives one reply, handing any text to `text` in pieces as it arrives, and returns it with,
/// if `want_uid`, the sender's uid: from the credentials the message carried (Linux), or else
/// the peer's at connect time (SO_PEERCRED, LOCAL_PEERCRED, ...). The socket is asked who its
/// peer is before anything is read, on every system (on Linux too, where a message with
/// credentials then makes the answer unused), so that a socket that cannot say (a datagram
/// socket on FreeBSD, macOS or OpenBSD), or a query that fails, fails the call with the
/// kernel's error and the reply still queued; without `want_uid` it is never asked.
/// SO_PASSCRED is turned on for the socket.
///
/// On a stream it reads the message in pieces of at most two bytes, so that it never consumes
/// a byte of the next message; on datagram and seqpacket sockets a message is one read.
///
/// Errors: ECONNRESET at end of file, before or inside a message; EBADMSG for status 0
/// without a descriptor, more than one descriptor (all closed), or on a datagram socket a
/// message that is not text, 0, status; EMFILE when the kernel dropped descriptors; whatever
/// `text` returns; the kernel's. A nonzero status that comes with a descriptor is the status;
/// the descriptor is closed.
pub(crate) fn recv_reply<E: From<Errno>>(
    sock: c_int,
    want_uid: bool,
    text: impl FnMut(&[u8]) -> core::result::Result<(), E>,
) -> core::result::Result<(Reply, Option<u32>), E> {
    recv_reply_on(&mut Os, sock, want_uid, text)
}

/// [`recv_reply`] on any kernel.
pub(crate) fn recv_reply_on<K: Kernel, E: From<Errno>>(
    k: &mut K,
    sock: c_int,
    want_uid: bool,
    text: impl FnMut(&[u8]) -> core::result::Result<(), E>,
) -> core::result::Result<(Reply, Option<u32>), E> {
    let mut text = Text {
        buf: [0; 256],
        n: 0,
        sink: text,
    };
    let r = recv_text(k, sock, want_uid, &mut text);
    // Text that arrived reaches the sink whatever the outcome (EINTR, EAGAIN, end of file
    // included), as the book's recv_fd hands it over as it reads it; a retry then hands over
    // only what comes next. The receive's own error comes first.
    let flushed = text.flush();
    let r = r?;
    flushed.map(|()| r)
}

/// Text on its way to the caller's sink, gathered so that a stream read in two-byte pieces
/// does not reach it two bytes at a time.
struct Text<F> {
    buf: [u8; 256],
    n: usize,
    sink: F,
}

impl<E, F: FnMut(&[u8]) -> core::result::Result<(), E>> Text<F> {
    fn push(&mut self, t: &[u8]) -> core::result::Result<(), E> {
        if self.n + t.len() > self.buf.len() {
            self.flush()?;
        }
        match self.buf.get_mut(self.n..self.n + t.len()) {
            Some(room) => {
                room.copy_from_slice(t);
                self.n += t.len();
                Ok(())
            }
            None => (self.sink)(t),
        }
    }

    fn flush(&mut self) -> core::result::Result<(), E> {
        let n = core::mem::take(&mut self.n);
        if n > 0 {
            (self.sink)(&self.buf[..n])
        } else {
            Ok(())
        }
    }
}

fn recv_text<K: Kernel, E: From<Errno>, F: FnMut(&[u8]) -> core::result::Result<(), E>>(
    k: &mut K,
    sock: c_int,
    want_uid: bool,
    text: &mut Text<F>,
) -> core::result::Result<(Reply, Option<u32>), E> {
    // Who the peer is, asked before anything is read: once the reply is read, a failed query
    // would lose it. Where messages carry credentials (Linux) theirs come first.
    let peer = match want_uid {
        true => Some(k.peer_creds(sock)?),
        false => None,
    };
    k.set_passcred(sock)?;
    let stream = k.socket_type(sock)? == libc::SOCK_STREAM;
    let mut buf = [0u8; 4096];
    let mut fd: Option<Fd> = None;
    let mut creds = None;
    let mut null = false;
    let status = loop {
        let want = match (stream, null) {
            (false, _) => buf.len(),
            (true, false) => 2,
            (true, true) => 1,
        };
        let mut slot = [None];
        let (got, c) = match recv_on(k, sock, &mut buf[..want], &mut slot, false, Part::Refused) {
            Err(Errno(libc::EMSGSIZE)) => return Err(Errno(libc::EBADMSG).into()),
            r => r?,
        };
        creds = c.or(creds).or(peer);
        if let [Some(new)] = slot
            && fd.replace(new).is_some()
        {
            return Err(Errno(libc::EBADMSG).into()); // a second descriptor: both closed
        }
        let bytes = &buf[..got.bytes];
        if !stream {
            // one datagram is one message: text, 0, status
            return match bytes {
                [t @ .., 0, s] if !t.contains(&0) => {
                    text.push(t)?;
                    Ok(reply(*s, fd, creds, want_uid)?)
                }
                _ => Err(Errno(libc::EBADMSG).into()),
            };
        }
        match (null, bytes) {
            (_, []) => return Err(Errno(libc::ECONNRESET).into()),
            (true, [s]) => break *s,
            (false, [0, s]) => break *s,
            (false, [0]) => null = true,
            (false, [t, 0]) => {
                text.push(core::slice::from_ref(t))?;
                null = true;
            }
            (false, t) => text.push(t)?,
            (true, _) => return Err(Errno(libc::EBADMSG).into()),
        }
    };
    Ok(reply(status, fd, creds, want_uid)?)
}

fn reply(
    status: u8,
    fd: Option<Fd>,
    creds: Option<Creds>,
    want_uid: bool,
) -> Result<(Reply, Option<u32>)> {
    let reply = match (NonZeroU8::new(status), fd) {
        (Some(s), _) => Reply::Status(s), // a descriptor sent with an error is closed
        (None, Some(fd)) => Reply::Fd(fd),
        (None, None) => return Err(Errno(libc::EBADMSG)),
    };
    // `creds` holds the peer's, asked before reading, when the message carried none.
    let uid = match want_uid {
        true => creds.map(|(_, uid, _)| uid),
        false => None,
    };
    Ok((reply, uid))
}
