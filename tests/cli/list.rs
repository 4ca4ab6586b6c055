//! `--list`: what would be measured and why the rest would not, without building anything.

use crate::support::{World, fixture, reason_for, success, success_json, timewarp, toolchains};

/// The toolchains these tests select from: Debian's three and the official stable.
const WORLD: &[&str] = &["1.63.0", "1.85.0", "stable", "1.96.0"];

#[test]
fn lists_with_only_stable() {
    let ws = fixture("single-crate");
    let listing = success_json(timewarp(ws.path()).args(["--list", "--format", "json"]));
    assert_eq!(listing["schema"], 2);
    assert_eq!(listing["msrv"], "1.80");
    assert_eq!(listing["msrv_floors"][0]["reason"], "rust-version of `single-crate`");
    let rows = listing["toolchains"].as_array().unwrap();
    assert!(rows.iter().any(|t| t["selected"] == true), "stable (>= 1.80) is selected: {listing:#}");
    assert!(!ws.path().join("target").exists(), "--list builds nothing");
}

#[test]
fn yearly_selection_with_msrv_and_reasons() {
    if !toolchains(&["1.63.0", "1.85.0", "1.96.0"]) {
        return;
    }
    let ws = World::new("single-crate", WORLD);
    let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    let selected: Vec<&str> = listing["toolchains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["selected"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(selected.contains(&"1.85.0") && selected.contains(&"1.96.0"), "{selected:?}");
    assert!(!selected.contains(&"1.63.0"));
    assert_eq!(reason_for(&listing, "1.63.0").unwrap(), "below MSRV 1.80 (rust-version of `single-crate`)");
    assert_eq!(reason_for(&listing, "stable").unwrap(), "within 6 weeks of 1.96.0");
    let old = listing["toolchains"].as_array().unwrap().iter().find(|t| t["name"] == "1.63.0").unwrap();
    assert_eq!(old["release_date"], "2022-08-11", "from the version: Debian's rustc says commit-date: unknown");

    let human = success(ws.timewarp().arg("--list"));
    assert!(human.contains("1.85.0") && human.contains("selected"), "{human}");
}

#[test]
fn all_since_and_explicit_names() {
    if !toolchains(&["1.63.0", "1.85.0", "1.96.0"]) {
        return;
    }
    let ws = World::new("virtual-ws", WORLD);
    let selected = |args: &[&str]| -> Vec<String> {
        let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]).args(args));
        listing["toolchains"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["selected"] == true)
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = selected(&["--all"]);
    assert!(all.contains(&"1.63.0".to_string()) && all.contains(&"1.96.0".to_string()), "{all:?}");
    assert!(!all.contains(&"nightly".to_string()));
    let since = selected(&["--all", "--since", "1.85"]);
    assert!(!since.contains(&"1.63.0".to_string()) && since.contains(&"1.85.0".to_string()), "{since:?}");
    assert_eq!(selected(&["--toolchains", "1.96.0,1.63.0"]), ["1.63.0", "1.96.0"]);
    let single = World::new("single-crate", WORLD);
    let listing = success_json(single.timewarp().args(["--list", "--all", "--format", "json"]));
    assert_eq!(reason_for(&listing, "1.63.0").unwrap(), "below MSRV 1.80 (rust-version of `single-crate`)");
}
