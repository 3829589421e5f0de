//! Datasets: the import wizard's preview, importing a file as reference data or documents,
//! listing, paging rows, deleting.

use std::path::Path;

use engine::{Dataset, DatasetKind, Record, RowPage};
use import::{self, FileFormat, ImportOptions, TextEncoding};

use crate::dto::{ImportPreview, ImportRequest};
use crate::error::{Result, ServiceError};
use crate::paging::page_limit;
use crate::{new_id, Workspace};

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
            has_header: opts.has_header
                || matches!(table.format, FileFormat::Json | FileFormat::EInvoice),
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
            status: Default::default(),
            version: 1,
            error: None,
            rows_imported: None,
            sql: None,
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
        // Imports whose process ended show as failed, not importing forever.
        if !self.store.is_read_only() {
            Self::fail_stale_imports(&self.store)?;
        }
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
    /// With `run_id`, the rows as that run matched against them, even after a refresh replaced
    /// them (a run pins the version it read).
    pub fn reference_rows(
        &self,
        dataset_id: &str,
        ids: &[String],
        run_id: Option<&str>,
    ) -> Result<Vec<Record>> {
        self.store.get_dataset(dataset_id)?;
        let pinned = match run_id {
            Some(run) => self.store.run_reference_rows(run)?,
            None => None,
        };
        Ok(self
            .store
            .reference_rows_at(dataset_id, pinned.as_deref(), ids)?)
    }
}
