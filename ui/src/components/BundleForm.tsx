// A bundle to judge: per document type of the package, a document picked from its config's document set or read from a file (CSV, workbook, JSON, e-invoice XML or PDF, chosen or dropped onto the type), then run.
import { useEffect, useRef, useState } from 'react';

import { datasetRows, onFileDrop, packageDocumentsFromFile, pickFile } from '../api';
import { errorText } from '../apiError';
import type { InputRow } from '../bindings/InputRow';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { PackageConfig } from '../bindings/PackageConfig';
import type { RowPage } from '../bindings/RowPage';
import { inputRowOf } from '../packages';

/** How many documents of a set the picker offers. */
const PICKABLE = 200;

interface Props {
  pkg: PackageConfig;
  configs: MatchingConfig[];
  running: boolean;
  onRun: (documents: Record<string, InputRow[]>) => void;
  onError: (text: string) => void;
}

export function BundleForm({ pkg, configs, running, onRun, onError }: Props) {
  const [chosen, setChosen] = useState<Record<string, InputRow[]>>({});
  const [dropped, setDropped] = useState<{ type: string; path: string; seq: number } | null>(null);
  useEffect(() => setChosen({}), [pkg.id]);
  // A file dropped on a type's box is read into that type.
  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let gone = false;
    onFileDrop((paths, x, y) => {
      const type = document.elementFromPoint(x, y)?.closest('[data-bundle-slot]')?.getAttribute('data-bundle-slot');
      const path = paths[0];
      if (type && path) setDropped((d) => ({ type, path, seq: (d?.seq ?? 0) + 1 }));
    }).then(
      (stop) => {
        if (gone) stop();
        else unlisten = stop;
      },
      () => {},
    );
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);
  const total = Object.values(chosen).reduce((n, rows) => n + rows.length, 0);
  return (
    <div className="card bundle-form" id="bundle-form">
      <h3>Run a bundle</h3>
      <p className="muted">Pick each type's document from its config's documents, or read it from a file. A type left empty is judged by its presence.</p>
      {pkg.document_type_configs.map((slot) => (
        <BundleSlot
          key={slot.document_type}
          type={slot.document_type}
          presence={slot.presence}
          config={configs.find((c) => c.id === slot.matching_config_id)}
          rows={chosen[slot.document_type] ?? []}
          dropped={dropped?.type === slot.document_type ? dropped : null}
          onRows={(rows) => setChosen((c) => ({ ...c, [slot.document_type]: rows }))}
          onError={onError}
        />
      ))}
      <button type="button" id="bundle-run" className="primary" disabled={running || total === 0} onClick={() => onRun(chosen)}>
        {running ? 'Judging…' : 'Run bundle'}
      </button>
    </div>
  );
}

interface SlotProps {
  type: string;
  presence: string;
  config: MatchingConfig | undefined;
  rows: InputRow[];
  /** A file dropped on this type's box (a new `seq` for every drop). */
  dropped: { path: string; seq: number } | null;
  onRows: (rows: InputRow[]) => void;
  onError: (text: string) => void;
}

function BundleSlot({ type, presence, config, rows, dropped, onRows, onError }: SlotProps) {
  const [page, setPage] = useState<RowPage | null>(null);
  const [path, setPath] = useState('');
  const setId = config?.document_set_id ?? null;
  useEffect(() => {
    if (!setId) return;
    let stale = false;
    datasetRows(setId, 1, PICKABLE).then(
      (p) => {
        if (!stale) setPage(p);
      },
      (e: unknown) => onError(errorText(e, `Could not load the documents for ${type}`)),
    );
    return () => {
      stale = true;
    };
  }, [setId, type, onError]);

  const read = async (file: string) => {
    if (!file.trim()) return;
    try {
      onRows(await packageDocumentsFromFile(file.trim()));
    } catch (e) {
      onError(errorText(e, `Could not read ${file}`));
    }
  };
  const readRef = useRef(read);
  readRef.current = read;
  useEffect(() => {
    if (!dropped) return;
    setPath(dropped.path);
    void readRef.current(dropped.path);
  }, [dropped]);
  const pick = (id: string) => {
    const row = page?.rows.find((r) => r.id === id);
    onRows(row && page ? [inputRowOf(row.id, page.columns, row.values)] : []);
  };
  const slug = type.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    <fieldset className="bundle-slot" data-bundle-slot={type}>
      <legend>
        {type} <span className="muted">({presence})</span>
      </legend>
      {page && (
        <>
          <label htmlFor={`bundle-${slug}-doc`}>Document</label>
          <select id={`bundle-${slug}-doc`} value={rows.length === 1 && page.rows.some((r) => r.id === rows[0]?.document_id) ? rows[0]?.document_id : ''} onChange={(e) => pick(e.target.value)}>
            <option value="">None</option>
            {page.rows.map((r) => (
              <option key={r.id} value={r.id}>
                {r.id}
              </option>
            ))}
          </select>
        </>
      )}
      <label htmlFor={`bundle-${slug}-file`}>or from a file</label>
      <span className="inline">
        <input id={`bundle-${slug}-file`} value={path} placeholder="/path/to/invoice.xml" onChange={(e) => setPath(e.target.value)} />
        <button type="button" id={`bundle-${slug}-read`} onClick={() => void read(path)}>
          Read
        </button>
        <button
          type="button"
          onClick={() =>
            void pickFile().then((f) => {
              if (f) {
                setPath(f);
                void read(f);
              }
            }, (e: unknown) => onError(errorText(e, 'Could not open the file dialog')))
          }
        >
          Choose file…
        </button>
      </span>
      <p className="muted" id={`bundle-${slug}-chosen`} data-documents={rows.length}>
        {rows.length === 0 ? 'No document' : rows.map((r) => r.document_id).join(', ')}
      </p>
    </fieldset>
  );
}
