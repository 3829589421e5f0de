//! The seeded generator of entity matching (SplitMix64): the same inputs give the same negative
//! sample, bootstrap and forest, so a refit of the same data stores the same model.

use super::text::mix;

pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n`; `n` must not be 0. The modulo bias is far below what a sample of a
    /// few thousand rows could show.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// `k` distinct indexes of `0..n` (all when `n <= k`), in the order drawn.
    pub fn choose(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_choices_are_distinct() {
        let (mut a, mut b) = (Rng::new(3), Rng::new(3));
        assert_eq!(a.next_u64(), b.next_u64());
        let mut c = a.choose(10, 4);
        assert_eq!(c, b.choose(10, 4));
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), 4);
        assert_eq!(a.choose(3, 5).len(), 3);
        assert!((0..100).all(|_| a.below(7) < 7));
    }
}
