// The import form: choose a file, see its first rows with what was detected, adjust how it is read and which columns identify rows, import; or read reference data from a database (SqlImportTab).
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

import { importDataset, pickFile, previewImport } from '../api';
import { toApiCallError, type ApiCallError } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import type { DatasetKind } from '../bindings/DatasetKind';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportRequest } from '../bindings/ImportRequest';
import { formatCount, formatImportError } from '../format';
import { ImportPreviewTable } from './ImportPreviewTable';
import { SqlImportTab } from './SqlImportTab';

/** Typing a path or clicking through options should not read the file at every step. */
export const PREVIEW_DELAY_MS = 300;

export const DELIMITER_LABEL: Record<string, string> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'pipe',
};

export const ENCODING_LABEL: Record<string, string> = {
  'utf-8': 'UTF-8',
  'windows-1252': 'Windows-1252',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
};

export const FORMAT_LABEL: Record<string, string> = {
  csv: 'Text file (CSV)',
  xlsx: 'Excel workbook (XLSX)',
  xls: 'Excel 97–2003 workbook (XLS)',
  ods: 'OpenDocument spreadsheet (ODS)',
  json: 'JSON file',
  einvoice: 'E-invoice (UBL, CII, Factur-X PDF)',
};

const KIND_CHOICE: Record<DatasetKind, string> = {
  reference: 'Reference data (e.g. purchase orders)',
  documents: 'Documents (e.g. invoices)',
};

/** How to read the file; "" and undefined mean "as detected". */
export interface ReadOptions {
  delimiter: string;
  encoding: string;
  hasHeader: boolean | undefined;
  sheet: string;
}

const DETECT: ReadOptions = { delimiter: '', encoding: '', hasHeader: undefined, sheet: '' };

/** The format a path's extension suggests, so the right options show before (or without) a preview. */
export function formatFromPath(path: string): string | undefined {
  const ext = /\.([a-z0-9]+)\s*$/i.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case 'csv':
    case 'tsv':
    case 'txt':
      return 'csv';
    case 'xlsx':
    case 'xlsm':
      return 'xlsx';
    case 'xls':
    case 'ods':
    case 'json':
      return ext;
    case 'xml':
    case 'pdf':
      return 'einvoice';
    default:
      return undefined;
  }
}

/** What the import will read: the options chosen (only those), for a preview or the import itself. */
export function readRequest(path: string, kind: DatasetKind, o: ReadOptions): ImportRequest {
  const request: ImportRequest = { path: path.trim(), kind };
  if (o.delimiter) request.delimiter = o.delimiter;
  if (o.encoding) request.encoding = o.encoding;
  if (o.hasHeader !== undefined) request.has_header = o.hasHeader;
  if (o.sheet) request.sheet = o.sheet;
  return request;
}

/** "Excel workbook (XLSX) · 12 rows"; the row count is unknown when only the start of a big file was read. */
export function describeFormat(p: Pick<ImportPreview, 'format' | 'row_count' | 'rows'>): string {
  const format = FORMAT_LABEL[p.format] ?? p.format.toUpperCase();
  if (p.row_count === undefined || p.row_count === null) return `${format} · large file, first ${p.rows.length} rows shown`;
  const n = Number(p.row_count);
  return `${format} · ${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`;
}

type WizardError = { source: 'preview' | 'import'; error: ApiCallError };

/** Where the data comes from: a file (either kind), or a database query (reference data only). */
export type ImportSource = 'file' | 'sql';

const SOURCE_TABS: { source: ImportSource; label: string }[] = [
  { source: 'file', label: 'From a file' },
  { source: 'sql', label: 'From a database' },
];

interface Props {
  onImported: (d: Dataset) => Promise<void>;
}

export function ImportWizard({ onImported }: Props) {
  const [source, setSource] = useState<ImportSource>('file');
  const [kind, setKind] = useState<DatasetKind>('reference');
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [options, setOptions] = useState<ReadOptions>(DETECT);
  const [idColumn, setIdColumn] = useState('');
  const [filenameColumn, setFilenameColumn] = useState('');
  /** The last preview read for this path (kept through a failed re-read, so the options stay). */
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [loading, setLoading] = useState(false);
  /** What the file gave when nothing was forced, for the "Detected: …" choices. */
  const [detected, setDetected] = useState<{ delimiter?: string; encoding?: string }>({});
  const [error, setError] = useState<WizardError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pathRef = useRef<HTMLInputElement>(null);

  const trimmed = path.trim();
  // Rebuilt only when something that changes how the file is read changes (not the name or columns).
  const request = useMemo(() => (trimmed === '' ? null : readRequest(trimmed, kind, options)), [trimmed, kind, options]);

  useEffect(() => {
    if (request === null) {
      setLoading(false);
      return;
    }
    // A response for an earlier path or options is dropped: only the latest request may land.
    let stale = false;
    setLoading(true);
    const timer = setTimeout(() => {
      previewImport(request).then(
        (p) => {
          if (stale) return;
          setPreview(p);
          setDetected((d) => ({
            delimiter: request.delimiter === undefined ? p.delimiter : d.delimiter,
            encoding: request.encoding === undefined ? p.encoding : d.encoding,
          }));
          // A choice the file no longer has (e.g. after turning the header off) goes back to the guess.
          setIdColumn((c) => (c && !p.columns.includes(c) ? '' : c));
          setFilenameColumn((c) => (c && !p.columns.includes(c) ? '' : c));
          setError((e) => (e?.source === 'preview' ? null : e));
          setLoading(false);
        },
        (e: unknown) => {
          if (stale) return;
          setError({ source: 'preview', error: toApiCallError(e) });
          setLoading(false);
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [request]);

  const changePath = (p: string) => {
    setPath(p);
    // Another file: what was detected or chosen for the last one no longer applies.
    setOptions(DETECT);
    setIdColumn('');
    setFilenameColumn('');
    setPreview(null);
    setDetected({});
    setError(null);
    setNotice(null);
  };

  const setOption = (o: Partial<ReadOptions>) => {
    setOptions((prev) => ({ ...prev, ...o }));
    setError((e) => (e?.source === 'import' ? null : e));
  };

  const browse = async () => {
    try {
      const picked = await pickFile();
      if (picked) changePath(picked);
    } catch (e) {
      setError({ source: 'import', error: toApiCallError(e) });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (trimmed === '') return;
    setError(null);
    setNotice(null);
    const req = readRequest(trimmed, kind, options);
    if (name.trim()) req.name = name.trim();
    if (idColumn) req.id_column = idColumn;
    if (kind === 'documents' && filenameColumn) req.filename_column = filenameColumn;
    setBusy(true);
    try {
      const d = await importDataset(req);
      changePath('');
      setName('');
      setNotice(`Imported “${d.name}”: ${formatCount(d.row_count)} rows, ${d.columns.length} columns.`);
      await onImported(d);
      pathRef.current?.focus();
    } catch (err) {
      setError({ source: 'import', error: toApiCallError(err) });
    } finally {
      setBusy(false);
    }
  };

  const format = preview?.format ?? formatFromPath(trimmed);
  const isText = format === 'csv';
  const sheets = preview?.sheets ?? [];
  const columns = preview?.columns ?? [];
  const headerChecked = options.hasHeader ?? preview?.has_header ?? true;
  const effectiveId = idColumn || preview?.id_column || '';
  const effectiveFilename = kind === 'documents' ? filenameColumn || preview?.filename_column || '' : '';
  const previewFailed = error?.source === 'preview';
  const detectedText = (label: string | undefined) => (label ? `Detected: ${label}` : 'Detect automatically');

  // Arrow keys move between the tabs, as in any tab list.
  const tabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next: ImportSource = source === 'file' ? 'sql' : 'file';
    setSource(next);
    document.getElementById(`import-tab-${next}`)?.focus();
  };

  return (
    <section className="card import-wizard" aria-labelledby="import-heading">
      <div className="card-head row import-head">
        <h2 id="import-heading">Import data</h2>
        <div className="segmented-buttons import-tabs" role="tablist" aria-label="Import from">
          {SOURCE_TABS.map((t) => (
            <button
              key={t.source}
              type="button"
              role="tab"
              id={`import-tab-${t.source}`}
              aria-selected={source === t.source}
              aria-controls={`import-panel-${t.source}`}
              tabIndex={source === t.source ? 0 : -1}
              onClick={() => setSource(t.source)}
              onKeyDown={tabKey}
            >
              {t.label}
            </button>
          ))}
        </div>
      </div>
      {/* Both panels stay mounted: switching tabs keeps what was typed in either. */}
      <div role="tabpanel" id="import-panel-file" aria-labelledby="import-tab-file" hidden={source !== 'file'}>
        <form onSubmit={submit} className="form" noValidate>
          <div className="field-grid import-top">
            <div className="field">
              <label htmlFor="import-kind">Kind</label>
              <select id="import-kind" value={kind} onChange={(e) => setKind(e.target.value as DatasetKind)}>
                {(Object.keys(KIND_CHOICE) as DatasetKind[]).map((k) => (
                  <option key={k} value={k}>
                    {KIND_CHOICE[k]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="import-name">Name</label>
              <input id="import-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="From the file name" />
            </div>
          </div>
          <div className="field">
            <label htmlFor="import-path">File</label>
            <div className="input-row">
              <input
                ref={pathRef}
                id="import-path"
                type="text"
                value={path}
                onChange={(e) => changePath(e.target.value)}
                placeholder="Choose a file, or paste its path"
                spellCheck={false}
                autoComplete="off"
                aria-describedby="import-path-hint"
              />
              <button id="import-browse" type="button" onClick={() => void browse()}>
                Browse…
              </button>
            </div>
            <p className="hint" id="import-path-hint">
              CSV, TSV or text, Excel (XLSX, XLS), OpenDocument (ODS) or JSON.
            </p>
          </div>

          {trimmed !== '' && (
            <div className="import-details" aria-busy={loading}>
              <p id="import-format" className="import-format" aria-live="polite">
                {preview ? describeFormat(preview) : loading ? 'Reading the file…' : format ? FORMAT_LABEL[format] : ''}
                {preview && loading && <span className="muted"> · updating…</span>}
              </p>

              {format !== 'json' && (
                <fieldset className="import-options">
                  <legend>How to read it</legend>
                  <div className="field-grid">
                    {isText && (
                      <div className="field">
                        <label htmlFor="import-delimiter">Delimiter</label>
                        <select id="import-delimiter" value={options.delimiter} onChange={(e) => setOption({ delimiter: e.target.value })}>
                          <option value="">{detectedText(detected.delimiter !== undefined ? (DELIMITER_LABEL[detected.delimiter] ?? detected.delimiter) : undefined)}</option>
                          {Object.entries(DELIMITER_LABEL).map(([value, label]) => (
                            <option key={label} value={value}>
                              {label[0]?.toUpperCase()}
                              {label.slice(1)}
                            </option>
                          ))}
                        </select>
                      </div>
                    )}
                    {isText && (
                      <div className="field">
                        <label htmlFor="import-encoding">Encoding</label>
                        <select id="import-encoding" value={options.encoding} onChange={(e) => setOption({ encoding: e.target.value })}>
                          <option value="">{detectedText(detected.encoding !== undefined ? (ENCODING_LABEL[detected.encoding.toLowerCase()] ?? detected.encoding) : undefined)}</option>
                          {Object.entries(ENCODING_LABEL).map(([value, label]) => (
                            <option key={value} value={value}>
                              {label}
                            </option>
                          ))}
                        </select>
                      </div>
                    )}
                    {sheets.length > 0 && (
                      <div className="field">
                        <label htmlFor="import-sheet">Sheet</label>
                        <select id="import-sheet" value={options.sheet || preview?.sheet || sheets[0]} onChange={(e) => setOption({ sheet: e.target.value })}>
                          {sheets.map((s) => (
                            <option key={s} value={s}>
                              {s}
                            </option>
                          ))}
                        </select>
                      </div>
                    )}
                  </div>
                  {format !== 'json' && (
                    <label htmlFor="import-header" className="check-label">
                      <input id="import-header" type="checkbox" checked={headerChecked} onChange={(e) => setOption({ hasHeader: e.target.checked })} />
                      First row holds column names
                      {options.hasHeader === undefined && preview && <span className="muted small"> (detected)</span>}
                    </label>
                  )}
                </fieldset>
              )}

              {preview && !previewFailed && (
                <div className="import-preview-block">
                  <h3 className="small-heading">First rows</h3>
                  <ImportPreviewTable preview={preview} idColumn={effectiveId} filenameColumn={effectiveFilename} busy={loading} />
                </div>
              )}

              <fieldset className="import-columns">
                <legend>Columns</legend>
                <div className="field-grid">
                  <div className="field">
                    <label htmlFor="import-id-column">Row ID column</label>
                    <select
                      id="import-id-column"
                      value={idColumn}
                      onChange={(e) => setIdColumn(e.target.value)}
                      disabled={!preview}
                      aria-describedby="import-id-column-hint"
                    >
                      <option value="">Guess ({preview?.id_column ?? (preview ? 'none found: rows are numbered' : '…')})</option>
                      {columns.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                    <p className="hint" id="import-id-column-hint">
                      {kind === 'documents' ? 'Identifies each document, e.g. document_id.' : 'Identifies each row, e.g. the PO number.'}
                    </p>
                  </div>
                  {kind === 'documents' && (
                    <div className="field">
                      <label htmlFor="import-filename-column">File name column</label>
                      <select
                        id="import-filename-column"
                        value={filenameColumn}
                        onChange={(e) => setFilenameColumn(e.target.value)}
                        disabled={!preview}
                        aria-describedby="import-filename-column-hint"
                      >
                        <option value="">Guess ({preview?.filename_column ?? (preview ? 'none found' : '…')})</option>
                        {columns.map((c) => (
                          <option key={c} value={c}>
                            {c}
                          </option>
                        ))}
                      </select>
                      <p className="hint" id="import-filename-column-hint">
                        The invoice’s file name, shown to reviewers.
                      </p>
                    </div>
                  )}
                </div>
              </fieldset>
            </div>
          )}

          {error && (
            <div className="error-box" role="alert" id="import-error">
              <strong>
                {error.source === 'preview' ? 'The file could not be read' : error.error.code === 'import_error' ? 'The file could not be imported' : 'Import failed'}
              </strong>
              <p>{formatImportError(error.error)}</p>
            </div>
          )}
          {notice && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
          <div className="form-actions">
            <button id="import-submit" type="submit" className="primary" disabled={busy || trimmed === ''}>
              {busy ? 'Importing…' : 'Import'}
            </button>
          </div>
        </form>
      </div>
      <div role="tabpanel" id="import-panel-sql" aria-labelledby="import-tab-sql" hidden={source !== 'sql'}>
        <SqlImportTab onImported={onImported} />
      </div>
    </section>
  );
}
