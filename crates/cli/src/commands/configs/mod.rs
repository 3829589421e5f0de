//! `configs create`, `configs list` and `configs show`: their arguments and output; `file` reads
//! the config file `create` takes.

mod file;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use engine::index::{BlockSizes, FieldBlockSizes};
use engine::{BlockingStrategy, FieldMapping, MatchingConfig, Schedule};
use serde_json::Value;
use service::{CandidateSearch, FieldSearch};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{percent, score, share, thousands, Table};
use crate::session::Session;
use crate::Io;
use file::{read_config, Overrides};

#[derive(Debug, Subcommand)]
pub enum ConfigsCommand {
    /// Create a config from a JSON or TOML file (TOML when its name ends in .toml).
    #[command(
        long_about = "Create a config from a JSON or TOML file (TOML when its name ends in .toml).\n\n\
            The file holds what the service's create_config takes: name, reference_data_id, \
            document_set_id (absent: every document set), field_mappings, threshold, \
            review_floor, one_to_one and schedule. The flags below fill in or replace the name \
            and the dataset ids, so one file serves any workspace.",
        after_help = "Examples: docs/configs/invoices-to-pos.toml and docs/configs/invoices-to-pos.json"
    )]
    Create(ConfigsCreateArgs),
    /// List configs: id, then name.
    List {
        /// Print the service's configs as JSON instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// Show a config: its datasets, threshold, review floor, schedule and field mappings.
    Show {
        /// The config, as `configs list` prints it.
        config_id: String,
        /// Print the service's config as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ConfigsCreateArgs {
    /// The config file: .json or .toml.
    file: PathBuf,
    /// Display name, instead of the file's `name` (default: the file name without extension).
    #[arg(long)]
    name: Option<String>,
    /// The reference dataset to match against, instead of the file's `reference_data_id`.
    #[arg(long, value_name = "DATASET_ID")]
    reference_data: Option<String>,
    /// The document set to match, instead of the file's `document_set_id`.
    #[arg(long, value_name = "DATASET_ID")]
    documents: Option<String>,
    /// Print the created config as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, command: ConfigsCommand, io: &mut Io) -> Result<u8, CliError> {
    match command {
        ConfigsCommand::Create(args) => create(session, args, io),
        ConfigsCommand::List { json } => list(session, json, io),
        ConfigsCommand::Show { config_id, json } => show(session, &config_id, json, io),
    }
}

/// Creates a config from a `ConfigInput` in JSON or TOML (by the `.toml` extension). Datasets are
/// named by id, exactly as the service takes them, so a file written for the REST API works here
/// unchanged.
fn create(session: &Session, args: ConfigsCreateArgs, io: &mut Io) -> Result<u8, CliError> {
    let file = &args.file;
    let overrides = Overrides {
        name: args.name,
        reference_data_id: args.reference_data,
        document_set_id: args.documents,
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
    let input = read_config(file, &text, &overrides)?;
    let config = session.workspace().create_config(&input)?;
    if args.json {
        print_json(&config, io)?;
        return Ok(EXIT_OK);
    }
    write_created(&config, io)
}

/// What `configs create` (and `strategies to-config`) print of a new config, its id first.
pub(crate) fn write_created(config: &MatchingConfig, io: &mut Io) -> Result<u8, CliError> {
    let mut table = Table::new();
    table
        .row("config", &config.id)
        .row("name", &config.name)
        .row("reference data", &config.reference_data_id)
        .row(
            "documents",
            config
                .document_set_id
                .as_deref()
                .unwrap_or("(every document set)"),
        )
        .row("fields", config.field_mappings.len().to_string())
        .row("threshold", score(Some(config.threshold)))
        .row("review floor", score(Some(config.review_floor)));
    table.write(io.out).map_err(io_err)?;
    Ok(EXIT_OK)
}

/// One config per line: id, then name, so `cut -d' ' -f1` gives the ids. `--json`: the service's
/// configs, oldest first as it lists them.
fn list(session: &Session, json: bool, io: &mut Io) -> Result<u8, CliError> {
    let configs = session.workspace().list_configs()?;
    if json {
        print_json(&configs, io)?;
        return Ok(EXIT_OK);
    }
    for config in configs {
        writeln!(io.out, "{}  {}", config.id, config.name).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// A config's settings, then one line per field mapping with the parameters it sets.
fn show(session: &Session, id: &str, json: bool, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    let config = ws.get_config(id)?;
    if json {
        print_json(&config, io)?;
        return Ok(EXIT_OK);
    }
    // A dataset deleted since is not an error here: the config is still worth reading.
    let dataset = |id: &str| match ws.get_dataset(id) {
        Ok(d) => format!("{id} ({}, {} rows)", d.name, thousands(d.row_count)),
        Err(_) => format!("{id} (not in this workspace)"),
    };
    let mut table = Table::new();
    table
        .row("config", &config.id)
        .row("name", &config.name)
        .row("reference data", dataset(&config.reference_data_id))
        .row(
            "documents",
            config
                .document_set_id
                .as_deref()
                .map_or_else(|| "(every document set)".to_string(), dataset),
        )
        .row("threshold", score(Some(config.threshold)))
        .row("review floor", score(Some(config.review_floor)))
        .row("one-to-one", if config.one_to_one { "yes" } else { "no" })
        .row("schedule", schedule(config.schedule.as_ref()))
        .row("created", &config.created_at)
        .row("updated", &config.updated_at)
        .row("fields", config.field_mappings.len().to_string());
    table.write(io.out).map_err(io_err)?;
    write_fields(&config, io)?;
    write_search(&service::candidate_search(&config), io)?;
    // Measured on the reference data by a run: the newest that has them, if any.
    if let Some((run_id, sizes)) = ws.latest_block_sizes(&config.id)? {
        write_block_sizes(&format!("block sizes measured by run {run_id}"), &sizes, io)?;
    }
    Ok(EXIT_OK)
}

/// The blocking keys a config names, or the keys Matchbook picked per field (`configs show` and
/// the summary of `run`).
pub(crate) fn write_search(search: &CandidateSearch, io: &mut Io) -> Result<(), CliError> {
    if !search.named_keys.is_empty() {
        let how = match search.strategy {
            BlockingStrategy::Parallel => "every key, candidates in union",
            BlockingStrategy::OrderedFallback => "each key in turn until one finds a candidate",
        };
        writeln!(
            io.out,
            "candidate search: blocking keys named by the config ({how}):"
        )
        .map_err(io_err)?;
        for (i, key) in search.named_keys.iter().enumerate() {
            writeln!(io.out, "  {}. {}", i + 1, key.fields.join(" + ")).map_err(io_err)?;
        }
        return Ok(());
    }
    writeln!(
        io.out,
        "candidate search (keys chosen from each field's comparison; a block of up to {} rows is \
         compared whole, a larger one only where the fields its rows agree on are rare together; \
         either way only rows that could reach the review floor, and any row that could reach \
         the threshold; blocks over {} rows are not walked):",
        search.compared_whole_up_to,
        thousands(u64::from(search.walked_up_to))
    )
    .map_err(io_err)?;
    let lines = search.fields.iter().map(|f: &FieldSearch| {
        let keys = if f.keys.is_empty() {
            "compared only, not searched".to_string()
        } else {
            f.keys.join(", ")
        };
        (format!("{} -> {}", f.source, f.target), keys)
    });
    write_field_lines(lines, io)
}

/// `  source -> target  text`, one line per field, the texts aligned.
fn write_field_lines(
    lines: impl Iterator<Item = (String, String)>,
    io: &mut Io,
) -> Result<(), CliError> {
    let lines: Vec<(String, String)> = lines.collect();
    let width = lines.iter().map(|(pair, _)| pair.len()).max().unwrap_or(0);
    for (pair, text) in &lines {
        writeln!(io.out, "  {pair:<width$}  {text}").map_err(io_err)?;
    }
    Ok(())
}

/// One line per field: how the reference rows fall into blocks of rows sharing one value, so an
/// oversized block (a common surname, "Ltd") shows (the summary of `run`, and `configs show` from
/// the config's newest run that measured them).
pub(crate) fn write_block_sizes(
    heading: &str,
    sizes: &BlockSizes,
    io: &mut Io,
) -> Result<(), CliError> {
    writeln!(
        io.out,
        "{heading} (rows sharing one value; median and p99 weighted by rows):"
    )
    .map_err(io_err)?;
    let lines = sizes.fields.iter().map(|f| {
        let text = field_blocks(f, sizes.compared_whole_up_to, sizes.walked_up_to);
        (format!("{} -> {}", f.source, f.target), text)
    });
    write_field_lines(lines, io)
}

/// `4,210 values; largest 1,203 rows ("smith"); median 3, p99 180; 38.0 % of rows in blocks over
/// 16, 0.0 % over 4,096`.
fn field_blocks(f: &FieldBlockSizes, compared_whole_up_to: u32, walked_up_to: u32) -> String {
    if f.rows_with_value == 0 {
        return "no values".into();
    }
    let plural = |n: u64, one: &str, many: &str| {
        format!("{} {}", thousands(n), if n == 1 { one } else { many })
    };
    let value = f
        .largest_value
        .as_deref()
        .map_or_else(String::new, |v| format!(" (\"{v}\")"));
    format!(
        "{}; largest {}{value}; median {}, p99 {}; {} of rows in blocks over {}, {} over {}",
        plural(f.values, "value", "values"),
        plural(f.largest, "row", "rows"),
        thousands(f.median),
        thousands(f.p99),
        percent(share(f.rows_over_compared_whole, f.rows_with_value)),
        thousands(u64::from(compared_whole_up_to)),
        percent(share(f.rows_over_walked, f.rows_with_value)),
        thousands(u64::from(walked_up_to)),
    )
}

fn schedule(s: Option<&Schedule>) -> String {
    match s {
        None => "never (runs only when started)".into(),
        Some(Schedule::IntervalMinutes(m)) => format!("every {m} min"),
        Some(Schedule::Cron(c)) => format!("cron \"{c}\""),
    }
}

/// `  source -> target  strategy  weight w  parameters`, columns aligned.
fn write_fields(config: &MatchingConfig, io: &mut Io) -> Result<(), CliError> {
    let fields = &config.field_mappings;
    let pair = |f: &FieldMapping| format!("{} -> {}", f.source, f.target);
    let w_pair = fields.iter().map(|f| pair(f).len()).max().unwrap_or(0);
    let w_strategy = fields
        .iter()
        .map(|f| f.strategy.as_str().len())
        .max()
        .unwrap_or(0);
    let w_weight = fields
        .iter()
        .map(|f| f.weight.to_string().len())
        .max()
        .unwrap_or(0);
    for f in fields {
        let mut line = format!(
            "  {:<w_pair$}  {:<w_strategy$}  weight {:<w_weight$}",
            pair(f),
            f.strategy.as_str(),
            f.weight.to_string()
        );
        let params = parameters(f);
        if !params.is_empty() {
            line.push_str("  ");
            line.push_str(&params.join(", "));
        }
        writeln!(io.out, "{}", line.trim_end()).map_err(io_err)?;
    }
    Ok(())
}

/// The parameters a mapping sets, in words; defaults left out, as the file left them out.
fn parameters(f: &FieldMapping) -> Vec<String> {
    // The enums' serde names are what the user wrote in the file.
    let name = |v: Value| v.as_str().map(str::to_string).unwrap_or_default();
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut out = Vec::new();
    if let Some(n) = f.normalizer {
        out.push(format!(
            "normalizer {}",
            name(serde_json::to_value(n).unwrap_or_default())
        ));
    }
    if let Some(m) = f.measure {
        out.push(format!(
            "measure {}",
            name(serde_json::to_value(m).unwrap_or_default())
        ));
    }
    if f.term_frequency == Some(true) {
        out.push("term frequency".into());
    }
    if let Some(t) = f.similarity_threshold {
        out.push(format!("min similarity {t}"));
    }
    if let Some(d) = f.tolerance_days {
        out.push(format!("within {d} days"));
    }
    if f.days_before.is_some() || f.days_after.is_some() {
        out.push(format!(
            "from {} days before to {} days after",
            f.days_before.unwrap_or(0),
            f.days_after.unwrap_or(0)
        ));
    }
    if let Some(o) = f.date_order {
        out.push(format!(
            "dates {}",
            name(serde_json::to_value(o).unwrap_or_default())
        ));
    }
    if let Some(p) = f.tolerance_percent {
        out.push(format!("within {p} %"));
    }
    if let Some(a) = f.tolerance_absolute {
        out.push(format!("within {a} absolute"));
    }
    if let Some(r) = &f.tax_rates {
        out.push(format!("tax rates {} %", list(r)));
    }
    if let Some(s) = &f.partial_shares {
        out.push(format!("partial shares {}", list(s)));
    }
    if let Some(s) = f.partial_score {
        out.push(format!("partial score {s}"));
    }
    if let Some(m) = f.mismatch_weight {
        out.push(format!("mismatch weight {m}"));
    }
    out
}
