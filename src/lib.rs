//! Plan 9's descriptor passing for C and Rust: `sendfd`, `recvfd` and `p9pipe`, as
//! plan9port's lib9 has them, without lib9's bugs.
//!
//! A descriptor travels over a Unix-domain socket as an `SCM_RIGHTS` control message attached
//! to data. [`send_fd`] sends lib9's wire format, one data byte of value 0 carrying one
//! descriptor, and [`recv_fd`] receives it from any peer that sends that shape (plan9port,
//! CPython's `socket.send_fds`, a raw `sendmsg`). [`pipe`] is Plan 9's two-way pipe, a
//! `socketpair`, which can carry descriptors.
//!
//! ```
//! use std::fs::File;
//! use std::io::{Read, Write};
//!
//! // Pass the write end of a pipe over p9fd's pipe, and write through the copy that arrives.
//! let (a, b) = p9fd::pipe()?;
//! let (mut reader, writer) = std::io::pipe()?;
//! p9fd::send_fd(&a, &writer)?;
//! drop(writer); // ours is closed; the one in flight keeps the pipe open
//! let mut got = File::from(p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC)?);
//! got.write_all(b"hello")?;
//! drop(got);
//! let mut s = String::new();
//! reader.read_to_string(&mut s)?; // end of file: every copy of the write end is closed
//! assert_eq!(s, "hello");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Names
//!
//! The Rust names are the snake-case forms of lib9's (`sendfd` → [`send_fd`], `recvfd` →
//! [`recv_fd`]), `p9pipe` is [`pipe`] inside this crate, and the message forms that carry
//! several descriptors and a payload are [`send_fds`] and [`recv_fds`], the names CPython's
//! `socket` module uses for the same thing; [`FdPassing`] makes them methods of std's
//! `UnixStream` and `UnixDatagram`. [`pipe_framed`] keeps message boundaries (a seqpacket
//! pair) and [`pipe_cloexec`] is [`pipe`] with close-on-exec ends. The C library exports
//! `sendfd`, `recvfd`, `p9pipe`, `p9framedpipe`, `sendfdmsg` and `recvfdmsg`, declared in
//! `p9fd.h`.
//!
//! # Conventions
//!
//! - Descriptors go in borrowed ([`AsFd`](std::os::fd::AsFd),
//!   [`BorrowedFd`](std::os::fd::BorrowedFd)) and come out owned
//!   ([`OwnedFd`](std::os::fd::OwnedFd)). A received descriptor is owned from the moment it is
//!   parsed, so none can leak: whatever the caller does not get is closed before the call
//!   returns.
//! - Errors are [`std::io::Error`]s holding an errno (`raw_os_error()` is always `Some`).
//!   Kernel errors pass through unchanged; the library's own are documented per function,
//!   and [`failure`] names them ([`Failure`]: no descriptor, too big, a full table, ...)
//!   without a libc dependency.
//! - Outputs are written only on success.
//! - Nothing allocates, nothing retries (an `EINTR` is returned), nothing raises `SIGPIPE`,
//!   and no state is shared: every function is safe to call from any thread.
//!
//! # Features
//!
//! - `std` (default): the safe API above. Without it the crate is `no_std`, over `core` and
//!   `libc` only.
//! - `capi`: the C exports (`sendfd`, `recvfd`, `p9pipe`, `p9framedpipe`, `sendfdmsg`, `recvfdmsg`). Off by
//!   default, so a Rust program depending on p9fd gets no C symbol and may define its own
//!   `sendfd` or link lib9 beside it. The C libraries are this crate built with
//!   `--no-default-features --features capi` as a `staticlib` and `cdylib` (`make`); that
//!   build has a panic handler that aborts, so it must not be linked into a Rust program that
//!   has std (enable `std` with `capi` there).
//! - `apue`: APUE's protocol: its four C names (with `capi`), and, with `std`,
#![cfg_attr(
    all(feature = "apue", feature = "std"),
    doc = "  [`p9fd::apue`](crate::apue)."
)]
#![cfg_attr(not(all(feature = "apue", feature = "std")), doc = "  `p9fd::apue`.")]
//! - `tokio`: the same functions awaiting readiness on tokio's `UnixStream` and
//!   `UnixDatagram` (tokio with its `net` feature only),
#![cfg_attr(feature = "tokio", doc = "  [`p9fd::tokio`](mod@crate::tokio).")]
#![cfg_attr(not(feature = "tokio"), doc = "  `p9fd::tokio`.")]
//!
//! (A module is a link where these docs were built with its feature, as docs.rs builds them
//! all, and plain text where not, so that `cargo doc` is clean with any features.)

#![cfg_attr(not(any(feature = "std", test)), no_std)]
// Without std (the C library's build) the Rust API that the text above links to is not
// built: its names are left as text there, rather than warned about.
#![cfg_attr(not(feature = "std"), allow(rustdoc::broken_intra_doc_links))]
// Without std or capi the core has no caller (a build for the type checks only).
#![cfg_attr(not(any(feature = "std", feature = "capi")), allow(dead_code))]

#[cfg(feature = "std")]
mod api;
#[cfg(all(feature = "apue", feature = "std"))]
pub mod apue;
#[cfg(feature = "capi")]
mod capi;
#[doc(hidden)]
pub mod cmsg;
#[cfg(feature = "std")]
mod ext;
#[cfg(feature = "std")]
mod failure;
mod pass;
mod sys;
// The kernel models: each other system's receive, modelled from its kernel's sources and run
// against the same core on this one (unit tests, for the crate's private seam).
#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
#[path = "../tests/models/mod.rs"]
mod models;
#[cfg(feature = "tokio")]
pub mod tokio;

#[cfg(feature = "std")]
pub use api::*;
#[cfg(feature = "std")]
pub use ext::FdPassing;
#[cfg(feature = "std")]
pub use failure::{Failure, failure};

/// The C library's panic handler: without std nothing can unwind, so a panic (which the core
/// is written never to reach) ends the process.
#[cfg(all(feature = "capi", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    sys::abort()
}
