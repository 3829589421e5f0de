#!/usr/bin/env bash
# Times the app's start and reads its idle memory, for docs/PERFORMANCE.md: the release binary (or
# the one given) under Xvfb on the demo workspace (seeded by a first, untimed start). Start time is
# from the process's first instruction to the window's first request for its screen's data
# (src-tauri/src/startup.rs), five times, with the page cache dropped before each where the
# machine allows it (a cold start). Idle memory is the resident set of the app and its WebKit
# processes 10 s after the window is up.
#
#   bash scripts/measure-start.sh [path/to/matchbook]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${1:-target/release/matchbook}")"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
ws="$dir/demo.sqlite"
export HOME="$dir/home" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data"
mkdir -p "$HOME"

# The first start seeds the demo in the background; give it time, then close it.
timeout 40 xvfb-run -a "$bin" --workspace "$ws" --demo > /dev/null 2>&1 || true
for i in 1 2 3 4 5; do
  sync
  cold="warm"
  if echo 3 > /proc/sys/vm/drop_caches 2> /dev/null; then cold="cold"; fi
  ms="$(MATCHBOOK_STARTUP_PROBE=1 xvfb-run -a "$bin" --workspace "$ws" | sed -n 's/^startup_ms //p')"
  echo "start $i ($cold page cache): $ms ms"
done

xvfb-run -a "$bin" --workspace "$ws" > /dev/null 2>&1 &
runner=$!
sleep 12
app="$(pgrep -f "^$bin --workspace $ws" | head -1)"
# Resident memory split as the kernel counts it: anonymous and shared memory are the process's
# own; file pages are the binary and shared libraries mapped in (shared with other programs and
# dropped first under pressure).
mem() { awk -v k="$2" '$1 == k":" {print int($2 / 1024)}' "/proc/$1/status"; }
own_total=0
rss_total=0
for p in $app $(pgrep -P "$app"); do
  own=$(( $(mem "$p" RssAnon) + $(mem "$p" RssShmem) ))
  own_total=$(( own_total + own ))
  rss_total=$(( rss_total + $(mem "$p" VmRSS) ))
  echo "  $(ps -o comm= -p "$p"): resident $(mem "$p" VmRSS) MiB, of which its own $own MiB and mapped files $(mem "$p" RssFile) MiB"
done
echo "idle memory, app and WebKit processes: resident $rss_total MiB, of which their own $own_total MiB"
kill "$app" 2> /dev/null || true
pkill -f "^$bin --workspace $ws" 2> /dev/null || true
wait "$runner" 2> /dev/null || true
