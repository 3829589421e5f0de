"""Drives the CLI for scripts/learn-eval.sh (see there): every step is a real command on the
workspace named by MATCHBOOK_WORKSPACE, timed; the simulated reviewer reads the truth file."""

import csv
import json
import re
import subprocess
import sys
import time

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REVIEWED = 50


def cli(*args):
    """Runs the CLI; returns (stdout, seconds)."""
    t = time.monotonic()
    out = subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout
    return out, time.monotonic() - t


def cli_json(*args):
    out, took = cli(*args, "--json")
    return json.loads(out), took


def first_id(text):
    return UUID.search(text).group(0)


def truth_of(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return {r[0]: (r[1] if len(r) > 1 else "") for r in rows[1:] if r}


def results(run_id, *filters):
    out, page = [], 1
    while True:
        p, _ = cli_json("results", run_id, "--limit", "500", "--page", str(page), *filters)
        out.extend(p["data"])
        if len(p["data"]) < 500:
            return out
        page += 1


def score(run_id):
    e, _ = cli_json("eval", "--run", run_id, "--truth", TRUTH)
    return e["top1"]


def band(run_id):
    s, _ = cli_json("summary", run_id)
    floor, threshold = s["review_floor"], s["threshold"]
    pending = results(run_id, "--status", "pending", "--min", str(floor), "--max", str(threshold))
    return [r for r in pending if r["confidence"] < threshold], s


def decide(run_id, result, truth):
    """The simulated reviewer: approves the best candidate when it is the true row, else rejects."""
    best = result["candidates"][0]["reference_row_id"] if result["candidates"] else ""
    verdict = "--approve" if truth.get(result["document_id"], "") == best and best else "--reject"
    cli("review", run_id, result["id"], verdict, "--note", "simulated reviewer")


def suggestion_right(result, truth):
    s = result["suggestion"]
    true_row = truth.get(result["document_id"], "")
    if s["status"] == "approved":
        return s.get("reference_row_id") == true_row
    best = result["candidates"][0]["reference_row_id"] if result["candidates"] else ""
    return best != true_row


def resolve(run_id, truth):
    """ai-resolve on a run: (results given a suggestion, of which right, seconds)."""
    _, took = cli_json("ai-resolve", "--no-progress", run_id)
    settled = [r for r in results(run_id, "--status", "pending") if r.get("suggestion")]
    return len(settled), sum(suggestion_right(r, truth) for r in settled), took, remembered(settled)


def remembered(settled):
    """How many suggestions repeat a pair a reviewer approved in an earlier run (not learned)."""
    return sum("approved this document with this row" in r["suggestion"]["reason"]
               for r in settled)


def main():
    global CLI, TRUTH
    CLI, ref, ref_id, docs, doc_id, TRUTH = sys.argv[1:7]
    prompt = sys.argv[7] if len(sys.argv) > 7 else None
    truth = truth_of(TRUTH)
    rows = []

    out, t_ref = cli("import", "--kind", "reference", "--id-column", ref_id, ref)
    reference = first_id(out)
    out, t_doc = cli("import", "--kind", "documents", "--id-column", doc_id, docs)
    documents = first_id(out)
    rows.append(("import reference + documents", f"{t_ref + t_doc:.2f} s", ""))

    generate = ["strategies", "generate", "--reference-data", reference, "--target-type", "run",
                "--documents", documents]
    if prompt:
        generate += ["--prompt", prompt]
    strategy, t_gen = cli_json(*generate)
    plan = strategy["strategy"]
    rows.append(("strategy generation", f"{t_gen:.2f} s", f"threshold {plan['threshold']}, "
                 f"review floor {plan['thresholds']['review_floor']}, one-to-one {plan['one_to_one']}"))
    print("mapping found:")
    for m in plan["field_mappings"]:
        print(f"  {m['source']:>20} -> {m['target']:<20} {m['strategy']:<13} "
              f"weight {m['weight']:.3f}  {m.get('rationale') or ''}")

    out, _ = cli("strategies", "to-config", strategy["id"], "--name", "learned")
    config = first_id(out.split("config", 1)[1])

    plain, t_plain = cli_json("run", "--no-progress", config)
    s = score(plain["id"])
    rows.append(("run of the learned config", f"{t_plain:.2f} s",
                 f"F1 {s['f1']:.4f} (P {s['precision']:.4f}, R {s['recall']:.4f})"))

    smart, t_smart = cli_json("smart-run", "--no-progress", config, "--strategy", strategy["id"])
    s = score(smart["id"])
    first_band, summary = band(smart["id"])
    rows.append(("smart run", f"{t_smart:.2f} s",
                 f"F1 {s['f1']:.4f} (P {s['precision']:.4f}, R {s['recall']:.4f}); "
                 f"band {len(first_band)} [{summary['review_floor']}, {summary['threshold']})"))

    t = time.monotonic()
    reviewed = first_band[:REVIEWED]
    for r in reviewed:
        decide(smart["id"], r, truth)
    rows.append((f"reviewer decides {len(reviewed)} of the band", f"{time.monotonic() - t:.2f} s",
                 ""))

    settled_first, right_first, t_ai1, _ = resolve(smart["id"], truth)
    left = len(first_band) - len(reviewed)
    rows.append(("ai-resolve on the rest of that band", f"{t_ai1:.2f} s",
                 f"settled {settled_first} of {left} ({settled_first / left if left else 0:.0%}), "
                 f"{right_first} right ({right_first / settled_first if settled_first else 1:.1%})"))

    again, t_again = cli_json("smart-run", "--no-progress", config, "--strategy", strategy["id"])
    s2 = score(again["id"])
    second_band, summary2 = band(again["id"])
    rows.append(("next smart run (learns from them)", f"{t_again:.2f} s",
                 f"F1 {s2['f1']:.4f}; band {len(second_band)} "
                 f"[{summary2['review_floor']}, {summary2['threshold']})"))

    settled, right, t_ai, memory = resolve(again["id"], truth)
    share = settled / len(second_band) if second_band else 0.0
    rows.append(("ai-resolve on its band", f"{t_ai:.2f} s",
                 f"settled {settled} of {len(second_band)} ({share:.0%}), "
                 f"{right} right ({right / settled if settled else 1:.1%}); "
                 f"{memory} of them pairs the reviewer approved"))

    width = max(len(r[0]) for r in rows)
    print()
    for name, took, what in rows:
        print(f"{name:<{width}}  {took:>8}  {what}")


if __name__ == "__main__":
    main()
