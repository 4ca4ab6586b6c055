#!/usr/bin/env bash
# Checks timewarp's numbers against an independent timer. On a copy of a fixture it runs
#   1. `cargo timewarp` twice (JSON), timing the whole run from outside,
#   2. hyperfine on exactly the builds timewarp ran (same command, environment and target
#      directory; `--prepare` removes the target dir for clean builds and touches the file for
#      incremental ones),
# and prints, per toolchain and scenario, timewarp's median against hyperfine's, the agreement
# of the two timewarp runs, and timewarp's own overhead (its wall time minus the builds it
# reports). Also times `cargo timewarp --list`.
#
# Usage: scripts/bench-vs-hyperfine.sh [FIXTURE] [CLEAN_RUNS] [INCREMENTAL_RUNS] [TOOLCHAINS]
#   defaults: virtual-ws 3 10 "every installed stable toolchain --all selects"
# Needs: hyperfine (Debian: apt-get install hyperfine), python3, jq-free.
set -euo pipefail
cd "$(dirname "$0")/.."

fixture=${1:-virtual-ws}
clean_runs=${2:-3}
incremental_runs=${3:-10}
toolchains=${4:-}

command -v hyperfine >/dev/null || { echo "error: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --locked --quiet
timewarp="$PWD/target/release/cargo-timewarp"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "fixtures/$fixture" "$scratch/ws"
cd "$scratch/ws"

select_args=(--all)
[ -n "$toolchains" ] && select_args=(--toolchains "$toolchains")
common=("${select_args[@]}" --clean-runs "$clean_runs" --incremental-runs "$incremental_runs" --keep-target-dirs -q --format json)

run_timewarp() {
  local out=$1 start end
  start=$(date +%s.%N)
  "$timewarp" timewarp "${common[@]}" > "$out"
  end=$(date +%s.%N)
  python3 -c "print($end - $start)" > "$out.wall"
}

echo "fixture $fixture, $clean_runs clean + $incremental_runs incremental runs, $(nproc) cores" >&2
# timewarp, hyperfine, timewarp: a machine that drifts over the minutes affects both timers alike.
run_timewarp "$scratch/first.json"

# hyperfine on the same builds, toolchain by toolchain.
touched=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['touched_file'])" "$scratch/first.json")
python3 - "$scratch/first.json" > "$scratch/rows.txt" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
for row in report["toolchains"]:
    if row["status"] == "ok":
        print(row["name"], row["version"])
EOF
while read -r name version; do
  target="$PWD/target/timewarp/$version"
  rustc=$(rustup which --toolchain "$name" rustc)
  build=(cargo "+$name" build --offline --locked --color never --manifest-path "$PWD/Cargo.toml" --target-dir "$target")
  vendor_config="$PWD/target/timewarp/vendor-config.toml"
  [ -f "$vendor_config" ] && build+=(--config "$vendor_config")
  (
    unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN RUSTDOC CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
    export RUSTC="$rustc" RUSTC_WRAPPER="" RUSTC_WORKSPACE_WRAPPER=""
    hyperfine --shell=none --style none --runs "$clean_runs" --prepare "rm -rf $target" \
      --export-json "$scratch/hf-clean-$version.json" "${build[*]}" >/dev/null
    "${build[@]}" >/dev/null 2>&1
    hyperfine --shell=none --style none --runs "$incremental_runs" --prepare "touch $PWD/$touched" \
      --export-json "$scratch/hf-incr-$version.json" "${build[*]}" >/dev/null
  )
done < "$scratch/rows.txt"

run_timewarp "$scratch/second.json"

list_json="$scratch/hf-list.json"
hyperfine --shell=none --style none --warmup 2 --runs 20 --export-json "$list_json" "$timewarp timewarp --list -q" >/dev/null

python3 - "$scratch" <<'EOF'
import json, os, statistics, sys
d = sys.argv[1]
first = json.load(open(f"{d}/first.json"))
second = json.load(open(f"{d}/second.json"))
def median(row, key):
    return row[key]["median_s"] if row.get(key) else None
print(f"{'toolchain':<10} {'scenario':<12} {'timewarp':>10} {'hyperfine':>10} {'tw/hf':>7} {'run2/run1':>9}")
print("(timewarp: the mean of its two runs' medians, taken before and after hyperfine's)")
for row in first["toolchains"]:
    if row["status"] != "ok":
        print(f"{row['name']:<10} failed: {row['error']}")
        continue
    again = next(r for r in second["toolchains"] if r["name"] == row["name"])
    for key, tag in (("clean", "clean"), ("incremental", "incr")):
        hf = json.load(open(f"{d}/hf-{tag}-{row['version']}.json"))["results"][0]["median"]
        tw1, tw2 = median(row, key), median(again, key)
        tw = (tw1 + tw2) / 2
        print(f"{row['name']:<10} {key:<12} {tw:>9.3f}s {hf:>9.3f}s {tw / hf:>7.3f} {tw2 / tw1:>9.3f}")
for name, report in (("first", first), ("second", second)):
    wall = float(open(f"{d}/{name}.json.wall").read())
    builds = sum(sum(r[k]["runs_s"]) for r in report["toolchains"] if r["status"] == "ok" for k in ("clean", "incremental"))
    overhead = wall - builds
    print(f"{name} run: {wall:.2f} s in all, {builds:.2f} s in timed builds, overhead {overhead:.2f} s "
          f"({100 * overhead / wall:.1f}% of the run; target under 1 s + 2%)")
lst = json.load(open(f"{d}/hf-list.json"))["results"][0]
installed = len(json.load(open(f"{d}/first.json"))["toolchains"]) + len(first["skipped"])
print(f"cargo timewarp --list with {installed} toolchains: median {lst['median'] * 1000:.0f} ms (target under 500 ms)")
EOF
