//! Strategies on a real workspace file: stored and read back whole, new versions written only over
//! the one before, listed newest first (all, or one config's) with cursor paging, and what
//! deleting their config or their reference data does to them.

mod common;

use common::*;
use engine::{Column, Dataset, DatasetKind, Record};
use serde_json::json;
use store::{StoreError, StrategyListQuery, StrategyRecord};

/// Reference data [`REF`] with two rows, for the strategies' foreign key.
fn reference(w: &Workspace, id: &str) {
    let dataset = Dataset {
        id: id.into(),
        kind: DatasetKind::Reference,
        name: "orders".into(),
        source_type: "csv".into(),
        source_file: None,
        columns: vec![Column {
            name: "po".into(),
            kind: "string".into(),
        }],
        row_count: 2,
        id_column: None,
        filename_column: None,
        created_at: T0.into(),
        status: Default::default(),
        version: 1,
        error: None,
        rows_imported: None,
        sql: None,
    };
    let rows: Vec<Record> = (0..2)
        .map(|i| Record {
            id: format!("row-{i}"),
            values: vec![format!("PO-{i}")],
        })
        .collect();
    w.store.insert_reference_dataset(&dataset, &rows).unwrap();
}

fn strategy(id: &str, config: Option<&str>, created_at: &str) -> StrategyRecord {
    StrategyRecord {
        id: id.into(),
        name: None,
        matching_config_id: config.map(str::to_string),
        reference_data_id: REF.into(),
        document_set_id: Some("docs".into()),
        target_type: "run".into(),
        user_prompt: Some("prioritise the po".into()),
        strategy: json!({
            "threshold": 0.8,
            "thresholds": {"match": 0.8, "review_floor": 0.5},
            "field_mappings": [{"source": "po", "target": "po", "strategy": "exact", "weight": 1.0}],
            "hard_filters": ["kept as written"]
        }),
        version: 1,
        version_hash: "0123456789ab".into(),
        created_at: created_at.into(),
        updated_at: created_at.into(),
    }
}

fn ids(list: Vec<StrategyRecord>) -> Vec<String> {
    list.into_iter().map(|s| s.id).collect()
}

fn query(
    config: Option<&str>,
    after: Option<&StrategyRecord>,
    limit: Option<u32>,
) -> StrategyListQuery {
    StrategyListQuery {
        matching_config_id: config.map(str::to_string),
        after: after.map(|s| (s.created_at.clone(), s.id.clone())),
        limit,
    }
}

#[test]
fn a_strategy_is_read_back_as_stored_and_survives_a_restart() {
    let w = Workspace::new();
    reference(&w, REF);
    w.store.insert_config(&config("c")).unwrap();
    let s = strategy("s1", Some("c"), T0);
    w.store.insert_strategy(&s).unwrap();
    assert_eq!(w.store.get_strategy("s1").unwrap(), s);
    let w = w.reopen();
    assert_eq!(w.store.get_strategy("s1").unwrap(), s);
    assert!(matches!(
        w.store.get_strategy("nope"),
        Err(StoreError::NotFound {
            kind: "strategy",
            ..
        })
    ));
}

#[test]
fn a_new_version_lands_only_over_the_one_before_it() {
    let w = Workspace::new();
    reference(&w, REF);
    let mut s = strategy("s1", None, T0);
    w.store.insert_strategy(&s).unwrap();

    s.version = 2;
    s.name = Some("tuned".into());
    s.strategy["threshold"] = json!(0.9);
    s.version_hash = "ba9876543210".into();
    s.updated_at = T1.into();
    w.store.update_strategy(&s).unwrap();
    assert_eq!(w.store.get_strategy("s1").unwrap(), s);

    // A second edit made from version 1 meanwhile: refused, version 2 stays.
    let mut late = strategy("s1", None, T0);
    late.version = 2;
    late.strategy["threshold"] = json!(0.7);
    assert!(matches!(
        w.store.update_strategy(&late),
        Err(StoreError::Stale(_))
    ));
    assert_eq!(w.store.get_strategy("s1").unwrap(), s);

    let mut missing = strategy("nope", None, T0);
    missing.version = 2;
    assert!(matches!(
        w.store.update_strategy(&missing),
        Err(StoreError::NotFound { .. })
    ));
    // The creation fields never change with a new version.
    let stored = w.store.get_strategy("s1").unwrap();
    assert_eq!(stored.created_at, T0);
    assert_eq!(stored.user_prompt.as_deref(), Some("prioritise the po"));
}

#[test]
fn lists_are_newest_first_by_config_and_page_without_loss() {
    let w = Workspace::new();
    reference(&w, REF);
    w.store.insert_config(&config("c")).unwrap();
    w.store.insert_config(&config("d")).unwrap();
    // Two at the same instant: the id breaks the tie.
    for (id, config, at) in [
        ("a", Some("c"), T0),
        ("b", None, T1),
        ("c2", Some("c"), T2),
        ("c1", Some("d"), T2),
        ("e", Some("c"), T3),
    ] {
        w.store.insert_strategy(&strategy(id, config, at)).unwrap();
    }
    let all = w.store.list_strategies(&query(None, None, None)).unwrap();
    assert_eq!(ids(all.clone()), ["e", "c1", "c2", "b", "a"]);
    assert_eq!(w.store.count_strategies(None).unwrap(), 5);

    let of_c = ids(w
        .store
        .list_strategies(&query(Some("c"), None, None))
        .unwrap());
    assert_eq!(of_c, ["e", "c2", "a"]);
    assert_eq!(w.store.count_strategies(Some("c")).unwrap(), 3);
    assert_eq!(w.store.count_strategies(Some("none")).unwrap(), 0);

    // Pages of two, each starting after the last one seen.
    let mut seen = Vec::new();
    let mut after: Option<StrategyRecord> = None;
    loop {
        let page = w
            .store
            .list_strategies(&query(None, after.as_ref(), Some(2)))
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        after = page.last().cloned();
        seen.extend(ids(page));
    }
    assert_eq!(seen, ids(all));
    let rest = w
        .store
        .list_strategies(&query(Some("c"), Some(&strategy("c2", None, T2)), None))
        .unwrap();
    assert_eq!(ids(rest), ["a"]);
}

#[test]
fn strategies_outlive_their_config_but_not_their_reference_data() {
    let w = Workspace::new();
    reference(&w, REF);
    reference(&w, "other");
    w.store.insert_config(&config("c")).unwrap();
    w.store
        .insert_strategy(&strategy("s1", Some("c"), T0))
        .unwrap();
    let mut elsewhere = strategy("s2", None, T1);
    elsewhere.reference_data_id = "other".into();
    w.store.insert_strategy(&elsewhere).unwrap();

    w.store.delete_config("c").unwrap();
    let kept = w.store.get_strategy("s1").unwrap();
    assert_eq!(kept.matching_config_id, None);
    assert_eq!(kept.version, 1);

    w.store.delete_dataset(REF).unwrap();
    assert!(matches!(
        w.store.get_strategy("s1"),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        ids(w.store.list_strategies(&query(None, None, None)).unwrap()),
        ["s2"]
    );
}

#[test]
fn a_strategy_needs_existing_reference_data_and_config() {
    let w = Workspace::new();
    reference(&w, REF);
    let mut s = strategy("s1", Some("no-such-config"), T0);
    assert!(w.store.insert_strategy(&s).is_err());
    s.matching_config_id = None;
    s.reference_data_id = "no-such-data".into();
    assert!(w.store.insert_strategy(&s).is_err());
    assert_eq!(w.count("SELECT count(*) FROM strategies"), 0);
}
