//! The `packages` subcommand: how long a package run takes once its configs' indexes are warm.
//! On a copy of a workspace the scale benchmark kept, it makes a package config of three slots
//! over the workspace's config (invoice required, delivery note expected, contract optional),
//! runs one bundle of three of the workspace's documents cold (the warm index built) and then
//! `--runs` more, and prints the build time and the p50, p99 and worst of the warm runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use engine::package::{DocumentTypeConfig, Presence};
use engine::DatasetKind;
use matchbook_cli::Session;
use service::{InputRow, PackageConfigInput, PackageRunInput};

use crate::{kept, BenchError};

#[derive(Debug, Args)]
pub struct PackagesArgs {
    /// A workspace the scale benchmark kept, e.g. DIR/100000x1000000/workspace.sqlite (a copy is
    /// worked on).
    #[arg(long)]
    workspace: PathBuf,
    /// The config every slot uses; default: the workspace's only config.
    #[arg(long)]
    config: Option<String>,
    /// Warm package runs to time.
    #[arg(long, default_value_t = 1000)]
    runs: usize,
}

pub fn run(args: &PackagesArgs) -> Result<(), BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("a temporary folder"))?;
    let copy = kept::copy_workspace(&args.workspace, dir.path())?;
    let session = Session::open(&copy, false)?;
    let ws = session.workspace();
    let config = kept::config_id(ws, args.config.as_deref())?;
    let slot = |t: &str, presence| DocumentTypeConfig {
        document_type: t.into(),
        matching_config_id: config.clone(),
        presence,
    };
    let package = ws.create_package_config(&PackageConfigInput {
        name: "bench".into(),
        document_type_configs: vec![
            slot("invoice", Presence::Required),
            slot("delivery_note", Presence::Expected),
            slot("contract", Presence::Optional),
        ],
        pass_criteria: None,
        rules: None,
    })?;
    let set = ws
        .list_datasets()?
        .into_iter()
        .find(|d| d.kind == DatasetKind::Documents)
        .ok_or_else(|| BenchError::Usage("the workspace has no document set".into()))?;
    let page = ws.dataset_rows(&set.id, Some(1), Some(3))?;
    let rows: Vec<InputRow> = page
        .rows
        .iter()
        .map(|r| InputRow {
            document_id: r.id.clone(),
            extraction_row_id: None,
            values: page
                .columns
                .iter()
                .cloned()
                .zip(
                    r.values
                        .iter()
                        .map(|v| serde_json::Value::String(v.clone())),
                )
                .collect(),
        })
        .collect();
    if rows.len() < 3 {
        return Err(BenchError::Usage(
            "the document set has fewer than 3 rows".into(),
        ));
    }
    let input = PackageRunInput {
        package_config_id: package.id,
        input_documents: BTreeMap::from([
            ("invoice".to_string(), vec![rows[0].clone()]),
            ("delivery_note".to_string(), vec![rows[1].clone()]),
            ("contract".to_string(), vec![rows[2].clone()]),
        ]),
    };
    let cold = Instant::now();
    let first = ws.run_package(&input)?;
    let cold = cold.elapsed();
    let mut times = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = Instant::now();
        ws.run_package(&input)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!("package of 3 documents, verdict {}", first.status.as_str());
    println!(
        "first run (rows loaded, index built): {:.0} ms",
        cold.as_secs_f64() * 1000.0
    );
    if !times.is_empty() {
        println!(
            "{} warm runs: p50 {:.1} ms, p99 {:.1} ms, worst {:.1} ms",
            times.len(),
            at(0.5),
            at(0.99),
            times[times.len() - 1]
        );
    }
    Ok(())
}
