#!/usr/bin/env bash
# Runs every test of Matchbook: UI type check and unit tests, the Rust unit and integration tests,
# and the end-to-end test of the real app window under Xvfb through WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

echo "== UI: type check, unit tests, build"
(cd ui && npm run --silent typecheck && npm test --silent && npm run --silent build)

echo "== Rust: unit, integration and end-to-end tests"
# One cargo invocation builds the app binary and every test with one feature set, so nothing
# is compiled twice; the e2e test drives that binary.
cargo test --workspace --locked
