//! Building the index: reference values interned and prepared per field (in parallel, with
//! cancel checks and progress), search keys for the selective text fields, the date filter's days
//! and the sorted amounts.

use super::*;
use keys::KeyKind;

impl ReferenceIndex {
    /// Whether this index, built for another plan, serves `plan` as one built for it would.
    pub fn serves(&self, plan: &MatchPlan) -> bool {
        self.built_for == BuiltFor::of(plan)
    }

    /// Interns, prepares and indexes the reference rows for `plan`. Reports progress in the
    /// `loading_reference` phase; returns `None` when cancelled.
    pub fn build(
        plan: &MatchPlan,
        rows: &[Record],
        progress: &dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Option<Self> {
        let steps = BuildSteps::new(plan.fields.len(), progress);
        let mut columns = build_columns(plan, rows, cancel, &steps)?;
        let date_filter = DateFilter::new(plan, &columns);
        let keys = keys::keys_of_specs(plan.fields.iter().map(|f| &f.spec));
        let indexed = index_search_fields(
            plan,
            &keys,
            &mut columns,
            date_filter.as_ref(),
            cancel,
            &steps,
        );
        if !indexed || cancel.is_cancelled() {
            free_in_background(columns);
            return None;
        }
        let amounts = keys
            .iter()
            .position(|k| k.contains(&KeyKind::Amount))
            .map(|field| AmountIndex::new(field, &columns[field], date_filter.as_ref()));
        steps.finish();
        let n_fields = columns.len();
        let row_values = row_major_values(&columns, rows.len());
        let present = present_fields(&columns, rows.len());
        let bounds = WeightTables::new(plan);
        // With pair tables, each value's rows lacking a value go by the mismatch weight of the
        // fields they have (see `pairs::reach_alone`).
        let weight_of = |r: u32| bounds.disagree(present[r as usize] & plan.settled_by_block);
        let pairs = if plan.band_on_demand
            && date_filter.is_none()
            && amounts.is_none()
            && plan.named_keys.is_none()
        {
            match pairs::PairIndex::build(&columns, &present, &weight_of, cancel) {
                Some(pairs) => pairs,
                None => {
                    free_in_background((columns, row_values, present));
                    return None;
                }
            }
        } else {
            None
        };
        let order: Option<&(dyn Fn(u32) -> f64 + Sync)> = pairs.as_ref().map(|_| &weight_of as _);
        columns.par_iter_mut().for_each(|col| {
            col.put_complete_rows_last(&present, plan.settled_by_block, order);
            if col.keys.is_some() || col.days.is_some() {
                col.row_present = col.rows.iter().map(|&r| present[r as usize]).collect();
            }
        });
        let searched = keys
            .iter()
            .enumerate()
            .take(MASK_FIELDS)
            .filter(|(_, k)| !k.is_empty())
            .fold(0, |m, (f, _)| m | 1 << f);
        // Reference numbers are left out: their keys hold every variant one typo apart, and two
        // typos make another number (see `keys`), so their blocks are complete.
        let fuzzy_text = (plan.fields.iter().enumerate())
            .take(MASK_FIELDS)
            .filter(|(f, field)| {
                field.spec.strategy == Strategy::Fuzzy
                    && field.spec.normalizer != crate::domain::Normalizer::Reference
                    && searched & (1 << f) != 0
            })
            .fold(0, |m, (f, _)| m | 1 << f);
        let mut fuzzy_order: Vec<usize> = (0..n_fields)
            .filter(|&f| f < MASK_FIELDS && fuzzy_text & (1 << f) != 0)
            .collect();
        fuzzy_order.sort_by(|&a, &b| {
            let w = |f: usize| plan.fields[f].mapping.weight;
            w(b).total_cmp(&w(a))
        });
        Some(ReferenceIndex {
            present,
            searched,
            fuzzy_text,
            fuzzy_order,
            bounds,
            built_for: BuiltFor::of(plan),
            pairs,
            columns,
            row_values,
            n_fields,
            date_filter,
            amounts,
            n_rows: rows.len(),
        })
    }
}

/// Progress of an index build, in the `loading_reference` phase. Steps: one per column, one per
/// field's search keys; progress is the share of steps done, and 100 only once the index is ready.
struct BuildSteps<'a> {
    progress: &'a dyn ProgressSink,
    steps: usize,
    done: AtomicUsize,
}

impl<'a> BuildSteps<'a> {
    fn new(n_fields: usize, progress: &'a dyn ProgressSink) -> Self {
        BuildSteps {
            progress,
            steps: 2 * n_fields.max(1),
            done: AtomicUsize::new(0),
        }
    }

    /// Called from rayon's workers as their fields finish.
    fn step_done(&self) {
        let d = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.report((d * 100 / self.steps).min(99) as u8);
    }

    fn finish(&self) {
        self.report(100);
    }

    fn report(&self, phase_progress: u8) {
        self.progress.report(&ProgressUpdate {
            phase: Phase::LoadingReference,
            phase_progress,
            rows_processed: 0,
            rows_total: 0,
            rows_matched: 0,
        });
    }
}

/// Interns and prepares every field of the reference rows (see `build_column`); `None` when
/// cancelled.
fn build_columns(
    plan: &MatchPlan,
    rows: &[Record],
    cancel: &CancelToken,
    steps: &BuildSteps,
) -> Option<Vec<FieldColumn>> {
    // Columns are independent: on two cores the two largest build side by side.
    let built: Vec<Option<FieldColumn>> = plan
        .fields
        .par_iter()
        .map(|field| {
            let col = build_column(&field.spec, field.target_idx, rows, cancel);
            steps.step_done();
            col
        })
        .collect();
    if built.iter().any(Option::is_none) {
        free_in_background(built);
        return None;
    }
    Some(built.into_iter().flatten().collect())
}

impl DateFilter {
    /// The first filter field that is a date range, with each row's day; `None` without one.
    fn new(plan: &MatchPlan, columns: &[FieldColumn]) -> Option<Self> {
        let field = date_filter_field(plan)?;
        let col = &columns[field];
        let day_of_value: Vec<i32> = col
            .distinct
            .iter()
            .map(|p| match p {
                Prepared::Date(d) => d.num_days_from_ce(),
                Prepared::Missing => i32::MIN,
                _ => i32::MAX,
            })
            .collect();
        Some(DateFilter {
            field,
            row_day: col
                .value_of_row
                .iter()
                .map(|&v| day_of_value[v as usize])
                .collect(),
        })
    }
}

/// Builds the search keys of every text field and the day order of every date field and, under a
/// date filter, orders each column's rows by day. `false` when cancelled.
fn index_search_fields(
    plan: &MatchPlan,
    keys: &[Vec<KeyKind>],
    columns: &mut [FieldColumn],
    date_filter: Option<&DateFilter>,
    cancel: &CancelToken,
    steps: &BuildSteps,
) -> bool {
    columns
        .par_iter_mut()
        .zip(&plan.fields)
        .enumerate()
        .all(|(f, (col, field))| {
            let kinds = &keys[f];
            let searched = if field.spec.is_text() && !kinds.is_empty() {
                col.prefixes = kinds.contains(&KeyKind::Prefix);
                let Some(keys) = build_keys(col, cancel) else {
                    return false;
                };
                col.keys = Some(keys);
                true
            } else if kinds.contains(&KeyKind::Day) {
                col.days = Some(days_of(col));
                true
            } else {
                false
            };
            if let Some(df) = date_filter.filter(|df| searched && df.field != f) {
                if !col.sort_rows_by_day(df, cancel) {
                    return false;
                }
            }
            steps.step_done();
            true
        })
}

/// A date column's distinct values by day (see `FieldColumn::days`).
fn days_of(col: &FieldColumn) -> Vec<(i32, u32)> {
    let mut days: Vec<(i32, u32)> = col
        .distinct
        .iter()
        .enumerate()
        .filter_map(|(v, p)| match p {
            Prepared::Date(d) => Some((d.num_days_from_ce(), v as u32)),
            _ => None,
        })
        .collect();
    days.sort_unstable();
    days
}

impl FieldColumn {
    /// Sorts the rows of each value by their day under `df` and keeps those days beside them (see
    /// `row_days`). `false` when cancelled.
    fn sort_rows_by_day(&mut self, df: &DateFilter, cancel: &CancelToken) -> bool {
        let (offsets, rows) = (&self.offsets, &mut self.rows);
        for v in 0..offsets.len() - 1 {
            // A million rows in small groups: a cancel must not wait for all.
            if v.is_multiple_of(CANCEL_EVERY) && cancel.is_cancelled() {
                return false;
            }
            rows[offsets[v] as usize..offsets[v + 1] as usize]
                .sort_unstable_by_key(|&r| df.row_day[r as usize]);
        }
        self.row_days = self.rows.iter().map(|&r| df.row_day[r as usize]).collect();
        true
    }
}

impl FieldColumn {
    /// Moves the rows of each value that have a value in every field of `settled` after the
    /// others, keeping their order, and notes where they begin (`complete_from`). Rows sorted by
    /// day keep that order.
    fn put_complete_rows_last(
        &mut self,
        present: &[u32],
        settled: u32,
        order: Option<&(dyn Fn(u32) -> f64 + Sync)>,
    ) {
        let n_values = self.offsets.len() - 1;
        if !self.row_days.is_empty() || (self.keys.is_none() && self.days.is_none()) {
            // Sorted by day, or making no blocks: nothing to put apart (see `complete_from`).
            return;
        }
        let complete = |r: u32| present[r as usize] & settled == settled;
        let mut from = Vec::with_capacity(n_values);
        let mut held = Vec::new();
        for v in 0..n_values {
            let span = &mut self.rows[self.offsets[v] as usize..self.offsets[v + 1] as usize];
            held.clear();
            let mut kept = 0;
            for i in 0..span.len() {
                let r = span[i];
                if complete(r) {
                    held.push(r);
                } else {
                    span[kept] = r;
                    kept += 1;
                }
            }
            span[kept..].copy_from_slice(&held);
            if let Some(weight) = order {
                span[..kept].sort_by(|&a, &b| weight(a).total_cmp(&weight(b)));
            }
            from.push(self.offsets[v] + kept as u32);
        }
        self.complete_from = from;
    }
}

impl AmountIndex {
    /// The amounts of field `field` (the one `keys::search_keys` gives amount keys), sorted, with
    /// each row's day under `date_filter`.
    fn new(field: usize, col: &FieldColumn, date_filter: Option<&DateFilter>) -> Self {
        let day = |r: usize| date_filter.map_or(i32::MIN, |df| df.row_day[r]);
        let mut sorted: Vec<(f64, u32, i32)> = col
            .value_of_row
            .iter()
            .enumerate()
            .filter_map(|(r, &v)| match col.distinct[v as usize] {
                Prepared::Number(x) => Some((x, r as u32, day(r))),
                _ => None,
            })
            .collect();
        sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let sample = sorted.iter().step_by(AMOUNT_SAMPLE).map(|p| p.0).collect();
        AmountIndex {
            field,
            sorted,
            sample,
        }
    }
}

/// Per row, the fields (the first `MASK_FIELDS`) whose value is not missing.
fn present_fields(columns: &[FieldColumn], n_rows: usize) -> Vec<u32> {
    let mut present = vec![0u32; n_rows];
    for (f, col) in columns.iter().enumerate().take(MASK_FIELDS) {
        for (r, &v) in col.value_of_row.iter().enumerate() {
            if !col.distinct[v as usize].is_missing() {
                present[r] |= 1 << f;
            }
        }
    }
    present
}

/// Every row's distinct value ids, row after row (see `ReferenceIndex::row_values`).
fn row_major_values(columns: &[FieldColumn], n_rows: usize) -> Vec<u32> {
    let n_fields = columns.len();
    let mut row_values = vec![0u32; n_rows * n_fields];
    for (f, col) in columns.iter().enumerate() {
        for (r, &v) in col.value_of_row.iter().enumerate() {
            row_values[r * n_fields + f] = v;
        }
    }
    row_values
}

/// Interns and prepares one field of the reference rows; `None` when cancelled.
fn build_column(
    spec: &FieldSpec,
    target_idx: usize,
    rows: &[Record],
    cancel: &CancelToken,
) -> Option<FieldColumn> {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut raw: Vec<&str> = Vec::new();
    let mut value_of_row = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        if r.is_multiple_of(CANCEL_EVERY) && cancel.is_cancelled() {
            return None;
        }
        let v = row.values.get(target_idx).map(String::as_str).unwrap_or("");
        let next = raw.len() as u32;
        let id = *ids.entry(v).or_insert_with(|| {
            raw.push(v);
            next
        });
        value_of_row.push(id);
    }
    let dates = if spec.strategy == Strategy::DateRange {
        detect_date_order(raw.iter().copied())
    } else {
        DateOrderProfile::default()
    };
    let distinct: Vec<Prepared> = raw
        .par_iter()
        .map(|r| {
            if cancel.is_cancelled() {
                Prepared::Missing
            } else {
                prepare_spec(spec, r, &dates)
            }
        })
        .collect();
    if cancel.is_cancelled() {
        // A million prepared values are many small allocations.
        free_in_background(distinct);
        return None;
    }
    let distinct = merge_alike(distinct, &mut value_of_row);
    // CSR of rows per value.
    let mut offsets = vec![0u32; distinct.len() + 1];
    for &v in &value_of_row {
        offsets[v as usize + 1] += 1;
    }
    for i in 0..distinct.len() {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut row_list = vec![0u32; value_of_row.len()];
    for (r, &v) in value_of_row.iter().enumerate() {
        row_list[fill[v as usize] as usize] = r as u32;
        fill[v as usize] += 1;
    }
    let rarity = rarity::Rarity::of(spec, &distinct, offsets.windows(2).map(|w| w[1] - w[0]));
    let weights = (spec.strategy == Strategy::Fuzzy && spec.term_frequency)
        .then(|| TokenWeights::from_documents(distinct.iter().map(|p| p.tokens())));
    // Only a Jaro-Winkler comparison has a bound that reads them (see `strategy::could_agree`).
    let sketches = if spec.strategy == Strategy::Fuzzy
        && spec.measure == crate::domain::FuzzyMeasure::JaroWinkler
    {
        (distinct.iter())
            .map(|p| match p {
                Prepared::Text(t) => t.sketch(),
                _ => TextSketch::default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(FieldColumn {
        value_of_row,
        distinct,
        sketches,
        offsets,
        rows: row_list,
        complete_from: Vec::new(),
        row_present: Vec::new(),
        row_days: Vec::new(),
        weights,
        rarity,
        keys: None,
        prefixes: false,
        days: None,
    })
}

/// Merges the distinct raw values whose prepared text is the same: under the company-name
/// normaliser "Rockline Transport Inc." and "ROCKLINE TRANSPORT LTD" are one name. Candidate search
/// then compares it once instead of once per spelling (the demo's million orders have 125,000
/// vendor spellings), and its rows are found together.
fn merge_alike(distinct: Vec<Prepared>, value_of_row: &mut [u32]) -> Vec<Prepared> {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut keep: Vec<usize> = Vec::with_capacity(distinct.len());
    let remap: Vec<u32> = distinct
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut new = || {
                keep.push(i);
                (keep.len() - 1) as u32
            };
            match p {
                Prepared::Text(t) => *ids.entry(t.folded()).or_insert_with(new),
                _ => new(),
            }
        })
        .collect();
    drop(ids);
    if keep.len() == distinct.len() {
        return distinct;
    }
    for v in value_of_row.iter_mut() {
        *v = remap[*v as usize];
    }
    let mut slots: Vec<Option<Prepared>> = distinct.into_iter().map(Some).collect();
    keep.iter()
        .map(|&i| slots[i].take().unwrap_or(Prepared::Missing))
        .collect()
}

fn build_keys(col: &FieldColumn, cancel: &CancelToken) -> Option<KeyIndex> {
    // Reference data indexes both kinds of key in one array; the document side decides which
    // kinds it looks up.
    let parts: Vec<KeyPart> = col
        .distinct
        .par_chunks(KEY_CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut out = KeyPart::new((c * KEY_CHUNK) as u32);
            if cancel.is_cancelled() {
                return out;
            }
            out.ends.reserve_exact(chunk.len());
            let (mut hashes, mut typo) = (Vec::new(), Vec::new());
            for p in chunk {
                hashes.clear();
                typo.clear();
                keys::key_hashes(p, col.prefixes, &mut hashes, &mut typo);
                out.push(hashes.iter().chain(&typo).copied());
            }
            // Grown by doubling, a part holds up to twice its keys until the scatter: a copy of
            // a few megabytes gives the rest back now.
            out.hashes.shrink_to_fit();
            out
        })
        .collect();
    if cancel.is_cancelled() {
        return None;
    }
    KeyIndex::new(parts, cancel)
}
