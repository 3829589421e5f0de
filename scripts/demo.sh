#!/usr/bin/env bash
# Installs what Matchbook needs, builds it, and opens the app on the demo workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
(cd ui && npm run --silent build)
# The very cargo command scripts/test.sh runs (less the running): cargo resolves features per
# command, so this is what makes the two README commands share one build, whichever runs first.
cargo test --workspace --locked --no-run
exec ./target/debug/matchbook --demo "$@"
