// Export form of a run summary: format, where to save (typed or from the save dialog), unreviewed matches.
import { useId, useRef, useState } from 'react';

import { exportResults, pickSavePath } from '../api';
import { errorText } from '../apiError';
import type { ExportFormat } from '../bindings/ExportFormat';
import type { Run } from '../bindings/Run';
import { exportFileName, formatExportOutcome, withExportExtension } from '../format';
import { signalGuide } from '../guide';
import { isFinalStatus } from '../progressHub';
import { ErrorBanner } from './ErrorBanner';
import { FieldError } from './FieldError';

interface Props {
  run: Run;
}

export function ExportPanel({ run }: Props) {
  const [format, setFormat] = useState<ExportFormat>('xlsx');
  const [path, setPath] = useState('');
  const [includeUnreviewed, setIncludeUnreviewed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pathError, setPathError] = useState<string | undefined>(undefined);
  const pathRef = useRef<HTMLInputElement>(null);
  const hintId = useId();
  // Exporting a run still under way would write a partial file that looks complete.
  const finished = isFinalStatus(run.status);

  const changeFormat = (next: ExportFormat) => {
    setFormat(next);
    setPath((p) => withExportExtension(p, next));
  };

  const browse = async () => {
    setError(null);
    try {
      const picked = await pickSavePath(path.trim() || exportFileName(run.config_name, format, run.started_at ?? run.created_at), format);
      if (picked !== null) {
        setPath(picked);
        setPathError(undefined);
      }
    } catch (e) {
      setError(errorText(e, 'Could not open the save dialog'));
    }
  };

  const submit = async () => {
    setDone(null);
    setError(null);
    const target = path.trim();
    if (!target) {
      setPathError('Choose where to save the export, or type a file path.');
      pathRef.current?.focus();
      return;
    }
    setPathError(undefined);
    setBusy(true);
    try {
      const outcome = await exportResults({ run_id: run.id, path: target, format, include_unreviewed_matches: includeUnreviewed });
      setDone(formatExportOutcome(outcome));
      signalGuide('export');
    } catch (e) {
      setError(errorText(e, 'Could not export the results'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="export-panel"
      aria-labelledby="export-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="export-heading">Export</h3>
      <p className="hint" id={hintId}>
        Approved matches, and every other document with the reason it is unmatched. CSV is one file with an “outcome” column; Excel has the sheets “Matches” and
        “Unmatched documents”.
      </p>
      <div className="field">
        <label htmlFor="export-format">Format</label>
        <select id="export-format" value={format} onChange={(e) => changeFormat(e.target.value as ExportFormat)}>
          <option value="xlsx">Excel workbook (XLSX)</option>
          <option value="csv">CSV</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="export-path">Save to</label>
        <div className="input-row">
          <input
            id="export-path"
            ref={pathRef}
            type="text"
            spellCheck={false}
            autoComplete="off"
            className="mono"
            placeholder={exportFileName(run.config_name, format, run.started_at ?? run.created_at)}
            value={path}
            onChange={(e) => {
              setPath(e.target.value);
              if (pathError) setPathError(undefined);
            }}
            aria-invalid={pathError ? true : undefined}
            aria-describedby={pathError ? 'export-path-error' : undefined}
          />
          <button id="export-browse" type="button" onClick={() => void browse()}>
            Choose…
          </button>
        </div>
        <FieldError id="export-path-error" message={pathError} />
      </div>
      <div className="check-field">
        <label htmlFor="export-unreviewed">
          <input id="export-unreviewed" type="checkbox" checked={includeUnreviewed} onChange={(e) => setIncludeUnreviewed(e.target.checked)} />
          Include matches nobody reviewed
        </label>
        <p className="hint">Pending results at or above the threshold go out as matches too; otherwise only approved ones do.</p>
      </div>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <div className="form-actions">
        <button
          id="export-run"
          type="submit"
          className="primary"
          disabled={busy || !finished}
          title={finished ? undefined : 'The run is still going: export it once it has finished.'}
          aria-describedby={hintId}
        >
          {busy ? 'Exporting…' : 'Export'}
        </button>
        {!finished && <span className="small muted">Available once the run has finished.</span>}
      </div>
      {done && (
        <p id="export-done" className="notice export-done" role="status">
          {done}
        </p>
      )}
    </form>
  );
}
