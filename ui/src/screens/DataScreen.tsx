// Data screen: the datasets of the workspace (with their import status, polled while one imports), the import wizard and a paged view of a dataset's rows.
import { useCallback, useEffect, useState } from 'react';

import { cancelImport, datasetRows, deleteDataset, listDatasets, refreshDataset } from '../api';
import { errorText } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import type { DatasetKind } from '../bindings/DatasetKind';
import type { RowPage } from '../bindings/RowPage';
import { ConfirmButton } from '../components/ConfirmButton';
import { DatasetStatusBadge, versionLabel } from '../components/DatasetStatusBadge';
import { ErrorBanner } from '../components/ErrorBanner';
import { ImportWizard } from '../components/ImportWizard';
import { Pager } from '../components/Pager';
import { SqlSourcePanel } from '../components/SqlSourcePanel';
import { formatCount, formatDateTime } from '../format';
import { focusField } from '../navigation';
import '../styles/data.css';

const ROWS_PER_PAGE = 100;
/** How often the list is read again while a dataset imports (its rows arrive in the background). */
export const POLL_MS = 500;

export const KIND_LABEL: Record<DatasetKind, string> = {
  reference: 'Reference data',
  documents: 'Documents',
};

interface Props {
  active: boolean;
}

/** The empty state's "Import a file": the file tab may be hidden behind the database tab. */
function showFileImport(): void {
  const tab = document.getElementById('import-tab-file');
  if (tab && tab.getAttribute('aria-selected') !== 'true') {
    tab.click();
    // After the tab switch has rendered the file panel.
    setTimeout(() => focusField('import-path'), 0);
    return;
  }
  focusField('import-path');
}

export function DataScreen({ active }: Props) {
  const [datasets, setDatasets] = useState<Dataset[] | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Counts the reads of the list, so that polling goes on after a read that changed nothing. */
  const [reads, setReads] = useState(0);

  const reload = useCallback(async () => {
    try {
      setDatasets(await listDatasets());
    } catch (e) {
      setError(errorText(e, 'Could not load the datasets'));
    } finally {
      setReads((n) => n + 1);
    }
  }, []);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

  // While any dataset imports, read the list again until none does: progress, then ready or failed.
  const importing = datasets?.some((d) => d.status === 'importing') ?? false;
  useEffect(() => {
    if (!active || !importing) return;
    const timer = setTimeout(() => void reload(), POLL_MS);
    return () => clearTimeout(timer);
  }, [active, importing, reads, reload]);

  const selected = datasets?.find((d) => d.id === selectedId) ?? null;

  const onDelete = async (d: Dataset) => {
    try {
      await deleteDataset(d.id);
      if (selectedId === d.id) setSelectedId(null);
      await reload();
    } catch (e) {
      setError(errorText(e, `Could not delete ${d.name}`));
    }
  };

  /** Stops an import: a first import's dataset goes away, a refresh leaves the previous version. */
  const onCancel = async (d: Dataset) => {
    try {
      await cancelImport(d.id);
    } catch (e) {
      setError(errorText(e, `Could not cancel the import of ${d.name}`));
    }
    await reload();
  };

  /** Starts a refresh (errors go back to the form that asked); an empty password means the password file. */
  const onRefresh = async (d: Dataset, password: string) => {
    await refreshDataset(d.id, { password: password === '' ? null : password });
    await reload();
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
            <p className="empty" id="datasets-empty">
              No data yet: import reference data (e.g. purchase orders) and the documents to match (e.g. invoices).{' '}
              <button type="button" id="datasets-empty-action" className="link" onClick={showFileImport}>
                Import a file
              </button>
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table selectable" aria-label="Datasets">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">Rows</th>
                    <th scope="col" className="num">Columns</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {datasets.map((d) => (
                    <tr key={d.id} data-dataset-id={d.id} data-status={d.status} className={d.id === selectedId ? 'selected' : undefined}>
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
                        {versionLabel(d) && (
                          <span className="dataset-version" title={`Version ${d.version} of the rows read from the database`}>
                            {versionLabel(d)}
                          </span>
                        )}
                      </td>
                      <td>
                        <span className={`kind kind-${d.kind}`}>{KIND_LABEL[d.kind]}</span>
                      </td>
                      <td className="dataset-status-cell">
                        <DatasetStatusBadge dataset={d} />
                        {d.status === 'importing' && (
                          <button type="button" className="small dataset-cancel" onClick={() => void onCancel(d)} title={`Stop importing ${d.name}`}>
                            Cancel
                          </button>
                        )}
                        {d.status === 'failed' && d.error && <p className="dataset-error small">{d.error}</p>}
                      </td>
                      <td className="num">{d.sql && d.version === 0 ? '—' : formatCount(d.row_count)}</td>
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
        <ImportWizard
          onImported={async (d) => {
            await reload();
            setSelectedId(d.id);
          }}
        />
      </div>
      <div className="column">
        {selected ? (
          <RowsView
            key={selected.id}
            dataset={selected}
            onDelete={() => void onDelete(selected)}
            onRefresh={(password) => onRefresh(selected, password)}
            onCancel={() => onCancel(selected)}
          />
        ) : (
          <p className="empty card">Select a dataset to see its rows.</p>
        )}
      </div>
    </div>
  );
}

interface RowsViewProps {
  dataset: Dataset;
  onDelete: () => void;
  onRefresh: (password: string) => Promise<void>;
  onCancel: () => Promise<void>;
}

function RowsView({ dataset, onDelete, onRefresh, onCancel }: RowsViewProps) {
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
      (e: unknown) => {
        if (!stale) {
          setError(errorText(e, 'Could not load the rows'));
          setLoading(false);
        }
      },
    );
    return () => {
      stale = true;
    };
    // Read again when an import lands (a new version, or the first rows) or ends.
  }, [dataset.id, page, dataset.version, dataset.status]);

  return (
    <section className="card rows-view" aria-labelledby="rows-heading">
      <div className="card-head row">
        <div>
          <h2 id="rows-heading">
            {dataset.name} <span className="muted">· {KIND_LABEL[dataset.kind]}</span>
          </h2>
          <p className="muted small">
            {dataset.source_file ?? dataset.source_type}
            {versionLabel(dataset) && <> · {versionLabel(dataset)}</>}
            {dataset.id_column && <> · ID column: {dataset.id_column}</>}
            {dataset.filename_column && <> · File name column: {dataset.filename_column}</>}
          </p>
        </div>
        <ConfirmButton id="dataset-delete" label="Delete dataset" confirmLabel="Really delete?" onConfirm={onDelete} title={`Delete ${dataset.name}`} />
      </div>
      <SqlSourcePanel dataset={dataset} onRefresh={onRefresh} onCancel={onCancel} />
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
