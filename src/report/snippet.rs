//! The paste-able answer of `cargo timewarp try`: for each arm worth adopting, the lines that
//! make it the project's own setting (in `Cargo.toml`, `.cargo/config.toml` or the
//! environment), and what it costs. Pure text; which arms win is `report::tried`'s.

use serde::{Deserialize, Serialize};

use crate::measure::arm::FlagsHome;
use crate::vocab::Arm;

/// Where a snippet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Snippet {
    /// The arm.
    pub(crate) arm: Arm,
    /// Where the lines go.
    pub(crate) place: Place,
    /// The lines, as TOML (or a shell assignment for the environment).
    pub(crate) text: String,
    /// What it costs, as a phrase.
    pub(crate) cost: String,
}

/// The lines that make `arm` the project's setting for builds of `profile` on `host` (with
/// `cores` for `-Zthreads`), its rustflags joining the user's where cargo reads them (`home`).
pub(crate) fn snippet(arm: Arm, host: &str, home: FlagsHome, profile: &str, cores: usize) -> Snippet {
    let rustflags = |flags: &[&str]| match home {
        FlagsHome::Encoded => (
            Place::Environment,
            format!("CARGO_ENCODED_RUSTFLAGS=\"$CARGO_ENCODED_RUSTFLAGS\"$'\\x1f{}'", flags.join("\\x1f")),
        ),
        FlagsHome::Rustflags => (Place::Environment, format!("RUSTFLAGS=\"$RUSTFLAGS {}\"", flags.join(" "))),
        FlagsHome::Target | FlagsHome::Build => {
            let table = if home == FlagsHome::Target { format!("target.{host}") } else { "build".into() };
            let quoted: Vec<String> = flags.iter().map(|f| format!("\"{f}\"")).collect();
            let text = format!("[{table}]\nrustflags = [{}]  # after any flags already there", quoted.join(", "));
            (Place::CargoConfig, text)
        }
    };
    let (place, text, cost) = match arm {
        Arm::Lld => {
            let (place, text) = rustflags(&["-C", "link-arg=-fuse-ld=lld"]);
            (place, text, "every machine that builds needs lld installed")
        }
        Arm::Mold => {
            let (place, text) = rustflags(&["-C", "link-arg=-fuse-ld=mold"]);
            (place, text, "every machine that builds needs mold installed")
        }
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
        Arm::Threads => {
            let (place, text) = rustflags(&[&format!("-Zthreads={cores}")]);
            (place, text, "nightly only")
        }
        Arm::Cranelift => (
            Place::CargoToml,
            format!(
                "cargo-features = [\"codegen-backend\"]  # first line\n\n[profile.{profile}]\ncodegen-backend = \"cranelift\""
            ),
            "nightly only; the code runs slower, and some crates (SIMD intrinsics, inline assembly) do not build",
        ),
        Arm::ShareGenerics => {
            let (place, text) = rustflags(&["-Zshare-generics=y"]);
            (place, text, "nightly only")
        }
    };
    Snippet { arm, place, text, cost: cost.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_arm_has_lines_to_paste_and_a_cost() {
        for arm in Arm::ALL {
            let s = snippet(arm, "x86_64-unknown-linux-gnu", FlagsHome::Build, "dev", 8);
            assert!(!s.text.is_empty() && !s.cost.is_empty(), "{arm}");
        }
        let mold = snippet(Arm::Mold, "x86_64-unknown-linux-gnu", FlagsHome::Target, "dev", 8);
        assert_eq!(mold.place.name(), ".cargo/config.toml");
        assert!(
            mold.text
                .starts_with("[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"link-arg=-fuse-ld=mold\"]")
        );
        let debug = snippet(Arm::NoDepsDebug, "x86_64-unknown-linux-gnu", FlagsHome::Build, "ci", 8);
        assert_eq!((debug.place, debug.text.as_str()), (Place::CargoToml, "[profile.ci.package.\"*\"]\ndebug = false"));
        assert_eq!(snippet(Arm::Threads, "h", FlagsHome::Build, "dev", 6).text.lines().next(), Some("[build]"));
        assert!(snippet(Arm::Threads, "h", FlagsHome::Build, "dev", 6).text.contains("-Zthreads=6"));
        let env = snippet(Arm::Mold, "h", FlagsHome::Rustflags, "dev", 6);
        assert_eq!(
            (env.place, env.text.as_str()),
            (Place::Environment, "RUSTFLAGS=\"$RUSTFLAGS -C link-arg=-fuse-ld=mold\"")
        );
        let flags = snippet(Arm::Lld, "h", FlagsHome::Build, "dev", 6);
        assert!(flags.text.starts_with("[build]\nrustflags"), "beside the user's build.rustflags: {}", flags.text);
    }
}
