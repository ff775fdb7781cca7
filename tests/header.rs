//! `include/p9fd.h` is what cbindgen generates from the sources now.
//!
//! `P9FD_BLESS=1 cargo test --test header` (`make header`) rewrites it.

use std::path::Path;

#[test]
fn header_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed")
        .write(&mut generated);
    let path = dir.join("include/p9fd.h");
    if std::env::var_os("P9FD_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/p9fd.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/p9fd.h is stale: regenerate it with `make header` \
         (P9FD_BLESS=1 cargo test --test header) and commit it"
    );
}
