//! One-to-one assignment: no reference row goes to two documents. Solved globally over the
//! candidate graph (documents and their top candidates at or above the threshold), so the total
//! confidence of the assignment is as high as possible — not greedily by input order, where the
//! first document to ask would win a row another needed more.
//!
//! The graph falls apart into small connected components (a contested row links a few
//! documents); each is solved exactly with the Hungarian algorithm. A component larger than
//! [`EXACT_LIMIT`] documents, which real data rarely makes, is solved greedily by descending
//! confidence instead, so the cost stays bounded.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::domain::DocumentMatch;

/// A result already written whose match one-to-one assignment changed: the document lost the
/// row it scored best to another (`contested`), and has the row it was given instead, or none.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub document_id: String,
    pub matched_reference_row_id: Option<String>,
    pub confidence: f64,
    pub contested: bool,
    /// The confidence of the match as written, which the run's counters hold (`None`: it had
    /// no match).
    pub written_match_confidence: Option<f64>,
}

impl Revision {
    /// Applies the revision to the result as written.
    pub fn apply(&self, m: &mut DocumentMatch) {
        m.matched_reference_row_id = self.matched_reference_row_id.clone();
        m.confidence = self.confidence;
        m.contested = self.contested;
    }
}

/// Applies `revisions` to results kept in memory (matched by document id).
pub fn apply_revisions(results: &mut [DocumentMatch], revisions: &[Revision]) {
    let at: HashMap<&str, usize> = revisions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.document_id.as_str(), i))
        .collect();
    for m in results.iter_mut() {
        if let Some(&i) = at.get(m.document_id.as_str()) {
            revisions[i].apply(m);
        }
    }
}

/// `assign_one_to_one` on results written as scored (each matching its best candidate when that
/// reaches the threshold), and the revisions that bring the written ones in line.
pub fn assign_one_to_one_revisions(results: &mut [DocumentMatch], threshold: f64) -> Vec<Revision> {
    assign_one_to_one(results, threshold);
    results
        .iter()
        .filter_map(|m| {
            let best = m.candidates.first();
            let written = best.filter(|c| c.confidence >= threshold - 1e-12);
            let written_confidence = best.map_or(0.0, |c| c.confidence);
            let same = m.matched_reference_row_id.as_deref()
                == written.map(|c| c.reference_row_id.as_str())
                && m.confidence == written_confidence
                && !m.contested;
            (!same).then(|| Revision {
                document_id: m.document_id.clone(),
                matched_reference_row_id: m.matched_reference_row_id.clone(),
                confidence: m.confidence,
                contested: m.contested,
                written_match_confidence: written.map(|c| c.confidence),
            })
        })
        .collect()
}

/// Components with more documents than this are assigned greedily.
pub const EXACT_LIMIT: usize = 300;

/// Rewrites each result's match so that every reference row is matched at most once, maximising
/// the summed confidence. A document that scored a row at or above the threshold but did not get
/// it is flagged `contested`; it keeps its candidates, and its match becomes the row it was given
/// instead (if any).
pub fn assign_one_to_one(results: &mut [DocumentMatch], threshold: f64) {
    let given = assigned_candidates(results, threshold);
    for (m, given) in results.iter_mut().zip(given) {
        if keeps_its_match(m, given) {
            // Most documents: rewriting would clone the row id it already holds.
            continue;
        }
        let wanted = m.matched_reference_row_id.is_some();
        if let Some(k) = given {
            m.confidence = m.candidates[k].confidence;
        }
        m.contested = wanted && given != Some(0);
        m.matched_reference_row_id = given.map(|k| m.candidates[k].reference_row_id.clone());
    }
}

/// Whether giving `m` the candidate at `given` leaves it as it is: it keeps its best row (or has
/// none and gets none), uncontested.
fn keeps_its_match(m: &DocumentMatch, given: Option<usize>) -> bool {
    if m.contested {
        return false;
    }
    match given {
        Some(0) => m.candidates.first().is_some_and(|c| {
            m.matched_reference_row_id.as_deref() == Some(c.reference_row_id.as_str())
                && m.confidence == c.confidence
        }),
        None => m.matched_reference_row_id.is_none(),
        Some(_) => false,
    }
}

/// Per document, the place in its candidate list of the row assignment gives it.
fn assigned_candidates(results: &[DocumentMatch], threshold: f64) -> Vec<Option<usize>> {
    // Edges: (document, row, confidence) for candidates that would match, document after
    // document, with each one's place in its document's list beside it.
    let mut row_ids: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(results.len(), Default::default());
    let mut edges: Vec<(usize, usize, f64)> = Vec::with_capacity(results.len());
    let mut places: Vec<usize> = Vec::with_capacity(results.len());
    for (d, m) in results.iter().enumerate() {
        for (k, c) in m.candidates.iter().enumerate() {
            if c.confidence >= threshold - 1e-12 {
                let next = row_ids.len();
                let r = *row_ids.entry(c.reference_row_id.as_str()).or_insert(next);
                edges.push((d, r, c.confidence));
                places.push(k);
            }
        }
    }
    let n_docs = results.len();
    // Components over documents and rows (rows numbered after documents), gathered by sorting
    // the edges by their root: a hundred thousand documents make as many components.
    let mut uf = UnionFind::new(n_docs + row_ids.len());
    for &(d, r, _) in &edges {
        uf.union(d, n_docs + r);
    }
    let mut by_root: Vec<(usize, usize)> =
        (0..edges.len()).map(|e| (uf.find(edges[e].0), e)).collect();
    by_root.sort_unstable();
    let mut assigned: Vec<Option<usize>> = vec![None; n_docs];
    for group in by_root.chunk_by(|a, b| a.0 == b.0) {
        let first_doc = edges[group[0].1].0;
        if group.iter().all(|&(_, e)| edges[e].0 == first_doc) {
            // The usual case: an uncontested document takes its best row.
            let best = group
                .iter()
                .map(|&(_, e)| edges[e])
                .max_by(|a, b| a.2.total_cmp(&b.2).then(b.1.cmp(&a.1)));
            assigned[first_doc] = best.map(|e| e.1);
        } else {
            let comp_edges: Vec<(usize, usize, f64)> =
                group.iter().map(|&(_, e)| edges[e]).collect();
            solve_component(&comp_edges, &mut assigned);
        }
    }
    // Edges are in document order: a document's are the run from its first.
    let mut given = vec![None; n_docs];
    let mut e = 0;
    while e < edges.len() {
        let d = edges[e].0;
        let end = e + edges[e..].iter().take_while(|x| x.0 == d).count();
        given[d] = assigned[d].and_then(|r| (e..end).find(|&i| edges[i].1 == r).map(|i| places[i]));
        e = end;
    }
    given
}

fn solve_component(edges: &[(usize, usize, f64)], assigned: &mut [Option<usize>]) {
    let mut docs: Vec<usize> = edges.iter().map(|e| e.0).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut rows: Vec<usize> = edges.iter().map(|e| e.1).collect();
    rows.sort_unstable();
    rows.dedup();
    if docs.len() == 1 {
        // The usual case: an uncontested document takes its best row.
        let best = edges
            .iter()
            .max_by(|a, b| a.2.total_cmp(&b.2).then(b.1.cmp(&a.1)));
        assigned[docs[0]] = best.map(|e| e.1);
        return;
    }
    if docs.len() > EXACT_LIMIT {
        greedy(edges, assigned);
        return;
    }
    let doc_pos: HashMap<usize, usize> = docs.iter().enumerate().map(|(i, &d)| (d, i)).collect();
    let row_pos: HashMap<usize, usize> = rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    // Square cost matrix: dummy rows/columns cost 0, so leaving a document or row out is allowed.
    let n = docs.len().max(rows.len());
    let mut cost = vec![vec![0.0f64; n]; n];
    for &(d, r, w) in edges {
        let (i, j) = (doc_pos[&d], row_pos[&r]);
        // Maximise confidence: minimise its negative. Ties favour nothing in particular; the
        // confidences themselves differ almost always.
        cost[i][j] = cost[i][j].min(-w);
    }
    let assignment = hungarian(&cost);
    for (i, &j) in assignment.iter().enumerate().take(docs.len()) {
        if j < rows.len() && cost[i][j] < 0.0 {
            assigned[docs[i]] = Some(rows[j]);
        }
    }
}

fn greedy(edges: &[(usize, usize, f64)], assigned: &mut [Option<usize>]) {
    let mut sorted: Vec<&(usize, usize, f64)> = edges.iter().collect();
    sorted.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    let mut taken = std::collections::HashSet::new();
    for &&(d, r, _) in &sorted {
        if assigned[d].is_none() && !taken.contains(&r) {
            assigned[d] = Some(r);
            taken.insert(r);
        }
    }
}

/// Minimum-cost perfect assignment of a square matrix (Kuhn-Munkres with potentials, O(n³)).
/// Returns, for each row, its column.
fn hungarian(cost: &[Vec<f64>]) -> Vec<usize> {
    let n = cost.len();
    let inf = f64::INFINITY;
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut p = vec![0usize; n + 1]; // p[j]: row matched to column j (1-based, 0 = none)
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut row_to_col = vec![0usize; n];
    for j in 1..=n {
        if p[j] > 0 {
            row_to_col[p[j] - 1] = j - 1;
        }
    }
    row_to_col
}

/// Disjoint sets over `0..n` with path compression: the components of documents and rows that
/// compete for the same rows (also used by `eval`'s one-to-one threshold sweep).
pub struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }
    pub fn find(&mut self, x: usize) -> usize {
        let mut root = x;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut x = x;
        while self.parent[x] != root {
            let next = self.parent[x];
            self.parent[x] = root;
            x = next;
        }
        root
    }
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
    /// Makes root `child` part of root `root`'s set, for callers that choose the surviving root
    /// themselves (e.g. by size).
    pub fn attach(&mut self, child: usize, root: usize) {
        self.parent[child] = root;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Candidate;

    fn doc(id: &str, cands: &[(&str, f64)], threshold: f64) -> DocumentMatch {
        let candidates: Vec<Candidate> = cands
            .iter()
            .enumerate()
            .map(|(i, (r, c))| Candidate {
                rank: i as u32 + 1,
                reference_row_id: r.to_string(),
                confidence: *c,
                evidence: vec![],
            })
            .collect();
        DocumentMatch {
            document_id: id.into(),
            document_filename: None,
            matched_reference_row_id: candidates
                .first()
                .filter(|c| c.confidence >= threshold)
                .map(|c| c.reference_row_id.clone()),
            confidence: candidates.first().map_or(0.0, |c| c.confidence),
            candidates,
            contested: false,
            band_complete: true,
        }
    }

    fn matched(r: &[DocumentMatch]) -> Vec<Option<&str>> {
        r.iter()
            .map(|m| m.matched_reference_row_id.as_deref())
            .collect()
    }

    #[test]
    fn global_optimum_beats_input_order() {
        // Greedy in input order would give A to d1 (0.95) and leave d2 with nothing;
        // the optimum gives B to d1 (0.94) and A to d2 (0.93).
        let mut r = vec![
            doc("d1", &[("A", 0.95), ("B", 0.94)], 0.9),
            doc("d2", &[("A", 0.93)], 0.9),
        ];
        assign_one_to_one(&mut r, 0.9);
        assert_eq!(matched(&r), vec![Some("B"), Some("A")]);
        assert!(r[0].contested, "d1 lost its best row");
        assert!(!r[1].contested);
        assert!(
            (r[0].confidence - 0.94).abs() < 1e-12,
            "confidence follows the row given"
        );
    }

    #[test]
    fn the_stronger_claim_wins_and_the_loser_is_flagged() {
        let mut r = vec![
            doc("d1", &[("A", 0.90)], 0.85),
            doc("d2", &[("A", 0.99)], 0.85),
            doc("d3", &[("C", 0.97)], 0.85),
        ];
        assign_one_to_one(&mut r, 0.85);
        assert_eq!(matched(&r), vec![None, Some("A"), Some("C")]);
        assert!(r[0].contested && !r[1].contested && !r[2].contested);
        assert_eq!(
            r[0].candidates.len(),
            1,
            "the loser keeps its candidates for review"
        );
    }

    #[test]
    fn candidates_below_the_threshold_are_never_assigned() {
        let mut r = vec![
            doc("d1", &[("A", 0.99), ("B", 0.5)], 0.8),
            doc("d2", &[("A", 0.98)], 0.8),
        ];
        assign_one_to_one(&mut r, 0.8);
        assert_eq!(matched(&r), vec![Some("A"), None]);
        assert!(r[1].contested);
        assert!(!r[0].contested);
    }

    #[test]
    fn unmatched_documents_stay_unflagged() {
        let mut r = vec![doc("d1", &[("A", 0.4)], 0.8)];
        assign_one_to_one(&mut r, 0.8);
        assert_eq!(matched(&r), vec![None]);
        assert!(!r[0].contested);
    }

    #[test]
    fn hungarian_finds_the_minimum_on_a_known_matrix() {
        let cost = vec![
            vec![4.0, 1.0, 3.0],
            vec![2.0, 0.0, 5.0],
            vec![3.0, 2.0, 2.0],
        ];
        let a = hungarian(&cost);
        let total: f64 = a.iter().enumerate().map(|(i, &j)| cost[i][j]).sum();
        assert_eq!(total, 5.0);
        let mut cols = a.clone();
        cols.sort_unstable();
        assert_eq!(cols, vec![0, 1, 2]);
    }

    #[test]
    fn a_chain_of_contested_rows_is_solved_as_a_whole() {
        // d1-A-d2-B-d3-C: the optimum shifts everyone to their second choice but one.
        let t = 0.8;
        let mut r = vec![
            doc("d1", &[("A", 0.99), ("X", 0.98)], t),
            doc("d2", &[("A", 0.99), ("B", 0.97)], t),
            doc("d3", &[("B", 0.99), ("C", 0.96)], t),
        ];
        assign_one_to_one(&mut r, t);
        // Best total: d1->X (0.98), d2->A (0.99), d3->B (0.99) = 2.96.
        assert_eq!(matched(&r), vec![Some("X"), Some("A"), Some("B")]);
        let rows: std::collections::HashSet<_> = matched(&r).into_iter().flatten().collect();
        assert_eq!(rows.len(), 3);
    }
}
