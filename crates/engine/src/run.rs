//! Executes one matching run: prepares reference values, finds candidates for each document, scores
//! them, keeps the top five, and hands results to a sink in batches, reporting progress and honouring
//! cancellation between documents.

use std::collections::{HashMap, HashSet};

use crate::domain::{
    Candidate, Document, DocumentMatch, FieldEvidence, FieldMapping, Record, Strategy,
    TOP_CANDIDATES,
};
use crate::error::EngineError;
use crate::progress::{CancelToken, Phase, ProgressSink, ProgressUpdate};
use crate::strategy::{self, Prepared};

/// A config resolved against the columns of the data it will run on.
#[derive(Debug, Clone)]
pub struct MatchPlan {
    fields: Vec<PlannedField>,
    total_weight: f64,
    threshold: f64,
}

#[derive(Debug, Clone)]
struct PlannedField {
    mapping: FieldMapping,
    source_idx: usize,
    target_idx: usize,
}

impl MatchPlan {
    /// Resolves each mapping's source and target to column positions. Fails, naming the mapping,
    /// when the data no longer has a column the config refers to (e.g. reference data re-imported).
    pub fn new(
        mappings: &[FieldMapping],
        threshold: f64,
        reference_columns: &[String],
        document_columns: &[String],
    ) -> Result<Self, EngineError> {
        let mut fields = Vec::with_capacity(mappings.len());
        for (i, m) in mappings.iter().enumerate() {
            let target_idx = reference_columns
                .iter()
                .position(|c| c == &m.target)
                .ok_or_else(|| {
                    EngineError::validation(
                        format!("field_mappings[{i}].target"),
                        format!("the reference data has no column '{}'", m.target),
                    )
                })?;
            let source_idx = document_columns
                .iter()
                .position(|c| c == &m.source)
                .ok_or_else(|| {
                    EngineError::validation(
                        format!("field_mappings[{i}].source"),
                        format!("the documents have no field '{}'", m.source),
                    )
                })?;
            fields.push(PlannedField {
                mapping: m.clone(),
                source_idx,
                target_idx,
            });
        }
        let total_weight: f64 = fields.iter().map(|f| f.mapping.weight).sum();
        if fields.is_empty() || total_weight <= 0.0 {
            return Err(EngineError::validation(
                "field_mappings",
                "add at least one field mapping",
            ));
        }
        Ok(MatchPlan {
            fields,
            total_weight,
            threshold,
        })
    }
}

/// Receives finished documents in batches. The batch is durable when `write` returns Ok; the
/// progress passed along is what the run's counters should say once the batch is stored.
pub trait ResultSink {
    fn write(&mut self, batch: &[DocumentMatch], progress: &ProgressUpdate) -> Result<(), String>;
}

#[derive(Debug, Clone, Copy)]
pub struct ExecOptions {
    /// Documents per result batch (one transaction each in the store).
    pub batch_size: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions { batch_size: 256 }
    }
}

/// How a run ended, with its final counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOutcome {
    pub cancelled: bool,
    pub rows_processed: u64,
    pub rows_matched: u64,
    /// Sum of the confidences of matched rows, for the average over matched rows (spec C.4).
    pub matched_confidence_sum: f64,
}

/// Pairs a reviewer rejected, as document_id -> reference row ids. Never proposed again (spec A.7.4).
pub type RejectedPairs = HashMap<String, HashSet<String>>;

/// Tokens found in more than this share of reference rows say little about which row is meant
/// ("ltd", "2024"), and following them would compare a document with most of the data.
const FREQUENT_TOKEN_SHARE: f64 = 0.05;
const FREQUENT_TOKEN_MIN_ROWS: usize = 50;

/// Reference data made ready for many comparisons: prepared values and an inverted index of the
/// tokens of text fields.
struct PreparedReference<'a> {
    rows: &'a [Record],
    /// values[field][row]
    values: Vec<Vec<Prepared>>,
    index: HashMap<String, Vec<u32>>,
}

impl<'a> PreparedReference<'a> {
    fn build(
        plan: &MatchPlan,
        rows: &'a [Record],
        progress: &dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Result<Self, EngineError> {
        let total = rows.len() as u64;
        let mut values: Vec<Vec<Prepared>> = plan
            .fields
            .iter()
            .map(|_| Vec::with_capacity(rows.len()))
            .collect();
        let mut index: HashMap<String, Vec<u32>> = HashMap::new();
        let step = report_step(rows.len());
        for (r, row) in rows.iter().enumerate() {
            if r % step == 0 {
                if cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
                progress.report(&ProgressUpdate {
                    phase: Phase::LoadingReference,
                    phase_progress: percent(r as u64, total),
                    rows_processed: 0,
                    rows_total: 0,
                    rows_matched: 0,
                });
            }
            for (f, field) in plan.fields.iter().enumerate() {
                let raw = row
                    .values
                    .get(field.target_idx)
                    .map(String::as_str)
                    .unwrap_or("");
                let prepared = strategy::prepare(field.mapping.strategy, raw);
                if is_text(field.mapping.strategy) {
                    for t in prepared.tokens() {
                        let postings = index.entry(t.clone()).or_default();
                        // A row lists each token once even when several fields share it.
                        if postings.last() != Some(&(r as u32)) {
                            postings.push(r as u32);
                        }
                    }
                }
                values[f].push(prepared);
            }
        }
        Ok(PreparedReference {
            rows,
            values,
            index,
        })
    }

    /// Rows sharing at least one informative token with the document; every row when there is none
    /// (spec C.8: numeric and date fields alone still find their match, at the cost of a full scan).
    fn candidates(
        &self,
        doc_values: &[Prepared],
        plan: &MatchPlan,
        seen: &mut [bool],
        out: &mut Vec<u32>,
    ) {
        out.clear();
        let cap =
            ((self.rows.len() as f64 * FREQUENT_TOKEN_SHARE) as usize).max(FREQUENT_TOKEN_MIN_ROWS);
        for (f, field) in plan.fields.iter().enumerate() {
            if !is_text(field.mapping.strategy) {
                continue;
            }
            for t in doc_values[f].tokens() {
                if let Some(postings) = self.index.get(t) {
                    if postings.len() > cap {
                        continue;
                    }
                    for &r in postings {
                        if !seen[r as usize] {
                            seen[r as usize] = true;
                            out.push(r);
                        }
                    }
                }
            }
        }
        for &r in out.iter() {
            seen[r as usize] = false;
        }
        if out.is_empty() {
            out.extend(0..self.rows.len() as u32);
        }
    }
}

fn is_text(s: Strategy) -> bool {
    matches!(s, Strategy::Exact | Strategy::Fuzzy)
}

fn report_step(total: usize) -> usize {
    (total / 200).max(1)
}

fn percent(done: u64, total: u64) -> u8 {
    if total == 0 {
        return 100;
    }
    ((done * 100) / total).min(100) as u8
}

/// What a run matches: the plan, both sides, and what reviewers ruled out.
pub struct RunInput<'a> {
    pub plan: &'a MatchPlan,
    pub reference: &'a [Record],
    pub documents: &'a [Document],
    pub rejected: &'a RejectedPairs,
}

/// Runs the plan over the documents against the reference rows. Results go to `sink` in batches; a
/// cancel stops between documents after flushing the documents already finished.
pub fn execute(
    input: &RunInput,
    sink: &mut dyn ResultSink,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
    opts: ExecOptions,
) -> Result<RunOutcome, EngineError> {
    let RunInput {
        plan,
        reference,
        documents,
        rejected,
    } = *input;
    let prepared = match PreparedReference::build(plan, reference, progress, cancel) {
        Ok(p) => p,
        Err(EngineError::Cancelled) => {
            return Ok(RunOutcome {
                cancelled: true,
                rows_processed: 0,
                rows_matched: 0,
                matched_confidence_sum: 0.0,
            })
        }
        Err(e) => return Err(e),
    };
    let total = documents.len() as u64;
    let mut outcome = RunOutcome {
        cancelled: false,
        rows_processed: 0,
        rows_matched: 0,
        matched_confidence_sum: 0.0,
    };
    let mut batch: Vec<DocumentMatch> = Vec::with_capacity(opts.batch_size.max(1));
    let mut seen = vec![false; reference.len()];
    let mut cands: Vec<u32> = Vec::new();
    let mut scored: Vec<(f64, u32)> = Vec::new();
    let step = report_step(documents.len());

    let update = |o: &RunOutcome| ProgressUpdate {
        phase: Phase::Matching,
        phase_progress: percent(o.rows_processed, total),
        rows_processed: o.rows_processed,
        rows_total: total,
        rows_matched: o.rows_matched,
    };
    progress.report(&update(&outcome));

    for (d, doc) in documents.iter().enumerate() {
        if cancel.is_cancelled() {
            outcome.cancelled = true;
            break;
        }
        let doc_values: Vec<Prepared> = plan
            .fields
            .iter()
            .map(|f| {
                strategy::prepare(
                    f.mapping.strategy,
                    doc.values
                        .get(f.source_idx)
                        .map(String::as_str)
                        .unwrap_or(""),
                )
            })
            .collect();
        prepared.candidates(&doc_values, plan, &mut seen, &mut cands);

        scored.clear();
        for &r in &cands {
            let conf = confidence(plan, &doc_values, &prepared, r as usize);
            if conf > 0.0 {
                scored.push((conf, r));
            }
        }
        let row_id = |r: u32| reference[r as usize].id.as_str();
        if let Some(excluded) = rejected.get(&doc.document_id) {
            scored.retain(|&(_, r)| !excluded.contains(row_id(r)));
        }
        // Best first; ties broken by row id so results do not depend on index order (spec C.7).
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| row_id(a.1).cmp(row_id(b.1)))
        });
        scored.truncate(TOP_CANDIDATES);

        let candidates: Vec<Candidate> = scored
            .iter()
            .enumerate()
            .map(|(rank, &(conf, r))| Candidate {
                rank: rank as u32 + 1,
                reference_row_id: row_id(r).to_string(),
                confidence: conf,
                evidence: evidence(plan, doc, &doc_values, &prepared, r as usize),
            })
            .collect();
        let confidence = candidates.first().map_or(0.0, |c| c.confidence);
        let matched = candidates
            .first()
            .filter(|c| c.confidence >= plan.threshold - 1e-12);
        if matched.is_some() {
            outcome.rows_matched += 1;
            outcome.matched_confidence_sum += confidence;
        }
        batch.push(DocumentMatch {
            document_id: doc.document_id.clone(),
            document_filename: doc.document_filename.clone(),
            matched_reference_row_id: matched.map(|c| c.reference_row_id.clone()),
            confidence,
            candidates,
        });
        outcome.rows_processed += 1;

        if batch.len() >= opts.batch_size.max(1) {
            sink.write(&batch, &update(&outcome))
                .map_err(EngineError::Sink)?;
            batch.clear();
        }
        if (d + 1) % step == 0 {
            progress.report(&update(&outcome));
        }
    }
    if !batch.is_empty() {
        sink.write(&batch, &update(&outcome))
            .map_err(EngineError::Sink)?;
    }
    progress.report(&update(&outcome));
    Ok(outcome)
}

/// Spec C.1: Σ w·s over fields present on both sides, times the coverage Σ w_present / Σ w_all,
/// which is Σ w·s / Σ w_all. A missing value thus lowers confidence but never counts as a
/// mismatch of its own; the evidence says it was missing.
fn confidence(
    plan: &MatchPlan,
    doc: &[Prepared],
    reference: &PreparedReference,
    row: usize,
) -> f64 {
    let mut sum = 0.0;
    for (f, field) in plan.fields.iter().enumerate() {
        let (s, t) = (&doc[f], &reference.values[f][row]);
        if s.is_missing() || t.is_missing() {
            continue;
        }
        sum += field.mapping.weight * strategy::compare(&field.mapping, s, t);
    }
    (sum / plan.total_weight).clamp(0.0, 1.0)
}

fn evidence(
    plan: &MatchPlan,
    doc: &Document,
    doc_values: &[Prepared],
    reference: &PreparedReference,
    row: usize,
) -> Vec<FieldEvidence> {
    plan.fields
        .iter()
        .enumerate()
        .map(|(f, field)| {
            let (s, t) = (&doc_values[f], &reference.values[f][row]);
            let missing = s.is_missing() || t.is_missing();
            FieldEvidence {
                source: field.mapping.source.clone(),
                target: field.mapping.target.clone(),
                strategy: field.mapping.strategy,
                weight: field.mapping.weight,
                score: if missing {
                    0.0
                } else {
                    strategy::compare(&field.mapping, s, t)
                },
                source_value: doc
                    .values
                    .get(field.source_idx)
                    .cloned()
                    .unwrap_or_default(),
                target_value: reference.rows[row]
                    .values
                    .get(field.target_idx)
                    .cloned()
                    .unwrap_or_default(),
                missing,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn rec(id: &str, vals: &[&str]) -> Record {
        Record {
            id: id.into(),
            values: vals.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn doc(id: &str, vals: &[&str]) -> Document {
        Document {
            document_id: id.into(),
            document_filename: Some(format!("{id}.pdf")),
            values: vals.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[derive(Default)]
    struct Collect {
        batches: Vec<Vec<DocumentMatch>>,
        cancel_after_first: Option<CancelToken>,
    }

    impl ResultSink for Collect {
        fn write(&mut self, batch: &[DocumentMatch], _: &ProgressUpdate) -> Result<(), String> {
            self.batches.push(batch.to_vec());
            if let Some(t) = &self.cancel_after_first {
                t.cancel();
            }
            Ok(())
        }
    }

    impl Collect {
        fn all(&self) -> Vec<DocumentMatch> {
            self.batches.iter().flatten().cloned().collect()
        }
    }

    fn plan() -> MatchPlan {
        let mut amount = FieldMapping::new("total", "amount", Strategy::NumericRange, 0.3);
        amount.tolerance_percent = Some(1.0);
        let mappings = vec![
            FieldMapping::new("ref", "po_number", Strategy::Exact, 0.5),
            FieldMapping::new("vendor", "vendor", Strategy::Fuzzy, 0.2),
            amount,
        ];
        MatchPlan::new(
            &mappings,
            0.85,
            &cols(&["po_number", "vendor", "amount"]),
            &cols(&["ref", "vendor", "total"]),
        )
        .unwrap()
    }

    fn reference() -> Vec<Record> {
        vec![
            rec("po_1", &["PO-1", "Acme Corp", "100.00"]),
            rec("po_2", &["PO-2", "Globex Ltd", "250.00"]),
            rec("po_3", &["PO-3", "Initech", "999.00"]),
        ]
    }

    fn run(
        docs: &[Document],
        rejected: &RejectedPairs,
        sink: &mut Collect,
        cancel: &CancelToken,
        batch: usize,
    ) -> RunOutcome {
        let (plan, reference) = (plan(), reference());
        let input = RunInput {
            plan: &plan,
            reference: &reference,
            documents: docs,
            rejected,
        };
        execute(
            &input,
            sink,
            &NoProgress,
            cancel,
            ExecOptions { batch_size: batch },
        )
        .unwrap()
    }

    #[test]
    fn picks_the_best_row_and_explains_it() {
        let docs = vec![doc("d1", &["po-2", "GLOBEX LTD", "250"])];
        let mut sink = Collect::default();
        let out = run(
            &docs,
            &RejectedPairs::new(),
            &mut sink,
            &CancelToken::new(),
            10,
        );
        let r = &sink.all()[0];
        assert_eq!(r.matched_reference_row_id.as_deref(), Some("po_2"));
        assert!((r.confidence - 1.0).abs() < 1e-9, "{}", r.confidence);
        let ev = &r.candidates[0].evidence;
        assert_eq!(ev.len(), 3);
        assert_eq!(
            (ev[0].source.as_str(), ev[0].target.as_str(), ev[0].score),
            ("ref", "po_number", 1.0)
        );
        assert_eq!(ev[2].source_value, "250");
        assert_eq!(ev[2].target_value, "250.00");
        assert_eq!(
            out,
            RunOutcome {
                cancelled: false,
                rows_processed: 1,
                rows_matched: 1,
                matched_confidence_sum: r.confidence
            }
        );
    }

    #[test]
    fn below_threshold_keeps_candidates_but_no_match() {
        // Only the amount agrees: 0.3 of the weight.
        let docs = vec![doc("d1", &["PO-9", "Umbrella", "999.00"])];
        let mut sink = Collect::default();
        let out = run(
            &docs,
            &RejectedPairs::new(),
            &mut sink,
            &CancelToken::new(),
            10,
        );
        let r = &sink.all()[0];
        assert_eq!(r.matched_reference_row_id, None);
        assert_eq!(r.candidates[0].reference_row_id, "po_3");
        assert!((r.confidence - 0.3).abs() < 1e-9);
        assert_eq!(out.rows_matched, 0);
    }

    #[test]
    fn missing_values_are_marked_not_mismatched() {
        let docs = vec![doc("d1", &["PO-1", "", "100"])];
        let mut sink = Collect::default();
        run(
            &docs,
            &RejectedPairs::new(),
            &mut sink,
            &CancelToken::new(),
            10,
        );
        let r = &sink.all()[0];
        let vendor = &r.candidates[0].evidence[1];
        assert!(vendor.missing);
        assert_eq!(vendor.score, 0.0);
        assert!((r.confidence - 0.8).abs() < 1e-9);
    }

    #[test]
    fn rejected_pairs_are_never_proposed() {
        let docs = vec![doc("d1", &["PO-1", "Acme Corp", "100"])];
        let mut rejected = RejectedPairs::new();
        rejected
            .entry("d1".into())
            .or_default()
            .insert("po_1".into());
        let mut sink = Collect::default();
        run(&docs, &rejected, &mut sink, &CancelToken::new(), 10);
        let r = &sink.all()[0];
        assert!(r.candidates.iter().all(|c| c.reference_row_id != "po_1"));
        assert_ne!(r.matched_reference_row_id.as_deref(), Some("po_1"));
    }

    #[test]
    fn cancel_keeps_whole_batches_and_stops() {
        let docs: Vec<Document> = (0..10)
            .map(|i| doc(&format!("d{i}"), &["PO-1", "Acme", "100"]))
            .collect();
        let cancel = CancelToken::new();
        let mut sink = Collect {
            cancel_after_first: Some(cancel.clone()),
            ..Default::default()
        };
        let out = run(&docs, &RejectedPairs::new(), &mut sink, &cancel, 3);
        assert!(out.cancelled);
        assert_eq!(out.rows_processed, 3);
        assert_eq!(sink.all().len(), 3);
    }

    #[test]
    fn at_most_five_candidates_best_first_ties_by_row_id() {
        let rows: Vec<Record> = (0..8)
            .map(|i| rec(&format!("po_{i}"), &["X", "Same Vendor", "1"]))
            .collect();
        let docs = vec![doc("d1", &["", "Same Vendor", ""])];
        let mut sink = Collect::default();
        let plan = plan();
        let rejected = RejectedPairs::new();
        let input = RunInput {
            plan: &plan,
            reference: &rows,
            documents: &docs,
            rejected: &rejected,
        };
        execute(
            &input,
            &mut sink,
            &NoProgress,
            &CancelToken::new(),
            ExecOptions::default(),
        )
        .unwrap();
        let ids: Vec<String> = sink.all()[0]
            .candidates
            .iter()
            .map(|c| c.reference_row_id.clone())
            .collect();
        assert_eq!(ids, vec!["po_0", "po_1", "po_2", "po_3", "po_4"]);
    }

    #[test]
    fn a_plan_names_a_column_the_data_lacks() {
        let m = vec![FieldMapping::new("ref", "gone", Strategy::Exact, 1.0)];
        let err = MatchPlan::new(&m, 0.85, &cols(&["po_number"]), &cols(&["ref"])).unwrap_err();
        assert!(
            matches!(err, EngineError::Validation { ref field, .. } if field == "field_mappings[0].target"),
            "{err:?}"
        );
    }
}
