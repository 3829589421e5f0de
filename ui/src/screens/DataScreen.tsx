// Data screen: the datasets of the workspace, the import form and a paged view of a dataset's rows.
import { useCallback, useEffect, useState, type FormEvent } from 'react';

import { ApiCallError, datasetRows, deleteDataset, importDataset, listDatasets, pickFile } from '../api';
import type { Dataset } from '../bindings/Dataset';
import type { DatasetKind } from '../bindings/DatasetKind';
import type { ImportRequest } from '../bindings/ImportRequest';
import type { RowPage } from '../bindings/RowPage';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBanner } from '../components/ErrorBanner';
import { Pager } from '../components/Pager';
import { formatCount, formatDateTime, formatImportError } from '../format';

const ROWS_PER_PAGE = 100;

export const KIND_LABEL: Record<DatasetKind, string> = {
  reference: 'Reference data',
  documents: 'Documents',
};

interface Props {
  active: boolean;
}

export function DataScreen({ active }: Props) {
  const [datasets, setDatasets] = useState<Dataset[] | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setDatasets(await listDatasets());
    } catch (e) {
      setError(`Could not load the datasets: ${(e as Error).message}`);
    }
  }, []);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

  const selected = datasets?.find((d) => d.id === selectedId) ?? null;

  const onDelete = async (d: Dataset) => {
    try {
      await deleteDataset(d.id);
      if (selectedId === d.id) setSelectedId(null);
      await reload();
    } catch (e) {
      setError(`Could not delete ${d.name}: ${(e as Error).message}`);
    }
  };

  return (
    <div className="data-screen two-columns">
      <div className="column">
        <ErrorBanner message={error} onDismiss={() => setError(null)} />
        <section className="card" aria-labelledby="datasets-heading">
          <h2 id="datasets-heading">Datasets</h2>
          {datasets === null ? (
            <p className="muted">Loading…</p>
          ) : datasets.length === 0 ? (
            <p className="empty">No data yet. Import reference data (e.g. purchase orders) and documents (e.g. invoices) below.</p>
          ) : (
            <div className="table-wrap">
              <table className="table selectable" aria-label="Datasets">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col" className="num">Rows</th>
                    <th scope="col" className="num">Columns</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {datasets.map((d) => (
                    <tr key={d.id} data-dataset-id={d.id} className={d.id === selectedId ? 'selected' : undefined}>
                      <td>
                        <button
                          type="button"
                          className="link"
                          onClick={() => setSelectedId(d.id)}
                          title={d.source_file ?? undefined}
                          aria-current={d.id === selectedId ? 'true' : undefined}
                        >
                          {d.name}
                        </button>
                      </td>
                      <td>
                        <span className={`kind kind-${d.kind}`}>{KIND_LABEL[d.kind]}</span>
                      </td>
                      <td className="num">{formatCount(d.row_count)}</td>
                      <td className="num">{formatCount(d.columns.length)}</td>
                      <td className="nowrap" title={formatDateTime(d.created_at)}>
                        {formatDateTime(d.created_at).slice(0, 10)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <ImportForm
          onImported={async (d) => {
            await reload();
            setSelectedId(d.id);
          }}
        />
      </div>
      <div className="column">
        {selected ? (
          <RowsView key={selected.id} dataset={selected} onDelete={() => void onDelete(selected)} />
        ) : (
          <p className="empty card">Select a dataset to see its rows.</p>
        )}
      </div>
    </div>
  );
}

function ImportForm({ onImported }: { onImported: (d: Dataset) => Promise<void> }) {
  const [kind, setKind] = useState<DatasetKind>('reference');
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [idColumn, setIdColumn] = useState('');
  const [filenameColumn, setFilenameColumn] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const browse = async () => {
    try {
      const picked = await pickFile();
      if (picked) setPath(picked);
    } catch (e) {
      setError(e as ApiCallError);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const request: ImportRequest = { path: path.trim(), kind };
    if (name.trim()) request.name = name.trim();
    if (idColumn.trim()) request.id_column = idColumn.trim();
    if (kind === 'documents' && filenameColumn.trim()) request.filename_column = filenameColumn.trim();
    setBusy(true);
    try {
      const d = await importDataset(request);
      setNotice(`Imported “${d.name}”: ${formatCount(d.row_count)} rows, ${d.columns.length} columns.`);
      setPath('');
      setName('');
      setIdColumn('');
      setFilenameColumn('');
      await onImported(d);
    } catch (err) {
      setError(err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal_error', message: String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import a file</h2>
      <form onSubmit={submit} className="form">
        <fieldset className="segmented">
          <legend>Kind</legend>
          <label>
            <input type="radio" name="import-kind" value="reference" checked={kind === 'reference'} onChange={() => setKind('reference')} />
            Reference data <span className="muted">(e.g. POs)</span>
          </label>
          <label>
            <input type="radio" name="import-kind" value="documents" checked={kind === 'documents'} onChange={() => setKind('documents')} />
            Documents <span className="muted">(e.g. invoices)</span>
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="import-path">File</label>
          <div className="input-row">
            <input
              id="import-path"
              type="text"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder="/path/to/file.csv"
              required
              spellCheck={false}
              autoComplete="off"
            />
            <button type="button" onClick={() => void browse()}>
              Browse…
            </button>
          </div>
        </div>
        <div className="field-grid three">
          <div className="field">
            <label htmlFor="import-name">
              Name
            </label>
            <input id="import-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="From the file name" />
          </div>
          <div className="field">
            <label htmlFor="import-id-column">
              ID column
            </label>
            <input id="import-id-column" type="text" value={idColumn} onChange={(e) => setIdColumn(e.target.value)} placeholder="Guessed" spellCheck={false} />
          </div>
          <div className="field">
            <label htmlFor="import-filename-column">
              File name column
            </label>
            <input
              id="import-filename-column"
              type="text"
              value={filenameColumn}
              onChange={(e) => setFilenameColumn(e.target.value)}
              placeholder={kind === 'documents' ? 'Guessed' : 'Documents only'}
              disabled={kind !== 'documents'}
              spellCheck={false}
            />
          </div>
        </div>
        <p className="hint">Optional. Left empty, the name comes from the file and the columns are guessed.</p>
        {error && (
          <div className="error-box" role="alert" id="import-error">
            <strong>{error.code === 'import_error' ? 'The file could not be imported' : 'Import failed'}</strong>
            <p>{formatImportError(error)}</p>
          </div>
        )}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="form-actions">
          <button id="import-submit" type="submit" className="primary" disabled={busy || path.trim() === ''}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
    </section>
  );
}

function RowsView({ dataset, onDelete }: { dataset: Dataset; onDelete: () => void }) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<RowPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let stale = false;
    setLoading(true);
    datasetRows(dataset.id, page, ROWS_PER_PAGE).then(
      (p) => {
        if (!stale) {
          setData(p);
          setError(null);
          setLoading(false);
        }
      },
      (e: Error) => {
        if (!stale) {
          setError(`Could not load the rows: ${e.message}`);
          setLoading(false);
        }
      },
    );
    return () => {
      stale = true;
    };
  }, [dataset.id, page]);

  return (
    <section className="card rows-view" aria-labelledby="rows-heading">
      <div className="card-head row">
        <div>
          <h2 id="rows-heading">
            {dataset.name} <span className="muted">· {KIND_LABEL[dataset.kind]}</span>
          </h2>
          <p className="muted small">
            {dataset.source_file ?? dataset.source_type}
            {dataset.id_column && <> · ID column: {dataset.id_column}</>}
            {dataset.filename_column && <> · File name column: {dataset.filename_column}</>}
          </p>
        </div>
        <ConfirmButton id="dataset-delete" label="Delete dataset" confirmLabel="Really delete?" onConfirm={onDelete} title={`Delete ${dataset.name}`} />
      </div>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      {data && (
        <>
          <div className="table-wrap scroll-x" aria-busy={loading}>
            <table className="table dense" aria-label={`Rows of ${dataset.name}`}>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  {data.columns.map((c, i) => (
                    <th scope="col" key={`${i}-${c}`}>
                      {c}
                      <span className="col-type">{dataset.columns[i]?.type ?? ''}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.id}>
                    <th scope="row" className="row-id">
                      {r.id}
                    </th>
                    {r.values.map((v, i) => (
                      <td key={i} className={v === '' ? 'missing-cell' : undefined}>
                        {v}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Row pages" page={data.page || page} limit={ROWS_PER_PAGE} total={data.total} onPage={setPage} disabled={loading} />
        </>
      )}
      {!data && !error && <p className="muted">Loading…</p>}
    </section>
  );
}
