#!/usr/bin/env bash
# Installs everything Matchbook needs on a fresh Debian 12 machine: the system packages for
# Tauri/WebKitGTK, the headless display and WebDriver used by the end-to-end tests, tauri-driver,
# and the UI's npm dependencies. Idempotent: re-running skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file libssl-dev
      libayatana-appindicator3-dev librsvg2-dev libgtk-3-dev libxdo-dev pkg-config
      xvfb xauth dbus-x11 at-spi2-core imagemagick webkit2gtk-driver x11-utils xdotool
      python3 python3-venv
      debootstrap   # the package test installs the .deb into a fresh Debian root
      postgresql)   # the from-sql tests start a real server of their own (tests/pgtest)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver@2.1.0 --locked --quiet
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing UI dependencies"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
# Cognite's Python SDK, for the test that drives the entity-matching API with it.
venv=target/cognite-venv
if [ ! -x "$venv/bin/python" ] || [ tests/cognite/requirements.txt -nt "$venv/.installed" ]; then
  echo "setup: installing Cognite's Python SDK into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/cognite/requirements.txt
  touch "$venv/.installed"
fi

# --- OpenAPI tools (crates/api/tests/openapi_valid.rs, openapi_client.rs) ---------------------
# openapi-spec-validator checks /v1/openapi.json; openapi-python-client generates the client that
# tests/openapi/client_workflow.py drives. Pinned in tests/openapi/requirements.txt; a venv of
# their own, so their dependencies never meet the Cognite SDK's.
openapi_venv=target/openapi-venv
if [ ! -x "$openapi_venv/bin/python" ] || [ tests/openapi/requirements.txt -nt "$openapi_venv/.installed" ]; then
  echo "setup: installing the OpenAPI validator and client generator into $openapi_venv"
  python3 -m venv "$openapi_venv"
  "$openapi_venv/bin/pip" install --quiet --disable-pip-version-check -r tests/openapi/requirements.txt
  touch "$openapi_venv/.installed"
fi
# --- end of the OpenAPI tools ------------------------------------------------------------------
echo "setup: done"
