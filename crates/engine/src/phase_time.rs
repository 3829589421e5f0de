//! CPU time per step of scoring a document, summed over a run's threads, and counts of what
//! candidate search did: a developer's measure of where a run's time goes. Only with the
//! `phase-timing` feature; without it every call here compiles to nothing, so the product pays
//! nothing for it.

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

/// What candidate search did, summed over the documents of every run since the process started:
/// the counts a change to how blocks are walked moves (docs/PERFORMANCE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// Documents whose blocks were walked (not those of configs naming their keys).
    Documents,
    /// Reference rows the walk reached.
    RowsReached,
    /// Rows reached that agree with the document on two block fields or more.
    RowsOnTwoFields,
    /// Rows reached on one block field only that could still reach the review floor (their
    /// other values are missing or unsettled).
    RowsOnOneFieldReachingFloor,
    /// Rows the recall pass admitted (`rows_beyond_blocks`).
    AdmittedBeyond,
    /// Of those, rows that a block had reached on one field only.
    AdmittedBeyondOnOneField,
    /// Rows the recall pass looked at: not admitted, agreeing wherever they must.
    LookedAtBeyond,
    /// Values the recall pass compared (or ruled out by their sketches).
    ComparedBeyond,
    /// Document texts whose agreeing values were remembered from an earlier document.
    TextsRemembered,
    /// Reference values compared with document texts to find the agreeing ones.
    ValuesComparedForBlocks,
    /// Documents searched through pair tables instead of walking their large blocks.
    ByPairs,
}

impl Tally {
    pub const ALL: [Tally; 11] = [
        Tally::Documents,
        Tally::RowsReached,
        Tally::RowsOnTwoFields,
        Tally::RowsOnOneFieldReachingFloor,
        Tally::AdmittedBeyond,
        Tally::AdmittedBeyondOnOneField,
        Tally::LookedAtBeyond,
        Tally::ComparedBeyond,
        Tally::TextsRemembered,
        Tally::ValuesComparedForBlocks,
        Tally::ByPairs,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tally::Documents => "documents walked",
            Tally::RowsReached => "rows reached",
            Tally::RowsOnTwoFields => "on two fields or more",
            Tally::RowsOnOneFieldReachingFloor => "on one field, could reach the floor",
            Tally::AdmittedBeyond => "admitted by the recall pass",
            Tally::AdmittedBeyondOnOneField => "of those reached on one field",
            Tally::LookedAtBeyond => "looked at by the recall pass",
            Tally::ComparedBeyond => "values it compared",
            Tally::TextsRemembered => "texts remembered",
            Tally::ValuesComparedForBlocks => "values compared for blocks",
            Tally::ByPairs => "searched through pair tables",
        }
    }
}

/// Whether the counts are kept: code that only feeds `tally` is skipped without the feature.
pub const COUNTING: bool = cfg!(feature = "phase-timing");

#[cfg(feature = "phase-timing")]
mod imp {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;

    use super::{Step, Tally};

    static NANOS: [AtomicU64; Step::ALL.len()] = [const { AtomicU64::new(0) }; Step::ALL.len()];
    static COUNTS: [AtomicU64; Tally::ALL.len()] = [const { AtomicU64::new(0) }; Tally::ALL.len()];

    pub fn tally(what: Tally, n: u64) {
        COUNTS[what as usize].fetch_add(n, Ordering::Relaxed);
    }

    pub fn tallies() -> Option<Vec<(Tally, u64)>> {
        Some(
            Tally::ALL
                .iter()
                .map(|&t| (t, COUNTS[t as usize].load(Ordering::Relaxed)))
                .collect(),
        )
    }

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
    use super::{Step, Tally};

    #[inline(always)]
    pub fn tally(_what: Tally, _n: u64) {}

    pub fn tallies() -> Option<Vec<(Tally, u64)>> {
        None
    }

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

/// The counts since the process started; `None` without the feature. As with `totals`, a
/// blocking-recall check adds to them: read them before it.
pub use imp::tallies;
/// Adds `n` to a count (nothing without the feature).
pub use imp::tally;
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

    #[test]
    fn a_tally_adds_up_only_with_the_feature() {
        let before = tallies();
        tally(Tally::AdmittedBeyondOnOneField, 3);
        let after = tallies();
        assert_eq!(COUNTING, after.is_some());
        if let (Some(before), Some(after)) = (before, after) {
            let at = Tally::AdmittedBeyondOnOneField as usize;
            assert_eq!(after[at].0, Tally::AdmittedBeyondOnOneField);
            // Other tests' searches may count at the same time, never less.
            assert!(after[at].1 >= before[at].1 + 3, "{after:?}");
        }
    }
}
