//! The fitted classifiers of supervised entity matching and logistic regression; the trees live in
//! `tree`. Each turns a pair's feature vector into the probability that the pair is a match.

use serde::{Deserialize, Serialize};

use super::rng::Rng;
use super::tree::{Data, Forest, Tree, TREE};
use super::Classifier;
use crate::learn::calibrate::solve;

/// A trained classifier's parameters, as the model stores them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Fitted {
    Logistic(Logistic),
    Tree { tree: Tree },
    Forest { forest: Forest },
}

impl Fitted {
    pub fn fit(classifier: Classifier, data: &Data, seed: u64) -> Fitted {
        match classifier {
            Classifier::LogisticRegression | Classifier::AugmentedLogisticRegression => {
                Fitted::Logistic(Logistic::fit(data))
            }
            Classifier::DecisionTree => {
                let mut rows: Vec<usize> = (0..data.y.len()).collect();
                Fitted::Tree {
                    tree: Tree::fit(data, &mut rows, TREE, &mut Rng::new(seed)),
                }
            }
            Classifier::RandomForest | Classifier::AugmentedRandomForest => Fitted::Forest {
                forest: Forest::fit(data, seed),
            },
        }
    }

    pub fn probability(&self, x: &[f64]) -> f64 {
        let p = match self {
            Fitted::Logistic(l) => l.probability(x),
            Fitted::Tree { tree } => tree.probability(x),
            Fitted::Forest { forest } => forest.probability(x),
        };
        if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Whether the parameters fit feature vectors of `width`, for a model read back from JSON.
    pub fn accepts(&self, width: usize) -> bool {
        match self {
            Fitted::Logistic(l) => {
                l.mean.len() == width && l.scale.len() == width && l.weights.len() == width
            }
            Fitted::Tree { tree } => tree.max_feature().is_none_or(|f| f < width),
            Fitted::Forest { forest } => forest.max_feature().is_none_or(|f| f < width),
        }
    }
}

/// L2-regularised logistic regression on standardised features, classes weighted to balance,
/// fitted by Newton's method (a handful of exact steps: the features are few, so the Hessian is
/// tiny).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Logistic {
    mean: Vec<f64>,
    scale: Vec<f64>,
    weights: Vec<f64>,
    bias: f64,
}

/// Ridge penalty on the standardised weights: enough to keep separable data finite.
const L2: f64 = 1.0;
const NEWTON_STEPS: usize = 50;

impl Logistic {
    fn fit(data: &Data) -> Logistic {
        let (n, d) = (data.y.len(), data.width);
        let mut mean = vec![0.0; d];
        let mut scale = vec![0.0; d];
        for i in 0..n {
            for (m, v) in mean.iter_mut().zip(data.row(i)) {
                *m += v / n.max(1) as f64;
            }
        }
        for i in 0..n {
            for ((s, m), v) in scale.iter_mut().zip(&mean).zip(data.row(i)) {
                *s += (v - m) * (v - m) / n.max(1) as f64;
            }
        }
        for s in &mut scale {
            *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
        }
        let mut model = Logistic {
            mean,
            scale,
            weights: vec![0.0; d],
            bias: 0.0,
        };
        let positive_weight = data.positive_weight();
        let mut z = vec![0.0; d + 1];
        for _ in 0..NEWTON_STEPS {
            // Gradient and Hessian of the penalised log loss over (weights, bias).
            let mut grad = vec![0.0; d + 1];
            let mut hess = vec![vec![0.0; d + 1]; d + 1];
            for i in 0..n {
                model.standardise(data.row(i), &mut z);
                let p = sigmoid(model.linear(&z));
                let weight = if data.y[i] { positive_weight } else { 1.0 };
                let residual = weight * (p - f64::from(u8::from(data.y[i])));
                let w = weight * (p * (1.0 - p)).max(1e-10);
                for a in 0..=d {
                    grad[a] += residual * z[a];
                    for b in 0..=d {
                        hess[a][b] += w * z[a] * z[b];
                    }
                }
            }
            for a in 0..d {
                grad[a] += L2 * model.weights[a];
                hess[a][a] += L2;
            }
            hess[d][d] += 1e-9;
            let Some(step) = solve(hess, grad, SINGULAR) else {
                break;
            };
            for (w, s) in model.weights.iter_mut().zip(&step) {
                *w -= s;
            }
            model.bias -= step[d];
            if step.iter().all(|s| s.abs() < 1e-10) {
                break;
            }
        }
        model
    }

    /// Standardised features with a trailing 1 for the bias.
    fn standardise(&self, x: &[f64], z: &mut [f64]) {
        for (k, zk) in z.iter_mut().enumerate().take(self.mean.len()) {
            *zk = (x.get(k).copied().unwrap_or(0.0) - self.mean[k]) / self.scale[k];
        }
        z[self.mean.len()] = 1.0;
    }

    fn linear(&self, z: &[f64]) -> f64 {
        self.weights.iter().zip(z).map(|(w, v)| w * v).sum::<f64>() + self.bias
    }

    fn probability(&self, x: &[f64]) -> f64 {
        let mut z = vec![0.0; self.mean.len() + 1];
        self.standardise(x, &mut z);
        sigmoid(self.linear(&z))
    }
}

/// The smallest pivot the Newton step takes as not singular.
const SINGULAR: f64 = 1e-14;

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Data {
        // Matches have a high first feature; the second is noise.
        let mut rng = Rng::new(4);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for i in 0..500 {
            let positive = i % 5 == 0;
            let a = if positive { 0.7 } else { 0.3 } + (rng.below(400) as f64 - 200.0) / 1000.0;
            x.extend([a, rng.below(1000) as f64 / 1000.0, 1.0]);
            y.push(positive);
        }
        Data { x, y, width: 3 }
    }

    #[test]
    fn logistic_regression_learns_the_informative_feature() {
        let d = data();
        let Fitted::Logistic(l) = Fitted::fit(Classifier::LogisticRegression, &d, 0) else {
            panic!("not logistic");
        };
        assert!(l.weights[0] > 1.0, "{:?}", l.weights);
        assert!(l.weights[1].abs() < l.weights[0] / 5.0, "{:?}", l.weights);
        // The constant feature is harmless.
        assert!(l.weights[2].abs() < 1e-12, "{:?}", l.weights);
        assert!(l.probability(&[0.9, 0.5, 1.0]) > 0.9);
        assert!(l.probability(&[0.1, 0.5, 1.0]) < 0.05);
    }

    #[test]
    fn every_classifier_is_deterministic_and_ranks_matches_higher() {
        let d = data();
        for c in [
            Classifier::LogisticRegression,
            Classifier::DecisionTree,
            Classifier::RandomForest,
        ] {
            let a = Fitted::fit(c, &d, 1);
            assert_eq!(a, Fitted::fit(c, &d, 1), "{c:?}");
            assert!(a.accepts(3));
            let high = a.probability(&[0.8, 0.5, 1.0]);
            let low = a.probability(&[0.2, 0.5, 1.0]);
            assert!(high > 0.7 && low < 0.3, "{c:?}: {high} {low}");
        }
    }

    #[test]
    fn solve_inverts_a_small_system() {
        let x = solve(
            vec![vec![2.0, 1.0], vec![1.0, 3.0]],
            vec![3.0, 5.0],
            SINGULAR,
        )
        .unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve(vec![vec![0.0]], vec![1.0], SINGULAR).is_none());
    }
}
