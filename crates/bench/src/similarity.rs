//! The `similarity` subcommand: times the string-similarity implementations the engine could use
//! on the project's own candidate pairs (vendor name on an invoice against vendor name on a
//! purchase order), and checks that they agree.
//!
//! Pairs come in groups of eight sharing the invoice side, as in matching, where one document value
//! is compared with many candidates: the true PO's vendor (when the invoice has a PO) and random
//! POs' vendors. That grouping is what lets rapidfuzz's `BatchComparator` (which preprocesses the
//! shared side once) be timed on the same pairs as everything else.

use std::hint::black_box;
use std::time::Instant;

use clap::Args;
use datagen::demo::{generate, DemoSpec};
use engine::normalize::fold;
use rapidfuzz::distance::{jaro_winkler as rf_jw, levenshtein as rf_lev};

use crate::machine::{command_line, Machine};
use crate::BenchError;

/// Candidates per invoice value.
const GROUP: usize = 8;
/// Results closer than this count as equal.
const TOLERANCE: f64 = 1e-9;

#[derive(Debug, Args)]
pub struct SimilarityArgs {
    /// How many pairs to time.
    #[arg(long, default_value_t = 300_000)]
    pairs: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 20261122)]
    seed: u64,
    /// Timed passes over all pairs per implementation; the fastest counts (least disturbed by
    /// the rest of the machine).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

/// Pairs grouped by their invoice side: `groups[g]` is one invoice value and its candidates.
struct Pairs {
    groups: Vec<(String, Vec<String>)>,
    true_pairs: usize,
}

impl Pairs {
    fn len(&self) -> usize {
        self.groups.iter().map(|(_, c)| c.len()).sum()
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.groups
            .iter()
            .flat_map(|(a, cs)| cs.iter().map(move |b| (a.as_str(), b.as_str())))
    }
}

/// SplitMix64, as in the demo generator: picking random candidates needs nothing better.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z as u128 * n as u128) >> 64) as usize
    }
}

fn column(headers: &csv::StringRecord, name: &str) -> Result<usize, BenchError> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| BenchError::Failed(format!("the demo data has no column {name}")))
}

fn records(text: &str) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), BenchError> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| BenchError::Failed(format!("demo CSV: {e}")))?
        .clone();
    let rows = r
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| BenchError::Failed(format!("demo CSV: {e}")))?;
    Ok((headers, rows))
}

/// Vendor-name pairs from the demo generator, folded as the engine folds text before comparing.
fn build_pairs(count: usize, seed: u64) -> Result<Pairs, BenchError> {
    let invoices = count.div_ceil(GROUP);
    let data = generate(&DemoSpec {
        purchase_orders: (invoices / 2).max(1000),
        invoices,
        seed,
    });
    let (h, pos) = records(&data.purchase_orders_csv)?;
    let (po_id, po_vendor) = (column(&h, "po_id")?, column(&h, "vendor_name")?);
    let mut vendor_of_po = std::collections::HashMap::new();
    let mut po_vendors = Vec::with_capacity(pos.len());
    for r in &pos {
        let v = fold(r.get(po_vendor).unwrap_or(""));
        vendor_of_po.insert(r.get(po_id).unwrap_or("").to_string(), v.clone());
        po_vendors.push(v);
    }
    let (h, invs) = records(&data.invoices_csv)?;
    let (doc_id, inv_vendor) = (column(&h, "document_id")?, column(&h, "vendor_name")?);
    let (_, truth) = records(&data.truth_csv)?;
    let truth: std::collections::HashMap<String, String> = truth
        .iter()
        .filter_map(|r| Some((r.get(0)?.to_string(), r.get(1)?.to_string())))
        .filter(|(_, po)| !po.is_empty())
        .collect();

    let mut rng = Rng(seed ^ 0x5EED);
    let mut groups = Vec::with_capacity(invoices);
    let (mut total, mut true_pairs) = (0usize, 0usize);
    for r in &invs {
        if total >= count {
            break;
        }
        let a = fold(r.get(inv_vendor).unwrap_or(""));
        let mut candidates = Vec::with_capacity(GROUP);
        if let Some(v) = truth
            .get(r.get(doc_id).unwrap_or(""))
            .and_then(|po| vendor_of_po.get(po))
        {
            candidates.push(v.clone());
            true_pairs += 1;
        }
        while candidates.len() < GROUP.min(count - total) {
            candidates.push(po_vendors[rng.below(po_vendors.len())].clone());
        }
        candidates.truncate(count - total);
        total += candidates.len();
        groups.push((a, candidates));
    }
    Ok(Pairs { groups, true_pairs })
}

/// One implementation's timing and results.
struct Measured {
    name: &'static str,
    measure: &'static str,
    ns_per_pair: f64,
    results: Vec<f64>,
    note: &'static str,
}

/// Times `f` over every pair: one untimed pass for the results (and to warm caches), then
/// `rounds` timed passes of which the fastest counts. Generic over the pair's form so the engine's
/// functions can take the char slices it keeps while the crates take `&str`.
fn per_pair<T: ?Sized>(
    pairs: &[(&T, &T)],
    rounds: usize,
    name: &'static str,
    measure: &'static str,
    note: &'static str,
    f: impl Fn(&T, &T) -> f64,
) -> Measured {
    let results: Vec<f64> = pairs.iter().map(|(a, b)| f(a, b)).collect();
    let mut best = f64::INFINITY;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let mut acc = 0.0;
        for (a, b) in pairs {
            acc += f(black_box(a), black_box(b));
        }
        black_box(acc);
        best = best.min(t.elapsed().as_secs_f64());
    }
    Measured {
        name,
        measure,
        ns_per_pair: best * 1e9 / pairs.len().max(1) as f64,
        results,
        note,
    }
}

/// Like `per_pair`, for implementations that prepare the shared invoice side once per group
/// (the preparation is timed too).
fn per_group(
    pairs: &Pairs,
    rounds: usize,
    name: &'static str,
    measure: &'static str,
    note: &'static str,
    f: impl Fn(&str, &[String], &mut Vec<f64>),
) -> Measured {
    let mut results = Vec::with_capacity(pairs.len());
    for (a, cs) in &pairs.groups {
        f(a, cs, &mut results);
    }
    let mut best = f64::INFINITY;
    let mut scratch = Vec::with_capacity(GROUP);
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        for (a, cs) in &pairs.groups {
            scratch.clear();
            f(black_box(a), black_box(cs), &mut scratch);
            black_box(&scratch);
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    Measured {
        name,
        measure,
        ns_per_pair: best * 1e9 / pairs.len().max(1) as f64,
        results,
        note,
    }
}

/// Largest absolute difference, how many pairs differ by more than `TOLERANCE`, and the index of
/// the largest difference.
fn compare(a: &[f64], b: &[f64]) -> (f64, usize, Option<usize>) {
    let mut max = 0.0f64;
    let mut at = None;
    let mut differing = 0;
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let d = (x - y).abs();
        if d > TOLERANCE {
            differing += 1;
        }
        if d > max {
            max = d;
            at = Some(i);
        }
    }
    (max, differing, at)
}

pub fn run(args: &SimilarityArgs) -> Result<(), BenchError> {
    if args.pairs == 0 {
        return Err(BenchError::Usage("--pairs must be at least 1".into()));
    }
    let machine = Machine::detect();
    let (_, cargo) = command_line();
    eprintln!("building {} pairs...", args.pairs);
    let pairs = build_pairs(args.pairs, args.seed)?;
    let flat: Vec<(&str, &str)> = pairs.iter().collect();
    // The engine keeps folded text as chars (decoded once per value, not once per pair), so its
    // functions are timed on the same pairs in that form.
    let char_vecs: Vec<(Vec<char>, Vec<char>)> = flat
        .iter()
        .map(|(a, b)| (a.chars().collect(), b.chars().collect()))
        .collect();
    let chars: Vec<(&[char], &[char])> = char_vecs
        .iter()
        .map(|(a, b)| (a.as_slice(), b.as_slice()))
        .collect();

    let mut measured = time_jaro_winkler(&pairs, &flat, &chars, args.rounds);
    measured.extend(time_levenshtein(&pairs, &flat, &chars, args.rounds));

    print_header(&pairs, args.rounds);
    print_measured(&measured, &flat);
    println!();
    println!("command: `{cargo}`");
    println!("machine: {}", machine.describe());
    Ok(())
}

/// The Jaro-Winkler implementations, strsim's (the reference) first.
fn time_jaro_winkler(
    pairs: &Pairs,
    flat: &[(&str, &str)],
    chars: &[(&[char], &[char])],
    r: usize,
) -> Vec<Measured> {
    eprintln!("timing Jaro-Winkler...");
    vec![
        per_pair(
            flat,
            r,
            "strsim::jaro_winkler",
            "jaro-winkler",
            "",
            strsim::jaro_winkler,
        ),
        per_pair(
            flat,
            r,
            "rapidfuzz jaro_winkler::similarity (chars)",
            "jaro-winkler",
            "",
            |a, b| rf_jw::similarity(a.chars(), b.chars()),
        ),
        per_pair(
            flat,
            r,
            "rapidfuzz jaro_winkler::similarity (bytes)",
            "jaro-winkler",
            "bytes equal chars only for ASCII text",
            |a, b| rf_jw::similarity(a.bytes(), b.bytes()),
        ),
        per_group(
            pairs,
            r,
            "rapidfuzz jaro_winkler::BatchComparator (chars)",
            "jaro-winkler",
            "invoice side prepared once per 8 candidates",
            |a, cs, out| {
                let cmp = rf_jw::BatchComparator::new(a.chars());
                out.extend(cs.iter().map(|b| cmp.similarity(b.chars())));
            },
        ),
        // engine::similarity is new (written alongside this benchmark) and its doc promises
        // bit-for-bit agreement with strsim: the diff column holds it to that.
        per_pair(
            chars,
            r,
            "engine::similarity::jaro_winkler (chars)",
            "jaro-winkler",
            "chars decoded once per value, as the engine keeps them",
            engine::similarity::jaro_winkler,
        ),
    ]
}

/// The normalised Levenshtein implementations, strsim's (the reference) first.
fn time_levenshtein(
    pairs: &Pairs,
    flat: &[(&str, &str)],
    chars: &[(&[char], &[char])],
    r: usize,
) -> Vec<Measured> {
    eprintln!("timing Levenshtein...");
    vec![
        per_pair(
            flat,
            r,
            "strsim::normalized_levenshtein",
            "levenshtein",
            "",
            strsim::normalized_levenshtein,
        ),
        per_pair(
            flat,
            r,
            "rapidfuzz levenshtein::normalized_similarity (chars)",
            "levenshtein",
            "",
            |a, b| rf_lev::normalized_similarity(a.chars(), b.chars()),
        ),
        per_pair(
            flat,
            r,
            "rapidfuzz levenshtein::normalized_similarity (bytes)",
            "levenshtein",
            "bytes equal chars only for ASCII text",
            |a, b| rf_lev::normalized_similarity(a.bytes(), b.bytes()),
        ),
        per_group(
            pairs,
            r,
            "rapidfuzz levenshtein::BatchComparator (chars)",
            "levenshtein",
            "invoice side prepared once per 8 candidates",
            |a, cs, out| {
                let cmp = rf_lev::BatchComparator::new(a.chars());
                out.extend(cs.iter().map(|b| cmp.normalized_similarity(b.chars())));
            },
        ),
        per_pair(
            chars,
            r,
            "engine::similarity::levenshtein_similarity (chars)",
            "levenshtein",
            "chars decoded once per value, as the engine keeps them",
            engine::similarity::levenshtein_similarity,
        ),
    ]
}

/// The report's title and what the pairs are.
fn print_header(pairs: &Pairs, rounds: usize) {
    let n = pairs.len();
    let char_count: usize = pairs
        .iter()
        .map(|(a, b)| a.chars().count() + b.chars().count())
        .sum();
    let ascii = pairs.iter().all(|(a, b)| a.is_ascii() && b.is_ascii());
    println!("# String similarity on vendor-name pairs");
    println!();
    println!(
        "{n} pairs ({} true invoice/PO pairs, {} random), {:.1} characters per string on average, \
         {}, folded as the engine folds text; fastest of {rounds} passes",
        pairs.true_pairs,
        n - pairs.true_pairs,
        char_count as f64 / (2 * n.max(1)) as f64,
        if ascii { "all ASCII" } else { "not all ASCII" },
    );
    println!();
}

/// One table row per implementation with its difference from strsim's results for the same
/// measure, then the pair of each largest difference above the tolerance.
fn print_measured(measured: &[Measured], flat: &[(&str, &str)]) {
    println!(
        "| implementation | ns/pair | max abs diff vs strsim | pairs differing > 1e-9 | note |"
    );
    println!("|---|---:|---:|---:|---|");
    let mut worst: Vec<String> = Vec::new();
    for m in measured {
        let reference = measured
            .iter()
            .find(|x| x.measure == m.measure && x.name.starts_with("strsim"))
            .map(|x| &x.results);
        let (max, differing, at) = reference.map_or((0.0, 0, None), |r| compare(&m.results, r));
        let max_text = if max == 0.0 {
            "0".to_string()
        } else {
            format!("{max:.1e}")
        };
        println!(
            "| {} | {:.1} | {max_text} | {differing} | {} |",
            m.name, m.ns_per_pair, m.note
        );
        if let (Some(i), Some(r)) = (at.filter(|_| max > TOLERANCE), reference) {
            let (a, b) = flat[i];
            worst.push(format!(
                "{}: largest difference on ({a:?}, {b:?}): {} vs strsim {}",
                m.name, m.results[i], r[i]
            ));
        }
    }
    if !worst.is_empty() {
        println!();
        for w in worst {
            println!("- {w}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_come_in_groups_with_true_pairs() {
        let p = build_pairs(100, 7).unwrap();
        assert_eq!(p.len(), 100);
        assert!(p.groups.iter().all(|(_, c)| c.len() <= GROUP));
        assert!(p.true_pairs > 0 && p.true_pairs < 100);
    }

    #[test]
    fn compare_finds_the_largest_difference() {
        let (max, differing, at) = compare(&[0.5, 0.7, 0.9], &[0.5, 0.6, 0.9 + 1e-12]);
        assert!((max - 0.1).abs() < 1e-12);
        assert_eq!((differing, at), (1, Some(1)));
    }
}
