// Data screen: the datasets of the workspace, the import wizard and a paged view of a dataset's rows.
import { useCallback, useEffect, useState } from 'react';

import { datasetRows, deleteDataset, listDatasets } from '../api';
import { errorText } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import type { DatasetKind } from '../bindings/DatasetKind';
import type { RowPage } from '../bindings/RowPage';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBanner } from '../components/ErrorBanner';
import { ImportWizard } from '../components/ImportWizard';
import { Pager } from '../components/Pager';
import { formatCount, formatDateTime } from '../format';
import { focusField } from '../navigation';
import '../styles/data.css';

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
      setError(errorText(e, 'Could not load the datasets'));
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
      setError(errorText(e, `Could not delete ${d.name}`));
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
            <p className="empty" id="datasets-empty">
              No data yet: import reference data (e.g. purchase orders) and the documents to match (e.g. invoices).{' '}
              <button type="button" id="datasets-empty-action" className="link" onClick={() => focusField('import-path')}>
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
        <ImportWizard
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
