//! Learns a strategy from two CSV files alone (no config, no labels), matches every document with
//! the config it proposes and, given a truth file, prints top-1 precision, recall and F1. The
//! measurement of issue 14 in memory; `matchbook strategies generate` is the same through a
//! workspace.
//!
//!     cargo run --release -p datagen --example learn_files -- \
//!         REFERENCE.csv REF_ID_COLUMN DOCUMENTS.csv DOC_ID_COLUMN [TRUTH.csv] [--prompt TEXT]
//!
//! The strategy goes to target/learned-strategy.json (or LEARNED_OUT).

use std::time::Instant;

use datagen::in_memory::{match_all, ConfigFile};
use datagen::score;
use engine::learn::{propose, read_prompt, Tables};
use engine::CancelToken;
use import::{read_csv, to_documents, to_records, ImportOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let prompt = match args.iter().position(|a| a == "--prompt") {
        Some(i) if i + 1 < args.len() => {
            let p = args.remove(i + 1);
            args.remove(i);
            Some(p)
        }
        _ => None,
    };
    if args.len() < 4 {
        return Err(
            "usage: REFERENCE.csv REF_ID DOCUMENTS.csv DOC_ID [TRUTH.csv] [--prompt TEXT]".into(),
        );
    }
    let refs = read_csv(args[0].as_ref(), &ImportOptions::default())?;
    let docs = read_csv(args[2].as_ref(), &ImportOptions::default())?;
    let filename = docs
        .columns
        .iter()
        .find(|c| c.as_str() == "document_filename")
        .cloned();
    let reference = to_records(&refs, Some(&args[1]))?;
    let documents = to_documents(&docs, Some(&args[3]), filename.as_deref())?;
    let skip_documents: Vec<String> = std::iter::once(args[3].clone()).chain(filename).collect();
    let skip_reference = vec![args[1].clone()];
    let columns: Vec<&String> = refs.columns.iter().chain(&docs.columns).collect();
    let hints = read_prompt(prompt.as_deref(), &columns);
    let tables = Tables {
        reference_columns: &refs.columns,
        reference: &reference,
        document_columns: &docs.columns,
        documents: &documents,
        skip_reference: &skip_reference,
        skip_documents: &skip_documents,
    };
    let t0 = Instant::now();
    let plan = propose(&tables, &hints, &CancelToken::new())?.ok_or("cancelled")?;
    eprintln!("strategy in {:.2} s", t0.elapsed().as_secs_f64());
    for m in &plan.field_mappings {
        eprintln!(
            "  {:>16} -> {:<16} {:<13} w {:.3} mw {:.3}  {}",
            m.source,
            m.target,
            m.strategy.as_str(),
            m.weight,
            m.mismatch_weight.unwrap_or(m.weight),
            m.rationale.as_deref().unwrap_or("")
        );
    }
    eprintln!(
        "  threshold {} review floor {} one-to-one {} match share {:.3}",
        plan.threshold, plan.thresholds.review_floor, plan.one_to_one, plan.match_share
    );
    for e in &plan.edge_cases {
        eprintln!("  {e}");
    }
    let out =
        std::env::var("LEARNED_OUT").unwrap_or_else(|_| "target/learned-strategy.json".into());
    std::fs::write(&out, serde_json::to_string_pretty(&plan)?)?;
    let config = ConfigFile {
        field_mappings: plan.field_mappings.clone(),
        threshold: plan.threshold,
        review_floor: Some(plan.thresholds.review_floor),
        one_to_one: Some(plan.one_to_one),
    };
    let truth = match args.get(4) {
        Some(path) => Some(score::parse_truth(std::fs::File::open(path)?, path)?),
        None => None,
    };
    let plain = config.plan(&refs.columns, &docs.columns)?;
    let smart = plain.clone().with_model(plan.model.clone())?;
    for (name, run_plan) in [("run", plain), ("smart-run", smart)] {
        let t1 = Instant::now();
        let (matches, outcome) = match_all(&run_plan, &reference, &documents);
        eprintln!(
            "{name}: matched {} of {} in {:.2} s; {} pairs compared",
            outcome.rows_matched,
            outcome.rows_processed,
            t1.elapsed().as_secs_f64(),
            outcome.pairs_compared
        );
        if let Some(truth) = &truth {
            print_scores(name, truth, &matches, plan.one_to_one);
        }
    }
    Ok(())
}

fn print_scores(
    name: &str,
    truth: &[score::TruthRow],
    matches: &[engine::DocumentMatch],
    one_to_one: bool,
) {
    let evaluation = score::evaluate_with(
        truth,
        &score::predictions_of_matches(matches),
        // The one-to-one threshold sweep re-assigns rows at every threshold: minutes at 100k.
        one_to_one && std::env::var_os("ONE_TO_ONE_SWEEP").is_some(),
    );
    let t = &evaluation.top1;
    println!(
        "{name}: tp {} fp {} fn {} tn {}  precision {:.4} recall {:.4} F1 {:.4}",
        t.counts.tp,
        t.counts.fp,
        t.counts.fn_,
        t.counts.tn,
        t.precision.unwrap_or(0.0),
        t.recall.unwrap_or(0.0),
        t.f1.unwrap_or(0.0)
    );
    if let Some(best) = &evaluation.best_f1_threshold {
        println!(
            "{name}: best F1 {:.4} at threshold {:.3}",
            best.scores.f1.unwrap_or(0.0),
            best.threshold
        );
    }
}
