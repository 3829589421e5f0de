//! How much of a target each field of a source accounts for, token by token, weighted by how
//! rare the token is among the targets: the augmented classifiers' view of a pair beyond cosines.
//!
//! A cosine treats a missing loop number like a missing attribute suffix, and a typo in the
//! number like a different number. Here each of the target's tokens is met by the source's most
//! similar token (edit similarity, so `185` meets `85` at 2/3 and `7691` meets `9186` at 0), and
//! the rare tokens, the ones that tell targets apart, count most. Tokens the source has beyond
//! the target (site prefixes, attribute suffixes) cost nothing: a time series names more than its
//! asset. This is Monge-Elkan similarity with inverse document frequency weights, the soft TF-IDF
//! of Cohen, Ravikumar and Fienberg (2003), with a character-level inner similarity.

use rustc_hash::FxHashMap;

use super::text::{tokenize, View};
use super::Entity;
use crate::similarity::levenshtein_similarity_at_least;

/// Per field, each normalized token of the targets: its number and in how many targets it is.
pub(crate) struct Rarity {
    targets: usize,
    fields: Vec<FxHashMap<String, (u32, u32)>>,
}

/// A target's normalized tokens per field: number, characters and rarity weight.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetTokens {
    fields: Vec<Vec<(u32, Vec<char>, f64)>>,
}

/// A source's normalized tokens per field (with their number when a target has them), and the
/// best similarity already found for each target token, since a source's candidates share most
/// of their tokens.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceTokens {
    fields: Vec<Vec<(Option<u32>, Vec<char>)>>,
    best: FxHashMap<(u32, u32), f64>,
}

fn distinct_tokens(value: &str) -> Vec<String> {
    let mut tokens = tokenize(value, View::Normalized).order;
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

impl Rarity {
    pub fn new(targets: &[Entity]) -> Rarity {
        let n_fields = targets.first().map_or(0, Vec::len);
        let mut fields: Vec<FxHashMap<String, (u32, u32)>> = vec![FxHashMap::default(); n_fields];
        for t in targets {
            for (field, value) in t.iter().enumerate().take(n_fields) {
                let known = &mut fields[field];
                for token in distinct_tokens(value) {
                    let next = known.len() as u32;
                    known.entry(token).or_insert((next, 0)).1 += 1;
                }
            }
        }
        Rarity {
            targets: targets.len(),
            fields,
        }
    }

    /// Each of `entity`'s distinct tokens per field, with its number and document frequency
    /// when a target has it.
    fn known<T>(
        &self,
        entity: &Entity,
        f: impl Fn(String, Option<(u32, u32)>) -> Option<T>,
    ) -> Vec<Vec<T>> {
        entity
            .iter()
            .enumerate()
            .map(|(field, value)| {
                distinct_tokens(value)
                    .into_iter()
                    .filter_map(|t| {
                        let entry = self.fields.get(field).and_then(|k| k.get(&t)).copied();
                        f(t, entry)
                    })
                    .collect()
            })
            .collect()
    }

    /// A target's tokens, each weighted by its inverse document frequency.
    pub fn target(&self, entity: &Entity) -> TargetTokens {
        let n = self.targets as f64;
        let fields = self.known(entity, |t, entry| {
            let (id, df) = entry?;
            let w = ((n + 1.0) / (f64::from(df) + 1.0)).ln() + 0.1;
            Some((id, t.chars().collect(), w))
        });
        TargetTokens { fields }
    }

    pub fn source(&self, entity: &Entity) -> SourceTokens {
        let fields = self.known(entity, |t, entry| {
            Some((entry.map(|e| e.0), t.chars().collect()))
        });
        SourceTokens {
            fields,
            best: FxHashMap::default(),
        }
    }
}

/// Per field, the rarity-weighted share of `target`'s tokens that `source` has, each counted by
/// its best edit similarity to a source token; 0 when either side has no value.
pub(crate) fn coverage(source: &mut SourceTokens, target: &TargetTokens, out: &mut Vec<f64>) {
    for (field, t) in target.fields.iter().enumerate() {
        let s = &source.fields[field];
        if s.is_empty() || t.is_empty() {
            out.push(0.0);
            continue;
        }
        let (mut met, mut total) = (0.0, 0.0);
        for (id, token, w) in t {
            let best = *source
                .best
                .entry((field as u32, *id))
                .or_insert_with(|| best_similarity(s, *id, token));
            met += w * best;
            total += w;
        }
        out.push(met / total);
    }
}

fn best_similarity(source: &[(Option<u32>, Vec<char>)], id: u32, token: &[char]) -> f64 {
    // Most tokens of a good candidate are there as they are: no edit distance for them.
    if source.iter().any(|(other_id, _)| *other_id == Some(id)) {
        return 1.0;
    }
    let mut best: f64 = 0.0;
    for (_, other) in source {
        // The similarity is at most the shorter length over the longer.
        let (a, b) = (token.len().min(other.len()), token.len().max(other.len()));
        if (a as f64) <= best * b as f64 {
            continue;
        }
        // Only a better similarity matters, so the distance can give up early.
        if let Some(s) = levenshtein_similarity_at_least(token, other, best) {
            best = best.max(s);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(values: &[&str]) -> Entity {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn a_source_covers_the_rare_tokens_of_its_target_through_typos_and_extra_tokens() {
        let targets = [
            e(&["93FI085"]),
            e(&["93FI063"]),
            e(&["93PT085"]),
            e(&["44FI276"]),
        ];
        let r = Rarity::new(&targets);
        let cover = |source: &str, target: usize| {
            let mut out = Vec::new();
            coverage(
                &mut r.source(&e(&[source])),
                &r.target(&targets[target]),
                &mut out,
            );
            out[0]
        };
        // Every token of the target is there; the site prefix and suffixes cost nothing.
        assert!((cover("OSE:93-FI-085/PV.CV", 0) - 1.0).abs() < 1e-12);
        // A typo in the loop number counts two thirds of it, not nothing.
        let typo = cover("93-FI-185/PV.CV", 0);
        // Another loop number of the same area: its number is met only by chance (63 and 93
        // share one digit of two).
        let other = cover("93-FI-185/PV.CV", 1);
        assert!(typo > 0.75 && typo < 1.0, "{typo}");
        assert!(other < typo - 0.1, "{other} {typo}");
        assert_eq!(cover("", 0), 0.0);
    }
}
