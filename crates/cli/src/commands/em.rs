//! `em fit`, `em predict` and `em models`: entity matching the Cognite way (spec B.4, B.6) from
//! files: train a model on sources and targets (with confirmed matches, a supervised one), wait
//! for it, and predict each source's best targets.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use service::em::{
    entities_from_file, is_finished, EmFitInput, EmModelFilter, EmPredictInput, MatchField,
    TrueMatch,
};
use service::Workspace;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::session::Session;
use crate::Io;

/// How long `em fit` and `em predict` wait for the background work.
const WAIT: Duration = Duration::from_secs(3600);

#[derive(Debug, Subcommand)]
pub enum EmCommand {
    /// Train a model: unsupervised, or supervised with --true-matches; waits until trained.
    Fit(FitArgs),
    /// Predict each source's best targets with a trained model; waits for the job.
    Predict(PredictArgs),
    /// List the models: id, status, feature type, classifier, name.
    Models {
        /// Print the models as JSON (Cognite's shape).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// The entities to match from: a JSON array of objects, or a CSV, workbook or e-invoice file.
    #[arg(long, value_name = "FILE")]
    sources: PathBuf,
    /// The entities to match to, as --sources.
    #[arg(long, value_name = "FILE")]
    targets: PathBuf,
    /// Confirmed matches, a JSON array of {sourceId|sourceExternalId, targetId|targetExternalId}.
    #[arg(long, value_name = "FILE")]
    true_matches: Option<PathBuf>,
    /// A field pair compared, SOURCE=TARGET, repeatable (default name=name).
    #[arg(long = "match-field", value_name = "SOURCE=TARGET", value_parser = parse_field)]
    match_fields: Vec<MatchField>,
    /// simple, insensitive, bigram, frequencyweightedbigram, bigramextratokenizers, bigramcombo.
    #[arg(long)]
    feature_type: Option<String>,
    /// For supervised models: randomforest (default), decisiontree, logisticregression,
    /// augmentedlogisticregression, augmentedrandomforest.
    #[arg(long)]
    classifier: Option<String>,
    /// Treat a match field an entity lacks as empty instead of refusing it.
    #[arg(long)]
    ignore_missing_fields: bool,
    #[arg(long)]
    external_id: Option<String>,
    #[arg(long)]
    name: Option<String>,
    /// Print the trained model as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model's id.
    model: i64,
    /// Sources to match (default: those it was trained on).
    #[arg(long, value_name = "FILE")]
    sources: Option<PathBuf>,
    /// Targets to match to (default: those it was trained on).
    #[arg(long, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// Targets per source, 0 to 100 (default 1).
    #[arg(long)]
    num_matches: Option<u32>,
    /// Only matches scoring above this (0 to 1).
    #[arg(long)]
    score_threshold: Option<f64>,
    /// Print the job with its items as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_field(text: &str) -> Result<MatchField, String> {
    let (source, target) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not SOURCE=TARGET"))?;
    Ok(MatchField {
        source: source.trim().into(),
        target: target.trim().into(),
    })
}

pub fn run(session: &Session, command: EmCommand, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    match command {
        EmCommand::Fit(args) => fit(ws, args, io),
        EmCommand::Predict(args) => predict(ws, args, io),
        EmCommand::Models { json } => {
            let models = ws.em_models(&EmModelFilter::default(), None)?;
            if json {
                print_json(&models, io)?;
                return Ok(EXIT_OK);
            }
            for m in models {
                writeln!(
                    io.out,
                    "{}  {}  {}  {}  {}",
                    m.id,
                    m.status,
                    m.feature_type,
                    m.classifier,
                    m.name.unwrap_or_default()
                )
                .map_err(io_err)?;
            }
            Ok(EXIT_OK)
        }
    }
}

fn fit(ws: &Workspace, args: FitArgs, io: &mut Io) -> Result<u8, CliError> {
    let true_matches = match &args.true_matches {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::data(format!("{}: {e}", path.display())))?;
            let matches: Vec<TrueMatch> = serde_json::from_str(&text)
                .map_err(|e| CliError::data(format!("{}: {e}", path.display())))?;
            Some(matches)
        }
    };
    let model = ws.em_fit(EmFitInput {
        sources: Some(entities_from_file(&args.sources)?),
        targets: Some(entities_from_file(&args.targets)?),
        true_matches,
        external_id: args.external_id,
        name: args.name,
        description: None,
        feature_type: args.feature_type,
        match_fields: Some(args.match_fields).filter(|f| !f.is_empty()),
        classifier: args.classifier,
        ignore_missing_fields: Some(args.ignore_missing_fields),
    })?;
    let model = wait(|| Ok(ws.em_model(model.id)?), |m| &m.status)?;
    if args.json {
        print_json(&model, io)?;
    } else {
        writeln!(
            io.out,
            "model {}  {}  {}  {}",
            model.id, model.status, model.feature_type, model.classifier
        )
        .map_err(io_err)?;
    }
    match model.error_message {
        Some(e) if model.status != service::em::COMPLETED => Err(CliError::Failed(e)),
        _ => Ok(EXIT_OK),
    }
}

fn predict(ws: &Workspace, args: PredictArgs, io: &mut Io) -> Result<u8, CliError> {
    let sources = args
        .sources
        .as_deref()
        .map(entities_from_file)
        .transpose()?;
    let targets = args
        .targets
        .as_deref()
        .map(entities_from_file)
        .transpose()?;
    let job = ws.em_predict(EmPredictInput {
        id: Some(args.model),
        external_id: None,
        sources,
        targets,
        num_matches: args.num_matches,
        score_threshold: args.score_threshold,
    })?;
    let job = wait(|| Ok(ws.em_job(job.job_id)?), |j| &j.status)?;
    if args.json {
        print_json(&job, io)?;
        return Ok(EXIT_OK);
    }
    if let Some(e) = &job.error_message {
        return Err(CliError::Failed(e.clone()));
    }
    let label = |o: &service::em::EmEntity| {
        o.get("name")
            .or_else(|| o.get("id"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default()
    };
    for item in job.items.unwrap_or_default() {
        let matches: Vec<String> = item
            .matches
            .iter()
            .map(|m| format!("{} ({:.2})", label(&m.target), m.score))
            .collect();
        writeln!(
            io.out,
            "{}  ->  {}",
            label(&item.source),
            matches.join(", ")
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// Polls `get` until the status it reads is final.
fn wait<T>(
    get: impl Fn() -> Result<T, CliError>,
    status: impl Fn(&T) -> &String,
) -> Result<T, CliError> {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = get()?;
        if is_finished(status(&v)) {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(CliError::Failed(
                "the job did not finish within an hour".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
