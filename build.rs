//! Tells the tests which target they are built for (they drive the C compiler through the cc
//! crate). Writes nothing anywhere. The C libraries' soname is set by the Makefile, which
//! builds them (`cargo rustc --crate-type staticlib,cdylib`).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=P9FD_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
