//! Matching plans learned from two tables without labels (spec A.5): which document column goes
//! with which reference column, how to compare them, with what weight and threshold.
//!
//! The steps, each from the data alone:
//! 1. profile every column (`columns`) and pair text columns by how much their values overlap;
//! 2. match a sample of documents on those text columns and keep the pairs that agree clearly
//!    (`anchors`): likely true matches, on which every other column pair is tried (the date
//!    window, the tax rates and partial shares, the codes that agree);
//! 3. estimate each field's m and u by EM on the candidate pairs (`em`), weigh fields by how much
//!    they move the odds, and put the threshold where the expected F1 is best.

mod anchors;
pub(crate) mod calibrate;
mod columns;
mod em;
pub mod model;
mod params;
pub mod plan;
mod prompt;
pub mod resolve;

use crate::domain::{Document, FieldMapping, Record};
use crate::error::EngineError;
use crate::progress::CancelToken;

pub use model::MatchModel;

pub use plan::{ColumnSummary, FieldEstimate, ReviewBand, StrategyPlan, TableSide};
pub use prompt::{read_prompt, PromptHints};
pub use resolve::{suggest, suggest_for, suggest_with, Decisions, Suggestion};

/// The two tables a plan is learned from.
pub struct Tables<'a> {
    pub reference_columns: &'a [String],
    pub reference: &'a [Record],
    pub document_columns: &'a [String],
    pub documents: &'a [Document],
    /// Columns never compared: the tables' own row ids and file names.
    pub skip_reference: &'a [String],
    pub skip_documents: &'a [String],
    /// The reference already indexed by the caller (a run's own index): searched instead of
    /// building another where it was built for the same comparisons (`ReferenceIndex::serves`).
    pub index: Option<&'a crate::index::ReferenceIndex>,
}

/// Documents matched to learn from (the rest add nothing but time).
const LEARN_DOCUMENTS: usize = 2_000;

/// A pair a reviewer decided: approved (a match) or rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub document_id: String,
    pub reference_row_id: String,
    pub is_match: bool,
}

/// Proposes a matching plan for `tables`. `None` when cancelled.
pub fn propose(
    tables: &Tables,
    hints: &PromptHints,
    cancel: &CancelToken,
) -> Result<Option<StrategyPlan>, EngineError> {
    propose_with(tables, hints, &[], cancel)
}

/// `propose`, learning also from pairs reviewers decided: approved pairs are matches for
/// certain (and teach the parameters as the likely matches do), rejected ones are not.
pub fn propose_with(
    tables: &Tables,
    hints: &PromptHints,
    labels: &[Label],
    cancel: &CancelToken,
) -> Result<Option<StrategyPlan>, EngineError> {
    let mut sampler = Sampler::new(0x5eed_1234_abcd_ef01);
    let ref_rows: Vec<&[String]> = tables.reference.iter().map(|r| &r.values[..]).collect();
    let doc_rows: Vec<&[String]> = tables.documents.iter().map(|d| &d.values[..]).collect();
    if ref_rows.is_empty() || doc_rows.is_empty() {
        return Err(EngineError::validation(
            if ref_rows.is_empty() {
                "reference_data_id"
            } else {
                "document_set_id"
            },
            "a strategy is learned from rows: this table has none",
        ));
    }
    let usable = |columns: &[String], skip: &[String]| -> Vec<usize> {
        (0..columns.len())
            .filter(|&c| !skip.contains(&columns[c]) && !hints.ignores(&columns[c]))
            .collect()
    };
    let ref_cols = columns::profile(
        tables.reference_columns,
        &usable(tables.reference_columns, tables.skip_reference),
        &ref_rows,
        &mut sampler,
    );
    let doc_cols = columns::profile(
        tables.document_columns,
        &usable(tables.document_columns, tables.skip_documents),
        &doc_rows,
        &mut sampler,
    );
    let data = anchors::Data {
        tables,
        ref_rows: &ref_rows,
        doc_rows: &doc_rows,
        ref_cols: &ref_cols,
        doc_cols: &doc_cols,
    };
    let text = anchors::pair_text_columns(&data, &mut sampler);
    if text.is_empty() {
        return Err(EngineError::validation(
            "reference_data_id",
            "no document column shares values with a column of the reference data, so there is \
             nothing to match on",
        ));
    }
    let sample = sampler.indexes(doc_rows.len(), LEARN_DOCUMENTS);
    let sample_docs: Vec<Document> = sample
        .iter()
        .map(|&i| tables.documents[i].clone())
        .collect();
    let Some(first) = anchors::provisional_run(&data, &text, &sample_docs, cancel)? else {
        return Ok(None);
    };
    let labeled = labeled_pairs(&data, labels);
    let anchor_pairs = anchors_with_labels(&data, &first, &labeled);
    let random = anchors::random_pairs(&data, &mut sampler);
    let chosen = anchors::choose_mappings(&data, &text, &anchor_pairs, &random);
    let mut mappings: Vec<FieldMapping> = chosen.iter().map(|c| c.mapping.clone()).collect();
    let mut estimates = em::estimate(&data, &mappings, &first, &random, &anchor_pairs, &labeled);
    em::set_weights(&mut mappings, &estimates, hints);
    let Some(matcher) = anchors::Matcher::new(&data, &mappings, 0.05, cancel)? else {
        return Ok(None);
    };
    // After the mapping weights: they come from the random pairs alone, and the index that
    // counts each column's values is built for them.
    estimates.with_collisions(|f| matcher.collision(f));
    let Some(finale) = em::choose_threshold(&matcher, &mappings, &estimates, &sample_docs, cancel)?
    else {
        return Ok(None);
    };
    let Some(mut model) = em::choose_model(
        &matcher,
        &mappings,
        (&estimates, &labeled),
        (&sample_docs, Some(&finale.plain)),
        cancel,
    )?
    else {
        return Ok(None);
    };
    drop(matcher);
    model.search_threshold = finale.threshold;
    model.search_review_floor = finale.review_floor;
    for (m, c) in mappings.iter_mut().zip(&chosen) {
        m.rationale = Some(c.rationale(m));
    }
    let field_estimates = em::summaries(&mappings, &estimates);
    let mut columns_out = Vec::new();
    for p in &doc_cols {
        columns_out.push(columns::summary(TableSide::Documents, p, &doc_rows));
    }
    for p in &ref_cols {
        columns_out.push(columns::summary(TableSide::Reference, p, &ref_rows));
    }
    let edge_cases = anchors::left_out(&data, &chosen, hints);
    Ok(Some(StrategyPlan {
        threshold: finale.threshold,
        thresholds: ReviewBand {
            match_: finale.threshold,
            review_floor: finale.review_floor,
        },
        one_to_one: finale.one_to_one,
        blocking_keys: Vec::new(),
        blocking_strategy: Default::default(),
        field_estimates,
        model: Some(model),
        match_share: estimates.match_share,
        columns: columns_out,
        edge_cases,
        data_quality_notes: finale.quality_note(&doc_cols, &ref_cols),
        cardinality_notes: finale.cardinality_note(),
        prompt_notes: hints.notes(),
        field_mappings: mappings,
    }))
}

/// Reviewer labels as (document row, reference row) pairs; pairs of rows not in the tables are
/// left out.
fn labeled_pairs(data: &anchors::Data, labels: &[Label]) -> Vec<((usize, usize), bool)> {
    let rows = data.row_lookup();
    labels
        .iter()
        .filter_map(|l| {
            let d = *rows.docs.get(l.document_id.as_str())?;
            let r = *rows.refs.get(l.reference_row_id.as_str())?;
            Some(((d, r), l.is_match))
        })
        .collect()
}

/// The likely matches of `first`, where a document a reviewer decided is no guess: its likely
/// match goes, its approved one comes.
fn anchors_with_labels(
    data: &anchors::Data,
    first: &[crate::domain::DocumentMatch],
    labeled: &[((usize, usize), bool)],
) -> Vec<(usize, usize)> {
    let mut out = anchors::pick_anchors(data, first);
    out.retain(|a| labeled.iter().all(|(l, _)| l.0 != a.0));
    out.extend(labeled.iter().filter(|l| l.1).map(|l| l.0));
    out
}

/// A match model for a run's own `mappings`, fitted to the tables and to what reviewers decided:
/// what ai-resolve re-scores the review band with. `None` when cancelled.
pub fn fit_model(
    tables: &Tables,
    mappings: &[FieldMapping],
    labels: &[Label],
    cancel: &CancelToken,
) -> Result<Option<MatchModel>, EngineError> {
    fit(tables, mappings, labels, None, cancel)
}

/// What a strategy estimated (its `field_estimates` and `match_share`), so that its model can be
/// fitted again to new decisions without estimating again.
#[derive(Debug, Clone, Copy)]
pub struct Estimated<'a> {
    pub fields: &'a [FieldEstimate],
    pub match_share: f64,
}

/// `fit_model` for a strategy's own fields, starting from what the strategy estimated: only the
/// regression is fitted again, with the decisions, so a handful of them moves the strategy's
/// model a little instead of replacing it with one estimated on a sample. `None` when cancelled.
pub fn refit_model(
    tables: &Tables,
    mappings: &[FieldMapping],
    estimated: Estimated,
    labels: &[Label],
    cancel: &CancelToken,
) -> Result<Option<MatchModel>, EngineError> {
    if estimated.fields.len() != mappings.len() {
        return Err(EngineError::validation(
            "strategy_id",
            format!(
                "the strategy estimated {} fields but the config compares {}",
                estimated.fields.len(),
                mappings.len()
            ),
        ));
    }
    fit(tables, mappings, labels, Some(estimated), cancel)
}

fn fit(
    tables: &Tables,
    mappings: &[FieldMapping],
    labels: &[Label],
    estimated: Option<Estimated>,
    cancel: &CancelToken,
) -> Result<Option<MatchModel>, EngineError> {
    let mut sampler = Sampler::new(0x5eed_1234_abcd_ef02);
    let ref_rows: Vec<&[String]> = tables.reference.iter().map(|r| &r.values[..]).collect();
    let doc_rows: Vec<&[String]> = tables.documents.iter().map(|d| &d.values[..]).collect();
    // The mapped reference columns' roles say which fields' rarity the model weighs, as when
    // the strategy was learned (a sampler of its own keeps the documents' sample as it was).
    let targets: Vec<usize> = (tables.reference_columns.iter().enumerate())
        .filter(|(_, c)| mappings.iter().any(|m| &m.target == *c))
        .map(|(i, _)| i)
        .collect();
    let ref_cols = columns::profile(
        tables.reference_columns,
        &targets,
        &ref_rows,
        &mut Sampler::new(0x5eed_1234_abcd_ef03),
    );
    let data = anchors::Data {
        tables,
        ref_rows: &ref_rows,
        doc_rows: &doc_rows,
        ref_cols: &ref_cols,
        doc_cols: &[],
    };
    let sample: Vec<Document> = sampler
        .indexes(doc_rows.len(), LEARN_DOCUMENTS)
        .into_iter()
        .map(|i| tables.documents[i].clone())
        .collect();
    let Some(matcher) = anchors::Matcher::new(&data, mappings, 0.05, cancel)? else {
        return Ok(None);
    };
    let labeled = labeled_pairs(&data, labels);
    let estimates = match estimated {
        Some(e) => em::Estimates::of(e),
        None => {
            let none = crate::run::RejectedPairs::new();
            let Some(first) = matcher.run(&sample, None, &none, cancel)? else {
                return Ok(None);
            };
            let anchor_pairs = anchors_with_labels(&data, &first, &labeled);
            let random = anchors::random_pairs(&data, &mut sampler);
            let mut est = em::estimate(&data, mappings, &first, &random, &anchor_pairs, &labeled);
            est.with_collisions(|f| matcher.collision(f));
            est
        }
    };
    em::choose_model(
        &matcher,
        mappings,
        (&estimates, &labeled),
        (&sample, None),
        cancel,
    )
}

/// A small deterministic generator (xorshift64*): the same tables give the same plan.
pub(crate) struct Sampler(u64);

impl Sampler {
    pub fn new(seed: u64) -> Self {
        Sampler(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Up to `k` distinct indexes below `n`, in increasing order (all of them when `n <= k`).
    pub fn indexes(&mut self, n: usize, k: usize) -> Vec<usize> {
        if n <= k {
            return (0..n).collect();
        }
        // Selection sampling (Knuth's algorithm S): one pass, exactly k, in order.
        let mut out = Vec::with_capacity(k);
        for i in 0..n {
            let left = n - i;
            let need = k - out.len();
            if need == 0 {
                break;
            }
            if (self.next() % left as u64) < need as u64 {
                out.push(i);
            }
        }
        out
    }
}
