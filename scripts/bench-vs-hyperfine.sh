#!/usr/bin/env bash
# Checks timewarp's numbers against an independent timer, on a copy of a fixture. The machine
# drifts (the same incremental build took 94 ms and, two minutes later, 130 ms), so the two
# timers take turns, round by round: one `cargo timewarp` run, then hyperfine on the same builds
# of every toolchain, repeated. Per toolchain and scenario it prints the medians and the median
# of the paired ratios (timewarp / hyperfine, one per round), against two hyperfine commands:
#   same:  exactly the command timewarp times (the toolchain's own cargo, its environment, the
#          private CARGO_HOME, the same target directory): the two stopwatches should agree;
#   proxy: `cargo +NAME build`, through rustup's proxy, as a user would type it: timewarp leaves
#          the proxy out of the timed interval, so it should be faster by the proxy's cost.
#   wrapped: the `same` clean build with timewarp itself as RUSTC_WRAPPER, as `--crates` runs
#          its per-crate build: the wrapper's cost, which `--crates` reports as "vs clean".
# Like timewarp, hyperfine does an untimed rebuild before timing the touched ones (--warmup 1), and
# empties the target directory for a clean build but keeps timewarp's CACHEDIR.TAG in it (timewarp
# deletes only directories that carry its mark).
# Also reports timewarp's overhead (its wall time minus the timed builds it reports: discovery,
# preparation, the compiler warm-up and the untimed first rebuild) and times `--list`.
#
# Usage: scripts/bench-vs-hyperfine.sh [FIXTURE] [CLEAN_RUNS] [TOUCHED_RUNS] [TOOLCHAINS] [ROUNDS]
#   defaults: virtual-ws 3 10 "every installed stable toolchain --all selects" 3
# Needs: hyperfine (Debian: apt-get install hyperfine) and python3. Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

fixture=${1:-virtual-ws}
clean_runs=${2:-3}
touched_runs=${3:-10}
toolchains=${4:-}
rounds=${5:-3}

command -v hyperfine >/dev/null || { echo "error: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --locked --quiet
timewarp="$PWD/target/release/cargo-timewarp"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "fixtures/$fixture" "$scratch/ws"
cd "$scratch/ws"
export XDG_CACHE_HOME="$scratch/cache"

select_args=(--all)
[ -n "$toolchains" ] && select_args=(--toolchains "$toolchains")
common=("${select_args[@]}" --clean-runs "$clean_runs" --incremental-runs "$touched_runs" --keep-target-dirs -q --format json)

echo "fixture $fixture, $rounds rounds of $clean_runs clean + $touched_runs touched builds per toolchain and timer, $(nproc) cores" >&2
for round in $(seq 1 "$rounds"); do
  start=$(date +%s.%N)
  "$timewarp" timewarp "${common[@]}" > "$scratch/tw-$round.json"
  end=$(date +%s.%N)
  python3 -c "print($end - $start)" > "$scratch/tw-$round.wall"

  touched=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['touched_file'])" "$scratch/tw-$round.json")
  python3 - "$scratch/tw-$round.json" > "$scratch/rows.txt" <<'EOF'
import json, sys
for row in json.load(open(sys.argv[1]))["toolchains"]:
    if row["status"] == "ok":
        print(row["name"], row["version"], row["target_dir"])
EOF
  while read -r name version target; do
    rustc=$(rustup which --toolchain "$name" rustc)
    bin=$(dirname "$rustc")
    args=(build --offline --locked --color never --manifest-path "$PWD/Cargo.toml" --target-dir "$target")
    minor=$(echo "$version" | cut -d. -f2)
    (
      unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN RUSTDOC CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
      export CARGO_HOME="$PWD/target/timewarp/cargo-home" RUSTC_WRAPPER=""
      [ "$minor" -ge 55 ] && export RUSTC_WORKSPACE_WRAPPER=""
      for flavour in same proxy; do
        if [ "$flavour" = same ]; then
          cmd="env PATH=$bin:$PATH LD_LIBRARY_PATH=$(dirname "$bin")/lib RUSTUP_TOOLCHAIN=$name RUSTC=$rustc $bin/cargo ${args[*]}"
        else
          cmd="env RUSTC=$rustc cargo +$name ${args[*]}"
        fi
        hyperfine --shell=none --style none --runs "$clean_runs" --prepare "find $target -mindepth 1 -maxdepth 1 ! -name CACHEDIR.TAG -exec rm -rf {} +" \
          --export-json "$scratch/hf-$flavour-clean-$version-$round.json" "$cmd" >/dev/null
        hyperfine --shell=none --style none --warmup 1 --runs "$touched_runs" --prepare "touch $PWD/$touched" \
          --export-json "$scratch/hf-$flavour-touched-$version-$round.json" "$cmd" >/dev/null
        if [ "$flavour" = same ]; then
          log="$scratch/wrapper.log"
          hyperfine --shell=none --style none --runs "$clean_runs" --prepare "find $target -mindepth 1 -maxdepth 1 ! -name CACHEDIR.TAG -exec rm -rf {} +" \
            --export-json "$scratch/hf-wrapped-clean-$version-$round.json" \
            "env RUSTC_WRAPPER=$timewarp TIMEWARP_WRAPPER_LOG=$log ${cmd#env }" >/dev/null
        fi
      done
    )
  done < "$scratch/rows.txt"
done

hyperfine --shell=none --style none --warmup 2 --runs 20 --export-json "$scratch/hf-list.json" \
  "$timewarp timewarp --list -q" >/dev/null

python3 - "$scratch" "$rounds" <<'EOF'
import json, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
reports = [json.load(open(f"{d}/tw-{r}.json")) for r in range(1, rounds + 1)]
def hf(flavour, scenario, version, r):
    return json.load(open(f"{d}/hf-{flavour}-{scenario}-{version}-{r}.json"))["results"][0]["median"]
print(f"{'toolchain':<10} {'scenario':<8} {'timewarp':>9} {'hf same':>9} {'tw/same':>8} {'hf proxy':>9} {'tw/proxy':>9} {'wrapped/same':>13}")
print(f"(medians over {rounds} rounds; the ratios are the medians of the {rounds} paired per-round ratios)")
for row in reports[0]["toolchains"]:
    if row["status"] != "ok":
        print(f"{row['name']:<10} failed: {row['error'].splitlines()[0]}")
        continue
    for scenario in ("clean", "touched"):
        tw = [next(x for x in rep["toolchains"] if x["name"] == row["name"])["scenarios"][scenario]["wall"]["median_s"]
              for rep in reports]
        same = [hf("same", scenario, row["version"], r) for r in range(1, rounds + 1)]
        proxy = [hf("proxy", scenario, row["version"], r) for r in range(1, rounds + 1)]
        ratio = lambda a, b: statistics.median(x / y for x, y in zip(a, b))
        wrapped = ""
        if scenario == "clean":
            wrapped = f"{ratio([hf('wrapped', scenario, row['version'], r) for r in range(1, rounds + 1)], same):>13.3f}"
        print(f"{row['name']:<10} {scenario:<8} {statistics.median(tw):>8.3f}s {statistics.median(same):>8.3f}s "
              f"{ratio(tw, same):>8.3f} {statistics.median(proxy):>8.3f}s {ratio(tw, proxy):>9.3f} {wrapped}")
for r, report in enumerate(reports, 1):
    wall = float(open(f"{d}/tw-{r}.wall").read())
    builds = sum(sum(f["wall"]["runs_s"]) for row in report["toolchains"] if row["status"] == "ok"
                 for f in row["scenarios"].values())
    overhead = wall - builds
    print(f"round {r}: {wall:.2f} s in all, {builds:.2f} s in timed builds, overhead {overhead:.2f} s "
          f"({100 * overhead / wall:.1f}%: discovery, preparation, warm-up, the untimed first rebuilds)")
lst = json.load(open(f"{d}/hf-list.json"))["results"][0]
installed = len(reports[0]["toolchains"]) + len(reports[0]["skipped"])
print(f"cargo timewarp --list with {installed} toolchains: median {lst['median'] * 1000:.0f} ms (target under 500 ms)")
EOF
