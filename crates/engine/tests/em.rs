//! Entity matching on generated plant tags (`datagen::tags`): time series names matched to asset
//! names, scored top-1 against the generator's truth, unsupervised and supervised, at the
//! generator's default size (20,000 time series, 5,000 assets).
//!
//! The report of every configuration and the 100,000 x 100,000 timing are ignored tests:
//! `cargo test -p engine --release --test em -- --ignored --nocapture --test-threads=1`.

use std::collections::HashMap;
use std::time::Instant;

use datagen::score::{self, Prediction, TopCandidate, TruthRow};
use datagen::tags::{generate, TagSpec};
use engine::em::{fit, predict, Classifier, Entity, FeatureType, TrainedModel};
use engine::CancelToken;

/// Generated tags: one entity per row with its `name` as the only match field.
#[derive(Clone)]
struct Tags {
    target_ids: Vec<String>,
    targets: Vec<Entity>,
    target_sites: Vec<String>,
    source_sites: Vec<String>,
    target_descriptions: Vec<String>,
    source_descriptions: Vec<String>,
    source_ids: Vec<String>,
    sources: Vec<Entity>,
    truth: Vec<TruthRow>,
}

fn table(name: &str, csv: &str) -> import::Table {
    let options = import::ImportOptions {
        delimiter: Some(b','),
        ..Default::default()
    };
    import::read_csv_bytes(name, csv.as_bytes(), &options).unwrap()
}

fn column(t: &import::Table, name: &str) -> Vec<String> {
    let at = t.columns.iter().position(|c| c == name).unwrap();
    t.rows.iter().map(|r| r[at].clone()).collect()
}

/// Ids and names of a generated table.
fn ids_and_names(t: &import::Table) -> (Vec<String>, Vec<Entity>) {
    let names = column(t, "name").into_iter().map(|n| vec![n]).collect();
    (column(t, "id"), names)
}

fn tags(targets: usize, sources: usize, seed: u64) -> Tags {
    let data = generate(&TagSpec {
        targets,
        sources,
        seed,
    });
    let target_table = table("targets.csv", &data.targets_csv);
    let (target_ids, target_entities) = ids_and_names(&target_table);
    let source_table = table("sources.csv", &data.sources_csv);
    let (source_ids, source_entities) = ids_and_names(&source_table);
    Tags {
        target_ids,
        targets: target_entities,
        target_sites: column(&target_table, "site"),
        source_sites: column(&source_table, "site"),
        target_descriptions: column(&target_table, "description"),
        source_descriptions: column(&source_table, "description"),
        source_ids,
        sources: source_entities,
        truth: score::parse_truth(data.truth_csv.as_bytes(), "truth.csv").unwrap(),
    }
}

impl Tags {
    /// The same tags with a second match field, the historian's site against the asset's:
    /// the only thing that tells apart the copies of a name at sister sites.
    fn with_site_field(&self) -> Tags {
        let mut out = self.clone();
        for (t, site) in out.targets.iter_mut().zip(&self.target_sites) {
            t.push(site.clone());
        }
        for (s, site) in out.sources.iter_mut().zip(&self.source_sites) {
            s.push(site.clone());
        }
        out
    }

    /// The same tags with descriptions as a further match field: free text, abbreviated or
    /// missing on the time series, so a weak field that a score must not let sink a match.
    fn with_description_field(&self) -> Tags {
        let mut out = self.clone();
        for (t, d) in out.targets.iter_mut().zip(&self.target_descriptions) {
            t.push(d.clone());
        }
        for (s, d) in out.sources.iter_mut().zip(&self.source_descriptions) {
            s.push(d.clone());
        }
        out
    }

    /// (source, target) index pairs of the first `n` sources with an asset, spread over the
    /// file (every k-th), as a reviewer confirming a sample would.
    fn sample_truth(&self, n: usize) -> Vec<(usize, usize)> {
        let target_at: HashMap<&str, usize> = self
            .target_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let matched: Vec<(usize, usize)> = self
            .truth
            .iter()
            .enumerate()
            .filter_map(|(s, t)| Some((s, target_at[t.reference_id.as_deref()?])))
            .collect();
        let step = (matched.len() / n.max(1)).max(1);
        matched.into_iter().step_by(step).take(n).collect()
    }

    /// Top-1 F1 of `found` with a match wherever the best score is above `threshold` (a source
    /// with no asset left unmatched counts as right), and the best F1 over all thresholds.
    fn f1(&self, found: &[Vec<(usize, f64)>], threshold: f64) -> (f64, f64, f64) {
        let predictions: HashMap<String, Prediction> = self
            .source_ids
            .iter()
            .zip(found)
            .map(|(id, matches)| {
                let candidates = matches.iter().map(|&(t, score)| TopCandidate {
                    reference_row_id: self.target_ids[t].clone(),
                    confidence: score,
                });
                let matched = matches
                    .first()
                    .filter(|m| m.1 > threshold)
                    .map(|m| self.target_ids[m.0].clone());
                (id.clone(), Prediction::new(matched, candidates))
            })
            .collect();
        let e = score::evaluate(&self.truth, &predictions);
        let best = e.best_f1_threshold.as_ref();
        (
            e.top1.f1.unwrap_or(0.0),
            best.and_then(|b| b.scores.f1).unwrap_or(0.0),
            best.map_or(0.0, |b| b.threshold),
        )
    }

    /// The best top-1 F1 a matcher can expect when nothing else goes wrong: a source whose
    /// asset's name is also another site's asset can only guess among the copies, unless
    /// `use_site` (the historian's site tells them apart).
    fn ceiling(&self, use_site: bool) -> f64 {
        let mut copies: HashMap<&str, usize> = HashMap::new();
        for t in &self.targets {
            *copies.entry(t[0].as_str()).or_default() += 1;
        }
        let index: HashMap<&str, usize> = self
            .target_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let (mut right, mut matched) = (0.0, 0.0);
        for t in &self.truth {
            let Some(id) = &t.reference_id else { continue };
            let target = index[id.as_str()];
            right += if use_site {
                1.0
            } else {
                1.0 / copies[self.targets[target][0].as_str()] as f64
            };
            matched += 1.0;
        }
        // Every wrong guess is a false positive and a false negative.
        let wrong = matched - right;
        2.0 * right / (2.0 * right + 2.0 * wrong)
    }
}

/// The threshold the unsupervised runs below use: above it a top match counts as proposed.
const UNSUPERVISED_THRESHOLD: f64 = 0.5;
/// For supervised models the score is a probability of a match.
const SUPERVISED_THRESHOLD: f64 = 0.5;

fn unsupervised(tags: &Tags, ft: FeatureType) -> (f64, f64, f64) {
    let cancel = CancelToken::new();
    let model = fit(ft, None, &[], &tags.targets, &[], &cancel).unwrap();
    let found = predict(&model, &tags.sources, &tags.targets, 3, None, &cancel).unwrap();
    tags.f1(&found, UNSUPERVISED_THRESHOLD)
}

fn supervised(tags: &Tags, ft: FeatureType, c: Classifier, labels: usize) -> (f64, f64, f64) {
    let cancel = CancelToken::new();
    let truth = tags.sample_truth(labels);
    let model: TrainedModel =
        fit(ft, Some(c), &tags.sources, &tags.targets, &truth, &cancel).unwrap();
    let found = predict(&model, &tags.sources, &tags.targets, 3, None, &cancel).unwrap();
    tags.f1(&found, SUPERVISED_THRESHOLD)
}

/// The default size of the generator, as the issue measures it.
const SIZE: (usize, usize) = (5_000, 20_000);

#[test]
fn unsupervised_matching_comes_close_to_what_names_allow() {
    for seed in [1, 2] {
        let tags = tags(SIZE.0, SIZE.1, seed);
        let ceiling = tags.ceiling(false);
        let (f1, _, _) = unsupervised(&tags, FeatureType::BigramExtraTokenizers);
        let (simple, _, _) = unsupervised(&tags, FeatureType::Simple);
        eprintln!(
            "seed {seed}: bigramextratokenizers {f1:.4}, simple {simple:.4}, ceiling {ceiling:.4}"
        );
        // Measured 0.8666 and 0.8763 against ceilings of 0.8788 and 0.8890.
        assert!(f1 > 0.84 && f1 > ceiling - 0.03, "{f1} {ceiling}");
        // Measured 0.7520 and 0.6682: case and zero padding defeat plain tokens.
        assert!(simple > 0.62 && simple < f1, "{simple}");
    }
}

#[test]
fn a_random_forest_on_200_labels_is_as_good() {
    for seed in [1, 2] {
        let tags = tags(SIZE.0, SIZE.1, seed);
        let ft = FeatureType::BigramExtraTokenizers;
        let (plain, _, _) = unsupervised(&tags, ft);
        let (f1, _, _) = supervised(&tags, ft, Classifier::RandomForest, 200);
        eprintln!("seed {seed}: unsupervised {plain:.4}, randomforest {f1:.4}");
        // Measured 0.8676 and 0.8768.
        assert!(f1 > 0.84 && f1 >= plain - 0.01, "{f1} vs {plain}");
    }
}

#[test]
fn unsupervised_matching_on_name_and_site_reaches_the_target() {
    // The target: top-1 F1 >= 0.95 unsupervised. Measured 0.9631, 0.9631, 0.9611, 0.9618.
    for seed in [1, 2, 3, 4] {
        let tags = tags(SIZE.0, SIZE.1, seed).with_site_field();
        let (f1, best, at) = unsupervised(&tags, FeatureType::BigramExtraTokenizers);
        eprintln!("seed {seed}: name+site unsupervised {f1:.4} (best {best:.4} above {at:.3})");
        assert!(f1 >= 0.95, "seed {seed}: {f1}");
    }
}

#[test]
fn a_site_field_lets_a_classifier_tell_copies_at_sister_sites_apart() {
    let tags = tags(SIZE.0, SIZE.1, 1);
    let ft = FeatureType::BigramExtraTokenizers;
    let (by_name, _, _) = supervised(&tags, ft, Classifier::AugmentedLogisticRegression, 200);
    let sited = tags.with_site_field();
    let (f1, _, _) = supervised(&sited, ft, Classifier::AugmentedLogisticRegression, 200);
    eprintln!(
        "by name {by_name:.4}, with the site field {f1:.4}, ceiling {:.4}",
        tags.ceiling(true)
    );
    // Measured 0.9891 (0.8696 by name alone).
    assert!(f1 > 0.97 && f1 > by_name + 0.05, "{f1} vs {by_name}");
}

#[test]
fn a_classifier_keeps_names_with_a_typo_whose_description_agrees() {
    // Seed 2's 200 labels happen to hold almost no typo: fitted on them alone, the classifier
    // learnt that a match agrees on its name to the letter and turned down the time series
    // with a typo whose site and description agree. The typo'd copies of some labels and the
    // coverage inputs keep them: measured 0.9936; 0.9914 with coverage but no copies.
    let tags = tags(SIZE.0, SIZE.1, 2)
        .with_site_field()
        .with_description_field();
    let ft = FeatureType::BigramExtraTokenizers;
    let (f1, _, _) = supervised(&tags, ft, Classifier::AugmentedLogisticRegression, 200);
    eprintln!("seed 2, name + site + description, 200 labels: {f1:.4}");
    assert!(f1 >= 0.993, "{f1}");
}

/// The full-size report: every feature type unsupervised, and the classifiers on 200 labels,
/// on 20,000 time series and 5,000 assets for two seeds; then the same with the site field.
#[test]
#[ignore]
fn report_top1_f1_on_20k_by_5k() {
    let row = |what: String, (f1, best, at): (f64, f64, f64), started: Instant| {
        let took = started.elapsed();
        eprintln!("  {what:<58} F1 {f1:.4} (best {best:.4} above {at:.3}) {took:.2?}");
    };
    for seed in [1, 2] {
        let tags = tags(5_000, 20_000, seed);
        eprintln!(
            "seed {seed}: ceiling {:.4} by name, {:.4} with the site field",
            tags.ceiling(false),
            tags.ceiling(true)
        );
        for ft in FeatureType::ALL {
            let started = Instant::now();
            let f1 = unsupervised(&tags, ft);
            row(format!("name, unsupervised {}", ft.as_str()), f1, started);
        }
        for ft in [FeatureType::BigramExtraTokenizers, FeatureType::Simple] {
            for c in Classifier::ALL {
                let started = Instant::now();
                let f1 = supervised(&tags, ft, c, 200);
                row(format!("name, {} {}", ft.as_str(), c.as_str()), f1, started);
            }
        }
        let sited = tags.with_site_field();
        let ft = FeatureType::BigramExtraTokenizers;
        let described = sited.with_description_field();
        for (what, t) in [("name+site", &sited), ("name+site+description", &described)] {
            for ft in [FeatureType::BigramExtraTokenizers, FeatureType::BigramCombo] {
                let started = Instant::now();
                let f1 = unsupervised(t, ft);
                row(format!("{what}, unsupervised {}", ft.as_str()), f1, started);
            }
        }
        for c in Classifier::ALL {
            let started = Instant::now();
            let f1 = supervised(&sited, ft, c, 200);
            row(
                format!("name+site, {} {}", ft.as_str(), c.as_str()),
                f1,
                started,
            );
        }
    }
}

/// 100,000 time series against 100,000 assets: unsupervised (the fastest and the slowest
/// feature type) and with a random forest on 200 labels.
#[test]
#[ignore]
fn predicts_a_hundred_thousand_by_a_hundred_thousand() {
    let tags = tags(100_000, 100_000, 1);
    let cancel = CancelToken::new();
    let runs = [
        (FeatureType::Simple, None),
        (FeatureType::BigramExtraTokenizers, None),
        (FeatureType::BigramCombo, None),
        (
            FeatureType::BigramExtraTokenizers,
            Some(Classifier::RandomForest),
        ),
    ];
    for (ft, classifier) in runs {
        let truth = if classifier.is_some() {
            tags.sample_truth(200)
        } else {
            Vec::new()
        };
        let started = Instant::now();
        let model = fit(
            ft,
            classifier,
            &tags.sources,
            &tags.targets,
            &truth,
            &cancel,
        )
        .unwrap();
        let fitted = started.elapsed();
        let started = Instant::now();
        let found = predict(&model, &tags.sources, &tags.targets, 5, None, &cancel).unwrap();
        let elapsed = started.elapsed();
        let threshold = if classifier.is_some() {
            SUPERVISED_THRESHOLD
        } else {
            UNSUPERVISED_THRESHOLD
        };
        let (f1, _, _) = tags.f1(&found, threshold);
        let name = classifier.map_or("unsupervised", Classifier::as_str);
        eprintln!(
            "100k x 100k {} {name}: fit {fitted:.2?}, predict top 5 {elapsed:.2?}, F1 {f1:.4}",
            ft.as_str()
        );
        assert_eq!(found.len(), 100_000);
        assert!(elapsed.as_secs() < 30, "{elapsed:?}");
    }
    // The worst case of candidate search: every source shares only a token every target has.
    let targets: Vec<Entity> = (0..100_000).map(|i| vec![format!("PUMP {i}")]).collect();
    let sources: Vec<Entity> = (0..100_000).map(|_| vec!["pump".to_string()]).collect();
    let model = fit(FeatureType::Bigram, None, &[], &targets, &[], &cancel).unwrap();
    let started = Instant::now();
    let found = predict(&model, &sources, &targets, 5, None, &cancel).unwrap();
    eprintln!(
        "100k x 100k sharing one common token: {:.2?}",
        started.elapsed()
    );
    assert!(found.iter().all(|m| m.len() == 5));
    assert!(started.elapsed().as_secs() < 30);
}
