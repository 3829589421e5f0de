//! Tests of the public entity-matching API: names, errors, the promises of predict, and what
//! supervision adds.

use super::*;

fn entities(values: &[&str]) -> Vec<Entity> {
    values.iter().map(|v| vec![v.to_string()]).collect()
}

fn run(
    model: &TrainedModel,
    sources: &[Entity],
    targets: &[Entity],
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    predict(model, sources, targets, k, None, &CancelToken::new()).unwrap()
}

fn unsupervised_model(ft: FeatureType, targets: &[Entity]) -> TrainedModel {
    fit(ft, None, &[], targets, &[], &CancelToken::new()).unwrap()
}

#[test]
fn names_serialise_as_the_spec_spells_them() {
    for f in FeatureType::ALL {
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, format!("\"{}\"", f.as_str()));
        assert_eq!(f.as_str().parse::<FeatureType>().unwrap(), f);
    }
    for c in Classifier::ALL {
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{}\"", c.as_str()));
        assert_eq!(c.as_str().parse::<Classifier>().unwrap(), c);
    }
    assert_eq!(
        "frequencyWeightedBigram".parse::<FeatureType>().unwrap(),
        FeatureType::FrequencyWeightedBigram
    );
    let err = "fuzzy".parse::<FeatureType>().unwrap_err();
    assert_eq!(err.to_string(), "unknown featureType \"fuzzy\"");
    assert!("svm".parse::<Classifier>().is_err());
}

#[test]
fn bad_inputs_are_refused_with_what_is_wrong() {
    let cancel = CancelToken::new();
    let t = entities(&["a"]);
    let err = fit(FeatureType::Simple, None, &t, &[], &[], &cancel).unwrap_err();
    assert!(matches!(err, EmError::NoTargets));
    let err = fit(FeatureType::Simple, None, &t, &t, &[(0, 1)], &cancel).unwrap_err();
    assert!(
        matches!(
            err,
            EmError::BadTrueMatch {
                index: 0,
                target_index: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "trueMatches[0] pairs source 0 with target 1, but there are 1 sources and 1 targets"
    );
    let two = vec![vec!["a".to_string(), "b".to_string()]];
    let err = fit(FeatureType::Simple, None, &t, &two, &[], &cancel).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sources[0] has 1 match field values where 2 were expected"
    );
    let none = vec![Vec::new()];
    assert!(matches!(
        fit(FeatureType::Simple, None, &[], &none, &[], &cancel),
        Err(EmError::NoFields)
    ));
    let model = unsupervised_model(FeatureType::Simple, &t);
    assert!(matches!(
        predict(&model, &t, &two, 1, None, &cancel),
        Err(EmError::FieldCount {
            side: "targets",
            ..
        })
    ));
    assert!(predict(&model, &[], &t, 1, None, &cancel)
        .unwrap()
        .is_empty());
}

#[test]
fn identical_values_score_one_and_disjoint_ones_are_no_candidates() {
    let targets = entities(&["21PT1019", "Pump A", "33-FT-7"]);
    for ft in FeatureType::ALL {
        let model = unsupervised_model(ft, &targets);
        let found = run(&model, &targets, &targets, 3);
        for (i, matches) in found.iter().enumerate() {
            assert_eq!(matches[0], (i, 1.0), "{ft:?}");
        }
        // "Pump A" and the others share no token.
        assert_eq!(found[1].len(), 1, "{ft:?}: {found:?}");
        let nothing = run(&model, &entities(&["valve", ""]), &targets, 3);
        assert_eq!(nothing, [vec![], vec![]], "{ft:?}");
    }
}

#[test]
fn matches_are_best_first_at_most_k_and_strictly_above_the_threshold() {
    let targets = entities(&["21PT1019", "21PT1020", "21FT1019", "21PT1019A", "KKL"]);
    let model = unsupervised_model(FeatureType::BigramExtraTokenizers, &targets);
    let sources = entities(&["KKL_21PT1019.PV"]);
    let all = run(&model, &sources, &targets, 10);
    let m = &all[0];
    assert_eq!(m.len(), 5);
    assert_eq!(m[0].0, 0, "{m:?}");
    assert!(m.windows(2).all(|w| w[0].1 >= w[1].1), "{m:?}");
    assert_eq!(run(&model, &sources, &targets, 2)[0], m[..2]);
    assert_eq!(run(&model, &sources, &targets, 0), [vec![]]);
    let cut = m[1].1;
    let cancel = CancelToken::new();
    let above = predict(&model, &sources, &targets, 10, Some(cut), &cancel).unwrap();
    assert_eq!(above[0], m[..1]);
    let below = predict(&model, &sources, &targets, 10, Some(cut - 1e-9), &cancel).unwrap();
    assert_eq!(below[0], m[..2]);
}

#[test]
fn a_cancelled_fit_or_predict_says_so() {
    let targets = entities(&["a b", "b c"]);
    let cancel = CancelToken::new();
    cancel.cancel();
    let model = unsupervised_model(FeatureType::Bigram, &targets);
    assert!(matches!(
        predict(&model, &targets, &targets, 1, None, &cancel),
        Err(EmError::Cancelled)
    ));
    let err = fit(
        FeatureType::Bigram,
        None,
        &targets,
        &targets,
        &[(0, 0)],
        &cancel,
    );
    assert!(matches!(err, Err(EmError::Cancelled)));
}

/// One letters-only token per `k`, so that two differ entirely.
fn noise(k: usize) -> String {
    let letter = |i: usize| (b'a' + (i % 26) as u8) as char;
    format!("colour{}{}", letter(k / 26), letter(k))
}

/// A case where a label-free score is misled: the first field is noise copied from wrong
/// targets, the second holds the key, in a form every target shares a token of. Source `j`
/// belongs to target `j`.
fn misleading(n: usize) -> (Vec<Entity>, Vec<Entity>) {
    let targets = (0..n)
        .map(|i| vec![noise(i % 40), format!("TAG {:04}", i)])
        .collect();
    let sources = (0..n)
        .map(|j| vec![noise((j + 7) % 40), format!("TAG {:04} X", j)])
        .collect();
    (sources, targets)
}

fn top1_accuracy(model: &TrainedModel, sources: &[Entity], targets: &[Entity], from: usize) -> f64 {
    let found = run(model, &sources[from..], targets, 1);
    let right = found
        .iter()
        .enumerate()
        .filter(|(j, m)| m.first().is_some_and(|&(t, _)| t == j + from))
        .count();
    right as f64 / found.len() as f64
}

#[test]
fn supervision_learns_which_field_matters() {
    let (sources, targets) = misleading(240);
    let cancel = CancelToken::new();
    let truth: Vec<(usize, usize)> = (0..60).map(|j| (j, j)).collect();
    let unsupervised = unsupervised_model(FeatureType::Bigram, &targets);
    let base = top1_accuracy(&unsupervised, &sources, &targets, 60);
    assert!(base < 0.1, "{base}");
    for c in Classifier::ALL {
        let model = fit(
            FeatureType::Bigram,
            Some(c),
            &sources,
            &targets,
            &truth,
            &cancel,
        )
        .unwrap();
        assert_eq!(model.classifier(), Some(c));
        let (positives, negatives) = model.training_rows();
        // The 60 true matches, and copies of some of them with a typo.
        assert!((60..=90).contains(&positives), "{positives}");
        assert!(negatives >= 60 * 5, "{negatives}");
        let accuracy = top1_accuracy(&model, &sources, &targets, 60);
        assert!(accuracy >= 0.95 && accuracy >= base, "{c:?}: {accuracy}");
        // Scores are probabilities.
        let found = run(&model, &sources[60..], &targets, 5);
        assert!(found.iter().flatten().all(|m| (0.0..=1.0).contains(&m.1)));
    }
}

#[test]
fn the_same_fit_gives_the_same_model_json_and_it_round_trips() {
    let (sources, targets) = misleading(120);
    let cancel = CancelToken::new();
    let truth: Vec<(usize, usize)> = (0..40).map(|j| (j, j)).collect();
    for c in Classifier::ALL {
        for ft in [
            FeatureType::FrequencyWeightedBigram,
            FeatureType::BigramCombo,
        ] {
            let a = fit(ft, Some(c), &sources, &targets, &truth, &cancel).unwrap();
            let b = fit(ft, Some(c), &sources, &targets, &truth, &cancel).unwrap();
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, serde_json::to_string(&b).unwrap(), "{c:?} {ft:?}");
            let back: TrainedModel = serde_json::from_str(&json).unwrap();
            assert_eq!(back.feature_type(), ft);
            // serde_json reads floats back to within an ulp, not always to the bit.
            let (again, before) = (
                run(&back, &sources, &targets, 3),
                run(&a, &sources, &targets, 3),
            );
            for (x, y) in again.iter().flatten().zip(before.iter().flatten()) {
                assert!(x.0 == y.0 && (x.1 - y.1).abs() < 1e-12, "{c:?} {ft:?}");
            }
        }
    }
    let unsupervised = unsupervised_model(FeatureType::Simple, &targets);
    let json = serde_json::to_string(&unsupervised).unwrap();
    assert_eq!(
        json,
        r#"{"featureType":"simple","classifier":null,"fields":2,"positives":0,"negatives":0}"#
    );
}

#[test]
fn a_model_that_does_not_fit_its_fields_is_refused() {
    let (sources, targets) = misleading(60);
    let truth: Vec<(usize, usize)> = (0..20).map(|j| (j, j)).collect();
    let cancel = CancelToken::new();
    let model = fit(
        FeatureType::Bigram,
        Some(Classifier::LogisticRegression),
        &sources,
        &targets,
        &truth,
        &cancel,
    )
    .unwrap();
    let mut json: serde_json::Value = serde_json::to_value(&model).unwrap();
    json["featureType"] = "simple".into();
    let damaged: TrainedModel = serde_json::from_value(json.clone()).unwrap();
    let err = predict(&damaged, &sources, &targets, 1, None, &cancel).unwrap_err();
    assert!(matches!(err, EmError::BadModel(_)), "{err}");
    json["featureType"] = "frequencyweightedbigram".into();
    let damaged: TrainedModel = serde_json::from_value(json.clone()).unwrap();
    let err = predict(&damaged, &sources, &targets, 1, None, &cancel).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the trained model is inconsistent: frequencyweightedbigram needs token statistics for 2 fields"
    );
    json["featureType"] = "bigram".into();
    json.as_object_mut().unwrap().remove("fitted");
    let damaged: TrainedModel = serde_json::from_value(json).unwrap();
    let err = predict(&damaged, &sources, &targets, 1, None, &cancel).unwrap_err();
    assert!(matches!(err, EmError::BadModel(_)), "{err}");
}

#[test]
fn tokens_are_those_the_feature_type_compares() {
    assert_eq!(tokens(FeatureType::Simple, "KKL_21pt"), ["KKL", "21", "pt"]);
    assert_eq!(
        tokens(FeatureType::Insensitive, "KKL_21pt"),
        ["kkl", "21", "pt"]
    );
    assert_eq!(
        tokens(FeatureType::BigramExtraTokenizers, "21-PT-0042"),
        ["21", "pt", "42"]
    );
}

/// Tags of scattered loop numbers (`20PT1000`...), four to a description; sources are the same
/// tags as a historian writes them (`20-PT-1000.PV`).
fn tags_with_descriptions(n: usize) -> (Vec<Entity>, Vec<Entity>) {
    const PLACES: [&str; 20] = [
        "inlet",
        "outlet",
        "header",
        "drum",
        "pump",
        "cooler",
        "heater",
        "column",
        "tank",
        "line",
        "scrubber",
        "separator",
        "manifold",
        "compressor",
        "reboiler",
        "condenser",
        "filter",
        "valve",
        "skid",
        "vessel",
    ];
    const MEDIA: [&str; 20] = [
        "crude",
        "gas",
        "water",
        "glycol",
        "diesel",
        "air",
        "steam",
        "oil",
        "flare",
        "fuel",
        "export",
        "seawater",
        "methanol",
        "nitrogen",
        "slop",
        "drain",
        "condensate",
        "produced",
        "injection",
        "lube",
    ];
    let description = |i: usize| {
        let k = i / 4;
        format!(
            "Pressure transmitter, {} {}",
            MEDIA[k / 20 % 20],
            PLACES[k % 20]
        )
    };
    let number = |i: usize| 1000 + i * 7919 % 9000;
    let targets = (0..n)
        .map(|i| vec![format!("{}PT{}", 20 + i % 30, number(i)), description(i)])
        .collect();
    let sources = (0..n)
        .map(|i| {
            vec![
                format!("{}-PT-{}.PV", 20 + i % 30, number(i)),
                description(i),
            ]
        })
        .collect();
    (sources, targets)
}

#[test]
fn a_supervised_model_keeps_a_match_with_a_typo_in_its_name_when_the_rest_agrees() {
    let (mut sources, targets) = tags_with_descriptions(400);
    let cancel = CancelToken::new();
    // Confirmed matches are clean: none of them shows what a typo does.
    let truth: Vec<(usize, usize)> = (0..120).map(|j| (j, j)).collect();
    // Sources 200..300 have a typo in the last digit of their loop number.
    for s in &mut sources[200..300] {
        let at = s[0].len() - 4;
        let digit = s[0].as_bytes()[at] - b'0';
        s[0].replace_range(at..=at, &((digit + 5) % 10).to_string());
    }
    // Tags of no asset: a loop number no target has and a description of their own.
    let missing: Vec<Entity> = (0..100)
        .map(|j| {
            vec![
                format!("{}-PT-{}.PV", 20 + j % 30, 10_000 + j * 37),
                format!("Level indicator, unit {j}"),
            ]
        })
        .collect();
    let model = fit(
        FeatureType::BigramExtraTokenizers,
        Some(Classifier::AugmentedLogisticRegression),
        &sources,
        &targets,
        &truth,
        &cancel,
    )
    .unwrap();
    let matched = |found: &[Vec<(usize, f64)>], from: usize| {
        found
            .iter()
            .enumerate()
            .filter(|(j, m)| m.first().is_some_and(|&(t, _)| t == j + from))
            .count()
    };
    let typos = predict(&model, &sources[200..300], &targets, 1, Some(0.5), &cancel).unwrap();
    assert!(matched(&typos, 200) >= 90, "{typos:?}");
    let clean = predict(&model, &sources[300..], &targets, 1, Some(0.5), &cancel).unwrap();
    assert_eq!(matched(&clean, 300), 100);
    let none = predict(&model, &missing, &targets, 1, Some(0.5), &cancel).unwrap();
    assert!(none.iter().all(Vec::is_empty), "{none:?}");
}
