#!/usr/bin/env bash
# Pastes the current `cargo timewarp --help` into docs/reference.md's help block, which the test
# `errors::the_reference_shows_the_current_help` holds equal to the binary's.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
help=$(cd "$(mktemp -d)" && env -u COLUMNS NO_COLOR=1 "$OLDPWD/target/debug/cargo-timewarp" timewarp --help)
HELP="$help" python3 - <<'PY'
import os, re
path = "docs/reference.md"
text = open(path).read()
start, end = "<!-- help-start -->\n```text\n", "```\n<!-- help-end -->"
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + start + os.environ["HELP"] + "\n" + end + tail)
PY
