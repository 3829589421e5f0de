//! CART decision trees (Gini impurity, thresholds between observed values of continuous
//! features) and random forests of them, for the supervised entity-matching classifiers.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::rng::Rng;
use super::text::mix;

/// Training rows: `x` row-major with `width` features per row.
pub(crate) struct Data {
    pub x: Vec<f64>,
    pub y: Vec<bool>,
    pub width: usize,
}

impl Data {
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.width..(i + 1) * self.width]
    }

    fn value(&self, i: usize, feature: usize) -> f64 {
        self.x[i * self.width + feature]
    }

    /// The weight of a positive row (a negative weighs 1) that gives both classes the same total
    /// weight: the classifiers then learn as if matches and non-matches were equally common, so
    /// their probabilities do not depend on how many negatives the training sampled.
    pub fn positive_weight(&self) -> f64 {
        let positives = self.y.iter().filter(|&&y| y).count();
        let negatives = self.y.len() - positives;
        if positives == 0 || negatives == 0 {
            1.0
        } else {
            negatives as f64 / positives as f64
        }
    }
}

/// A node, stored flat: a split sends rows with `x[f] <= t` to node `l`, others to `r`; a leaf
/// holds the share of matches among its training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Node {
    Split { f: u32, t: f64, l: u32, r: u32 },
    Leaf { p: f64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Growth {
    pub max_depth: usize,
    pub min_leaf: usize,
    /// Features tried at each split; all when 0 or at least the width.
    pub features_per_split: usize,
}

/// A single tree: deep enough for a few interacting features, leaves big enough to give a
/// probability rather than a vote.
pub(crate) const TREE: Growth = Growth {
    max_depth: 8,
    min_leaf: 5,
    features_per_split: 0,
};

/// Trees of a forest.
const FOREST_TREES: usize = 50;
const FOREST_DEPTH: usize = 12;

impl Tree {
    /// Grows a tree on `rows` of `data` (repeats allowed: a bootstrap sample).
    pub fn fit(data: &Data, rows: &mut [usize], growth: Growth, rng: &mut Rng) -> Tree {
        let mut tree = Tree { nodes: Vec::new() };
        let grower = Grower {
            data,
            growth,
            positive_weight: data.positive_weight(),
        };
        tree.grow(&grower, rows, 0, rng);
        tree
    }

    pub fn probability(&self, x: &[f64]) -> f64 {
        let mut at = 0usize;
        loop {
            match self.nodes.get(at) {
                Some(Node::Split { f, t, l, r }) => {
                    let v = x.get(*f as usize).copied().unwrap_or(0.0);
                    at = if v <= *t { *l } else { *r } as usize;
                }
                Some(Node::Leaf { p }) => return *p,
                None => return 0.0,
            }
        }
    }

    /// The largest feature index a split reads, for checking a stored model.
    pub fn max_feature(&self) -> Option<usize> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Split { f, .. } => Some(*f as usize),
                Node::Leaf { .. } => None,
            })
            .max()
    }

    fn grow(&mut self, g: &Grower, rows: &mut [usize], depth: usize, rng: &mut Rng) -> u32 {
        let at = self.nodes.len() as u32;
        let positives = rows.iter().filter(|&&i| g.data.y[i]).count();
        let weighted = positives as f64 * g.positive_weight;
        let negatives = (rows.len() - positives) as f64;
        let p = if rows.is_empty() {
            0.0
        } else {
            weighted / (weighted + negatives)
        };
        self.nodes.push(Node::Leaf { p });
        let pure = positives == 0 || positives == rows.len();
        let min_leaf = g.growth.min_leaf.max(1);
        if pure || depth >= g.growth.max_depth || rows.len() < 2 * min_leaf {
            return at;
        }
        let Some((f, t)) = g.best_split(rows, rng) else {
            return at;
        };
        // Partition in place: rows going left first.
        let mut split = 0;
        for i in 0..rows.len() {
            if g.data.value(rows[i], f) <= t {
                rows.swap(i, split);
                split += 1;
            }
        }
        let (left_rows, right_rows) = rows.split_at_mut(split);
        let l = self.grow(g, left_rows, depth + 1, rng);
        let r = self.grow(g, right_rows, depth + 1, rng);
        self.nodes[at as usize] = Node::Split {
            f: f as u32,
            t,
            l,
            r,
        };
        at
    }
}

/// What growing one tree needs at every node.
struct Grower<'a> {
    data: &'a Data,
    growth: Growth,
    positive_weight: f64,
}

impl Grower<'_> {
    /// The (feature, threshold) of lowest weighted Gini impurity among the features tried, if
    /// one lowers it and leaves `min_leaf` rows on each side.
    fn best_split(&self, rows: &[usize], rng: &mut Rng) -> Option<(usize, f64)> {
        let (data, g, wp) = (self.data, self.growth, self.positive_weight);
        let n = rows.len();
        let total_pos = rows.iter().filter(|&&i| data.y[i]).count() as f64;
        // Maximising the sum over sides of (squared class weights / side weight) is minimising
        // the weighted Gini impurity.
        let purity = |pos: f64, neg: f64| {
            let (p, q) = (pos * wp, neg);
            if p + q > 0.0 {
                (p * p + q * q) / (p + q)
            } else {
                0.0
            }
        };
        let parent = purity(total_pos, n as f64 - total_pos);
        let tried = if g.features_per_split == 0 || g.features_per_split >= data.width {
            (0..data.width).collect()
        } else {
            rng.choose(data.width, g.features_per_split)
        };
        let min_leaf = g.min_leaf.max(1);
        let mut best: Option<(f64, usize, f64)> = None;
        let mut sorted: Vec<(f64, bool)> = Vec::with_capacity(n);
        for f in tried {
            sorted.clear();
            sorted.extend(rows.iter().map(|&i| (data.value(i, f), data.y[i])));
            sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut left_pos = 0.0;
            for i in 1..n {
                left_pos += f64::from(u8::from(sorted[i - 1].1));
                if i < min_leaf || n - i < min_leaf || sorted[i - 1].0 == sorted[i].0 {
                    continue;
                }
                let right_pos = total_pos - left_pos;
                let score = purity(left_pos, i as f64 - left_pos)
                    + purity(right_pos, (n - i) as f64 - right_pos);
                if score > parent + 1e-12 && best.is_none_or(|b| score > b.0) {
                    best = Some((score, f, (sorted[i - 1].0 + sorted[i].0) / 2.0));
                }
            }
        }
        best.map(|(_, f, t)| (f, t))
    }
}

/// A random forest: trees on bootstrap samples, each split choosing among about the square root
/// of the features; the probability is the trees' mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Forest {
    trees: Vec<Tree>,
}

impl Forest {
    pub fn fit(data: &Data, seed: u64) -> Forest {
        let n = data.y.len();
        let growth = Growth {
            max_depth: FOREST_DEPTH,
            min_leaf: 2,
            features_per_split: ((data.width as f64).sqrt().ceil() as usize).max(1),
        };
        let trees = (0..FOREST_TREES)
            .into_par_iter()
            .map(|k| {
                let mut rng = Rng::new(mix(seed ^ (k as u64 + 1)));
                let mut rows: Vec<usize> = (0..n).map(|_| rng.below(n.max(1))).collect();
                Tree::fit(data, &mut rows, growth, &mut rng)
            })
            .collect();
        Forest { trees }
    }

    pub fn probability(&self, x: &[f64]) -> f64 {
        if self.trees.is_empty() {
            return 0.0;
        }
        self.trees.iter().map(|t| t.probability(x)).sum::<f64>() / self.trees.len() as f64
    }

    pub fn max_feature(&self) -> Option<usize> {
        self.trees.iter().filter_map(Tree::max_feature).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matches when the first feature is above 0.6, whatever the noisy second says.
    fn data(n: usize) -> Data {
        let mut rng = Rng::new(9);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let a = rng.below(1000) as f64 / 1000.0;
            let b = rng.below(1000) as f64 / 1000.0;
            x.extend([a, b]);
            y.push(a > 0.6);
        }
        Data { x, y, width: 2 }
    }

    #[test]
    fn a_tree_finds_the_threshold() {
        let d = data(400);
        let mut rows: Vec<usize> = (0..400).collect();
        let tree = Tree::fit(&d, &mut rows, TREE, &mut Rng::new(1));
        assert!(tree.probability(&[0.9, 0.1]) > 0.95);
        assert!(tree.probability(&[0.3, 0.9]) < 0.05);
        assert_eq!(tree.max_feature(), Some(0));
        let Node::Split { f, t, .. } = tree.nodes[0] else {
            panic!("no split")
        };
        assert_eq!(f, 0);
        assert!((t - 0.6).abs() < 0.02, "{t}");
    }

    #[test]
    fn a_pure_or_tiny_node_is_a_leaf() {
        let d = Data {
            x: vec![0.1, 0.2, 0.3],
            y: vec![true, true, true],
            width: 1,
        };
        let tree = Tree::fit(&d, &mut [0, 1, 2], TREE, &mut Rng::new(1));
        assert_eq!(tree.nodes, [Node::Leaf { p: 1.0 }]);
        assert_eq!(tree.max_feature(), None);
    }

    #[test]
    fn forests_are_deterministic_and_separate_the_classes() {
        let d = data(300);
        let a = Forest::fit(&d, 5);
        assert_eq!(a, Forest::fit(&d, 5));
        assert_ne!(a, Forest::fit(&d, 6));
        assert!(a.probability(&[0.95, 0.5]) > 0.8);
        assert!(a.probability(&[0.2, 0.5]) < 0.2);
    }
}
