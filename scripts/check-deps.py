#!/usr/bin/env python3
"""Fails when a crate depends on one it must not (docs/ARCHITECTURE.md, "Who may depend on whom").

Reads `cargo metadata` and follows every crate's normal and build dependencies transitively (a
dependency through another crate counts as much as a direct one); dev-dependencies are free, so a
crate's tests may use generated data or a real store.
    python3 scripts/check-deps.py
"""

import json
import subprocess
import sys

# Crate -> crates it must never reach. Workspace crates by package name; "tauri" and "axum" stand
# for the window and HTTP, which only the shells may pull in.
FORBIDDEN = {
    "engine": {"import", "sqlsource", "datagen", "store", "service", "api", "matchbook-cli",
               "matchbook", "tauri", "axum", "rusqlite", "postgres"},
    "import": {"datagen", "store", "service", "api", "matchbook-cli", "matchbook", "tauri", "axum",
               "rusqlite"},
    "sqlsource": {"import", "datagen", "store", "service", "api", "matchbook-cli", "matchbook",
                  "tauri", "axum", "rusqlite"},
    "datagen": {"store", "service", "api", "matchbook-cli", "matchbook", "tauri", "axum",
                "rusqlite"},
    "store": {"import", "sqlsource", "datagen", "service", "api", "matchbook-cli", "matchbook", "tauri", "axum"},
    "service": {"api", "matchbook-cli", "matchbook", "tauri", "axum"},
    "api": {"matchbook-cli", "matchbook", "tauri"},
    "matchbook-cli": {"matchbook", "tauri"},
}


def main() -> int:
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True, capture_output=True, text=True).stdout)
    name_of = {p["id"]: p["name"] for p in meta["packages"]}
    # Normal and build edges only: dep_kinds lists how each dependency is used.
    edges = {}
    for node in meta["resolve"]["nodes"]:
        edges[node["id"]] = [
            d["pkg"] for d in node["deps"]
            if any(k["kind"] in (None, "build") for k in d["dep_kinds"])
        ]
    by_name = {}
    for pid, name in name_of.items():
        if any(p["id"] == pid and p["source"] is None for p in meta["packages"]):
            by_name[name] = pid

    failures = []
    for crate, forbidden in FORBIDDEN.items():
        if crate not in by_name:
            failures.append(f"{crate}: no such workspace crate (update scripts/check-deps.py)")
            continue
        # Depth-first walk keeping the path, so the message shows how the dependency comes in.
        seen = set()
        stack = [(by_name[crate], [crate])]
        while stack:
            pid, path = stack.pop()
            for dep in edges.get(pid, []):
                if dep in seen:
                    continue
                seen.add(dep)
                dep_path = path + [name_of[dep]]
                if name_of[dep] in forbidden:
                    failures.append(" -> ".join(dep_path))
                stack.append((dep, dep_path))
    if failures:
        print("crates depend on what they must not (see docs/ARCHITECTURE.md):", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    print(f"dependency rules hold for {len(FORBIDDEN)} crates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
