//! What a benchmark row matches: generated files with their truth, how they are imported, and the
//! config that matches them. Invoices to purchase orders with the demo config, and FEBRL-style
//! people without an id-like column: docs/configs/people.json minus the social security number,
//! the other weights scaled to add up to 1 again (issue 13's "no social security number").

use std::path::{Path, PathBuf};
use std::time::Instant;

use datagen::in_memory::ConfigFile;
use datagen::score::{self as eval, TruthRow};
use engine::run::MatchPlan;
use engine::{ConfigInput, DatasetKind, EngineError};
use service::demo::{invoice_to_po_config, invoices_import, purchase_orders_import};
use service::ImportRequest;

use crate::{BenchError, Size};

/// The kinds of data the size benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Invoices,
    People,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Invoices => "invoices",
            Kind::People => "people",
        }
    }
}

/// The column the people files leave out, so that no field identifies a person by itself.
const DROPPED_PEOPLE_COLUMN: &str = "soc_sec_id";

/// One row's data, written to its folder, with the truth already read.
pub struct Workload {
    pub kind: Kind,
    /// Documents and reference rows as generated (people: the documents follow the originals).
    pub size: Size,
    pub reference: PathBuf,
    pub documents: PathBuf,
    reference_id: &'static str,
    document_id: &'static str,
    document_filename: Option<&'static str>,
    config: ConfigFile,
    pub truth: Vec<TruthRow>,
    /// Generating and writing the files: not part of the job.
    pub seconds: f64,
    pub csv_mib: f64,
}

impl Workload {
    /// Generates `kind` data of `size` (people: `size.reference` originals) into `dir`.
    pub fn generate(kind: Kind, size: Size, seed: u64, dir: &Path) -> Result<Self, BenchError> {
        std::fs::create_dir_all(dir)
            .map_err(BenchError::io(format!("cannot create {}", dir.display())))?;
        let t = Instant::now();
        let (reference_csv, documents_csv, truth_csv) = match kind {
            Kind::Invoices => {
                let d = datagen::demo::generate(&datagen::demo::DemoSpec {
                    purchase_orders: size.reference,
                    invoices: size.documents,
                    seed,
                });
                (d.purchase_orders_csv, d.invoices_csv, d.truth_csv)
            }
            Kind::People => {
                let d = datagen::people::generate(&datagen::people::PeopleSpec {
                    originals: size.reference,
                    seed,
                });
                (
                    without_column(&d.reference_csv, DROPPED_PEOPLE_COLUMN)?,
                    without_column(&d.documents_csv, DROPPED_PEOPLE_COLUMN)?,
                    d.truth_csv,
                )
            }
        };
        let write = |name: &str, text: &str| -> Result<PathBuf, BenchError> {
            let p = dir.join(name);
            std::fs::write(&p, text)
                .map_err(BenchError::io(format!("cannot write {}", p.display())))?;
            Ok(p)
        };
        let (reference_name, documents_name) = match kind {
            Kind::Invoices => ("purchase_orders.csv", "invoices.csv"),
            Kind::People => ("people_reference.csv", "people_documents.csv"),
        };
        let reference = write(reference_name, &reference_csv)?;
        let documents = write(documents_name, &documents_csv)?;
        write("truth.csv", &truth_csv)?;
        let seconds = t.elapsed().as_secs_f64();
        let truth = eval::parse_truth(truth_csv.as_bytes(), "truth.csv")
            .map_err(|e| BenchError::Failed(e.to_string()))?;
        let size = Size {
            documents: truth.len(),
            reference: size.reference,
        };
        let csv_mib = (reference_csv.len() + documents_csv.len()) as f64 / (1 << 20) as f64;
        let (reference_id, document_id, document_filename) = match kind {
            Kind::Invoices => ("po_id", "document_id", Some("document_filename")),
            Kind::People => ("rec_id", "rec_id", None),
        };
        Ok(Workload {
            kind,
            size,
            reference,
            documents,
            reference_id,
            document_id,
            document_filename,
            config: config_of(kind)?,
            truth,
            seconds,
            csv_mib,
        })
    }

    /// How the reference file and the documents file are imported.
    pub fn imports(&self) -> (ImportRequest, ImportRequest) {
        match self.kind {
            Kind::Invoices => (
                purchase_orders_import(&self.reference),
                invoices_import(&self.documents),
            ),
            Kind::People => {
                let request = |path: &Path, kind, name: &str, id: &str| ImportRequest {
                    name: Some(name.into()),
                    id_column: Some(id.into()),
                    ..ImportRequest::new(path.display().to_string(), kind)
                };
                (
                    request(
                        &self.reference,
                        DatasetKind::Reference,
                        "People (register)",
                        self.reference_id,
                    ),
                    request(
                        &self.documents,
                        DatasetKind::Documents,
                        "People (to match)",
                        self.document_id,
                    ),
                )
            }
        }
    }

    /// The config over the two imported datasets.
    pub fn config(&self, reference_id: &str, documents_id: &str) -> ConfigInput {
        match self.kind {
            Kind::Invoices => invoice_to_po_config(reference_id, documents_id),
            Kind::People => ConfigInput {
                name: "People without an id".into(),
                reference_data_id: reference_id.into(),
                document_set_id: Some(documents_id.into()),
                field_mappings: self.config.field_mappings.clone(),
                threshold: Some(self.config.threshold),
                review_floor: self.config.review_floor,
                one_to_one: self.config.one_to_one,
                schedule: None,
                blocking_keys: None,
                blocking_strategy: None,
            },
        }
    }

    pub fn threshold(&self) -> f64 {
        self.config.threshold
    }

    /// The files as the workspace import reads them, for the blocking-recall check: the plan,
    /// the reference rows and `sample` documents spread over the file.
    pub fn read_for_recall(
        &self,
        sample: usize,
    ) -> Result<(MatchPlan, Vec<engine::Record>, Vec<engine::Document>), BenchError> {
        use import::{read_csv, to_documents, to_records, ImportOptions};
        use service::ServiceError;
        let opts = ImportOptions::default();
        let refs = read_csv(&self.reference, &opts).map_err(ServiceError::from)?;
        let docs = read_csv(&self.documents, &opts).map_err(ServiceError::from)?;
        let reference = to_records(&refs, Some(self.reference_id)).map_err(ServiceError::from)?;
        let documents = to_documents(&docs, Some(self.document_id), self.document_filename)
            .map_err(ServiceError::from)?;
        let documents = spread_sample(documents, sample);
        let plan = self
            .config
            .plan(&refs.columns, &docs.columns)
            .map_err(ServiceError::from)?;
        Ok((plan, reference, documents))
    }
}

/// Every k-th of `documents`, `sample` of them: spread over the whole file, since a generator
/// (or an export) may write its easy or hard cases together.
fn spread_sample(documents: Vec<engine::Document>, sample: usize) -> Vec<engine::Document> {
    let step = (documents.len() / sample.max(1)).max(1);
    documents.into_iter().step_by(step).take(sample).collect()
}

/// The matching part of each kind's config.
fn config_of(kind: Kind) -> Result<ConfigFile, BenchError> {
    match kind {
        Kind::Invoices => Ok(ConfigFile {
            field_mappings: datagen::demo::invoice_to_po_mappings(),
            threshold: service::demo::DEMO_THRESHOLD,
            review_floor: None,
            one_to_one: None,
        }),
        Kind::People => {
            let file: ConfigFile =
                serde_json::from_str(include_str!("../../../docs/configs/people.json"))
                    .map_err(|e| BenchError::Failed(format!("docs/configs/people.json: {e}")))?;
            without_field(file, DROPPED_PEOPLE_COLUMN)
                .map_err(|e| BenchError::Failed(format!("docs/configs/people.json: {e}")))
        }
    }
}

/// The config without the mappings of `column`, the other weights scaled to add up to 1.
fn without_field(mut config: ConfigFile, column: &str) -> Result<ConfigFile, EngineError> {
    config
        .field_mappings
        .retain(|m| m.source != column && m.target != column);
    let total: f64 = config.field_mappings.iter().map(|m| m.weight).sum();
    if total <= 0.0 {
        return Err(EngineError::validation(
            "field_mappings",
            format!("nothing is left without {column}"),
        ));
    }
    for m in &mut config.field_mappings {
        m.weight /= total;
    }
    Ok(config)
}

/// `csv` without the column named `column` (the generators write plain, quoted-where-needed CSV).
fn without_column(csv_text: &str, column: &str) -> Result<String, BenchError> {
    let failed = |e: csv::Error| BenchError::Failed(format!("generated CSV: {e}"));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().map_err(failed)?.clone();
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&i| &headers[i] != column)
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(csv_text.len()));
    writer
        .write_record(keep.iter().map(|&i| &headers[i]))
        .map_err(failed)?;
    for record in reader.records() {
        let record = record.map_err(failed)?;
        writer
            .write_record(keep.iter().map(|&i| &record[i]))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| BenchError::Failed(format!("generated CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| BenchError::Failed(format!("generated CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recall_sample_is_spread_over_the_whole_file() {
        let documents: Vec<engine::Document> = (0..1000)
            .map(|i| engine::Document {
                document_id: format!("d{i}"),
                document_filename: None,
                values: Vec::new(),
            })
            .collect();
        let ids = |sample: Vec<engine::Document>| -> Vec<String> {
            sample.into_iter().map(|d| d.document_id).collect()
        };
        let sample = ids(spread_sample(documents.clone(), 4));
        assert_eq!(sample, ["d0", "d250", "d500", "d750"]);
        // More asked for than there are: every document, once.
        assert_eq!(spread_sample(documents, 5000).len(), 1000);
    }

    #[test]
    fn people_lose_the_id_column_and_keep_every_other_one() {
        let dir = tempfile::tempdir().unwrap();
        let size = Size {
            documents: 50,
            reference: 50,
        };
        let w = Workload::generate(Kind::People, size, 3, dir.path()).unwrap();
        for file in [&w.reference, &w.documents] {
            let text = std::fs::read_to_string(file).unwrap();
            let header = text.lines().next().unwrap();
            assert!(!header.contains(DROPPED_PEOPLE_COLUMN), "{header}");
            let expected: Vec<&str> = datagen::people::COLUMNS
                .iter()
                .copied()
                .filter(|c| *c != DROPPED_PEOPLE_COLUMN)
                .collect();
            assert_eq!(header.split(',').collect::<Vec<_>>(), expected);
        }
        assert_eq!(w.size.documents, w.truth.len());
        assert!(w.truth.iter().any(|t| t.reference_id.is_some()));
    }

    #[test]
    fn the_people_config_without_the_id_still_adds_up_and_names_no_dropped_column() {
        let config = config_of(Kind::People).unwrap();
        assert!(config
            .field_mappings
            .iter()
            .all(|m| m.source != DROPPED_PEOPLE_COLUMN && m.target != DROPPED_PEOPLE_COLUMN));
        let total: f64 = config.field_mappings.iter().map(|m| m.weight).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert_eq!(config.field_mappings.len(), 11);
    }
}
