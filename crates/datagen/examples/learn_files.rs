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
use engine::learn::{
    fit_model, propose, propose_with, read_prompt, suggest_with, Decisions, Label, PromptHints,
    Tables,
};
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
        index: None,
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
    let mut smart_matches = Vec::new();
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
        smart_matches = matches;
    }
    if let Some(truth) = &truth {
        review_then_resolve(
            &tables,
            &plan,
            &smart_matches,
            truth,
            (&refs.columns, &docs.columns),
        )?;
    }
    Ok(())
}

/// A simulated reviewer decides 50 results of the smart run's review band from the truth; the
/// next strategy learns from them (F1 and band size before and after), and ai-resolve suggests
/// on the rest of the band (share settled, share right).
fn review_then_resolve(
    tables: &Tables,
    plan: &engine::learn::StrategyPlan,
    matches: &[engine::DocumentMatch],
    truth: &[score::TruthRow],
    (ref_cols, doc_cols): (&[String], &[String]),
) -> Result<(), Box<dyn std::error::Error>> {
    let model = plan.model.as_ref().ok_or("no model")?;
    let truth: std::collections::HashMap<&str, Option<&str>> = truth
        .iter()
        .map(|t| (t.document_id.as_str(), t.reference_id.as_deref()))
        .collect();
    let band: Vec<&engine::DocumentMatch> = matches
        .iter()
        .filter(|m| m.confidence >= model.review_floor && m.confidence < model.threshold)
        .collect();
    // The reviewer approves the best candidate when it is the true row, rejects it otherwise.
    let labels: Vec<Label> = band
        .iter()
        .take(50)
        .filter_map(|m| {
            let c = m.candidates.first()?;
            let right = truth.get(m.document_id.as_str()).copied().flatten();
            Some(Label {
                document_id: m.document_id.clone(),
                reference_row_id: c.reference_row_id.clone(),
                is_match: right == Some(c.reference_row_id.as_str()),
            })
        })
        .collect();
    println!(
        "review band of the smart run: {} results; the reviewer decides {}",
        band.len(),
        labels.len()
    );
    let fields: Vec<String> = plan
        .field_mappings
        .iter()
        .map(|m| m.source.clone())
        .collect();
    let cancel = CancelToken::new();
    let fitted = fit_model(tables, &plan.field_mappings, &labels, &cancel)?.ok_or("cancelled")?;
    let mut decisions = Decisions::default();
    for (m, l) in band.iter().zip(&labels) {
        if let Some(c) = m.candidates.first() {
            decisions.add(c, l.is_match);
        }
    }
    let (mut settled, mut right) = (0usize, 0usize);
    for m in band.iter().skip(labels.len()) {
        if std::env::var_os("LEARN_DEBUG").is_some() {
            let ps: Vec<String> = m
                .candidates
                .iter()
                .map(|c| {
                    format!(
                        "{:.3}",
                        fitted.probability(
                            c.evidence.iter().map(|e| (!e.missing).then_some(e.score))
                        )
                    )
                })
                .collect();
            eprintln!(
                "band {} conf {:.3} fitted {:?} truth {:?}",
                m.document_id,
                m.confidence,
                ps,
                truth.get(m.document_id.as_str())
            );
        }
        let Some(s) = suggest_with(&fitted, &decisions, &fields, &m.candidates) else {
            continue;
        };
        settled += 1;
        let truth_row = truth.get(m.document_id.as_str()).copied().flatten();
        let ok = match s.status {
            engine::ReviewStatus::Approved => {
                s.reference_row_id.as_deref() == truth_row && truth_row.is_some()
            }
            _ => truth_row.is_none_or(|t| m.candidates.iter().all(|c| c.reference_row_id != t)),
        };
        right += usize::from(ok);
    }
    let rest = band.len().saturating_sub(labels.len());
    println!(
        "ai-resolve: settled {settled} of {rest} ({:.1} %), right {right} ({:.2} %)",
        100.0 * settled as f64 / rest.max(1) as f64,
        100.0 * right as f64 / settled.max(1) as f64
    );
    let taught =
        propose_with(tables, &PromptHints::default(), &labels, &cancel)?.ok_or("cancelled")?;
    let config = ConfigFile {
        field_mappings: taught.field_mappings.clone(),
        threshold: taught.threshold,
        review_floor: Some(taught.thresholds.review_floor),
        one_to_one: Some(taught.one_to_one),
    };
    let run_plan = config
        .plan(ref_cols, doc_cols)?
        .with_model(taught.model.clone())?;
    let (after, _) = match_all(&run_plan, tables.reference, tables.documents);
    let m2 = taught.model.as_ref().ok_or("no model")?;
    let band_after = after
        .iter()
        .filter(|m| m.confidence >= m2.review_floor && m.confidence < m2.threshold)
        .count();
    let rows: Vec<score::TruthRow> = truth
        .iter()
        .map(|(d, r)| score::TruthRow {
            document_id: d.to_string(),
            reference_id: r.map(str::to_owned),
        })
        .collect();
    print_scores("smart-run after the reviewer's 50", &rows, &after, false);
    println!(
        "review band after: {band_after} results (before {})",
        band.len()
    );
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
    for line in score::report(&evaluation) {
        println!("{name}: {line}");
    }
}
