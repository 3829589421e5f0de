#!/usr/bin/env bash
# Evaluates the documented invoice-to-PO config on a data set with a truth file, through the real
# product path: import both CSVs into a fresh workspace, create the config, run it, score the run.
#   scripts/eval-invoices.sh DIR [CONFIG.json]
# DIR holds purchase_orders.csv (id po_id), invoices.csv (id document_id) and truth.csv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: scripts/eval-invoices.sh DIR [CONFIG.json]}
config=${2:-$root/docs/configs/invoices-to-pos.json}
cargo build --release --quiet -p matchbook-cli --manifest-path "$root/Cargo.toml"
cli=$root/target/release/matchbook-cli
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export MATCHBOOK_WORKSPACE=$tmp/workspace.sqlite
uuid='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
ref=$("$cli" import --kind reference --id-column po_id "$dir/purchase_orders.csv" | grep -oE "$uuid" | head -1)
doc=$("$cli" import --kind documents --id-column document_id "$dir/invoices.csv" | grep -oE "$uuid" | head -1)
python3 - "$config" "$ref" "$doc" > "$tmp/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(name="invoices to purchase orders", reference_data_id=sys.argv[2], document_set_id=sys.argv[3])
print(json.dumps(c))
PY
cfg=$("$cli" configs create "$tmp/config.json" | grep -oE "$uuid" | head -1)
run=$("$cli" run --no-progress "$cfg" | tee /dev/stderr | grep -oE "$uuid" | head -1)
"$cli" eval --run "$run" --truth "$dir/truth.csv"
