//! Export of a run for finance: its matches (with confidence, per-field evidence, reviewer notes
//! and decision time) and its unmatched documents, to CSV or XLSX. Every document of the run lands
//! in exactly one of the two, the unmatched ones with the reason.

use std::path::Path;

use engine::{FieldEvidence, FieldNote, MatchResult, ReviewStatus, Strategy};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::dto::{ExportFormat, ExportOutcome, ExportRequest};
use crate::error::{Result, ServiceError};
use crate::Workspace;

/// One exported document: its cells by column name (a sheet shows the columns it lists, empty
/// where the line has none), then one cell per field column of `field_header`.
struct Line {
    cells: Vec<(&'static str, Cell)>,
    fields: Vec<Cell>,
}

static EMPTY: Cell = Cell::Empty;

impl Line {
    fn get(&self, column: &str) -> &Cell {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map_or(&EMPTY, |(_, v)| v)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    fn opt(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }
    fn as_csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Empty => String::new(),
        }
    }
}

/// A one-to-one run gave the row this document scored best with to another document.
const LOST_ROW: &str = "lost its reference row to another document (one-to-one)";

/// Why a document is not among the matches.
fn unmatched_reason(r: &MatchResult, threshold: f64, review_floor: f64) -> &'static str {
    match r.status {
        ReviewStatus::Rejected => "rejected by reviewer",
        _ if r.candidates.is_empty() => "no candidate",
        _ if r.matched_reference_row_id.is_some() => "match not reviewed",
        // Before the bands: a loser keeps the confidence of the row it lost, which can be at or
        // above the threshold, and "below review floor" would then say the opposite of the truth.
        _ if r.contested => LOST_ROW,
        _ if r.confidence >= review_floor && r.confidence < threshold => "awaiting review",
        _ => "below review floor",
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A field's note in the words the review screen uses ("differs +2.4 % (+12.00) from the
/// reference amount; tolerance 3 %"), so the export reads like the screen.
fn describe_note(e: &FieldEvidence) -> Option<String> {
    Some(match e.note.as_ref()? {
        FieldNote::Amount {
            difference_percent,
            difference,
            tax_rate,
            share,
            tolerance_percent,
            tolerance_absolute,
        } => {
            let mut base = match share {
                Some(s) => format!("{} % of the reference amount", (s * 100.0).round()),
                None => "the reference amount".into(),
            };
            if let Some(t) = tax_rate {
                base.push_str(&format!(" plus {} % VAT", trim_number(*t)));
            }
            if difference.abs() < 0.005 {
                return Some(format!("equals {base}"));
            }
            let tolerance: Vec<String> = [
                (*tolerance_percent > 0.0)
                    .then(|| format!("{} %", trim_number(*tolerance_percent))),
                (*tolerance_absolute > 0.0).then(|| format!("{tolerance_absolute:.2}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            let sign = if *difference > 0.0 { '+' } else { '-' };
            format!(
                "differs {sign}{} % ({sign}{:.2}) from {base}; {}",
                trim_number(difference_percent.abs()),
                difference.abs(),
                if tolerance.is_empty() {
                    "no tolerance".to_string()
                } else {
                    format!("tolerance {}", tolerance.join(" or "))
                }
            )
        }
        FieldNote::Days {
            days: d,
            window,
            tolerance_days,
        } => {
            let when = match d.cmp(&0) {
                std::cmp::Ordering::Equal => "same day as the reference date".to_string(),
                std::cmp::Ordering::Greater => format!("{} after the reference date", days(*d)),
                std::cmp::Ordering::Less => format!("{} before the reference date", days(-d)),
            };
            match window {
                Some((before, after)) => {
                    let span = if *before > 0 && *after > 0 {
                        format!("{} before to {} after", days(*before), days(*after))
                    } else if *before > 0 {
                        format!("0 to {} before", days(*before))
                    } else {
                        format!("0 to {} after", days(*after))
                    };
                    let grace = if *tolerance_days > 0 {
                        format!(", {} grace", days(*tolerance_days))
                    } else {
                        String::new()
                    };
                    format!("{when}; window {span}{grace}")
                }
                None => format!("{when}; tolerance {}", days(*tolerance_days)),
            }
        }
    })
}

fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Exact => "exact",
        Strategy::Fuzzy => "fuzzy",
        Strategy::DateRange => "date_range",
        Strategy::NumericRange => "numeric_range",
    }
}

/// Everything about the evidence in one readable cell, for tools that read only one column.
fn evidence_summary(evidence: &[FieldEvidence]) -> String {
    evidence
        .iter()
        .map(|e| {
            let mut s = format!(
                "{} vs {} ({}, weight {}): {:.2}",
                e.source,
                e.target,
                strategy_name(e.strategy),
                e.weight,
                e.score
            );
            if let Some(n) = describe_note(e) {
                s.push_str(&format!(" [{n}]"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The per-field columns: document value, reference value and score of each mapped field.
fn field_header(mappings: &[engine::FieldMapping]) -> Vec<String> {
    mappings
        .iter()
        .flat_map(|m| {
            [
                format!("{} (document)", m.source),
                format!("{} (reference)", m.target),
                format!("{} score", m.source),
            ]
        })
        .collect()
}

fn field_cells(evidence: Option<&[FieldEvidence]>, fields: usize) -> Vec<Cell> {
    match evidence {
        Some(ev) if ev.len() == fields => ev
            .iter()
            .flat_map(|e| {
                [
                    Cell::text(&*e.source_value),
                    Cell::text(&e.target_value),
                    Cell::Number((e.score * 1000.0).round() / 1000.0),
                ]
            })
            .collect(),
        _ => vec![Cell::Empty; fields * 3],
    }
}

const MATCHED_COLUMNS: [&str; 10] = [
    "document_id",
    "document_filename",
    "reference_row_id",
    "confidence",
    "status",
    "evidence",
    "notes",
    "decided_by",
    "decided_at",
    "contested",
];

/// The CSV holds both kinds of line: every column of either sheet, after an `outcome` column.
const CSV_COLUMNS: [&str; 13] = [
    "document_id",
    "document_filename",
    "reference_row_id",
    "confidence",
    "status",
    "evidence",
    "notes",
    "decided_by",
    "decided_at",
    "contested",
    "reason",
    "best_candidate",
    "best_confidence",
];

/// Shown as a percentage in a workbook.
const PERCENT_COLUMNS: [&str; 2] = ["confidence", "best_confidence"];

const UNMATCHED_COLUMNS: [&str; 9] = [
    "document_id",
    "document_filename",
    "reason",
    "status",
    "best_candidate",
    "best_confidence",
    "notes",
    "decided_by",
    "decided_at",
];

struct Sheets {
    matched: Vec<Line>,
    unmatched: Vec<Line>,
}

impl Workspace {
    /// Writes a run's matches and unmatched documents to `req.path` as CSV (one file, an `outcome`
    /// column telling them apart) or XLSX (two sheets). The file is written next to its final
    /// name and renamed into place, so a failed export never leaves half a file behind.
    pub fn export_results(&self, req: &ExportRequest) -> Result<ExportOutcome> {
        let stored = self.store.get_stored_run(&req.run_id)?;
        let path = Path::new(&req.path);
        if req.path.trim().is_empty() {
            return Err(ServiceError::validation(
                "path",
                "choose where to save the export",
            ));
        }
        if path.is_dir() {
            return Err(ServiceError::validation(
                "path",
                format!("{} is a folder; give a file name", req.path),
            ));
        }
        let include_unreviewed = req.include_unreviewed_matches.unwrap_or(false);
        let config = &stored.config;
        let fields = config.field_mappings.len();
        let mut sheets = Sheets {
            matched: Vec::new(),
            unmatched: Vec::new(),
        };
        let mut unreviewed_left_out = 0u64;
        self.store.for_each_result(&req.run_id, |r, decided_by| {
            let approved = r.status == ReviewStatus::Approved;
            let unreviewed_match =
                r.status == ReviewStatus::Pending && r.matched_reference_row_id.is_some();
            let decided_at = if r.status == ReviewStatus::Pending {
                None
            } else {
                r.reviewed_at.clone()
            };
            let decided_by = decided_at.as_ref().and(decided_by);
            if approved || (include_unreviewed && unreviewed_match) {
                let status = if approved { "approved" } else { "unreviewed" };
                sheets
                    .matched
                    .push(matched_line(&r, status, decided_by, decided_at, fields));
            } else {
                unreviewed_left_out += u64::from(unreviewed_match);
                let reason = unmatched_reason(&r, config.threshold, config.review_floor);
                sheets
                    .unmatched
                    .push(unmatched_line(&r, reason, decided_by, decided_at, fields));
            }
            Ok(())
        })?;
        let extra = field_header(&config.field_mappings);
        write_atomically(path, &req.path, req.format, &sheets, &extra)?;
        Ok(ExportOutcome {
            path: req.path.clone(),
            matched: sheets.matched.len() as u64,
            unmatched: sheets.unmatched.len() as u64,
            unreviewed_left_out,
        })
    }
}

/// A row of the matches sheet: the match as proposed (`status` "approved" or "unreviewed"), with
/// the evidence of the matched candidate.
fn matched_line(
    r: &MatchResult,
    status: &str,
    decided_by: Option<String>,
    decided_at: Option<String>,
    fields: usize,
) -> Line {
    let chosen = r
        .matched_reference_row_id
        .as_ref()
        .and_then(|id| r.candidates.iter().find(|c| &c.reference_row_id == id));
    let evidence = chosen.map(|c| c.evidence.as_slice());
    Line {
        cells: vec![
            ("document_id", Cell::text(&r.document_id)),
            ("document_filename", Cell::opt(r.document_filename.clone())),
            (
                "reference_row_id",
                Cell::opt(r.matched_reference_row_id.clone()),
            ),
            (
                "confidence",
                Cell::Number(chosen.map_or(r.confidence, |c| c.confidence)),
            ),
            ("status", Cell::text(status)),
            (
                "evidence",
                Cell::text(evidence.map(evidence_summary).unwrap_or_default()),
            ),
            ("notes", Cell::opt(r.notes.clone())),
            ("decided_by", Cell::opt(decided_by)),
            ("decided_at", Cell::opt(decided_at)),
            (
                "contested",
                Cell::text(if r.contested { "yes" } else { "" }),
            ),
        ],
        fields: field_cells(evidence, fields),
    }
}

/// A row of the unmatched sheet, with why and the best candidate there was.
fn unmatched_line(
    r: &MatchResult,
    reason: &str,
    decided_by: Option<String>,
    decided_at: Option<String>,
    fields: usize,
) -> Line {
    let best = r.candidates.first();
    Line {
        cells: vec![
            ("document_id", Cell::text(&r.document_id)),
            ("document_filename", Cell::opt(r.document_filename.clone())),
            ("reason", Cell::text(reason)),
            ("status", Cell::text(r.status.as_str())),
            (
                "best_candidate",
                Cell::opt(best.map(|c| c.reference_row_id.clone())),
            ),
            (
                "best_confidence",
                best.map_or(Cell::Empty, |c| Cell::Number(c.confidence)),
            ),
            ("notes", Cell::opt(r.notes.clone())),
            ("decided_by", Cell::opt(decided_by)),
            ("decided_at", Cell::opt(decided_at)),
        ],
        fields: field_cells(best.map(|c| c.evidence.as_slice()), fields),
    }
}

/// Writes next to the final name, then renames into place, so a failed export never leaves half
/// a file behind.
fn write_atomically(
    path: &Path,
    shown: &str,
    format: ExportFormat,
    sheets: &Sheets,
    extra: &[String],
) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.partial",
        path.extension()
            .and_then(|e| e.to_str())
            .unwrap_or("export")
    ));
    let written = match format {
        ExportFormat::Csv => write_csv(&tmp, sheets, extra),
        ExportFormat::Xlsx => write_xlsx(&tmp, sheets, extra),
    };
    if let Err(e) = written.and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| format!("could not save {shown}: {e}"))
    }) {
        let _ = std::fs::remove_file(&tmp);
        return Err(ServiceError::validation("path", e));
    }
    Ok(())
}

/// One CSV: an `outcome` column ("matched" or "unmatched") then the union of both sheets'
/// columns, so a spreadsheet filter separates them.
fn write_csv(path: &Path, sheets: &Sheets, extra: &[String]) -> std::result::Result<(), String> {
    let io = |e: csv::Error| format!("could not write {}: {e}", path.display());
    let mut w = csv::Writer::from_path(path).map_err(io)?;
    let mut header: Vec<String> = vec!["outcome".into()];
    header.extend(CSV_COLUMNS.iter().map(|s| s.to_string()));
    header.extend(extra.iter().cloned());
    w.write_record(&header).map_err(io)?;
    for (outcome, lines) in [
        ("matched", &sheets.matched),
        ("unmatched", &sheets.unmatched),
    ] {
        for line in lines {
            let mut rec = vec![outcome.to_string()];
            rec.extend(CSV_COLUMNS.iter().map(|c| line.get(c).as_csv()));
            rec.extend(line.fields.iter().map(Cell::as_csv));
            w.write_record(&rec).map_err(io)?;
        }
    }
    w.flush()
        .map_err(|e| format!("could not write {}: {e}", path.display()))
}

fn write_xlsx(path: &Path, sheets: &Sheets, extra: &[String]) -> std::result::Result<(), String> {
    let err = |e: XlsxError| format!("could not write {}: {e}", path.display());
    let mut book = Workbook::new();
    for (name, columns, lines) in [
        ("Matches", &MATCHED_COLUMNS[..], &sheets.matched),
        (
            "Unmatched documents",
            &UNMATCHED_COLUMNS[..],
            &sheets.unmatched,
        ),
    ] {
        let sheet = book.add_worksheet().set_name(name).map_err(err)?;
        fill(sheet, columns, extra, lines).map_err(err)?;
    }
    book.save(path).map_err(err)
}

fn fill(
    sheet: &mut Worksheet,
    columns: &[&str],
    extra: &[String],
    lines: &[Line],
) -> std::result::Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let names = columns
        .iter()
        .map(|s| s.to_string())
        .chain(extra.iter().cloned());
    for (c, name) in names.enumerate() {
        sheet.write_string_with_format(0, c as u16, name, &bold)?;
    }
    for (r, line) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        let named = columns
            .iter()
            .map(|c| (line.get(c), PERCENT_COLUMNS.contains(c)));
        let fields = line.fields.iter().map(|cell| (cell, false));
        for (c, (cell, as_percent)) in named.chain(fields).enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(row, col, s)?;
                }
                Cell::Number(n) if as_percent => {
                    sheet.write_number_with_format(row, col, *n, &percent)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(row, col, *n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        lines.len() as u32,
        (columns.len() + extra.len()) as u16 - 1,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::Candidate;

    fn result(confidence: f64, contested: bool, candidates: usize) -> MatchResult {
        MatchResult {
            id: "r".into(),
            run_id: "run".into(),
            document_id: "d".into(),
            document_filename: None,
            matched_reference_row_id: None,
            confidence,
            status: ReviewStatus::Pending,
            notes: None,
            evidence: None,
            candidates: (0..candidates)
                .map(|i| Candidate {
                    rank: i as u32 + 1,
                    reference_row_id: format!("po{i}"),
                    confidence,
                    evidence: vec![],
                })
                .collect(),
            contested,
            reviewed_at: None,
            suggestion: None,
        }
    }

    #[test]
    fn a_one_to_one_loser_is_said_to_have_lost_its_row() {
        // It scored 0.93 against a threshold of 0.85 and another document took the row.
        assert_eq!(
            unmatched_reason(&result(0.93, true, 1), 0.85, 0.5),
            LOST_ROW
        );
        // The bands still hold for documents that lost nothing.
        assert_eq!(
            unmatched_reason(&result(0.6, false, 1), 0.85, 0.5),
            "awaiting review"
        );
        assert_eq!(
            unmatched_reason(&result(0.3, false, 1), 0.85, 0.5),
            "below review floor"
        );
        assert_eq!(
            unmatched_reason(&result(0.0, false, 0), 0.85, 0.5),
            "no candidate"
        );
        let mut rejected = result(0.93, true, 1);
        rejected.status = ReviewStatus::Rejected;
        assert_eq!(
            unmatched_reason(&rejected, 0.85, 0.5),
            "rejected by reviewer"
        );
    }
}
