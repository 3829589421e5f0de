#!/usr/bin/env bash
# Installs the built Debian package into a fresh Debian 12 (a minimal debootstrap root this script
# makes and removes) with `apt install ./matchbook_*.deb`, as a user would, so that its declared
# dependencies are what apt resolves and nothing of the build machine leaks in; then checks the
# desktop entry and the icon, and runs the installed `matchbook`: --version, and a command-line
# import + config + run on the repository's fixtures. Run as root (chroot, mount).
#
#   bash scripts/test-deb.sh [path/to/matchbook_VERSION_amd64.deb]
set -euo pipefail
cd "$(dirname "$0")/.."

deb="${1:-$(ls target/release/bundle/deb/matchbook_*_amd64.deb 2>/dev/null | head -1)}"
if [[ ! -f "$deb" ]]; then
  echo "no package: build it first with scripts/package-deb.sh" >&2
  exit 1
fi
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/matchbook-deb-root.XXXXXX)"
cleanup() {
  umount -l "$root/proc" 2>/dev/null || true
  umount -l "$root/dev" 2>/dev/null || true
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

started=$(date +%s)
echo "== a fresh Debian 12 in $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1 \
  || { tail -20 "$root.log"; exit 1; }
rm -f "$root.log"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Services a dependency would start stay stopped: there is no init in a chroot.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

echo "== apt install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
# The chroot has no `_apt` sandbox user set up for downloads; root fetches, as apt would warn.
in_root apt-get -o APT::Sandbox::User=root update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq \
  "/tmp/$(basename "$deb")" > "$root/tmp/apt.log" 2>&1 || { tail -30 "$root/tmp/apt.log"; exit 1; }
echo "installed in $(( $(date +%s) - started )) s (Debian root and dependencies included)"

echo "== desktop menu entry and icon"
entry="$root/usr/share/applications/Matchbook.desktop"
grep -q '^Categories=.*Finance' "$entry" || { echo "no Finance category in $entry" >&2; exit 1; }
grep -q '^Exec=matchbook' "$entry" || { echo "no Exec=matchbook in $entry" >&2; exit 1; }
grep -q '^Icon=matchbook' "$entry" || { echo "no Icon=matchbook in $entry" >&2; exit 1; }
ls "$root"/usr/share/icons/hicolor/*/apps/matchbook.png > /dev/null

echo "== matchbook --version"
version="$(in_root matchbook --version)"
expected="matchbook $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
[[ "$version" == "$expected" ]] || { echo "got '$version', expected '$expected'" >&2; exit 1; }
echo "$version"

echo "== a command-line import, config and run with the installed matchbook"
mkdir -p "$root/tmp/work"
cp tests/fixtures/pos_small.csv tests/fixtures/invoices_small.csv docs/configs/invoices-to-pos.toml \
  "$root/tmp/work/"
mb() { in_root matchbook --workspace /tmp/work/w.sqlite "$@"; }
field() { sed -n "s/^$1  *//p" | head -1; }
reference="$(mb import --kind reference --id-column po_id /tmp/work/pos_small.csv | field dataset)"
documents="$(mb import --kind documents /tmp/work/invoices_small.csv | field dataset)"
config="$(mb configs create /tmp/work/invoices-to-pos.toml --name "Invoices to POs" \
  --reference-data "$reference" --documents "$documents" | field config)"
run="$(mb run "$config" 2> /dev/null)"
echo "$run"
[[ "$(echo "$run" | field status)" == "completed" ]] || { echo "the run did not complete" >&2; exit 1; }
echo "package test passed in $(( $(date +%s) - started )) s"
