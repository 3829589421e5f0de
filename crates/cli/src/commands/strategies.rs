//! `strategies generate`, `show`, `edit`, `list` and `to-config`: matching plans learned from the
//! data (spec A.5), read, changed by deep merge as new versions, and made into configs.

use clap::{ArgGroup, Args, Subcommand};
use engine::learn::StrategyPlan;
use serde_json::Value;
use service::{ConfigFromStrategy, GenerateStrategyInput, MatchingStrategy, StrategyPatch};

use super::{configs, io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{percent, score, thousands, Table};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Subcommand)]
pub enum StrategiesCommand {
    /// Learn a strategy from reference data and documents: which fields to compare, how, with
    /// what weight and threshold, each with a rationale. No config is changed.
    Generate(GenerateArgs),
    /// Show a strategy: each mapping with its strategy, weight and rationale, the threshold and
    /// the review band.
    Show {
        /// The strategy, as `strategies list` prints it.
        strategy_id: String,
        /// Print the service's strategy as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Change a strategy as a new version: the JSON object given is deep-merged into its plan
    /// (objects merge key by key; arrays and other values replace).
    #[command(
        after_help = "Example: strategies edit STRATEGY_ID --set '{\"threshold\": 0.9, \"thresholds\": {\"review_floor\": 0.6}}'"
    )]
    Edit(EditArgs),
    /// List strategies, newest first: id, version, then name.
    List {
        /// Only the strategies of this config.
        #[arg(long, value_name = "CONFIG_ID")]
        config: Option<String>,
        /// Print the service's strategies as JSON instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// Make a config from a strategy: its mappings, threshold, review floor and one-to-one.
    ToConfig(ToConfigArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The reference data to learn a strategy for.
    #[arg(long, value_name = "DATASET_ID")]
    reference_data: String,
    /// The targeting mode; "run" is the only one.
    #[arg(long, value_name = "TYPE")]
    target_type: String,
    /// The document set to learn from (default: the config's, else every document set).
    #[arg(long, value_name = "DATASET_ID")]
    documents: Option<String>,
    /// The config the strategy is for; it is not changed.
    #[arg(long, value_name = "CONFIG_ID")]
    config: Option<String>,
    /// Guidance in words, e.g. "prioritise the PO number, ignore the description".
    #[arg(long, value_name = "TEXT")]
    prompt: Option<String>,
    /// A name for the strategy.
    #[arg(long)]
    name: Option<String>,
    /// Print the service's strategy as JSON instead.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true).args(["set", "name"])))]
pub struct EditArgs {
    /// The strategy to change.
    strategy_id: String,
    /// The keys of the plan to change, as a JSON object.
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    set: Option<Value>,
    /// A new name ("" clears it).
    #[arg(long)]
    name: Option<String>,
    /// Print the service's strategy as JSON instead.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ToConfigArgs {
    /// The strategy to make the config from.
    strategy_id: String,
    /// The config's name.
    #[arg(long)]
    name: String,
    /// The document set its runs match (default: the one the strategy was learned from).
    #[arg(long, value_name = "DATASET_ID")]
    documents: Option<String>,
    /// Print the created config as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// A malformed `--set` is a usage error (exit 2) reported by clap with the argument named.
fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

pub fn run(session: &Session, command: StrategiesCommand, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    let (strategy, json) = match command {
        StrategiesCommand::Generate(args) => {
            let input = GenerateStrategyInput {
                reference_data_id: args.reference_data,
                target_type: args.target_type,
                document_set_id: args.documents,
                matching_config_id: args.config,
                user_prompt: args.prompt,
                name: args.name,
                target_value: None,
            };
            (ws.generate_strategy(&input)?, args.json)
        }
        StrategiesCommand::Show { strategy_id, json } => (ws.get_strategy(&strategy_id)?, json),
        StrategiesCommand::Edit(args) => {
            let patch = StrategyPatch {
                name: args.name,
                strategy: args.set,
            };
            (ws.patch_strategy(&args.strategy_id, &patch)?, args.json)
        }
        StrategiesCommand::List { config, json } => return list(session, config, json, io),
        StrategiesCommand::ToConfig(args) => return to_config(session, args, io),
    };
    if json {
        print_json(&strategy, io)?;
        return Ok(EXIT_OK);
    }
    show(session, &strategy, io)?;
    Ok(EXIT_OK)
}

/// One strategy per line: id, version, then name, so `cut -d' ' -f1` gives the ids.
fn list(
    session: &Session,
    config: Option<String>,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let strategies = session.workspace().list_strategies(config.as_deref())?;
    if json {
        print_json(&strategies, io)?;
        return Ok(EXIT_OK);
    }
    for s in strategies {
        let name = s.name.as_deref().unwrap_or("(unnamed)");
        writeln!(io.out, "{}  v{}  {name}", s.id, s.version).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

fn to_config(session: &Session, args: ToConfigArgs, io: &mut Io) -> Result<u8, CliError> {
    let input = ConfigFromStrategy {
        name: args.name,
        document_set_id: args.documents,
    };
    let config = session
        .workspace()
        .create_config_from_strategy(&args.strategy_id, &input)?;
    if args.json {
        print_json(&config, io)?;
        return Ok(EXIT_OK);
    }
    configs::write_created(&config, io)
}

/// The strategy's settings, one line per mapping (with its rationale), then what was left out
/// and noticed on the way.
fn show(session: &Session, s: &MatchingStrategy, io: &mut Io) -> Result<(), CliError> {
    let ws = session.workspace();
    // A document set deleted since is not an error here: the strategy is still worth reading.
    let dataset = |id: &str| match ws.get_dataset(id) {
        Ok(d) => format!("{id} ({}, {} rows)", d.name, thousands(d.row_count)),
        Err(_) => format!("{id} (not in this workspace)"),
    };
    let plan = &s.strategy.plan;
    let mut table = Table::new();
    table
        .row("strategy", &s.id)
        .row("name", s.name.as_deref().unwrap_or("(unnamed)"))
        .row("reference data", dataset(&s.reference_data_id))
        .row(
            "documents",
            s.document_set_id
                .as_deref()
                .map_or_else(|| "(every document set)".to_string(), dataset),
        )
        .row(
            "config",
            s.matching_config_id.as_deref().unwrap_or("(none)"),
        )
        .row(
            "version",
            format!("{} (hash {})", s.version, s.version_hash),
        )
        .row("threshold", score(Some(plan.threshold)))
        .row("review band", review_band(plan))
        .row("one-to-one", if plan.one_to_one { "yes" } else { "no" })
        .row("match share", percent(Some(plan.match_share)));
    if let Some(prompt) = &s.user_prompt {
        table.row("prompt", prompt);
    }
    table
        .row("updated", &s.updated_at)
        .row("fields", plan.field_mappings.len().to_string());
    table.write(io.out).map_err(io_err)?;
    write_mappings(plan, io)?;
    write_notes(plan, io)
}

/// "0.500 to below 0.850": the band reviewers work through.
fn review_band(plan: &StrategyPlan) -> String {
    format!(
        "{} to below {}",
        score(Some(plan.thresholds.review_floor)),
        score(Some(plan.thresholds.match_))
    )
}

/// `  source -> target  strategy  weight w  rationale`, columns aligned.
fn write_mappings(plan: &StrategyPlan, io: &mut Io) -> Result<(), CliError> {
    let rows: Vec<[String; 4]> = plan
        .field_mappings
        .iter()
        .map(|m| {
            [
                format!("{} -> {}", m.source, m.target),
                m.strategy.as_str().to_string(),
                format!("weight {}", m.weight),
                m.rationale.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for [pair, strategy, weight, rationale] in &rows {
        let line = format!("  {pair:<w0$}  {strategy:<w1$}  {weight:<w2$}  {rationale}");
        writeln!(io.out, "{}", line.trim_end()).map_err(io_err)?;
    }
    Ok(())
}

fn write_notes(plan: &StrategyPlan, io: &mut Io) -> Result<(), CliError> {
    if !plan.edge_cases.is_empty() {
        writeln!(io.out, "left out:").map_err(io_err)?;
        for e in &plan.edge_cases {
            writeln!(io.out, "  - {e}").map_err(io_err)?;
        }
    }
    let notes = [
        ("data quality", Some(&plan.data_quality_notes)),
        ("cardinality", Some(&plan.cardinality_notes)),
        ("prompt", plan.prompt_notes.as_ref()),
    ];
    for (what, note) in notes {
        if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
            writeln!(io.out, "{what}: {n}").map_err(io_err)?;
        }
    }
    Ok(())
}
