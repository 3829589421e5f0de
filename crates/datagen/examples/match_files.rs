//! Matches two CSV files in memory with a config and, given a truth file, prints top-1 precision,
//! recall and F1. A developer's tuning loop: no workspace, no SQLite, just the engine.
//!
//!     cargo run --release -p datagen --example match_files -- \
//!         REFERENCE.csv REF_ID_COLUMN DOCUMENTS.csv DOC_ID_COLUMN CONFIG.json [TRUTH.csv]
//!
//! CONFIG.json holds `{"field_mappings": [...], "threshold": 0.8, "one_to_one": false}`.
//! Built with `--features engine/phase-timing`, it also prints the CPU time of each step of
//! scoring a document (candidate search, scoring, ...), summed over threads, and per document
//! the rows candidate search reached and how many agreed on one field or more.

use std::collections::HashMap;
use std::time::Instant;

use datagen::in_memory::{match_all, ConfigFile};
use datagen::score::{self, TruthRow};
use engine::domain::{Document, Record};
use engine::phase_time::Tally;
use engine::progress::NoProgress;
use engine::run::{blocking_recall, MatchPlan};
use engine::{CancelToken, DocumentMatch};
use import::{read_csv, to_documents, to_records, ImportOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        return Err(
            "usage: REFERENCE.csv REF_ID DOCUMENTS.csv DOC_ID CONFIG.json [TRUTH.csv]".into(),
        );
    }
    let t0 = Instant::now();
    let refs = read_csv(args[0].as_ref(), &ImportOptions::default())?;
    let docs = read_csv(args[2].as_ref(), &ImportOptions::default())?;
    let reference = to_records(&refs, Some(&args[1]))?;
    let documents = to_documents(&docs, Some(&args[3]), None)?;
    let config: ConfigFile = serde_json::from_str(&std::fs::read_to_string(&args[4])?)?;
    // As the product runs (review bands filled when read); `FULL_BAND=1` searches every
    // document down to the review floor, as runs did before.
    let plan = config
        .plan(&refs.columns, &docs.columns)?
        .with_band_on_demand(std::env::var_os("FULL_BAND").is_none());
    eprintln!("filter fields: {:?}", plan.filter_field_names());
    eprintln!("read in {:.2} s", t0.elapsed().as_secs_f64());
    time_index(&plan, &reference);
    let t1 = Instant::now();
    let (matches, outcome) = match_all(&plan, &reference, &documents);
    eprintln!(
        "matched {} of {} in {:.2} s; {} pairs compared ({:.4} % of all)",
        outcome.rows_matched,
        outcome.rows_processed,
        t1.elapsed().as_secs_f64(),
        outcome.pairs_compared,
        100.0 * outcome.pairs_compared as f64 / (reference.len() as f64 * documents.len() as f64)
    );
    if let Some(steps) = engine::phase_time::totals() {
        let steps: Vec<String> = steps
            .iter()
            .map(|(step, secs)| format!("{} {secs:.2}", step.label()))
            .collect();
        eprintln!("CPU-seconds per step: {}", steps.join(", "));
    }
    print_tallies();
    let Some(truth_path) = args.get(5) else {
        return Ok(());
    };
    let truth = score::parse_truth(std::fs::File::open(truth_path)?, truth_path)?;
    // The one-to-one threshold sweep re-assigns rows at every threshold: minutes at 100k.
    let sweep_one_to_one =
        config.one_to_one.unwrap_or(false) && std::env::var_os("ONE_TO_ONE_SWEEP").is_some();
    print_scores(&truth, &matches, sweep_one_to_one);
    let truth: HashMap<&str, &str> = truth
        .iter()
        .map(|t| {
            (
                t.document_id.as_str(),
                t.reference_id.as_deref().unwrap_or(""),
            )
        })
        .collect();
    if std::env::var_os("SHOW_ERRORS").is_some() {
        for e in errors_of(&matches, &truth).iter().take(40) {
            println!("  {e}");
        }
    }
    if let Some(id) = std::env::var_os("SHOW_DOC") {
        print_candidates(&matches, &id.to_string_lossy());
    }
    if std::env::var_os("BLOCKING_RECALL").is_some() {
        print_blocking_recall(&plan, &reference, &documents, &truth);
    }
    Ok(())
}

/// What candidate search did, per document walked (with `engine/phase-timing`).
fn print_tallies() {
    let Some(tallies) = engine::phase_time::tallies() else {
        return;
    };
    let documents = tallies
        .iter()
        .find(|(what, _)| *what == Tally::Documents)
        .map_or(0, |&(_, n)| n);
    let per_document: Vec<String> = tallies
        .iter()
        .filter(|(what, _)| *what != Tally::Documents)
        .map(|(what, n)| {
            format!(
                "{} {:.2}",
                what.label(),
                *n as f64 / documents.max(1) as f64
            )
        })
        .collect();
    eprintln!(
        "per document walked ({documents}): {}",
        per_document.join(", ")
    );
}

/// Builds the reference index alone, to see its share of the matching time.
fn time_index(plan: &MatchPlan, reference: &[Record]) {
    let ti = Instant::now();
    let index =
        engine::index::ReferenceIndex::build(plan, reference, &NoProgress, &CancelToken::new());
    eprintln!("index alone in {:.3} s", ti.elapsed().as_secs_f64());
    drop(index);
}

/// Top-1 counts, precision, recall and F1, and the threshold that would give the best F1.
fn print_scores(truth: &[TruthRow], matches: &[DocumentMatch], one_to_one: bool) {
    let evaluation =
        score::evaluate_with(truth, &score::predictions_of_matches(matches), one_to_one);
    for line in score::report(&evaluation) {
        println!("{line}");
    }
}

/// Every candidate of the document `id`, with the evidence of each field.
fn print_candidates(matches: &[DocumentMatch], id: &str) {
    for m in matches.iter().filter(|m| m.document_id == *id) {
        for c in &m.candidates {
            println!("  {} {:.3}", c.reference_row_id, c.confidence);
            for e in &c.evidence {
                println!(
                    "      {:>14} {:.3} {}  |{}| vs |{}|",
                    e.source,
                    e.score,
                    if e.missing { "MISSING" } else { "" },
                    e.source_value,
                    e.target_value
                );
            }
        }
    }
}

/// The engine's blocking-recall check (with `BLOCKING_RECALL` set) on `RECALL_DOCS` documents
/// (500 by default), spread evenly over the file.
fn print_blocking_recall(
    plan: &MatchPlan,
    reference: &[Record],
    documents: &[Document],
    truth: &HashMap<&str, &str>,
) {
    let n: usize = std::env::var("RECALL_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
        .clamp(1, documents.len().max(1));
    let step = (documents.len() / n).max(1);
    let sample: Vec<_> = documents.iter().step_by(step).take(n).cloned().collect();
    let b = blocking_recall(plan, reference, &sample);
    let missed_true = b
        .missed
        .iter()
        .filter(|(doc, row)| truth.get(doc.as_str()) == Some(&row.as_str()))
        .count();
    println!(
        "blocking recall {:.4} ({} of {}; of the {} missed, {missed_true} the true match), pairs \
         {:.4} % of exhaustive",
        b.recall(),
        b.kept,
        b.exhaustive_matches,
        b.missed.len(),
        100.0 * b.pairs_blocked as f64 / b.pairs_exhaustive as f64
    );
    if std::env::var_os("SHOW_MISSES").is_some() {
        for (doc, row) in &b.missed {
            print_pair(reference, documents, doc, row);
        }
    }
}

/// The values of a document and of the reference row an exhaustive comparison matched it with,
/// for a pair that candidate search missed.
fn print_pair(reference: &[Record], documents: &[Document], doc: &str, row: &str) {
    let (Some(d), Some(r)) = (
        documents.iter().find(|d| d.document_id == doc),
        reference.iter().find(|r| r.id == row),
    ) else {
        return;
    };
    println!("missed {doc} -> {row}");
    println!("  document {:?}\n  row      {:?}", d.values, r.values);
}

/// One line per document the run got wrong, for reading while tuning.
fn errors_of(matches: &[DocumentMatch], truth: &HashMap<&str, &str>) -> Vec<String> {
    let mut errors = Vec::new();
    for m in matches {
        let want = truth.get(m.document_id.as_str()).copied().unwrap_or("");
        match (m.matched_reference_row_id.as_deref(), want) {
            (Some(p), w) if p == w => {}
            (Some(p), "") => errors.push(format!(
                "FP-orphan {} -> {p} ({:.3})",
                m.document_id, m.confidence
            )),
            (Some(p), w) => errors.push(format!(
                "WRONG {} -> {p} want {w} ({:.3})",
                m.document_id, m.confidence
            )),
            (None, "") => {}
            (None, w) => {
                let rank = m
                    .candidates
                    .iter()
                    .position(|c| c.reference_row_id == w)
                    .map_or("-".to_string(), |r| (r + 1).to_string());
                errors.push(format!(
                    "MISS {} want {w} (top {:.3}, truth rank {rank})",
                    m.document_id, m.confidence
                ));
            }
        }
    }
    errors
}
