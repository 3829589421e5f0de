//! `pipelines create|show|run|runs|rules accept|reject`: Cognite-style entity-matching pipelines
//! (spec B.7, B.8) over the workspace's datasets: define one from a JSON file, run it and wait,
//! list its runs, and take a generated rule into the pipeline or reject it for good.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use service::em::{is_finished, PipelineSpec, RunResult};
use service::Workspace;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Subcommand)]
pub enum PipelinesCommand {
    /// Create a pipeline from a JSON file (the body of spec B.7.2; datasets by name or id).
    #[command(after_help = "\
Example file:
  {\"externalId\": \"tags\", \"name\": \"Time series to assets\",
   \"sources\": {\"resource\": \"time_series\", \"dataSetIds\": [{\"externalId\": \"Time series\"}]},
   \"targets\": {\"resource\": \"assets\", \"dataSetIds\": [{\"externalId\": \"Assets\"}]},
   \"modelParameters\": {\"featureType\": \"bigramextratokenizers\"}, \"generateRules\": true}")]
    Create {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show a pipeline with its last run.
    Show {
        pipeline: i64,
        #[arg(long)]
        json: bool,
    },
    /// Run a pipeline and wait: matches by type, then the generated rules, numbered.
    Run {
        pipeline: i64,
        #[arg(long)]
        json: bool,
    },
    /// A pipeline's runs, newest first.
    Runs {
        pipeline: i64,
        #[arg(long)]
        json: bool,
    },
    /// Take a generated rule of a run into the pipeline, or reject it for good.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Add rule N of a run's generated rules to the pipeline's rules.
    Accept(RuleArgs),
    /// Add rule N of a run's generated rules to the rules never suggested again.
    Reject(RuleArgs),
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    pipeline: i64,
    /// The run (its job id, as `pipelines runs` prints it).
    #[arg(long)]
    run: i64,
    /// The rule's number in the run's generated rules, from 1.
    #[arg(long)]
    rule: usize,
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, command: PipelinesCommand, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    match command {
        PipelinesCommand::Create { file, json } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::data(format!("{}: not JSON: {e}", file.display())))?;
            let spec: PipelineSpec = service::input_from_json(value)?;
            let p = ws.em_create_pipeline(spec)?;
            if json {
                print_json(&p, io)?;
            } else {
                writeln!(
                    io.out,
                    "pipeline {}  {}",
                    p.id,
                    p.spec.name.unwrap_or_default()
                )
                .map_err(io_err)?;
            }
            Ok(EXIT_OK)
        }
        PipelinesCommand::Show { pipeline, json } => {
            let p = ws.em_pipeline(pipeline)?;
            if json {
                print_json(&p, io)?;
            } else {
                writeln!(
                    io.out,
                    "pipeline {}  {}\nrules {}  rejected rules {}  confirmed {}  rejected {}  threshold {}",
                    p.id,
                    p.spec.name.unwrap_or_default(),
                    p.spec.rules.len(),
                    p.spec.rejected_rules.len(),
                    p.spec.confirmed_matches.len(),
                    p.spec.rejected_matches.len(),
                    p.spec.score_threshold
                )
                .map_err(io_err)?;
            }
            Ok(EXIT_OK)
        }
        PipelinesCommand::Run { pipeline, json } => run_and_wait(ws, pipeline, json, io),
        PipelinesCommand::Runs { pipeline, json } => {
            let runs = ws.em_pipeline_runs(pipeline, None, 100)?;
            if json {
                print_json(&json!({ "items": runs }), io)?;
                return Ok(EXIT_OK);
            }
            for r in runs {
                writeln!(io.out, "{}  {}  {}", r.job_id, r.status, r.created_time)
                    .map_err(io_err)?;
            }
            Ok(EXIT_OK)
        }
        PipelinesCommand::Rules(RulesCommand::Accept(a)) => take_rule(ws, a, true, io),
        PipelinesCommand::Rules(RulesCommand::Reject(a)) => take_rule(ws, a, false, io),
    }
}

fn run_and_wait(ws: &Workspace, pipeline: i64, json: bool, io: &mut Io) -> Result<u8, CliError> {
    let started = ws.em_run_pipeline(pipeline)?;
    let result =
        ws.em_wait_for_pipeline_run(pipeline, started.job_id, Duration::from_secs(3600))?;
    if !is_finished(&result.summary.status) {
        return Err(CliError::Failed(
            "the run did not finish within an hour".into(),
        ));
    }
    if json {
        print_json(&result, io)?;
        return Ok(EXIT_OK);
    }
    if let Some(e) = &result.summary.error_message {
        return Err(CliError::Failed(e.clone()));
    }
    write_result(&result, io)?;
    Ok(EXIT_OK)
}

fn write_result(r: &RunResult, io: &mut Io) -> Result<(), CliError> {
    let Some(out) = &r.output else {
        return Ok(());
    };
    let count = |kind: &str| {
        out.matches
            .iter()
            .filter(|m| m["matchType"] == kind)
            .count()
    };
    writeln!(
        io.out,
        "run {}  {} matches: {} previously-confirmed, {} rule, {} model",
        r.summary.job_id,
        out.matches.len(),
        count("previously-confirmed"),
        count("rule"),
        count("model")
    )
    .map_err(io_err)?;
    for (i, g) in out.generated_rules.iter().enumerate() {
        let patterns: Vec<&str> = g["extractors"]
            .as_array()
            .map(|e| e.iter().filter_map(|x| x["pattern"].as_str()).collect())
            .unwrap_or_default();
        writeln!(
            io.out,
            "  rule {}: {}  matches {}  conflicts {}  overlaps {}",
            i + 1,
            patterns.join("  ->  "),
            g["matches"].as_array().map_or(0, Vec::len),
            g["numConflicts"],
            g["numOverlaps"]
        )
        .map_err(io_err)?;
    }
    for e in &out.errors {
        writeln!(io.err, "warning: {e}").map_err(io_err)?;
    }
    Ok(())
}

/// Takes generated rule `rule` (numbered from 1, as `pipelines run` prints them) of run `run`
/// into the pipeline's rules (`accept`) or its rejected rules.
fn take_rule(ws: &Workspace, a: RuleArgs, accept: bool, io: &mut Io) -> Result<u8, CliError> {
    let index = a
        .rule
        .checked_sub(1)
        .ok_or_else(|| CliError::data("--rule: rules are numbered from 1; there is no rule 0"))?;
    let p = ws.em_take_rule(a.pipeline, a.run, index, accept)?;
    if a.json {
        print_json(&p, io)?;
    } else {
        writeln!(
            io.out,
            "pipeline {}: {} rules, {} rejected rules",
            p.id,
            p.spec.rules.len(),
            p.spec.rejected_rules.len()
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
