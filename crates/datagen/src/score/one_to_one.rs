//! The best-F1 sweep of a one-to-one run: at each threshold the rows are assigned again, as the
//! run assigns them (`engine::assign`), so a document whose top row goes to another document is
//! predicted the row it is given instead, or nothing. Scoring each document's top candidate
//! alone, as the plain sweep does, counts both claimants of a row and so misjudges the F1 a
//! threshold would give (0.9966 against the run's own 0.9977 on one set).
//!
//! Lowering the threshold adds edges (document, row, confidence) in descending order. Components
//! of the candidate graph only grow, so after each step only the components that gained an edge
//! can change; and most of the time a new edge joins a document without a row to a row without
//! a document, which any solver takes as it is. Only when it does not is the component solved
//! again, by the engine's own assignment, so the sweep agrees with the run at every threshold.

use std::cmp::Ordering;
use std::collections::HashMap;

use engine::assign::{assign_one_to_one, UnionFind, EXACT_LIMIT};
use engine::{Candidate, DocumentMatch};

use super::{Counts, Scores, ThresholdScores, TopCandidate};

/// One document of the truth: its true row, its top candidate and the further ones.
pub(super) type Doc<'a> = (
    Option<&'a str>,
    Option<&'a TopCandidate>,
    &'a [TopCandidate],
);

fn candidates<'a>(doc: &Doc<'a>) -> impl Iterator<Item = &'a TopCandidate> {
    doc.1.into_iter().chain(doc.2.iter())
}

struct Sweep<'a> {
    docs: &'a [Doc<'a>],
    rows: Vec<&'a str>,
    /// Documents (0..n) and rows (n..) in components.
    sets: UnionFind,
    /// The documents of each root.
    members: Vec<Vec<usize>>,
    /// Whether a root's assignment is the greedy one (a component above `EXACT_LIMIT`).
    greedy: Vec<bool>,
    given: Vec<Option<usize>>,
    holder: Vec<Option<usize>>,
    counts: Counts,
}

impl<'a> Sweep<'a> {
    fn find(&mut self, x: usize) -> usize {
        self.sets.find(x)
    }

    /// Joins two roots; returns the new root and whether its assignment must be solved again
    /// (a component that turns greedy from parts solved exactly).
    fn union(&mut self, a: usize, b: usize) -> (usize, bool) {
        if a == b {
            return (a, false);
        }
        let (big, small) = if self.members[a].len() >= self.members[b].len() {
            (a, b)
        } else {
            (b, a)
        };
        self.sets.attach(small, big);
        let moved = std::mem::take(&mut self.members[small]);
        let was_greedy = |s: &Self, r: usize| s.members[r].is_empty() || s.greedy[r];
        let parts_greedy = was_greedy(self, big) && (moved.is_empty() || self.greedy[small]);
        self.members[big].extend(moved);
        let now_greedy = self.members[big].len() > EXACT_LIMIT;
        let resolve = now_greedy && !parts_greedy;
        self.greedy[big] = now_greedy;
        (big, resolve)
    }

    fn predict(&mut self, d: usize, row: Option<usize>) {
        let truth = self.docs[d].0;
        let name = |r: Option<usize>| r.map(|r| self.rows[r]);
        let before = Counts::of(truth, name(self.given[d]));
        let after = Counts::of(truth, name(row));
        self.counts.remove(before);
        self.counts.add(after);
        if let Some(old) = self.given[d] {
            self.holder[old] = None;
        }
        self.given[d] = row;
        if let Some(r) = row {
            self.holder[r] = Some(d);
        }
    }

    /// Solves a component again at `threshold` with the engine's assignment.
    fn resolve(&mut self, root: usize, threshold: f64, row_index: &HashMap<&str, usize>) {
        let members = self.members[root].clone();
        let mut matches: Vec<DocumentMatch> = members
            .iter()
            .map(|&d| document(&self.docs[d], threshold))
            .collect();
        assign_one_to_one(&mut matches, threshold);
        for &d in &members {
            self.predict(d, None);
        }
        for (&d, m) in members.iter().zip(&matches) {
            let row = m
                .matched_reference_row_id
                .as_deref()
                .and_then(|id| row_index.get(id).copied());
            self.predict(d, row);
        }
    }
}

/// A document as the run hands it to the assignment.
fn document(doc: &Doc<'_>, threshold: f64) -> DocumentMatch {
    let candidates: Vec<Candidate> = candidates(doc)
        .enumerate()
        .map(|(i, c)| Candidate {
            rank: i as u32 + 1,
            reference_row_id: c.reference_row_id.clone(),
            confidence: c.confidence,
            evidence: Vec::new(),
        })
        .collect();
    let top = candidates.first();
    DocumentMatch {
        document_id: String::new(),
        document_filename: None,
        matched_reference_row_id: top
            .filter(|c| c.confidence >= threshold)
            .map(|c| c.reference_row_id.clone()),
        confidence: top.map_or(0.0, |c| c.confidence),
        candidates,
        contested: false,
        band_complete: true,
    }
}

/// The threshold with the best F1 when rows are assigned one-to-one at each threshold; ties go
/// to the higher threshold, as in the plain sweep.
pub(super) fn best_f1_threshold(docs: &[Doc<'_>]) -> Option<ThresholdScores> {
    let n = docs.len();
    let mut row_index: HashMap<&str, usize> = HashMap::new();
    let mut rows: Vec<&str> = Vec::new();
    let mut edges: Vec<(usize, usize, f64)> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for c in candidates(doc) {
            let r = *row_index
                .entry(c.reference_row_id.as_str())
                .or_insert_with(|| {
                    rows.push(c.reference_row_id.as_str());
                    rows.len() - 1
                });
            edges.push((d, r, c.confidence));
        }
    }
    edges.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    let m = rows.len();
    let mut s = Sweep {
        docs,
        sets: UnionFind::new(n + m),
        members: (0..n + m)
            .map(|i| if i < n { vec![i] } else { Vec::new() })
            .collect(),
        greedy: vec![false; n + m],
        given: vec![None; n],
        holder: vec![None; m],
        counts: Counts::default(),
        rows,
    };
    for (truth, _, _) in docs {
        s.counts.add(Counts::of(*truth, None));
    }
    let mut best: Option<(f64, ThresholdScores)> = None;
    let mut i = 0;
    while i < edges.len() {
        let threshold = edges[i].2;
        let mut dirty: Vec<usize> = Vec::new();
        while let Some(&(d, r, w)) = edges.get(i) {
            if w.total_cmp(&threshold) != Ordering::Equal {
                break;
            }
            i += 1;
            let (a, b) = (s.find(d), s.find(n + r));
            let (root, resolve) = s.union(a, b);
            if resolve {
                dirty.push(root);
            } else if s.given[d].is_none() && s.holder[r].is_none() {
                s.predict(d, Some(r));
            } else if !s.greedy[root] {
                // The edge may open a better assignment; greedy would just pass it by.
                dirty.push(root);
            }
        }
        let mut roots: Vec<usize> = dirty.into_iter().map(|r| s.find(r)).collect();
        roots.sort_unstable();
        roots.dedup();
        for root in roots {
            s.resolve(root, threshold, &row_index);
        }
        let Some(f1) = s.counts.f1() else { continue };
        if f1 > 0.0 && best.as_ref().is_none_or(|(b, _)| f1 > *b) {
            best = Some((
                f1,
                ThresholdScores {
                    threshold,
                    scores: Scores::new(s.counts, n as u64),
                },
            ));
        }
    }
    best.map(|(_, t)| t)
}
