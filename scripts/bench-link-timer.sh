#!/usr/bin/env bash
# What does the link timer cost? Runs the same measurement with the timer (the default) and
# without it (`--no-link-time`), taking turns pair by pair (the order alternates, so a drifting
# machine favours neither), and prints per scenario the ratio of the two runs' times (with
# timer / without) in each pair, their geometric mean with a 95% t interval, and how many links
# and how much link time the timed runs saw. A ratio of 1.00 means the timer costs nothing
# measurable; the timer adds one process start to every link and to every C compiler run of a
# build script (the `cc` crate finds `cc` on PATH), which a project with many C files shows most.
#
# Usage: scripts/bench-link-timer.sh [PROJECT] [PAIRS] [-- TIMEWARP_ARGS...]
#   PROJECT: a fixture name (default: build-script, whose build script compiles a C file with
#            TIMEWARP_PROBE_CC=1) or a path to a fetched project (used in place, never changed);
#   PAIRS:   how many pairs of runs (default: 5);
#   TIMEWARP_ARGS go to every run, for example `-- --rev v0.10.1 --scenarios clean,touched`.
#            Default: `--toolchains stable --scenarios clean,touched --runs 3`.
# Needs: python3. Run it on an idle machine; nothing else should build meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."

project=build-script
pairs=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then project=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then pairs=$1; shift; fi
[ "${1:-}" = "--" ] && shift
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--toolchains stable --scenarios clean,touched --runs 3)

cargo build --release --locked --quiet
timewarp="$PWD/target/release/cargo-timewarp"
results="$PWD/target/bench-link-timer"
rm -rf "$results" && mkdir -p "$results"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -d "fixtures/$project" ]; then
  cp -r "fixtures/$project" "$scratch/ws"
  ws="$scratch/ws"
else
  ws="$project"
fi
export XDG_CACHE_HOME="$scratch/cache" TIMEWARP_PROBE_CC=1

for pair in $(seq 1 "$pairs"); do
  order=(with without)
  [ $((pair % 2)) -eq 0 ] && order=(without with)
  for mode in "${order[@]}"; do
    extra=()
    [ "$mode" = without ] && extra=(--no-link-time)
    (cd "$ws" && "$timewarp" timewarp "${args[@]}" "${extra[@]}" -q --format json -o "$results/$mode-$pair.json")
  done
  echo "pair $pair of $pairs done" >&2
done

python3 - "$results" "$pairs" <<'EOF'
import json, math, sys
results, pairs = sys.argv[1], int(sys.argv[2])
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}
def load(mode, i):
    return json.load(open(f"{results}/{mode}-{i}.json"))
first = load("with", 1)
print(f"{first['workspace']}: {pairs} pairs of runs, {first['cores']} cores, {first.get('cpu') or 'unknown CPU'}")
rows = [r["version"] for r in first["toolchains"] if r["status"] == "ok"]
print(f"{'toolchain':10} {'scenario':14} {'with/without per pair':40} {'mean (95% interval)':>24}  links  link s")
for version in rows:
    for scenario in first["measurement"]["scenarios"]:
        ratios, links, seconds = [], [], []
        for i in range(1, pairs + 1):
            row = lambda mode: next(r for r in load(mode, i)["toolchains"] if r["version"] == version)
            a, b = row("with")["scenarios"].get(scenario), row("without")["scenarios"].get(scenario)
            if not a or not b:
                continue
            ratios.append(a["time"]["point"] / b["time"]["point"])
            if a.get("link"):
                links.append(a["link"]["runs"])
                seconds.append(a["link"]["time"]["point"])
        if not ratios:
            continue
        logs = [math.log(r) for r in ratios]
        mean = sum(logs) / len(logs)
        if len(logs) > 1:
            sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (len(logs) - 1))
            half = T975.get(len(logs) - 1, 1.96) * sd / math.sqrt(len(logs))
            interval = f"{math.exp(mean):.3f} ({math.exp(mean - half):.3f}-{math.exp(mean + half):.3f})"
        else:
            interval = f"{math.exp(mean):.3f} (one pair)"
        per_pair = " ".join(f"{r:.3f}" for r in ratios)
        link_runs = f"{sorted(links)[len(links) // 2]}" if links else "-"
        link_s = f"{sorted(seconds)[len(seconds) // 2]:.3f}" if seconds else "-"
        print(f"{version:10} {scenario:14} {per_pair:40} {interval:>24}  {link_runs:>5}  {link_s:>6}")
print("ratio: the run with the link timer over the run without it, by each run's typical time; the reports are in", results)
EOF
