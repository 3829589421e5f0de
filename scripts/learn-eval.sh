#!/usr/bin/env bash
# Issue 14's measurement from two CSV files only, through the real product path (the release CLI on
# a fresh workspace): import both, learn a strategy (no config, no labels), make a config from it,
# smart-run it and score the run against the truth. Then a simulated reviewer decides 50 results of
# the review band from the truth; the next smart run learns from those decisions (scored again,
# band again); and ai-resolve settles what it can of the band that is left (share settled, share
# right). Prints the mapping found and a table of the numbers with the time of each step.
#   scripts/learn-eval.sh REF.csv REF_ID DOCS.csv DOC_ID TRUTH.csv [PROMPT]
# TRUTH.csv: a header, then document id, true reference row id (empty: no true match).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 5 ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
cargo build --release --quiet -p matchbook-cli --manifest-path "$root/Cargo.toml"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
MATCHBOOK_WORKSPACE=$tmp/workspace.sqlite python3 "$root/scripts/learn_eval.py" \
  "$root/target/release/matchbook-cli" "$@"
