//! How rare a reference value is in its column, for term-frequency adjustment: agreeing on a
//! surname that one row in ten thousand holds says more than agreeing on one that every hundredth
//! row holds.

use crate::domain::Strategy;
use crate::strategy::{FieldSpec, Prepared};

/// The furthest a value's rarity may move from its column's mean, in bits: beyond that a value
/// is a typo or a default, and the few rows that hold it say too little to weigh more.
const MAX_BITS: f64 = 8.0;

/// A column's value frequencies, summarised for `bits`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rarity {
    /// Rows with a value.
    present: f64,
    /// The mean surprisal of a row's value (the column's entropy), in bits.
    entropy: f64,
    /// The chance that two rows taken at random hold the same value (the sum of the squared
    /// shares): at least one over the rows with a value, reached when every value is unique.
    collision: f64,
}

impl Rarity {
    /// For the fields compared as text (exact or fuzzy): their "same" level is the same value,
    /// whose frequency is a property of the value. Amounts and dates agree within a tolerance, so
    /// how often the reference value occurs says little about the pair. `counts` holds the rows
    /// of each distinct value.
    pub(crate) fn of(
        spec: &FieldSpec,
        distinct: &[Prepared],
        counts: impl Iterator<Item = u32>,
    ) -> Option<Rarity> {
        if !matches!(spec.strategy, Strategy::Exact | Strategy::Fuzzy) {
            return None;
        }
        let counts: Vec<f64> = distinct
            .iter()
            .zip(counts)
            .filter(|(p, _)| !p.is_missing() && !p.is_invalid())
            .map(|(_, c)| f64::from(c))
            .filter(|&c| c > 0.0)
            .collect();
        let present: f64 = counts.iter().sum();
        if present <= 0.0 {
            return None;
        }
        let entropy = counts
            .iter()
            .map(|c| c / present * (present / c).log2())
            .sum();
        let collision = counts.iter().map(|c| (c / present).powi(2)).sum();
        Some(Rarity {
            present,
            entropy,
            collision,
        })
    }

    /// `collision`: how often a pair of rows agrees on this column by chance.
    pub(crate) fn collision(&self) -> f64 {
        self.collision
    }

    /// How much rarer than its column's average a value held by `count` rows is, in bits
    /// (negative: more common). Centred so that a model weighing it keeps its mean weight.
    pub(crate) fn bits(&self, count: u32) -> f64 {
        let surprisal = (self.present / f64::from(count.max(1))).log2();
        (surprisal - self.entropy).clamp(-MAX_BITS, MAX_BITS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldMapping;

    fn spec(strategy: &str) -> FieldSpec {
        let m: FieldMapping = serde_json::from_value(serde_json::json!({
            "source": "a", "target": "b", "strategy": strategy, "weight": 1.0
        }))
        .unwrap();
        FieldSpec::new(&m)
    }

    fn text(s: &str) -> Prepared {
        crate::strategy::prepare_spec(&spec("exact"), s, &Default::default())
    }

    #[test]
    fn a_common_value_weighs_less_than_a_rare_one_and_the_mean_is_zero() {
        // 96 rows: one value held by 64, one by 16, sixteen held by one row each.
        let mut distinct = vec![text("smith"), text("jones")];
        let mut counts = vec![64u32, 16];
        for i in 0..16 {
            distinct.push(text(&format!("rare{i}")));
            counts.push(1);
        }
        let r = Rarity::of(&spec("exact"), &distinct, counts.iter().copied()).unwrap();
        let (common, middle, rare) = (r.bits(64), r.bits(16), r.bits(1));
        assert!(
            common < 0.0 && middle > common && rare > middle,
            "{common} {middle} {rare}"
        );
        // log2(96/1) - log2(96/64) = 6 bits between the rarest and the commonest.
        assert!((rare - common - 6.0).abs() < 1e-9);
        // (64² + 16² + 16) / 96²: two rows share a value mostly through "smith".
        assert!((r.collision() - 4368.0 / 9216.0).abs() < 1e-12);
        let mean: f64 = counts
            .iter()
            .map(|&c| f64::from(c) * r.bits(c))
            .sum::<f64>()
            / 96.0;
        assert!(mean.abs() < 1e-9, "{mean}");
    }

    #[test]
    fn missing_values_do_not_count_and_amounts_have_no_rarity() {
        let distinct = vec![Prepared::Missing, text("a"), text("b")];
        let r = Rarity::of(&spec("exact"), &distinct, [1000u32, 1, 1].into_iter()).unwrap();
        // Two rows with a value, one each: every value is as rare as the column's mean, and two
        // rows share one by chance one time in two.
        assert!(r.bits(1).abs() < 1e-9);
        assert!((r.collision() - 0.5).abs() < 1e-12);
        assert!(Rarity::of(&spec("numeric_range"), &distinct, [1u32, 1, 1].into_iter()).is_none());
        assert!(Rarity::of(&spec("exact"), &[Prepared::Missing], [5u32].into_iter()).is_none());
    }
}
