//! Tests of the search at the threshold through pair tables.

use super::*;
use crate::domain::{Document, FieldMapping, FuzzyMeasure, Strategy};
use crate::progress::NoProgress;

const GIVEN: [&str; 10] = [
    "amelia",
    "benjamin",
    "charlotte",
    "dominic",
    "eleanor",
    "frederick",
    "georgina",
    "harrison",
    "isabella",
    "jonathan",
];
const SURNAME: [&str; 10] = [
    "anderson",
    "blackwood",
    "castellano",
    "donovan",
    "ellsworth",
    "fitzgerald",
    "galloway",
    "hutchinson",
    "ingram",
    "jefferson",
];
/// Each suburb has its own postcode: the two columns go together.
const SUBURB: [(&str, &str); 8] = [
    ("ashgrove", "4060"),
    ("bulimba", "4171"),
    ("coorparoo", "4151"),
    ("deagon", "4017"),
    ("enoggera", "4051"),
    ("fairfield", "4103"),
    ("graceville", "4075"),
    ("herston", "4006"),
];
const COLUMNS: [&str; 5] = ["given", "surname", "suburb", "postcode", "born"];

/// Names by Jaro-Winkler (0.8), suburb and postcode exactly, the birth date to the day;
/// threshold 0.5 under a review floor of 0.3, bands filled on reading.
fn plan() -> MatchPlan {
    let fuzzy = |name: &str| {
        let mut m = FieldMapping::new(name, name, Strategy::Fuzzy, 0.25);
        m.measure = Some(FuzzyMeasure::JaroWinkler);
        m.similarity_threshold = Some(0.8);
        m
    };
    let mut born = FieldMapping::new("born", "born", Strategy::DateRange, 0.3);
    born.tolerance_days = Some(0);
    let mappings = [
        fuzzy("given"),
        fuzzy("surname"),
        FieldMapping::new("suburb", "suburb", Strategy::Exact, 0.1),
        FieldMapping::new("postcode", "postcode", Strategy::Exact, 0.1),
        born,
    ];
    let cols: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let mut plan = MatchPlan::new(&mappings, 0.5, &cols, &cols).unwrap();
    plan.review_floor = 0.3;
    plan.with_band_on_demand(true)
}

/// 400 people: each given name, surname and suburb is shared by 40 to 50 of them (blocks too
/// large to compare whole), each given name and surname together by four, each birth day by one.
fn town() -> Vec<Record> {
    (0..400usize)
        .map(|i| {
            let (suburb, postcode) = SUBURB[(i * 3) % SUBURB.len()];
            let day = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
                + chrono::Duration::days(17 * i as i64);
            Record {
                id: format!("p{i}"),
                values: vec![
                    GIVEN[i % 10].into(),
                    SURNAME[(i / 10) % 10].into(),
                    suburb.into(),
                    postcode.into(),
                    day.format("%Y-%m-%d").to_string(),
                ],
            }
        })
        .collect()
}

fn prepared(plan: &MatchPlan, doc: &[&str]) -> Vec<Prepared> {
    (plan.fields.iter().zip(doc))
        .map(|(f, raw)| prepare_spec(&f.spec, raw, &DateOrderProfile::default()))
        .collect()
}

/// The candidates of `doc` at the threshold, and how many rows the search reached.
fn at_threshold(index: &ReferenceIndex, rows: &[Record], doc: &[&str]) -> (Vec<String>, usize) {
    let first = plan().at_threshold().unwrap();
    let mut scratch = Scratch::new(index);
    index.candidates(&first, &prepared(&first, doc), &mut scratch);
    assert!(
        scratch.pair_search.is_some(),
        "searched through the pair tables"
    );
    let mut ids: Vec<String> = (scratch.candidates.iter())
        .map(|&r| rows[r as usize].id.clone())
        .collect();
    ids.sort();
    (ids, scratch.reached.len())
}

fn index_of(rows: &[Record]) -> ReferenceIndex {
    ReferenceIndex::build(&plan(), rows, &NoProgress, &CancelToken::new()).unwrap()
}

#[test]
fn pairs_whose_values_go_together_get_no_table() {
    let index = index_of(&town());
    let pairs = index
        .pairs
        .as_ref()
        .expect("pair tables for the name and suburb columns");
    // Given name and surname together are four rows: a table. Suburb and postcode together are
    // as large as either: none. The birth day makes blocks of one row and has no tables.
    assert!(pairs.table(0, 1).is_some());
    assert!(pairs.table(1, 2).is_some());
    assert!(pairs.table(2, 3).is_none());
    assert!(!pairs.is_wide(4));
    // Without bands on demand the run searches down to the floor and builds none.
    let full = plan().with_band_on_demand(false);
    let index = ReferenceIndex::build(&full, &town(), &NoProgress, &CancelToken::new()).unwrap();
    assert!(index.pairs.is_none());
}

#[test]
fn rows_agreeing_on_two_large_blocks_are_looked_up_not_walked() {
    let rows = town();
    let index = index_of(&rows);
    // Row 123 without its birth date: given name, surname, suburb and postcode each bring 40 or
    // 50 rows. Only the rows sharing two of them with a table are reached; those agreeing on the
    // given name, suburb and postcode reach the threshold too (0.45 against 0.25).
    let r = &rows[123].values;
    let expected = |surname: &str| -> Vec<String> {
        let mut ids: Vec<String> = (rows.iter())
            .filter(|x| {
                let v = &x.values;
                let place = v[2] == r[2] && v[3] == r[3];
                v[0] == r[0] && (place || v[1] == surname) || v[1] == surname && place
            })
            .map(|x| x.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let (ids, reached) = at_threshold(&index, &rows, &[&r[0], &r[1], &r[2], &r[3], ""]);
    assert!(ids.contains(&"p123".to_string()));
    assert_eq!(ids, expected(&r[1]));
    assert!(reached < 40, "{reached} rows reached");
    // A letter missing from the surname ("castelano"): the same rows.
    assert_eq!(r[1], "castellano");
    let (ids, _) = at_threshold(&index, &rows, &[&r[0], "castelano", &r[2], &r[3], ""]);
    assert_eq!(ids, expected(&r[1]));
}

#[test]
fn a_row_missing_most_values_is_found_on_one_large_block() {
    let mut rows = town();
    // Only a given name: it agrees on that alone and scores 1, in no pair of any table.
    rows.push(Record {
        id: "sparse".into(),
        values: vec![
            "isabella".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
    });
    // Only a suburb and its postcode, which have no table together: it scores 1 on them too.
    rows.push(Record {
        id: "suburb-only".into(),
        values: vec![
            "".into(),
            "".into(),
            "deagon".into(),
            "4017".into(),
            "".into(),
        ],
    });
    let index = index_of(&rows);
    let (ids, reached) = at_threshold(
        &index,
        &rows,
        &["isabella", "quartermaine", "deagon", "4017", ""],
    );
    assert!(ids.contains(&"sparse".to_string()), "{ids:?}");
    assert!(ids.contains(&"suburb-only".to_string()), "{ids:?}");
    assert!(reached < 40, "{reached} rows reached");
}

#[test]
fn the_pair_search_finds_every_best_row_that_comparing_everything_finds() {
    let rows = town();
    let plan = plan();
    // Every tenth person as a document four ways: as is, without the birth date, with a typo in
    // the given name, and with the surname and suburb missing.
    let documents: Vec<Document> = (0..rows.len())
        .step_by(10)
        .flat_map(|i| {
            let v = &rows[i].values;
            let typo = format!("{}x", &v[0][..v[0].len() - 1]);
            [
                v.clone(),
                vec![
                    v[0].clone(),
                    v[1].clone(),
                    v[2].clone(),
                    v[3].clone(),
                    "".into(),
                ],
                vec![typo, v[1].clone(), v[2].clone(), v[3].clone(), "".into()],
                vec![
                    v[0].clone(),
                    "".into(),
                    "".into(),
                    v[3].clone(),
                    v[4].clone(),
                ],
            ]
        })
        .enumerate()
        .map(|(k, values)| Document {
            document_id: format!("d{k}"),
            document_filename: None,
            values,
        })
        .collect();
    let recall = crate::run::blocking_recall(&plan, &rows, &documents);
    assert_eq!(recall.exhaustive_matches, documents.len() as u64);
    assert_eq!(
        recall.kept, recall.exhaustive_matches,
        "{:?}",
        recall.missed
    );
    // Far fewer pairs than the blocks hold.
    assert!(
        recall.pairs_blocked * 20 < recall.pairs_exhaustive,
        "{recall:?}"
    );
}

#[test]
fn a_document_without_a_clear_match_is_searched_again_by_walking() {
    let rows = town();
    let index = index_of(&rows);
    let first = plan().at_threshold().unwrap();
    let r = &rows[123].values;
    let doc = prepared(&first, &[&r[0], &r[1], &r[2], &r[3], &r[4]]);
    let mut scratch = Scratch::new(&index);
    // Its best at 1: no row agreeing on one large block could beat it, whatever its names.
    index.candidates(&first, &doc, &mut scratch);
    index.rows_beyond_blocks(&first, &doc, 1.0, &mut scratch);
    assert!(!scratch.needs_full_search);
    // Its best just over the threshold: a row of the suburb's block agreeing on both names
    // beyond the blocks' margin could beat it, and only walking the blocks reaches such rows.
    index.candidates(&first, &doc, &mut scratch);
    index.rows_beyond_blocks(&first, &doc, 0.55, &mut scratch);
    assert!(scratch.needs_full_search);
}
