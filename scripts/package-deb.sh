#!/usr/bin/env bash
# Builds the Debian package of Matchbook offline (Tauri's deb bundle of a release build; nothing is
# downloaded: the deb bundler needs no tool from the network) into
# target/release/bundle/deb/matchbook_VERSION_amd64.deb. Run scripts/setup-debian.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."

(cd ui && npm run --silent build)
# Only the app package: the default members include the benchmarks and the CLI-only build.
ui/node_modules/.bin/tauri build --bundles deb --ci -- --locked -p matchbook
cd target/release/bundle/deb
# Tauri names the file after the product ("Matchbook_..."); apt users expect the package's name.
for f in Matchbook_*_amd64.deb; do
  [[ -e "$f" ]] && mv -f "$f" "matchbook_${f#Matchbook_}"
done
ls -l matchbook_*_amd64.deb
