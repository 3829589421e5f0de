//! Matches two CSV files in memory with a config and, given a truth file, prints top-1 precision,
//! recall and F1. A developer's tuning loop: no workspace, no SQLite, just the engine.
//!
//!     cargo run --release -p engine --example match_files -- \
//!         REFERENCE.csv REF_ID_COLUMN DOCUMENTS.csv DOC_ID_COLUMN CONFIG.json [TRUTH.csv]
//!
//! CONFIG.json holds `{"field_mappings": [...], "threshold": 0.8, "one_to_one": false}`.

use std::collections::HashMap;
use std::time::Instant;

use engine::import::{read_csv, to_documents, to_records, ImportOptions};
use engine::progress::NoProgress;
use engine::run::{
    blocking_recall, execute, ExecOptions, MatchPlan, RejectedPairs, ResultSink, RunInput,
    SliceSource,
};
use engine::{CancelToken, DocumentMatch, FieldMapping, ProgressUpdate};

#[derive(serde::Deserialize)]
struct Config {
    field_mappings: Vec<FieldMapping>,
    threshold: f64,
    #[serde(default)]
    one_to_one: bool,
    review_floor: Option<f64>,
}

struct Keep(Vec<DocumentMatch>);
impl ResultSink for Keep {
    fn write(&mut self, batch: Vec<DocumentMatch>, _: &ProgressUpdate) -> Result<(), String> {
        self.0.extend(batch);
        Ok(())
    }
}

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
    let config: Config = serde_json::from_str(&std::fs::read_to_string(&args[4])?)?;
    let plan = MatchPlan::new(
        &config.field_mappings,
        config.threshold,
        &refs.columns,
        &docs.columns,
    )?
    .with_one_to_one(config.one_to_one)
    .with_review_floor(config.review_floor.unwrap_or(0.5));
    eprintln!("filter fields: {:?}", plan.filter_field_names());
    eprintln!("read in {:.2} s", t0.elapsed().as_secs_f64());
    let ti = Instant::now();
    let index =
        engine::index::ReferenceIndex::build(&plan, &reference, &NoProgress, &CancelToken::new());
    eprintln!("index alone in {:.3} s", ti.elapsed().as_secs_f64());
    drop(index);
    let t1 = Instant::now();
    let mut keep = Keep(Vec::new());
    let input = RunInput {
        plan: &plan,
        reference: &reference,
        rejected: &RejectedPairs::new(),
    };
    let outcome = execute(
        &input,
        &mut SliceSource::new(&documents),
        &mut keep,
        &NoProgress,
        &CancelToken::new(),
        ExecOptions::default(),
    )?;
    eprintln!(
        "matched {} of {} in {:.2} s; {} pairs compared ({:.4} % of all)",
        outcome.rows_matched,
        outcome.rows_processed,
        t1.elapsed().as_secs_f64(),
        outcome.pairs_compared,
        100.0 * outcome.pairs_compared as f64 / (reference.len() as f64 * documents.len() as f64)
    );
    let Some(truth_path) = args.get(5) else {
        return Ok(());
    };
    let truth: HashMap<String, String> = std::fs::read_to_string(truth_path)?
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.split_once(',')
                .map(|(d, p)| (d.trim().to_string(), p.trim().to_string()))
        })
        .collect();
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let mut errors: Vec<String> = Vec::new();
    for m in &keep.0 {
        let want = truth.get(&m.document_id).map(String::as_str).unwrap_or("");
        match (m.matched_reference_row_id.as_deref(), want) {
            (Some(p), w) if p == w => tp += 1,
            (Some(p), "") => {
                fp += 1;
                errors.push(format!(
                    "FP-orphan {} -> {p} ({:.3})",
                    m.document_id, m.confidence
                ));
            }
            (Some(p), w) => {
                fp += 1;
                fn_ += 1;
                errors.push(format!(
                    "WRONG {} -> {p} want {w} ({:.3})",
                    m.document_id, m.confidence
                ));
            }
            (None, "") => tn += 1,
            (None, w) => {
                fn_ += 1;
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
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "tp {tp} fp {fp} fn {fn_} tn {tn}  precision {p:.4} recall {r:.4} F1 {:.4}",
        2.0 * p * r / (p + r).max(1e-12)
    );
    if std::env::var_os("SHOW_ERRORS").is_some() {
        for e in errors.iter().take(40) {
            println!("  {e}");
        }
    }
    if let Some(id) = std::env::var_os("SHOW_DOC") {
        let id = id.to_string_lossy();
        for m in keep.0.iter().filter(|m| m.document_id == *id) {
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
    // Best-F1 threshold: predict the top candidate when its confidence reaches t.
    let mut tops: Vec<(f64, bool, bool)> = keep
        .0
        .iter()
        .map(|m| {
            let want = truth.get(&m.document_id).map(String::as_str).unwrap_or("");
            let top = m.candidates.first();
            (
                top.map_or(0.0, |c| c.confidence),
                top.is_some_and(|c| c.reference_row_id == want),
                !want.is_empty(),
            )
        })
        .collect();
    tops.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = tops.iter().filter(|t| t.2).count() as f64;
    let (mut tp, mut pred, mut best) = (0.0, 0.0, (0.0, 0.0));
    for (i, t) in tops.iter().enumerate() {
        pred += 1.0;
        tp += f64::from(u8::from(t.1));
        if tops.get(i + 1).is_some_and(|n| n.0 == t.0) {
            continue;
        }
        let f1 = 2.0 * tp / (pred + positives);
        if f1 > best.0 {
            best = (f1, t.0);
        }
    }
    println!("best F1 {:.4} at threshold {:.3}", best.0, best.1);
    if std::env::var_os("BLOCKING_RECALL").is_some() {
        let sample: Vec<_> = documents.iter().take(500).cloned().collect();
        let b = blocking_recall(&plan, &reference, &sample);
        println!(
            "blocking recall {:.4} ({} of {}), pairs {:.4} % of exhaustive",
            b.recall(),
            b.kept,
            b.exhaustive_matches,
            100.0 * b.pairs_blocked as f64 / b.pairs_exhaustive as f64
        );
    }
    Ok(())
}
