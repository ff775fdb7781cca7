//! Gives the shared library a versioned soname, as cargo-c does: `libp9fd.so.MAJOR`.
//! Writes nothing anywhere.

fn main() {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libp9fd.so.{major}");
    }
    // For tests that drive the C compiler through the cc crate.
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=P9FD_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
