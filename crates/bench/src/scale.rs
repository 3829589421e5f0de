//! The size benchmark: for each kind of data (invoices, people) and size, generate the data,
//! import it into a fresh workspace, run its config in a child process, score the results against
//! the generator's truth, check blocking recall on a sample, and print a markdown table at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use datagen::score::{self as eval, Evaluation};
use engine::run::{blocking_recall, BlockingRecall};
use matchbook_cli::Session;

use crate::child::ChildReport;
use crate::machine::{command_line, Machine};
use crate::workload::{Kind, Workload};
use crate::{BenchError, ScaleArgs, Size};

/// Default documents for the blocking-recall check, and the most pairs it may compare: at 1M
/// reference rows an exhaustive pair costs about a microsecond on the reference machine.
const RECALL_SAMPLE: usize = 500;
const RECALL_PAIR_BUDGET: usize = 50_000_000;

struct SizeResult {
    kind: Kind,
    threshold: f64,
    size: Size,
    generate_seconds: f64,
    csv_mib: f64,
    import_reference_seconds: f64,
    import_documents_seconds: f64,
    child: ChildReport,
    quality: Evaluation,
    /// `None` when skipped (`--recall-sample 0`).
    recall: Option<RecallSample>,
}

struct RecallSample {
    result: BlockingRecall,
    /// Of the matches missed, those the truth file confirms (the others were wrong anyway).
    missed_true: usize,
    seconds: f64,
}

pub fn run(args: &ScaleArgs) -> Result<(), BenchError> {
    let machine = Machine::detect();
    let (direct, cargo) = command_line();
    println!("# Matchbook benchmark");
    println!();
    println!("machine: {}", machine.describe());
    println!("seed {}", args.seed);
    if machine.debug_build {
        eprintln!("warning: this is a debug build; run with --release for numbers worth keeping");
    }
    let temp = match &args.keep {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("matchbook-bench-")
                .tempdir()
                .map_err(BenchError::io("cannot create a temporary folder"))?,
        ),
    };
    let root: PathBuf = match (&args.keep, &temp) {
        (Some(keep), _) => keep.clone(),
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => unreachable!("a temporary folder exists when --keep is absent"),
    };

    let mut results = Vec::new();
    for (kind, size) in rows(args) {
        // Invoice rows keep the plain size as their folder, as `cancel` and `review` expect.
        let dir = match kind {
            Kind::Invoices => root.join(size.to_string()),
            Kind::People => root.join(format!("people-{size}")),
        };
        let sample = args
            .recall_sample
            .unwrap_or_else(|| (RECALL_PAIR_BUDGET / size.reference).clamp(1, RECALL_SAMPLE));
        let r = bench_size(kind, size, args.seed, sample, &dir)?;
        print_size(&r);
        results.push(r);
    }

    println!();
    println!("## Summary");
    println!();
    print_table(&results);
    println!();
    println!("command: `{cargo}`");
    println!("(binary: `{direct}`)");
    println!("machine: {}", machine.describe());
    if let Some(keep) = &args.keep {
        println!("data and workspaces kept in {}", keep.display());
    }
    Ok(())
}

/// The rows asked for: each kind in `--data` at its sizes (people: `--people-sizes` originals,
/// about as many documents).
fn rows(args: &ScaleArgs) -> Vec<(Kind, Size)> {
    let mut rows = Vec::new();
    for &kind in &args.data {
        match kind {
            Kind::Invoices => rows.extend(args.sizes.iter().map(|&s| (kind, s))),
            Kind::People => rows.extend(args.people_sizes.iter().map(|&n| {
                let size = Size {
                    documents: n,
                    reference: n,
                };
                (kind, size)
            })),
        }
    }
    rows
}

fn bench_size(
    kind: Kind,
    size: Size,
    seed: u64,
    recall_sample: usize,
    dir: &Path,
) -> Result<SizeResult, BenchError> {
    let name = kind.name();
    eprintln!("[{name} {size}] generating data...");
    let data = Workload::generate(kind, size, seed, dir)?;
    let size = data.size;
    let workspace = fresh_workspace(dir)?;
    let (config_id, import_reference_seconds, import_documents_seconds) =
        import_data(&workspace, &data)?;

    eprintln!("[{name} {size}] running (child process)...");
    let child = run_child(&workspace, &config_id)?;
    if child.status != "completed" {
        return Err(BenchError::Failed(format!(
            "[{name} {size}] run {} ended {}: {}",
            child.run_id,
            child.status,
            child.error.as_deref().unwrap_or("no reason recorded")
        )));
    }

    eprintln!("[{name} {size}] scoring against the truth...");
    let quality = {
        let session = Session::open(&workspace, false)?;
        let (predictions, _) =
            matchbook_cli::predictions_of_run(session.workspace(), &child.run_id)?;
        eval::evaluate(&data.truth, &predictions)
    };
    let recall = recall_check(&data, recall_sample.min(size.documents))?;
    Ok(SizeResult {
        kind,
        threshold: data.threshold(),
        size,
        generate_seconds: data.seconds,
        csv_mib: data.csv_mib,
        import_reference_seconds,
        import_documents_seconds,
        child,
        quality,
        recall,
    })
}

/// The size's workspace file, removed with its journal files if an earlier run left them: a
/// fresh workspace each time, also with --keep, since numbers from a file that already holds an
/// earlier import would not be comparable.
fn fresh_workspace(dir: &Path) -> Result<PathBuf, BenchError> {
    let workspace = dir.join("workspace.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", workspace.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .map_err(BenchError::io(format!("cannot remove {}", p.display())))?;
        }
    }
    Ok(workspace)
}

/// Imports both files, timed each, and creates the config on them; returns the config's id and
/// the seconds of the reference and of the documents import.
fn import_data(workspace: &Path, data: &Workload) -> Result<(String, f64, f64), BenchError> {
    let session = Session::open(workspace, false)?;
    let ws = session.workspace();
    let (reference_import, documents_import) = data.imports();
    let size = data.size;
    eprintln!(
        "[{} {size}] importing {} reference rows...",
        data.kind.name(),
        size.reference
    );
    let t = Instant::now();
    let reference = ws.import_dataset(&reference_import)?;
    let import_reference_seconds = t.elapsed().as_secs_f64();
    eprintln!(
        "[{} {size}] importing {} documents...",
        data.kind.name(),
        size.documents
    );
    let t = Instant::now();
    let documents = ws.import_dataset(&documents_import)?;
    let import_documents_seconds = t.elapsed().as_secs_f64();
    let config = ws.create_config(&data.config(&reference.id, &documents.id))?;
    Ok((
        config.id,
        import_reference_seconds,
        import_documents_seconds,
    ))
    // The session closes here, before the child opens the file: no second worker around.
}

/// The blocking-recall check on `sample` documents spread over the file; `None` when `sample` is
/// 0. How many of the matches an exhaustive comparison finds candidate search keeps (the engine's
/// own check, `engine::run::blocking_recall`), outside the timed job: comparing every pair costs
/// documents x reference rows. The files are read with the importer, as the workspace import
/// reads them.
fn recall_check(data: &Workload, sample: usize) -> Result<Option<RecallSample>, BenchError> {
    if sample == 0 {
        return Ok(None);
    }
    eprintln!(
        "[{} {}] blocking recall on {sample} documents (exhaustive comparison)...",
        data.kind.name(),
        data.size
    );
    let t = Instant::now();
    let (plan, reference, documents) = data.read_for_recall(sample)?;
    let result = blocking_recall(&plan, &reference, &documents);
    let truth: std::collections::HashMap<&str, &str> = data
        .truth
        .iter()
        .filter_map(|t| Some((t.document_id.as_str(), t.reference_id.as_deref()?)))
        .collect();
    let missed_true = result
        .missed
        .iter()
        .filter(|(doc, row)| truth.get(doc.as_str()) == Some(&row.as_str()))
        .count();
    Ok(Some(RecallSample {
        result,
        missed_true,
        seconds: t.elapsed().as_secs_f64(),
    }))
}

/// Runs the config in a child process (`run-once`), so its peak memory is the job's alone.
fn run_child(workspace: &Path, config_id: &str) -> Result<ChildReport, BenchError> {
    let exe = std::env::current_exe().map_err(BenchError::io("cannot find this program"))?;
    let output = Command::new(exe)
        .arg("run-once")
        .arg("--workspace")
        .arg(workspace)
        .arg("--config")
        .arg(config_id)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(BenchError::io("cannot start the run process"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(BenchError::Failed(format!(
            "the run process failed ({}): {stdout}",
            output.status
        )));
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| {
            BenchError::Failed(format!("the run process printed no report: {stdout}"))
        })?;
    serde_json::from_str(line).map_err(|e| {
        BenchError::Failed(format!(
            "unreadable report from the run process ({e}): {line}"
        ))
    })
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "?".into(), |s| format!("{s:.2}"))
}

fn per_second(rows: f64, seconds: f64) -> String {
    if seconds > 0.0 {
        thousands((rows / seconds).round() as u64)
    } else {
        "?".into()
    }
}

pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    // The first group holds 1 to 3 digits, every later one exactly 3.
    let first = (digits.len() - 1) % 3 + 1;
    let mut out = digits[..first].to_string();
    let mut i = first;
    while let Some(group) = digits.get(i..i + 3) {
        out.push(',');
        out.push_str(group);
        i += 3;
    }
    out
}

fn score(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |x| format!("{x:.3}"))
}

fn print_size(r: &SizeResult) {
    let s = r.size;
    println!();
    println!(
        "## {}: {} documents x {} reference rows",
        r.kind.name(),
        thousands(s.documents as u64),
        thousands(s.reference as u64)
    );
    println!();
    print_import(r);
    print_run(&r.child);
    print_quality(&r.quality, r.threshold);
    println!("pairs compared    {}", pairs_line(r));
    match &r.recall {
        Some(b) => println!(
            "blocking recall   {:.4} (candidates kept {} of the {} best rows an exhaustive \
             comparison finds over the threshold; of the {} missed, {} the true match; {} \
             documents spread over the file; check took {:.1} s, not part of the job)",
            b.result.recall(),
            b.result.kept,
            b.result.exhaustive_matches,
            b.result.missed.len(),
            b.missed_true,
            b.result.documents,
            b.seconds
        ),
        None => println!("blocking recall   skipped (--recall-sample 0)"),
    }
}

/// The lines on generating and importing the data.
fn print_import(r: &SizeResult) {
    let s = r.size;
    let import_total = r.import_reference_seconds + r.import_documents_seconds;
    println!(
        "generate data     {:.2} s, {:.1} MiB of CSV (not part of the job)",
        r.generate_seconds, r.csv_mib
    );
    println!(
        "import reference  {:.2} s ({} rows/s)",
        r.import_reference_seconds,
        per_second(s.reference as f64, r.import_reference_seconds)
    );
    println!(
        "import documents  {:.2} s ({} rows/s)",
        r.import_documents_seconds,
        per_second(s.documents as f64, r.import_documents_seconds)
    );
    println!(
        "import total      {:.2} s ({} rows/s)",
        import_total,
        per_second((s.reference + s.documents) as f64, import_total)
    );
}

/// The lines on the run: its time, its phases, its memory and what it matched.
fn print_run(c: &ChildReport) {
    println!(
        "run               {:.2} s end to end ({} documents/s)",
        c.total_seconds,
        per_second(c.rows_processed as f64, c.total_seconds)
    );
    println!(
        "  queue + load documents  {} s",
        secs(c.queue_documents_seconds)
    );
    println!(
        "  load + index            {} s (loading_reference phase)",
        secs(c.load_index_seconds)
    );
    println!(
        "  score + write           {} s (matching phase)",
        secs(c.score_write_seconds)
    );
    println!("  finalize                {} s", secs(c.finalize_seconds));
    println!(
        "peak memory       {} MiB (VmHWM of the run process)",
        peak_mib(c)
    );
    println!(
        "matched           {} of {} ({:.1} %), avg confidence {}",
        c.rows_matched,
        c.rows_processed,
        matched_percent(c),
        score(c.avg_confidence)
    );
}

fn print_quality(q: &Evaluation, threshold: f64) {
    println!(
        "quality           P {}  R {}  F1 {} at threshold {threshold} (against the generator's truth)",
        score(q.top1.precision),
        score(q.top1.recall),
        score(q.top1.f1)
    );
    match &q.best_f1_threshold {
        Some(b) => println!(
            "best-F1 threshold {:.3}: P {}  R {}  F1 {}",
            b.threshold,
            score(b.scores.precision),
            score(b.scores.recall),
            score(b.scores.f1)
        ),
        None => println!("best-F1 threshold none"),
    }
}

fn peak_mib(c: &ChildReport) -> String {
    c.peak_memory_mib
        .map_or_else(|| "?".into(), |m| format!("{m:.0}"))
}

fn matched_percent(c: &ChildReport) -> f64 {
    if c.rows_processed > 0 {
        100.0 * c.rows_matched as f64 / c.rows_processed as f64
    } else {
        0.0
    }
}

fn all_pairs(size: Size) -> f64 {
    size.documents as f64 * size.reference as f64
}

fn pairs_line(r: &SizeResult) -> String {
    match r.child.pairs_compared {
        Some(p) => format!(
            "{} ({:.4} % of all {} pairs)",
            thousands(p),
            100.0 * p as f64 / all_pairs(r.size),
            thousands(all_pairs(r.size) as u64)
        ),
        None => "n/a (the run did not report pairs_compared)".into(),
    }
}

fn print_table(results: &[SizeResult]) {
    println!(
        "| data | documents x reference | import ref (s) | import docs (s) | import rows/s | run (s) | \
         load+index (s) | score+write (s) | finalize (s) | documents/s | peak MiB | matched | \
         P | R | F1 | pairs compared (share of all) | blocking recall (sample) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in results {
        let c = &r.child;
        let import_total = r.import_reference_seconds + r.import_documents_seconds;
        let q = &r.quality;
        println!(
            "| {} | {} x {} | {:.2} | {:.2} | {} | {:.2} | {} | {} | {} | {} | {} | {:.1} % | {} | {} | {} | {} | {} |",
            r.kind.name(),
            thousands(r.size.documents as u64),
            thousands(r.size.reference as u64),
            r.import_reference_seconds,
            r.import_documents_seconds,
            per_second((r.size.reference + r.size.documents) as f64, import_total),
            c.total_seconds,
            secs(c.load_index_seconds),
            secs(c.score_write_seconds),
            secs(c.finalize_seconds),
            per_second(c.rows_processed as f64, c.total_seconds),
            peak_mib(c),
            matched_percent(c),
            score(q.top1.precision),
            score(q.top1.recall),
            score(q.top1.f1),
            c.pairs_compared.map_or_else(
                || "n/a".into(),
                |p| format!("{:.4} %", 100.0 * p as f64 / all_pairs(r.size))
            ),
            r.recall.as_ref().map_or_else(
                || "n/a".into(),
                |b| {
                    format!(
                        "{:.4} (n={}; true matches missed: {})",
                        b.result.recall(),
                        b.result.documents,
                        b.missed_true
                    )
                }
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
