//! Executes one matching run: builds the reference index, then for each chunk of documents finds
//! candidates, scores them in parallel on all cores, keeps the top five, and hands results to a
//! sink, reporting progress and honouring cancellation between documents.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::assign::{assign_one_to_one_revisions, Revision};
use crate::domain::{
    Candidate, Document, DocumentMatch, FieldEvidence, FieldMapping, Record, TOP_CANDIDATES,
};
use crate::error::EngineError;
use crate::index::{ReferenceIndex, Scratch, ScratchPool};
use crate::learn::MatchModel;
use crate::phase_time::{Lap, Step};
use crate::profile::{detect_date_order, DateOrderProfile};
use crate::progress::{CancelToken, Phase, ProgressSink, ProgressUpdate};
use crate::strategy::{explain_spec, prepare_spec, FieldSpec, Prepared};

/// A config resolved against the columns of the data it will run on.
#[derive(Debug, Clone)]
pub struct MatchPlan {
    pub(crate) fields: Vec<PlannedField>,
    /// The order fields are scored in: cheap comparisons and heavy mismatch weights first, so
    /// hopeless candidates are dropped early.
    pub(crate) order: Vec<usize>,
    /// Σ weight of all fields: what agreement could still add before any field is scored.
    pub(crate) present_weight_upper: f64,
    pub(crate) threshold: f64,
    /// The lower edge of the review band: a pair that cannot reach it is neither a match nor
    /// borderline, and candidate search may leave it out.
    pub(crate) review_floor: f64,
    pub(crate) one_to_one: bool,
    /// Fields (one bit each, the first 31) where a reference value outside the document's block
    /// scores 0: candidate search may count such a row as disagreeing there. Not amounts, which
    /// score partly up to twice their tolerance beyond the block of full agreement.
    pub(crate) settled_by_block: u32,
    /// Fields whose disagreement alone keeps any pair below the review floor: their mismatch
    /// weight outweighs every other field agreeing. Candidate search drops pairs they contradict,
    /// which changes no match and no borderline candidate (such pairs are neither), only drops
    /// low candidates below the review floor from the list, and spares most comparisons on large
    /// reference sets.
    pub(crate) filter_fields: Vec<usize>,
    /// Blocking keys the config names (field masks, see `index::resolve_blocking_keys`), in
    /// order, and whether they are tried one after the other (`ordered_fallback`) or all together.
    pub(crate) named_keys: Option<(Vec<u32>, bool)>,
    /// A smart run's match model: candidates are ranked and decided by their match probability
    /// (see `learn::model`). Candidate search still uses the weights, threshold and review floor
    /// above.
    pub(crate) model: Option<MatchModel>,
    /// Whether a run without a model gives its evidence the rarity of agreed values: the sample
    /// runs a model learns from. A run with a model gives it where the model weighs it.
    pub(crate) rarity_evidence: bool,
    /// Whether a run leaves a matched document's review band to be filled when it is read
    /// (`complete_bands`): candidate search then looks for what could reach the threshold, and
    /// for what could reach the review floor only where nothing reached the threshold.
    pub(crate) band_on_demand: bool,
    /// Set on the plan searched first when bands are filled on demand: when no row could reach
    /// the threshold, candidate search leaves the fallbacks (the smallest block, a small
    /// reference whole) to the search down to the floor that follows.
    pub(crate) threshold_pass: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct PlannedField {
    pub mapping: FieldMapping,
    /// The mapping's source and target, shared by the evidence of every candidate.
    pub source_name: Arc<str>,
    pub target_name: Arc<str>,
    pub mismatch_weight: f64,
    pub spec: FieldSpec,
    pub source_idx: usize,
    pub target_idx: usize,
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
                source_name: m.source.as_str().into(),
                target_name: m.target.as_str().into(),
                mismatch_weight: m.mismatch_weight.unwrap_or(m.weight).max(0.0),
                spec: FieldSpec::new(m),
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
        let cost = |f: &PlannedField| match f.spec.strategy {
            crate::domain::Strategy::Exact | crate::domain::Strategy::DateRange => 0,
            crate::domain::Strategy::NumericRange => 1,
            crate::domain::Strategy::Fuzzy => 2,
        };
        let mut order: Vec<usize> = (0..fields.len()).collect();
        order.sort_by(|&a, &b| {
            cost(&fields[a]).cmp(&cost(&fields[b])).then(
                fields[b]
                    .mismatch_weight
                    .total_cmp(&fields[a].mismatch_weight),
            )
        });
        let settled_by_block = fields
            .iter()
            .enumerate()
            .take(31)
            .filter(|(_, f)| f.spec.strategy != crate::domain::Strategy::NumericRange)
            .fold(0, |m, (i, _)| m | 1 << i);
        let mut plan = MatchPlan {
            fields,
            order,
            present_weight_upper: total_weight,
            threshold,
            review_floor: crate::domain::DEFAULT_REVIEW_FLOOR.min(threshold),
            one_to_one: false,
            settled_by_block,
            filter_fields: Vec::new(),
            named_keys: None,
            model: None,
            rarity_evidence: false,
            band_on_demand: false,
            threshold_pass: false,
        };
        plan.set_filter_fields(plan.review_floor);
        Ok(plan)
    }

    /// Candidate search by the blocking keys a config names instead of those Matchbook picks.
    pub fn with_blocking(
        mut self,
        keys: Option<&[crate::domain::BlockingKey]>,
        strategy: Option<crate::domain::BlockingStrategy>,
    ) -> Result<Self, EngineError> {
        self.named_keys = match keys.filter(|k| !k.is_empty()) {
            None => None,
            Some(keys) => {
                let mappings: Vec<FieldMapping> =
                    self.fields.iter().map(|f| f.mapping.clone()).collect();
                let masks = crate::index::resolve_blocking_keys(&mappings, keys)?;
                let ordered = strategy == Some(crate::domain::BlockingStrategy::OrderedFallback);
                Some((masks, ordered))
            }
        };
        Ok(self)
    }

    /// Ranks and decides candidates by `model`'s match probability (a smart run).
    pub fn with_model(mut self, model: Option<MatchModel>) -> Result<Self, EngineError> {
        if let Some(m) = &model {
            m.check(self.fields.len())?;
        }
        self.model = model;
        Ok(self)
    }

    /// Whether field `f`'s evidence carries the rarity of an agreed value: in a run with a model,
    /// where the model weighs it; in the sample runs a model learns from, always.
    fn weighs_rarity(&self, f: usize) -> bool {
        match &self.model {
            Some(m) => m.rarity_weights.get(f).is_some_and(|&w| w != 0.0),
            None => self.rarity_evidence,
        }
    }

    /// A run without a model gives its evidence the rarity of agreed values (see
    /// `rarity_evidence`).
    pub fn with_rarity_evidence(mut self) -> Self {
        self.rarity_evidence = true;
        self
    }

    /// Leaves matched documents' review bands to be filled on reading (see `band_on_demand`).
    pub fn with_band_on_demand(mut self, on_demand: bool) -> Self {
        self.band_on_demand = on_demand;
        self
    }

    /// The plan candidate search runs first when bands are filled on demand: the threshold as
    /// its floor. Its filter fields stay those of the review floor (a pair they drop is under
    /// the threshold too), and the index built for the plan serves both.
    pub(crate) fn at_threshold(&self) -> Option<MatchPlan> {
        (self.band_on_demand && self.threshold > self.review_floor + 1e-12).then(|| MatchPlan {
            review_floor: self.threshold,
            threshold_pass: true,
            ..self.clone()
        })
    }

    /// The confidence from which a best candidate is a match: the model's probability threshold
    /// in a smart run, the config's threshold otherwise.
    pub fn decision_threshold(&self) -> f64 {
        self.model.as_ref().map_or(self.threshold, |m| m.threshold)
    }

    /// The lower edge of the review band (default 0.5): decides which fields may filter candidates.
    pub fn with_review_floor(mut self, review_floor: f64) -> Self {
        self.review_floor = review_floor.min(self.threshold);
        self.set_filter_fields(self.review_floor);
        self
    }

    fn set_filter_fields(&mut self, review_floor: f64) {
        let total = self.present_weight_upper;
        self.filter_fields = (0..self.fields.len())
            .filter(|&f| {
                let others = total - self.fields[f].mapping.weight;
                let best_without = others / (others + self.fields[f].mismatch_weight);
                self.fields[f].mismatch_weight > 0.0 && best_without < review_floor - 1e-12
            })
            .collect();
    }

    /// Fields that filter candidates (see `filter_fields`), by source field name.
    pub fn filter_field_names(&self) -> Vec<&str> {
        self.filter_fields
            .iter()
            .map(|&f| self.fields[f].mapping.source.as_str())
            .collect()
    }

    /// Gives each reference row to at most one document (solved globally after scoring).
    pub fn with_one_to_one(mut self, one_to_one: bool) -> Self {
        self.one_to_one = one_to_one;
        self
    }
}

/// Receives finished documents in batches, by value (a store writing on a thread of its own keeps
/// them without a copy). The batch is durable when `write` returns Ok (or, for
/// sinks that write in the background, when `finish` does); the progress passed along is what the
/// run's counters should say once the batch is stored.
///
/// A run ends with the first error of its sink or source, returned to the caller unchanged (the
/// engine has nothing to add to "the disk is full"); so both sides of a run share one error type.
pub trait ResultSink {
    type Error;
    fn write(
        &mut self,
        batch: Vec<DocumentMatch>,
        progress: &ProgressUpdate,
    ) -> Result<(), Self::Error>;
    /// Corrects results already written (a one-to-one run's assignment, after the last batch);
    /// `progress` holds the counters once they are applied.
    fn revise(
        &mut self,
        revisions: Vec<Revision>,
        progress: &ProgressUpdate,
    ) -> Result<(), Self::Error>;
    /// Called once after the last batch: everything written must be stored when this returns.
    fn finish(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Where documents come from, a chunk at a time, so a run never needs them all in memory.
pub trait DocumentSource {
    type Error;
    /// How many documents there are in all.
    fn total(&self) -> u64;
    /// The next chunk of at most `max` documents; `None` when there are no more.
    fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<Document>>, Self::Error>;
}

/// A sink that keeps every match in memory (tests, tools and the engine's own sample runs),
/// with one-to-one revisions applied.
#[derive(Default)]
pub struct KeepAll(pub Vec<DocumentMatch>);

impl ResultSink for KeepAll {
    type Error = std::convert::Infallible;
    fn write(&mut self, batch: Vec<DocumentMatch>, _: &ProgressUpdate) -> Result<(), Self::Error> {
        self.0.extend(batch);
        Ok(())
    }
    fn revise(&mut self, revisions: Vec<Revision>, _: &ProgressUpdate) -> Result<(), Self::Error> {
        crate::assign::apply_revisions(&mut self.0, &revisions);
        Ok(())
    }
}

/// Documents already in memory.
pub struct SliceSource<'a> {
    docs: &'a [Document],
    at: usize,
}

impl<'a> SliceSource<'a> {
    pub fn new(docs: &'a [Document]) -> Self {
        SliceSource { docs, at: 0 }
    }
}

impl DocumentSource for SliceSource<'_> {
    /// Reading memory cannot fail.
    type Error = std::convert::Infallible;
    fn total(&self) -> u64 {
        self.docs.len() as u64
    }
    fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<Document>>, Self::Error> {
        if self.at >= self.docs.len() {
            return Ok(None);
        }
        let end = (self.at + max.max(1)).min(self.docs.len());
        let chunk = self.docs[self.at..end].to_vec();
        self.at = end;
        Ok(Some(chunk))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ExecOptions {
    /// Documents in the first chunk, which is also the sample that decides how the documents
    /// write dates, and the fewest scored between two progress reports and result batches.
    /// Cancellation is checked per document anyway.
    pub chunk_size: usize,
    /// The most documents in a chunk. Chunks grow towards it while each is scored in well under
    /// `CHUNK_TIME`: every chunk ends in a barrier where the scoring threads wait for the
    /// slowest of them and for the run's thread to hand the batch on and read the next chunk.
    pub max_chunk_size: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            chunk_size: 512,
            max_chunk_size: 2_048,
        }
    }
}

impl ExecOptions {
    /// Chunks of exactly `size` documents.
    pub fn fixed(size: usize) -> Self {
        ExecOptions {
            chunk_size: size,
            max_chunk_size: size,
        }
    }

    /// The size of the chunk after one of `size` documents that took `took` to score: larger
    /// while chunks are quick, smaller again when they are slow, so a batch is written and
    /// progress reported every fraction of a second whatever a document costs.
    fn next_size(&self, size: usize, took: Duration) -> usize {
        if took < CHUNK_TIME / 2 {
            (size * 2).min(self.max_chunk_size)
        } else if took > CHUNK_TIME * 2 {
            (size / 2).max(self.chunk_size)
        } else {
            size
        }
        .max(1)
    }
}

/// About how long scoring one chunk should take (see `ExecOptions::next_size`).
const CHUNK_TIME: Duration = Duration::from_millis(50);

/// How a run ended, with its final counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOutcome {
    pub cancelled: bool,
    pub rows_processed: u64,
    pub rows_matched: u64,
    /// Sum of the confidences of matched rows, for the average over matched rows (spec C.4).
    pub matched_confidence_sum: f64,
    /// (document, reference row) pairs scored: what candidate search left of all pairs.
    pub pairs_compared: u64,
}

impl RunOutcome {
    /// A run cancelled while its reference data was being loaded or indexed.
    pub fn cancelled_before_matching() -> Self {
        RunOutcome {
            cancelled: true,
            rows_processed: 0,
            rows_matched: 0,
            matched_confidence_sum: 0.0,
            pairs_compared: 0,
        }
    }
}

/// Pairs a reviewer rejected, as document_id -> reference row ids. Never proposed again (spec A.7.4).
pub type RejectedPairs = HashMap<String, HashSet<String>>;

/// What a run matches against: the plan, the reference rows, and what reviewers ruled out.
pub struct RunInput<'a> {
    pub plan: &'a MatchPlan,
    pub reference: &'a [Record],
    pub rejected: &'a RejectedPairs,
}

/// Shared, read-only state of the scoring loop.
struct Ctx<'a> {
    plan: &'a MatchPlan,
    /// The plan searched first when bands are filled on demand (`MatchPlan::at_threshold`).
    first: Option<MatchPlan>,
    index: &'a ReferenceIndex,
    reference: &'a [Record],
    rejected: &'a RejectedPairs,
    /// How the documents write ambiguous dates, per field.
    doc_dates: Vec<DateOrderProfile>,
}

/// Runs the plan over the documents against the reference rows. Results go to `sink` per chunk;
/// a cancel stops between documents, and every document finished by then is written. The run's
/// error is the sink's; the source's converts into it.
pub fn execute<D, S>(
    input: &RunInput,
    documents: &mut D,
    sink: &mut S,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
    opts: ExecOptions,
) -> Result<RunOutcome, S::Error>
where
    D: DocumentSource + ?Sized,
    S: ResultSink + ?Sized,
    S::Error: From<D::Error>,
{
    let Some(index) = ReferenceIndex::build(input.plan, input.reference, progress, cancel) else {
        return Ok(RunOutcome::cancelled_before_matching());
    };
    execute_indexed(input, &index, documents, sink, progress, cancel, opts)
}

/// [`execute`] with the index already built from `input.reference`, so the caller decides when
/// and where the index is freed (a million rows' index takes a while to free, which a cancel
/// should not wait for).
pub fn execute_indexed<D, S>(
    input: &RunInput,
    index: &ReferenceIndex,
    documents: &mut D,
    sink: &mut S,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
    opts: ExecOptions,
) -> Result<RunOutcome, S::Error>
where
    D: DocumentSource + ?Sized,
    S: ResultSink + ?Sized,
    S::Error: From<D::Error>,
{
    let mut outcome = RunOutcome {
        cancelled: false,
        rows_processed: 0,
        rows_matched: 0,
        matched_confidence_sum: 0.0,
        pairs_compared: 0,
    };
    let total = documents.total();
    let update = |o: &RunOutcome| ProgressUpdate {
        phase: Phase::Matching,
        phase_progress: (o.rows_processed * 100)
            .checked_div(total)
            .map_or(100, |p| p.min(100) as u8),
        rows_processed: o.rows_processed,
        rows_total: total,
        rows_matched: o.rows_matched,
    };
    progress.report(&update(&outcome));
    let mut ctx = Ctx {
        plan: input.plan,
        first: input.plan.at_threshold(),
        index,
        reference: input.reference,
        rejected: input.rejected,
        doc_dates: Vec::new(),
    };
    let pool = ScratchPool::new(index);
    // One-to-one assignment needs every document's candidates before deciding any. Results are
    // written as scored all the same (writing overlaps scoring), and held without evidence; once
    // assigned, only the documents whose match changed are revised.
    let mut held: Vec<DocumentMatch> = Vec::new();
    let mut size = opts.chunk_size;
    while !cancel.is_cancelled() {
        let Some(chunk) = documents.next_chunk(size)? else {
            break;
        };
        if ctx.doc_dates.is_empty() {
            // The first chunk is a large enough sample of how the documents write dates.
            ctx.doc_dates = date_orders(ctx.plan, &chunk);
        }
        let started = Instant::now();
        let batch = score_chunk(&ctx, &pool, &chunk, cancel, (&mut outcome, &mut held));
        size = opts.next_size(size, started.elapsed());
        let counters = if ctx.plan.one_to_one {
            ProgressUpdate {
                rows_matched: 0,
                ..update(&outcome)
            }
        } else {
            update(&outcome)
        };
        sink.write(batch, &counters)?;
        progress.report(&counters);
    }
    outcome.cancelled = cancel.is_cancelled();
    if ctx.plan.one_to_one {
        let revisions = assign_one_to_one_revisions(&mut held, ctx.plan.decision_threshold());
        for m in &held {
            if m.matched_reference_row_id.is_some() {
                outcome.rows_matched += 1;
                outcome.matched_confidence_sum += m.confidence;
            }
        }
        sink.revise(revisions, &update(&outcome))?;
    }
    // Freed while the sink writes the revisions, not after: a hundred thousand results take
    // about 20 ms to free.
    drop(held);
    sink.finish()?;
    progress.report(&update(&outcome));
    // Keep ctx alive to here: its borrow of the index ends with the last use above.
    ctx.doc_dates.clear();
    Ok(outcome)
}

/// The results of `documents` with their whole review band, searched as a run without bands on
/// demand would: what reading a result of such a run fills in. `sample` is the run's first
/// documents, which decided how ambiguous dates are read (its first chunk; see `date_orders`).
pub fn complete_bands(
    input: &RunInput,
    index: &ReferenceIndex,
    sample: &[Document],
    documents: &[Document],
) -> Vec<DocumentMatch> {
    let ctx = Ctx {
        plan: input.plan,
        first: None,
        index,
        reference: input.reference,
        rejected: input.rejected,
        doc_dates: date_orders(input.plan, sample),
    };
    let pool = ScratchPool::new(index);
    documents
        .par_iter()
        .map_init(|| pool.get(), |s, doc| score_document(&ctx, doc, s).0)
        .collect()
}

/// A result without its evidence (all one-to-one assignment needs).
fn without_evidence(m: &DocumentMatch) -> DocumentMatch {
    DocumentMatch {
        document_id: m.document_id.clone(),
        document_filename: None,
        matched_reference_row_id: m.matched_reference_row_id.clone(),
        confidence: m.confidence,
        candidates: m
            .candidates
            .iter()
            .map(|c| Candidate {
                rank: c.rank,
                reference_row_id: c.reference_row_id.clone(),
                confidence: c.confidence,
                evidence: Vec::new(),
            })
            .collect(),
        contested: m.contested,
        band_complete: m.band_complete,
    }
}

/// How the documents write ambiguous dates, per field, judged on a sample of them.
fn date_orders(plan: &MatchPlan, sample: &[Document]) -> Vec<DateOrderProfile> {
    plan.fields
        .iter()
        .map(|f| {
            detect_date_order(
                sample
                    .iter()
                    .map(|d| d.values.get(f.source_idx).map(String::as_str).unwrap_or("")),
            )
        })
        .collect()
}

/// Scores a chunk in parallel and counts it into `outcome`. A cancel stops between documents;
/// the documents scored by then are returned, and their copies without evidence are appended
/// to `held` when the plan assigns one to one (made by the scoring threads: on the run's thread
/// they kept both scoring threads waiting).
fn score_chunk(
    ctx: &Ctx,
    pool: &ScratchPool,
    chunk: &[Document],
    cancel: &CancelToken,
    (outcome, held): (&mut RunOutcome, &mut Vec<DocumentMatch>),
) -> Vec<DocumentMatch> {
    let one_to_one = ctx.plan.one_to_one;
    let scored: Vec<(DocumentMatch, Option<DocumentMatch>, u64)> = chunk
        .par_iter()
        .map_init(
            || pool.get(),
            |scratch, doc| {
                (!cancel.is_cancelled()).then(|| {
                    let (m, pairs) = score_document(ctx, doc, scratch);
                    let copy = one_to_one.then(|| without_evidence(&m));
                    (m, copy, pairs)
                })
            },
        )
        .flatten()
        .collect();
    scored
        .into_iter()
        .map(|(m, copy, pairs)| {
            outcome.rows_processed += 1;
            outcome.pairs_compared += pairs;
            if !one_to_one && m.matched_reference_row_id.is_some() {
                outcome.rows_matched += 1;
                outcome.matched_confidence_sum += m.confidence;
            }
            held.extend(copy);
            m
        })
        .collect()
}

/// Prepares one document's mapped values.
fn prepare_document(ctx: &Ctx, doc: &Document) -> Vec<Prepared> {
    ctx.plan
        .fields
        .iter()
        .enumerate()
        .map(|(f, field)| {
            let raw = doc
                .values
                .get(field.source_idx)
                .map(String::as_str)
                .unwrap_or("");
            prepare_spec(
                &field.spec,
                raw,
                ctx.doc_dates.get(f).unwrap_or(&DateOrderProfile::default()),
            )
        })
        .collect()
}

/// Scores one document against its candidates: its result with evidence, and how many pairs
/// were scored.
fn score_document(ctx: &Ctx, doc: &Document, scratch: &mut Scratch) -> (DocumentMatch, u64) {
    let mut lap = Lap::start();
    let values = prepare_document(ctx, doc);
    lap.end(Step::Prepare);
    let row_id = |r: u32| ctx.reference[r as usize].id.as_str();
    let (top, pairs, band_complete) = search_banded(ctx, doc, &values, &mut lap, scratch);
    // Only a document with candidates has evidence to build.
    let sources: Vec<Arc<str>> = if top.is_empty() {
        Vec::new()
    } else {
        (ctx.plan.fields.iter())
            .map(|field| {
                doc.values
                    .get(field.source_idx)
                    .map_or_else(Arc::default, |v| v.as_str().into())
            })
            .collect()
    };
    let mut candidates: Vec<Candidate> = top
        .iter()
        .enumerate()
        .map(|(rank, &(conf, r))| Candidate {
            rank: rank as u32 + 1,
            reference_row_id: row_id(r).to_string(),
            confidence: conf,
            evidence: evidence(ctx, &sources, &values, r as usize, scratch),
        })
        .collect();
    if let Some(model) = &ctx.plan.model {
        rank_by_probability(model, &mut candidates);
    }
    let confidence = candidates.first().map_or(0.0, |c| c.confidence);
    let matched = candidates
        .first()
        .filter(|c| c.confidence >= ctx.plan.decision_threshold() - 1e-12);
    let result = DocumentMatch {
        document_id: doc.document_id.clone(),
        document_filename: doc.document_filename.clone(),
        matched_reference_row_id: matched.map(|c| c.reference_row_id.clone()),
        confidence,
        candidates,
        contested: false,
        band_complete,
    };
    lap.end(Step::Evidence);
    (result, pairs)
}

/// [`search_document`] at the threshold first when bands are filled on demand, and at the
/// review floor when nothing reached the threshold: the document's candidates, the pairs scored,
/// and whether they hold its whole review band.
fn search_banded(
    ctx: &Ctx,
    doc: &Document,
    values: &[Prepared],
    lap: &mut Lap,
    scratch: &mut Scratch,
) -> (Vec<(f64, u32)>, u64, bool) {
    let mut pairs = 0;
    if let Some(first) = &ctx.first {
        let reached = |top: &[(f64, u32)]| {
            top.first()
                .is_some_and(|t| t.0 >= ctx.plan.threshold - 1e-12)
        };
        let (mut top, scored) = search_document(ctx, first, doc, values, lap, scratch);
        pairs = scored;
        if reached(&top) && scratch.needs_full_search {
            // The pair tables could not bound what the recall pass may lift: the blocks are
            // walked instead.
            scratch.walk_blocks = true;
            let (again, scored) = search_document(ctx, first, doc, values, lap, scratch);
            scratch.walk_blocks = false;
            (top, pairs) = (again, pairs + scored);
        }
        if reached(&top) {
            return (top, pairs, false);
        }
    }
    let (top, scored) = search_document(ctx, ctx.plan, doc, values, lap, scratch);
    (top, pairs + scored, true)
}

/// A smart run's candidates: each field's evidence gets its match weight, each candidate its
/// match probability as confidence, and they are ranked by it (ties by row id, as always).
fn rank_by_probability(model: &MatchModel, candidates: &mut [Candidate]) {
    for c in candidates.iter_mut() {
        for (f, e) in c.evidence.iter_mut().enumerate() {
            e.match_weight = model.evidence_weight(f, e);
        }
        c.confidence = model.probability_of(&c.evidence);
    }
    candidates.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.reference_row_id.cmp(&b.reference_row_id))
    });
    for (rank, c) in candidates.iter_mut().enumerate() {
        c.rank = rank as u32 + 1;
    }
}

/// The document's best candidates (confidence, row), best first, at most `TOP_CANDIDATES`, and
/// how many pairs were scored: the rows the blocks admit, then the rows that could still beat
/// the best of them. The candidates are left in `scratch.candidates`.
fn search_document(
    ctx: &Ctx,
    plan: &MatchPlan,
    doc: &Document,
    values: &[Prepared],
    lap: &mut Lap,
    scratch: &mut Scratch,
) -> (Vec<(f64, u32)>, u64) {
    let excluded = ctx.rejected.get(&doc.document_id);
    let mut top: Vec<(f64, u32)> = Vec::with_capacity(TOP_CANDIDATES + 1);
    ctx.index.candidates(plan, values, scratch);
    lap.end(Step::CandidateSearch);
    let blocked = scratch.candidates.len();
    rank_into(ctx, values, excluded, 0, &mut top, scratch);
    lap.end(Step::Scoring);
    let best = top.first().map_or(0.0, |t| t.0);
    ctx.index.rows_beyond_blocks(plan, values, best, scratch);
    rank_into(ctx, values, excluded, blocked, &mut top, scratch);
    lap.end(Step::RecallPass);
    (top, scratch.candidates.len() as u64)
}

/// Scores `scratch.candidates[from..]` into `top` (best first, ties broken by row id so results
/// do not depend on index order, spec C.7), leaving out the document's rejected rows.
fn rank_into(
    ctx: &Ctx,
    values: &[Prepared],
    excluded: Option<&HashSet<String>>,
    from: usize,
    top: &mut Vec<(f64, u32)>,
    scratch: &mut Scratch,
) {
    let row_id = |r: u32| ctx.reference[r as usize].id.as_str();
    let candidates = std::mem::take(&mut scratch.candidates);
    for &r in &candidates[from..] {
        // A candidate must beat the current fifth best to matter; below that it is not scored
        // to the end (the bound is exact, so results are the same as scoring everything).
        let floor = if top.len() == TOP_CANDIDATES {
            top[TOP_CANDIDATES - 1].0
        } else {
            0.0
        };
        let Some(conf) = bounded_confidence(ctx, values, r as usize, scratch, floor) else {
            continue;
        };
        if conf <= 0.0 {
            continue;
        }
        if top.len() == TOP_CANDIDATES {
            let worst = top[TOP_CANDIDATES - 1];
            if conf < worst.0 || (conf == worst.0 && row_id(r) >= row_id(worst.1)) {
                continue;
            }
        }
        if excluded.is_some_and(|e| e.contains(row_id(r))) {
            continue;
        }
        let at = top
            .iter()
            .position(|&(c, o)| conf > c || (conf == c && row_id(r) < row_id(o)))
            .unwrap_or(top.len());
        top.insert(at, (conf, r));
        top.truncate(TOP_CANDIDATES);
    }
    scratch.candidates = candidates;
}

/// Agreement against disagreement over the fields present on both sides:
/// `Σ w·s / Σ (w·s + w′·(1 − s))`, where `w` is a field's weight and `w′` its mismatch weight
/// (by default `w`, which makes this the weighted mean of the scores). A missing value is neither
/// a match nor a mismatch: it leaves the other fields to decide, and the evidence says it was
/// missing. Nothing present on both sides means no evidence at all: 0.
fn confidence(ctx: &Ctx, values: &[Prepared], row: usize, scratch: &mut Scratch) -> f64 {
    let (mut agree, mut disagree) = (0.0, 0.0);
    for (f, field) in ctx.plan.fields.iter().enumerate() {
        if let Some(s) = ctx.index.field_score(ctx.plan, f, &values[f], row, scratch) {
            agree += field.mapping.weight * s;
            disagree += field.mismatch_weight * (1.0 - s);
        }
    }
    let total = agree + disagree;
    if total <= 0.0 {
        0.0
    } else {
        (agree / total).clamp(0.0, 1.0)
    }
}

/// `confidence`, or `None` as soon as it is certain to fall below `floor`. Fields are scored in
/// `plan.order` (cheap and decisive first); after each, the best the candidate could still reach
/// is its agreement so far plus every remaining field agreeing fully.
fn bounded_confidence(
    ctx: &Ctx,
    values: &[Prepared],
    row: usize,
    scratch: &mut Scratch,
    floor: f64,
) -> Option<f64> {
    let (mut agree, mut disagree) = (0.0, 0.0);
    let mut remaining = ctx.plan.present_weight_upper;
    for &f in &ctx.plan.order {
        let field = &ctx.plan.fields[f];
        remaining -= field.mapping.weight;
        if let Some(s) = ctx.index.field_score(ctx.plan, f, &values[f], row, scratch) {
            agree += field.mapping.weight * s;
            disagree += field.mismatch_weight * (1.0 - s);
            if floor > 0.0 && disagree > 0.0 {
                let best = (agree + remaining) / (agree + remaining + disagree);
                if best < floor {
                    return None;
                }
            }
        }
    }
    let total = agree + disagree;
    Some(if total <= 0.0 {
        0.0
    } else {
        (agree / total).clamp(0.0, 1.0)
    })
}

/// The evidence of every field for reference row `row`; `sources` are the document's values, one
/// per field.
fn evidence(
    ctx: &Ctx,
    sources: &[Arc<str>],
    values: &[Prepared],
    row: usize,
    scratch: &mut Scratch,
) -> Vec<FieldEvidence> {
    ctx.plan
        .fields
        .iter()
        .enumerate()
        .map(|(f, field)| {
            let score = ctx.index.field_score(ctx.plan, f, &values[f], row, scratch);
            FieldEvidence {
                source: field.source_name.clone(),
                target: field.target_name.clone(),
                strategy: field.mapping.strategy,
                weight: field.mapping.weight,
                score: score.unwrap_or(0.0),
                source_value: sources[f].clone(),
                target_value: ctx.reference[row]
                    .values
                    .get(field.target_idx)
                    .cloned()
                    .unwrap_or_default(),
                missing: score.is_none(),
                match_weight: None,
                rarity: score
                    .filter(|&s| ctx.plan.weighs_rarity(f) && crate::learn::model::level(s) == 2)
                    .and_then(|_| ctx.index.rarity(f, row)),
                note: score.and_then(|_| {
                    explain_spec(
                        &field.spec,
                        &field.mapping,
                        &values[f],
                        ctx.index.prepared(f, row),
                    )
                }),
            }
        })
        .collect()
}

/// How well candidate search kept the pairs that comparing everything would find.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockingRecall {
    /// Documents examined.
    pub documents: u64,
    /// Of those, documents whose best row over all reference rows reaches the threshold.
    pub exhaustive_matches: u64,
    /// Of those, documents whose candidates include that row.
    pub kept: u64,
    /// Pairs candidate search scored, and pairs exhaustive comparison scored, for these documents.
    pub pairs_blocked: u64,
    pub pairs_exhaustive: u64,
    /// The matches missed: (document id, the reference row id exhaustive comparison matched), so
    /// that a caller with a truth file can tell whether they were right.
    pub missed: Vec<(String, String)>,
}

impl BlockingRecall {
    pub fn recall(&self) -> f64 {
        if self.exhaustive_matches == 0 {
            1.0
        } else {
            self.kept as f64 / self.exhaustive_matches as f64
        }
    }
}

/// Compares `documents` with every reference row and checks that candidate search finds each
/// document's best row (when it reaches the threshold). For benchmarks and tests.
pub fn blocking_recall(
    plan: &MatchPlan,
    reference: &[Record],
    documents: &[Document],
) -> BlockingRecall {
    let cancel = CancelToken::new();
    let Some(index) = ReferenceIndex::build(plan, reference, &crate::progress::NoProgress, &cancel)
    else {
        return BlockingRecall::default();
    };
    let doc_dates = date_orders(plan, documents);
    let rejected = RejectedPairs::new();
    let ctx = Ctx {
        plan,
        first: plan.at_threshold(),
        index: &index,
        reference,
        rejected: &rejected,
        doc_dates,
    };
    let pool = ScratchPool::new(&index);
    documents
        .par_iter()
        .map_init(
            || pool.get(),
            |scratch, doc| {
                let values = prepare_document(&ctx, doc);
                // As `score_document` searches.
                search_banded(&ctx, doc, &values, &mut Lap::start(), scratch);
                let blocked: HashSet<u32> = scratch.candidates.iter().copied().collect();
                let mut best: Option<(f64, &str, u32)> = None;
                for (r, row) in reference.iter().enumerate() {
                    let c = confidence(&ctx, &values, r, scratch);
                    let id = row.id.as_str();
                    if c > 0.0 && best.is_none_or(|(bc, bid, _)| c > bc || (c == bc && id < bid)) {
                        best = Some((c, id, r as u32));
                    }
                }
                let mut out = BlockingRecall {
                    documents: 1,
                    pairs_blocked: blocked.len() as u64,
                    pairs_exhaustive: reference.len() as u64,
                    ..Default::default()
                };
                if let Some((_, id, r)) = best.filter(|b| b.0 >= plan.threshold - 1e-12) {
                    out.exhaustive_matches = 1;
                    out.kept = u64::from(blocked.contains(&r));
                    if out.kept == 0 {
                        out.missed.push((doc.document_id.clone(), id.to_string()));
                    }
                }
                out
            },
        )
        .reduce(BlockingRecall::default, |mut a, b| {
            a.missed.extend(b.missed);
            BlockingRecall {
                documents: a.documents + b.documents,
                exhaustive_matches: a.exhaustive_matches + b.exhaustive_matches,
                kept: a.kept + b.kept,
                pairs_blocked: a.pairs_blocked + b.pairs_blocked,
                pairs_exhaustive: a.pairs_exhaustive + b.pairs_exhaustive,
                missed: a.missed,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Strategy;
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
        finished: bool,
    }

    impl ResultSink for Collect {
        type Error = std::convert::Infallible;
        fn write(
            &mut self,
            batch: Vec<DocumentMatch>,
            _: &ProgressUpdate,
        ) -> Result<(), Self::Error> {
            self.batches.push(batch);
            if let Some(t) = &self.cancel_after_first {
                t.cancel();
            }
            Ok(())
        }
        fn revise(
            &mut self,
            revisions: Vec<Revision>,
            _: &ProgressUpdate,
        ) -> Result<(), Self::Error> {
            for batch in &mut self.batches {
                crate::assign::apply_revisions(batch, &revisions);
            }
            Ok(())
        }
        fn finish(&mut self) -> Result<(), Self::Error> {
            self.finished = true;
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

    fn run_with(
        plan: &MatchPlan,
        reference: &[Record],
        docs: &[Document],
        rejected: &RejectedPairs,
        sink: &mut Collect,
        cancel: &CancelToken,
        chunk: usize,
    ) -> RunOutcome {
        let input = RunInput {
            plan,
            reference,
            rejected,
        };
        execute(
            &input,
            &mut SliceSource::new(docs),
            sink,
            &NoProgress,
            cancel,
            ExecOptions::fixed(chunk),
        )
        .unwrap()
    }

    fn run(
        docs: &[Document],
        rejected: &RejectedPairs,
        sink: &mut Collect,
        cancel: &CancelToken,
        chunk: usize,
    ) -> RunOutcome {
        run_with(&plan(), &reference(), docs, rejected, sink, cancel, chunk)
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
            (&*ev[0].source, &*ev[0].target, ev[0].score),
            ("ref", "po_number", 1.0)
        );
        assert_eq!(&*ev[2].source_value, "250");
        assert_eq!(ev[2].target_value, "250.00");
        assert_eq!(
            (out.cancelled, out.rows_processed, out.rows_matched),
            (false, 1, 1)
        );
        assert_eq!(out.matched_confidence_sum, r.confidence);
        assert!(out.pairs_compared >= 1 && out.pairs_compared <= 3);
        assert!(sink.finished);
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
        assert!((r.confidence - 0.3).abs() < 1e-9, "{}", r.confidence);
        assert_eq!(out.rows_matched, 0);
    }

    #[test]
    fn missing_values_are_neither_match_nor_mismatch() {
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
        // The two fields present agree fully; the missing one neither helps nor hurts.
        assert!((r.confidence - 1.0).abs() < 1e-9, "{}", r.confidence);
        assert_eq!(r.matched_reference_row_id.as_deref(), Some("po_1"));
    }

    #[test]
    fn nothing_present_on_both_sides_is_no_evidence() {
        let docs = vec![doc("d1", &["", "", ""])];
        let mut sink = Collect::default();
        run(
            &docs,
            &RejectedPairs::new(),
            &mut sink,
            &CancelToken::new(),
            10,
        );
        let r = &sink.all()[0];
        assert!(r.candidates.is_empty());
        assert_eq!(
            (r.confidence, r.matched_reference_row_id.as_deref()),
            (0.0, None)
        );
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
    fn cancel_keeps_whole_chunks_and_stops() {
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
        assert!(sink.finished, "a cancelled run still flushes what it wrote");
    }

    /// Chunks double while quick, halve when slow, and stay within the options' bounds.
    #[test]
    fn chunks_grow_while_quick_and_shrink_when_slow() {
        let opts = ExecOptions {
            chunk_size: 512,
            max_chunk_size: 2_048,
        };
        let ms = Duration::from_millis;
        assert_eq!(opts.next_size(512, ms(5)), 1_024);
        assert_eq!(opts.next_size(1_024, ms(10)), 2_048);
        assert_eq!(opts.next_size(2_048, ms(1)), 2_048, "never past the most");
        assert_eq!(opts.next_size(2_048, ms(40)), 2_048, "about right stays");
        assert_eq!(opts.next_size(2_048, ms(300)), 1_024);
        assert_eq!(opts.next_size(512, ms(5_000)), 512, "never under the first");
        assert_eq!(ExecOptions::fixed(3).next_size(3, ms(0)), 3);
    }

    /// The first chunk, the sample that decides how dates are read, is always `chunk_size`
    /// documents; later ones grow on quick documents but never past `max_chunk_size`, and every
    /// document is scored once, in order.
    #[test]
    fn the_first_chunk_keeps_its_size_and_later_ones_stay_bounded() {
        struct Sizes<'a>(SliceSource<'a>, Vec<usize>);
        impl DocumentSource for Sizes<'_> {
            type Error = std::convert::Infallible;
            fn total(&self) -> u64 {
                self.0.total()
            }
            fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<Document>>, Self::Error> {
                self.1.push(max);
                self.0.next_chunk(max)
            }
        }
        let docs: Vec<Document> = (0..200)
            .map(|i| doc(&format!("d{i:03}"), &["PO-1", "Acme", "100"]))
            .collect();
        let (plan, reference) = (plan(), reference());
        let input = RunInput {
            plan: &plan,
            reference: &reference,
            rejected: &RejectedPairs::new(),
        };
        let mut source = Sizes(SliceSource::new(&docs), Vec::new());
        let mut sink = Collect::default();
        let opts = ExecOptions {
            chunk_size: 4,
            max_chunk_size: 32,
        };
        let out = execute(
            &input,
            &mut source,
            &mut sink,
            &NoProgress,
            &CancelToken::new(),
            opts,
        )
        .unwrap();
        assert_eq!(out.rows_processed, 200);
        assert_eq!(source.1[0], 4);
        assert!(
            source.1.iter().all(|&n| (4..=32).contains(&n)),
            "{:?}",
            source.1
        );
        assert!(
            source.1.contains(&32),
            "tiny documents grow the chunks: {:?}",
            source.1
        );
        let ids: Vec<String> = sink.all().iter().map(|m| m.document_id.clone()).collect();
        let expected: Vec<String> = docs.iter().map(|d| d.document_id.clone()).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn at_most_five_candidates_best_first_ties_by_row_id() {
        let rows: Vec<Record> = (0..8)
            .rev()
            .map(|i| rec(&format!("po_{i}"), &["X", "Same Vendor", "1"]))
            .collect();
        let docs = vec![doc("d1", &["", "Same Vendor", ""])];
        let mut sink = Collect::default();
        run_with(
            &plan(),
            &rows,
            &docs,
            &RejectedPairs::new(),
            &mut sink,
            &CancelToken::new(),
            10,
        );
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

    #[test]
    fn one_to_one_gives_a_row_to_one_document_and_flags_the_loser() {
        let plan = plan().with_one_to_one(true);
        // Both claim po_1; d2 agrees on every field, d1 only on two of three.
        let docs = vec![
            doc("d1", &["PO-1", "Acme Corp", "180"]),
            doc("d2", &["PO-1", "Acme Corp", "100"]),
        ];
        let mut sink = Collect::default();
        let mut p2 = plan.clone();
        p2.threshold = 0.6;
        let out = run_with(
            &p2,
            &reference(),
            &docs,
            &RejectedPairs::new(),
            &mut sink,
            &CancelToken::new(),
            1,
        );
        let all = sink.all();
        let by_id = |id: &str| all.iter().find(|m| m.document_id == id).unwrap().clone();
        assert_eq!(
            by_id("d2").matched_reference_row_id.as_deref(),
            Some("po_1")
        );
        assert_eq!(by_id("d1").matched_reference_row_id, None);
        assert!(by_id("d1").contested && !by_id("d2").contested);
        assert_eq!(out.rows_matched, 1);
    }

    /// Generated purchase orders and invoices, read as a run reads them, with the demo config's
    /// plan (threshold 0.8). The generator and the importer link the engine library, not this test
    /// build of it, so their records and mappings are carried over field by field.
    fn demo_input(
        purchase_orders: usize,
        invoices: usize,
        seed: u64,
    ) -> (Vec<Record>, Vec<Document>, MatchPlan) {
        let data = datagen::demo::generate(&datagen::demo::DemoSpec {
            purchase_orders,
            invoices,
            seed,
        });
        let read = |name: &str, text: &str| {
            import::read_csv_bytes(name, text.as_bytes(), &Default::default()).unwrap()
        };
        let (refs, docs) = (
            read("pos.csv", &data.purchase_orders_csv),
            read("inv.csv", &data.invoices_csv),
        );
        let reference = import::to_records(&refs, Some("po_id"))
            .unwrap()
            .into_iter()
            .map(|r| Record {
                id: r.id,
                values: r.values,
            })
            .collect();
        let documents = import::to_documents(&docs, Some("document_id"), None)
            .unwrap()
            .into_iter()
            .map(|d| Document {
                document_id: d.document_id,
                document_filename: d.document_filename,
                values: d.values,
            })
            .collect();
        let mappings: Vec<FieldMapping> = serde_json::from_value(
            serde_json::to_value(datagen::demo::invoice_to_po_mappings()).unwrap(),
        )
        .unwrap();
        let plan = MatchPlan::new(&mappings, 0.8, &refs.columns, &docs.columns).unwrap();
        (reference, documents, plan)
    }

    #[test]
    fn candidate_search_keeps_what_exhaustive_comparison_finds() {
        let (reference, documents, plan) = demo_input(3000, 300, 5);
        let r = blocking_recall(&plan, &reference, &documents);
        assert_eq!(r.documents, 300);
        assert!(r.exhaustive_matches > 150, "{r:?}");
        assert!(r.recall() >= 0.99, "{r:?}");
        assert!(
            r.pairs_blocked * 10 < r.pairs_exhaustive,
            "candidate search should prune most pairs: {r:?}"
        );
    }

    /// Two fields, weights 0.9 and 0.1, the small one with the given mismatch weight.
    fn two_field_plan(small_mismatch: f64) -> MatchPlan {
        let big = FieldMapping::new("vendor", "vendor", Strategy::Exact, 0.9);
        let mut small = FieldMapping::new("ref", "po_number", Strategy::Exact, 0.1);
        small.mismatch_weight = Some(small_mismatch);
        MatchPlan::new(
            &[big, small],
            0.85,
            &cols(&["po_number", "vendor", "amount"]),
            &cols(&["ref", "vendor", "total"]),
        )
        .unwrap()
    }

    #[test]
    fn a_field_filters_exactly_when_its_contradiction_keeps_pairs_below_the_floor() {
        // The small field contradicting and the big one agreeing: 0.9 / (0.9 + mismatch weight),
        // below the default floor 0.5 exactly when the mismatch weight exceeds 0.9.
        for (mismatch, filters) in [(1.0, true), (0.91, true), (0.9, false), (0.1, false)] {
            let plan = two_field_plan(mismatch);
            assert_eq!(
                plan.filter_field_names().contains(&"ref"),
                filters,
                "mismatch weight {mismatch}: {:?}",
                plan.filter_field_names()
            );
            // The big field contradicting leaves at most 0.1 / (0.1 + 0.9): it always filters.
            assert!(plan.filter_field_names().contains(&"vendor"));
        }
        // A lower floor admits 0.9 / 1.9 ≈ 0.47 into the review band: no longer a filter.
        let plan = two_field_plan(1.0).with_review_floor(0.4);
        assert!(!plan.filter_field_names().contains(&"ref"));
        let plan = two_field_plan(1.0).with_review_floor(0.48);
        assert!(plan.filter_field_names().contains(&"ref"));
        // A mismatch weight of 0 never filters, however small the other weights.
        assert!(!two_field_plan(0.0).filter_field_names().contains(&"ref"));
    }

    #[test]
    fn a_filter_field_prunes_only_pairs_below_the_review_floor() {
        let rows = vec![
            rec("po_1", &["PO-1", "Acme", "1"]),
            rec("po_2", &["PO-2", "Acme", "1"]),
        ];
        // Agrees with po_1 on both fields, with po_2 only on the vendor.
        let docs = vec![doc("d1", &["PO-1", "Acme", ""])];
        let run_plan = |plan: &MatchPlan| {
            let mut sink = Collect::default();
            let out = run_with(
                plan,
                &rows,
                &docs,
                &RejectedPairs::new(),
                &mut sink,
                &CancelToken::new(),
                10,
            );
            (sink.all().remove(0), out.pairs_compared)
        };
        let floor = crate::domain::DEFAULT_REVIEW_FLOOR;
        // Filtering: po_2 would score 0.9 / 1.9, under the floor; candidate search drops it.
        let (filtered, pairs) = run_plan(&two_field_plan(1.0));
        assert_eq!(pairs, 1, "the contradicted pair is never scored");
        assert_eq!(filtered.matched_reference_row_id.as_deref(), Some("po_1"));
        assert_eq!(in_band(&filtered, floor).len(), 1);
        assert!(filtered
            .candidates
            .iter()
            .all(|c| c.reference_row_id == "po_1" || c.confidence < floor));
        // Not filtering: po_2 scores 0.9 / 1.8 = 0.5, in the review band, and is kept.
        let (kept, pairs) = run_plan(&two_field_plan(0.9));
        assert_eq!(pairs, 2);
        let band = in_band(&kept, floor);
        assert_eq!(band.len(), 2, "{band:?}");
        assert_eq!(band[1].0, "po_2");
        assert!((band[1].1 - 0.5).abs() < 1e-9);
    }

    /// A run's candidates at or above `floor`, as (row id, confidence).
    fn in_band(m: &DocumentMatch, floor: f64) -> Vec<(String, f64)> {
        m.candidates
            .iter()
            .filter(|c| c.confidence >= floor - 1e-12)
            .map(|c| (c.reference_row_id.clone(), c.confidence))
            .collect()
    }

    fn same_in_band(a: &[(String, f64)], b: &[(String, f64)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() < 1e-9)
    }

    #[test]
    fn filter_pruning_changes_no_match_and_no_in_band_candidate() {
        let floor = crate::domain::DEFAULT_REVIEW_FLOOR;
        let (reference, documents, plan) = demo_input(2000, 200, 11);
        let plan = plan.with_review_floor(floor);
        // The order date window (mismatch weight 1.0 against 0.9 of other weight) filters.
        assert_eq!(plan.filter_field_names(), vec!["invoice_date"]);
        let mut unfiltered = plan.clone();
        unfiltered.filter_fields.clear();

        let run_plan = |plan: &MatchPlan| {
            let mut sink = Collect::default();
            let out = run_with(
                plan,
                &reference,
                &documents,
                &RejectedPairs::new(),
                &mut sink,
                &CancelToken::new(),
                documents.len(),
            );
            (sink.all(), out)
        };
        let (with_filter, out_filtered) = run_plan(&plan);
        let (without_filter, out_unfiltered) = run_plan(&unfiltered);
        assert_eq!(with_filter.len(), 200);
        assert!(
            out_filtered.pairs_compared < out_unfiltered.pairs_compared,
            "the filter should spare comparisons: {out_filtered:?} vs {out_unfiltered:?}"
        );

        // Exhaustive comparison with every row: what a user should see, blocking aside.
        let index =
            ReferenceIndex::build(&plan, &reference, &NoProgress, &CancelToken::new()).unwrap();
        let ctx = Ctx {
            plan: &plan,
            first: None,
            index: &index,
            reference: &reference,
            rejected: &RejectedPairs::new(),
            doc_dates: plan
                .fields
                .iter()
                .map(|f| {
                    detect_date_order(documents.iter().map(|d| d.values[f.source_idx].as_str()))
                })
                .collect(),
        };
        let mut scratch = Scratch::new(&index);
        let (mut matched, mut band_candidates) = (0, 0);
        for (i, d) in documents.iter().enumerate() {
            let (a, b) = (&with_filter[i], &without_filter[i]);
            assert_eq!(a.document_id, d.document_id);
            assert_eq!(b.document_id, d.document_id);
            assert_eq!(
                a.matched_reference_row_id, b.matched_reference_row_id,
                "{}",
                d.document_id
            );
            assert!(
                same_in_band(&in_band(a, floor), &in_band(b, floor)),
                "{}: {:?} vs {:?}",
                d.document_id,
                in_band(a, floor),
                in_band(b, floor)
            );

            let values = prepare_document(&ctx, d);
            // Candidate search keeps scratch stamps current for the cached field scores.
            ctx.index.candidates(&plan, &values, &mut scratch);
            let mut all: Vec<(String, f64)> = reference
                .iter()
                .enumerate()
                .map(|(r, row)| (row.id.clone(), confidence(&ctx, &values, r, &mut scratch)))
                .filter(|(_, c)| *c >= floor - 1e-12)
                .collect();
            all.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            all.truncate(TOP_CANDIDATES);
            assert!(
                same_in_band(&in_band(a, floor), &all),
                "{}: run {:?} vs exhaustive {:?}",
                d.document_id,
                in_band(a, floor),
                all
            );
            let best = all.first().filter(|b| b.1 >= plan.threshold - 1e-12);
            assert_eq!(
                a.matched_reference_row_id.as_deref(),
                best.map(|b| b.0.as_str()),
                "{}",
                d.document_id
            );
            matched += usize::from(a.matched_reference_row_id.is_some());
            band_candidates += in_band(a, floor).len();
        }
        // Enough happened for the comparison to mean something.
        assert!(matched > 100, "{matched}");
        assert!(band_candidates > matched, "{band_candidates}");
    }
}
