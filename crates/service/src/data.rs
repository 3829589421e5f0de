//! Datasets, configs, results and reviews: the request/response half of the service.

use std::path::Path;

use engine::validate::validate_config;
use engine::{
    ConfigInput, Dataset, DatasetKind, MatchResult, MatchingConfig, Record, ReviewDecision,
    ReviewStatus, RowPage, Run, RunDetail,
};
use import::{self, FileFormat, ImportOptions, TextEncoding};
use store::Review;

use crate::dto::{ImportPreview, ImportRequest, ReviewInput};
use crate::error::{Result, ServiceError};
use crate::{new_id, Workspace};

/// Page-size limits (spec A.2): rows default 100, results default 50, both at most 500.
pub const MAX_PAGE_LIMIT: u32 = 500;

pub(crate) fn page_limit(limit: Option<u32>, default: u32, field: &str) -> Result<u32> {
    match limit {
        None => Ok(default),
        Some(0) => Err(ServiceError::validation(field, "must be at least 1")),
        Some(l) if l > MAX_PAGE_LIMIT => Err(ServiceError::validation(
            field,
            format!("must be at most {MAX_PAGE_LIMIT}"),
        )),
        Some(l) => Ok(l),
    }
}

fn parse_delimiter(d: Option<&str>) -> Result<Option<u8>> {
    Ok(match d {
        None | Some("") => None,
        Some(",") => Some(b','),
        Some(";") => Some(b';'),
        Some("\t") | Some("\\t") | Some("tab") => Some(b'\t'),
        Some("|") => Some(b'|'),
        Some(other) => {
            return Err(ServiceError::validation(
                "delimiter",
                format!("'{other}' is not one of , ; tab |"),
            ));
        }
    })
}

/// The reader's options from a request; absent or empty values leave the choice to detection.
pub(crate) fn import_options(req: &ImportRequest) -> Result<ImportOptions> {
    let encoding = match req.encoding.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(TextEncoding::parse(name).ok_or_else(|| {
            ServiceError::validation(
                "encoding",
                format!("'{name}' is not one of utf-8, windows-1252, utf-16le, utf-16be"),
            )
        })?),
    };
    Ok(ImportOptions {
        delimiter: parse_delimiter(req.delimiter.as_deref())?,
        encoding,
        has_header: req.has_header.unwrap_or(true),
        sheet: req.sheet.clone().filter(|s| !s.trim().is_empty()),
    })
}

/// Rows an import preview shows.
const PREVIEW_ROWS: usize = 10;

impl Workspace {
    // ---- datasets -------------------------------------------------------------------------------

    /// What the import wizard shows of a file: detected options, columns and first rows. Large CSV
    /// files are read only from their start, and then have no row count.
    pub fn preview_import(&self, req: &ImportRequest) -> Result<ImportPreview> {
        let opts = import_options(req)?;
        // Every row read is kept, not just those shown, so the row count is exact; only a large
        // CSV file is read in part.
        let (table, complete) = import::preview_table(Path::new(&req.path), &opts, usize::MAX)?;
        let text = table.format == FileFormat::Csv;
        let filename_column = match req.kind {
            DatasetKind::Documents => import::guess_filename_column(&table.columns),
            DatasetKind::Reference => None,
        };
        Ok(ImportPreview {
            file: table.file.clone(),
            format: table.format.as_str().into(),
            delimiter: text.then(|| (table.delimiter as char).to_string()),
            encoding: text.then(|| table.encoding.to_string()),
            // JSON names its columns by keys whatever the option says.
            has_header: opts.has_header || table.format == FileFormat::Json,
            sheets: table.sheets.clone(),
            sheet: table.sheet.clone(),
            id_column: import::guess_id_column(&table.columns, req.kind),
            filename_column,
            rows: table.rows.iter().take(PREVIEW_ROWS).cloned().collect(),
            row_count: complete.then_some(table.rows.len() as u64),
            columns: table.columns,
        })
    }

    /// Imports a file (CSV, XLSX/XLSM/XLS/ODS or JSON, by extension) as reference data or
    /// documents, all or nothing.
    pub fn import_dataset(&self, req: &ImportRequest) -> Result<Dataset> {
        let path = Path::new(&req.path);
        let table = import::read_table(path, &import_options(req)?)?;
        let name = req
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| table.file.clone());
        self.store_table(req, name, &table)
    }

    /// Stores a table read from a file or built from JSON rows as a new dataset, all or nothing.
    pub(crate) fn store_table(
        &self,
        req: &ImportRequest,
        name: String,
        table: &import::Table,
    ) -> Result<Dataset> {
        let columns = import::infer_columns(table);
        let id_column = match &req.id_column {
            Some(c) if !c.is_empty() => Some(c.clone()),
            _ => import::guess_id_column(&table.columns, req.kind),
        };
        let mut dataset = Dataset {
            id: new_id(),
            kind: req.kind,
            name,
            source_type: table.format.as_str().into(),
            source_file: Some(table.file.clone()),
            columns,
            row_count: table.rows.len() as u64,
            id_column: id_column.clone(),
            filename_column: None,
            created_at: self.now(),
        };
        match req.kind {
            DatasetKind::Reference => {
                let rows = import::to_records(table, id_column.as_deref())?;
                self.store.insert_reference_dataset(&dataset, &rows)?;
            }
            DatasetKind::Documents => {
                let filename_column = match &req.filename_column {
                    Some(c) if !c.is_empty() => Some(c.clone()),
                    _ => import::guess_filename_column(&table.columns),
                };
                let docs =
                    import::to_documents(table, id_column.as_deref(), filename_column.as_deref())?;
                dataset.filename_column = filename_column;
                self.store.insert_document_set(&dataset, &docs)?;
            }
        }
        Ok(dataset)
    }

    pub fn list_datasets(&self) -> Result<Vec<Dataset>> {
        Ok(self.store.list_datasets()?)
    }

    pub fn get_dataset(&self, id: &str) -> Result<Dataset> {
        Ok(self.store.get_dataset(id)?)
    }

    pub fn delete_dataset(&self, id: &str) -> Result<()> {
        Ok(self.store.delete_dataset(id)?)
    }

    pub fn dataset_rows(&self, id: &str, page: Option<u32>, limit: Option<u32>) -> Result<RowPage> {
        let limit = page_limit(limit, 100, "limit")?;
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(ServiceError::validation("page", "pages start at 1"));
        }
        Ok(self.store.dataset_rows(id, page, limit)?)
    }

    /// Reference rows by id, for showing a candidate's whole record next to the document.
    pub fn reference_rows(&self, dataset_id: &str, ids: &[String]) -> Result<Vec<Record>> {
        self.store.get_dataset(dataset_id)?;
        Ok(self.store.reference_rows_by_ids(dataset_id, ids)?)
    }

    // ---- configs --------------------------------------------------------------------------------

    pub(crate) fn checked_config(&self, input: &ConfigInput) -> Result<(f64, f64)> {
        let reference = match self.store.get_dataset(&input.reference_data_id) {
            Ok(d) if d.kind == DatasetKind::Reference => d,
            Ok(_) => {
                return Err(ServiceError::validation(
                    "reference_data_id",
                    "that dataset holds documents, not reference data",
                ))
            }
            Err(store::StoreError::NotFound { .. })
                if input.reference_data_id.trim().is_empty() =>
            {
                return Err(ServiceError::validation(
                    "reference_data_id",
                    "choose the reference data to match against",
                ))
            }
            Err(store::StoreError::NotFound { .. }) => {
                return Err(ServiceError::not_found(
                    "reference data",
                    &input.reference_data_id,
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let doc_columns = match &input.document_set_id {
            Some(id) => {
                let d = self.store.get_dataset(id).map_err(|e| match e {
                    store::StoreError::NotFound { .. } => {
                        ServiceError::not_found("document set", id)
                    }
                    e => e.into(),
                })?;
                if d.kind != DatasetKind::Documents {
                    return Err(ServiceError::validation(
                        "document_set_id",
                        "that dataset is reference data, not documents",
                    ));
                }
                Some(d.columns.into_iter().map(|c| c.name).collect::<Vec<_>>())
            }
            None => None,
        };
        let ref_columns: Vec<String> = reference.columns.into_iter().map(|c| c.name).collect();
        let checked = validate_config(input, &ref_columns, doc_columns.as_deref())?;
        // Scheduling is the service's business, not matching's: checked last, as it always was.
        if let Some(schedule) = &input.schedule {
            crate::cron::validate_schedule(schedule)?;
        }
        Ok(checked)
    }

    pub fn create_config(&self, input: &ConfigInput) -> Result<MatchingConfig> {
        let (threshold, review_floor) = self.checked_config(input)?;
        let now = self.now();
        let config = MatchingConfig {
            id: new_id(),
            name: input.name.trim().to_string(),
            reference_data_id: input.reference_data_id.clone(),
            document_set_id: input.document_set_id.clone(),
            target_type: "run".into(),
            target_value: serde_json::json!({}),
            field_mappings: input.field_mappings.clone(),
            threshold,
            review_floor,
            one_to_one: input.one_to_one.unwrap_or(false),
            schedule: input.schedule.clone(),
            created_at: now.clone(),
            updated_at: now,
        };
        self.store.insert_config(&config)?;
        Ok(config)
    }

    /// Replaces a config's settings; applies from the next run. The reference data is fixed.
    pub fn update_config(&self, id: &str, input: &ConfigInput) -> Result<MatchingConfig> {
        let mut config = self.store.get_config(id)?;
        if input.reference_data_id != config.reference_data_id {
            return Err(ServiceError::validation(
                "reference_data_id",
                "a config's reference data cannot change; create a new config instead",
            ));
        }
        let (threshold, review_floor) = self.checked_config(input)?;
        config.name = input.name.trim().to_string();
        config.document_set_id = input.document_set_id.clone();
        config.field_mappings = input.field_mappings.clone();
        config.threshold = threshold;
        config.review_floor = review_floor;
        config.one_to_one = input.one_to_one.unwrap_or(false);
        config.schedule = input.schedule.clone();
        config.updated_at = self.now();
        self.store.update_config(&config)?;
        Ok(config)
    }

    pub fn get_config(&self, id: &str) -> Result<MatchingConfig> {
        Ok(self.store.get_config(id)?)
    }

    pub fn list_configs(&self) -> Result<Vec<MatchingConfig>> {
        Ok(self.store.list_configs()?)
    }

    pub fn delete_config(&self, id: &str) -> Result<()> {
        Ok(self.store.delete_config(id)?)
    }

    // ---- runs -----------------------------------------------------------------------------------

    /// A run's record alone, without its results: cheap enough for every progress poll.
    pub fn run_record(&self, run_id: &str) -> Result<Run> {
        Ok(self.store.get_run(run_id)?)
    }

    /// The config as the run used it (its snapshot), whatever was changed or deleted since: what
    /// an evaluation must replay, one-to-one or not.
    pub fn run_config(&self, run_id: &str) -> Result<MatchingConfig> {
        Ok(self.store.get_stored_run(run_id)?.config)
    }

    // ---- results and review ---------------------------------------------------------------------

    /// A run with its 50 most confident results (spec A.6.5).
    pub fn get_run(&self, run_id: &str) -> Result<RunDetail> {
        let run = self.store.get_run(run_id)?;
        let results = self
            .store
            .query_results(run_id, &store::ResultFilter::default(), 1, 50)?
            .data;
        Ok(RunDetail { run, results })
    }

    pub fn get_result(&self, run_id: &str, result_id: &str) -> Result<MatchResult> {
        Ok(self.store.get_result(run_id, result_id)?)
    }

    /// Approves or rejects a result (re-review allowed); the decision is appended to the log and on
    /// disk before this returns.
    pub fn review_result(
        &self,
        run_id: &str,
        result_id: &str,
        input: &ReviewInput,
    ) -> Result<MatchResult> {
        self.review_result_as(run_id, result_id, input, &self.user)
    }

    /// [`Workspace::review_result`] recorded in the log as decided by `decided_by` (the REST API
    /// names its key, so the log tells scripted decisions from people's).
    pub fn review_result_as(
        &self,
        run_id: &str,
        result_id: &str,
        input: &ReviewInput,
        decided_by: &str,
    ) -> Result<MatchResult> {
        if input.status == ReviewStatus::Pending {
            return Err(ServiceError::validation(
                "status",
                "must be approved or rejected",
            ));
        }
        let stored = self.store.get_stored_run(run_id)?;
        let notes = input
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let decision_id = new_id();
        let now = self.now();
        self.store
            .review(&Review {
                run_id,
                result_id,
                status: input.status,
                notes,
                reference_row_id: input.reference_row_id.as_deref(),
                reference_data_id: &stored.config.reference_data_id,
                decision_id: &decision_id,
                decided_by,
                decided_at: &now,
            })
            .map_err(|e| match e {
                store::StoreError::NotFound {
                    kind: "candidate",
                    id,
                } => ServiceError::validation(
                    "reference_row_id",
                    format!("{id} is not one of this result's candidates"),
                ),
                e => e.into(),
            })
    }

    /// Undoes `decision_id`, the result's latest decision: the result gets back the status, match
    /// and notes it had before, and the log records the undo as a decision of its own. Undoing that
    /// one redoes the first. A decision that is no longer the latest is a `conflict`.
    pub fn revert_decision(
        &self,
        run_id: &str,
        result_id: &str,
        decision_id: &str,
    ) -> Result<MatchResult> {
        self.revert_decision_as(run_id, result_id, decision_id, &self.user)
    }

    /// [`Workspace::revert_decision`] recorded in the log as decided by `decided_by`.
    pub fn revert_decision_as(
        &self,
        run_id: &str,
        result_id: &str,
        decision_id: &str,
        decided_by: &str,
    ) -> Result<MatchResult> {
        let new_decision_id = new_id();
        let now = self.now();
        Ok(self.store.revert(&store::Revert {
            run_id,
            result_id,
            decision_id,
            new_decision_id: &new_decision_id,
            decided_by,
            decided_at: &now,
        })?)
    }

    /// Every decision taken on a result, oldest first.
    pub fn result_decisions(&self, result_id: &str) -> Result<Vec<ReviewDecision>> {
        Ok(self.store.decisions(result_id)?)
    }
}
