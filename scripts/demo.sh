#!/usr/bin/env bash
# Installs what Matchbook needs, builds it, and opens the app on the demo workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
(cd ui && npm run --silent build)
cargo build --locked
exec ./target/debug/matchbook --demo "$@"
