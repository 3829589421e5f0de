//! Review bands filled when read, end to end on a real SQLite workspace: a run leaves a matched
//! document's alternatives under the threshold unsearched, and the first read of its result, by
//! any path, finds and stores them before anyone sees it.

use engine::{ConfigInput, DatasetKind, FieldMapping, MatchResult, ReviewStatus, Strategy};
use service::{ResultQuery, ReviewInput, Workspace};

mod common;
use common::{import, open, run_to_completion, runtime};

// Name 0.35, city 0.3, birth date 0.35 (mismatch weights the same), threshold 0.8, floor 0.25.
// - doc_1 agrees with ref_1 on everything (1.0). ref_2 shares only its city: 0.3, in the band,
//   but no row sharing only the city could reach the threshold, so the run does not look for it.
// - doc_2 agrees with ref_2 on name and birth date (0.7): under the threshold, so the run
//   searched it down to the floor and found ref_4 too (same city, 0.3).
const REFERENCE_CSV: &str = "\
ref_id,name,city,born
ref_1,john smith,paris,1980-01-01
ref_2,mary jones,paris,1975-05-05
ref_3,peter brown,lyon,1990-02-02
ref_4,anna white,oslo,1966-06-06
";

const DOCUMENTS_CSV: &str = "\
doc_id,name,city,born
doc_1,john smith,paris,1980-01-01
doc_2,mary jones,oslo,1975-05-05
";

fn config(reference_id: &str, documents_id: &str) -> ConfigInput {
    let mut name = FieldMapping::new("name", "name", Strategy::Fuzzy, 0.35);
    name.similarity_threshold = Some(0.8);
    ConfigInput {
        name: "People".into(),
        reference_data_id: reference_id.into(),
        document_set_id: Some(documents_id.into()),
        field_mappings: vec![
            name,
            FieldMapping::new("city", "city", Strategy::Exact, 0.3),
            FieldMapping::new("born", "born", Strategy::DateRange, 0.35),
        ],
        threshold: Some(0.8),
        review_floor: Some(0.25),
        one_to_one: None,
        schedule: None,
        blocking_keys: None,
        blocking_strategy: None,
    }
}

/// (row, confidence rounded to 2 places) of each candidate, best first.
fn rows(r: &MatchResult) -> Vec<(String, f64)> {
    r.candidates
        .iter()
        .map(|c| {
            (
                c.reference_row_id.clone(),
                (c.confidence * 100.0).round() / 100.0,
            )
        })
        .collect()
}

/// doc_1's candidates once its band is filled: its match, then ref_2 sharing only the city.
fn filled() -> Vec<(String, f64)> {
    vec![("ref_1".to_string(), 1.0), ("ref_2".to_string(), 0.3)]
}

struct Setup {
    ws: Workspace,
    config_id: String,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn setup(rt: &tokio::runtime::Runtime) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    let ws = open(rt, &path);
    std::fs::write(dir.path().join("ref.csv"), REFERENCE_CSV).unwrap();
    std::fs::write(dir.path().join("docs.csv"), DOCUMENTS_CSV).unwrap();
    let reference = import(
        &ws,
        dir.path().join("ref.csv"),
        DatasetKind::Reference,
        "ref_id",
    );
    let documents = import(
        &ws,
        dir.path().join("docs.csv"),
        DatasetKind::Documents,
        "doc_id",
    );
    let config_id = ws
        .create_config(&config(&reference.id, &documents.id))
        .unwrap()
        .id;
    Setup {
        ws,
        config_id,
        path,
        _dir: dir,
    }
}

/// The stored result of `document` as the run wrote it, read from the file without the service.
fn stored(disk: &store::Store, run_id: &str, document: &str) -> MatchResult {
    disk.query_results(run_id, &store::ResultFilter::default(), 1, 50)
        .unwrap()
        .data
        .into_iter()
        .find(|r| r.document_id == document)
        .unwrap()
}

#[test]
fn reading_a_matched_result_fills_its_band_once_and_for_good() {
    let rt = runtime();
    let s = setup(&rt);
    let run = run_to_completion(&s.ws, &s.config_id);
    let disk = store::Store::open(&s.path).unwrap();

    // As the run left them: doc_1's band is to be filled, doc_2's (under the threshold) is whole.
    let doc_1 = stored(&disk, &run.id, "doc_1");
    let doc_2 = stored(&disk, &run.id, "doc_2");
    assert_eq!(rows(&doc_1), [("ref_1".to_string(), 1.0)]);
    assert_eq!(
        rows(&doc_2),
        [("ref_2".to_string(), 0.7), ("ref_4".to_string(), 0.3)]
    );
    assert_eq!(
        disk.incomplete_bands(&run.id, None).unwrap(),
        std::slice::from_ref(&doc_1.id)
    );

    // The run left its index warm for these reads.
    assert_eq!(s.ws.warm_indexes(), 1);
    // The first read finds ref_2, stores it, and the match and its evidence stay as they were.
    let read = s.ws.get_result(&run.id, &doc_1.id).unwrap();
    assert_eq!(rows(&read), filled());
    assert_eq!(read.matched_reference_row_id.as_deref(), Some("ref_1"));
    assert_eq!(read.evidence, doc_1.evidence);
    assert_eq!(read.candidates[0], doc_1.candidates[0]);
    assert!(disk.incomplete_bands(&run.id, None).unwrap().is_empty());
    assert_eq!(rows(&stored(&disk, &run.id, "doc_1")), rows(&read));

    // Every later read, by any path, sees the same list.
    let page = s.ws.list_results(&run.id, &ResultQuery::default()).unwrap();
    let listed = page.data.iter().find(|r| r.id == doc_1.id).unwrap();
    assert_eq!(listed, &read);
    assert_eq!(s.ws.get_result(&run.id, &doc_1.id).unwrap(), read);
}

#[test]
fn a_reviewer_may_pick_an_alternative_the_run_left_unsearched() {
    let rt = runtime();
    let s = setup(&rt);
    let run = run_to_completion(&s.ws, &s.config_id);
    let disk = store::Store::open(&s.path).unwrap();
    let doc_1 = stored(&disk, &run.id, "doc_1");
    assert!(!doc_1
        .candidates
        .iter()
        .any(|c| c.reference_row_id == "ref_2"));

    // The decision is the first read: it fills the band, and ref_2 is one of the candidates.
    let decided =
        s.ws.review_result(
            &run.id,
            &doc_1.id,
            &ReviewInput {
                status: ReviewStatus::Approved,
                reference_row_id: Some("ref_2".into()),
                notes: None,
            },
        )
        .unwrap();
    assert_eq!(decided.matched_reference_row_id.as_deref(), Some("ref_2"));
    assert_eq!(decided.status, ReviewStatus::Approved);
    let again = s.ws.get_result(&run.id, &doc_1.id).unwrap();
    assert_eq!(again.matched_reference_row_id.as_deref(), Some("ref_2"));
    assert_eq!(rows(&again), filled());
}

#[test]
fn a_band_is_filled_after_the_workspace_is_opened_again() {
    let rt = runtime();
    let s = setup(&rt);
    let run = run_to_completion(&s.ws, &s.config_id);
    let Setup { ws, path, _dir, .. } = s;
    drop(ws);
    // Another process: nothing warm, the run's snapshot and pinned rows are read from the file.
    let ws = open(&rt, &path);
    assert_eq!(ws.warm_indexes(), 0);
    let page = ws.list_results(&run.id, &ResultQuery::default()).unwrap();
    let doc_1 = page.data.iter().find(|r| r.document_id == "doc_1").unwrap();
    assert_eq!(rows(doc_1), filled());
    assert_eq!(ws.warm_indexes(), 1);
    let disk = store::Store::open(&path).unwrap();
    assert!(disk.incomplete_bands(&run.id, None).unwrap().is_empty());
}

#[test]
fn a_band_whose_reference_data_is_gone_keeps_what_the_run_stored() {
    let rt = runtime();
    let s = setup(&rt);
    let run = run_to_completion(&s.ws, &s.config_id);
    let disk = store::Store::open(&s.path).unwrap();
    let doc_1 = stored(&disk, &run.id, "doc_1");
    let reference_id = s.ws.get_config(&s.config_id).unwrap().reference_data_id;
    s.ws.delete_dataset(&reference_id).unwrap();

    let read = s.ws.get_result(&run.id, &doc_1.id).unwrap();
    assert_eq!(rows(&read), [("ref_1".to_string(), 1.0)]);
    assert_eq!(
        disk.incomplete_bands(&run.id, None).unwrap(),
        std::slice::from_ref(&doc_1.id)
    );
}

#[test]
fn a_new_run_frees_the_index_the_last_one_left_warm() {
    let rt = runtime();
    let s = setup(&rt);
    let first = run_to_completion(&s.ws, &s.config_id);
    assert_eq!(s.ws.warm_indexes(), 1);
    let second = run_to_completion(&s.ws, &s.config_id);
    // Only the latest run's index stays: two runs' indexes at once would double a run's memory.
    assert_eq!(s.ws.warm_indexes(), 1);
    // The first run's bands are still filled, from an index built again for it.
    let disk = store::Store::open(&s.path).unwrap();
    for run in [&first, &second] {
        let doc_1 = stored(&disk, &run.id, "doc_1");
        let read = s.ws.get_result(&run.id, &doc_1.id).unwrap();
        assert_eq!(rows(&read), filled());
    }
}
