//! The `review` subcommand: how fast the review desk's backend calls answer on a run with many
//! results (100,000 with `--sizes 100000x...`). It works on a copy of a workspace the scale
//! benchmark kept, times each call several times after a warm-up, and prints a markdown table for
//! docs/PERFORMANCE.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use engine::{ConfigInput, MatchingConfig, ResultPage, ReviewStatus, Run, RunStatus};
use matchbook_cli::Session;
use service::{
    BulkApproveInput, ExportFormat, ExportRequest, ResultQuery, ResultSort, RunFilter, Workspace,
};

use crate::machine::{command_line, Machine};
use crate::scale::thousands;
use crate::{kept, BenchError};

/// Rows per page: the most the desk asks for at once.
const PAGE_LIMIT: u32 = 200;
/// Documents the config builder's "try on 20 documents" matches.
const PREVIEW_DOCUMENTS: u32 = 20;
/// Text no result holds, so the search scans everything and finds nothing.
const NO_HIT: &str = "zq-no-such-text-qz";

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// A workspace the scale benchmark kept, e.g. DIR/100000x200000/workspace.sqlite. It is copied
    /// to a temporary folder first; decisions and exports go to the copy only.
    #[arg(long)]
    workspace: PathBuf,
    /// The config whose latest completed run is reviewed (run once if it has none); default: the
    /// workspace's only config.
    #[arg(long)]
    config: Option<String>,
    /// Timed calls per measurement, after one untimed warm-up call.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    repetitions: u32,
    /// Bulk approval covers the pending results at or above this confidence.
    #[arg(long, default_value_t = 0.9)]
    bulk_at: f64,
}

/// Median and slowest of a measurement's timed calls.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stats {
    median: Duration,
    max: Duration,
}

impl Stats {
    /// `None` without samples. With an even count the median is the mean of the middle two.
    fn of(samples: &[Duration]) -> Option<Stats> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let max = *sorted.last()?;
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        };
        Some(Stats { median, max })
    }
}

struct Row {
    call: &'static str,
    what: String,
    stats: Option<Stats>,
    notes: String,
}

/// The measurements so far, in the order they are printed.
struct Table {
    repetitions: u32,
    rows: Vec<Row>,
}

impl Table {
    /// Calls `f` once to warm caches (SQLite's page cache, the OS file cache), then
    /// `repetitions` times timed; returns the last answer, from which `notes` describes the row.
    fn time<T>(
        &mut self,
        call: &'static str,
        what: impl Into<String>,
        mut f: impl FnMut() -> Result<T, BenchError>,
        notes: impl FnOnce(&T) -> String,
    ) -> Result<T, BenchError> {
        let what = what.into();
        eprintln!("{call}: {what}...");
        let mut last = f()?;
        let mut samples = Vec::with_capacity(self.repetitions as usize);
        for _ in 0..self.repetitions {
            let t = Instant::now();
            last = f()?;
            samples.push(t.elapsed());
        }
        self.push(call, what, &samples, notes(&last));
        Ok(last)
    }

    fn push(
        &mut self,
        call: &'static str,
        what: impl Into<String>,
        samples: &[Duration],
        notes: String,
    ) {
        self.rows.push(Row {
            call,
            what: what.into(),
            stats: Stats::of(samples),
            notes,
        });
    }

    fn print(&self) {
        println!("| call | what | median ms | max ms | notes |");
        println!("|---|---|---:|---:|---|");
        for r in &self.rows {
            let (median, max) = r
                .stats
                .map_or_else(|| ("".into(), "".into()), |s| (ms(s.median), ms(s.max)));
            println!(
                "| `{}` | {} | {median} | {max} | {} |",
                r.call, r.what, r.notes
            );
        }
    }
}

/// Two decimals below 1 ms and one below 10 ms, so a fast call does not read as 0; whole
/// milliseconds above, where finer digits are noise on a shared machine.
fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{ms:.2}")
    } else if ms < 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

fn results_text(n: u64) -> String {
    match n {
        1 => "1 result".into(),
        n => format!("{} results", thousands(n)),
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

pub fn run(args: &ReviewArgs) -> Result<(), BenchError> {
    if !(args.bulk_at > 0.0 && args.bulk_at <= 1.0) {
        return Err(BenchError::Usage(format!(
            "--bulk-at must be above 0 and at most 1, not {}",
            args.bulk_at
        )));
    }
    let machine = Machine::detect();
    if machine.debug_build {
        eprintln!("warning: this is a debug build; run with --release for numbers worth keeping");
    }
    let temp = tempfile::Builder::new()
        .prefix("matchbook-bench-review-")
        .tempdir()
        .map_err(BenchError::io("cannot create a temporary folder"))?;
    eprintln!("copying {} ...", args.workspace.display());
    let copy = kept::copy_workspace(&args.workspace, temp.path())?;
    // Declared after `temp`, so it is closed before the folder is removed.
    let session = Session::open(&copy, false)?;
    let ws = session.workspace();
    let config = ws.get_config(&kept::config_id(ws, args.config.as_deref())?)?;
    let run = reviewed_run(ws, &config)?;

    let mut table = Table {
        repetitions: args.repetitions,
        rows: Vec::new(),
    };
    let results = measure(ws, &config, &run, args.bulk_at, temp.path(), &mut table)?;

    let (direct, cargo) = command_line();
    println!("# Review desk at {} results", thousands(results));
    println!();
    println!("machine: {}", machine.describe());
    println!(
        "run {} of config \"{}\" ({} results, threshold {}, review floor {}); each call warmed \
         once, then timed {} times; on a copy of {}",
        run.id,
        config.name,
        thousands(results),
        config.threshold,
        config.review_floor,
        args.repetitions,
        args.workspace.display()
    );
    println!();
    table.print();
    println!();
    println!("command: `{cargo}`");
    println!("(binary: `{direct}`)");
    Ok(())
}

/// The config's latest completed run, or a fresh one when it has none.
fn reviewed_run(ws: &Workspace, config: &MatchingConfig) -> Result<Run, BenchError> {
    let latest = ws.run_page(&RunFilter {
        config_id: Some(config.id.clone()),
        status: Some(RunStatus::Completed),
        limit: Some(1),
        page: None,
    })?;
    if let Some(run) = latest.data.into_iter().next() {
        return Ok(run);
    }
    eprintln!("no completed run of {}; running it...", config.name);
    let run = kept::run_to_end(ws, &config.id)?;
    if run.status != RunStatus::Completed {
        return Err(BenchError::Failed(format!(
            "run {} ended {}: {}",
            run.id,
            run.status.as_str(),
            run.error.as_deref().unwrap_or("no reason recorded")
        )));
    }
    Ok(run)
}

/// Times the desk's calls in the order a reviewer meets them; returns the run's result count.
fn measure(
    ws: &Workspace,
    config: &MatchingConfig,
    run: &Run,
    bulk_at: f64,
    dir: &Path,
    table: &mut Table,
) -> Result<u64, BenchError> {
    let run_id = run.id.as_str();
    let (results, deep_document) = time_queue_pages(ws, run_id, table)?;
    time_searches(ws, run_id, config, deep_document, table)?;
    time_overviews(ws, run_id, table)?;
    bulk(ws, run_id, bulk_at, table)?;
    time_after_bulk(ws, run_id, table)?;
    time_exports(ws, run_id, dir, table)?;
    let input = config_input(config)?;
    table.time(
        "preview_config",
        format!("the run's config on {PREVIEW_DOCUMENTS} documents"),
        || Ok(ws.preview_config(&input, Some(PREVIEW_DOCUMENTS))?),
        |p| {
            format!(
                "loads all {} reference rows each time",
                thousands(p.reference_rows)
            )
        },
    )?;
    Ok(results)
}

/// A call of `list_results` with `q`, to time.
fn list<'a>(
    ws: &'a Workspace,
    run_id: &'a str,
    q: ResultQuery,
) -> impl FnMut() -> Result<ResultPage, BenchError> + 'a {
    move || Ok(ws.list_results(run_id, &q)?)
}

/// A full page of the queue in the given order.
fn page_query(sort: ResultSort, page: u32) -> ResultQuery {
    ResultQuery {
        sort: Some(sort),
        page: Some(page),
        limit: Some(PAGE_LIMIT),
        ..ResultQuery::default()
    }
}

fn hits(p: &ResultPage) -> String {
    results_text(p.total)
}

/// The queue as a run leaves it, every result pending: the first page and one deep in it, in
/// each order. Returns the run's result count and the first document of the deep page in
/// confidence order, if any.
fn time_queue_pages(
    ws: &Workspace,
    run_id: &str,
    table: &mut Table,
) -> Result<(u64, Option<String>), BenchError> {
    let first = table.time(
        "list_results",
        format!("first page ({PAGE_LIMIT}), confidence best first"),
        list(ws, run_id, page_query(ResultSort::ConfidenceDesc, 1)),
        hits,
    )?;
    let results = first.total;
    let pages = results.div_ceil(u64::from(PAGE_LIMIT)).max(1) as u32;
    // Four fifths in: the end of the queue without the short last page.
    let deep = (pages * 4 / 5).max(1);
    let mut deep_document = None;
    for (sort, name) in [
        (ResultSort::ConfidenceDesc, "confidence best first"),
        (ResultSort::Document, "by document"),
        (ResultSort::ConfidenceAsc, "confidence ascending"),
    ] {
        if sort != ResultSort::ConfidenceDesc {
            table.time(
                "list_results",
                format!("first page, {name}"),
                list(ws, run_id, page_query(sort, 1)),
                hits,
            )?;
        }
        let page = table.time(
            "list_results",
            format!("page {deep} of {pages}, {name}"),
            list(ws, run_id, page_query(sort, deep)),
            |p| {
                format!(
                    "{} rows from offset {}",
                    p.data.len(),
                    thousands(u64::from((deep - 1) * PAGE_LIMIT))
                )
            },
        )?;
        if sort == ResultSort::ConfidenceDesc {
            deep_document = page.data.first().map(|r| r.document_id.clone());
        }
    }
    Ok((results, deep_document))
}

/// Searches for one document's id (`few`, a handful of hits) and for text nothing holds, with
/// and without the review band; then the band and the pending status as filters alone.
fn time_searches(
    ws: &Workspace,
    run_id: &str,
    config: &MatchingConfig,
    few: Option<String>,
    table: &mut Table,
) -> Result<(), BenchError> {
    let band = (Some(config.review_floor), Some(config.threshold));
    let band_name = format!("confidence {} to {}", config.review_floor, config.threshold);
    let few = few.unwrap_or_else(|| NO_HIT.to_string());
    for (text, label) in [(few.as_str(), "few hits"), (NO_HIT, "no hit")] {
        for (range, range_name) in [
            ((None, None), String::new()),
            (band, format!(", {band_name}")),
        ] {
            table.time(
                "list_results",
                format!("search \"{text}\" ({label}){range_name}"),
                list(
                    ws,
                    run_id,
                    ResultQuery {
                        search: Some(text.to_string()),
                        min_confidence: range.0,
                        max_confidence: range.1,
                        limit: Some(PAGE_LIMIT),
                        ..ResultQuery::default()
                    },
                ),
                hits,
            )?;
        }
    }
    let band_query = ResultQuery {
        min_confidence: band.0,
        max_confidence: band.1,
        limit: Some(PAGE_LIMIT),
        ..ResultQuery::default()
    };
    table.time(
        "list_results",
        format!("first page, {band_name}"),
        list(ws, run_id, band_query),
        hits,
    )?;
    table.time(
        "list_results",
        "first page, status pending",
        list(ws, run_id, pending_query()),
        hits,
    )?;
    Ok(())
}

fn pending_query() -> ResultQuery {
    ResultQuery {
        status: Some(ReviewStatus::Pending),
        limit: Some(PAGE_LIMIT),
        ..ResultQuery::default()
    }
}

/// The counters, the run's summary and the runs list, before anything is reviewed.
fn time_overviews(ws: &Workspace, run_id: &str, table: &mut Table) -> Result<(), BenchError> {
    table.time(
        "review_counts",
        "counters, nothing reviewed yet",
        || Ok(ws.review_counts(run_id)?),
        |c| format!("{} pending", thousands(c.pending)),
    )?;
    table.time(
        "run_summary",
        "histogram, bands and counters",
        || Ok(ws.run_summary(run_id)?),
        |s| {
            format!(
                "{} matched, {} in review band",
                thousands(s.matched),
                thousands(s.review)
            )
        },
    )?;
    table.time(
        "run_page",
        "runs list, first page",
        || Ok(ws.run_page(&RunFilter::default())?),
        |p| match p.total {
            1 => "1 run".into(),
            n => format!("{} runs", thousands(n)),
        },
    )?;
    Ok(())
}

/// The desk after the bulk approval that `bulk` left in place.
fn time_after_bulk(ws: &Workspace, run_id: &str, table: &mut Table) -> Result<(), BenchError> {
    table.time(
        "review_counts",
        "counters after the bulk approval",
        || Ok(ws.review_counts(run_id)?),
        |c| {
            format!(
                "{} approved, {} reviewed today",
                thousands(c.approved),
                thousands(c.reviewed_today)
            )
        },
    )?;
    table.time(
        "list_results",
        "first page, status pending, after the bulk approval",
        list(ws, run_id, pending_query()),
        hits,
    )?;
    table.time(
        "list_results",
        "first page, recently reviewed first, after the bulk approval",
        list(ws, run_id, page_query(ResultSort::RecentlyReviewed, 1)),
        hits,
    )?;
    Ok(())
}

/// The export of the run as CSV and as XLSX, into `dir`.
fn time_exports(
    ws: &Workspace,
    run_id: &str,
    dir: &Path,
    table: &mut Table,
) -> Result<(), BenchError> {
    for (format, extension) in [(ExportFormat::Csv, "csv"), (ExportFormat::Xlsx, "xlsx")] {
        let path = dir.join(format!("export.{extension}"));
        let request = ExportRequest {
            run_id: run_id.to_string(),
            path: path.display().to_string(),
            format,
            include_unreviewed_matches: None,
        };
        table.time(
            "export_results",
            format!(
                "{} (approved matches + unmatched)",
                extension.to_uppercase()
            ),
            || Ok(ws.export_results(&request)?),
            |o| {
                format!(
                    "{} matched + {} unmatched rows, {}",
                    thousands(o.matched),
                    thousands(o.unmatched),
                    std::fs::metadata(&path)
                        .map_or_else(|_| "size unknown".into(), |m| mib(m.len()))
                )
            },
        )?;
    }
    Ok(())
}

/// Times `bulk_approve_count`, then bulk approval and its undo in turns on the same results; the
/// last approval stays, so the export and the later counters see a reviewed run.
fn bulk(ws: &Workspace, run_id: &str, at: f64, table: &mut Table) -> Result<(), BenchError> {
    let query = ResultQuery::default();
    let expected = table.time(
        "bulk_approve_count",
        format!("pending results at confidence >= {at}"),
        || Ok(ws.bulk_approve_count(run_id, &query, at)?),
        |n| results_text(*n),
    )?;
    if expected == 0 {
        table.push(
            "bulk_approve",
            format!("at confidence >= {at}"),
            &[],
            "nothing qualifies".into(),
        );
        return Ok(());
    }
    let input = BulkApproveInput {
        query: query.clone(),
        min_confidence: at,
        expected,
        notes: None,
    };
    eprintln!("bulk_approve and revert_decisions of {expected} results...");
    let mut approve = Vec::new();
    let mut revert = Vec::new();
    // The first turn warms up; every undo must leave the same results pending again, or the
    // next approval would not be the same work (and would be refused as a conflict).
    for turn in 0..=table.repetitions {
        let t = Instant::now();
        let outcome = ws.bulk_approve(run_id, &input)?;
        let approved = t.elapsed();
        let t = Instant::now();
        ws.revert_decisions(run_id, &outcome.decisions)?;
        let reverted = t.elapsed();
        if turn > 0 {
            approve.push(approved);
            revert.push(reverted);
        }
    }
    let approved = ws.bulk_approve(run_id, &input)?.decisions.len();
    table.push(
        "bulk_approve",
        "approve those, one transaction",
        &approve,
        format!("{} decisions", thousands(approved as u64)),
    );
    table.push(
        "revert_decisions",
        "undo of that bulk approval",
        &revert,
        format!("{} decisions", thousands(approved as u64)),
    );
    Ok(())
}

/// The stored config as the config builder would send it to a preview. `ConfigInput` refuses
/// the stored config's own fields (id, dates), so the engine's conversion makes it.
fn config_input(config: &MatchingConfig) -> Result<ConfigInput, BenchError> {
    Ok(config.to_input())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn stats_take_the_middle_and_the_slowest() {
        assert_eq!(Stats::of(&[]), None);
        let odd = Stats::of(&ms(&[30, 10, 20])).unwrap();
        assert_eq!(
            (odd.median, odd.max),
            (Duration::from_millis(20), Duration::from_millis(30))
        );
        let even = Stats::of(&ms(&[40, 10, 20, 30])).unwrap();
        assert_eq!(even.median, Duration::from_millis(25));
        assert_eq!(even.max, Duration::from_millis(40));
    }
}
