#!/usr/bin/env bash
# Installs what Matchbook needs, builds it, and opens the app on the demo workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
# Both README commands build alike whatever the shell sets: cargo fingerprints incremental
# builds apart, so a difference here alone would rebuild the workspace's crates.
export CARGO_INCREMENTAL=0

bash scripts/setup-debian.sh
(cd ui && npm run --silent build)
# The very cargo command scripts/test.sh runs (less the running): cargo resolves features per
# command, so this is what makes the two README commands share one build, whichever runs first.
cargo test --workspace --locked --no-run
exec ./target/debug/matchbook --demo "$@"
