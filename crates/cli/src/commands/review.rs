//! `runs`, `results`, `review`, `approve-all`, `history` and `export`: what a reviewer does in the window, for scripts. Each
//! prints a table for people or, with `--json`, the service's own JSON shapes.

use engine::{ReviewStatus, RunStatus};
use service::{
    BulkApproveInput, ErrorCode, ExportFormat, ExportRequest, ResultQuery, ReviewInput, RunFilter,
};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{percent, score, Table};
use crate::session::Session;
use crate::Io;

/// Runs, newest first: id, status, config, rows matched of processed, average confidence.
pub fn runs(
    session: &Session,
    config_id: Option<String>,
    status: Option<RunStatus>,
    limit: u32,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let page = session.workspace().run_page(&RunFilter {
        config_id,
        status,
        limit: Some(limit),
        page: None,
    })?;
    if json {
        print_json(&page, io)?;
        return Ok(EXIT_OK);
    }
    for r in &page.data {
        writeln!(
            io.out,
            "{}  {:<9}  {}/{} matched  avg {}  {}",
            r.id,
            r.status.as_str(),
            r.rows_matched.unwrap_or(0),
            r.rows_processed.unwrap_or(0),
            score(r.avg_confidence),
            r.config_name
        )
        .map_err(io_err)?;
    }
    if page.total > page.data.len() as u64 {
        writeln!(
            io.err,
            "({} of {} runs; --limit shows more)",
            page.data.len(),
            page.total
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// Filters of `results`, as the review queue has them.
pub struct ResultsArgs {
    pub run_id: String,
    pub status: Option<ReviewStatus>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub search: Option<String>,
    pub page: u32,
    pub limit: u32,
    pub json: bool,
}

/// A page of a run's results: result id, status, confidence, document, matched row.
pub fn results(session: &Session, a: ResultsArgs, io: &mut Io) -> Result<u8, CliError> {
    let page = session.workspace().list_results(
        &a.run_id,
        &ResultQuery {
            status: a.status,
            min_confidence: a.min,
            max_confidence: a.max,
            search: a.search,
            sort: None,
            page: Some(a.page),
            limit: Some(a.limit),
        },
    )?;
    if a.json {
        print_json(&page, io)?;
        return Ok(EXIT_OK);
    }
    for r in &page.data {
        writeln!(
            io.out,
            "{}  {:<8}  {:>7}  {}  -> {}",
            r.id,
            r.status.as_str(),
            percent(Some(r.confidence)),
            r.document_id,
            r.matched_reference_row_id
                .as_deref()
                .unwrap_or("(no match)")
        )
        .map_err(io_err)?;
    }
    writeln!(
        io.err,
        "(page {} of {} results, {} per page)",
        page.page, page.total, page.limit
    )
    .map_err(io_err)?;
    Ok(EXIT_OK)
}

/// Approves or rejects one result, optionally pairing it with another of its candidates.
pub fn review(
    session: &Session,
    run_id: &str,
    result_id: &str,
    input: ReviewInput,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let r = session
        .workspace()
        .review_result(run_id, result_id, &input)?;
    if json {
        print_json(&r, io)?;
    } else {
        result_table(&r, io)?;
    }
    Ok(EXIT_OK)
}

/// Writes a run's matches and unmatched documents; the format follows the file's extension
/// unless given.
pub fn export(
    session: &Session,
    run_id: &str,
    out: &std::path::Path,
    format: Option<ExportFormat>,
    include_unreviewed: bool,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let format = match format {
        Some(f) => f,
        None => match out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx") => ExportFormat::Xlsx,
            Some("csv") => ExportFormat::Csv,
            _ => {
                return Err(CliError::Usage(format!(
                    "{}: say --format csv or xlsx, or name the file .csv or .xlsx",
                    out.display()
                )))
            }
        },
    };
    let outcome = session.workspace().export_results(&ExportRequest {
        run_id: run_id.to_string(),
        path: out.display().to_string(),
        format,
        include_unreviewed_matches: Some(include_unreviewed),
    })?;
    if json {
        print_json(&outcome, io)?;
        return Ok(EXIT_OK);
    }
    let mut table = Table::new();
    table
        .row("file", &outcome.path)
        .row("matched", outcome.matched.to_string())
        .row("unmatched", outcome.unmatched.to_string());
    table.write(io.out).map_err(io_err)?;
    unreviewed_note(&outcome, io)?;
    Ok(EXIT_OK)
}

/// Says why matches the run found are not among the exported ones: only approved matches are
/// exported unless asked, so a fresh run's export has no matches at all, which reads like a
/// broken run without this.
fn unreviewed_note(outcome: &service::ExportOutcome, io: &mut Io) -> Result<(), CliError> {
    let left = outcome.unreviewed_left_out;
    if left == 0 {
        return Ok(());
    }
    let (matches, are) = if left == 1 {
        ("match", "is")
    } else {
        ("matches", "are")
    };
    let text = if outcome.matched == 0 {
        format!(
            "note: nothing is approved yet, so no match was exported; {left} unreviewed \
             {matches} {are} listed as unmatched (\"match not reviewed\"). Add --include-unreviewed \
             to export them as matches, or approve them first (review, approve-all)."
        )
    } else {
        format!(
            "note: {left} unreviewed {matches} left out of the matches (listed as unmatched); \
             add --include-unreviewed to export them too."
        )
    };
    writeln!(io.err, "{text}").map_err(io_err)
}

fn result_table(r: &engine::MatchResult, io: &mut Io) -> Result<(), CliError> {
    let mut table = Table::new();
    table
        .row("result", &r.id)
        .row("document", &r.document_id)
        .row("status", r.status.as_str())
        .row(
            "matched",
            r.matched_reference_row_id
                .as_deref()
                .unwrap_or("(no match)"),
        )
        .row("notes", r.notes.as_deref().unwrap_or(""));
    table.write(io.out).map_err(io_err)
}

/// Undoes a result's latest decision.
pub fn undo(
    session: &Session,
    run_id: &str,
    result_id: &str,
    decision_id: &str,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let r = session
        .workspace()
        .revert_decision(run_id, result_id, decision_id)?;
    if json {
        print_json(&r, io)?;
    } else {
        result_table(&r, io)?;
    }
    Ok(EXIT_OK)
}

pub struct ApproveAll {
    pub run_id: String,
    pub min: f64,
    pub max: Option<f64>,
    pub search: Option<String>,
    pub note: Option<String>,
    pub yes: bool,
    pub json: bool,
}

/// Counts, or with `yes` approves, the pending results at or above `min`.
pub fn approve_all(session: &Session, a: &ApproveAll, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    // Bulk approval only ever takes pending results (the service's rule).
    let query = ResultQuery {
        max_confidence: a.max,
        search: a.search.clone(),
        ..Default::default()
    };
    let mut count = ws.bulk_approve_count(&a.run_id, &query, a.min)?;
    if !a.yes {
        if a.json {
            print_json(&serde_json::json!({ "count": count }), io)?;
        } else {
            writeln!(
                io.out,
                "{count} pending results at or above {}; add --yes to approve them",
                score(Some(a.min))
            )
            .map_err(io_err)?;
        }
        return Ok(EXIT_OK);
    }
    // The count just read is the one confirmed: if a reviewer decides one in between, the
    // service refuses (conflict) rather than approve a different set. With --yes nobody confirmed
    // a number, so "what is pending now" is counted again (another approve-all, or a reviewer,
    // got there first) instead of failing the script.
    let mut attempts = 0;
    let outcome = loop {
        let input = BulkApproveInput {
            query: query.clone(),
            min_confidence: a.min,
            expected: count,
            notes: a.note.clone(),
        };
        match ws.bulk_approve(&a.run_id, &input) {
            Err(e) if e.code() == ErrorCode::Conflict && attempts < 5 => {
                attempts += 1;
                count = ws.bulk_approve_count(&a.run_id, &query, a.min)?;
            }
            other => break other?,
        }
    };
    if a.json {
        print_json(&outcome, io)?;
    } else {
        writeln!(io.out, "approved {} results", outcome.decisions.len()).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// A result's decisions, oldest first.
pub fn history(
    session: &Session,
    run_id: &str,
    result_id: &str,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let ws = session.workspace();
    ws.get_result(run_id, result_id)?;
    let decisions = ws.result_decisions(result_id)?;
    if json {
        print_json(&decisions, io)?;
        return Ok(EXIT_OK);
    }
    for d in &decisions {
        writeln!(
            io.out,
            "{}  {}  {} -> {}  by {}{}{}",
            d.id,
            d.decided_at,
            d.previous_status.as_str(),
            d.status.as_str(),
            d.decided_by,
            d.reverts
                .as_deref()
                .map(|r| format!("  (undoes {r})"))
                .unwrap_or_default(),
            d.notes
                .as_deref()
                .map(|n| format!("  \"{n}\""))
                .unwrap_or_default(),
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
