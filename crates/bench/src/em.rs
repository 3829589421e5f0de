//! The `em` subcommand: an entity-matching pipeline over generated industrial tags, through the
//! service as the REST API runs it: time series and assets imported as datasets, a pipeline with
//! confirmed matches (and, in a second run, the rules the first one generated accepted), each
//! run timed from start to Completed and scored against the generator's truth.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use clap::Args;
use datagen::tags::{generate, TagSpec};
use engine::DatasetKind;
use matchbook_cli::Session;
use serde_json::{json, Value};
use service::em::{is_finished, PipelineSpec, RunResult};
use service::ImportRequest;

use crate::BenchError;

#[derive(Debug, Args)]
pub struct EmArgs {
    /// Time series (sources).
    #[arg(long, default_value_t = 100_000)]
    sources: usize,
    /// Assets (targets).
    #[arg(long, default_value_t = 100_000)]
    targets: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Confirmed matches given to the pipeline, drawn from the truth.
    #[arg(long, default_value_t = 200)]
    confirmed: usize,
    /// simple, insensitive, bigram, frequencyweightedbigram, bigramextratokenizers, bigramcombo.
    #[arg(long, default_value = "bigramextratokenizers")]
    feature_type: String,
    /// randomforest, decisiontree, logisticregression, augmentedlogisticregression,
    /// augmentedrandomforest.
    #[arg(long, default_value = "augmentedlogisticregression")]
    classifier: String,
    /// Match on the name only, without the historian's site against the asset's.
    #[arg(long)]
    name_only: bool,
    /// The pipeline's scoreThreshold (Cognite's default 0.5).
    #[arg(long, default_value_t = 0.5)]
    score_threshold: f64,
    /// Match the free-text descriptions too (a third match field).
    #[arg(long)]
    description: bool,
    /// Print this many of the last run's wrong or missing matches (source, truth, what it got).
    #[arg(long, default_value_t = 0)]
    misses: usize,
}

/// The first `n` sources the run got wrong or missed, with the rows' names, for looking at.
fn print_misses(result: &RunResult, truth: &HashMap<String, String>, csvs: [&str; 2], n: usize) {
    let rows = |csv: &str| -> HashMap<String, String> {
        csv.lines()
            .skip(1)
            .filter_map(|l| {
                l.split_once(',')
                    .map(|(id, rest)| (id.to_string(), rest.to_string()))
            })
            .collect()
    };
    let (sources, targets) = (rows(csvs[0]), rows(csvs[1]));
    let got = matches_of(result);
    let mut misses: Vec<&String> = truth
        .iter()
        .filter(|(s, t)| {
            (!t.is_empty() || got.contains_key(*s)) && got.get(*s).map(|g| &g.0) != Some(*t)
        })
        .map(|(s, _)| s)
        .collect();
    misses.sort();
    println!(
        "{} misses; the first {}:",
        misses.len(),
        n.min(misses.len())
    );
    for s in misses.into_iter().take(n) {
        let t = &truth[s];
        let g = got.get(s);
        println!(
            "  {} [{}] -> truth {} | got {} ({:.3})",
            sources.get(s).map_or("?", |v| v.as_str()),
            s,
            if t.is_empty() {
                "(none)".to_string()
            } else {
                targets.get(t).cloned().unwrap_or_default()
            },
            g.map_or("(nothing)".to_string(), |(id, _)| targets
                .get(id)
                .cloned()
                .unwrap_or_default()),
            g.map_or(0.0, |(_, sc)| *sc)
        );
    }
}

/// The run's matches: source externalId -> (target externalId, score).
fn matches_of(result: &RunResult) -> HashMap<String, (String, f64)> {
    let Some(output) = result.output.as_ref() else {
        return HashMap::new();
    };
    output
        .matches
        .iter()
        .filter_map(|m| {
            Some((
                m["source"]["externalId"].as_str()?.to_string(),
                (
                    m["target"]["externalId"].as_str()?.to_string(),
                    m["score"].as_f64().unwrap_or(0.0),
                ),
            ))
        })
        .collect()
}

/// Precision, recall and F1 of `(source externalId -> target externalId)` against the truth;
/// a source without an asset that gets nothing counts as right.
fn score(result: &RunResult, truth: &HashMap<String, String>) -> (f64, f64, f64) {
    let got: HashMap<String, String> = matches_of(result)
        .into_iter()
        .map(|(s, (t, _))| (s, t))
        .collect();
    let right = got.iter().filter(|(s, t)| truth.get(*s) == Some(t)).count() as f64;
    let linked = truth.values().filter(|t| !t.is_empty()).count() as f64;
    let precision = right / (got.len() as f64).max(1.0);
    let recall = right / linked.max(1.0);
    (
        precision,
        recall,
        2.0 * precision * recall / (precision + recall).max(1e-12),
    )
}

pub fn run(args: &EmArgs) -> Result<(), BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("a temporary folder"))?;
    let data = generate(&TagSpec {
        targets: args.targets,
        sources: args.sources,
        seed: args.seed,
    });
    let write = |name: &str, text: &str| -> Result<String, BenchError> {
        let p = dir.path().join(name);
        std::fs::write(&p, text).map_err(BenchError::io(name))?;
        Ok(p.display().to_string())
    };
    let (sources, targets) = (
        write("series.csv", &data.sources_csv)?,
        write("assets.csv", &data.targets_csv)?,
    );
    let truth: HashMap<String, String> = data
        .truth_csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.split_once(',')
                .map(|(s, t)| (s.to_string(), t.to_string()))
        })
        .collect();
    let session = Session::open(&dir.path().join("w.sqlite"), false)?;
    let ws = session.workspace();
    let t = Instant::now();
    for (path, kind, name) in [
        (&sources, DatasetKind::Documents, "Series"),
        (&targets, DatasetKind::Reference, "Assets"),
    ] {
        ws.import_dataset(&ImportRequest {
            name: Some(name.into()),
            id_column: Some("id".into()),
            ..ImportRequest::new(path.clone(), kind)
        })?;
    }
    println!(
        "{} time series, {} assets (seed {}): imported in {:.1} s",
        args.sources,
        args.targets,
        args.seed,
        t.elapsed().as_secs_f64()
    );
    // Every 97th linked source, deterministically: the experts' confirmed matches.
    let mut linked: Vec<(&String, &String)> = truth.iter().filter(|(_, t)| !t.is_empty()).collect();
    linked.sort();
    let step = (linked.len() / args.confirmed.max(1)).max(1);
    let confirmed: Vec<Value> = linked
        .iter()
        .step_by(step)
        .take(args.confirmed)
        .map(|(s, t)| json!({"sourceExternalId": s, "targetExternalId": t}))
        .collect();
    let mut fields = vec![json!({"source": "name", "target": "name"})];
    if !args.name_only {
        fields.push(json!({"source": "site", "target": "site"}));
    }
    if args.description {
        fields.push(json!({"source": "description", "target": "description"}));
    }
    let spec: PipelineSpec = service::input_from_json(json!({
        "name": "bench",
        "sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Series"}]},
        "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]},
        "modelParameters": {"featureType": args.feature_type, "matchFields": fields, "classifier": args.classifier},
        "confirmedMatches": confirmed, "generateRules": true, "scoreThreshold": args.score_threshold
    }))?;
    let pipeline = ws.em_create_pipeline(spec)?;
    let first = timed_run(ws, pipeline.id)?;
    let (p, r, f1) = score(&first.1, &truth);
    let out = first.1.output.clone().unwrap_or_default();
    println!(
        "run 1 (model + {} confirmed): {:.1} s, precision {p:.4}, recall {r:.4}, F1 {f1:.4}; {} rules generated, {} with conflicts on all the data",
        args.confirmed,
        first.0.as_secs_f64(),
        out.generated_rules.len(),
        out.generated_rules.iter().filter(|g| g["numConflicts"].as_u64() != Some(0)).count()
    );
    // Accept every generated rule and run again: a rule that would map a source to two targets
    // (names shared by sister sites) leaves that source to the model.
    let accepted: Vec<Value> = out.generated_rules;
    let n = accepted.len();
    let update = json!({ "rules": { "set": accepted } });
    ws.em_update_pipeline(pipeline.id, update.as_object().expect("an object"))?;
    let second = timed_run(ws, pipeline.id)?;
    let (p, r, f1) = score(&second.1, &truth);
    println!(
        "run 2 ({n} rules accepted): {:.1} s, precision {p:.4}, recall {r:.4}, F1 {f1:.4}",
        second.0.as_secs_f64()
    );
    if args.misses > 0 {
        print_misses(
            &second.1,
            &truth,
            [&data.sources_csv, &data.targets_csv],
            args.misses,
        );
    }
    Ok(())
}

fn timed_run(ws: &service::Workspace, pipeline: i64) -> Result<(Duration, RunResult), BenchError> {
    let t = Instant::now();
    let started = ws.em_run_pipeline(pipeline)?;
    let r = ws.em_wait_for_pipeline_run(pipeline, started.job_id, Duration::from_secs(3600))?;
    if !is_finished(&r.summary.status) {
        return Err(BenchError::Usage(
            "the run did not finish within an hour".into(),
        ));
    }
    if let Some(e) = &r.summary.error_message {
        return Err(BenchError::Usage(format!("the run failed: {e}")));
    }
    Ok((t.elapsed(), r))
}
