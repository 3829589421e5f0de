//! Likely matches found without labels, and what they teach: documents matched on the text
//! columns whose values overlap, kept where one reference row clearly wins (the anchors). Every
//! column pair is then tried on the anchors against random pairs: the date window, the tax rates
//! and partial shares, and the codes that agree come from there.

use std::collections::HashMap;

use super::columns::{self, ProfiledColumn, ValueSet};
use super::{MatchModel, PromptHints, Sampler, Tables};
use crate::domain::{Document, DocumentMatch, FieldMapping, FuzzyMeasure, Normalizer, Strategy};
use crate::error::EngineError;
use crate::index::ReferenceIndex;
use crate::profile::{detect_date_order, ColumnRole, DateOrderProfile};
use crate::progress::{CancelToken, NoProgress};
use crate::run::{
    execute_indexed, ExecOptions, KeepAll, MatchPlan, RejectedPairs, RunInput, SliceSource,
};
use crate::strategy::{compare_spec, prepare_spec, FieldSpec};

/// Document values per column whose overlap with a reference column is measured.
const OVERLAP_SAMPLE: usize = 800;
/// Below this overlap a text column pair is not tried as a first guess.
const MIN_OVERLAP: f64 = 0.2;
/// Random (document, reference row) pairs: what unrelated pairs look like.
const RANDOM_PAIRS: usize = 4_000;

/// (document row, reference row) pairs.
pub(super) type Pairs = [(usize, usize)];
/// A pair and whether a reviewer found it a match.
pub(super) type Labeled = ((usize, usize), bool);
/// The sample's and the impostors' matches.
pub(super) type SampleMatches = (Vec<DocumentMatch>, Vec<DocumentMatch>);

/// The tables, their row views and their profiled (usable) columns.
pub(super) struct Data<'a> {
    pub tables: &'a Tables<'a>,
    pub ref_rows: &'a [&'a [String]],
    pub doc_rows: &'a [&'a [String]],
    pub ref_cols: &'a [ProfiledColumn],
    pub doc_cols: &'a [ProfiledColumn],
}

/// A text column pair found by overlapping values.
pub(super) struct TextPair {
    pub doc: usize,
    pub reference: usize,
    pub overlap: f64,
}

/// A mapping chosen, with what chose it.
pub(super) struct Chosen {
    pub mapping: FieldMapping,
    pub doc: usize,
    pub reference: usize,
    /// Share of likely matches that agree, and of random pairs.
    pub m: f64,
    pub u: f64,
    pub overlap: Option<f64>,
    /// The parameter found, in words ("dated 0 to 49 days after").
    pub detail: Option<String>,
}

impl Chosen {
    pub fn rationale(&self, m: &FieldMapping) -> String {
        let mut s = String::new();
        if let Some(o) = self.overlap {
            s.push_str(&format!(
                "{:.0} % of the values are found in the reference column. ",
                o * 100.0
            ));
        }
        s.push_str(&format!(
            "Agrees on {:.1} % of the likely matches and {:.1} % of random pairs",
            self.m * 100.0,
            self.u * 100.0
        ));
        if let Some(d) = &self.detail {
            s.push_str(&format!("; {d}"));
        }
        s.push_str(&format!(
            ". Weight {:.3}, mismatch weight {:.3}.",
            m.weight,
            m.mismatch_weight.unwrap_or(m.weight)
        ));
        s
    }
}

/// The comparison two text columns want, from their roles.
fn text_mapping(data: &Data, d: &ProfiledColumn, r: &ProfiledColumn) -> FieldMapping {
    let source = &data.tables.document_columns[d.index];
    let target = &data.tables.reference_columns[r.index];
    let roles = [d.profile.role, r.profile.role];
    let has = |role: ColumnRole| roles.contains(&role);
    // Few distinct values (a currency, a state) or numbers naming things (a postcode): equal or
    // not, a near miss is another value.
    if d.is_integer_code() || r.is_integer_code() || has(ColumnRole::Code) && !has(ColumnRole::Text)
    {
        return FieldMapping::new(source, target, Strategy::Exact, 1.0);
    }
    let mut m = FieldMapping::new(source, target, Strategy::Fuzzy, 1.0);
    if has(ColumnRole::Reference) || has(ColumnRole::Identifier) {
        m.normalizer = Some(Normalizer::Reference);
        m.similarity_threshold = Some(0.8);
    } else if has(ColumnRole::CompanyName) {
        m.normalizer = Some(Normalizer::CompanyName);
        m.measure = Some(FuzzyMeasure::JaroWinkler);
        m.similarity_threshold = Some(0.85);
    } else if has(ColumnRole::PersonName) || d.profile.avg_len.max(r.profile.avg_len) <= 12.0 {
        // Short words: one typo moves Jaro-Winkler little and token measures a lot.
        m.measure = Some(FuzzyMeasure::JaroWinkler);
        m.similarity_threshold = Some(0.8);
    } else {
        m.similarity_threshold = Some(0.8);
    }
    m
}

/// Text column pairs by overlapping values, best first, each column used once.
pub(super) fn pair_text_columns(data: &Data, sampler: &mut Sampler) -> Vec<TextPair> {
    let sets: Vec<Option<ValueSet>> = data
        .ref_cols
        .iter()
        .map(|r| r.is_textual().then(|| ValueSet::of(data.ref_rows, r.index)))
        .collect();
    let mut scored = Vec::new();
    for (di, d) in data.doc_cols.iter().enumerate() {
        if !d.is_textual() {
            continue;
        }
        let values = columns::sample_values(data.doc_rows, d.index, sampler, OVERLAP_SAMPLE);
        for (ri, set) in sets.iter().enumerate() {
            if let Some(set) = set {
                let overlap = set.overlap(&values);
                if overlap >= MIN_OVERLAP {
                    scored.push(TextPair {
                        doc: di,
                        reference: ri,
                        overlap,
                    });
                }
            }
        }
    }
    scored.sort_by(|a, b| b.overlap.total_cmp(&a.overlap));
    let mut out: Vec<TextPair> = Vec::new();
    for p in scored {
        if out
            .iter()
            .all(|o| o.doc != p.doc && o.reference != p.reference)
        {
            out.push(p);
        }
    }
    out
}

/// A reference index built once for a plan, matching several samples of documents (the index
/// of a million rows takes longer to build than a sample takes to match).
pub(super) struct Matcher<'d> {
    data: &'d Data<'d>,
    plan: MatchPlan,
    index: Indexed<'d>,
}

/// The caller's index of the reference when it serves the plan, else one built here.
enum Indexed<'d> {
    Shared(&'d ReferenceIndex),
    Built(Box<ReferenceIndex>),
}

impl std::ops::Deref for Indexed<'_> {
    type Target = ReferenceIndex;

    fn deref(&self) -> &ReferenceIndex {
        match self {
            Indexed::Shared(index) => index,
            Indexed::Built(index) => index,
        }
    }
}

impl<'d> Matcher<'d> {
    /// `None` when cancelled while indexing.
    pub fn new(
        data: &'d Data<'d>,
        mappings: &[FieldMapping],
        review_floor: f64,
        cancel: &CancelToken,
    ) -> Result<Option<Self>, EngineError> {
        let plan = MatchPlan::new(
            mappings,
            0.99,
            data.tables.reference_columns,
            data.tables.document_columns,
        )?
        .with_review_floor(review_floor)
        .with_rarity_evidence();
        let index = match data.tables.index.filter(|i| i.serves(&plan)) {
            Some(shared) => Indexed::Shared(shared),
            None => {
                match ReferenceIndex::build(&plan, data.tables.reference, &NoProgress, cancel) {
                    Some(built) => Indexed::Built(Box::new(built)),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(Matcher { data, plan, index }))
    }

    pub fn data(&self) -> &'d Data<'d> {
        self.data
    }

    /// The rarity of reference row `row`'s value of mapping `f` (`ReferenceIndex::rarity`).
    pub fn rarity(&self, f: usize, row: usize) -> Option<f64> {
        self.index.rarity(f, row)
    }

    /// How often two reference rows hold the same value of mapping `f`
    /// (`ReferenceIndex::collision`).
    pub fn collision(&self, f: usize) -> Option<f64> {
        self.index.collision(f)
    }

    /// `rarity` as an impostor (a reference row matched against the others) should see it: its
    /// own row holds the value too but is not among the rows it is matched against.
    pub fn impostor_rarity(&self, f: usize, row: usize) -> Option<f64> {
        self.index.rarity_leaving_out(f, row, 1)
    }

    /// Matches `docs`, ranked by `model` when given, leaving out the pairs of `excluded`; `None`
    /// when cancelled.
    pub fn run(
        &self,
        docs: &[Document],
        model: Option<&MatchModel>,
        excluded: &RejectedPairs,
        cancel: &CancelToken,
    ) -> Result<Option<Vec<DocumentMatch>>, EngineError> {
        let plan = self.plan.clone().with_model(model.cloned())?;
        let mut keep = KeepAll::default();
        let input = RunInput {
            plan: &plan,
            reference: self.data.tables.reference,
            rejected: excluded,
        };
        let Ok(outcome) = execute_indexed(
            &input,
            &self.index,
            &mut SliceSource::new(docs),
            &mut keep,
            &NoProgress,
            cancel,
            ExecOptions::default(),
        );
        Ok((!outcome.cancelled).then_some(keep.0))
    }
}

/// The first run: the text pairs, weighted by how varied the reference column is.
pub(super) fn provisional_run(
    data: &Data,
    text: &[TextPair],
    docs: &[Document],
    cancel: &CancelToken,
) -> Result<Option<Vec<DocumentMatch>>, EngineError> {
    let mut mappings: Vec<FieldMapping> = text
        .iter()
        .map(|p| {
            let (d, r) = (&data.doc_cols[p.doc], &data.ref_cols[p.reference]);
            let mut m = text_mapping(data, d, r);
            m.weight = ((r.profile.distinct as f64) + 2.0).ln();
            m
        })
        .collect();
    let total: f64 = mappings.iter().map(|m| m.weight).sum();
    for m in &mut mappings {
        m.weight /= total;
    }
    let Some(matcher) = Matcher::new(data, &mappings, 0.2, cancel)? else {
        return Ok(None);
    };
    matcher.run(docs, None, &RejectedPairs::new(), cancel)
}

/// (document row, reference row) of the documents whose best row clearly wins.
pub(super) fn pick_anchors(data: &Data, first: &[DocumentMatch]) -> Vec<(usize, usize)> {
    let rows = data.row_lookup();
    let pick = |conf: f64, margin: f64| -> Vec<(usize, usize)> {
        first
            .iter()
            .filter_map(|m| {
                let top = m.candidates.first()?;
                let second = m.candidates.get(1).map_or(0.0, |c| c.confidence);
                (top.confidence >= conf && top.confidence - second >= margin).then(|| {
                    Some((
                        *rows.docs.get(m.document_id.as_str())?,
                        *rows.refs.get(top.reference_row_id.as_str())?,
                    ))
                })?
            })
            .collect()
    };
    let strict = pick(0.8, 0.15);
    if strict.len() >= 30 {
        strict
    } else {
        pick(0.6, 0.1)
    }
}

/// Row positions by id.
pub(super) struct RowLookup<'a> {
    pub docs: HashMap<&'a str, usize>,
    pub refs: HashMap<&'a str, usize>,
}

impl<'a> Data<'a> {
    pub fn row_lookup(&self) -> RowLookup<'a> {
        RowLookup {
            docs: (self.tables.documents.iter().enumerate())
                .map(|(i, d)| (d.document_id.as_str(), i))
                .collect(),
            refs: (self.tables.reference.iter().enumerate())
                .map(|(i, r)| (r.id.as_str(), i))
                .collect(),
        }
    }
}

pub(super) fn random_pairs(data: &Data, sampler: &mut Sampler) -> Vec<(usize, usize)> {
    (0..RANDOM_PAIRS)
        .map(|_| {
            (
                sampler.below(data.doc_rows.len()),
                sampler.below(data.ref_rows.len()),
            )
        })
        .collect()
}

/// How often a mapping agrees (scores above 0) on `pairs` where both values are there.
pub(super) struct Comparer {
    pub spec: FieldSpec,
    pub doc: usize,
    pub reference: usize,
    doc_dates: DateOrderProfile,
    ref_dates: DateOrderProfile,
}

impl Comparer {
    pub fn new(data: &Data, m: &FieldMapping) -> Option<Self> {
        let doc = data
            .tables
            .document_columns
            .iter()
            .position(|c| c == &m.source)?;
        let reference = data
            .tables
            .reference_columns
            .iter()
            .position(|c| c == &m.target)?;
        let dates = |rows: &[&[String]], c: usize| {
            detect_date_order(rows.iter().take(5_000).map(|r| r[c].as_str()))
        };
        Some(Comparer {
            spec: FieldSpec::new(m),
            doc,
            reference,
            doc_dates: dates(data.doc_rows, doc),
            ref_dates: dates(data.ref_rows, reference),
        })
    }

    /// The score of a pair, `None` when a value is missing or unreadable.
    pub fn score(&self, data: &Data, (d, r): (usize, usize)) -> Option<f64> {
        let a = prepare_spec(&self.spec, &data.doc_rows[d][self.doc], &self.doc_dates);
        let b = prepare_spec(
            &self.spec,
            &data.ref_rows[r][self.reference],
            &self.ref_dates,
        );
        if a.is_missing() || b.is_missing() || a.is_invalid() {
            return None;
        }
        Some(compare_spec(&self.spec, &a, &b, None))
    }

    /// Share of `pairs` (with both values) that agree, and how many had both values.
    pub fn agreement(&self, data: &Data, pairs: &[(usize, usize)]) -> (f64, usize) {
        let (mut agree, mut n) = (0usize, 0usize);
        for &p in pairs {
            if let Some(s) = self.score(data, p) {
                n += 1;
                agree += usize::from(s > 0.0);
            }
        }
        (agree as f64 / n.max(1) as f64, n)
    }
}

/// The mappings worth keeping, most telling first: every usable column pair is tried on the
/// anchors and on random pairs, each column used once.
pub(super) fn choose_mappings(
    data: &Data,
    text: &[TextPair],
    anchors: &[(usize, usize)],
    random: &[(usize, usize)],
) -> Vec<Chosen> {
    let mut tried: Vec<(f64, Chosen)> = Vec::new();
    for d in data.doc_cols {
        for r in data.ref_cols {
            let overlap = text
                .iter()
                .find(|p| {
                    data.doc_cols[p.doc].index == d.index
                        && data.ref_cols[p.reference].index == r.index
                })
                .map(|p| p.overlap);
            let found = if is_date(d) && is_date(r) {
                super::params::date_mapping(data, d, r, (anchors, random))
            } else if is_amount(d) && is_amount(r) {
                super::params::amount_mapping(data, d, r, anchors)
            } else if d.is_textual() && r.is_textual() {
                Some((text_mapping(data, d, r), None))
            } else {
                None
            };
            let Some((mapping, detail)) = found else {
                continue;
            };
            let Some(cmp) = Comparer::new(data, &mapping) else {
                continue;
            };
            let (m, n) = cmp.agreement(data, anchors);
            let (u, _) = cmp.agreement(data, random);
            if std::env::var_os("LEARN_DEBUG").is_some() {
                eprintln!(
                    "try {} {} m {m:.3} u {u:.4} n {n}",
                    mapping.source, mapping.target
                );
            }
            if n < 10 || !telling(m, u) {
                continue;
            }
            tried.push((
                information(m, u),
                Chosen {
                    mapping,
                    doc: d.index,
                    reference: r.index,
                    m,
                    u,
                    overlap,
                    detail,
                },
            ));
        }
    }
    tried.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<Chosen> = Vec::new();
    for (_, c) in tried {
        if out
            .iter()
            .all(|o| o.doc != c.doc && o.reference != c.reference)
        {
            out.push(c);
        }
    }
    out
}

fn is_date(c: &ProfiledColumn) -> bool {
    c.profile.role == ColumnRole::Date
}

fn is_amount(c: &ProfiledColumn) -> bool {
    matches!(c.profile.role, ColumnRole::Amount | ColumnRole::Number) && !c.is_integer_code()
}

/// A field tells something when true matches agree on it much more often than random pairs do,
/// or disagree on it much less often.
fn telling(m: f64, u: f64) -> bool {
    m >= 0.5 && (m >= 3.0 * u.max(1e-4) || (1.0 - u) >= 4.0 * (1.0 - m).max(1e-4))
}

/// What one comparison tells, in bits: the divergence of agreement among matches from
/// agreement among random pairs.
pub(super) fn information(m: f64, u: f64) -> f64 {
    let (m, u) = (m.clamp(1e-4, 1.0 - 1e-4), u.clamp(1e-4, 1.0 - 1e-4));
    m * (m / u).log2() + (1.0 - m) * ((1.0 - m) / (1.0 - u)).log2()
}

/// The document columns no mapping uses, and why.
pub(super) fn left_out(data: &Data, chosen: &[Chosen], hints: &PromptHints) -> Vec<String> {
    let mut out = Vec::new();
    for (c, name) in data.tables.document_columns.iter().enumerate() {
        if data.tables.skip_documents.contains(name) {
            continue;
        }
        if hints.ignores(name) {
            out.push(format!(
                "Document column '{name}' left out: the prompt asked to ignore it."
            ));
        } else if chosen.iter().all(|m| m.doc != c) {
            out.push(format!(
                "Document column '{name}' left out: it agrees with no reference column on the \
                 likely matches more often than on random pairs."
            ));
        }
    }
    out
}
