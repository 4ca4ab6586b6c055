//! The words every stage shares, each a type rather than a string: the scenario a build times,
//! the cargo command and profile, the output format and colour choice, where a compiler comes
//! from, which linker it uses, and what kind of crate a rustc compiles. Each has one spelling,
//! used by the command line, the JSON (serde), the tables and the saved reports read back.
//!
//! Plain values with no behaviour beyond naming themselves; this module uses nothing else of
//! timewarp, so every stage, the command line included, may use it.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A kind of timed build: what cargo is asked to do, from which state, after which change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum Scenario {
    /// `cargo build` from an empty target directory (rustc-perf's `full`).
    Clean,
    /// `cargo build` after setting one source file's modification time to now: cargo recompiles
    /// its crate, whose code did not change (rustc-perf's `incr-unchanged`).
    Touched,
    /// `cargo build` after a real edit of that file (rustc-perf's `incr-patched`).
    Edited,
    /// `cargo build` after a new public item in the workspace library most other members
    /// depend on: it and every member that depends on it recompile.
    Deep,
    /// `cargo check` from an empty target directory.
    Check,
    /// `cargo check` after touching the file: the editor's loop.
    CheckTouched,
    /// `cargo test --no-run` after touching the file: the test-rebuild loop.
    Test,
    /// `cargo build --release` from an empty target directory.
    Release,
}

/// Where a scenario's build starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// An empty target directory.
    Empty,
    /// A complete build of the same kind, after a change.
    Rebuild,
}

/// What changes in the tree before a scenario's build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceChange {
    /// Nothing: a clean build.
    Nothing,
    /// The touched file's modification time is set to now.
    Touch,
    /// A private item is appended to the touched file, and removed after the build.
    Edit,
    /// A public item is appended to the deep library's root file, and removed after the build.
    DeepEdit,
}

impl Scenario {
    /// Every scenario, in the order a round runs them and columns appear.
    pub(crate) const ALL: [Scenario; 8] = [
        Scenario::Clean,
        Scenario::Touched,
        Scenario::Edited,
        Scenario::Deep,
        Scenario::Check,
        Scenario::CheckTouched,
        Scenario::Test,
        Scenario::Release,
    ];

    /// The name every format uses: `clean`, `touched`, `check-touched`, ...
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Clean => "clean",
            Scenario::Touched => "touched",
            Scenario::Edited => "edited",
            Scenario::Deep => "deep",
            Scenario::Check => "check",
            Scenario::CheckTouched => "check-touched",
            Scenario::Test => "test",
            Scenario::Release => "release",
        }
    }

    /// What the build is, for headers and legends.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Scenario::Clean => "build from an empty target directory",
            Scenario::Touched => "rebuild after touching the file (its mtime set to now)",
            Scenario::Edited => "rebuild after editing the file (a new item appended)",
            Scenario::Deep => "rebuild after a new public item in the library most members depend on",
            Scenario::Check => "`cargo check` from an empty target directory",
            Scenario::CheckTouched => "`cargo check` after touching the file",
            Scenario::Test => "`cargo test --no-run` after touching the file",
            Scenario::Release => "`--release` build from an empty target directory",
        }
    }

    /// The cargo subcommand its builds run.
    pub(crate) fn command(self) -> CargoCommand {
        match self {
            Scenario::Check | Scenario::CheckTouched => CargoCommand::Check,
            Scenario::Test => CargoCommand::Test,
            _ => CargoCommand::Build,
        }
    }

    /// The profile its builds use, given the run's (`--profile`): `release` always builds the
    /// release profile.
    pub(crate) fn profile(self, run: &Profile) -> Profile {
        match self {
            Scenario::Release => Profile::Release,
            _ => run.clone(),
        }
    }

    /// Where its builds start from.
    pub(crate) fn start(self) -> Start {
        match self {
            Scenario::Clean | Scenario::Check | Scenario::Release => Start::Empty,
            _ => Start::Rebuild,
        }
    }

    /// What changes before each of its builds.
    pub(crate) fn change(self) -> SourceChange {
        match self {
            Scenario::Clean | Scenario::Check | Scenario::Release => SourceChange::Nothing,
            Scenario::Touched | Scenario::CheckTouched | Scenario::Test => SourceChange::Touch,
            Scenario::Edited => SourceChange::Edit,
            Scenario::Deep => SourceChange::DeepEdit,
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The cargo command a scenario times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum CargoCommand {
    /// `cargo build`.
    Build,
    /// `cargo check`.
    Check,
    /// `cargo test --no-run`: builds the tests without running them.
    Test,
}

impl CargoCommand {
    /// The arguments that start the cargo command line: `build`, `check`, `test --no-run`.
    pub(crate) fn args(self) -> &'static [&'static str] {
        match self {
            CargoCommand::Build => &["build"],
            CargoCommand::Check => &["check"],
            CargoCommand::Test => &["test", "--no-run"],
        }
    }
}

impl fmt::Display for CargoCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.args().join(" "))
    }
}

/// The cargo profile timed; serialised as its name (`dev`, `release`, `ci`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Profile {
    /// The default `dev` profile.
    Dev,
    /// `--release`.
    Release,
    /// `--profile NAME` (cargo 1.57 or newer).
    Named(String),
}

impl Profile {
    /// The profile called `name`: `dev` and `release` are cargo's own.
    pub(crate) fn from_name(name: &str) -> Profile {
        match name {
            "dev" => Profile::Dev,
            "release" => Profile::Release,
            other => Profile::Named(other.to_string()),
        }
    }

    /// The profile's name, as reports show it.
    pub(crate) fn name(&self) -> &str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
            Profile::Named(name) => name,
        }
    }

    /// The cargo arguments that select it.
    pub(crate) fn args(&self) -> Vec<String> {
        match self {
            Profile::Dev => Vec::new(),
            Profile::Release => vec!["--release".into()],
            Profile::Named(name) => vec!["--profile".into(), name.clone()],
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Profile {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Profile, D::Error> {
        Ok(Profile::from_name(&String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
impl schemars::JsonSchema for Profile {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Profile".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The cargo profile timed: `dev`, `release` or the name given to `--profile`.",
            "type": "string"
        })
    }
}

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for a terminal
    Table,
    /// One JSON document, described by schema/report-v<N>.json
    Json,
    /// One header line and one line per row
    Csv,
    /// GitHub-flavoured Markdown tables
    Markdown,
}

impl Format {
    /// The format a file name implies: `.json`, `.csv`, `.md`/`.markdown`, `.txt` (table).
    pub(crate) fn from_extension(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

/// When to colour the output (`--color`, `CARGO_TERM_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Color {
    /// Colour when writing to a terminal, unless `NO_COLOR` is set
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

/// What becomes of the toolchains `--install` installed when the command ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Keep {
    /// They stay installed (a run's `--install`, `bisect --install --keep-installed`).
    #[default]
    Kept,
    /// They are removed when the command ends, and recorded until then, so that a killed run's
    /// are removed at the next start (`bisect --install`).
    Removed,
}

/// Who built a compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum Provenance {
    /// The Rust project's own build (PGO- and BOLT-optimised).
    Official,
    /// A packager's build from source (Debian's: no PGO, GNU ld).
    Distribution,
}

impl Provenance {
    /// `official` or `distribution`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Provenance::Official => "official",
            Provenance::Distribution => "distribution",
        }
    }

    /// `off.` or `dist.`, for a narrow table.
    pub(crate) fn short(self) -> &'static str {
        match self {
            Provenance::Official => "off.",
            Provenance::Distribution => "dist.",
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The linker a toolchain's builds use; serialised as `rust-lld`, `cc` or `mold (configured)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Linker {
    /// The rust-lld bundled with official x86_64 Linux builds since 1.90.
    RustLld,
    /// The system C compiler, which runs GNU ld unless told otherwise.
    Cc,
    /// The one the user's settings choose (`target.<host>.linker`, `-C link-arg=-fuse-ld=...`).
    Configured(String),
}

const CONFIGURED: &str = " (configured)";

impl Linker {
    /// `lld`, `cc` or the configured name, for a narrow table.
    pub(crate) fn short(&self) -> String {
        match self {
            Linker::RustLld => "lld".into(),
            Linker::Cc => "cc".into(),
            Linker::Configured(name) => name.clone(),
        }
    }

    /// The linker spelled `text`, as [`Display`](fmt::Display) writes it.
    pub(crate) fn parse(text: &str) -> Linker {
        match text {
            "rust-lld" => Linker::RustLld,
            "cc" => Linker::Cc,
            other => Linker::Configured(other.strip_suffix(CONFIGURED).unwrap_or(other).to_string()),
        }
    }
}

impl fmt::Display for Linker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Linker::RustLld => f.write_str("rust-lld"),
            Linker::Cc => f.write_str("cc"),
            Linker::Configured(name) => write!(f, "{name}{CONFIGURED}"),
        }
    }
}

impl Serialize for Linker {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Linker {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Linker, D::Error> {
        Ok(Linker::parse(&String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
impl schemars::JsonSchema for Linker {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Linker".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The linker: `rust-lld`, `cc` (the system C compiler, GNU ld unless configured), or `NAME (configured)` when the build settings choose one.",
            "type": "string",
            "pattern": "^(rust-lld|cc|.+ \\(configured\\))$"
        })
    }
}

/// An arm of `cargo timewarp try`: one named change of the build settings, measured against the
/// build as the project is configured today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum Arm {
    /// Link with LLVM's lld through the C compiler (`-C link-arg=-fuse-ld=lld`)
    Lld,
    /// Link with mold through the C compiler (`-C link-arg=-fuse-ld=mold`)
    Mold,
    /// Link with wild, through clang (`-C linker=clang -C link-arg=--ld-path=wild`)
    Wild,
    /// Line tables only as debug information (`debug = "line-tables-only"`)
    LineTablesOnly,
    /// No debug information (`debug = 0`)
    NoDebug,
    /// No debug information for dependencies alone (`[profile.dev.package."*"] debug = false`)
    NoDepsDebug,
    /// Debug information left in the object files (`split-debuginfo = "unpacked"`)
    SplitDebuginfo,
    /// Incremental compilation off (`CARGO_INCREMENTAL=0`), for clean builds such as CI's
    NoIncremental,
    /// rustc's parallel front end at the core count (`-Zthreads=N`, nightly)
    Threads,
    /// The Cranelift code generator (`-Zcodegen-backend=cranelift`, nightly)
    Cranelift,
    /// Generic instances shared between crates (`-Zshare-generics=y`, nightly)
    ShareGenerics,
}

impl Arm {
    /// Every arm, in the order `try --list` shows them and rounds build them.
    pub(crate) const ALL: [Arm; 11] = [
        Arm::Lld,
        Arm::Mold,
        Arm::Wild,
        Arm::LineTablesOnly,
        Arm::NoDebug,
        Arm::NoDepsDebug,
        Arm::SplitDebuginfo,
        Arm::NoIncremental,
        Arm::Threads,
        Arm::Cranelift,
        Arm::ShareGenerics,
    ];

    /// The name every format uses: `lld`, `line-tables-only`, `share-generics`, ...
    pub(crate) fn name(self) -> &'static str {
        match self {
            Arm::Lld => "lld",
            Arm::Mold => "mold",
            Arm::Wild => "wild",
            Arm::LineTablesOnly => "line-tables-only",
            Arm::NoDebug => "no-debug",
            Arm::NoDepsDebug => "no-deps-debug",
            Arm::SplitDebuginfo => "split-debuginfo",
            Arm::NoIncremental => "no-incremental",
            Arm::Threads => "threads",
            Arm::Cranelift => "cranelift",
            Arm::ShareGenerics => "share-generics",
        }
    }

    /// Whether the arm can change `scenario`'s builds at all. A `cargo check` after touching a
    /// file checks the touched crate alone: it links nothing and generates no code, so a linker,
    /// debug information, split debug information, shared generics and the code generator change
    /// nothing in it (in a clean check, build scripts and proc-macros are still compiled and
    /// linked).
    pub(crate) fn changes(self, scenario: Scenario) -> bool {
        match self {
            Arm::NoIncremental | Arm::Threads => true,
            _ => !(scenario.command() == CargoCommand::Check && scenario.start() == Start::Rebuild),
        }
    }

    /// Whether a speedup in `scenario` counts for or against the arm: where it changes the build,
    /// and for `no-incremental` in clean builds alone (its slower rebuilds are shown as its cost).
    pub(crate) fn meant_for(self, scenario: Scenario) -> bool {
        self.changes(scenario) && (self != Arm::NoIncremental || scenario.start() == Start::Empty)
    }

    /// The linker the arm links with, when it is a linker's arm.
    pub(crate) fn linker(self) -> Option<Linker> {
        match self {
            Arm::Lld | Arm::Mold | Arm::Wild => Some(Linker::Configured(self.name().into())),
            _ => None,
        }
    }

    /// Whether only a nightly toolchain accepts the arm's flags.
    pub(crate) fn needs_nightly(self) -> bool {
        matches!(self, Arm::Threads | Arm::Cranelift | Arm::ShareGenerics)
    }
}

impl fmt::Display for Arm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a rustc invocation compiles, from its `--crate-type` (or its name, for a build script).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum CrateKind {
    /// A library (`lib`, `rlib`).
    #[serde(rename = "lib")]
    Lib,
    /// A binary.
    #[serde(rename = "bin")]
    Bin,
    /// A procedural macro.
    #[serde(rename = "proc-macro")]
    ProcMacro,
    /// A build script (`build.rs`).
    #[serde(rename = "build script")]
    BuildScript,
    /// A dynamic Rust library.
    #[serde(rename = "dylib")]
    Dylib,
    /// A C-compatible dynamic library.
    #[serde(rename = "cdylib")]
    Cdylib,
    /// A C-compatible static library.
    #[serde(rename = "staticlib")]
    Staticlib,
}

impl CrateKind {
    /// The kind of a crate rustc compiles with `--crate-type` `crate_type` (the first one
    /// given; a library when none is); `build_script` overrides it.
    pub(crate) fn of(crate_type: Option<&str>, build_script: bool) -> CrateKind {
        if build_script {
            return CrateKind::BuildScript;
        }
        match crate_type {
            Some("bin") => CrateKind::Bin,
            Some("proc-macro") => CrateKind::ProcMacro,
            Some("dylib") => CrateKind::Dylib,
            Some("cdylib") => CrateKind::Cdylib,
            Some("staticlib") => CrateKind::Staticlib,
            _ => CrateKind::Lib,
        }
    }

    /// The name every format uses: `lib`, `bin`, `proc-macro`, `build script`, ...
    pub(crate) fn name(self) -> &'static str {
        match self {
            CrateKind::Lib => "lib",
            CrateKind::Bin => "bin",
            CrateKind::ProcMacro => "proc-macro",
            CrateKind::BuildScript => "build script",
            CrateKind::Dylib => "dylib",
            CrateKind::Cdylib => "cdylib",
            CrateKind::Staticlib => "staticlib",
        }
    }
}

impl fmt::Display for CrateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_json_says() {
        for scenario in Scenario::ALL {
            assert_eq!(serde_json::to_value(scenario).unwrap(), scenario.name());
            assert_eq!(serde_json::from_value::<Scenario>(scenario.name().into()).unwrap(), scenario);
        }
        for (command, name) in
            [(CargoCommand::Build, "build"), (CargoCommand::Check, "check"), (CargoCommand::Test, "test")]
        {
            assert_eq!(serde_json::to_value(command).unwrap(), name);
            assert_eq!(command.args()[0], name);
        }
        for kind in [CrateKind::Lib, CrateKind::BuildScript, CrateKind::ProcMacro, CrateKind::Staticlib] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(serde_json::from_value::<CrateKind>(kind.name().into()).unwrap(), kind);
        }
        for provenance in [Provenance::Official, Provenance::Distribution] {
            assert_eq!(serde_json::to_value(provenance).unwrap(), provenance.name());
        }
    }

    #[test]
    fn profiles_and_linkers_round_trip_as_their_names() {
        for (name, profile) in
            [("dev", Profile::Dev), ("release", Profile::Release), ("ci", Profile::Named("ci".into()))]
        {
            assert_eq!(Profile::from_name(name), profile);
            assert_eq!(serde_json::to_value(&profile).unwrap(), name);
            assert_eq!(serde_json::from_value::<Profile>(name.into()).unwrap(), profile);
        }
        for (text, linker) in [
            ("rust-lld", Linker::RustLld),
            ("cc", Linker::Cc),
            ("mold (configured)", Linker::Configured("mold".into())),
        ] {
            assert_eq!(linker.to_string(), text);
            assert_eq!(Linker::parse(text), linker);
            assert_eq!(serde_json::from_value::<Linker>(text.into()).unwrap(), linker);
        }
        assert_eq!(Linker::Configured("bfd".into()).short(), "bfd");
        assert_eq!(Provenance::Official.short(), "off.");
    }

    #[test]
    fn arms_have_one_spelling_in_every_format() {
        use clap::ValueEnum as _;
        for arm in Arm::ALL {
            assert_eq!(arm.to_string(), arm.name());
            assert_eq!(serde_json::to_value(arm).unwrap(), arm.name());
            assert_eq!(Arm::from_str(arm.name(), false).unwrap(), arm, "the command line spells it the same");
        }
        assert_eq!(Arm::value_variants().len(), Arm::ALL.len(), "ALL lists every arm");
        assert_eq!(Arm::Mold.linker(), Some(Linker::Configured("mold".into())));
        assert_eq!(Arm::NoDebug.linker(), None);
        assert!(Arm::Cranelift.needs_nightly() && !Arm::Lld.needs_nightly());
    }

    #[test]
    fn crate_kinds_follow_rustcs_crate_types() {
        assert_eq!(CrateKind::of(Some("rlib"), false), CrateKind::Lib);
        assert_eq!(CrateKind::of(None, false), CrateKind::Lib);
        assert_eq!(CrateKind::of(Some("proc-macro"), false), CrateKind::ProcMacro);
        assert_eq!(CrateKind::of(Some("bin"), true), CrateKind::BuildScript);
        assert_eq!(Format::from_extension(Path::new("out/h.md")), Some(Format::Markdown));
        assert_eq!(Format::from_extension(Path::new("h")), None);
    }
}
