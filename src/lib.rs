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
//! use std::io::{Read, Seek, Write};
//! use std::fs::File;
//!
//! let (a, b) = p9fd::pipe()?;
//! let mut file = tempfile()?;
//! file.write_all(b"hello")?;
//! p9fd::send_fd(&a, &file)?;
//! let mut got = File::from(p9fd::recv_fd(&b, p9fd::RecvFlags::CLOEXEC)?);
//! got.rewind()?; // the same open file: the offset is shared with `file`
//! let mut s = String::new();
//! got.read_to_string(&mut s)?;
//! assert_eq!(s, "hello");
//! # fn tempfile() -> std::io::Result<File> {
//! #     File::options().read(true).write(true).truncate(true).create(true)
//! #         .open(std::env::temp_dir().join(format!("p9fd-doc-{}", std::process::id())))
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Names
//!
//! The Rust names are the snake-case forms of lib9's (`sendfd` → [`send_fd`], `recvfd` →
//! [`recv_fd`]), `p9pipe` is [`pipe`] inside this crate, and the message forms that carry
//! several descriptors and a payload are [`send_fds`] and [`recv_fds`], the names CPython's
//! `socket` module uses for the same thing. The C library exports `sendfd`, `recvfd`, `p9pipe`,
//! `sendfdmsg` and `recvfdmsg`, declared in `p9fd.h`; they call these functions.
//!
//! # Conventions
//!
//! - Descriptors go in borrowed ([`AsFd`], [`BorrowedFd`]) and come out owned ([`OwnedFd`]).
//!   A received descriptor is owned from the moment it is parsed, so none can leak: whatever
//!   the caller does not get is closed before the call returns.
//! - Errors are [`io::Error`]s holding an errno ([`io::Error::raw_os_error`] is always `Some`).
//!   Kernel errors pass through unchanged; the library's own are documented per function.
//! - Outputs are written only on success.
//! - Nothing allocates, nothing retries (an `EINTR` is returned), nothing raises `SIGPIPE`,
//!   and no state is shared: every function is safe to call from any thread.

#![cfg_attr(not(any(feature = "std", test)), no_std)]
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
mod pass;
mod sys;

#[cfg(feature = "std")]
pub use api::*;

/// The C library's panic handler: without std nothing can unwind, so a panic (which the core
/// is written never to reach) ends the process.
#[cfg(all(feature = "capi", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    sys::abort()
}
