#!/usr/bin/env bash
# Are the intervals honest? Runs the same history twice, back to back, and prints for every row
# and scenario whether the second run's point estimate lies inside the first run's 95% interval:
# of each speedup (the answer timewarp gives) and of each time. With honest intervals and a
# machine whose speed does not change between the two runs, a point falls outside about one time
# in ten or less (two estimates each with its own error; 95% is for the true value). Times are
# not paired across runs, so a machine that drifts between the two runs moves every time but
# leaves the speedups alone.
#
# Usage: scripts/bench-intervals.sh [PROJECT] [-- TIMEWARP_ARGS...]
#   PROJECT: a fixture name (default: old-msrv, which has a crates.io dependency) or a path to a
#            fetched project, which is copied first; TIMEWARP_ARGS go to both runs, for example
#            `-- --rev v0.18.3` or `-- --toolchains 1.85.0,1.96.0 --budget 10m`.
#        scripts/bench-intervals.sh --compare FIRST.json SECOND.json
#   compares two reports you ran yourself (`--format json`, or the `last-report.json` each run
#   leaves in `<target-dir>/timewarp/`).
# Needs: python3. Run it on an idle machine; nothing else should build meanwhile.
set -euo pipefail

compare() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
first, second = (json.load(open(f)) for f in sys.argv[1:3])
m = first["measurement"]
print(f"{len(first['toolchains'])} toolchains, {m['rounds']} and {second['measurement']['rounds']} rounds "
      f"({m['stopping']['rule']}), {first['cores']} cores, {first.get('cpu') or 'unknown CPU'}")
def rows(report):
    return {r["version"]: r for r in report["toolchains"] if r["status"] == "ok"}
counts = {"speedup": [0, 0], "time": [0, 0]}
print(f"{'toolchain':10} {'scenario':9} {'what':8} {'first run (95% interval)':>30} {'second':>9}  inside")
for version, a in rows(first).items():
    b = rows(second).get(version)
    if b is None:
        continue
    for scenario, fa in a["scenarios"].items():
        fb = b["scenarios"].get(scenario)
        if fb is None:
            continue
        for what, unit in (("speedup", "x"), ("time", " s")):
            ea, eb = fa.get(what), fb.get(what)
            if not ea or not eb:
                continue
            if ea.get("low") is None:
                print(f"{version:10} {scenario:9} {what:8} {ea['point']:>12.3f}{unit} (no interval) {eb['point']:>9.3f}  -")
                continue
            inside = ea["low"] <= eb["point"] <= ea["high"]
            counts[what][0] += inside
            counts[what][1] += 1
            interval = f"{ea['point']:.3f}{unit} ({ea['low']:.3f}-{ea['high']:.3f})"
            print(f"{version:10} {scenario:9} {what:8} {interval:>30} {eb['point']:>9.3f}  {'yes' if inside else 'NO'}")
for what, (inside, total) in counts.items():
    print(f"{what}s: the second run's point inside the first run's interval in {inside} of {total}")
EOF
}

if [ "${1:-}" = "--compare" ]; then
  compare "$2" "$3"
  exit
fi
cd "$(dirname "$0")/.."

project=${1:-old-msrv}
shift || true
[ "${1:-}" = "--" ] && shift
cargo build --release --locked --quiet
timewarp="$PWD/target/release/cargo-timewarp"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -d "fixtures/$project" ]; then
  cp -r "fixtures/$project" "$scratch/ws"
else
  cp -r "$project" "$scratch/ws"
fi
cd "$scratch/ws"
export XDG_CACHE_HOME="$scratch/cache"

for run in 1 2; do
  start=$(date +%s)
  "$timewarp" timewarp "$@" -q --format json -o "$scratch/run-$run.json"
  echo "run $run: $(( $(date +%s) - start )) s" >&2
done
compare "$scratch/run-1.json" "$scratch/run-2.json"
