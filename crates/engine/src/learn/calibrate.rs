//! Match weights fitted by logistic regression on pairs whose class the data itself tells: the
//! likely matches against the near misses the reference data holds (a reference row's best other
//! row: a relative at the same address, a sister company) and the runners-up of matched
//! documents. Fellegi-Sunter adds up fields as if independent, so five address fields that
//! always agree together count five times; the regression sees them agree on near misses too and
//! weighs them as much as they tell. The Fellegi-Sunter weights are its prior: with few pairs it
//! stays near them.

/// One pair: its level per field (`None`: a value missing), its class and its weight.
pub(super) struct Example {
    pub levels: Vec<Option<usize>>,
    pub is_match: bool,
    pub weight: f64,
}

const LEVELS: usize = 3;
const ROUNDS: usize = 60;
/// Pull towards the prior weights, per unit of example weight (ridge).
const PRIOR_STRENGTH: f64 = 2.0;

/// Weights in bits `(intercept, per field per level)` fitted to `examples`, starting from and
/// shrunk towards `prior` (same shape).
pub(super) fn fit(
    examples: &[Example],
    prior: (f64, &[[f64; LEVELS]]),
) -> (f64, Vec<[f64; LEVELS]>) {
    let k = prior.1.len();
    let dim = 1 + k * LEVELS;
    let ln2 = std::f64::consts::LN_2;
    // Natural-log odds inside; bits outside.
    let mut mean = vec![prior.0 * ln2];
    mean.extend(prior.1.iter().flat_map(|w| w.iter().map(|x| x * ln2)));
    let mut beta = mean.clone();
    let features = |e: &Example| -> Vec<usize> {
        std::iter::once(0)
            .chain(
                e.levels
                    .iter()
                    .enumerate()
                    .filter_map(|(f, l)| l.map(|l| 1 + f * LEVELS + l)),
            )
            .collect()
    };
    let rows: Vec<(Vec<usize>, f64, f64)> = examples
        .iter()
        .map(|e| (features(e), f64::from(u8::from(e.is_match)), e.weight))
        .collect();
    for _ in 0..ROUNDS {
        // Newton step on the penalised log-likelihood.
        let mut grad = vec![0.0; dim];
        let mut hess = vec![vec![0.0; dim]; dim];
        for (x, y, w) in &rows {
            let z: f64 = x.iter().map(|&j| beta[j]).sum();
            let p = 1.0 / (1.0 + (-z.clamp(-60.0, 60.0)).exp());
            for &j in x {
                grad[j] += w * (y - p);
                for &i in x {
                    hess[j][i] += w * p * (1.0 - p);
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
    (beta[0] / ln2, weights)
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
        let (_, w) = fit(&examples, (0.0, &prior));
        assert!(w[1][2] - w[1][0] > w[0][2] - w[0][0] + 3.0, "{w:?}");
    }

    #[test]
    fn without_examples_the_prior_stays() {
        let prior = [[-5.0, 2.0, 8.0]];
        let (b, w) = fit(&[], (-10.0, &prior));
        assert!((b + 10.0).abs() < 1e-9 && (w[0][2] - 8.0).abs() < 1e-9);
    }

    #[test]
    fn solves_a_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0], 1e-12).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
    }
}
