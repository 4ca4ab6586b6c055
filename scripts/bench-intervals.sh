#!/usr/bin/env bash
# Are the intervals honest? Runs the same history twice, back to back, and prints for every row
# and scenario, of each speedup (the answer timewarp gives) and of each time:
#   - inside: whether the second run's point estimate lies inside the first run's 95% interval.
#     Both points carry their own error, so even honest intervals hold the other run's point
#     only about 83% of the time when the runs are alike (|Z| < 1.96/sqrt(2)), not 95%;
#   - agree: whether the two points differ by less than the 95% interval of their difference
#     (half-widths combined as sqrt(a^2 + b^2) on the log scale). With honest intervals this
#     holds about 95% of the time: the calibration check proper.
# Times are not paired across runs, so a machine that drifts between the two runs moves every
# time but leaves the speedups alone.
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
import json, math, sys
first, second = (json.load(open(f)) for f in sys.argv[1:3])
m = first["measurement"]
print(f"{len(first['toolchains'])} toolchains, {m['rounds']} and {second['measurement']['rounds']} rounds "
      f"({m['stopping']['rule']}), {first['cores']} cores, {first.get('cpu') or 'unknown CPU'}")
def rows(report):
    return {r["version"]: r for r in report["toolchains"] if r["status"] == "ok"}
counts = {"speedup": [0, 0, 0], "time": [0, 0, 0]}
def half(e):
    return math.log(e["high"] / e["low"]) / 2
print(f"{'toolchain':10} {'scenario':9} {'what':8} {'first run (95% interval)':>30} {'second':>9}  inside  agree")
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
            agree = eb.get("low") is not None and abs(math.log(eb["point"] / ea["point"])) <= math.hypot(half(ea), half(eb))
            counts[what][0] += inside
            counts[what][1] += agree
            counts[what][2] += 1
            interval = f"{ea['point']:.3f}{unit} ({ea['low']:.3f}-{ea['high']:.3f})"
            print(f"{version:10} {scenario:9} {what:8} {interval:>30} {eb['point']:>9.3f}  {'yes' if inside else 'NO':6}  {'yes' if agree else 'NO'}")
for what, (inside, agree, total) in counts.items():
    print(f"{what}s: the second run's point inside the first run's interval in {inside} of {total} (honest: about 83%); "
          f"the two runs agree within the interval of their difference in {agree} of {total} (honest: about 95%)")
EOF
}

if [ "${1:-}" = "--compare" ]; then
  compare "$2" "$3"
  exit
fi
cd "$(dirname "$0")/.."

project=${1:-old-msrv}
results="$PWD/target/bench-intervals"
mkdir -p "$results"
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
name=$(basename "$project")
cp "$scratch/run-1.json" "$results/$name-run-1.json"
cp "$scratch/run-2.json" "$results/$name-run-2.json"
echo "kept the two reports in $results/$name-run-{1,2}.json (rerun the comparison with --compare)" >&2
compare "$results/$name-run-1.json" "$results/$name-run-2.json"
