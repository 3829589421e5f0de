//! Match weights fitted by logistic regression on pairs whose class the data itself tells: the
//! likely matches against the near misses the reference data holds (a reference row's best other
//! row: a relative at the same address, a sister company) and the runners-up of matched
//! documents. Fellegi-Sunter adds up fields as if independent, so five address fields that
//! always agree together count five times; the regression sees them agree on near misses too and
//! weighs them as much as they tell. The Fellegi-Sunter weights are its prior: with few pairs it
//! stays near them.

/// One pair: its level per field (`None`: a value missing), per field the rarity of a value both
/// sides share (`FieldEvidence::rarity`, 0 otherwise; may be empty), its class and its weight.
pub(super) struct Example {
    pub levels: Vec<Option<usize>>,
    pub rarity: Vec<f64>,
    pub is_match: bool,
    pub weight: f64,
}

/// The fitted weights in bits: the intercept, per field per level, and per field per bit of
/// rarity (empty when not fitted).
pub(super) struct Fitted {
    pub intercept: f64,
    pub weights: Vec<[f64; LEVELS]>,
    pub rarity: Vec<f64>,
}

/// An example's features that are not zero: (index, value).
type Features = Vec<(usize, f64)>;

const LEVELS: usize = 3;
const ROUNDS: usize = 60;
/// Pull towards the prior weights, per unit of example weight (ridge).
const PRIOR_STRENGTH: f64 = 2.0;

/// Weights fitted to `examples`, starting from and shrunk towards `prior` (same shape; a
/// rarity weight's prior is 0, no adjustment), with a weight per bit of rarity for the fields
/// that `rarity` marks (none: `Fitted::rarity` is empty).
pub(super) fn fit(examples: &[Example], prior: (f64, &[[f64; LEVELS]]), rarity: &[bool]) -> Fitted {
    let k = prior.1.len();
    let rarity_at = 1 + k * LEVELS;
    let with_rarity = rarity.iter().any(|&r| r);
    let dim = rarity_at + if with_rarity { k } else { 0 };
    let ln2 = std::f64::consts::LN_2;
    // Natural-log odds inside; bits outside.
    let mut mean = vec![prior.0 * ln2];
    mean.extend(prior.1.iter().flat_map(|w| w.iter().map(|x| x * ln2)));
    mean.resize(dim, 0.0);
    let mut beta = mean.clone();
    let features = |e: &Example| -> Features {
        let levels = e
            .levels
            .iter()
            .enumerate()
            .filter_map(|(f, l)| l.map(|l| (1 + f * LEVELS + l, 1.0)));
        let rarity = e
            .rarity
            .iter()
            .enumerate()
            .filter(|&(f, &r)| r != 0.0 && f < k && rarity.get(f) == Some(&true))
            .map(|(f, &r)| (rarity_at + f, r));
        std::iter::once((0, 1.0))
            .chain(levels)
            .chain(rarity)
            .collect()
    };
    let rows: Vec<(Features, f64, f64)> = examples
        .iter()
        .map(|e| (features(e), f64::from(u8::from(e.is_match)), e.weight))
        .collect();
    for _ in 0..ROUNDS {
        // Newton step on the penalised log-likelihood.
        let mut grad = vec![0.0; dim];
        let mut hess = vec![vec![0.0; dim]; dim];
        for (x, y, w) in &rows {
            let z: f64 = x.iter().map(|&(j, v)| beta[j] * v).sum();
            let p = 1.0 / (1.0 + (-z.clamp(-60.0, 60.0)).exp());
            for &(j, vj) in x {
                grad[j] += w * (y - p) * vj;
                for &(i, vi) in x {
                    hess[j][i] += w * p * (1.0 - p) * vj * vi;
                }
            }
        }
        for j in 0..dim {
            grad[j] -= PRIOR_STRENGTH * (beta[j] - mean[j]);
            hess[j][j] += PRIOR_STRENGTH;
        }
        let Some(step) = solve(hess, grad, 1e-12) else {
            break;
        };
        let size: f64 = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        // A full Newton step overshoots where the classes barely overlap; at most one unit of
        // log odds per weight and round keeps it converging.
        let scale = 1.0 / size.max(1.0);
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s * scale;
        }
        // A rarer shared value never tells less than a common one, and at most as much as its
        // rarity (a weight of 1 is the full term-frequency adjustment: u as the value's share).
        for b in &mut beta[rarity_at..] {
            *b = b.clamp(0.0, ln2);
        }
        if size < 1e-6 {
            break;
        }
    }
    let weights = (0..k)
        .map(|f| {
            let at = |l: usize| beta[1 + f * LEVELS + l] / ln2;
            [at(0), at(1), at(2)]
        })
        .collect();
    Fitted {
        intercept: beta[0] / ln2,
        weights,
        rarity: beta[rarity_at..].iter().map(|b| b / ln2).collect(),
    }
}

/// Solves `a x = b` (a symmetric positive definite, from a Newton step) by Gaussian
/// elimination with partial pivoting; `None` when a pivot is below `singular` (the two Newton
/// solvers, calibration here and the entity-matching classifier, tolerate different noise).
pub(crate) fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>, singular: f64) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < singular {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[row][col] / a[col][col];
            if factor == 0.0 {
                continue;
            }
            let (top, bottom) = a.split_at_mut(row);
            for (x, y) in bottom[0][col..].iter_mut().zip(&top[col][col..]) {
                *x -= factor * y;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(levels: [Option<usize>; 2], is_match: bool, n: usize) -> Vec<Example> {
        (0..n)
            .map(|_| Example {
                levels: levels.to_vec(),
                rarity: Vec::new(),
                is_match,
                weight: 1.0,
            })
            .collect()
    }

    #[test]
    fn a_field_that_agrees_on_near_misses_too_loses_weight() {
        // Field 0 agrees on matches and on near misses alike; field 1 only on matches.
        let mut examples = ex([Some(2), Some(2)], true, 200);
        examples.extend(ex([Some(2), Some(0)], false, 200));
        examples.extend(ex([Some(0), Some(0)], false, 200));
        // A prior that weighs both fields alike: the pairs must tell them apart.
        let prior = [[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]];
        let w = fit(&examples, (0.0, &prior), &[]).weights;
        assert!(w[1][2] - w[1][0] > w[0][2] - w[0][0] + 3.0, "{w:?}");
    }

    #[test]
    fn without_examples_the_prior_stays() {
        let prior = [[-5.0, 2.0, 8.0]];
        let fitted = fit(&[], (-10.0, &prior), &[true]);
        let (b, w) = (fitted.intercept, fitted.weights);
        assert!((b + 10.0).abs() < 1e-9 && (w[0][2] - 8.0).abs() < 1e-9);
        assert_eq!(fitted.rarity, vec![0.0]);
    }

    #[test]
    fn agreeing_on_a_common_value_tells_less_when_near_misses_share_common_values() {
        // Field 0 agrees on matches and near misses, but the near misses agree on common values
        // (rarity -2 bits) and the matches on values of every kind; field 1 tells nothing.
        let mut examples = Vec::new();
        for (i, r) in [-2.0, 0.0, 2.0].iter().cycle().take(300).enumerate() {
            examples.push(Example {
                levels: vec![Some(2), Some(if i % 2 == 0 { 2 } else { 0 })],
                rarity: vec![*r, 0.0],
                is_match: true,
                weight: 1.0,
            });
        }
        for i in 0..300 {
            examples.push(Example {
                levels: vec![Some(2), Some(if i % 2 == 0 { 2 } else { 0 })],
                rarity: vec![-2.0, 0.0],
                is_match: false,
                weight: 1.0,
            });
        }
        let prior = [[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]];
        let fitted = fit(&examples, (0.0, &prior), &[true, true]);
        assert!(fitted.rarity[0] > 0.5, "{:?}", fitted.rarity);
        assert!(fitted.rarity[1].abs() < 1e-9, "{:?}", fitted.rarity);
        // Only the fields asked for get a rarity weight.
        let only_second = fit(&examples, (0.0, &prior), &[false, true]);
        assert_eq!(only_second.rarity, vec![0.0, 0.0]);
        assert!(fit(&examples, (0.0, &prior), &[false, false])
            .rarity
            .is_empty());
    }

    #[test]
    fn solves_a_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0], 1e-12).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
    }
}
