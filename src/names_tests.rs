//! One vocabulary: no type name is defined twice in the crate's own code (tests aside), so a
//! name read anywhere means one thing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The types `text` defines outside its inline test module: `struct`, `enum` and `trait` items
/// at any indentation (a function's own types too), and `type` aliases at the top (an indented
/// `type` is an impl's associated type), whatever their visibility.
fn defined_types(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(raw) = lines.next() {
        let line = raw.trim_start();
        if line == "#[cfg(test)]" && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod tests {")) {
            break;
        }
        let item = ["pub(crate) ", "pub(crate) ", "pub "].iter().fold(line, |l, v| l.strip_prefix(v).unwrap_or(l));
        let keywords: &[&str] = if raw.starts_with(' ') {
            &["struct ", "enum ", "trait "]
        } else {
            &["struct ", "enum ", "type ", "trait "]
        };
        for keyword in keywords {
            if let Some(rest) = item.strip_prefix(keyword) {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The modules `text` declares under `#[cfg(test)]` (`mod tests;`, `mod testing;`).
fn test_modules(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0] == "#[cfg(test)]")
        .filter_map(|pair| pair[1].trim_start_matches("pub(crate) ").strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

/// Every source file of the crate but the test-only modules, with its text.
fn crate_sources() -> Vec<(PathBuf, String)> {
    let mut test_only: Vec<PathBuf> = Vec::new();
    let mut files = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let stem = path.file_stem().unwrap().to_string_lossy();
                let home = if ["lib", "mod", "main"].contains(&stem.as_ref()) { dir.clone() } else { dir.join(&*stem) };
                test_only.extend(test_modules(&text).into_iter().map(|m| home.join(m)));
                files.push((path, text));
            }
        }
    }
    files.retain(|(path, _)| !test_only.iter().any(|t| path.starts_with(t) || *path == t.with_extension("rs")));
    files
}

#[test]
fn no_type_name_is_defined_twice() {
    let mut defined: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, text) in crate_sources() {
        for name in defined_types(&text) {
            defined.entry(name).or_default().push(path.display().to_string());
        }
    }
    assert!(defined.contains_key("Scenario") && defined.contains_key("Release"), "the scan found the crate's types");
    let twice: Vec<String> =
        defined.iter().filter(|(_, files)| files.len() > 1).map(|(name, files)| format!("{name}: {files:?}")).collect();
    assert!(twice.is_empty(), "type names defined more than once:\n{}", twice.join("\n"));
}

#[test]
fn the_scan_sees_definitions_and_skips_tests() {
    let text = "pub(crate) struct A {\n}\n    enum B { X }\ntype C = u8;\nimpl I for A {\n    type Err = ();\n}\n#[cfg(test)]\nmod tests {\n    struct D;\n}\n";
    assert_eq!(defined_types(text), ["A", "B", "C"]);
    assert_eq!(
        test_modules("#[cfg(test)]\nmod tests;\n#[cfg(test)]\npub(crate) mod schema;\nmod real;\n"),
        ["tests", "schema"]
    );
}
