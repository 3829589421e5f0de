//! Rule generation (spec B.8.3 `generatedRules`, older `suggestedRules`): regex rules written
//! from matched pairs, each with the evidence a reviewer needs to accept or reject it.
//!
//! A value is cut into runs of letters, of digits and of other characters (separators). The
//! target's letter and digit runs, found in order in the source (ignoring case, and leading zeros
//! of digits), become capture groups joined by `equals` conditions. A pair whose target has a
//! letter or digit run the source lacks (a typo, an abbreviation) shows no relation a regex
//! could generalise and is left out. Pairs are grouped by the *shape* this gives; each group with
//! enough pairs becomes one rule, anchored (`^…$`) on both sides:
//! - captured digit runs are written `0*([0-9]+)` on both sides, so that `23FIC42`, `23FIC0042`
//!   and `023FIC042` all give `23`, `FIC`, `42`;
//! - what is set off from the tag by a separator, before or after it (site codes `KKL_`,
//!   attributes `.PV`, `/PV.CV`), is free text: `(?:.*[^A-Za-z0-9])?` and `(?:[^A-Za-z0-9].*)?`,
//!   present or not;
//! - between two captured runs of different classes, a separator is optional:
//!   `[^A-Za-z0-9]*`, so `21-PT-1019`, `21_PT_1019` and `21PT1019` share a rule;
//! - runs attached to the tag that the target lacks (the area letter of `U21PT1019`) keep their
//!   class (`[A-Za-z]+`), and other separators are `[^A-Za-z0-9]+`;
//! - target separators are literals (asset names follow one convention).
//!
//! Why so general: the captured runs alone choose the target, so whatever varies around them
//! (site, attribute, separators, padding) costs no precision, and a rule made from 200 pairs then
//! covers the spellings the sample did not show. What must not be generalised is what tells
//! targets apart: a letter attached to the tag (`21PT1019A` is not `21PT1019`) keeps the shape
//! apart. A source whose captures name two targets (a tag copied at a sister site) is ambiguous
//! and left to the next rule by `apply`.
//!
//! When the general rule of a group was rejected, each free part that is the same text in every
//! pair of the group is written as that text (`^KKL_…\.PV$`): a narrower rule a reviewer may
//! still accept.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{
    compile_rule, same_rule, Condition, Extractor, Fields, Rule, EQUALS, REGEX, SOURCES, TARGETS,
};

/// Shapes turned into rules at most, the largest groups first. Each candidate is applied to all
/// the data (about 50 ms at 100,000 x 100,000), and a reviewer cannot judge hundreds of rules:
/// messy values (free text) can have that many shapes with two pairs each.
const MAX_CANDIDATES: usize = 100;

/// A generated rule with its evidence (spec B.8.3 generatedRules).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedRule {
    #[serde(flatten)]
    pub rule: Rule,
    /// Every (source, target) pair the rule makes on all sources and targets, ambiguous ones
    /// included, by source then target.
    pub matches: Vec<(usize, usize)>,
    /// Sources the rule pairs with two or more targets, or with a target other than the input
    /// pairs give for them.
    pub num_conflicts: usize,
    /// Sources the rule pairs with some target that another generated rule also pairs.
    pub num_overlaps: usize,
    /// Indices into the input pairs of those the rule was generated from and re-matches (each
    /// to its own target and no other).
    #[serde(skip)]
    pub support: Vec<usize>,
    /// The target as a readable template of the source's groups (`\1\2\3`), for `suggest`.
    #[serde(skip)]
    pub predict_pattern: String,
}

/// A rule in the older `suggestedRules` shape (spec B.8.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestedRule {
    /// The source pattern.
    pub input_pattern: String,
    /// The target written from the source's groups: `\1` is the first group; classes stand for
    /// runs the source does not give.
    pub predict_pattern: String,
    /// Input pairs the rule explains (`match_index.len()`).
    pub num_matches: usize,
    /// Mean score of those pairs; 0 when there are none.
    pub avg_score: f64,
    /// Their indices into the pairs `generate` was given.
    pub match_index: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Class {
    Letters,
    Digits,
    Other,
}

/// Digits are ASCII only and letters are what `char::is_alphabetic` says, as the entity
/// matcher's tokens.
fn class(c: char) -> Class {
    if c.is_ascii_digit() {
        Class::Digits
    } else if c.is_alphabetic() {
        Class::Letters
    } else {
        Class::Other
    }
}

#[derive(Debug, Clone, Copy)]
struct Run<'a> {
    text: &'a str,
    class: Class,
    /// Byte offset in the value.
    start: usize,
}

/// Maximal runs of one class; together they are the whole value.
fn runs(value: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(first) = value[start..].chars().next() {
        let c = class(first);
        let rest = &value[start..];
        let len = rest.find(|ch: char| class(ch) != c).unwrap_or(rest.len());
        out.push(Run {
            text: &rest[..len],
            class: c,
            start,
        });
        start += len;
    }
    out
}

fn strip_zeros(digits: &str) -> &str {
    let stripped = digits.trim_start_matches('0');
    if stripped.is_empty() {
        &digits[digits.len().saturating_sub(1)..]
    } else {
        stripped
    }
}

/// Whether a source run reads as a target run: same class and text, ignoring case, and leading
/// zeros of digits.
fn same_run(a: &Run, b: &Run) -> bool {
    a.class == b.class
        && match a.class {
            Class::Digits => strip_zeros(a.text) == strip_zeros(b.text),
            _ => super::same_ignoring_case(a.text, b.text),
        }
}

/// For each letter or digit run of the target, in order, the source run it is found at (the
/// earliest after the previous one); `None` when one is missing.
fn align(source: &[Run], target: &[Run]) -> Option<Vec<usize>> {
    let mut at = 0;
    let mut out = Vec::new();
    for t in target.iter().filter(|r| r.class != Class::Other) {
        let found = at + source[at..].iter().position(|s| same_run(s, t))?;
        out.push(found);
        at = found + 1;
    }
    Some(out)
}

/// One piece of a generated pattern; capture groups are numbered by their order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Token {
    Capture(Class),
    /// A run the target lacks, attached to the tag: its class.
    Free(Class),
    /// Whatever precedes the tag up to a separator, or nothing: `(?:.*[^A-Za-z0-9])?`.
    Before,
    /// Whatever follows the tag from a separator on, or nothing: `(?:[^A-Za-z0-9].*)?`.
    After,
    /// A separator or nothing, between captured runs of different classes: `[^A-Za-z0-9]*`.
    Gap,
    Literal(String),
}

/// What a group of pairs has in common: the tokens of both patterns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Shape {
    /// Whether a value of the group is not ASCII: then the classes are Unicode ones.
    unicode: bool,
    source: Vec<Token>,
    target: Vec<Token>,
}

/// The text of `runs` (contiguous runs of `value`).
fn span<'a>(value: &'a str, runs: &[Run]) -> &'a str {
    match (runs.first(), runs.last()) {
        (Some(a), Some(b)) => &value[a.start..b.start + b.text.len()],
        _ => "",
    }
}

/// The source tokens of a pair from its runs and the runs the target's runs were found at,
/// each with the text it stands for in this pair.
fn source_tokens<'a>(value: &'a str, runs: &[Run<'a>], aligned: &[usize]) -> Vec<(Token, &'a str)> {
    let (first, last) = (aligned[0], aligned[aligned.len() - 1]);
    let mut out = Vec::new();
    // Words set off by a separator (site codes, attribute names) are free; runs attached to the
    // tag (an area letter, a suffix) keep their class in the shape.
    let cut = runs[..first]
        .iter()
        .rposition(|r| r.class == Class::Other)
        .map_or(0, |p| p + 1);
    out.push((Token::Before, span(value, &runs[..cut])));
    out.extend(
        runs[cut..first]
            .iter()
            .map(|r| (Token::Free(r.class), r.text)),
    );
    for (j, &a) in aligned.iter().enumerate() {
        out.push((Token::Capture(runs[a].class), runs[a].text));
        let Some(&next) = aligned.get(j + 1) else {
            break;
        };
        match &runs[a + 1..next] {
            [] => out.push((Token::Gap, "")),
            [r] if r.class == Class::Other && runs[a].class != runs[next].class => {
                out.push((Token::Gap, r.text))
            }
            between => out.extend(between.iter().map(|r| (Token::Free(r.class), r.text))),
        }
    }
    let end = runs[last + 1..]
        .iter()
        .position(|r| r.class == Class::Other)
        .map_or(runs.len(), |p| last + 1 + p);
    out.extend(
        runs[last + 1..end]
            .iter()
            .map(|r| (Token::Free(r.class), r.text)),
    );
    out.push((Token::After, span(value, &runs[end..])));
    out
}

/// The shape of a pair and the source text of each source token, or `None` when a regex
/// cannot relate its values.
fn shape<'a>(source: &'a str, target: &str) -> Option<(Shape, Vec<&'a str>)> {
    let (s_runs, t_runs) = (runs(source), runs(target));
    let aligned = align(&s_runs, &t_runs)?;
    if aligned.is_empty() {
        return None;
    }
    let (tokens, texts) = source_tokens(source, &s_runs, &aligned).into_iter().unzip();
    let target_tokens = t_runs
        .iter()
        .map(|r| match r.class {
            Class::Other => Token::Literal(r.text.to_owned()),
            c => Token::Capture(c),
        })
        .collect();
    let shape = Shape {
        unicode: !(source.is_ascii() && target.is_ascii()),
        source: tokens,
        target: target_tokens,
    };
    Some((shape, texts))
}

/// The narrower variant of a group's source tokens: a token that stands for the same text in
/// every pair of the group is written as that text.
fn with_constants(tokens: &[Token], texts: &[Vec<&str>]) -> Vec<Token> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let first = texts.first().map(|t| t[i]);
            let constant = first.filter(|f| texts.iter().all(|t| t[i] == *f));
            match (token, constant) {
                (Token::Capture(_), _) | (_, None) => token.clone(),
                (_, Some(text)) => Token::Literal(text.to_owned()),
            }
        })
        .collect()
}

fn class_pattern(class: Class, unicode: bool) -> &'static str {
    match (class, unicode) {
        (Class::Letters, false) => "[A-Za-z]+",
        (Class::Letters, true) => r"\p{Alphabetic}+",
        (Class::Digits, _) => "[0-9]+",
        (Class::Other, false) => "[^A-Za-z0-9]+",
        (Class::Other, true) => r"[^\p{Alphabetic}0-9]+",
    }
}

/// The regex of one token.
fn token_pattern(token: &Token, unicode: bool) -> String {
    let separator = if unicode {
        r"[^\p{Alphabetic}0-9]"
    } else {
        "[^A-Za-z0-9]"
    };
    match token {
        // Leading zeros stay outside the group, so padded and unpadded numbers compare equal.
        Token::Capture(Class::Digits) => "0*([0-9]+)".to_owned(),
        Token::Capture(c) => format!("({})", class_pattern(*c, unicode)),
        Token::Free(c) => class_pattern(*c, unicode).to_owned(),
        Token::Before => format!("(?:.*{separator})?"),
        Token::After => format!("(?:{separator}.*)?"),
        Token::Gap => format!("{separator}*"),
        Token::Literal(text) => regex::escape(text),
    }
}

/// The anchored regex of `tokens`.
fn pattern(tokens: &[Token], unicode: bool) -> String {
    let body: String = tokens.iter().map(|t| token_pattern(t, unicode)).collect();
    format!("^{body}$")
}

/// The target tokens as a template of the source's groups: `\1\2\3`.
fn template(tokens: &[Token], unicode: bool) -> String {
    let mut out = String::new();
    let mut group = 0;
    for token in tokens {
        match token {
            Token::Capture(_) => {
                group += 1;
                out.push_str(&format!("\\{group}"));
            }
            Token::Literal(text) => out.push_str(text),
            other => out.push_str(&token_pattern(other, unicode)),
        }
    }
    out
}

fn rule_of(
    source_pattern: String,
    target_pattern: String,
    groups: usize,
    fields: (&str, &str),
) -> Rule {
    let extractor = |set: &str, field: &str, pattern: String| Extractor {
        entity_set: set.to_owned(),
        extractor_type: REGEX.to_owned(),
        field: field.to_owned(),
        pattern,
    };
    Rule {
        priority: 0,
        extractors: vec![
            extractor(SOURCES, fields.0, source_pattern),
            extractor(TARGETS, fields.1, target_pattern),
        ],
        conditions: (0..groups)
            .map(|g| Condition {
                condition_type: EQUALS.to_owned(),
                arguments: vec![[0, g], [1, g]],
            })
            .collect(),
    }
}

/// The data every candidate is checked against.
struct Inputs<'a> {
    pairs: &'a [(usize, usize)],
    sources: &'a [Fields],
    targets: &'a [Fields],
    fields: (&'a str, &'a str),
    rejected: &'a [Rule],
}

impl Inputs<'_> {
    fn source_value(&self, s: usize) -> Option<&str> {
        self.sources.get(s)?.get(self.fields.0).map(String::as_str)
    }

    fn target_value(&self, t: usize) -> Option<&str> {
        self.targets.get(t)?.get(self.fields.1).map(String::as_str)
    }

    /// Input pair indices by shape, with the source text of each token of each pair; pairs
    /// without a shape are left out.
    fn groups(&self) -> Vec<(Shape, Group<'_>)> {
        // Aligning a pair is the costly part and independent of the others.
        let shapes: Vec<_> = self
            .pairs
            .par_iter()
            .map(|&(s, t)| shape(self.source_value(s)?, self.target_value(t)?))
            .collect();
        let mut by_shape: FxHashMap<Shape, Group> = FxHashMap::default();
        for (i, found) in shapes.into_iter().enumerate() {
            if let Some((shape, texts)) = found {
                let group = by_shape.entry(shape).or_default();
                group.members.push(i);
                group.texts.push(texts);
            }
        }
        let mut out: Vec<(Shape, Group)> = by_shape.into_iter().collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The rule of a group: the general one unless rejected, else the narrower one unless
    /// rejected too; with its target template.
    fn rule_for(&self, shape: &Shape, group: &Group) -> Option<(Rule, String)> {
        let groups = shape
            .target
            .iter()
            .filter(|t| matches!(t, Token::Capture(_)))
            .count();
        let target_pattern = pattern(&shape.target, shape.unicode);
        let narrow = with_constants(&shape.source, &group.texts);
        [shape.source.clone(), narrow]
            .into_iter()
            .map(|tokens| {
                let source_pattern = pattern(&tokens, shape.unicode);
                rule_of(source_pattern, target_pattern.clone(), groups, self.fields)
            })
            .find(|rule| !self.rejected.iter().any(|r| same_rule(r, rule)))
            .map(|rule| (rule, template(&shape.target, shape.unicode)))
    }
}

/// The input pairs of one shape.
#[derive(Default)]
struct Group<'a> {
    /// Indices into the input pairs.
    members: Vec<usize>,
    /// Per member, the source text of each token.
    texts: Vec<Vec<&'a str>>,
}

/// A rule with what it makes on all the data, before the rules are ranked.
struct Candidate {
    rule: Rule,
    predict: String,
    matches: Vec<(usize, usize)>,
    support: Vec<usize>,
}

/// The targets a source is paired with in `matches` (sorted by source).
fn targets_of(matches: &[(usize, usize)], s: usize) -> impl Iterator<Item = usize> + '_ {
    let from = matches.partition_point(|&(x, _)| x < s);
    matches[from..]
        .iter()
        .take_while(move |&&(x, _)| x == s)
        .map(|&(_, t)| t)
}

fn candidate(inputs: &Inputs, shape: &Shape, group: &Group) -> Option<Candidate> {
    let (rule, predict) = inputs.rule_for(shape, group)?;
    // Generated patterns are well formed; only one too big for the regex crate's size limit (a
    // long free text in Unicode classes) fails, and gives no rule.
    let compiled = compile_rule(0, &rule).ok()?;
    let matches = compiled.pairs(inputs.sources, inputs.targets);
    let support = group
        .members
        .iter()
        .copied()
        .filter(|&i| {
            let (s, t) = inputs.pairs[i];
            targets_of(&matches, s).eq(std::iter::once(t))
        })
        .collect();
    Some(Candidate {
        rule,
        predict,
        matches,
        support,
    })
}

/// Generates rules from matched pairs (source index, target index), reading `source_field` of
/// sources and `target_field` of targets (see the module documentation for the patterns).
///
/// Each rule is applied to all sources and targets for its evidence; rules equal to one of
/// `rejected` are never emitted; rules that re-match fewer than `min_support` distinct input
/// pairs are dropped. The rest are ordered by number of matches (most first), then source and
/// target pattern, and get priorities 1..n in that order.
pub fn generate(
    pairs: &[(usize, usize)],
    sources: &[Fields],
    targets: &[Fields],
    source_field: &str,
    target_field: &str,
    rejected: &[Rule],
    min_support: usize,
) -> Vec<GeneratedRule> {
    let inputs = Inputs {
        pairs,
        sources,
        targets,
        fields: (source_field, target_field),
        rejected,
    };
    let distinct = |support: &[usize]| {
        support
            .iter()
            .map(|&i| pairs[i])
            .collect::<BTreeSet<_>>()
            .len()
    };
    let mut groups = inputs.groups();
    // Largest groups first (stable: shapes stay in order within a size), so that the cap keeps
    // the rules with the most evidence.
    groups.sort_by_key(|(_, group)| std::cmp::Reverse(group.members.len()));
    groups.retain(|(_, group)| group.members.len() >= min_support.max(1));
    groups.truncate(MAX_CANDIDATES);
    let mut candidates: Vec<Candidate> = groups
        .par_iter()
        .filter_map(|(shape, group)| candidate(&inputs, shape, group))
        .filter(|c| !c.support.is_empty() && distinct(&c.support) >= min_support)
        .collect();
    candidates.sort_by(|a, b| {
        b.matches
            .len()
            .cmp(&a.matches.len())
            .then_with(|| {
                a.rule.extractors[0]
                    .pattern
                    .cmp(&b.rule.extractors[0].pattern)
            })
            .then_with(|| {
                a.rule.extractors[1]
                    .pattern
                    .cmp(&b.rule.extractors[1].pattern)
            })
    });
    candidates.dedup_by(|later, kept| same_rule(&later.rule, &kept.rule));
    rank(candidates, pairs, sources.len())
}

/// Counts conflicts and overlaps and numbers the rules in their order.
fn rank(
    candidates: Vec<Candidate>,
    pairs: &[(usize, usize)],
    n_sources: usize,
) -> Vec<GeneratedRule> {
    let mut known: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for &(s, t) in pairs {
        known.entry(s).or_default().push(t);
    }
    let mut rules_at = vec![0u32; n_sources];
    for c in &candidates {
        let mut last = None;
        for &(s, _) in &c.matches {
            if last != Some(s) && s < n_sources {
                rules_at[s] += 1;
            }
            last = Some(s);
        }
    }
    candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let sources: BTreeSet<usize> = c.matches.iter().map(|&(s, _)| s).collect();
            let num_conflicts = sources
                .iter()
                .filter(|&&s| {
                    let mut ts = targets_of(&c.matches, s);
                    let first = ts.next();
                    ts.next().is_some()
                        || first.is_some_and(|t| known.get(&s).is_some_and(|k| !k.contains(&t)))
                })
                .count();
            let num_overlaps = sources.iter().filter(|&&s| rules_at[s] > 1).count();
            let mut rule = c.rule;
            rule.priority = i as i64 + 1;
            GeneratedRule {
                rule,
                matches: c.matches,
                num_conflicts,
                num_overlaps,
                support: c.support,
                predict_pattern: c.predict,
            }
        })
        .collect()
}

/// The generated rules in the older `suggestedRules` shape: the source pattern, the target as a
/// template of its groups, and the input pairs each rule explains with their mean score.
/// `pair_scores[i]` is the score of input pair `i` of `generate`; a missing score counts as 0.
pub fn suggest(generated: &[GeneratedRule], pair_scores: &[f64]) -> Vec<SuggestedRule> {
    generated
        .iter()
        .map(|g| {
            let total: f64 = g
                .support
                .iter()
                .map(|&i| pair_scores.get(i).copied().unwrap_or(0.0))
                .sum();
            SuggestedRule {
                input_pattern: g
                    .rule
                    .extractors
                    .iter()
                    .find(|e| e.entity_set == SOURCES)
                    .map(|e| e.pattern.clone())
                    .unwrap_or_default(),
                predict_pattern: g.predict_pattern.clone(),
                num_matches: g.support.len(),
                avg_score: if g.support.is_empty() {
                    0.0
                } else {
                    total / g.support.len() as f64
                },
                match_index: g.support.clone(),
            }
        })
        .collect()
}
