//! Gives the shared library a versioned soname, as cargo-c does: `libp9fd.so.MAJOR`.

fn main() {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libp9fd.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
