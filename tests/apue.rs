//! The APUE protocol's safe Rust side (feature `apue`).
#![cfg(feature = "apue")]

use std::io::{self, Write};
use std::num::NonZeroU8;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use p9fd::apue::{Reply, recv, send_fd, send_status};

/// p9fd's pipe, whose second end stops waiting to receive after 10 s (EAGAIN), so that a reply
/// that never comes fails the test instead of hanging it.
fn pair() -> (OwnedFd, OwnedFd) {
    let (a, b) = p9fd::pipe().unwrap();
    let b = UnixStream::from(b);
    b.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    (a, b.into())
}

#[test]
fn descriptor_and_uid() {
    let (a, b) = pair();
    send_fd(&a, io::stdout()).unwrap();
    let (reply, uid) = recv(&b, |_| Ok(())).unwrap();
    assert!(matches!(reply, Reply::Fd(_)));
    // SAFETY: geteuid cannot fail.
    #[allow(unsafe_code)]
    let me = unsafe { libc::geteuid() };
    assert_eq!(uid, me);
}

#[test]
fn status_with_text() {
    let (a, b) = pair();
    let s = NonZeroU8::new(libc::ENOENT as u8).unwrap();
    send_status(&a, s, b"no such file").unwrap();
    let mut text = Vec::new();
    let (reply, _) = recv(&b, |t| {
        text.extend_from_slice(t);
        Ok(())
    })
    .unwrap();
    assert!(matches!(reply, Reply::Status(x) if x == s));
    assert_eq!(text, b"no such file");
}

#[test]
fn text_with_a_null_is_refused() {
    let (a, _b) = p9fd::pipe().unwrap();
    let err = send_status(&a, NonZeroU8::MIN, b"a\0b").unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EINVAL));
}

#[test]
fn status_zero_without_descriptor_is_ebadmsg() {
    let (a, b) = pair();
    UnixStream::from(a).write_all(b"\0\0").unwrap();
    let err = recv(&b, |_| Ok(())).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EBADMSG));
}
