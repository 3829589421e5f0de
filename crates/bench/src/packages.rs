//! The `packages` subcommand: how long a package run takes once its configs' indexes are warm.
//! On a copy of a workspace the scale benchmark kept, it makes a package config of three slots
//! over the workspace's config (invoice required, delivery note expected, contract optional),
//! runs one bundle of three of the workspace's documents cold (the warm index built) and then
//! `--runs` more, and prints the build time and the p50, p99 and worst of the warm runs; then the
//! same bundle `--runs` times over HTTP on loopback (the REST API, one kept-alive connection), and
//! the resident memory at the start, with the index warm, and after the idle index is freed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use engine::package::{DocumentTypeConfig, Presence};
use engine::DatasetKind;
use matchbook_cli::Session;
use service::{InputRow, PackageConfigInput, PackageRunInput};

use crate::machine::proc_field;
use crate::{kept, BenchError};

/// The resident memory now, in MiB: all of it, and the anonymous part (the heap; the rest is the
/// workspace file's pages that SQLite maps, which the kernel drops when it needs them). `None`
/// without /proc.
fn rss_mib() -> Option<(f64, f64)> {
    let field = |key: &str| {
        proc_field("/proc/self/status", key)
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmRSS")?, field("RssAnon")?))
}

fn mib(m: Option<(f64, f64)>) -> String {
    m.map_or("?".into(), |(all, anon)| {
        format!("{all:.0} MiB ({anon:.0} MiB heap)")
    })
}

/// p50, p99 and worst of `times` (ms), sorted here.
fn quantiles(times: &mut [f64]) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), times[times.len() - 1])
}

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
    let rss_start = rss_mib();
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
    println!("package of 3 documents, verdict {}", first.status.as_str());
    println!(
        "first run (rows loaded, index built): {:.0} ms",
        cold.as_secs_f64() * 1000.0
    );
    if !times.is_empty() {
        let (p50, p99, worst) = quantiles(&mut times);
        println!(
            "{} warm runs through the service: p50 {p50:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms",
            times.len()
        );
        let mut http = over_http(&session, &input, args.runs)?;
        let (p50, p99, worst) = quantiles(&mut http);
        println!(
            "{} warm runs over HTTP (loopback, keep-alive): p50 {p50:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms",
            http.len()
        );
    }
    let rss_warm = rss_mib();
    // What the idle timer does once the index has been unused for its idle time.
    let freed = ws.free_idle_indexes(Duration::ZERO);
    std::thread::sleep(Duration::from_secs(3));
    println!(
        "resident memory: {} at the start, {} with the index warm, {} after the idle index is freed ({freed} freed)",
        mib(rss_start),
        mib(rss_warm),
        mib(rss_mib())
    );
    Ok(())
}

/// Times `runs` package runs of `input` through the REST API on loopback: the server in this
/// process on the session's runtime, one kept-alive connection, a minimal HTTP/1.1 client (so the
/// time is the server's, not a client library's).
fn over_http(
    session: &Session,
    input: &PackageRunInput,
    runs: usize,
) -> Result<Vec<f64>, BenchError> {
    let key = session.workspace().rotate_api_key()?.key;
    let server = session
        .runtime()
        .block_on(api::Server::start(
            session.shared(),
            api::ServeOptions::default(),
        ))
        .map_err(|e| BenchError::Usage(e.to_string()))?;
    let body = serde_json::to_string(input).map_err(|e| BenchError::Usage(e.to_string()))?;
    let request = format!(
        "POST /v1/matching/packages/runs HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr(),
        body.len()
    );
    let io = || BenchError::io("the loopback connection");
    let stream = TcpStream::connect(server.addr()).map_err(io())?;
    stream.set_nodelay(true).map_err(io())?;
    let mut reader = BufReader::new(stream.try_clone().map_err(io())?);
    let mut writer = stream;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        writer.write_all(request.as_bytes()).map_err(io())?;
        let status = read_response(&mut reader).map_err(io())?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if status != 201 {
            return Err(BenchError::Usage(format!(
                "the package run over HTTP answered {status}"
            )));
        }
    }
    session.runtime().block_on(server.stop());
    Ok(times)
}

/// Reads one response (status line, headers, a body of Content-Length bytes); returns the status.
fn read_response(r: &mut impl BufRead) -> std::io::Result<u16> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body)?;
    Ok(status)
}
