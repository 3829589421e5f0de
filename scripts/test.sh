#!/usr/bin/env bash
# Runs every test of Matchbook: UI type check and unit tests, the Rust unit and integration tests,
# and the end-to-end test of the real app window under Xvfb through WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
# Both README commands build alike whatever the shell sets: cargo fingerprints incremental
# builds apart, so a difference here alone would rebuild the workspace's crates.
export CARGO_INCREMENTAL=0

bash scripts/setup-debian.sh

echo "== crate dependency rules (docs/ARCHITECTURE.md)"
python3 scripts/check-deps.py

echo "== UI: type check, unit tests, build"
(cd ui && npm run --silent typecheck && npm test --silent && npm run --silent build)

echo "== Rust: unit, integration and end-to-end tests"
# One cargo invocation builds the app binary and every test with one feature set, so nothing
# is compiled twice; the e2e test drives that binary.
cargo test --workspace --locked

echo "== end-to-end tests, second and third time in a row"
# A window test that passes only sometimes is a bug (a race the user would hit too): the suite
# must pass three times in a row. Nothing is rebuilt; each round takes under a minute.
for round in 2 3; do
  echo "-- round $round"
  cargo test --locked -p e2e
done

echo "== Debian package: offline release build, apt install into a fresh Debian 12, run it there"
# Last, as the slowest: the release build (~13 min on 2 cores) and a debootstrap root (~3 min).
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
bash scripts/package-deb.sh
$SUDO bash scripts/test-deb.sh
