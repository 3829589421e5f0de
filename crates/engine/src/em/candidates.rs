//! Candidate search for entity matching: an inverted index from token to targets, so that a source
//! is only ever compared with targets that share a token with it (B.5), and only with the few of
//! those that a cheap tf-idf overlap ranks highest.
//!
//! Tokens in a large share of the targets (site codes, `PT` on a plant full of transmitters) would
//! make every source meet thousands of targets; they are left out of the lookup unless a source
//! has nothing rarer, and still count in the exact features of the candidates found. A source
//! with nothing rarer reads only the head of their posting lists, which hold the targets with
//! the fewest other tokens (the best overlap for such a source) first.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::features::index_keys;
use super::FeatureType;

/// Share of the targets above which a token is too common to find candidates by.
const STOP_SHARE: f64 = 0.02;
/// Below this many targets no token is too common: looking all of them up is cheap anyway.
const STOP_MIN_TARGETS: usize = 2_000;
/// Above this many targets a token is too common however many targets there are, so that the
/// work per source stays bounded on millions of targets.
const STOP_MAX_TARGETS: usize = 10_000;
/// Postings read per common token by a source that has no rarer one.
const STOP_HEAD: usize = 1_000;

/// The targets' index keys, as posting lists.
pub(crate) struct Index {
    slots: FxHashMap<u64, (u32, u32)>,
    postings: Vec<u32>,
    /// Per target, `1 / sqrt(sum of its keys' squared weights)`.
    inverse_norms: Vec<f32>,
    stop_df: usize,
    targets: usize,
}

impl Index {
    pub fn build(feature_type: FeatureType, targets: &[Vec<String>]) -> Index {
        let mut pairs: Vec<(u64, u32)> = targets
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, t)| {
                let mut keys = Vec::new();
                index_keys(feature_type, t, &mut keys);
                keys.into_iter().map(move |k| (k, i as u32))
            })
            .collect();
        pairs.par_sort_unstable();
        let n = targets.len();
        let mut slots = FxHashMap::default();
        let mut postings = Vec::with_capacity(pairs.len());
        let mut norms = vec![0.0f64; n];
        let mut start = 0;
        while start < pairs.len() {
            let key = pairs[start].0;
            let end = start + pairs[start..].partition_point(|p| p.0 == key);
            slots.insert(key, (postings.len() as u32, (end - start) as u32));
            let w = weight(n, end - start) as f64;
            for &(_, t) in &pairs[start..end] {
                postings.push(t);
                norms[t as usize] += w * w;
            }
            start = end;
        }
        let inverse_norms: Vec<f32> = norms
            .into_iter()
            .map(|norm2| {
                if norm2 > 0.0 {
                    (1.0 / norm2.sqrt()) as f32
                } else {
                    0.0
                }
            })
            .collect();
        let stop_df = ((n as f64 * STOP_SHARE) as usize).clamp(STOP_MIN_TARGETS, STOP_MAX_TARGETS);
        for &(start, len) in slots.values() {
            if len as usize > stop_df {
                let list = &mut postings[start as usize..(start + len) as usize];
                list.sort_unstable_by(|&a, &b| {
                    let (x, y) = (inverse_norms[a as usize], inverse_norms[b as usize]);
                    y.total_cmp(&x).then(a.cmp(&b))
                });
            }
        }
        Index {
            slots,
            postings,
            inverse_norms,
            stop_df,
            targets: n,
        }
    }

    fn weight(&self, df: usize) -> f32 {
        weight(self.targets, df)
    }

    fn postings(&self, key: u64) -> Option<&[u32]> {
        let &(start, len) = self.slots.get(&key)?;
        Some(&self.postings[start as usize..(start + len) as usize])
    }
}

/// The tf-idf weight of a key in `df` of `targets` targets.
fn weight(targets: usize, df: usize) -> f32 {
    ((targets as f64 / df.max(1) as f64).ln() + 1.0) as f32
}

/// Per-thread buffers of candidate search.
pub(crate) struct Scratch {
    overlap: Vec<f32>,
    touched: Vec<u32>,
    keys: Vec<u64>,
}

impl Scratch {
    pub fn new(index: &Index) -> Scratch {
        Scratch {
            overlap: vec![0.0; index.targets],
            touched: Vec::new(),
            keys: Vec::new(),
        }
    }
}

/// Up to `limit` targets sharing a token with `source`, those with the largest tf-idf overlap
/// first (ties by index), appended to `out`.
pub(crate) fn shortlist(
    feature_type: FeatureType,
    index: &Index,
    source: &[String],
    limit: usize,
    scratch: &mut Scratch,
    out: &mut Vec<u32>,
) {
    out.clear();
    index_keys(feature_type, source, &mut scratch.keys);
    let found: Vec<(u64, &[u32])> = scratch
        .keys
        .iter()
        .filter_map(|&k| index.postings(k).map(|p| (k, p)))
        .collect();
    let rare = found.iter().any(|(_, p)| p.len() <= index.stop_df);
    for &(_, postings) in &found {
        let common = postings.len() > index.stop_df;
        if rare && common {
            continue;
        }
        let w = index.weight(postings.len());
        let read = if common {
            &postings[..STOP_HEAD]
        } else {
            postings
        };
        for &t in read {
            let slot = &mut scratch.overlap[t as usize];
            if *slot == 0.0 {
                scratch.touched.push(t);
            }
            *slot += w * w;
        }
    }
    let mut scored: Vec<(f32, u32)> = scratch
        .touched
        .drain(..)
        .map(|t| {
            let slot = &mut scratch.overlap[t as usize];
            let score = *slot * index.inverse_norms[t as usize];
            *slot = 0.0;
            (score, t)
        })
        .collect();
    let better = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if scored.len() > limit && limit > 0 {
        scored.select_nth_unstable_by(limit - 1, better);
        scored.truncate(limit);
    }
    scored.truncate(limit);
    scored.sort_unstable_by(better);
    out.extend(scored.iter().map(|s| s.1));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities(values: &[&str]) -> Vec<Vec<String>> {
        values.iter().map(|v| vec![v.to_string()]).collect()
    }

    fn find(targets: &[Vec<String>], source: &str, limit: usize) -> Vec<u32> {
        let index = Index::build(FeatureType::Insensitive, targets);
        let mut scratch = Scratch::new(&index);
        let mut out = Vec::new();
        let source = vec![source.to_string()];
        shortlist(
            FeatureType::Insensitive,
            &index,
            &source,
            limit,
            &mut scratch,
            &mut out,
        );
        out
    }

    #[test]
    fn only_targets_sharing_a_token_are_candidates() {
        let targets = entities(&["21PT1019", "21PT1020", "33FT7", "pump"]);
        assert_eq!(find(&targets, "KKL_21pt1019.pv", 10), [0, 1]);
        assert_eq!(find(&targets, "KKL_21pt1019.pv", 1), [0]);
        assert!(find(&targets, "valve", 10).is_empty());
        assert!(find(&targets, "", 10).is_empty());
        assert!(find(&targets, "pump", 0).is_empty());
    }

    #[test]
    fn common_tokens_find_nothing_unless_nothing_rarer_is_shared() {
        // "pt" is in every target, far above the stop share.
        let mut values: Vec<String> = (0..3000).map(|i| format!("PT {i}")).collect();
        values.push("FT 5".into());
        let targets: Vec<Vec<String>> = values.into_iter().map(|v| vec![v]).collect();
        let with_rare = find(&targets, "PT 17", 100);
        assert_eq!(with_rare, [17]);
        // Targets whose other token weighs least first: "PT 5" (its "5" is also in "FT 5"),
        // then the rest by index.
        let only_common = find(&targets, "PT", 3);
        assert_eq!(only_common, [5, 0, 1]);
        // "5" is rare, so "FT 5" and "PT 5" are found, and "pt" adds nothing new.
        let mut both = find(&targets, "PT 5", 10);
        both.sort_unstable();
        assert_eq!(both, [5, 3000]);
    }
}
