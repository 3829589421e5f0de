//! Strategies learned from two generated tables with no config and no labels: the column pairs
//! found by values (also under other column names), the parameters read off the data, the
//! accuracy of a run and a smart run with what was learned, the prompt, labels and cancel.

use std::collections::HashMap;

use datagen::in_memory::{match_all, ConfigFile};
use datagen::score;
use engine::index::ReferenceIndex;
use engine::learn::{
    propose, propose_with, read_prompt, refit_model, Estimated, Label, PromptHints, StrategyPlan,
    Tables,
};
use engine::progress::NoProgress;
use engine::run::MatchPlan;
use engine::{CancelToken, Document, EngineError, FieldMapping, Normalizer, Record, Strategy};

/// Two tables as the importer reads them, with the truth.
struct Set {
    ref_columns: Vec<String>,
    reference: Vec<Record>,
    doc_columns: Vec<String>,
    documents: Vec<Document>,
    truth: Vec<score::TruthRow>,
    skip_ref: Vec<String>,
    skip_doc: Vec<String>,
}

fn read(name: &str, text: &str) -> import::Table {
    import::read_csv_bytes(name, text.as_bytes(), &Default::default()).unwrap()
}

fn set(
    refs: &str,
    ref_id: &str,
    docs: &str,
    doc_id: &str,
    truth: &str,
    filename: Option<&str>,
) -> Set {
    let (r, d) = (read("reference.csv", refs), read("documents.csv", docs));
    Set {
        reference: import::to_records(&r, Some(ref_id)).unwrap(),
        documents: import::to_documents(&d, Some(doc_id), filename).unwrap(),
        ref_columns: r.columns,
        doc_columns: d.columns,
        truth: score::parse_truth(truth.as_bytes(), "truth.csv").unwrap(),
        skip_ref: vec![ref_id.to_owned()],
        skip_doc: std::iter::once(doc_id.to_owned())
            .chain(filename.map(str::to_owned))
            .collect(),
    }
}

fn invoices() -> Set {
    invoices_of(3000, 1000, 7)
}

fn invoices_of(purchase_orders: usize, invoices: usize, seed: u64) -> Set {
    let data = datagen::demo::generate(&datagen::demo::DemoSpec {
        purchase_orders,
        invoices,
        seed,
    });
    set(
        &data.purchase_orders_csv,
        "po_id",
        &data.invoices_csv,
        "document_id",
        &data.truth_csv,
        Some("document_filename"),
    )
}

fn people() -> Set {
    let data = datagen::people::generate(&datagen::people::PeopleSpec {
        originals: 2000,
        seed: 11,
    });
    set(
        &data.reference_csv,
        "rec_id",
        &data.documents_csv,
        "rec_id",
        &data.truth_csv,
        None,
    )
}

impl Set {
    /// A reviewer's approvals of the first `n` true matches.
    fn approved(&self, n: usize) -> Vec<Label> {
        self.truth
            .iter()
            .filter_map(|t| {
                Some(Label {
                    document_id: t.document_id.clone(),
                    reference_row_id: t.reference_id.clone()?,
                    is_match: true,
                })
            })
            .take(n)
            .collect()
    }

    fn tables(&self) -> Tables<'_> {
        Tables {
            reference_columns: &self.ref_columns,
            reference: &self.reference,
            document_columns: &self.doc_columns,
            documents: &self.documents,
            skip_reference: &self.skip_ref,
            skip_documents: &self.skip_doc,
            index: None,
        }
    }

    fn learn(&self, prompt: Option<&str>) -> StrategyPlan {
        let columns: Vec<&String> = self.ref_columns.iter().chain(&self.doc_columns).collect();
        propose(
            &self.tables(),
            &read_prompt(prompt, &columns),
            &CancelToken::new(),
        )
        .unwrap()
        .expect("not cancelled")
    }

    /// Top-1 F1 of a run of the plan's config, or of a smart run with its model.
    fn f1(&self, plan: &StrategyPlan, smart: bool) -> f64 {
        let config = ConfigFile {
            field_mappings: plan.field_mappings.clone(),
            threshold: plan.threshold,
            review_floor: Some(plan.thresholds.review_floor),
            one_to_one: Some(plan.one_to_one),
        };
        let mut run = config.plan(&self.ref_columns, &self.doc_columns).unwrap();
        if smart {
            run = run.with_model(plan.model.clone()).unwrap();
        }
        let (matches, _) = match_all(&run, &self.reference, &self.documents);
        let e = score::evaluate(&self.truth, &score::predictions_of_matches(&matches));
        e.top1.f1.unwrap()
    }
}

fn mapping<'a>(plan: &'a StrategyPlan, source: &str) -> Option<&'a FieldMapping> {
    plan.field_mappings.iter().find(|m| m.source == source)
}

#[test]
fn invoices_are_mapped_by_values_with_the_tax_rates_and_date_window_the_data_shows() {
    let s = invoices();
    let plan = s.learn(None);
    let po = mapping(&plan, "po_reference").expect("PO reference mapped");
    assert_eq!(po.target, "po_number");
    assert_eq!(po.normalizer, Some(Normalizer::Reference));
    assert_eq!(mapping(&plan, "vendor_name").unwrap().target, "vendor_name");
    let amount = mapping(&plan, "total_amount").expect("amount mapped");
    assert_eq!(
        (amount.target.as_str(), amount.strategy),
        ("net_amount", Strategy::NumericRange)
    );
    let rates = amount.tax_rates.clone().unwrap_or_default();
    assert!(rates.contains(&19.0), "VAT rates found: {rates:?}");
    let date = mapping(&plan, "invoice_date").expect("date mapped");
    assert_eq!(
        (date.target.as_str(), date.strategy),
        ("order_date", Strategy::DateRange)
    );
    assert!(date.days_after.unwrap_or(0) >= 14, "{date:?}");
    // An invoice's own number is in no reference column.
    assert!(mapping(&plan, "invoice_number").is_none());
    assert!(plan.edge_cases.iter().any(|e| e.contains("invoice_number")));
    let total: f64 = plan.field_mappings.iter().map(|m| m.weight).sum();
    assert!((total - 1.0).abs() < 1e-3, "weights add up to {total}");
    assert!(plan.field_mappings.iter().all(|m| m.rationale.is_some()));
    assert!(
        !plan.one_to_one,
        "invoices share orders (partial deliveries)"
    );
    let (run, smart) = (s.f1(&plan, false), s.f1(&plan, true));
    assert!(
        run >= 0.97 && smart >= 0.97,
        "F1 run {run}, smart run {smart}"
    );
}

#[test]
fn an_identifier_weighs_what_its_rarity_says_not_what_random_pairs_can_show() {
    // 40,000 orders, each with its own number: two rows share one a time in 40,000, which the
    // 4,000 random pairs a strategy draws cannot show (they share none).
    let plan = invoices_of(40_000, 400, 11).learn(None);
    let po = (plan.field_estimates.iter())
        .find(|e| e.source == "po_reference")
        .expect("PO reference mapped");
    assert!(
        (po.u[2] * 40_000.0 - 1.0).abs() < 0.05,
        "u of the same PO number: {}",
        po.u[2]
    );
    // About 15 bits (m / u), where the smoothing of 4,000 pairs allowed about 13.
    assert!(po.match_weight[2] > 14.5, "{po:?}");
}

#[test]
fn people_are_mapped_column_by_column_even_under_other_names() {
    let mut s = people();
    // The reference names its columns otherwise and in another order: values decide.
    let renames: HashMap<&str, &str> = [
        ("given_name", "first"),
        ("surname", "family"),
        ("date_of_birth", "born"),
        ("suburb", "locality"),
    ]
    .into_iter()
    .collect();
    for c in &mut s.ref_columns {
        if let Some(n) = renames.get(c.as_str()) {
            *c = n.to_string();
        }
    }
    let order: Vec<usize> = (0..s.ref_columns.len()).rev().collect();
    s.ref_columns = order.iter().map(|&i| s.ref_columns[i].clone()).collect();
    for r in &mut s.reference {
        r.values = order.iter().map(|&i| r.values[i].clone()).collect();
    }
    let plan = s.learn(None);
    for (source, target) in [
        ("given_name", "first"),
        ("surname", "family"),
        ("suburb", "locality"),
        ("postcode", "postcode"),
        ("address_1", "address_1"),
    ] {
        assert_eq!(
            mapping(&plan, source).map(|m| m.target.as_str()),
            Some(target),
            "{source}"
        );
    }
    let born = mapping(&plan, "date_of_birth").expect("birth date mapped");
    assert_eq!(
        (born.target.as_str(), born.tolerance_days),
        ("born", Some(0))
    );
    let model = plan.model.as_ref().expect("a smart-run model");
    assert_eq!(model.field_weights.len(), plan.field_mappings.len());
    assert!(model.threshold > model.review_floor);
    // How common a shared name is counts (term-frequency adjustment), and only for names: the
    // address fields agree together, and their rarity would be counted once per field.
    let rarity: Vec<(&str, f64)> = (plan.field_mappings.iter())
        .zip(&model.rarity_weights)
        .map(|(m, &w)| (m.source.as_str(), w))
        .collect();
    assert_eq!(rarity.len(), plan.field_mappings.len(), "{rarity:?}");
    assert!(
        rarity.iter().all(|&(source, w)| w == 0.0
            || ["given_name", "surname"].contains(&source) && (0.0..=1.0).contains(&w)),
        "{rarity:?}"
    );
    assert!(rarity.iter().any(|&(_, w)| w > 0.0), "{rarity:?}");
    let (run, smart) = (s.f1(&plan, false), s.f1(&plan, true));
    assert!(
        run >= 0.97 && smart >= 0.97,
        "F1 run {run}, smart run {smart}"
    );
    // A smart run's evidence carries the rarity of a weighed shared name, and the field's match
    // weight includes it.
    let config = ConfigFile {
        field_mappings: plan.field_mappings.clone(),
        threshold: plan.threshold,
        review_floor: Some(plan.thresholds.review_floor),
        one_to_one: Some(plan.one_to_one),
    };
    let run = (config.plan(&s.ref_columns, &s.doc_columns).unwrap())
        .with_model(Some(model.clone()))
        .unwrap();
    let (matches, _) = match_all(&run, &s.reference, &s.documents);
    let mut rare_seen = 0;
    for c in matches.iter().flat_map(|m| &m.candidates) {
        for (f, e) in c.evidence.iter().enumerate() {
            let weighed = model.rarity_weights[f] != 0.0 && !e.missing && e.score >= 1.0;
            assert_eq!(e.rarity.is_some(), weighed, "{e:?}");
            if let Some(r) = e.rarity {
                rare_seen += 1;
                let expected = model.match_weight(f, e.score) + model.rarity_weights[f] * r;
                assert!((e.match_weight.unwrap() - expected).abs() < 1e-9, "{e:?}");
            }
        }
    }
    assert!(rare_seen > 100, "{rare_seen}");
}

#[test]
fn a_prompt_leaves_out_and_prioritises_the_columns_it_names() {
    let s = invoices();
    let plain = s.learn(None);
    let asked = s.learn(Some("ignore the description, and prioritise vendor_name"));
    assert!(mapping(&plain, "description").is_some());
    assert!(mapping(&asked, "description").is_none());
    assert!(asked.edge_cases.iter().any(|e| e.contains("prompt asked")));
    let share = |p: &StrategyPlan| {
        let v = mapping(p, "vendor_name").unwrap().weight;
        let po = mapping(p, "po_reference").unwrap().weight;
        v / po
    };
    assert!(
        share(&asked) > 1.5 * share(&plain),
        "{} vs {}",
        share(&asked),
        share(&plain)
    );
    assert!(asked
        .prompt_notes
        .as_deref()
        .unwrap()
        .contains("vendor_name"));
}

#[test]
fn reviewer_decisions_are_learned_from_and_never_make_it_worse() {
    let s = people();
    let plain = s.learn(None);
    let truth: Vec<&score::TruthRow> = s
        .truth
        .iter()
        .filter(|t| t.reference_id.is_some())
        .collect();
    let labels: Vec<Label> = truth
        .iter()
        .take(50)
        .map(|t| Label {
            document_id: t.document_id.clone(),
            reference_row_id: t.reference_id.clone().unwrap(),
            is_match: true,
        })
        .chain(truth.iter().skip(50).take(20).map(|t| Label {
            document_id: t.document_id.clone(),
            // Another row: a wrong pair a reviewer rejected.
            reference_row_id: s.reference[0].id.clone(),
            is_match: false,
        }))
        .collect();
    let taught = propose_with(
        &s.tables(),
        &PromptHints::default(),
        &labels,
        &CancelToken::new(),
    )
    .unwrap()
    .unwrap();
    let (before, after) = (s.f1(&plain, true), s.f1(&taught, true));
    assert!(
        after >= before - 0.002,
        "F1 {before} before labels, {after} after"
    );
}

#[test]
fn a_refit_from_the_strategys_estimates_stays_its_model_and_learns_the_decisions() {
    let s = people();
    let plan = s.learn(None);
    let model = plan.model.clone().unwrap();
    let estimated = Estimated {
        fields: &plan.field_estimates,
        match_share: plan.match_share,
    };
    let refit = |labels: &[Label]| {
        refit_model(
            &s.tables(),
            &plan.field_mappings,
            estimated,
            labels,
            &CancelToken::new(),
        )
        .unwrap()
        .unwrap()
    };
    // Without decisions: the strategy's model again, up to the sample's noise.
    let again = refit(&[]);
    for (a, b) in again.field_weights.iter().zip(&model.field_weights) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1.5, "{again:?}\nagainst\n{model:?}");
        }
    }
    // The threshold itself may move: expected F1 is flat across the few confidences between
    // sure matches and sure non-matches, so another sample picks another point of the plateau.
    // What must not move is what the model decides.
    let untaught = StrategyPlan {
        model: Some(again),
        ..plan.clone()
    };
    let (before, same) = (s.f1(&plan, true), s.f1(&untaught, true));
    assert!(
        (same - before).abs() <= 0.002,
        "F1 {before} with the strategy's model, {same} refitted without decisions"
    );
    // With decisions the smart run is no worse.
    let labels = s.approved(50);
    let taught = StrategyPlan {
        model: Some(refit(&labels)),
        ..plan.clone()
    };
    let after = s.f1(&taught, true);
    assert!(
        after >= before - 0.002,
        "F1 {before} before labels, {after} after"
    );
    // A strategy of other fields is refused, naming it.
    let short = Estimated {
        fields: &plan.field_estimates[1..],
        match_share: plan.match_share,
    };
    let e = refit_model(
        &s.tables(),
        &plan.field_mappings,
        short,
        &[],
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("strategy"), "{e}");
}

/// A smart run fits its model on a sample matched through the run's own index of the reference
/// (built for the config's threshold and review floor) instead of building a second one; the
/// model must be the one a fit with an index of its own makes.
#[test]
fn a_refit_through_the_runs_index_is_the_refit_that_indexes_for_itself() {
    for s in [people(), invoices()] {
        let plan = s.learn(None);
        let estimated = Estimated {
            fields: &plan.field_estimates,
            match_share: plan.match_share,
        };
        let labels = s.approved(50);
        let run_plan = MatchPlan::new(&plan.field_mappings, 0.8, &s.ref_columns, &s.doc_columns)
            .unwrap()
            .with_review_floor(0.3);
        let index =
            ReferenceIndex::build(&run_plan, &s.reference, &NoProgress, &CancelToken::new())
                .unwrap();
        // The fit's own plan: the same comparisons, searched down to a floor of 0.05.
        let fit_plan = MatchPlan::new(&plan.field_mappings, 0.99, &s.ref_columns, &s.doc_columns)
            .unwrap()
            .with_review_floor(0.05);
        assert!(index.serves(&fit_plan));
        let refit = |index: Option<&ReferenceIndex>| {
            let tables = Tables {
                index,
                ..s.tables()
            };
            let fitted = refit_model(
                &tables,
                &plan.field_mappings,
                estimated,
                &labels,
                &CancelToken::new(),
            );
            fitted.unwrap().unwrap()
        };
        assert_eq!(refit(Some(&index)), refit(None));
        // Other weights make other bounds: that index is not reused.
        let mut heavier = plan.field_mappings.clone();
        heavier[0].weight *= 2.0;
        let other = MatchPlan::new(&heavier, 0.99, &s.ref_columns, &s.doc_columns).unwrap();
        assert!(!index.serves(&other.with_review_floor(0.05)));
    }
}

#[test]
fn cancel_stops_learning_and_empty_tables_are_refused_naming_the_field() {
    let s = invoices();
    let cancel = CancelToken::new();
    cancel.cancel();
    assert!(propose(&s.tables(), &PromptHints::default(), &cancel)
        .unwrap()
        .is_none());
    let empty = Tables {
        documents: &[],
        ..s.tables()
    };
    let err = propose(&empty, &PromptHints::default(), &CancelToken::new()).unwrap_err();
    let EngineError::Validation { field, .. } = err;
    assert_eq!(field, "document_set_id");
}
