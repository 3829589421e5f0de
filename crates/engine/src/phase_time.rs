//! CPU time per step of scoring a document, summed over a run's threads: a developer's measure
//! of where a run's time goes. Only with the `phase-timing` feature; without it every call here
//! compiles to nothing, so the product pays nothing for it.

/// The steps of scoring one document, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Parsing and normalising the document's mapped values.
    Prepare,
    /// Candidate search: the blocks, walking them, admitting rows.
    CandidateSearch,
    /// Scoring the rows candidate search admitted.
    Scoring,
    /// The rows reached but not admitted that could still beat the best (`rows_beyond_blocks`),
    /// and scoring them.
    RecallPass,
    /// The evidence of the best candidates and the document's result.
    Evidence,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Prepare,
        Step::CandidateSearch,
        Step::Scoring,
        Step::RecallPass,
        Step::Evidence,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Step::Prepare => "prepare",
            Step::CandidateSearch => "candidate search",
            Step::Scoring => "scoring",
            Step::RecallPass => "recall pass",
            Step::Evidence => "evidence",
        }
    }
}

#[cfg(feature = "phase-timing")]
mod imp {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;

    use super::Step;

    static NANOS: [AtomicU64; Step::ALL.len()] = [const { AtomicU64::new(0) }; Step::ALL.len()];

    /// When the current step began.
    pub struct Lap(Instant);

    impl Lap {
        pub fn start() -> Self {
            Lap(Instant::now())
        }

        /// Counts the time since the last lap to `step`.
        pub fn end(&mut self, step: Step) {
            let now = Instant::now();
            let nanos = now.duration_since(self.0).as_nanos() as u64;
            NANOS[step as usize].fetch_add(nanos, Ordering::Relaxed);
            self.0 = now;
        }
    }

    pub fn totals() -> Option<Vec<(Step, f64)>> {
        Some(
            Step::ALL
                .iter()
                .map(|&s| (s, NANOS[s as usize].load(Ordering::Relaxed) as f64 / 1e9))
                .collect(),
        )
    }
}

#[cfg(not(feature = "phase-timing"))]
mod imp {
    use super::Step;

    pub struct Lap;

    impl Lap {
        #[inline(always)]
        pub fn start() -> Self {
            Lap
        }

        #[inline(always)]
        pub fn end(&mut self, _step: Step) {}
    }

    pub fn totals() -> Option<Vec<(Step, f64)>> {
        None
    }
}

/// CPU-seconds per step since the process started, summed over threads; `None` without the
/// feature. A blocking-recall check (`run::blocking_recall`) searches as a run does and adds to
/// the search steps: read the totals before it.
pub use imp::totals;
/// A clock over the steps of one document (nothing without the feature).
pub use imp::Lap;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lap_counts_toward_its_step_only_with_the_feature() {
        let before = totals();
        let mut lap = Lap::start();
        std::thread::sleep(std::time::Duration::from_millis(5));
        lap.end(Step::Scoring);
        let after = totals();
        #[cfg(feature = "phase-timing")]
        {
            let (before, after) = (before.expect("totals"), after.expect("totals"));
            let at = Step::Scoring as usize;
            assert_eq!(after[at].0, Step::Scoring);
            assert!(after[at].1 - before[at].1 >= 0.005, "{after:?}");
        }
        #[cfg(not(feature = "phase-timing"))]
        assert!(before.is_none() && after.is_none());
    }
}
