//! Tests of rule checking, application and generation.

use super::*;

fn entities(names: &[&str]) -> Vec<Fields> {
    names
        .iter()
        .map(|n| Fields::from([("name".to_owned(), n.to_string())]))
        .collect()
}

fn extractor(set: &str, pattern: &str) -> Extractor {
    Extractor {
        entity_set: set.to_owned(),
        extractor_type: REGEX.to_owned(),
        field: "name".to_owned(),
        pattern: pattern.to_owned(),
    }
}

fn equals(arguments: &[[usize; 2]]) -> Condition {
    Condition {
        condition_type: EQUALS.to_owned(),
        arguments: arguments.to_vec(),
    }
}

/// A rule whose groups 0..n of the source equal groups 0..n of the target.
fn rule(priority: i64, source: &str, target: &str, groups: usize) -> Rule {
    Rule {
        priority,
        extractors: vec![extractor(SOURCES, source), extractor(TARGETS, target)],
        conditions: (0..groups).map(|g| equals(&[[0, g], [1, g]])).collect(),
    }
}

const SPEC_EXAMPLE: &str = r#"{ "priority": 1,
  "extractors": [
    { "entitySet": "sources", "extractorType": "regex", "field": "name", "pattern": "^[A-Z]+_(\\d+)([A-Z]+)(\\d+)" },
    { "entitySet": "targets", "extractorType": "regex", "field": "name", "pattern": "^(\\d+)([A-Z]+)(\\d+)" } ],
  "conditions": [
    { "conditionType": "equals", "arguments": [[0, 0], [1, 0]] },
    { "conditionType": "equals", "arguments": [[0, 1], [1, 1]] },
    { "conditionType": "equals", "arguments": [[0, 2], [1, 2]] } ] }"#;

#[test]
fn the_spec_example_reads_applies_and_writes_back() {
    let rule: Rule = serde_json::from_str(SPEC_EXAMPLE).unwrap();
    assert_eq!(
        rule,
        self::rule(1, r"^[A-Z]+_(\d+)([A-Z]+)(\d+)", r"^(\d+)([A-Z]+)(\d+)", 3)
    );
    let json = serde_json::to_value(&rule).unwrap();
    assert_eq!(json["extractors"][0]["entitySet"], "sources");
    assert_eq!(json["conditions"][2]["arguments"][1][1], 2);
    let back: Rule = serde_json::from_value(json).unwrap();
    assert_eq!(back, rule);
    let without_priority: Rule =
        serde_json::from_str(r#"{"extractors": [], "conditions": []}"#).unwrap();
    assert_eq!(without_priority.priority, 0);

    let compiled = compile(&[rule]).unwrap();
    let sources = entities(&["KKL_21AA1019CA.PV", "KKL_21AA1020CA.PV", "21AA1019CA"]);
    let targets = entities(&["21AA1020", "21AA1019CA"]);
    assert_eq!(
        compiled.apply(&sources, &targets),
        [Some((1, 0)), Some((0, 0)), None]
    );
}

#[test]
fn bad_rules_name_the_rule_and_what_is_wrong() {
    let good = rule(0, "(a)", "(a)", 1);
    let error = |bad: Rule| compile(&[good.clone(), bad]).unwrap_err().to_string();

    let mut bad = good.clone();
    bad.extractors[1].pattern = "(a".to_owned();
    let message = error(bad);
    assert!(
        message.starts_with("rules[1].extractors[1]: invalid regex \"(a\""),
        "{message}"
    );

    assert_eq!(
        error(rule(0, "(a)", "(a)", 2)),
        "rules[1].conditions[1].arguments[0]: no group 1 in extractor 0, whose pattern has 1 capture group(s)"
    );

    let mut bad = good.clone();
    bad.conditions[0].arguments[1] = [2, 0];
    assert_eq!(
        error(bad),
        "rules[1].conditions[0].arguments[1]: no extractor 2 (the rule has 2)"
    );

    let mut bad = good.clone();
    bad.extractors[0].entity_set = "assets".to_owned();
    assert_eq!(
        error(bad),
        "rules[1].extractors[0]: unknown entitySet \"assets\" (expected \"sources\" or \"targets\")"
    );

    let mut bad = good.clone();
    bad.extractors[1].extractor_type = "fuzzy".to_owned();
    assert!(matches!(
        compile(&[bad]).unwrap_err(),
        RuleError::UnknownExtractorType {
            rule: 0,
            extractor: 1,
            ..
        }
    ));

    let mut bad = good.clone();
    bad.extractors[1].entity_set = SOURCES.to_owned();
    assert_eq!(
        error(bad),
        "rules[1]: needs exactly one \"sources\" and one \"targets\" extractor, has 2 and 0"
    );

    let mut bad = good.clone();
    bad.conditions[0].condition_type = "contains".to_owned();
    assert!(matches!(
        compile(&[bad]).unwrap_err(),
        RuleError::UnknownConditionType {
            rule: 0,
            condition: 0,
            ..
        }
    ));

    let mut bad = good.clone();
    bad.conditions[0].arguments.truncate(1);
    assert!(matches!(
        compile(&[bad]).unwrap_err(),
        RuleError::TooFewArguments { count: 1, .. }
    ));
}

#[test]
fn rules_are_tried_by_priority_then_list_order() {
    let sources = entities(&["a-1", "b-2"]);
    let targets = entities(&["1", "x1", "2"]);
    // Both rules match "a-1" uniquely, each to its own target.
    let plain = rule(5, r"^[a-z]-(\d)$", r"^(\d)$", 1);
    let prefixed = rule(2, r"^[a-z]-(\d)$", r"^x(\d)$", 1);
    let compiled = compile(&[plain.clone(), prefixed.clone()]).unwrap();
    assert_eq!(compiled.len(), 2);
    assert_eq!(
        compiled.apply(&sources, &targets),
        [Some((1, 1)), Some((2, 0))]
    );
    let same = |mut r: Rule| {
        r.priority = 0;
        r
    };
    let compiled = compile(&[same(plain), same(prefixed)]).unwrap();
    assert_eq!(
        compiled.apply(&sources, &targets),
        [Some((0, 0)), Some((2, 0))]
    );
}

#[test]
fn an_ambiguous_rule_is_skipped_for_that_source_only() {
    let sources = entities(&["KKL_21PT1019.PV", "KKL_21PT1020.PV"]);
    // 21PT1019 at two sites: the name rule cannot tell them apart.
    let targets = entities(&["21PT1019", "21PT1019", "21PT1020", "site KKL 21PT1019"]);
    let by_name = rule(1, r"_(\d+)([A-Z]+)(\d+)", r"^(\d+)([A-Z]+)(\d+)$", 3);
    let by_site = rule(2, r"^([A-Z]+)_(\d+PT\d+)", r"site (\w+) (\w+)", 2);
    let compiled = compile(&[by_name, by_site]).unwrap();
    assert_eq!(
        compiled.apply(&sources, &targets),
        [Some((3, 1)), Some((2, 0))]
    );
    assert_eq!(
        compiled.pairs_of(0, &sources, &targets),
        [(0, 0), (0, 1), (1, 2)]
    );
    assert_eq!(compiled.pairs_of(1, &sources, &targets), [(0, 3)]);
}

#[test]
fn equals_ignores_case_and_missing_fields_or_groups_match_nothing() {
    let mut sources = entities(&["kkl_21pt1019.pv", "x"]);
    sources.push(Fields::from([("label".to_owned(), "21PT1019".to_owned())]));
    sources.push(Fields::from([("name".to_owned(), "Ü-7".to_owned())]));
    let mut targets = entities(&["21PT1019", "ü7"]);
    targets.push(Fields::new());
    let compiled = compile(&[
        rule(
            0,
            r"(?i)^[a-z]+_(\d+)([a-z]+)(\d+)",
            r"^(\d+)([A-Z]+)(\d+)$",
            3,
        ),
        rule(1, r"^(\w)-(\d)$", r"^(\w)(\d)$", 2),
    ])
    .unwrap();
    assert_eq!(
        compiled.apply(&sources, &targets),
        [Some((0, 0)), None, None, Some((1, 1))]
    );

    // A group that took no part in the match fails its condition.
    let optional = compile(&[rule(0, r"^(a)?(\d)$", r"^(a)?(\d)$", 2)]).unwrap();
    let found = optional.apply(&entities(&["a1", "1"]), &entities(&["a1", "1"]));
    assert_eq!(found, [Some((0, 0)), None]);
}

#[test]
fn conditions_on_one_side_filter_that_side() {
    // The source's two digit groups must be equal; only the letters link source and target.
    let r = Rule {
        priority: 0,
        extractors: vec![
            extractor(SOURCES, r"^(\d)([a-z])(\d)$"),
            extractor(TARGETS, r"^([a-z])$"),
        ],
        conditions: vec![equals(&[[0, 0], [0, 2]]), equals(&[[0, 1], [1, 0]])],
    };
    let compiled = compile(&[r]).unwrap();
    let found = compiled.apply(&entities(&["1a1", "1b2"]), &entities(&["a", "b"]));
    assert_eq!(found, [Some((0, 0)), None]);
}

fn generated(sources: &[&str], targets: &[&str], pairs: &[(usize, usize)]) -> Vec<GeneratedRule> {
    generate(
        pairs,
        &entities(sources),
        &entities(targets),
        "name",
        "name",
        &[],
        2,
    )
}

/// The pairs a generated rule makes for source `s`.
fn made(g: &GeneratedRule, s: usize) -> Vec<usize> {
    g.matches.iter().filter(|m| m.0 == s).map(|m| m.1).collect()
}

#[test]
fn a_generated_rule_rematches_its_pairs_across_zeros_separators_and_case() {
    let sources = [
        "21-PT-1019A",
        "KKL_21PT0042.PV",
        "23FIC42.SP",
        "kkl_21pt1019a/pv.cv",
        "GRA_23-fic-0042:OUT",
        "21PT0042",
        "KKL_21PIC42.PV",
    ];
    let targets = ["21PT1019A", "21PT0042", "23FIC0042", "21PT1019"];
    let pairs = [(0, 0), (1, 1), (2, 2), (3, 0), (4, 2)];
    let rules = generated(&sources, &targets, &pairs);
    let summary: Vec<(&str, &str, usize)> = rules
        .iter()
        .map(|g| {
            (
                g.rule.extractors[0].pattern.as_str(),
                g.rule.extractors[1].pattern.as_str(),
                g.support.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                r"^(?:.*[^A-Za-z0-9])?0*([0-9]+)[^A-Za-z0-9]*([A-Za-z]+)[^A-Za-z0-9]*0*([0-9]+)(?:[^A-Za-z0-9].*)?$",
                r"^0*([0-9]+)([A-Za-z]+)0*([0-9]+)$",
                3
            ),
            (
                r"^(?:.*[^A-Za-z0-9])?0*([0-9]+)[^A-Za-z0-9]*([A-Za-z]+)[^A-Za-z0-9]*0*([0-9]+)[^A-Za-z0-9]*([A-Za-z]+)(?:[^A-Za-z0-9].*)?$",
                r"^0*([0-9]+)([A-Za-z]+)0*([0-9]+)([A-Za-z]+)$",
                2
            ),
        ]
    );
    for g in &rules {
        for &i in &g.support {
            let (s, t) = pairs[i];
            assert_eq!(made(g, s), [t], "{}", sources[s]);
        }
    }
    // The unseen `21PT0042` is matched too; `21-PT-1019A` is not taken for `21PT1019`.
    assert_eq!(made(&rules[0], 5), [1]);
    assert_eq!(made(&rules[0], 0), Vec::<usize>::new());
    assert_eq!(rules[0].rule.conditions.len(), 3);
    assert_eq!((rules[0].rule.priority, rules[1].rule.priority), (1, 2));
    assert!(rules
        .iter()
        .all(|g| g.num_conflicts == 0 && g.num_overlaps == 0));
    let compiled = compile(&rules.iter().map(|g| g.rule.clone()).collect::<Vec<_>>()).unwrap();
    let found = compiled.apply(&entities(&sources), &entities(&targets));
    assert_eq!(
        found,
        [
            Some((0, 1)),
            Some((1, 0)),
            Some((2, 0)),
            Some((0, 1)),
            Some((2, 0)),
            Some((1, 0)),
            // The controller of the loop is not its transmitter.
            None
        ]
    );
}

#[test]
fn generated_rules_on_unicode_values_use_unicode_classes() {
    let sources = ["ANL_Müller-12", "ANL_Straße-7", "x MÜLLER12.pv", "Øst 3"];
    let targets = ["Müller 12", "Straße 7", "Øst 3"];
    let rules = generated(&sources, &targets, &[(0, 0), (1, 1)]);
    assert_eq!(rules.len(), 1);
    let g = &rules[0];
    assert_eq!(
        g.rule.extractors[0].pattern,
        r"^(?:.*[^\p{Alphabetic}0-9])?(\p{Alphabetic}+)[^\p{Alphabetic}0-9]*0*([0-9]+)(?:[^\p{Alphabetic}0-9].*)?$"
    );
    assert_eq!(
        g.rule.extractors[1].pattern,
        r"^(\p{Alphabetic}+) 0*([0-9]+)$"
    );
    assert_eq!(g.support, [0, 1]);
    assert_eq!(g.matches, [(0, 0), (1, 1), (2, 0), (3, 2)]);
}

#[test]
fn pairs_a_regex_cannot_relate_or_too_few_give_no_rule() {
    // A typo in the loop number, a target word missing from the source, a lone shape.
    let sources = ["21PT1091", "pump", "21PT1019", "XX"];
    let targets = ["21PT1019", "P-101 pump", "21PT1019"];
    assert!(generated(&sources, &targets, &[(0, 0), (1, 1), (2, 2)]).is_empty());
    // Pairs whose fields are missing or out of range are skipped, not a panic.
    assert!(generated(&sources, &targets, &[(3, 9), (9, 0)]).is_empty());
}

#[test]
fn conflicts_and_overlaps_are_counted_on_all_the_data() {
    let sources = ["21PT1019", "22PT1020", "23XY1", "24XY2", "25PT7"];
    let targets = ["21PT", "22PT", "XY1", "XY2", "PT1019", "25PT", "25PT"];
    let pairs = [(0, 0), (1, 1), (2, 2), (3, 3)];
    let rules = generated(&sources, &targets, &pairs);
    assert_eq!(rules.len(), 2);
    let digits_first = rules
        .iter()
        .find(|g| g.rule.extractors[1].pattern.starts_with("^0*"))
        .unwrap();
    let letters_first = rules
        .iter()
        .find(|g| g.rule.extractors[1].pattern.starts_with("^("))
        .unwrap();
    // `25PT7` goes to both `25PT`: a conflict.
    assert_eq!(made(digits_first, 4), [5, 6]);
    assert_eq!(digits_first.num_conflicts, 1);
    // `21PT1019` also reads as `PT1019`, against the known pair: a conflict and an overlap.
    assert_eq!(made(letters_first, 0), [4]);
    assert_eq!(letters_first.num_conflicts, 1);
    assert_eq!(letters_first.num_overlaps, 1);
    assert_eq!(digits_first.num_overlaps, 1);
    // More matches rank first.
    assert_eq!(rules[0].matches.len(), 4);
    assert_eq!(rules[0].rule.priority, 1);
}

#[test]
fn rejected_rules_are_never_generated_again() {
    let sources = ["KKL_21PT1019.PV", "KKL_22FT1020.PV", "KKL_23LT1021.PV"];
    let targets = ["21PT1019", "22FT1020", "23LT1021"];
    let pairs = [(0, 0), (1, 1), (2, 2)];
    let first = generated(&sources, &targets, &pairs);
    assert_eq!(first.len(), 1);
    let mut rejected = first[0].rule.clone();
    // Priority does not matter when comparing.
    rejected.priority = 42;
    let run = |rejected: &[Rule]| {
        generate(
            &pairs,
            &entities(&sources),
            &entities(&targets),
            "name",
            "name",
            rejected,
            2,
        )
    };
    let second = run(&[rejected.clone()]);
    assert_eq!(second.len(), 1);
    assert_eq!(
        second[0].rule.extractors[0].pattern,
        r"^KKL_0*([0-9]+)([A-Za-z]+)0*([0-9]+)\.PV$"
    );
    assert_eq!(second[0].support, [0, 1, 2]);
    assert!(run(&[rejected, second[0].rule.clone()]).is_empty());
    // Fewer pairs than the minimum support: no rule.
    let few = generate(
        &pairs,
        &entities(&sources),
        &entities(&targets),
        "name",
        "name",
        &[],
        4,
    );
    assert!(few.is_empty());
}

#[test]
fn generation_is_deterministic_and_serialises_as_the_spec_shows() {
    let sources = ["A_1B.X", "A_2C.Y", "B 3-D", "4E"];
    let targets = ["1B", "2C", "3D", "4E"];
    let pairs = [(0, 0), (1, 1), (2, 2), (3, 3)];
    let a = generated(&sources, &targets, &pairs);
    let b = generated(&sources, &targets, &pairs);
    assert_eq!(a, b);
    let json = serde_json::to_value(&a[0]).unwrap();
    // Sorted: serde_json keeps insertion order when another crate of the build asks it to.
    let mut keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "conditions",
            "extractors",
            "matches",
            "numConflicts",
            "numOverlaps",
            "priority"
        ]
    );
    assert_eq!(json["matches"][0], serde_json::json!([0, 0]));
    // The rule part reads back as a rule once the output-only fields are dropped.
    let rule: Rule = serde_json::from_value(json).unwrap();
    assert_eq!(rule, a[0].rule);
}

#[test]
fn suggestions_give_the_target_as_a_template_of_the_groups() {
    let sources = ["KKL_21PT1019.PV", "KKL_22FT1020.PV", "GRA_23LT1021"];
    let targets = ["21PT1019", "22FT1020", "23LT1021"];
    let rules = generated(&sources, &targets, &[(0, 0), (1, 1), (2, 2)]);
    let suggested = suggest(&rules, &[0.5, 1.0]);
    assert_eq!(suggested.len(), 1);
    let s = &suggested[0];
    assert_eq!(s.input_pattern, rules[0].rule.extractors[0].pattern);
    assert_eq!(s.predict_pattern, r"\1\2\3");
    assert_eq!((s.num_matches, s.match_index.clone()), (3, vec![0, 1, 2]));
    assert!((s.avg_score - 0.5).abs() < 1e-12, "{}", s.avg_score);
    let json = serde_json::to_value(s).unwrap();
    assert_eq!(json["predictPattern"], r"\1\2\3");
    assert_eq!(json["matchIndex"], serde_json::json!([0, 1, 2]));
}

#[test]
fn same_rule_ignores_priority_and_condition_order() {
    let a = rule(1, "(a)(b)", "(a)(b)", 2);
    let mut b = a.clone();
    b.priority = 9;
    b.conditions.reverse();
    b.conditions[0].arguments.reverse();
    assert!(same_rule(&a, &b));
    b.extractors[0].field = "description".to_owned();
    assert!(!same_rule(&a, &b));
}
