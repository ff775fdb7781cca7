//! `make bench`'s Rust side: the std API driven as a Rust program would, for callgrind and
//! memcheck (bench/run.sh). Not a test, not timed.
//!
//! - `rustapi count rust N`: N passes of send_fd + recv_fd + drop
//! - `rustapi count rustbatch253 N`: N messages of 253 descriptors: send_fds with
//!   `&[BorrowedFd; 253]`, recv_fds into `[Option<OwnedFd>; 253]`, then dropping them

use std::hint::black_box;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::process::ExitCode;

use p9fd::{MAX_FDS, RecvFlags};

fn passes(a: &OwnedFd, b: &OwnedFd, n: u64) {
    let stdin = std::io::stdin();
    for _ in 0..n {
        p9fd::send_fd(a, &stdin).expect("send_fd");
        let fd = p9fd::recv_fd(b, RecvFlags::EMPTY).expect("recv_fd");
        drop(black_box(fd));
    }
}

fn batches(a: &OwnedFd, b: &OwnedFd, n: u64) {
    let stdin = std::io::stdin();
    let fds: [BorrowedFd<'_>; MAX_FDS] = [stdin.as_fd(); MAX_FDS];
    for _ in 0..n {
        p9fd::send_fds(a, b"x", black_box(&fds)).expect("send_fds");
        let mut byte = [0u8];
        let mut got: [Option<OwnedFd>; MAX_FDS] = [const { None }; MAX_FDS];
        let r = p9fd::recv_fds(b, &mut byte, black_box(&mut got), RecvFlags::EMPTY);
        assert_eq!(r.expect("recv_fds").fds, MAX_FDS);
        // `got` is dropped here: 253 descriptors closed
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (what, n) = match &args[1..] {
        [count, what, n] if count == "count" => match n.parse() {
            Ok(n) => (what.as_str(), n),
            Err(_) => return ExitCode::from(2),
        },
        _ => {
            eprintln!("usage: rustapi count rust|rustbatch253 N");
            return ExitCode::from(2);
        }
    };
    let (a, b) = p9fd::pipe().expect("pipe");
    match what {
        "rust" => passes(&a, &b, n),
        "rustbatch253" => batches(&a, &b, n),
        _ => return ExitCode::from(2),
    }
    ExitCode::SUCCESS
}
