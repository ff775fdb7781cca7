//! The safe Rust API, over real sockets. Leaks are caught with the pipe-EOF oracle (send a
//! pipe's write end, drop every copy we know of: the read end must see end of file), which
//! does not depend on what other tests running in parallel have open.

mod common;
use common::{eof, oracle};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use p9fd::{MAX_FDS, Received, RecvFlags, pipe, recv_fd, recv_fds, send_fd, send_fds};

fn errno<T: std::fmt::Debug>(r: io::Result<T>) -> i32 {
    r.expect_err("should fail")
        .raw_os_error()
        .expect("an errno")
}

fn cloexec(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: F_GETFD on a borrowed, open descriptor.
    #[allow(unsafe_code)]
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    flags & libc::FD_CLOEXEC != 0
}

#[test]
fn send_and_receive_one() {
    let (a, b) = pipe().unwrap();
    let (r, w) = oracle();
    send_fd(&a, &w).unwrap();
    let got = recv_fd(&b, RecvFlags::EMPTY).unwrap();
    assert!(!cloexec(got.as_fd()));
    drop(w);
    File::from(got).write_all(b"x").unwrap();
    let mut byte = [0u8];
    (&r).read_exact(&mut byte).unwrap();
    assert_eq!(&byte, b"x");
    assert!(eof(r));
}

#[test]
fn cloexec_flag_is_set_on_receipt() {
    let (a, b) = pipe().unwrap();
    send_fd(&a, io::stdin()).unwrap();
    let got = recv_fd(&b, RecvFlags::CLOEXEC).unwrap();
    assert!(cloexec(got.as_fd()));
}

#[test]
fn pipe_ends_are_inheritable_stream_sockets() {
    let (a, b) = pipe().unwrap();
    assert!(!cloexec(a.as_fd()) && !cloexec(b.as_fd()));
    let mut a = UnixStream::from(a);
    let mut b = UnixStream::from(b);
    a.write_all(b"hi").unwrap();
    let mut buf = [0; 2];
    b.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hi");
}

#[test]
fn pipe_cloexec_ends_are_close_on_exec_stream_sockets() {
    let (a, b) = p9fd::pipe_cloexec().unwrap();
    assert!(cloexec(a.as_fd()) && cloexec(b.as_fd()));
    assert_eq!(common::socket_type(a.as_fd()), libc::SOCK_STREAM);
    let (r, w) = oracle();
    send_fds(&a, b"x", &[w.as_fd()]).unwrap();
    drop(w);
    let mut slots = [None];
    assert_eq!(
        recv_fds(&b, &mut [0u8; 4], &mut slots, RecvFlags::EMPTY)
            .unwrap()
            .fds,
        1
    );
    drop(slots);
    assert!(eof(r));
}

/// The framed pipe: close-on-exec seqpacket ends; each send one record with its descriptors,
/// never run together with the next (on a stream they may be, on the BSDs and macOS); an
/// empty record is a record; one longer than the buffer is EMSGSIZE, its descriptors closed,
/// and the next receive gets the next record; end of file is 0.
#[test]
fn the_framed_pipe_keeps_records_apart() {
    let (a, b) = p9fd::pipe_framed().unwrap();
    assert!(cloexec(a.as_fd()) && cloexec(b.as_fd()));
    assert_eq!(common::socket_type(a.as_fd()), libc::SOCK_SEQPACKET);
    let (r, w) = oracle();
    send_fds(&a, b"one", &[w.as_fd(), w.as_fd()]).unwrap();
    send_fds(&a, b"two", &[]).unwrap();
    send_fds(&a, b"three", &[w.as_fd()]).unwrap();
    send_fds(&a, b"4", &[w.as_fd()]).unwrap();
    drop(w);
    let (mut buf, mut slots) = ([0u8; 4], [None, None]);
    let got = recv_fds(&b, &mut buf, &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"one"[..], 2));
    let got = recv_fds(&b, &mut buf, &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"two"[..], 0));
    assert!(slots.iter().all(Option::is_none));
    assert_eq!(
        errno(recv_fds(&b, &mut buf, &mut slots, RecvFlags::EMPTY)),
        libc::EMSGSIZE
    );
    let got = recv_fds(&b, &mut buf, &mut slots, RecvFlags::CLOEXEC).unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"4"[..], 1));
    drop((a, slots));
    let got = recv_fds(&b, &mut buf, &mut [None], RecvFlags::EMPTY).unwrap();
    assert_eq!((got.bytes, got.fds), (0, 0));
    assert!(eof(r));
}

#[test]
fn eof_is_econnreset() {
    let (a, b) = pipe().unwrap();
    drop(a);
    assert_eq!(errno(recv_fd(&b, RecvFlags::EMPTY)), libc::ECONNRESET);
    assert_eq!(errno(recv_fd(&b, RecvFlags::EMPTY)), libc::ECONNRESET);
}

#[test]
fn plain_data_is_ebadmsg() {
    let (a, b) = pipe().unwrap();
    UnixStream::from(a).write_all(b"z").unwrap();
    assert_eq!(errno(recv_fd(&b, RecvFlags::EMPTY)), libc::EBADMSG);
}

#[test]
fn two_fds_into_recv_fd_closes_both() {
    let (a, b) = pipe().unwrap();
    let (r1, w1) = oracle();
    let (r2, w2) = oracle();
    send_fds(&a, b"\0", &[w1.as_fd(), w2.as_fd()]).unwrap();
    drop((w1, w2));
    assert_eq!(errno(recv_fd(&b, RecvFlags::EMPTY)), libc::EBADMSG);
    assert!(eof(r1) && eof(r2));
}

#[test]
fn empty_datagram_is_not_eof() {
    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"").unwrap();
    assert_eq!(errno(recv_fd(&b, RecvFlags::EMPTY)), libc::EBADMSG);
    send_fds(&a, b"\0", &[]).unwrap();
    assert_eq!(errno(recv_fd(&b, RecvFlags::EMPTY)), libc::EBADMSG);
}

#[test]
fn send_fds_refuses_empty_data_and_too_many() {
    let (a, b) = pipe().unwrap();
    let out = io::stdout();
    assert_eq!(errno(send_fds(&a, b"", &[out.as_fd()])), libc::EINVAL);
    let many = vec![out.as_fd(); MAX_FDS + 1];
    assert_eq!(errno(send_fds(&a, b"x", &many)), libc::EINVAL);
    // nothing was queued
    b.set_nonblocking_for_test();
    assert_eq!(
        errno(recv_fd(&b, RecvFlags::EMPTY)),
        libc::EAGAIN,
        "a refused send queued something"
    );
}

#[test]
fn the_most_fds_with_a_payload() {
    let (a, b) = pipe().unwrap();
    let (r, w) = oracle();
    let many = vec![w.as_fd(); MAX_FDS];
    assert_eq!(send_fds(&a, b"payload", &many).unwrap(), 7);
    drop(many);
    drop(w);
    let mut buf = [0u8; 16];
    let mut slots: Vec<Option<OwnedFd>> = (0..MAX_FDS).map(|_| None).collect();
    let got = recv_fds(&b, &mut buf, &mut slots, RecvFlags::CLOEXEC).unwrap();
    assert_eq!((got.bytes, got.fds), (7, MAX_FDS));
    assert_eq!(&buf[..7], b"payload");
    assert!(
        slots
            .iter()
            .all(|fd| fd.as_ref().is_some_and(|fd| cloexec(fd.as_fd())))
    );
    drop(slots);
    assert!(eof(r));
}

#[test]
fn a_datagram_longer_than_the_buffer_is_emsgsize_and_consumed() {
    let (a, b) = UnixDatagram::pair().unwrap();
    let (r, w) = oracle();
    send_fds(&a, b"0123456789", &[w.as_fd(), w.as_fd()]).unwrap();
    send_fds(&a, b"fits", &[w.as_fd()]).unwrap();
    drop(w);
    let mut slots = [None, None];
    let mut buf = [0u8; 4];
    assert_eq!(
        errno(recv_fds(&b, &mut buf, &mut slots, RecvFlags::EMPTY)),
        libc::EMSGSIZE
    );
    assert!(slots.iter().all(Option::is_none));
    let got = recv_fds(&b, &mut buf, &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!((got.bytes, got.fds, &buf), (4, 1, b"fits"));
    assert!(slots[0].is_some() && slots[1].is_none());
    drop(slots);
    assert!(eof(r));
}

/// A slot that held a descriptor has it closed when the receive fills it, in whichever slot
/// it is (the receive then stores one by one); slots past the message's descriptors are
/// emptied, what they held closed. Into empty slots it stores in bulk: the descriptors are the
/// same either way.
#[test]
fn recv_fds_closes_what_a_filled_slot_held() {
    let (a, b) = pipe().unwrap();
    for held_at in 0..3 {
        let (r_old, w_old) = oracle();
        let (r_new, w_new) = oracle();
        let (r_past, w_past) = oracle();
        let mut slots = [None, None, None, None, Some(w_past)];
        slots[held_at] = Some(w_old);
        send_fds(&a, b"x", &[w_new.as_fd(); 3]).unwrap();
        drop(w_new);
        let got = recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
        assert_eq!((got.bytes, got.fds), (1, 3));
        assert!(eof(r_old), "slot {held_at}: the old descriptor was closed");
        assert!(slots[..3].iter().all(Option::is_some) && slots[3..].iter().all(Option::is_none));
        assert!(
            eof(r_past),
            "slot {held_at}: the slot past the message was emptied"
        );
        drop(slots);
        assert!(eof(r_new));
    }
    // all empty: the bulk store, and a second receive into the same, now filled, slots
    let (r_old, w_old) = oracle();
    let (r_new, w_new) = oracle();
    send_fds(&a, b"x", &[w_old.as_fd(); 2]).unwrap();
    send_fds(&a, b"y", &[w_new.as_fd(); 2]).unwrap();
    drop((w_old, w_new));
    let mut slots = [None, None];
    let got = recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!(got.fds, 2);
    let got = recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!(got.fds, 2);
    assert!(eof(r_old));
    drop(slots);
    assert!(eof(r_new));
}

/// A reused slot array never shows the previous message's descriptor: a message with fewer
/// descriptors than the last empties the slots past its own, closing what they held.
#[test]
fn a_reused_slot_array_shows_no_stale_descriptor() {
    let (a, b) = pipe().unwrap();
    let (r, w) = oracle();
    send_fds(&a, b"x", &[w.as_fd(), w.as_fd()]).unwrap();
    drop(w);
    let mut slots = [None, None, None];
    let got = recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!(got.fds, 2);
    send_fds(&a, b"y", &[]).unwrap();
    let got = recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!((got.bytes, got.fds), (1, 0));
    assert!(slots.iter().all(Option::is_none), "no stale descriptor");
    assert!(eof(r), "the old descriptors were closed");
    // one descriptor after two: the second slot is emptied
    let (r, w) = oracle();
    let (r1, w1) = oracle();
    send_fds(&a, b"x", &[w.as_fd(), w.as_fd()]).unwrap();
    send_fds(&a, b"y", &[w1.as_fd()]).unwrap();
    drop((w, w1));
    recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
    let got = recv_fds(&b, &mut [0u8; 1], &mut slots, RecvFlags::EMPTY).unwrap();
    assert_eq!(got.fds, 1);
    assert!(slots[0].is_some() && slots[1..].iter().all(Option::is_none));
    assert!(eof(r));
    drop(slots);
    assert!(eof(r1));
}

#[test]
fn too_many_for_the_room_closes_all_and_leaves_slots_alone() {
    let (a, b) = pipe().unwrap();
    let (r, w) = oracle();
    send_fds(&a, b"abc", &[w.as_fd(), w.as_fd(), w.as_fd()]).unwrap();
    drop(w);
    let keep = File::open("/dev/null").unwrap();
    let keep_raw = keep.as_raw_fd();
    let mut slots = [Some(OwnedFd::from(keep)), None];
    let mut buf = [0u8; 8];
    assert_eq!(
        errno(recv_fds(&b, &mut buf, &mut slots, RecvFlags::EMPTY)),
        libc::EMSGSIZE
    );
    assert_eq!(slots[0].as_ref().map(|f| f.as_raw_fd()), Some(keep_raw));
    assert!(slots[1].is_none());
    assert!(eof(r));
}

#[test]
fn recv_fds_at_eof_is_zero() {
    let (a, b) = pipe().unwrap();
    drop(a);
    let mut buf = [0u8; 4];
    let got = recv_fds(&b, &mut buf, &mut [None], RecvFlags::EMPTY).unwrap();
    assert_eq!((got.bytes, got.fds), (0, 0));
}

/// Non-blocking mode for an `OwnedFd`, for the tests that must not wait.
trait NonBlocking {
    fn set_nonblocking_for_test(&self);
}

impl NonBlocking for OwnedFd {
    fn set_nonblocking_for_test(&self) {
        let s = UnixStream::from(self.try_clone().unwrap());
        s.set_nonblocking(true).unwrap();
    }
}

#[test]
fn recv_fds_needs_room_for_a_byte() {
    let (a, b) = pipe().unwrap();
    send_fd(&a, io::stdout()).unwrap();
    assert_eq!(
        errno(recv_fds(&b, &mut [], &mut [None], RecvFlags::EMPTY)),
        libc::EINVAL
    );
    // nothing was consumed
    recv_fd(&b, RecvFlags::CLOEXEC).unwrap();
}

#[test]
fn recv_flags_accept_only_cloexec() {
    assert_eq!(RecvFlags::from_bits(0), Some(RecvFlags::EMPTY));
    assert_eq!(
        RecvFlags::from_bits(1 << 30), // P9FD_CLOEXEC, on every system
        Some(RecvFlags::CLOEXEC)
    );
    assert_eq!(RecvFlags::from_bits(libc::MSG_PEEK), None);
    assert_eq!(RecvFlags::from_bits(-1), None);
}

/// Each of p9fd's own failures, as a real call produces it, is named by `failure`; other
/// errors are not.
#[test]
fn failures_are_told_apart_without_libc() {
    use p9fd::{Failure, failure};
    let what = |r: io::Result<Received>| failure(&r.unwrap_err());
    let (a, b) = pipe().unwrap();
    File::from(a.try_clone().unwrap()).write_all(b"p").unwrap();
    assert_eq!(
        failure(&recv_fd(&b, RecvFlags::EMPTY).unwrap_err()),
        Some(Failure::NoDescriptor)
    );
    send_fds(&a, b"x", &[io::stdout().as_fd(); 2]).unwrap();
    assert_eq!(
        what(recv_fds(&b, &mut [0], &mut [None], RecvFlags::EMPTY)),
        Some(Failure::TooBig)
    );
    assert_eq!(
        what(recv_fds(&b, &mut [], &mut [None], RecvFlags::EMPTY)),
        Some(Failure::Invalid)
    );
    assert_eq!(
        failure(&send_fds(&a, b"", &[]).unwrap_err()),
        Some(Failure::Invalid)
    );
    let (d, e) = UnixDatagram::pair().unwrap();
    send_fds(&d, b"long", &[]).unwrap();
    assert_eq!(
        what(recv_fds(&e, &mut [0; 2], &mut [], RecvFlags::EMPTY)),
        Some(Failure::TooBig)
    );
    drop(a);
    assert_eq!(
        failure(&recv_fd(&b, RecvFlags::EMPTY).unwrap_err()),
        Some(Failure::PeerGone)
    );
    assert_eq!(
        failure(&io::Error::from_raw_os_error(libc::EMFILE)),
        Some(Failure::TableFull)
    );
    assert_eq!(
        failure(&io::Error::from_raw_os_error(libc::EPROTONOSUPPORT)),
        Some(Failure::Unsupported)
    );
    let not_a_socket = File::open("/dev/null").unwrap();
    let err = recv_fd(&not_a_socket, RecvFlags::EMPTY).unwrap_err();
    assert_eq!(
        (err.raw_os_error(), failure(&err)),
        (Some(libc::ENOTSOCK), None)
    );
    assert_eq!(failure(&io::Error::other("not p9fd's")), None);
}

/// The methods are the free functions: a descriptor each way on a stream and a datagram
/// socket, nothing leaked.
#[test]
fn methods_on_std_sockets_pass_descriptors() {
    use p9fd::FdPassing;
    let (r, w) = oracle();
    let (a, b) = UnixStream::pair().unwrap();
    a.send_fd(&w).unwrap();
    drop(b.recv_fd(RecvFlags::CLOEXEC).unwrap());
    a.send_fds_all(b"all", &[w.as_fd()]).unwrap();
    let (mut buf, mut fds) = ([0u8; 4], [None]);
    assert_eq!(
        b.recv_fds(&mut buf, &mut fds, RecvFlags::EMPTY)
            .unwrap()
            .fds,
        1
    );
    let (d, e) = UnixDatagram::pair().unwrap();
    assert_eq!(d.send_fds(b"dgram", &[w.as_fd()]).unwrap(), 5);
    drop(w);
    let mut buf = [0u8; 8];
    let got = e.recv_fds(&mut buf, &mut fds, RecvFlags::EMPTY).unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"dgram"[..], 1));
    drop(fds);
    assert!(eof(r));
}

/// `SendFlags::DONTWAIT` on a full socket: `WouldBlock`, nothing sent, and the socket is still
/// blocking; an unnamed address (a socketpair's end) is `EINVAL`.
#[test]
fn send_fds_with_does_not_wait_for_this_call() {
    use std::os::unix::net::UnixDatagram;
    let (a, b) = UnixDatagram::pair().unwrap();
    let mut sent = 0;
    let err = loop {
        match p9fd::send_fds_with(&a, b"z", &[], p9fd::SendFlags::DONTWAIT, None) {
            Ok(_) => sent += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    assert!(sent > 0);
    let mut fds = [None];
    for _ in 0..sent {
        let got = p9fd::recv_fds(&b, &mut [0; 4], &mut fds, p9fd::RecvFlags::DONTWAIT).unwrap();
        assert_eq!((got.bytes, got.fds), (1, 0));
    }
    let err = p9fd::recv_fds(&b, &mut [0; 4], &mut fds, p9fd::RecvFlags::DONTWAIT).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    let unnamed = b.local_addr().unwrap();
    let err = p9fd::send_fds_with(&a, b"z", &[], p9fd::SendFlags::EMPTY, Some(&unnamed));
    assert_eq!(err.unwrap_err().raw_os_error(), Some(libc::EINVAL));
}
