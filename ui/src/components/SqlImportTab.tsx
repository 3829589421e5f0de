// The import wizard's "From a database" tab: a PostgreSQL connection and one query, previewed with the database's column types, imported as reference data whose rows stream in the background.
import { useRef, useState, type FormEvent } from 'react';

import { importSql, previewSql } from '../api';
import { toApiCallError, type ApiCallError } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { SqlImportRequest } from '../bindings/SqlImportRequest';
import type { SqlPreview } from '../bindings/SqlPreview';
import { stripFieldPrefix } from '../format';
import { FieldError } from './FieldError';
import { ImportPreviewTable } from './ImportPreviewTable';

export const DEFAULT_PORT = '5432';

/** What the form holds, as typed. */
export interface SqlForm {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  savePassword: boolean;
  query: string;
  name: string;
}

export const EMPTY_SQL_FORM: SqlForm = {
  host: 'localhost',
  port: DEFAULT_PORT,
  database: '',
  user: '',
  password: '',
  savePassword: false,
  query: '',
  name: '',
};

/** The input each field of a request (as the backend names it in errors) is typed into. */
export const SQL_FIELD_INPUT: Record<string, string> = {
  'connection.host': 'sql-host',
  'connection.port': 'sql-port',
  'connection.database': 'sql-database',
  'connection.user': 'sql-user',
  password: 'sql-password',
  save_password: 'sql-save-password',
  query: 'sql-query',
  id_column: 'sql-id-column',
  name: 'sql-name',
};

const FIELD_LABEL: Record<string, string> = {
  'connection.host': 'Host',
  'connection.port': 'Port',
  'connection.database': 'Database',
  'connection.user': 'User',
  password: 'Password',
  query: 'Query',
  id_column: 'Row ID column',
  name: 'Name',
};

/** Errors that are about the connection as a whole (the server cannot be reached, the engine): shown under the connection. */
const CONNECTION_FIELDS = new Set(['connection', 'connection.engine']);

/** The port as the request carries it: empty is the default; anything but a whole number from 1 to 65535 is refused. */
export function parsePort(port: string): number | null | 'invalid' {
  const p = port.trim();
  if (p === '') return null;
  if (!/^\d+$/.test(p)) return 'invalid';
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : 'invalid';
}

/** The request the form makes; the password only when one was typed (else the password file is used). */
export function sqlRequest(form: SqlForm, port: number | null, idColumn: string | null): SqlImportRequest {
  return {
    name: form.name.trim() || null,
    connection: { engine: 'postgres', host: form.host.trim(), port, database: form.database.trim(), user: form.user.trim() },
    query: form.query,
    password: form.password === '' ? null : form.password,
    save_password: form.savePassword && form.password !== '',
    id_column: idColumn,
    statement_timeout_seconds: null,
  };
}

/** A backend message for a field, read next to it: "is required" becomes "Host is required". */
export function fieldMessage(field: string, message: string): string {
  const text = stripFieldPrefix(message, field);
  const label = FIELD_LABEL[field];
  return label && /^(is|are|must|has|cannot|should)\b/.test(text) ? `${label} ${text}` : text;
}

/** The preview in the shape of a file's, for the first-rows table: the database's and Matchbook's type under each column. */
function asTable(p: SqlPreview): { preview: ImportPreview; types: string[] } {
  return {
    preview: { file: 'the query', format: 'sql', has_header: true, sheets: [], columns: p.columns.map((c) => c.name), rows: p.rows },
    types: p.columns.map((c) => `${c.db_type} → ${c.kind}`),
  };
}

type TabError = { source: 'preview' | 'import'; error: ApiCallError };

interface Props {
  /** Called with the dataset as the import answered it: `importing`, its rows still arriving. */
  onImported: (d: Dataset) => Promise<void>;
}

export function SqlImportTab({ onImported }: Props) {
  const [form, setForm] = useState<SqlForm>(EMPTY_SQL_FORM);
  /** The id column chosen; null follows the preview's. */
  const [idColumn, setIdColumn] = useState<string | null>(null);
  const [preview, setPreview] = useState<SqlPreview | null>(null);
  const [busy, setBusy] = useState<'preview' | 'import' | null>(null);
  const [error, setError] = useState<TabError | null>(null);
  const [portError, setPortError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const queryRef = useRef<HTMLTextAreaElement>(null);

  /** Changing what is read makes the preview (and the id column chosen from it) out of date; a field's error goes with its edit. */
  const edit = (patch: Partial<SqlForm>, field: string, readsAgain = true) => {
    setForm((f) => ({ ...f, ...patch }));
    setNotice(null);
    if (field === 'connection.port') setPortError(null);
    setError((e) => (e && (e.error.field === field || (field.startsWith('connection') && e.error.field === 'connection')) ? null : e));
    if (readsAgain) {
      setPreview(null);
      setIdColumn(null);
    }
  };

  const port = (): number | null | undefined => {
    const p = parsePort(form.port);
    if (p === 'invalid') {
      setPortError('Port must be a whole number from 1 to 65535.');
      document.getElementById('sql-port')?.focus();
      return undefined;
    }
    setPortError(null);
    return p;
  };

  /** Shows a failure next to the field it names, and puts the cursor there. */
  const fail = (source: TabError['source'], reason: unknown) => {
    const err = toApiCallError(reason);
    setError({ source, error: err });
    const input = err.field ? SQL_FIELD_INPUT[err.field] : undefined;
    if (input) document.getElementById(input)?.focus();
  };

  const runPreview = async () => {
    const p = port();
    if (p === undefined) return;
    setError(null);
    setNotice(null);
    setBusy('preview');
    try {
      const answer = await previewSql(sqlRequest(form, p, null));
      setPreview(answer);
      setIdColumn((c) => (c !== null && answer.columns.some((col) => col.name === c) ? c : null));
    } catch (e) {
      setPreview(null);
      fail('preview', e);
    } finally {
      setBusy(null);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = port();
    if (p === undefined) return;
    setError(null);
    setNotice(null);
    setBusy('import');
    try {
      const d = await importSql(sqlRequest(form, p, idColumn ?? preview?.id_column ?? null));
      // The password served this import only: it leaves the form (unless the password file has it now).
      setForm((f) => ({ ...f, password: '', savePassword: false, query: '', name: '' }));
      setPreview(null);
      setIdColumn(null);
      setNotice(`Importing “${d.name}” (${d.columns.length} columns): its rows arrive in the background; the list of datasets shows how far it got.`);
      await onImported(d);
      queryRef.current?.focus();
    } catch (err) {
      fail('import', err);
    } finally {
      setBusy(null);
    }
  };

  const field = error?.error.field ?? null;
  const errorFor = (name: string) => (field === name && error ? fieldMessage(name, error.error.message) : undefined);
  const connectionError = field !== null && CONNECTION_FIELDS.has(field) && error ? stripFieldPrefix(error.error.message, field) : undefined;
  // An error no field of the form shows (a storage failure, the statement timeout): in the box below.
  const generalError = error && (field === null || (!(field in SQL_FIELD_INPUT) && !CONNECTION_FIELDS.has(field))) ? error : null;
  const chosenId = idColumn ?? preview?.id_column ?? '';
  const table = preview ? asTable(preview) : null;
  const described = (id: string, hint?: string) => [hint, errorFor(id) || (id === 'connection.port' && portError) ? `${SQL_FIELD_INPUT[id]}-error` : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <form onSubmit={submit} className="form sql-import" noValidate aria-busy={busy !== null}>
      <p className="hint">Reads reference data (e.g. purchase orders) from a PostgreSQL database with one query. Rows stream in while you work; select the dataset later to refresh it.</p>
      <fieldset className="sql-connection">
        <legend>Connection (PostgreSQL)</legend>
        <div className="field-grid sql-server">
          <div className="field">
            <label htmlFor="sql-host">Host</label>
            <input id="sql-host" type="text" value={form.host} onChange={(e) => edit({ host: e.target.value }, 'connection.host')} spellCheck={false} autoComplete="off" aria-invalid={errorFor('connection.host') ? true : undefined} aria-describedby={described('connection.host')} />
            <FieldError id="sql-host-error" message={errorFor('connection.host')} />
          </div>
          <div className="field sql-port-field">
            <label htmlFor="sql-port">Port</label>
            <input id="sql-port" type="text" inputMode="numeric" value={form.port} onChange={(e) => edit({ port: e.target.value }, 'connection.port')} placeholder={DEFAULT_PORT} autoComplete="off" aria-invalid={portError || errorFor('connection.port') ? true : undefined} aria-describedby={described('connection.port')} />
            <FieldError id="sql-port-error" message={portError ?? errorFor('connection.port')} />
          </div>
        </div>
        <div className="field-grid">
          <div className="field">
            <label htmlFor="sql-database">Database</label>
            <input id="sql-database" type="text" value={form.database} onChange={(e) => edit({ database: e.target.value }, 'connection.database')} spellCheck={false} autoComplete="off" aria-invalid={errorFor('connection.database') ? true : undefined} aria-describedby={described('connection.database')} />
            <FieldError id="sql-database-error" message={errorFor('connection.database')} />
          </div>
          <div className="field">
            <label htmlFor="sql-user">User</label>
            <input id="sql-user" type="text" value={form.user} onChange={(e) => edit({ user: e.target.value }, 'connection.user')} spellCheck={false} autoComplete="off" aria-invalid={errorFor('connection.user') ? true : undefined} aria-describedby={described('connection.user')} />
            <FieldError id="sql-user-error" message={errorFor('connection.user')} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="sql-password">Password</label>
          <input
            id="sql-password"
            type="password"
            value={form.password}
            onChange={(e) => edit({ password: e.target.value }, 'password', false)}
            autoComplete="new-password"
            aria-invalid={errorFor('password') ? true : undefined}
            aria-describedby={described('password', 'sql-password-hint')}
          />
          <p className="hint" id="sql-password-hint">
            Used for this import only: it is not stored in the workspace. Leave it empty to use your PostgreSQL password file (~/.pgpass).
          </p>
          <FieldError id="sql-password-error" message={errorFor('password')} />
          <label htmlFor="sql-save-password" className="check-label">
            <input id="sql-save-password" type="checkbox" checked={form.savePassword} disabled={form.password === ''} onChange={(e) => edit({ savePassword: e.target.checked }, 'save_password', false)} />
            <span>
              Remember in ~/.pgpass <span className="muted small">(your own password file, so that refreshes find it)</span>
            </span>
          </label>
          <FieldError id="sql-save-password-error" message={errorFor('save_password')} />
        </div>
        <FieldError id="sql-connection-error" message={connectionError} />
      </fieldset>

      <div className="field">
        <label htmlFor="sql-query">Query</label>
        <textarea
          ref={queryRef}
          id="sql-query"
          className="mono sql-query"
          rows={5}
          value={form.query}
          onChange={(e) => edit({ query: e.target.value }, 'query')}
          placeholder="SELECT po_number, supplier, amount FROM purchase_orders"
          spellCheck={false}
          aria-invalid={errorFor('query') ? true : undefined}
          aria-describedby={described('query', 'sql-query-hint')}
        />
        <p className="hint" id="sql-query-hint">
          One SELECT (or WITH … SELECT); it only reads.
        </p>
        <FieldError id="sql-query-error" message={errorFor('query')} />
      </div>

      <div className="field-grid">
        <div className="field">
          <label htmlFor="sql-name">Name</label>
          <input id="sql-name" type="text" value={form.name} onChange={(e) => edit({ name: e.target.value }, 'name', false)} placeholder="From the database and table" />
          <FieldError id="sql-name-error" message={errorFor('name')} />
        </div>
        <div className="field">
          <label htmlFor="sql-id-column">Row ID column</label>
          <select id="sql-id-column" value={chosenId} onChange={(e) => setIdColumn(e.target.value)} disabled={!preview} aria-invalid={errorFor('id_column') ? true : undefined} aria-describedby={described('id_column')}>
            {!preview && <option value="">Preview to choose (else guessed)</option>}
            {preview && !preview.id_column && <option value="">None found: rows are numbered</option>}
            {preview?.columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
          <FieldError id="sql-id-column-error" message={errorFor('id_column')} />
        </div>
      </div>

      {preview && table && (
        <div className="import-preview-block" id="sql-preview">
          <h3 className="small-heading">
            {preview.columns.length} {preview.columns.length === 1 ? 'column' : 'columns'} · first {preview.rows.length} {preview.rows.length === 1 ? 'row' : 'rows'} (database type → Matchbook type)
          </h3>
          <ImportPreviewTable tableId="sql-preview-table" preview={table.preview} columnTypes={table.types} idColumn={chosenId} filenameColumn="" busy={busy === 'preview'} />
        </div>
      )}

      {generalError && (
        <div className="error-box" role="alert" id="sql-error">
          <strong>{generalError.source === 'preview' ? 'The query could not be previewed' : 'The import could not start'}</strong>
          <p>{generalError.error.message}</p>
        </div>
      )}
      {notice && (
        <p className="notice" role="status" id="sql-notice">
          {notice}
        </p>
      )}
      <div className="form-actions">
        <button id="sql-preview-button" type="button" onClick={() => void runPreview()} disabled={busy !== null}>
          {busy === 'preview' ? 'Reading…' : 'Preview'}
        </button>
        <button id="sql-import-submit" type="submit" className="primary" disabled={busy !== null}>
          {busy === 'import' ? 'Starting…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
