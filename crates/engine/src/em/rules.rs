//! Regex match rules of entity-matching pipelines (spec B.8, B.9): checking and compiling the
//! rules a pipeline holds, applying them to sources and targets, and (in `generate`) writing new
//! rules from matched pairs.
//!
//! Semantics, where the spec leaves them open:
//! - An extractor's pattern is searched for in its field (leftmost match, as `Regex::captures`);
//!   a pattern that must cover the whole value says so with `^` and `$`, as generated ones do.
//!   An entity without the field, or whose field the pattern does not match, matches nothing.
//! - Group index `g` of a condition argument is capture group `g + 1` (0 is the first group).
//!   A condition may name more than two groups; one naming groups of one side only filters
//!   that side.
//! - An `equals` condition holds when every group it names took part in the match and all their
//!   texts are equal **ignoring case** (Unicode lower case). Tags and names are written in either
//!   case by different systems (`kkl_21pt1019.pv`), and a rule that told them apart would make
//!   a reviewer write one rule per spelling; patterns still see the case as written.
//! - A rule matches a source to every target it pairs it with. A rule that pairs a source with
//!   two or more targets is ambiguous for that source and gives it nothing; the next rule by
//!   priority (lower number first, then list order) is tried.
//! - Reading a rule ignores fields it does not know, such as the output-only `matches`,
//!   `numConflicts` and `numOverlaps` of a generated rule fed back in.

mod generate;
#[cfg(test)]
mod tests;

pub use self::generate::{generate, suggest, GeneratedRule, SuggestedRule};

use std::collections::BTreeMap;

use rayon::prelude::*;
use regex::{CaptureLocations, Regex};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An entity's string fields by name (what rules read).
pub type Fields = BTreeMap<String, String>;

/// The `entitySet` of an extractor that reads sources.
pub const SOURCES: &str = "sources";
/// The `entitySet` of an extractor that reads targets.
pub const TARGETS: &str = "targets";
/// The only `extractorType`.
pub const REGEX: &str = "regex";
/// The only `conditionType`.
pub const EQUALS: &str = "equals";

/// A match rule (spec B.9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    #[serde(default)]
    pub priority: i64,
    pub extractors: Vec<Extractor>,
    pub conditions: Vec<Condition>,
}

/// What a rule reads from one side: a regex over one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extractor {
    /// `"sources"` or `"targets"`.
    pub entity_set: String,
    /// `"regex"`.
    pub extractor_type: String,
    pub field: String,
    pub pattern: String,
}

/// A test on captured groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `"equals"`.
    pub condition_type: String,
    /// `[extractorIndex, groupIndex]` pairs; group 0 is the first capture group.
    pub arguments: Vec<[usize; 2]>,
}

/// Why a rule cannot be used; `rule` is its index in the list given to `compile`.
#[derive(Debug, Error)]
pub enum RuleError {
    #[error("rules[{rule}].extractors[{extractor}]: invalid regex {pattern:?}: {message}")]
    BadRegex {
        rule: usize,
        extractor: usize,
        pattern: String,
        message: String,
    },
    #[error(
        "rules[{rule}].extractors[{extractor}]: unknown entitySet {value:?} (expected \"sources\" or \"targets\")"
    )]
    UnknownEntitySet {
        rule: usize,
        extractor: usize,
        value: String,
    },
    #[error(
        "rules[{rule}].extractors[{extractor}]: unknown extractorType {value:?} (expected \"regex\")"
    )]
    UnknownExtractorType {
        rule: usize,
        extractor: usize,
        value: String,
    },
    #[error(
        "rules[{rule}]: needs exactly one \"sources\" and one \"targets\" extractor, has {sources} and {targets}"
    )]
    ExtractorSets {
        rule: usize,
        sources: usize,
        targets: usize,
    },
    #[error(
        "rules[{rule}].conditions[{condition}]: unknown conditionType {value:?} (expected \"equals\")"
    )]
    UnknownConditionType {
        rule: usize,
        condition: usize,
        value: String,
    },
    #[error(
        "rules[{rule}].conditions[{condition}]: an equals condition needs at least two arguments, has {count}"
    )]
    TooFewArguments {
        rule: usize,
        condition: usize,
        count: usize,
    },
    #[error(
        "rules[{rule}].conditions[{condition}].arguments[{argument}]: no extractor {extractor} (the rule has {extractors})"
    )]
    NoSuchExtractor {
        rule: usize,
        condition: usize,
        argument: usize,
        extractor: usize,
        extractors: usize,
    },
    #[error(
        "rules[{rule}].conditions[{condition}].arguments[{argument}]: no group {group} in extractor {extractor}, whose pattern has {groups} capture group(s)"
    )]
    NoSuchGroup {
        rule: usize,
        condition: usize,
        argument: usize,
        extractor: usize,
        group: usize,
        groups: usize,
    },
}

/// One side of a compiled rule: the key it gives an entity is the text of its `key_groups`
/// (one per condition that links the two sides), after its own `checks` hold.
#[derive(Debug, Clone)]
struct Side {
    field: String,
    regex: Regex,
    /// Regex group numbers (1-based) whose texts make the key, in condition order.
    key_groups: Vec<usize>,
    /// Groups of this side that a condition requires equal among themselves.
    checks: Vec<Vec<usize>>,
}

#[derive(Debug, Clone)]
struct CompiledRule {
    priority: i64,
    source: Side,
    target: Side,
}

/// Rules ready to apply: checked, regexes compiled once.
#[derive(Debug, Clone)]
pub struct CompiledRules {
    rules: Vec<CompiledRule>,
    /// Rule indices by priority, then list order.
    order: Vec<usize>,
}

/// Checks and compiles rules (regexes compiled once).
pub fn compile(rules: &[Rule]) -> Result<CompiledRules, RuleError> {
    let compiled = rules
        .iter()
        .enumerate()
        .map(|(i, r)| compile_rule(i, r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut order: Vec<usize> = (0..compiled.len()).collect();
    order.sort_by_key(|&i| (compiled[i].priority, i));
    Ok(CompiledRules {
        rules: compiled,
        order,
    })
}

fn compile_rule(index: usize, rule: &Rule) -> Result<CompiledRule, RuleError> {
    let mut regexes = Vec::with_capacity(rule.extractors.len());
    let (mut sources, mut targets) = (Vec::new(), Vec::new());
    for (e, extractor) in rule.extractors.iter().enumerate() {
        match extractor.entity_set.as_str() {
            SOURCES => sources.push(e),
            TARGETS => targets.push(e),
            other => {
                return Err(RuleError::UnknownEntitySet {
                    rule: index,
                    extractor: e,
                    value: other.to_owned(),
                })
            }
        }
        if extractor.extractor_type != REGEX {
            return Err(RuleError::UnknownExtractorType {
                rule: index,
                extractor: e,
                value: extractor.extractor_type.clone(),
            });
        }
        regexes.push(
            Regex::new(&extractor.pattern).map_err(|err| RuleError::BadRegex {
                rule: index,
                extractor: e,
                pattern: extractor.pattern.clone(),
                message: err.to_string(),
            })?,
        );
    }
    let (&[s], &[t]) = (sources.as_slice(), targets.as_slice()) else {
        return Err(RuleError::ExtractorSets {
            rule: index,
            sources: sources.len(),
            targets: targets.len(),
        });
    };
    let mut source = side(&rule.extractors[s], &regexes[s]);
    let mut target = side(&rule.extractors[t], &regexes[t]);
    for (c, condition) in rule.conditions.iter().enumerate() {
        let (on_source, on_target) = condition_groups(index, c, condition, &regexes, s)?;
        // A condition on one side only filters that side; one on both also links them.
        if let (Some(&a), Some(&b)) = (on_source.first(), on_target.first()) {
            source.key_groups.push(a);
            target.key_groups.push(b);
        }
        for (groups, side) in [(on_source, &mut source), (on_target, &mut target)] {
            if groups.len() > 1 {
                side.checks.push(groups);
            }
        }
    }
    Ok(CompiledRule {
        priority: rule.priority,
        source,
        target,
    })
}

fn side(extractor: &Extractor, regex: &Regex) -> Side {
    Side {
        field: extractor.field.clone(),
        regex: regex.clone(),
        key_groups: Vec::new(),
        checks: Vec::new(),
    }
}

/// The regex group numbers a condition names on the source side and on the target side.
fn condition_groups(
    rule: usize,
    c: usize,
    condition: &Condition,
    regexes: &[Regex],
    source: usize,
) -> Result<(Vec<usize>, Vec<usize>), RuleError> {
    if condition.condition_type != EQUALS {
        return Err(RuleError::UnknownConditionType {
            rule,
            condition: c,
            value: condition.condition_type.clone(),
        });
    }
    if condition.arguments.len() < 2 {
        return Err(RuleError::TooFewArguments {
            rule,
            condition: c,
            count: condition.arguments.len(),
        });
    }
    let (mut on_source, mut on_target) = (Vec::new(), Vec::new());
    for (a, &[extractor, group]) in condition.arguments.iter().enumerate() {
        let Some(regex) = regexes.get(extractor) else {
            return Err(RuleError::NoSuchExtractor {
                rule,
                condition: c,
                argument: a,
                extractor,
                extractors: regexes.len(),
            });
        };
        // Group 0 of the regex is the whole match, which the spec's indices skip.
        let groups = regex.captures_len() - 1;
        if group >= groups {
            return Err(RuleError::NoSuchGroup {
                rule,
                condition: c,
                argument: a,
                extractor,
                group,
                groups,
            });
        }
        let side = if extractor == source {
            &mut on_source
        } else {
            &mut on_target
        };
        side.push(group + 1);
    }
    Ok((on_source, on_target))
}

/// Appends `text` lower-cased, length-prefixed so that no two group lists share a key.
fn push_part(key: &mut String, text: &str) {
    let lower;
    let text = if text.is_ascii() {
        if !text.bytes().any(|b| b.is_ascii_uppercase()) {
            text
        } else {
            lower = text.to_ascii_lowercase();
            &lower
        }
    } else {
        lower = text.to_lowercase();
        &lower
    };
    key.push_str(&text.len().to_string());
    key.push(':');
    key.push_str(text);
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

impl Side {
    /// The key of an entity on this side, or `None` when it does not match.
    fn key(&self, entity: &Fields, locations: &mut CaptureLocations) -> Option<String> {
        let value = entity.get(&self.field)?;
        self.regex.captures_read(locations, value)?;
        let group = |g: usize| locations.get(g).map(|(a, b)| &value[a..b]);
        for check in &self.checks {
            let first = group(check[0])?;
            for &g in &check[1..] {
                if !same_ignoring_case(first, group(g)?) {
                    return None;
                }
            }
        }
        let mut key = String::new();
        for &g in &self.key_groups {
            push_part(&mut key, group(g)?);
        }
        Some(key)
    }

    /// Keys of all `entities`, in parallel (order kept).
    fn keys(&self, entities: &[Fields]) -> Vec<Option<String>> {
        entities
            .par_iter()
            .map_init(
                || self.regex.capture_locations(),
                |locations, e| self.key(e, locations),
            )
            .collect()
    }
}

/// Targets by key.
struct TargetIndex<'a> {
    buckets: FxHashMap<&'a str, Vec<usize>>,
}

impl<'a> TargetIndex<'a> {
    fn new(keys: &'a [Option<String>]) -> TargetIndex<'a> {
        let mut buckets: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (t, key) in keys.iter().enumerate() {
            if let Some(key) = key {
                buckets.entry(key.as_str()).or_default().push(t);
            }
        }
        TargetIndex { buckets }
    }

    /// The targets a source with `key` is paired with, in index order.
    fn get(&self, key: &Option<String>) -> &[usize] {
        key.as_deref()
            .and_then(|k| self.buckets.get(k))
            .map_or(&[], Vec::as_slice)
    }
}

impl CompiledRule {
    /// Every (source, target) pair the rule makes, by source then target.
    fn pairs(&self, sources: &[Fields], targets: &[Fields]) -> Vec<(usize, usize)> {
        let target_keys = self.target.keys(targets);
        let index = TargetIndex::new(&target_keys);
        let source_keys = self.source.keys(sources);
        source_keys
            .iter()
            .enumerate()
            .flat_map(|(s, key)| index.get(key).iter().map(move |&t| (s, t)))
            .collect()
    }
}

impl CompiledRules {
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// For each source (in order): the target the rules match it to and the index of the rule
    /// that did, or `None`. Rules are tried by priority (lower first, then list order); a rule
    /// that pairs a source with several targets is skipped for that source.
    pub fn apply(&self, sources: &[Fields], targets: &[Fields]) -> Vec<Option<(usize, usize)>> {
        let mut out: Vec<Option<(usize, usize)>> = vec![None; sources.len()];
        for &r in &self.order {
            let pending: Vec<usize> = (0..sources.len()).filter(|&s| out[s].is_none()).collect();
            if pending.is_empty() {
                break;
            }
            let rule = &self.rules[r];
            let target_keys = rule.target.keys(targets);
            let index = TargetIndex::new(&target_keys);
            let found: Vec<Option<usize>> = pending
                .par_iter()
                .map_init(
                    || rule.source.regex.capture_locations(),
                    |locations, &s| match index.get(&rule.source.key(&sources[s], locations)) {
                        &[t] => Some(t),
                        _ => None,
                    },
                )
                .collect();
            for (&s, t) in pending.iter().zip(found) {
                out[s] = t.map(|t| (t, r));
            }
        }
        out
    }

    /// Every (source, target) pair rule `rule` makes on its own, ambiguous ones included, by
    /// source then target.
    ///
    /// # Panics
    /// When `rule` is not below `len()`.
    pub fn pairs_of(
        &self,
        rule: usize,
        sources: &[Fields],
        targets: &[Fields],
    ) -> Vec<(usize, usize)> {
        self.rules[rule].pairs(sources, targets)
    }
}

/// Whether two rules say the same, priority aside; the order of conditions and of a condition's
/// arguments does not matter.
pub fn same_rule(a: &Rule, b: &Rule) -> bool {
    fn conditions(r: &Rule) -> Vec<(&str, Vec<[usize; 2]>)> {
        let mut out: Vec<_> = r
            .conditions
            .iter()
            .map(|c| {
                let mut args = c.arguments.clone();
                args.sort_unstable();
                (c.condition_type.as_str(), args)
            })
            .collect();
        out.sort();
        out
    }
    a.extractors == b.extractors && conditions(a) == conditions(b)
}
