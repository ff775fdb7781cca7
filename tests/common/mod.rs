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
