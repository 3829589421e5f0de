//! Scoring predicted matches against the truth: top-1 precision, recall, F1 and accuracy, and the
//! threshold that would have given the best F1. Pure functions over plain data, so the numbers can
//! be checked by hand in tests and reused by the benchmark; reading files is the caller's job
//! apart from the two small CSV parsers at the end.
//!
//! Definitions, per document of the truth (documents only in the predictions are ignored, and
//! counted, because nobody can say whether they were right):
//! - TP: a true match exists and the prediction is that row;
//! - FP: something was predicted and it is not the true row (including "no true match");
//! - FN: a true match exists and was not predicted (nothing, or another row);
//! - TN: no true match and nothing predicted.
//!
//! A wrong row where a true one exists is thus both an FP and an FN: it proposes a wrong pair and
//! misses the right one. F1 is computed as 2TP / (2TP + FP + FN), which equals the harmonic mean of
//! precision and recall whenever both are defined, and is 0 (not undefined) when TP is 0 but
//! something was predicted or missed.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::io::Read;

use engine::DocumentMatch;
use serde::Serialize;
use thiserror::Error;

mod one_to_one;

/// One line of the truth file.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthRow {
    pub document_id: String,
    /// The reference row the document truly belongs to; `None`: it belongs to none.
    pub reference_id: Option<String>,
}

/// The best-scoring candidate of a document, whether or not it cleared the run's threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct TopCandidate {
    pub reference_row_id: String,
    pub confidence: f64,
}

/// What was predicted for one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prediction {
    /// The match as proposed (the row that cleared the threshold); `None`: left unmatched.
    pub matched: Option<String>,
    /// For the threshold sweep.
    pub top: Option<TopCandidate>,
    /// The run's further candidates, best first after `top`: what a one-to-one sweep gives a
    /// document whose top row goes to another document. Empty from a predictions file.
    pub runners_up: Vec<TopCandidate>,
}

impl Prediction {
    /// A run's answer for one document: its match (if it cleared the threshold) and its
    /// candidates, best first.
    pub fn new(
        matched: Option<String>,
        candidates: impl IntoIterator<Item = TopCandidate>,
    ) -> Self {
        let mut candidates = candidates.into_iter();
        Prediction {
            matched,
            top: candidates.next(),
            runners_up: candidates.collect(),
        }
    }

    /// What the engine proposed for one document.
    pub fn of_match(m: &DocumentMatch) -> Self {
        Prediction::new(
            m.matched_reference_row_id.clone(),
            m.candidates.iter().map(|c| TopCandidate {
                reference_row_id: c.reference_row_id.clone(),
                confidence: c.confidence,
            }),
        )
    }
}

/// The engine's matches as predictions keyed by document id.
pub fn predictions_of_matches(matches: &[DocumentMatch]) -> HashMap<String, Prediction> {
    matches
        .iter()
        .map(|m| (m.document_id.clone(), Prediction::of_match(m)))
        .collect()
}

/// Confusion counts; see the module doc for what each one means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub tn: u64,
}

impl Counts {
    /// The contribution of one document.
    fn of(truth: Option<&str>, predicted: Option<&str>) -> Counts {
        let mut c = Counts::default();
        match (truth, predicted) {
            (Some(t), Some(p)) if t == p => c.tp = 1,
            (Some(_), Some(_)) => {
                c.fp = 1;
                c.fn_ = 1;
            }
            (Some(_), None) => c.fn_ = 1,
            (None, Some(_)) => c.fp = 1,
            (None, None) => c.tn = 1,
        }
        c
    }

    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }

    /// Undoes an earlier `add` of `o`; counts never go below what was added.
    fn remove(&mut self, o: Counts) {
        self.tp -= o.tp;
        self.fp -= o.fp;
        self.fn_ -= o.fn_;
        self.tn -= o.tn;
    }

    /// TP / (TP + FP); `None` when nothing was predicted.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// TP / (TP + FN); `None` when no document has a true match.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// 2TP / (2TP + FP + FN); `None` only when there is nothing to be right or wrong about (every
    /// document is a TN).
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Counts with the measures derived from them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    #[serde(flatten)]
    pub counts: Counts,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub accuracy: Option<f64>,
}

impl Scores {
    fn new(counts: Counts, documents: u64) -> Scores {
        Scores {
            counts,
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
            accuracy: ratio(counts.tp + counts.tn, documents),
        }
    }
}

/// The scores had the top candidate been taken whenever its confidence reached `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdScores {
    pub threshold: f64,
    #[serde(flatten)]
    pub scores: Scores,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Documents in the truth.
    pub documents: u64,
    pub with_true_match: u64,
    pub without_true_match: u64,
    /// Documents of the truth with no prediction at all; scored as unmatched.
    pub missing_predictions: u64,
    /// Predictions for documents the truth does not list; not scored.
    pub ignored_predictions: u64,
    /// The predictions as made (the run's matches).
    pub top1: Scores,
    /// No-match documents correctly left unmatched (TN), out of `without_true_match`.
    pub no_match_left_unmatched: u64,
    /// The threshold on the top candidate's confidence with the best F1; ties go to the higher
    /// threshold (as good, with fewer automatic matches). `None` when no threshold finds a single
    /// true match.
    pub best_f1_threshold: Option<ThresholdScores>,
    /// Whether the sweep assigned each reference row to at most one document at every
    /// threshold, as the one-to-one run it scores did.
    pub one_to_one: bool,
}

/// Scores `predictions` against `truth`, the sweep taking each document's top candidate. Each
/// truth document must appear once (see `parse_truth`).
/// Top-1 counts, precision, recall and F1, and the threshold that would give the best F1, as
/// the tools print them.
pub fn report(e: &Evaluation) -> Vec<String> {
    let t = &e.top1;
    let mut out = vec![format!(
        "tp {} fp {} fn {} tn {}  precision {:.4} recall {:.4} F1 {:.4}",
        t.counts.tp,
        t.counts.fp,
        t.counts.fn_,
        t.counts.tn,
        t.precision.unwrap_or(0.0),
        t.recall.unwrap_or(0.0),
        t.f1.unwrap_or(0.0)
    )];
    if let Some(best) = &e.best_f1_threshold {
        out.push(format!(
            "best F1 {:.4} at threshold {:.3}",
            best.scores.f1.unwrap_or(0.0),
            best.threshold
        ));
    }
    out
}

pub fn evaluate(truth: &[TruthRow], predictions: &HashMap<String, Prediction>) -> Evaluation {
    evaluate_with(truth, predictions, false)
}

/// As `evaluate`; with `one_to_one`, the sweep assigns the rows again at each threshold as a
/// one-to-one run does, so its F1 is the one a run at that threshold would reach.
pub fn evaluate_with(
    truth: &[TruthRow],
    predictions: &HashMap<String, Prediction>,
    one_to_one: bool,
) -> Evaluation {
    let documents = truth.len() as u64;
    let with_true_match = truth.iter().filter(|t| t.reference_id.is_some()).count() as u64;
    let mut counts = Counts::default();
    let mut missing = 0u64;
    let mut sweep: Vec<one_to_one::Doc<'_>> = Vec::with_capacity(truth.len());
    for t in truth {
        let prediction = predictions.get(&t.document_id);
        if prediction.is_none() {
            missing += 1;
        }
        let matched = prediction.and_then(|p| p.matched.as_deref());
        counts.add(Counts::of(t.reference_id.as_deref(), matched));
        sweep.push(match prediction {
            Some(p) => (t.reference_id.as_deref(), p.top.as_ref(), &p.runners_up),
            None => (t.reference_id.as_deref(), None, &[]),
        });
    }
    let in_truth: HashSet<&str> = truth.iter().map(|t| t.document_id.as_str()).collect();
    let ignored = predictions
        .keys()
        .filter(|k| !in_truth.contains(k.as_str()))
        .count() as u64;
    Evaluation {
        documents,
        with_true_match,
        without_true_match: documents - with_true_match,
        missing_predictions: missing,
        ignored_predictions: ignored,
        top1: Scores::new(counts, documents),
        no_match_left_unmatched: counts.tn,
        best_f1_threshold: if one_to_one {
            one_to_one::best_f1_threshold(&sweep)
        } else {
            best_f1_threshold(&sweep)
        },
        one_to_one,
    }
}

/// Sweeps the threshold over the distinct top-candidate confidences, highest first. Lowering the
/// threshold past a confidence only turns those documents from "unmatched" into "top candidate
/// predicted", so the counts are updated per document instead of recomputed: O(n log n) for a run
/// of a hundred thousand documents.
fn best_f1_threshold(docs: &[one_to_one::Doc<'_>]) -> Option<ThresholdScores> {
    let documents = docs.len() as u64;
    let mut counts = Counts::default();
    for (truth, _, _) in docs {
        counts.add(Counts::of(*truth, None));
    }
    let mut order: Vec<(Option<&str>, &TopCandidate)> = docs
        .iter()
        .filter_map(|(truth, top, _)| top.map(|c| (*truth, c)))
        .collect();
    order.sort_by(|a, b| b.1.confidence.total_cmp(&a.1.confidence));

    let mut best: Option<(f64, ThresholdScores)> = None;
    let mut i = 0;
    while i < order.len() {
        let threshold = order[i].1.confidence;
        while let Some(&(truth, top)) = order.get(i) {
            if top.confidence.total_cmp(&threshold) != Ordering::Equal {
                break;
            }
            counts.remove(Counts::of(truth, None));
            counts.add(Counts::of(truth, Some(&top.reference_row_id)));
            i += 1;
        }
        let Some(f1) = counts.f1() else { continue };
        // Strictly better only: on a tie the earlier, higher threshold stays.
        if f1 > 0.0 && best.as_ref().is_none_or(|(b, _)| f1 > *b) {
            best = Some((
                f1,
                ThresholdScores {
                    threshold,
                    scores: Scores::new(counts, documents),
                },
            ));
        }
    }
    best.map(|(_, s)| s)
}

/// A problem with an input file, located for the user.
#[derive(Debug, Error, PartialEq)]
#[error("{source_name}{}: {message}", row.map(|r| format!(", row {r}")).unwrap_or_default())]
pub struct InputError {
    pub source_name: String,
    /// 1-based line as a spreadsheet shows it (the header is row 1).
    pub row: Option<u64>,
    pub message: String,
}

fn reader(input: impl Read) -> csv::Reader<impl Read> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input)
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|v| !v.is_empty()).map(str::to_string)
}

/// Reads a truth CSV: a header, then document_id and the true reference id (empty: no true
/// match). Columns are taken by position, so the header's names do not matter.
pub fn parse_truth(input: impl Read, source_name: &str) -> Result<Vec<TruthRow>, InputError> {
    let err = |row: Option<u64>, message: String| InputError {
        source_name: source_name.to_string(),
        row,
        message,
    };
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, record) in reader(input).records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| err(Some(line), e.to_string()))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let Some(id) = non_empty(record.get(0)) else {
            return Err(err(Some(line), "the document id is empty".into()));
        };
        if !seen.insert(id.clone()) {
            return Err(err(Some(line), format!("document {id} is listed twice")));
        }
        rows.push(TruthRow {
            document_id: id,
            reference_id: non_empty(record.get(1)),
        });
    }
    Ok(rows)
}

/// Reads a predictions CSV: a header, then document_id, reference_row_id (empty: unmatched) and
/// confidence. The confidence is required where a row is predicted, since the threshold sweep
/// needs it; the prediction is also that document's top candidate.
pub fn parse_predictions(
    input: impl Read,
    source_name: &str,
) -> Result<HashMap<String, Prediction>, InputError> {
    let err = |row: Option<u64>, message: String| InputError {
        source_name: source_name.to_string(),
        row,
        message,
    };
    let mut out = HashMap::new();
    for (i, record) in reader(input).records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| err(Some(line), e.to_string()))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let Some(id) = non_empty(record.get(0)) else {
            return Err(err(Some(line), "the document id is empty".into()));
        };
        let matched = non_empty(record.get(1));
        let top = match (&matched, non_empty(record.get(2))) {
            (Some(row), Some(c)) => {
                let confidence = c
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| err(Some(line), format!("confidence '{c}' is not a number")))?;
                Some(TopCandidate {
                    reference_row_id: row.clone(),
                    confidence,
                })
            }
            (Some(_), None) => {
                return Err(err(
                    Some(line),
                    "a predicted row needs its confidence (third column)".into(),
                ))
            }
            (None, _) => None,
        };
        let prediction = Prediction {
            matched,
            top,
            runners_up: Vec::new(),
        };
        if out.insert(id.clone(), prediction).is_some() {
            return Err(err(Some(line), format!("document {id} is listed twice")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(rows: &[(&str, &str)]) -> Vec<TruthRow> {
        rows.iter()
            .map(|(d, r)| TruthRow {
                document_id: d.to_string(),
                reference_id: (!r.is_empty()).then(|| r.to_string()),
            })
            .collect()
    }

    /// (document, matched row or "", top row or "", top confidence)
    fn preds(rows: &[(&str, &str, &str, f64)]) -> HashMap<String, Prediction> {
        rows.iter()
            .map(|(d, m, top, c)| {
                (
                    d.to_string(),
                    Prediction {
                        matched: (!m.is_empty()).then(|| m.to_string()),
                        top: (!top.is_empty()).then(|| TopCandidate {
                            reference_row_id: top.to_string(),
                            confidence: *c,
                        }),
                        runners_up: Vec::new(),
                    },
                )
            })
            .collect()
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn perfect_predictions() {
        let t = truth(&[("a", "x"), ("b", "y"), ("c", "")]);
        let p = preds(&[
            ("a", "x", "x", 0.9),
            ("b", "y", "y", 0.95),
            ("c", "", "", 0.0),
        ]);
        let e = evaluate(&t, &p);
        assert_eq!(
            (e.documents, e.with_true_match, e.without_true_match),
            (3, 2, 1)
        );
        assert_eq!(
            e.top1.counts,
            Counts {
                tp: 2,
                fp: 0,
                fn_: 0,
                tn: 1
            }
        );
        close(e.top1.precision, 1.0);
        close(e.top1.recall, 1.0);
        close(e.top1.f1, 1.0);
        close(e.top1.accuracy, 1.0);
        assert_eq!(e.no_match_left_unmatched, 1);
    }

    #[test]
    fn every_kind_of_outcome() {
        // d1 right (TP), d2 wrong row (FP and FN), d3 missed (FN), d4 matched though it has no
        // true match (FP), d5 correctly unmatched (TN).
        let t = truth(&[
            ("d1", "r1"),
            ("d2", "r2"),
            ("d3", "r3"),
            ("d4", ""),
            ("d5", ""),
        ]);
        let p = preds(&[
            ("d1", "r1", "r1", 0.9),
            ("d2", "r9", "r9", 0.85),
            ("d3", "", "r3", 0.5),
            ("d4", "r4", "r4", 0.82),
            ("d5", "", "", 0.0),
        ]);
        let e = evaluate(&t, &p);
        assert_eq!(
            e.top1.counts,
            Counts {
                tp: 1,
                fp: 2,
                fn_: 2,
                tn: 1
            }
        );
        // P = 1/3, R = 1/3, F1 = 2/(2+2+2) = 1/3, accuracy = (1+1)/5.
        close(e.top1.precision, 1.0 / 3.0);
        close(e.top1.recall, 1.0 / 3.0);
        close(e.top1.f1, 1.0 / 3.0);
        close(e.top1.accuracy, 0.4);
        assert_eq!(e.no_match_left_unmatched, 1);
        assert_eq!(e.without_true_match, 2);
    }

    #[test]
    fn documents_missing_from_predictions_count_as_unmatched() {
        let t = truth(&[("d1", "r1"), ("d2", "")]);
        let p = preds(&[("other", "r7", "r7", 0.9)]);
        let e = evaluate(&t, &p);
        assert_eq!(e.missing_predictions, 2);
        assert_eq!(e.ignored_predictions, 1);
        assert_eq!(
            e.top1.counts,
            Counts {
                tp: 0,
                fp: 0,
                fn_: 1,
                tn: 1
            }
        );
        assert_eq!(e.top1.precision, None, "nothing predicted");
        close(e.top1.recall, 0.0);
        close(e.top1.f1, 0.0);
        close(e.top1.accuracy, 0.5);
        assert_eq!(e.best_f1_threshold, None);
    }

    #[test]
    fn truth_without_any_true_match() {
        let t = truth(&[("d1", ""), ("d2", "")]);
        let p = preds(&[("d1", "r1", "r1", 0.9), ("d2", "", "r2", 0.3)]);
        let e = evaluate(&t, &p);
        assert_eq!(
            e.top1.counts,
            Counts {
                tp: 0,
                fp: 1,
                fn_: 0,
                tn: 1
            }
        );
        close(e.top1.precision, 0.0);
        assert_eq!(e.top1.recall, None, "no true match to recall");
        close(e.top1.f1, 0.0);
        close(e.top1.accuracy, 0.5);
        // Every threshold only adds false positives: no threshold is "best".
        assert_eq!(e.best_f1_threshold, None);

        let all_right = evaluate(&t, &preds(&[]));
        assert_eq!(
            all_right.top1.f1, None,
            "all TN: nothing to be right or wrong about"
        );
        close(all_right.top1.accuracy, 1.0);
        assert_eq!(all_right.no_match_left_unmatched, 2);
    }

    #[test]
    fn empty_truth() {
        let e = evaluate(&[], &preds(&[("d1", "r1", "r1", 0.9)]));
        assert_eq!(e.documents, 0);
        assert_eq!(e.top1.accuracy, None);
        assert_eq!(e.top1.f1, None);
        assert_eq!(e.ignored_predictions, 1);
        assert_eq!(e.best_f1_threshold, None);
    }

    #[test]
    fn sweep_takes_tied_confidences_together() {
        // a and b share 0.9: a threshold cannot take one without the other.
        let t = truth(&[("a", "x"), ("b", "y"), ("c", "z")]);
        let p = preds(&[
            ("a", "x", "x", 0.9),
            ("b", "w", "w", 0.9),
            ("c", "", "z", 0.8),
        ]);
        let e = evaluate(&t, &p);
        // As matched: TP 1 (a), FP 1 + FN 1 (b), FN 1 (c): F1 = 2/(2+1+2) = 0.4.
        close(e.top1.f1, 0.4);
        // t = 0.9: same as above. t = 0.8: TP 2, FP 1, FN 1: P = R = F1 = 2/3.
        let best = e.best_f1_threshold.expect("a best threshold");
        assert_eq!(best.threshold, 0.8);
        assert_eq!(
            best.scores.counts,
            Counts {
                tp: 2,
                fp: 1,
                fn_: 1,
                tn: 0
            }
        );
        close(best.scores.precision, 2.0 / 3.0);
        close(best.scores.recall, 2.0 / 3.0);
        close(best.scores.f1, 2.0 / 3.0);
    }

    #[test]
    fn equal_f1_prefers_the_higher_threshold() {
        // t=0.9: TP1 FP0 FN1 -> 2/3; t=0.8: TP1 FP1 FN1 -> 1/2; t=0.7: TP1 FP2 FN1 -> 2/5;
        // t=0.6: TP2 FP2 FN0 -> 4/6 = 2/3, a tie with 0.9.
        let t = truth(&[("a", "x"), ("b", "y"), ("c", ""), ("d", "")]);
        let p = preds(&[
            ("a", "x", "x", 0.9),
            ("c", "", "q", 0.8),
            ("d", "", "r", 0.7),
            ("b", "", "y", 0.6),
        ]);
        let best = evaluate(&t, &p).best_f1_threshold.expect("best");
        assert_eq!(best.threshold, 0.9);
        close(best.scores.f1, 2.0 / 3.0);
        close(best.scores.precision, 1.0);
        close(best.scores.recall, 0.5);
        close(best.scores.accuracy, 0.75);
    }

    #[test]
    fn sweep_uses_top_candidates_not_matches() {
        // Nothing cleared the run's threshold, but the top candidates were right.
        let t = truth(&[("a", "x"), ("b", "")]);
        let p = preds(&[("a", "", "x", 0.55), ("b", "", "y", 0.2)]);
        let e = evaluate(&t, &p);
        close(e.top1.recall, 0.0);
        let best = e.best_f1_threshold.expect("best");
        assert_eq!(best.threshold, 0.55);
        close(best.scores.f1, 1.0);
        assert_eq!(best.scores.counts.tn, 1);
    }

    #[test]
    fn parses_truth_by_position() {
        let text = "document_id,po_id\ndoc_1,po_7\n doc_2 , \n\ndoc_3,\n";
        let rows = parse_truth(text.as_bytes(), "truth.csv").unwrap();
        assert_eq!(
            rows,
            truth(&[("doc_1", "po_7"), ("doc_2", ""), ("doc_3", "")])
        );
    }

    #[test]
    fn truth_rejects_duplicates_and_blank_ids() {
        let dup = parse_truth("d,r\na,x\na,y\n".as_bytes(), "t.csv").unwrap_err();
        assert_eq!(dup.row, Some(3));
        assert!(dup.to_string().contains("t.csv, row 3"), "{dup}");
        let blank = parse_truth("d,r\n,x\n".as_bytes(), "t.csv").unwrap_err();
        assert_eq!(blank.row, Some(2));
    }

    #[test]
    fn parses_predictions() {
        let text = "document_id,reference_row_id,confidence\na,x,0.91\nb,,\nc,,0.4\n";
        let p = parse_predictions(text.as_bytes(), "p.csv").unwrap();
        assert_eq!(p["a"].matched.as_deref(), Some("x"));
        assert_eq!(p["a"].top.as_ref().map(|t| t.confidence), Some(0.91));
        assert_eq!(p["b"], Prediction::default());
        assert_eq!(p["c"], Prediction::default());
    }

    #[test]
    fn predictions_need_a_confidence_for_a_row() {
        let e = parse_predictions("d,r,c\na,x,\n".as_bytes(), "p.csv").unwrap_err();
        assert_eq!(e.row, Some(2));
        let e = parse_predictions("d,r,c\na,x,high\n".as_bytes(), "p.csv").unwrap_err();
        assert!(e.message.contains("high"));
    }

    /// (document, [(row, confidence)], best first): a run's results with every candidate.
    fn run_preds(rows: &[(&str, &[(&str, f64)])]) -> HashMap<String, Prediction> {
        rows.iter()
            .map(|(d, cands)| {
                let mut candidates = cands.iter().map(|(r, c)| TopCandidate {
                    reference_row_id: r.to_string(),
                    confidence: *c,
                });
                let p = Prediction {
                    matched: None,
                    top: candidates.next(),
                    runners_up: candidates.collect(),
                };
                (d.to_string(), p)
            })
            .collect()
    }

    #[test]
    fn one_to_one_sweep_assigns_rows_as_the_run_does() {
        // a and b both score row X best; X is a's. b's true row is Y, its second candidate.
        // Taking top candidates, every threshold predicts X for b: at 0.8, TP 1 (a) and b wrong
        // (FP + FN), F1 = 2/4 = 0.5; at 0.7, c's wrong row adds an FP: 2/5.
        // One-to-one at 0.8: a gets X (0.95 beats b's 0.9), b gets Y (0.8): TP 2, F1 = 1.
        let t = truth(&[("a", "X"), ("b", "Y"), ("c", "")]);
        let p = run_preds(&[
            ("a", &[("X", 0.95)]),
            ("b", &[("X", 0.9), ("Y", 0.8)]),
            ("c", &[("Z", 0.7)]),
        ]);
        let plain = evaluate(&t, &p).best_f1_threshold.expect("best");
        close(plain.scores.f1, 2.0 / 3.0);
        assert_eq!(plain.threshold, 0.95, "only a, before b's wrong top row");

        let e = evaluate_with(&t, &p, true);
        assert!(e.one_to_one);
        let best = e.best_f1_threshold.expect("best");
        assert_eq!(best.threshold, 0.8);
        assert_eq!(
            best.scores.counts,
            Counts {
                tp: 2,
                fp: 0,
                fn_: 0,
                tn: 1
            }
        );
        close(best.scores.f1, 1.0);
    }

    #[test]
    fn one_to_one_sweep_finds_the_global_optimum_not_the_greedy_one() {
        // As in engine::assign: at 0.93 the optimum gives B to d1 and A to d2, though d1 scored A
        // highest; greedy would leave d2 without a row.
        let t = truth(&[("d1", "B"), ("d2", "A")]);
        let p = run_preds(&[("d1", &[("A", 0.95), ("B", 0.94)]), ("d2", &[("A", 0.93)])]);
        let best = evaluate_with(&t, &p, true).best_f1_threshold.expect("best");
        assert_eq!(best.threshold, 0.93);
        close(best.scores.f1, 1.0);
        // Without contested rows the two sweeps agree.
        let t = truth(&[("a", "x"), ("b", "y"), ("c", "")]);
        let p = run_preds(&[
            ("a", &[("x", 0.9)]),
            ("b", &[("y", 0.6)]),
            ("c", &[("q", 0.7)]),
        ]);
        assert_eq!(
            evaluate(&t, &p).best_f1_threshold,
            evaluate_with(&t, &p, true).best_f1_threshold
        );
    }
}
