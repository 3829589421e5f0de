// What a dataset read from a database shows above its rows: its connection and query, its version, the import in progress (with Cancel) or the last failure, and Refresh (with the password for this refresh only).
import { useState, type FormEvent } from 'react';

import { errorText } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import { formatCount } from '../format';
import { FieldError } from './FieldError';

interface Props {
  dataset: Dataset;
  /** Starts a refresh; an empty password means the user's password file. Rejects with the backend's error. */
  onRefresh: (password: string) => Promise<void>;
  onCancel: () => Promise<void>;
}

export function SqlSourcePanel({ dataset, onRefresh, onCancel }: Props) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const importing = dataset.status === 'importing';
  if (!dataset.sql) return null;

  const refresh = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await onRefresh(password);
      // Used for this refresh only.
      setPassword('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setBusy(true);
    try {
      await onCancel();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sql-source" id="dataset-sql">
      <details className="sql-source-query">
        <summary>Query</summary>
        <pre className="mono" id="dataset-sql-query">
          {dataset.sql.query}
        </pre>
      </details>
      {importing && (
        <p className="sql-source-progress" id="dataset-importing" role="status">
          {dataset.version > 0 ? `Refreshing into v${dataset.version + 1}` : 'Importing'}: {formatCount(dataset.rows_imported ?? 0)} rows read so far
          {dataset.version > 0 && <span className="muted"> (v{dataset.version} stays in use until it is done)</span>}.{' '}
          <button type="button" id="dataset-cancel" className="small" onClick={() => void cancel()} disabled={busy}>
            Cancel import
          </button>
        </p>
      )}
      {dataset.status === 'failed' && (
        <div className="error-box" role="alert" id="dataset-failed">
          <strong>{dataset.version > 0 ? `The last refresh failed; v${dataset.version} stays in use` : 'The import failed'}</strong>
          <p>{dataset.error ?? 'No reason was given.'}</p>
        </div>
      )}
      <form className="sql-refresh" onSubmit={refresh} noValidate>
        <label htmlFor="dataset-refresh-password" className="visually-hidden">
          Password for this refresh
        </label>
        <div className="input-row">
          <input
            id="dataset-refresh-password"
            type="password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              setError(null);
            }}
            placeholder="Password (empty: ~/.pgpass)"
            autoComplete="new-password"
            aria-describedby="dataset-refresh-hint"
            disabled={importing}
          />
          <button id="dataset-refresh" type="submit" disabled={importing || busy}>
            Refresh
          </button>
        </div>
        <p className="hint" id="dataset-refresh-hint">
          Runs the query again into a new version; runs already made keep the rows they matched. The password is used for this refresh only.
        </p>
        <FieldError id="dataset-refresh-error" message={error ?? undefined} />
      </form>
    </div>
  );
}
