//! The tokio layer (feature `tokio`), over real sockets: a receiver waiting before anything is
//! sent, split halves, a datagram socket, dropped futures, and 253 descriptors with a payload
//! larger than the socket buffer through `send_fds_all` against a slow reader. Leaks and losses
//! are caught with the pipe-EOF oracle (send a pipe's write end, drop every copy we know of:
//! the read end must see end of file), as in tests/api.rs.
#![cfg(feature = "tokio")]

mod common;
use common::{eof, oracle};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use p9fd::{MAX_FDS, RecvFlags};
use tokio::net::{UnixDatagram, UnixStream};

#[tokio::test]
async fn a_receiver_waiting_before_the_send_gets_the_descriptor() {
    let (a, b) = UnixStream::pair().unwrap();
    let (r, w) = oracle();
    let waiting = tokio::spawn(async move { p9fd::tokio::recv_fd(&b, RecvFlags::CLOEXEC).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiting.is_finished(), "recv_fd returned with nothing sent");
    p9fd::tokio::send_fd(&a, &w).await.unwrap();
    drop(w);
    drop(waiting.await.unwrap().unwrap());
    assert!(eof(r));
}

#[tokio::test]
async fn split_halves_reach_the_socket() {
    let (a, b) = UnixStream::pair().unwrap();
    let (_ar, aw) = a.into_split();
    let (br, _bw) = b.into_split();
    let (r, w) = oracle();
    p9fd::tokio::send_fds(aw.as_ref(), b"half", &[w.as_fd()])
        .await
        .unwrap();
    drop(w);
    let mut buf = [0; 8];
    let mut fds = [None];
    let got = p9fd::tokio::recv_fds(br.as_ref(), &mut buf, &mut fds, RecvFlags::CLOEXEC)
        .await
        .unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"half"[..], 1));
    drop(fds);
    assert!(eof(r));
    // and the borrowed split
    let (mut c, mut d) = UnixStream::pair().unwrap();
    let (_cr, cw) = c.split();
    let (dr, _dw) = d.split();
    p9fd::tokio::send_fd(cw.as_ref(), io::stdout())
        .await
        .unwrap();
    drop(
        p9fd::tokio::recv_fd(dr.as_ref(), RecvFlags::CLOEXEC)
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn a_datagram_longer_than_the_buffer_is_emsgsize() {
    let (a, b) = UnixDatagram::pair().unwrap();
    let (r, w) = oracle();
    p9fd::tokio::send_fds(&a, b"too long", &[w.as_fd()])
        .await
        .unwrap();
    drop(w);
    let mut fds = [None];
    let got = p9fd::tokio::recv_fds(&b, &mut [0; 3], &mut fds, RecvFlags::EMPTY).await;
    assert_eq!(got.unwrap_err().raw_os_error(), Some(libc::EMSGSIZE));
    assert!(eof(r));
}

#[tokio::test]
async fn datagram_sockets_carry_descriptors() {
    let (a, b) = UnixDatagram::pair().unwrap();
    let (r, w) = oracle();
    let waiting = tokio::spawn(async move {
        let mut buf = [0; 16];
        let mut fds = [None, None];
        let got = p9fd::tokio::recv_fds(&b, &mut buf, &mut fds, RecvFlags::CLOEXEC).await?;
        Ok::<_, io::Error>((buf[..got.bytes].to_vec(), got.fds))
    });
    p9fd::tokio::send_fds(&a, b"datagram", &[w.as_fd(), w.as_fd()])
        .await
        .unwrap();
    drop(w);
    let (bytes, n) = waiting.await.unwrap().unwrap();
    assert_eq!((&bytes[..], n), (&b"datagram"[..], 2));
    assert!(eof(r));
}

#[tokio::test]
async fn a_dropped_receive_takes_nothing() {
    let (a, b) = UnixStream::pair().unwrap();
    tokio::select! {
        _ = p9fd::tokio::recv_fd(&b, RecvFlags::CLOEXEC) => panic!("nothing was sent"),
        _ = tokio::time::sleep(Duration::from_millis(20)) => {}
    }
    let (r, w) = oracle();
    p9fd::tokio::send_fd(&a, &w).await.unwrap();
    drop(w);
    // the message waits for the next receive: the dropped one consumed nothing
    drop(p9fd::tokio::recv_fd(&b, RecvFlags::CLOEXEC).await.unwrap());
    assert!(eof(r));
}

#[tokio::test]
async fn a_dropped_send_on_a_full_socket_sends_nothing() {
    let (a, b) = UnixStream::pair().unwrap();
    // fill a's send buffer
    let mut filled = 0usize;
    loop {
        match a.try_write(&[1u8; 4096]) {
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    let (r, w) = oracle();
    tokio::select! {
        _ = p9fd::tokio::send_fd(&a, &w) => panic!("a full socket took the descriptor"),
        _ = tokio::time::sleep(Duration::from_millis(20)) => {}
    }
    drop(w);
    drop(a);
    // drain: only the filler arrives, no descriptor, and the oracle's write end is gone
    let mut buf = vec![0u8; 1 << 16];
    let mut fds = [None];
    let mut total = 0;
    loop {
        let got = p9fd::tokio::recv_fds(&b, &mut buf, &mut fds, RecvFlags::CLOEXEC)
            .await
            .unwrap();
        assert_eq!(got.fds, 0, "a descriptor from the dropped send");
        if got.bytes == 0 {
            break;
        }
        assert!(buf[..got.bytes].iter().all(|&x| x == 1));
        total += got.bytes;
    }
    assert_eq!(total, filled);
    assert!(eof(r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_fds_all_moves_253_descriptors_and_more_than_the_buffer_to_a_slow_reader() {
    let (a, b) = UnixStream::pair().unwrap();
    let (r, w) = oracle();
    let data: Vec<u8> = (0..(2usize << 20)).map(|i| (i % 251) as u8).collect();
    let reader = tokio::spawn(async move {
        let mut got_data = Vec::new();
        let mut buf = vec![0u8; 3000];
        let mut slots: Vec<Option<OwnedFd>> = (0..MAX_FDS).map(|_| None).collect();
        let mut nfds = 0;
        loop {
            tokio::time::sleep(Duration::from_micros(200)).await; // slow
            let got = p9fd::tokio::recv_fds(&b, &mut buf, &mut slots, RecvFlags::CLOEXEC).await?;
            if got.bytes == 0 {
                break;
            }
            nfds += got.fds;
            slots.iter_mut().for_each(|s| drop(s.take()));
            got_data.extend_from_slice(&buf[..got.bytes]);
        }
        Ok::<_, io::Error>((got_data, nfds))
    });
    let many = vec![w.as_fd(); MAX_FDS];
    p9fd::tokio::send_fds_all(&a, &data, &many).await.unwrap();
    drop(many);
    drop(w);
    drop(a);
    let (got, nfds) = reader.await.unwrap().unwrap();
    assert_eq!(nfds, MAX_FDS, "every descriptor arrives once");
    assert!(got == data, "the payload arrives whole and in order");
    assert!(eof(r));
}

/// A reused slot array never shows the previous message's descriptor, as in the blocking API.
#[tokio::test]
async fn a_reused_slot_array_shows_no_stale_descriptor() {
    let (a, b) = UnixStream::pair().unwrap();
    let (r, w) = oracle();
    p9fd::tokio::send_fds(&a, b"x", &[w.as_fd()]).await.unwrap();
    drop(w);
    let mut slots = [None, None];
    let mut byte = [0u8];
    let got = p9fd::tokio::recv_fds(&b, &mut byte, &mut slots, RecvFlags::EMPTY)
        .await
        .unwrap();
    assert_eq!(got.fds, 1);
    p9fd::tokio::send_fds(&a, b"y", &[]).await.unwrap();
    let got = p9fd::tokio::recv_fds(&b, &mut byte, &mut slots, RecvFlags::EMPTY)
        .await
        .unwrap();
    assert_eq!((got.bytes, got.fds), (1, 0));
    assert!(slots.iter().all(Option::is_none), "no stale descriptor");
    assert!(eof(r), "the old descriptor was closed");
}

/// The framed pipe as tokio sockets: a receiver waiting before anything is sent is woken by
/// the first record, records stay apart with their descriptors, a record longer than the
/// buffer is EMSGSIZE, and the ends are close-on-exec seqpacket sockets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_framed_pipe_keeps_records_apart_under_tokio() {
    let (a, b) = p9fd::tokio::pipe_framed().unwrap();
    for end in [&a, &b] {
        assert_eq!(common::socket_type(end.as_fd()), libc::SOCK_SEQPACKET);
        assert!(common::cloexec(end.as_fd()));
    }
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        for _ in 0..2 {
            let (mut buf, mut fds) = ([0u8; 16], [None, None]);
            let r = p9fd::tokio::recv_fds(&b, &mut buf, &mut fds, RecvFlags::CLOEXEC).await?;
            got.push((buf[..r.bytes].to_vec(), r.fds));
        }
        let mut short = [0u8; 2];
        let e = p9fd::tokio::recv_fds(&b, &mut short, &mut [None], RecvFlags::CLOEXEC).await;
        Ok::<_, io::Error>((got, e.unwrap_err().raw_os_error()))
    });
    tokio::time::sleep(Duration::from_millis(20)).await; // the reader waits first
    let (r, w) = oracle();
    p9fd::tokio::send_fds(&a, b"one", &[w.as_fd(), w.as_fd()])
        .await
        .unwrap();
    p9fd::tokio::send_fds(&a, b"two", &[]).await.unwrap();
    p9fd::tokio::send_fds(&a, b"three", &[w.as_fd()])
        .await
        .unwrap();
    drop(w);
    let (got, e) = reader.await.unwrap().unwrap();
    assert_eq!(got, [(b"one".to_vec(), 2), (b"two".to_vec(), 0)]);
    assert_eq!(e, Some(libc::EMSGSIZE));
    assert!(eof(r), "every descriptor closed");
}

/// tokio's own pair, the framed pipe's stream form, is close-on-exec already.
#[tokio::test]
async fn tokio_pairs_are_close_on_exec() {
    let (a, b) = UnixStream::pair().unwrap();
    assert!(common::cloexec(a.as_fd()) && common::cloexec(b.as_fd()));
}

/// The methods are the free functions: a descriptor each way on a stream and a datagram
/// socket, nothing leaked.
#[tokio::test]
async fn methods_on_tokio_sockets_pass_descriptors() {
    use p9fd::tokio::FdPassing;
    let (r, w) = oracle();
    let (a, b) = UnixStream::pair().unwrap();
    a.send_fd(&w).await.unwrap();
    drop(b.recv_fd(RecvFlags::CLOEXEC).await.unwrap());
    a.send_fds_all(b"all", &[w.as_fd()]).await.unwrap();
    let (mut buf, mut fds) = ([0u8; 4], [None]);
    assert_eq!(
        b.recv_fds(&mut buf, &mut fds, RecvFlags::EMPTY)
            .await
            .unwrap()
            .fds,
        1
    );
    let (d, e) = UnixDatagram::pair().unwrap();
    assert_eq!(d.send_fds(b"dgram", &[w.as_fd()]).await.unwrap(), 5);
    drop(w);
    let mut buf = [0u8; 8];
    let got = e
        .recv_fds(&mut buf, &mut fds, RecvFlags::EMPTY)
        .await
        .unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"dgram"[..], 1));
    drop(fds);
    assert!(eof(r));
}
