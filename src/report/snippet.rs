//! The paste-able answer of `cargo timewarp try`: for each arm worth adopting, the lines that
//! make it the project's own setting (in `Cargo.toml`, `.cargo/config.toml` or the
//! environment), and what it costs. Pure text; which arms win is `report::tried`'s.

use serde::Serialize;

use crate::vocab::Arm;

/// Where a snippet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Place {
    /// The workspace's `Cargo.toml`.
    CargoToml,
    /// The workspace's `.cargo/config.toml`.
    CargoConfig,
    /// The environment of the builds (CI's, say).
    Environment,
}

impl Place {
    /// `Cargo.toml`, `.cargo/config.toml`, `the environment`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Place::CargoToml => "Cargo.toml",
            Place::CargoConfig => ".cargo/config.toml",
            Place::Environment => "the environment",
        }
    }
}

/// The lines that adopt one arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Snippet {
    /// The arm.
    pub arm: Arm,
    /// Where the lines go.
    pub place: Place,
    /// The lines, as TOML (or a shell assignment for the environment).
    pub text: String,
    /// What it costs, as a phrase.
    pub cost: &'static str,
}

/// The lines that make `arm` the project's setting for builds of `profile` on `host` (with
/// `cores` for `-Zthreads`), its rustflags in `table` (`build` or `target.<host>`, where cargo
/// reads the user's from: see `measure::arm::rustflags_table`).
pub(crate) fn snippet(arm: Arm, host: &str, table: &str, profile: &str, cores: usize) -> Snippet {
    let rustflags = |flags: &str| format!("[{table}]\nrustflags = [{flags}]  # after any flags already there");
    let (place, text, cost) = match arm {
        Arm::Lld => (
            Place::CargoConfig,
            rustflags("\"-C\", \"link-arg=-fuse-ld=lld\""),
            "every machine that builds needs lld installed",
        ),
        Arm::Mold => (
            Place::CargoConfig,
            rustflags("\"-C\", \"link-arg=-fuse-ld=mold\""),
            "every machine that builds needs mold installed",
        ),
        Arm::Wild => (
            Place::CargoConfig,
            format!("[target.{host}]\nlinker = \"clang\"\nrustflags = [\"-C\", \"link-arg=--ld-path=wild\"]"),
            "every machine that builds needs clang and wild installed",
        ),
        Arm::LineTablesOnly => (
            Place::CargoToml,
            format!("[profile.{profile}]\ndebug = \"line-tables-only\""),
            "a debugger shows no variables; backtraces keep their line numbers",
        ),
        Arm::NoDebug => {
            (Place::CargoToml, format!("[profile.{profile}]\ndebug = 0"), "no line numbers in backtraces, no debugging")
        }
        Arm::NoDepsDebug => (
            Place::CargoToml,
            format!("[profile.{profile}.package.\"*\"]\ndebug = false"),
            "dependencies cannot be stepped through in a debugger",
        ),
        Arm::SplitDebuginfo => (
            Place::CargoToml,
            format!("[profile.{profile}]\nsplit-debuginfo = \"unpacked\""),
            "debug information stays in the object files, which must be kept beside the binary",
        ),
        Arm::NoIncremental => (
            Place::Environment,
            "CARGO_INCREMENTAL=0".to_string(),
            "for clean builds such as CI's only: rebuilds after an edit get slower",
        ),
        Arm::Threads => (Place::CargoConfig, rustflags(&format!("\"-Zthreads={cores}\"")), "nightly only"),
        Arm::Cranelift => (
            Place::CargoToml,
            format!(
                "cargo-features = [\"codegen-backend\"]  # first line\n\n[profile.{profile}]\ncodegen-backend = \"cranelift\""
            ),
            "nightly only; the code runs slower, and some crates (SIMD intrinsics, inline assembly) do not build",
        ),
        Arm::ShareGenerics => (Place::CargoConfig, rustflags("\"-Zshare-generics=y\""), "nightly only"),
    };
    Snippet { arm, place, text, cost }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_arm_has_lines_to_paste_and_a_cost() {
        for arm in Arm::ALL {
            let s = snippet(arm, "x86_64-unknown-linux-gnu", "build", "dev", 8);
            assert!(!s.text.is_empty() && !s.cost.is_empty(), "{arm}");
        }
        let mold = snippet(Arm::Mold, "x86_64-unknown-linux-gnu", "target.x86_64-unknown-linux-gnu", "dev", 8);
        assert_eq!(mold.place.name(), ".cargo/config.toml");
        assert!(
            mold.text
                .starts_with("[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"link-arg=-fuse-ld=mold\"]")
        );
        let debug = snippet(Arm::NoDepsDebug, "x86_64-unknown-linux-gnu", "build", "ci", 8);
        assert_eq!((debug.place, debug.text.as_str()), (Place::CargoToml, "[profile.ci.package.\"*\"]\ndebug = false"));
        assert_eq!(snippet(Arm::Threads, "h", "build", "dev", 6).text.lines().next(), Some("[build]"));
        assert!(snippet(Arm::Threads, "h", "build", "dev", 6).text.contains("-Zthreads=6"));
        let flags = snippet(Arm::Lld, "h", "build", "dev", 6);
        assert!(flags.text.starts_with("[build]\nrustflags"), "beside the user's build.rustflags: {}", flags.text);
    }
}
