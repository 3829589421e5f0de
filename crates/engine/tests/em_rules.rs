//! Generated match rules on generated plant tags (`datagen::tags`): rules written from a sample
//! of true pairs, applied to every time series, scored against the generator's truth.
//!
//! `cargo test -p engine --test em_rules -- --nocapture` prints the rules and the report at the
//! default size (20,000 time series, 5,000 assets); the 100,000 x 100,000 timing is ignored:
//! `cargo test -p engine --release --test em_rules -- --ignored --nocapture`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use datagen::tags::{generate, TagSpec};
use engine::em::rules::{self, compile, Fields, GeneratedRule};

/// Generated tags as rule inputs, with the true target of each source.
struct Tags {
    sources: Vec<Fields>,
    targets: Vec<Fields>,
    truth: Vec<Option<usize>>,
}

fn table(name: &str, csv: &str) -> import::Table {
    let options = import::ImportOptions {
        delimiter: Some(b','),
        ..Default::default()
    };
    import::read_csv_bytes(name, csv.as_bytes(), &options).unwrap()
}

fn entities(t: &import::Table) -> Vec<Fields> {
    t.rows
        .iter()
        .map(|row| t.columns.iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

fn tags(targets: usize, sources: usize, seed: u64) -> Tags {
    let data = generate(&TagSpec {
        targets,
        sources,
        seed,
    });
    let targets = entities(&table("targets.csv", &data.targets_csv));
    let sources = entities(&table("sources.csv", &data.sources_csv));
    let at: HashMap<&str, usize> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t["id"].as_str(), i))
        .collect();
    let truth = entities(&table("truth.csv", &data.truth_csv))
        .iter()
        .map(|row| at.get(row["target_id"].as_str()).copied())
        .collect();
    Tags {
        sources,
        targets,
        truth,
    }
}

impl Tags {
    /// `n` true pairs spread over the file (every k-th source with an asset), as a reviewer
    /// confirming a sample would.
    fn sample(&self, n: usize) -> Vec<(usize, usize)> {
        let matched: Vec<(usize, usize)> = self
            .truth
            .iter()
            .enumerate()
            .filter_map(|(s, t)| Some((s, (*t)?)))
            .collect();
        let step = (matched.len() / n.max(1)).max(1);
        matched.into_iter().step_by(step).take(n).collect()
    }
}

/// A name as rules compare it: lower case, digit runs without leading zeros.
fn canonical(name: &str) -> String {
    let mut out = String::new();
    let mut zeros = true;
    for c in name.chars() {
        if c == '0' && zeros {
            continue;
        }
        zeros = !c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl Tags {
    fn ceiling(&self) -> f64 {
        let mut copies: HashMap<String, usize> = HashMap::new();
        for t in &self.targets {
            *copies.entry(canonical(&t["name"])).or_default() += 1;
        }
        let with_asset = self.truth.iter().flatten().count();
        let unique = self
            .truth
            .iter()
            .flatten()
            .filter(|&&t| copies[&canonical(&self.targets[t]["name"])] == 1)
            .count();
        unique as f64 / with_asset.max(1) as f64
    }
}

/// What generated rules do on all sources.
#[derive(Debug)]
#[allow(dead_code)] // Printed, not read.
struct Report {
    rules: usize,
    /// Input pairs some rule was generated from and re-matches.
    supported: usize,
    matched: usize,
    precision: f64,
    recall: f64,
    /// The best recall of rules that read names only: sources whose asset's name (case and
    /// leading zeros aside) is no other asset's name.
    ceiling: f64,
    generate: Duration,
    apply: Duration,
}

fn evaluate(tags: &Tags, sample: usize) -> (Report, Vec<GeneratedRule>) {
    let pairs = tags.sample(sample);
    let started = Instant::now();
    let generated = rules::generate(&pairs, &tags.sources, &tags.targets, "name", "name", &[], 2);
    let generate = started.elapsed();
    let compiled = compile(&generated.iter().map(|g| g.rule.clone()).collect::<Vec<_>>()).unwrap();
    let started = Instant::now();
    let found = compiled.apply(&tags.sources, &tags.targets);
    let apply = started.elapsed();
    let matched = found.iter().flatten().count();
    let right = found
        .iter()
        .zip(&tags.truth)
        .filter(|(f, t)| matches!((f, t), (Some((a, _)), Some(b)) if a == b))
        .count();
    let with_asset = tags.truth.iter().flatten().count();
    let report = Report {
        rules: generated.len(),
        supported: generated.iter().map(|g| g.support.len()).sum(),
        matched,
        precision: right as f64 / matched.max(1) as f64,
        recall: right as f64 / with_asset.max(1) as f64,
        ceiling: tags.ceiling(),
        generate,
        apply,
    };
    (report, generated)
}

fn print(seed: u64, report: &Report, generated: &[GeneratedRule]) {
    eprintln!("seed {seed}: {report:?}");
    for g in generated {
        eprintln!(
            "  {:>3} {:>5} matches {:>4} conflicts {:>3} overlaps {:>3} support  {}  ->  {}",
            g.rule.priority,
            g.matches.len(),
            g.num_conflicts,
            g.num_overlaps,
            g.support.len(),
            g.rule.extractors[0].pattern,
            g.rule.extractors[1].pattern
        );
    }
}

/// Every generated rule re-matches the pairs it was made from, and none of them conflicts.
fn check_own_matches(tags: &Tags, generated: &[GeneratedRule]) {
    let pairs = tags.sample(200);
    for g in generated {
        assert!(g.support.len() >= 2, "{g:?}");
        for &i in &g.support {
            let (s, t) = pairs[i];
            let made: Vec<usize> = g.matches.iter().filter(|m| m.0 == s).map(|m| m.1).collect();
            assert_eq!(made, [t], "rule {} on pair {i}", g.rule.priority);
        }
    }
}

/// At the generator's default size (fast enough in the test profile, where the engine is
/// optimised): precise, near the ceiling of name-only rules, few rules, fast.
#[test]
fn rules_from_two_hundred_true_pairs_are_precise_and_cover_most_tags() {
    for seed in [1, 2] {
        let tags = tags(5_000, 20_000, seed);
        let (report, generated) = evaluate(&tags, 200);
        print(seed, &report, &generated);
        check_own_matches(&tags, &generated);
        assert!(report.precision >= 0.995, "{report:?}");
        assert!(report.recall >= 0.72, "{report:?}");
        assert!(report.recall >= 0.9 * report.ceiling, "{report:?}");
        assert!((1..=10).contains(&report.rules), "{report:?}");
        assert!(report.supported >= 140, "{report:?}");
    }
}

/// `cargo test -p engine --release --test em_rules hundred -- --ignored --nocapture`
#[test]
#[ignore]
fn hundred_thousand_by_hundred_thousand() {
    let tags = tags(100_000, 100_000, 1);
    let (report, generated) = evaluate(&tags, 200);
    print(1, &report, &generated);
    let per_rule = report.apply / report.rules.max(1) as u32;
    eprintln!("apply per rule {per_rule:?}");
    assert!(report.precision >= 0.99, "{report:?}");
    assert!(per_rule < Duration::from_secs(1), "{report:?}");
}

/// A pipeline run generates from all its matches, not a sample: every true pair here.
/// `cargo test -p engine --release --test em_rules from_all -- --ignored --nocapture`
#[test]
#[ignore]
fn from_all_true_pairs() {
    for seed in [1, 2] {
        let tags = tags(5_000, 20_000, seed);
        let (report, generated) = evaluate(&tags, 20_000);
        print(seed, &report, &generated);
        assert!(report.precision >= 0.99, "{report:?}");
    }
}

/// Free text makes many more shapes than tags; generation stays fast.
/// `cargo test -p engine --release --test em_rules free_text -- --ignored --nocapture`
#[test]
#[ignore]
fn free_text_fields() {
    let tags = tags(5_000, 20_000, 1);
    let pairs = tags.sample(20_000);
    let started = Instant::now();
    let generated = rules::generate(
        &pairs,
        &tags.sources,
        &tags.targets,
        "description",
        "description",
        &[],
        2,
    );
    let elapsed = started.elapsed();
    eprintln!("descriptions: {} rules in {elapsed:?}", generated.len());
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}
