//! ai-resolve without a language model: a borderline result's candidates re-scored by a match
//! model fitted to the run's own mappings and to what reviewers decided, and a suggestion made
//! only where the model is nearly certain. The rest stays for a person.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{MatchModel, LEVEL_NAMES};
use crate::domain::{Candidate, ReviewStatus};

/// How sure the model must be before it suggests anything: a suggestion is right at least this
/// often when the model is calibrated.
pub const CERTAINTY: f64 = 0.98;

/// What ai-resolve suggests for one result. A reviewer accepts or rejects it; it never decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Suggestion {
    /// The row suggested as the match (`None` with `status: rejected`: no candidate matches).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_row_id: Option<String>,
    /// `approved` (this row is the match) or `rejected` (no candidate is).
    pub status: ReviewStatus,
    /// The match probability of the suggested row, or of the best candidate when rejecting.
    pub probability: f64,
    /// Why, in words: the fields that moved the odds most.
    pub reason: String,
}

/// What reviewers decided, as the agreement pattern of each pair they decided (each field's
/// level, or missing). Borderline cases repeat (a relative at the same address, a company and its
/// subsidiary), and agreement only ever counts for a match: a pair that agrees on every field at
/// most as well as pairs reviewers always rejected is rejected too, and one that agrees at least as
/// well as pairs they always approved is approved. "As well" is per field, by the level of
/// agreement (different, then missing, then similar, then same), so the reviewers draw the line
/// wherever the model's calibration would have put it. Not by the model's weights: fitted to
/// labels, correlated fields share their evidence unevenly (a postcode that agrees can weigh less
/// than one that does not, once the street and suburb have said it all), and an order by those
/// weights would let a pair that agrees on fewer fields count as agreeing better.
#[derive(Debug, Default, Clone)]
pub struct Decisions {
    decided: Vec<(Vec<Option<usize>>, bool)>,
    /// Per document, the rows reviewers approved it with (their latest decision on the pair).
    approved: HashMap<String, Vec<String>>,
}

/// Decisions that must stand on one side of a pattern, alike, before they decide it.
const SAME_DECISIONS: usize = 5;

/// Decisions alike needed for each one the other way before the rule still stands.
const OUTVOTED: usize = 20;

fn pattern(c: &Candidate) -> Vec<Option<usize>> {
    c.evidence
        .iter()
        .map(|e| (!e.missing).then(|| super::model::level(e.score)))
        .collect()
}

/// Below this many bits between a field's "same" and "similar" weights, the two count as one
/// level of agreement: the model fitted to the decisions tells them apart no better than a factor
/// of two in the odds, and a pair that only comes close on such a field (an address written a
/// little differently) is no weaker than one that agrees outright.
const SAME_AS_SIMILAR_BITS: f64 = 1.0;

/// How well each field agrees, in order, per level: different, missing (no evidence either
/// way), similar, same (or similar and same as one, see `SAME_AS_SIMILAR_BITS`).
struct Ranks(Vec<[usize; 3]>);

impl Ranks {
    fn of(model: &MatchModel) -> Ranks {
        Ranks(
            model
                .field_weights
                .iter()
                .map(|w| {
                    let same = if w[2] - w[1] < SAME_AS_SIMILAR_BITS {
                        2
                    } else {
                        3
                    };
                    [0, 2, same]
                })
                .collect(),
        )
    }

    fn rank(&self, field: usize, level: Option<usize>) -> usize {
        level.map_or(1, |l| self.0[field][l])
    }

    /// Whether pattern `a` agrees on every field at most as well as `b`.
    fn at_most(&self, a: &[Option<usize>], b: &[Option<usize>]) -> bool {
        a.len() == b.len()
            && a.len() == self.0.len()
            && a.iter()
                .zip(b)
                .enumerate()
                .all(|(f, (x, y))| self.rank(f, *x) <= self.rank(f, *y))
    }
}

impl Decisions {
    /// Records that a reviewer found `c` to be the match (`true`) or not.
    pub fn add(&mut self, c: &Candidate, is_match: bool) {
        self.decided.push((pattern(c), is_match));
    }

    /// Records that a reviewer's latest decision on this pair approved it, in any run on the
    /// same reference data: the same document meeting the same row again is that match.
    pub fn approved_pair(&mut self, document_id: &str, reference_row_id: &str) {
        let rows = self.approved.entry(document_id.to_owned()).or_default();
        if !rows.iter().any(|r| r == reference_row_id) {
            rows.push(reference_row_id.to_owned());
        }
    }

    /// How many decisions are recorded.
    pub fn len(&self) -> usize {
        self.decided.len()
    }

    pub fn is_empty(&self) -> bool {
        self.decided.is_empty()
    }

    /// How reviewers' decisions settle pairs like `c`: rejected when at least `SAME_DECISIONS`
    /// pairs that agree at least as well were rejected, approved when at least as many that agree
    /// at most as well were approved; `None` when neither holds, or both do (a contradiction a
    /// person must see). A few decisions the other way (at most one in `OUTVOTED`: a true match
    /// that looks like a relative, a relative that looks like the person) do not stop the rule
    /// when the model leans its way too; one such decision would otherwise keep a whole kind of
    /// result in the band.
    fn rule(&self, model: &MatchModel, c: &Candidate) -> Option<Ruling> {
        let p = pattern(c);
        if p.len() != model.field_weights.len() {
            return None;
        }
        let tally = |keep: &dyn Fn(&[Option<usize>]) -> bool, want: bool| {
            let mut t = Ruling {
                is_match: want,
                alike: 0,
                of: 0,
            };
            for (_, m) in self.decided.iter().filter(|(q, _)| keep(q)) {
                t.of += 1;
                t.alike += usize::from(*m == want);
            }
            t
        };
        let leans = probability(model, c) >= 0.5;
        let holds = |t: &Ruling| {
            let contrary = t.of - t.alike;
            t.alike >= SAME_DECISIONS
                && (contrary == 0 || (contrary * OUTVOTED <= t.alike && leans == t.is_match))
        };
        let ranks = Ranks::of(model);
        let reject = tally(&|q| ranks.at_most(&p, q), false);
        let approve = tally(&|q| ranks.at_most(q, &p), true);
        match (holds(&reject), holds(&approve)) {
            (true, false) => Some(reject),
            (false, true) => Some(approve),
            _ => None,
        }
    }
}

/// What reviewers' decisions say of a pair: `alike` of the `of` decisions that bear on it (all
/// that agree at least as well for a rejection, at most as well for an approval) went this way.
#[derive(Debug, Clone, Copy)]
struct Ruling {
    is_match: bool,
    alike: usize,
    of: usize,
}

impl Ruling {
    fn counted(&self) -> String {
        if self.alike == self.of {
            format!("all {}", self.of)
        } else {
            format!("{} of the {}", self.alike, self.of)
        }
    }
}

fn probability(model: &MatchModel, c: &Candidate) -> f64 {
    model.probability_of(&c.evidence)
}

/// Whether two of the pair's fields disagree only because their values were entered the other
/// way round (given name in the surname, the two address lines swapped): each field's document
/// value is the other field's reference value, or one typing slip from it ("mafy" for "mary"):
/// values entered by hand carry both mistakes at once. The model weighs each field alone and
/// reads such a pair as two disagreements, so nothing it or reviewers' patterns say rules the
/// pair out.
fn crosswise(c: &Candidate) -> bool {
    let key = |v: &str| v.trim().to_lowercase().chars().collect::<Vec<char>>();
    let differing: Vec<(Vec<char>, Vec<char>)> = c
        .evidence
        .iter()
        .filter(|e| !e.missing && super::model::level(e.score) == 0)
        .map(|e| (key(&e.source_value), key(&e.target_value)))
        .filter(|(d, r)| !d.is_empty() && !r.is_empty())
        .collect();
    differing.iter().enumerate().any(|(i, (d, r))| {
        differing[i + 1..]
            .iter()
            .any(|(d2, r2)| alike(d, r2) && alike(d2, r) && (d == r2 || d2 == r))
    })
}

/// The same value, or one typing slip apart when long enough that one slip leaves it
/// recognisable (four characters or more).
fn alike(a: &[char], b: &[char]) -> bool {
    a == b || (a.len().min(b.len()) >= 4 && crate::similarity::levenshtein_distance(a, b) <= 1)
}

/// Whether `c` can be set aside: not `crosswise`, and either reviewers' decisions reject pairs
/// like it or the model gives it at most `1 - CERTAINTY`.
fn ruled_out(model: &MatchModel, decisions: &Decisions, c: &Candidate) -> bool {
    !crosswise(c)
        && (decisions.rule(model, c).is_some_and(|r| !r.is_match)
            || probability(model, c) <= 1.0 - CERTAINTY)
}

/// The suggestion for `document_id`'s result with these candidates: the row a reviewer already
/// approved this document with, when exactly one candidate is such a row; else `suggest_with`.
pub fn suggest_for(
    model: &MatchModel,
    decisions: &Decisions,
    fields: &[String],
    document_id: &str,
    candidates: &[Candidate],
) -> Option<Suggestion> {
    let rows = decisions.approved.get(document_id);
    let mut approved = candidates.iter().filter(|c| {
        c.evidence.len() == model.field_weights.len()
            && rows.is_some_and(|rows| rows.contains(&c.reference_row_id))
    });
    match (approved.next(), approved.next()) {
        (Some(c), None) => Some(Suggestion {
            reference_row_id: Some(c.reference_row_id.clone()),
            status: ReviewStatus::Approved,
            probability: probability(model, c),
            reason: format!(
                "The match: a reviewer approved this document with this row in an earlier \
                 run ({}).",
                reason(model, fields, c)
            ),
        }),
        _ => suggest_with(model, decisions, fields, candidates),
    }
}

/// The suggestion for a result with these candidates (their evidence in the order of `fields`,
/// the model's), or `None` when neither reviewers' past decisions nor the model settle it:
/// reviewers' rule for the best candidate's pattern first, then the model when nearly certain.
pub fn suggest_with(
    model: &MatchModel,
    decisions: &Decisions,
    fields: &[String],
    candidates: &[Candidate],
) -> Option<Suggestion> {
    let best = candidates
        .iter()
        .filter(|c| c.evidence.len() == model.field_weights.len())
        .max_by(|a, b| {
            (probability(model, a).total_cmp(&probability(model, b)))
                .then_with(|| b.reference_row_id.cmp(&a.reference_row_id))
        })?;
    let p = probability(model, best);
    let Some(ruling) = decisions.rule(model, best) else {
        return suggest(model, fields, candidates);
    };
    let why = reason(model, fields, best);
    let n = ruling.counted();
    if ruling.is_match {
        // Another candidate that reviewers' decisions would approve as well: a person must choose.
        let rival = candidates.iter().any(|c| {
            c.reference_row_id != best.reference_row_id
                && decisions.rule(model, c).is_some_and(|r| r.is_match)
        });
        if rival {
            return None;
        }
        return Some(Suggestion {
            reference_row_id: Some(best.reference_row_id.clone()),
            status: ReviewStatus::Approved,
            probability: p,
            reason: format!(
                "The match: reviewers approved {n} results that agreed at most as well \
                 ({why})."
            ),
        });
    }
    // No candidate is the match only when every one is ruled out.
    if !candidates.iter().all(|c| ruled_out(model, decisions, c)) {
        return None;
    }
    Some(Suggestion {
        reference_row_id: None,
        status: ReviewStatus::Rejected,
        probability: p,
        reason: format!(
            "Not the match: reviewers rejected {n} results that agreed at least as well \
             ({why})."
        ),
    })
}

/// The suggestion for a result with these candidates (their evidence in the order of `fields`,
/// the model's), or `None` when the model is not sure either way.
pub fn suggest(
    model: &MatchModel,
    fields: &[String],
    candidates: &[Candidate],
) -> Option<Suggestion> {
    let scored: Vec<(f64, &Candidate)> = candidates
        .iter()
        .filter(|c| c.evidence.len() == model.field_weights.len())
        .map(|c| (probability(model, c), c))
        .collect();
    let (best_p, best) = scored.iter().copied().max_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then_with(|| b.1.reference_row_id.cmp(&a.1.reference_row_id))
    })?;
    let unlikely = |(p, c): &(f64, &Candidate)| *p <= 1.0 - CERTAINTY && !crosswise(c);
    let others_unlikely = scored
        .iter()
        .filter(|(_, c)| c.reference_row_id != best.reference_row_id)
        .all(unlikely);
    if best_p >= CERTAINTY && others_unlikely {
        Some(Suggestion {
            reference_row_id: Some(best.reference_row_id.clone()),
            status: ReviewStatus::Approved,
            probability: best_p,
            reason: format!(
                "Match probability {:.1} %: {}.",
                best_p * 100.0,
                reason(model, fields, best)
            ),
        })
    } else if scored.iter().all(unlikely) {
        Some(Suggestion {
            reference_row_id: None,
            status: ReviewStatus::Rejected,
            probability: best_p,
            reason: format!(
                "No candidate is likely: the best has a match probability of {:.1} % ({}).",
                best_p * 100.0,
                reason(model, fields, best)
            ),
        })
    } else {
        None
    }
}

/// The three fields that moved the odds most, with their level and weight in bits.
fn reason(model: &MatchModel, fields: &[String], c: &Candidate) -> String {
    let mut moved: Vec<(f64, String)> = c
        .evidence
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.missing)
        .map(|(f, e)| {
            let w = model.weight_with_rarity(f, e.score, e.rarity);
            let name = fields.get(f).map_or("?", String::as_str);
            let level = LEVEL_NAMES[super::model::level(e.score)];
            // A shared value's rarity moved the weight: say so, as the waterfall does.
            let weighed = w != model.match_weight(f, e.score);
            let rarity = match e.rarity.filter(|r| weighed && r.abs() >= 1.0) {
                Some(r) if r > 0.0 => ", a rare value",
                Some(_) => ", a common value",
                None => "",
            };
            (w, format!("{name} {level}{rarity} ({w:+.1})"))
        })
        .collect();
    moved.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    moved
        .into_iter()
        .take(3)
        .map(|m| m.1)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::{FieldEvidence, Strategy};

    fn model() -> MatchModel {
        MatchModel {
            prior_log2_odds: -12.0,
            field_weights: vec![[-6.0, 3.0, 10.0], [-4.0, 1.0, 8.0]],
            rarity_weights: Vec::new(),
            threshold: 0.9,
            review_floor: 0.1,
            search_threshold: 0.8,
            search_review_floor: 0.5,
        }
    }

    fn candidate(row: &str, scores: [Option<f64>; 2]) -> Candidate {
        Candidate {
            rank: 1,
            reference_row_id: row.into(),
            confidence: 0.7,
            evidence: scores
                .iter()
                .map(|s| FieldEvidence {
                    source: Arc::from("a"),
                    target: Arc::from("b"),
                    strategy: Strategy::Fuzzy,
                    weight: 0.5,
                    score: s.unwrap_or(0.0),
                    source_value: Arc::default(),
                    target_value: String::new(),
                    missing: s.is_none(),
                    match_weight: None,
                    rarity: None,
                    note: None,
                })
                .collect(),
        }
    }

    fn fields() -> Vec<String> {
        vec!["surname".into(), "birth".into()]
    }

    #[test]
    fn a_sure_match_is_suggested_with_the_fields_that_made_it() {
        // -12 + 10 + 8 = 6 bits: 98.5 %.
        let s = suggest(
            &model(),
            &fields(),
            &[
                candidate("r1", [Some(1.0), Some(1.0)]),
                candidate("r2", [Some(0.0), Some(0.0)]),
            ],
        )
        .unwrap();
        assert_eq!(
            (s.status, s.reference_row_id.as_deref()),
            (ReviewStatus::Approved, Some("r1"))
        );
        assert!(s.reason.contains("surname same (+10.0)"), "{}", s.reason);
        // A rare shared surname that the model weighs is named as such, with its weight.
        let with_rarity = MatchModel {
            rarity_weights: vec![0.5, 0.0],
            ..model()
        };
        let mut rare = candidate("r1", [Some(1.0), Some(1.0)]);
        rare.evidence[0].rarity = Some(3.0);
        rare.evidence[1].rarity = Some(3.0);
        let s = suggest(&with_rarity, &fields(), &[rare]).unwrap();
        assert!(
            s.reason.contains("surname same, a rare value (+11.5)")
                && s.reason.contains("birth same (+8.0)"),
            "{}",
            s.reason
        );
    }

    #[test]
    fn no_suggestion_while_unsure_and_a_rejection_when_nothing_is_likely() {
        // -12 + 10 + 1 = -1 bit: a third, unsure.
        assert!(suggest(
            &model(),
            &fields(),
            &[candidate("r1", [Some(1.0), Some(0.9)])]
        )
        .is_none());
        // Two sure candidates: the model cannot tell them apart, a person must.
        let two = [
            candidate("r1", [Some(1.0), Some(1.0)]),
            candidate("r2", [Some(1.0), Some(1.0)]),
        ];
        assert!(suggest(&model(), &fields(), &two).is_none());
        let s = suggest(&model(), &fields(), &[candidate("r1", [Some(0.9), None])]).unwrap();
        assert_eq!(
            (s.status, s.reference_row_id),
            (ReviewStatus::Rejected, None)
        );
    }

    #[test]
    fn reviewers_decide_what_agrees_no_better_than_what_they_always_rejected() {
        let mut d = Decisions::default();
        // Relatives: the surname agrees, the birth date does not. Always rejected.
        for i in 0..5 {
            d.add(&candidate(&format!("x{i}"), [Some(1.0), Some(0.0)]), false);
        }
        let weaker = [candidate("r1", [Some(0.9), Some(0.0)])];
        let s = suggest_with(&model(), &d, &fields(), &weaker).unwrap();
        assert_eq!(s.status, ReviewStatus::Rejected);
        assert!(s.reason.contains("rejected all 5"), "{}", s.reason);
        // A pair that agrees better on a field than any rejected one is not theirs to decide.
        let stronger = [candidate("r1", [Some(1.0), Some(0.9)])];
        assert!(suggest_with(&model(), &d, &fields(), &stronger).is_none());
        // Nor is a result whose other candidate might still be the match (here 20 %).
        let likelier = MatchModel {
            prior_log2_odds: -6.0,
            ..model()
        };
        let two = [
            candidate("r1", [Some(1.0), Some(0.0)]),
            candidate("r2", [Some(0.9), Some(0.9)]),
        ];
        assert!(suggest_with(&likelier, &d, &fields(), &two).is_none());
        // Unless it is unlikely too.
        let s = suggest_with(&model(), &d, &fields(), &two).unwrap();
        assert_eq!(s.status, ReviewStatus::Rejected);
        // One approval among them: reviewers no longer settle it; the model does (-13 bits).
        d.add(&candidate("y", [Some(1.0), Some(0.0)]), true);
        let s = suggest_with(&model(), &d, &fields(), &weaker).unwrap();
        assert!(
            s.reason.starts_with("No candidate is likely"),
            "{}",
            s.reason
        );
    }

    #[test]
    fn a_pair_agreeing_on_fewer_fields_is_weaker_whatever_weights_a_refit_gave() {
        // A refit on labels can give a field that agrees less than one that does not, when
        // correlated fields already said it (here the birth date: "same" -1, "different" 0.5).
        let refit = MatchModel {
            field_weights: vec![[-6.0, 3.0, 10.0], [0.5, 1.0, -1.0]],
            ..model()
        };
        let mut d = Decisions::default();
        for i in 0..5 {
            d.add(&candidate(&format!("x{i}"), [Some(1.0), Some(1.0)]), false);
        }
        // Agrees on the surname only: weaker than the rejected pairs, which agree on both.
        let s = suggest_with(
            &refit,
            &d,
            &fields(),
            &[candidate("r1", [Some(1.0), Some(0.0)])],
        )
        .unwrap();
        assert_eq!(s.status, ReviewStatus::Rejected);
        // A missing birth date is no better than one that agrees, and no worse than one that
        // does not: rejections of pairs that disagree do not reach it.
        let missing = [candidate("r1", [Some(1.0), None])];
        assert_eq!(
            suggest_with(&refit, &d, &fields(), &missing).map(|s| s.status),
            Some(ReviewStatus::Rejected)
        );
        let mut disagreeing = Decisions::default();
        for i in 0..5 {
            disagreeing.add(&candidate(&format!("x{i}"), [Some(1.0), Some(0.0)]), false);
        }
        assert!(decided_by(&refit, &disagreeing, &missing[0]).is_none());
    }

    fn decided_by(model: &MatchModel, d: &Decisions, c: &Candidate) -> Option<bool> {
        d.rule(model, c).map(|r| r.is_match)
    }

    #[test]
    fn reviewers_approve_what_agrees_at_least_as_well_as_what_they_always_approved() {
        let mut d = Decisions::default();
        for i in 0..5 {
            d.add(&candidate(&format!("x{i}"), [Some(1.0), Some(0.9)]), true);
        }
        let s = suggest_with(
            &model(),
            &d,
            &fields(),
            &[candidate("r1", [Some(1.0), Some(0.9)])],
        )
        .unwrap();
        assert_eq!(
            (s.status, s.reference_row_id.as_deref()),
            (ReviewStatus::Approved, Some("r1"))
        );
        // Two candidates both as good: a person chooses.
        let two = [
            candidate("r1", [Some(1.0), Some(0.9)]),
            candidate("r2", [Some(1.0), Some(0.95)]),
        ];
        assert!(suggest_with(&model(), &d, &fields(), &two).is_none());
        // Four decisions are not enough.
        let mut few = Decisions::default();
        for i in 0..4 {
            few.add(&candidate(&format!("x{i}"), [Some(1.0), Some(0.9)]), true);
        }
        assert!(suggest_with(
            &model(),
            &few,
            &fields(),
            &[candidate("r1", [Some(1.0), Some(0.9)])]
        )
        .is_none());
    }

    #[test]
    fn names_entered_the_other_way_round_are_never_ruled_out() {
        let with_values = |values: [(&str, &str); 2]| {
            let mut c = candidate("r1", [Some(0.0), Some(0.0)]);
            for (e, (d, r)) in c.evidence.iter_mut().zip(values) {
                e.source_value = d.into();
                e.target_value = r.into();
            }
            c
        };
        let strangers = with_values([("ma", "smith"), ("joshua", "anna")]);
        let swapped = with_values([("ma", "Joshua "), ("joshua", "ma")]);
        // -12 - 6 - 4: the model is sure neither is the match.
        let s = suggest(&model(), &fields(), std::slice::from_ref(&strangers)).unwrap();
        assert_eq!(s.status, ReviewStatus::Rejected);
        assert!(suggest(&model(), &fields(), std::slice::from_ref(&swapped)).is_none());
        // Nor do reviewers' rejections of pairs that disagree on both fields rule it out.
        let mut d = Decisions::default();
        for _ in 0..5 {
            d.add(&strangers, false);
        }
        assert_eq!(decided_by(&model(), &d, &swapped), Some(false));
        assert!(suggest_with(&model(), &d, &fields(), std::slice::from_ref(&swapped)).is_none());
        // A sure match beside a swapped candidate is left to a person too.
        let sure = candidate("r2", [Some(1.0), Some(1.0)]);
        assert!(suggest(&model(), &fields(), &[sure.clone(), strangers]).is_some());
        assert!(suggest(&model(), &fields(), &[sure, swapped]).is_none());
        // Swapped with a typing slip in one of them ("mafy" for "mary") is still swapped; two
        // slips, or a slip in a short value, make strangers.
        let slipped = with_values([("mafy", "wilson"), ("wilson", "mary")]);
        assert!(suggest(&model(), &fields(), std::slice::from_ref(&slipped)).is_none());
        for (a, b) in [
            [("mafy", "wilsen"), ("wilson", "mary")],
            [("mo", "wilson"), ("wilson", "ma")],
        ]
        .map(|[x, y]| (x, y))
        {
            let c = with_values([a, b]);
            let s = suggest(&model(), &fields(), std::slice::from_ref(&c)).unwrap();
            assert_eq!(s.status, ReviewStatus::Rejected, "{a:?} {b:?}");
        }
    }

    #[test]
    fn a_pair_a_reviewer_approved_before_is_suggested_again_whatever_the_model_says() {
        let mut d = Decisions::default();
        d.approved_pair("doc-1", "r2");
        // -12 - 6 - 4: the model alone would reject both.
        let candidates = [
            candidate("r1", [Some(0.0), Some(0.0)]),
            candidate("r2", [Some(0.0), Some(0.0)]),
        ];
        let s = suggest_for(&model(), &d, &fields(), "doc-1", &candidates).unwrap();
        assert_eq!(
            (s.status, s.reference_row_id.as_deref()),
            (ReviewStatus::Approved, Some("r2"))
        );
        assert!(s.reason.contains("approved this document"), "{}", s.reason);
        // Another document meeting the same row is not that match.
        let other = suggest_for(&model(), &d, &fields(), "doc-2", &candidates).unwrap();
        assert_eq!(other.status, ReviewStatus::Rejected);
        // Two rows approved with the document before: a person chooses.
        d.approved_pair("doc-1", "r1");
        let two = suggest_for(&model(), &d, &fields(), "doc-1", &candidates).unwrap();
        assert_eq!(two.status, ReviewStatus::Rejected);
    }
}
