//! Records the target triple timewarp is built for: it is the host whose toolchains it compares.
fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=TIMEWARP_HOST={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
