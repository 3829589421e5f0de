//! `eval`: reads the truth and the predictions (a run's results or a CSV), scores them with
//! `datagen::score`, and prints the scores as text or JSON.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use service::{ResultQuery, Workspace};

use super::io_err;
use crate::error::{CliError, EXIT_OK};
use crate::format::{percent, score, Table};
use crate::session::WorkspaceArg;
use crate::Io;
use datagen::score::{self as eval, Evaluation, Prediction, Scores, TopCandidate};

/// The service's largest page: fewest round trips through a run of 100,000 results.
const PAGE: u32 = 500;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["run", "predictions"])))]
pub struct EvalArgs {
    /// CSV with a header and two columns: document_id, true reference id (empty: no true match).
    #[arg(long, value_name = "TRUTH.csv")]
    truth: PathBuf,
    /// Score the results of this run (needs --workspace).
    #[arg(long, value_name = "RUN_ID")]
    run: Option<String>,
    /// Score a CSV with a header and columns document_id, reference_row_id, confidence (empty
    /// reference_row_id: unmatched).
    #[arg(long, value_name = "PRED.csv")]
    predictions: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &WorkspaceArg, args: EvalArgs, io: &mut Io) -> Result<u8, CliError> {
    // A predictions file needs no workspace; only opening one when asked keeps `eval` usable on
    // files from elsewhere.
    let session = args.run.is_some().then(|| workspace.open()).transpose()?;
    let truth = eval::parse_truth(open(&args.truth)?, &args.truth.display().to_string())
        .map_err(|e| CliError::data(e.to_string()))?;
    // A one-to-one run's sweep assigns the rows again at each threshold, as the run did; a
    // predictions file has one row per document and nothing to assign.
    let (predictions, one_to_one) = match (&args.run, &args.predictions, &session) {
        (Some(run_id), _, Some(session)) => {
            let ws = session.workspace();
            let one_to_one = ws.run_config(run_id)?.one_to_one;
            (run_predictions(ws, run_id, io.err)?, one_to_one)
        }
        (None, Some(path), _) => (
            eval::parse_predictions(open(path)?, &path.display().to_string())
                .map_err(|e| CliError::data(e.to_string()))?,
            false,
        ),
        // clap's argument group and the opening above make this unreachable; kept as an error
        // rather than a panic all the same.
        _ => {
            return Err(CliError::Usage(
                "give --run RUN_ID (with --workspace) or --predictions FILE".into(),
            ))
        }
    };
    let evaluation = eval::evaluate_with(&truth, &predictions, one_to_one);
    if args.json {
        let text = serde_json::to_string_pretty(&evaluation)
            .map_err(|e| CliError::Failed(format!("cannot encode the scores: {e}")))?;
        writeln!(io.out, "{text}").map_err(io_err)?;
    } else {
        report(&evaluation, io.out).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

fn open(path: &Path) -> Result<BufReader<File>, CliError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| CliError::data(format!("{}: {e}", path.display())))
}

fn run_predictions(
    ws: &Workspace,
    run_id: &str,
    err: &mut dyn Write,
) -> Result<HashMap<String, Prediction>, CliError> {
    let run = ws.get_run(run_id)?.run;
    if run.status.is_active() {
        writeln!(
            err,
            "warning: run {run_id} is {}; scoring the results written so far",
            run.status.as_str()
        )
        .map_err(io_err)?;
    }
    let (predictions, duplicates) = predictions_of_run(ws, run_id)?;
    if duplicates > 0 {
        writeln!(
            err,
            "warning: {duplicates} results repeat a document id; scored the most confident one"
        )
        .map_err(io_err)?;
    }
    Ok(predictions)
}

/// Every result of a run as predictions: its match as the prediction, its candidates for the
/// threshold sweep. Also returns how many results repeated a document id (a run over every
/// document set can see one id twice); the first, most confident one is kept.
pub fn predictions_of_run(
    ws: &Workspace,
    run_id: &str,
) -> service::Result<(HashMap<String, Prediction>, u64)> {
    let mut out = HashMap::new();
    let mut duplicates = 0u64;
    let mut page = 1;
    loop {
        let results = ws.list_stored_results(
            run_id,
            &ResultQuery {
                page: Some(page),
                limit: Some(PAGE),
                ..ResultQuery::default()
            },
        )?;
        let got = results.data.len();
        for r in results.data {
            let candidates = r.candidates.iter().map(|c| TopCandidate {
                reference_row_id: c.reference_row_id.clone(),
                confidence: c.confidence,
            });
            let prediction = Prediction::new(r.matched_reference_row_id, candidates);
            // Results come most confident first, so the first of a repeated id stands.
            match out.entry(r.document_id) {
                Entry::Occupied(_) => duplicates += 1,
                Entry::Vacant(slot) => {
                    slot.insert(prediction);
                }
            }
        }
        if got < PAGE as usize || (page as u64) * (PAGE as u64) >= results.total {
            break;
        }
        page += 1;
    }
    Ok((out, duplicates))
}

fn scores_line(s: &Scores) -> String {
    format!(
        "P {}  R {}  F1 {}  (TP {}, FP {}, FN {}, TN {})",
        score(s.precision),
        score(s.recall),
        score(s.f1),
        s.counts.tp,
        s.counts.fp,
        s.counts.fn_,
        s.counts.tn
    )
}

fn report(e: &Evaluation, out: &mut dyn Write) -> std::io::Result<()> {
    let c = &e.top1.counts;
    let mut t = Table::new();
    t.row("documents", e.documents.to_string())
        .row("  with a true match", e.with_true_match.to_string())
        .row("  without", e.without_true_match.to_string());
    if e.missing_predictions > 0 {
        t.row(
            "  not predicted",
            format!("{} (scored as unmatched)", e.missing_predictions),
        );
    }
    if e.ignored_predictions > 0 {
        t.row(
            "predictions not in truth",
            format!("{} (ignored)", e.ignored_predictions),
        );
    }
    t.row(
        "precision (top-1)",
        format!(
            "{}  ({} of {} matches right)",
            score(e.top1.precision),
            c.tp,
            c.tp + c.fp
        ),
    )
    .row(
        "recall",
        format!(
            "{}  ({} of {} true matches found)",
            score(e.top1.recall),
            c.tp,
            c.tp + c.fn_
        ),
    )
    .row("F1", score(e.top1.f1))
    .row(
        "accuracy",
        format!("{}  ({})", score(e.top1.accuracy), percent(e.top1.accuracy)),
    )
    .row(
        "counts",
        format!("TP {}, FP {}, FN {}, TN {}", c.tp, c.fp, c.fn_, c.tn),
    );
    let assigned = if e.one_to_one { " (one-to-one)" } else { "" };
    match &e.best_f1_threshold {
        Some(b) => t.row(
            "best-F1 threshold",
            format!("{:.4}{assigned}: {}", b.threshold, scores_line(&b.scores)),
        ),
        None => t.row(
            "best-F1 threshold",
            "none (no threshold finds a true match)",
        ),
    };
    t.write(out)?;
    // Its own line, in the words the review team uses, rather than a table key wide enough to
    // push every value off to the right.
    writeln!(
        out,
        "no-match documents correctly left unmatched: {} of {}",
        e.no_match_left_unmatched, e.without_true_match
    )
}
