//! `cfg(...)` expressions of cargo's `[target.'cfg(...)']` tables, evaluated for the host as
//! cargo evaluates them: against the values `rustc --print cfg` prints for the host triple
//! (`unix`, `target_os = "linux"`, ...), with `all`, `any` and `not`. timewarp builds for the
//! host only, so the values come from the host triple alone ([`HostCfg::of`]): the keys cargo's
//! users write in these tables (`target_os`, `target_family`, `target_arch`, `target_env`,
//! `target_vendor`, `target_pointer_width`, `target_endian`, `unix`, `windows`) and the
//! `target_feature`s every host of an architecture has. Pure.

/// One `cfg(...)` predicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cfg {
    /// A bare name: `unix`, `windows`, `debug_assertions`.
    Name(String),
    /// `key = "value"`: `target_os = "linux"`.
    KeyValue(String, String),
    /// `all(...)`: every one holds (`all()` holds).
    All(Vec<Cfg>),
    /// `any(...)`: one holds (`any()` does not).
    Any(Vec<Cfg>),
    /// `not(...)`.
    Not(Box<Cfg>),
}

impl Cfg {
    /// The expression of a `[target]` table's name, `cfg(target_os = "linux")`; `None` for a
    /// triple or anything cargo would not read as a `cfg(...)`.
    pub(crate) fn parse_target(name: &str) -> Option<Cfg> {
        let inner = name.trim().strip_prefix("cfg(")?.strip_suffix(')')?;
        let mut parser = Parser { rest: inner };
        let cfg = parser.predicate()?;
        parser.skip_space();
        parser.rest.is_empty().then_some(cfg)
    }

    /// Whether it holds on `host`.
    pub(crate) fn holds(&self, host: &HostCfg) -> bool {
        match self {
            Cfg::Name(name) => host.names.iter().any(|n| n == name),
            Cfg::KeyValue(key, value) => host.values.iter().any(|(k, v)| k == key && v == value),
            Cfg::All(all) => all.iter().all(|c| c.holds(host)),
            Cfg::Any(any) => any.iter().any(|c| c.holds(host)),
            Cfg::Not(not) => !not.holds(host),
        }
    }
}

/// Whether the `[target]` table named `name` (a triple or a `cfg(...)`) applies to builds for
/// the triple `host`.
pub(crate) fn target_applies(name: &str, host: &str) -> bool {
    match Cfg::parse_target(name) {
        Some(cfg) => cfg.holds(&HostCfg::of(host)),
        None => name == host,
    }
}

/// What `rustc --print cfg` says of a host: its bare names and its `key = "value"` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostCfg {
    names: Vec<String>,
    values: Vec<(String, String)>,
}

impl HostCfg {
    /// The cfg values of the triple `host` (`x86_64-unknown-linux-gnu`, `aarch64-apple-darwin`,
    /// `x86_64-pc-windows-msvc`, ...), as rustc prints them for it.
    pub(crate) fn of(host: &str) -> HostCfg {
        let parts: Vec<&str> = host.split('-').collect();
        let machine = parts.first().copied().unwrap_or_default();
        let vendor = parts.get(1).copied().unwrap_or("unknown");
        let system = parts.get(2).copied().unwrap_or_default();
        let abi = parts.get(3).copied().unwrap_or_default();
        let arch = match machine {
            "i386" | "i586" | "i686" => "x86",
            m if m.starts_with("armv") || m.starts_with("thumbv") || m == "arm" => "arm",
            m if m.starts_with("riscv64") => "riscv64",
            m if m.starts_with("riscv32") => "riscv32",
            "powerpc64le" => "powerpc64",
            "mipsel" => "mips",
            "mips64el" => "mips64",
            m => m,
        };
        let (os, env) = match (system, abi) {
            ("darwin", _) => ("macos", ""),
            ("linux", a) if a.starts_with("android") => ("android", ""),
            ("linux", a) if a.starts_with("musl") => ("linux", "musl"),
            ("linux", a) if a.starts_with("gnu") => ("linux", "gnu"),
            ("windows", "msvc") => ("windows", "msvc"),
            ("windows", a) if a.starts_with("gnu") => ("windows", "gnu"),
            (os, _) => (os, ""),
        };
        let family = match os {
            "windows" => Some("windows"),
            "linux" | "android" | "macos" | "ios" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos"
            | "solaris" | "haiku" | "aix" => Some("unix"),
            _ => None,
        };
        let width = match arch {
            "x86" | "arm" | "riscv32" | "mips" | "powerpc" | "wasm32" => "32",
            _ => "64",
        };
        let big = matches!(machine, "s390x" | "powerpc" | "powerpc64" | "mips" | "mips64" | "sparc64");
        let mut values: Vec<(String, String)> = [
            ("target_arch", arch),
            ("target_os", os),
            ("target_env", env),
            ("target_vendor", vendor),
            ("target_pointer_width", width),
            ("target_endian", if big { "big" } else { "little" }),
        ]
        .into_iter()
        .chain(family.map(|f| ("target_family", f)))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let features: &[&str] = match arch {
            "x86_64" => &["fxsr", "sse", "sse2"],
            "aarch64" => &["neon"],
            _ => &[],
        };
        values.extend(features.iter().map(|f| ("target_feature".to_string(), f.to_string())));
        HostCfg { names: family.map(str::to_string).into_iter().collect(), values }
    }
}

/// A recursive-descent reader of the predicate grammar cargo accepts.
struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    /// `c` next (after spaces), consumed.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_space();
        let end = self.rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(self.rest.len());
        let (ident, rest) = self.rest.split_at(end);
        if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.rest = rest;
        Some(ident.to_string())
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat('"') {
            return None;
        }
        let end = self.rest.find('"')?;
        let value = self.rest[..end].to_string();
        self.rest = &self.rest[end + 1..];
        Some(value)
    }

    fn predicate(&mut self) -> Option<Cfg> {
        let ident = self.ident()?;
        if self.eat('=') {
            return Some(Cfg::KeyValue(ident, self.string()?));
        }
        if !self.eat('(') {
            return Some(Cfg::Name(ident));
        }
        let mut list = Vec::new();
        while !self.eat(')') {
            list.push(self.predicate()?);
            if !self.eat(',') {
                if !self.eat(')') {
                    return None;
                }
                break;
            }
        }
        match ident.as_str() {
            "all" => Some(Cfg::All(list)),
            "any" => Some(Cfg::Any(list)),
            "not" if list.len() == 1 => list.pop().map(|c| Cfg::Not(Box::new(c))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX: &str = "x86_64-unknown-linux-gnu";

    #[test]
    fn expressions_hold_as_cargo_evaluates_them_for_the_host() {
        let holds = |name: &str, host: &str| target_applies(name, host);
        for name in [
            "cfg(unix)",
            "cfg(target_os = \"linux\")",
            "cfg( target_os=\"linux\" )",
            "cfg(target_family = \"unix\")",
            "cfg(all(target_arch = \"x86_64\", target_env = \"gnu\"))",
            "cfg(any(target_os = \"macos\", target_os = \"linux\",))",
            "cfg(not(windows))",
            "cfg(all())",
            "cfg(all(unix, not(target_env = \"musl\"), target_pointer_width = \"64\"))",
            "cfg(target_feature = \"sse2\")",
            LINUX,
        ] {
            assert!(holds(name, LINUX), "{name}");
        }
        for name in [
            "cfg(windows)",
            "cfg(target_os = \"macos\")",
            "cfg(any())",
            "cfg(not(unix))",
            "cfg(target_env = \"musl\")",
            "cfg(all(unix, target_arch = \"aarch64\"))",
            "cfg(target_os = \"linux\"",
            "cfg(not(unix, windows))",
            "cfg(feature = \"x\")",
            "x86_64-unknown-linux-musl",
        ] {
            assert!(!holds(name, LINUX), "{name}");
        }
        assert!(holds("cfg(all(target_os = \"macos\", unix, target_arch = \"aarch64\"))", "aarch64-apple-darwin"));
        assert!(holds("cfg(all(windows, target_env = \"msvc\"))", "x86_64-pc-windows-msvc"));
        assert!(!holds("cfg(unix)", "x86_64-pc-windows-msvc"));
        assert!(holds("cfg(all(target_arch = \"x86\", target_env = \"musl\"))", "i686-unknown-linux-musl"));
        assert!(holds("cfg(target_os = \"android\")", "aarch64-linux-android"));
    }

    #[test]
    fn the_parse_is_typed() {
        assert_eq!(
            Cfg::parse_target("cfg(all(unix, not(target_os = \"macos\")))"),
            Some(Cfg::All(vec![
                Cfg::Name("unix".into()),
                Cfg::Not(Box::new(Cfg::KeyValue("target_os".into(), "macos".into())))
            ]))
        );
        assert_eq!(Cfg::parse_target(LINUX), None);
    }
}
