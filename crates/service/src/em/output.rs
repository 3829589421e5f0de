//! A pipeline run's output (spec B.8.3) written as JSON straight from the run's entities: a run
//! of 100k sources answers 100k matches that each carry their source and target whole, and
//! copying those into `Value`s first would cost as much as writing them.

use engine::em::rules::{GeneratedRule, Rule, SuggestedRule};
use serde::Serialize;
use serde_json::Value;

use super::entities::{EmEntity, MatchField};

/// Per source, its match: (target, matchType, score).
pub(super) type Chosen = [Option<(usize, &'static str, f64)>];

/// The run's entities and how each source was matched.
pub(super) struct Found<'a> {
    pub sources: &'a [EmEntity],
    pub targets: &'a [EmEntity],
    pub chosen: &'a Chosen,
}

/// `RunOutput` as JSON; `rules` are the generated rules with the match field they read, and
/// the same rules in the older suggested shape.
pub(super) fn write(
    found: &Found,
    rules: Option<(&[GeneratedRule], &MatchField, &[SuggestedRule])>,
    errors: &[String],
) -> serde_json::Result<String> {
    let matches = found
        .chosen
        .iter()
        .enumerate()
        .filter_map(|(s, c)| {
            c.map(|(t, match_type, score)| MatchOf {
                match_type,
                score,
                source: &found.sources[s],
                target: &found.targets[t],
            })
        })
        .collect();
    let (generated_rules, suggested_rules) = match rules {
        Some((generated, field, suggested)) => (
            generated.iter().map(|g| rule_of(g, field, found)).collect(),
            suggested,
        ),
        None => (Vec::new(), &[][..]),
    };
    serde_json::to_string(&OutputOf {
        matches,
        suggested_rules,
        generated_rules,
        errors,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutputOf<'a> {
    matches: Vec<MatchOf<'a>>,
    suggested_rules: &'a [SuggestedRule],
    generated_rules: Vec<RuleOf<'a>>,
    errors: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatchOf<'a> {
    match_type: &'static str,
    score: f64,
    source: &'a EmEntity,
    target: &'a EmEntity,
}

/// A generated rule as spec B.8.3 shows it: the rule, and each pair it makes with how the run
/// matched that source (`existingMatchType`) and whether the rule agrees (`consistentMatch`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOf<'a> {
    #[serde(flatten)]
    rule: &'a Rule,
    matches: Vec<RuleMatchOf<'a>>,
    num_conflicts: usize,
    num_overlaps: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleMatchOf<'a> {
    source_key_field: &'a str,
    target_key_field: &'a str,
    source: ReferenceOf<'a>,
    target: ReferenceOf<'a>,
    existing_match_type: &'static str,
    consistent_match: bool,
}

/// An entity named by its ids only.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceOf<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a Value>,
}

impl<'a> ReferenceOf<'a> {
    fn new(entity: &'a EmEntity) -> ReferenceOf<'a> {
        ReferenceOf {
            id: entity.get("id"),
            external_id: entity.get("externalId"),
        }
    }
}

fn rule_of<'a>(g: &'a GeneratedRule, field: &'a MatchField, found: &Found<'a>) -> RuleOf<'a> {
    let matches = g
        .matches
        .iter()
        .map(|&(s, t)| {
            let existing = found.chosen[s];
            RuleMatchOf {
                source_key_field: &field.source,
                target_key_field: &field.target,
                source: ReferenceOf::new(&found.sources[s]),
                target: ReferenceOf::new(&found.targets[t]),
                existing_match_type: existing.map_or("none", |c| c.1),
                consistent_match: existing.is_some_and(|c| c.0 == t),
            }
        })
        .collect();
    RuleOf {
        rule: &g.rule,
        matches,
        num_conflicts: g.num_conflicts,
        num_overlaps: g.num_overlaps,
    }
}
