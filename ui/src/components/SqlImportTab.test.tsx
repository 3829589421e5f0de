// Behaviour of the import wizard's "From a database" tab against a mocked api: the tab, the request it sends, the preview with the database's types, the id column, errors next to the field they name, the import that starts in the background.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  previewSql: vi.fn(),
  importSql: vi.fn(),
  previewImport: vi.fn(),
  importDataset: vi.fn(),
  pickFile: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Dataset } from '../bindings/Dataset';
import type { SqlImportRequest } from '../bindings/SqlImportRequest';
import type { SqlPreview } from '../bindings/SqlPreview';
import { change, click, render, type Rendered } from '../testing';
import { ImportWizard } from './ImportWizard';
import { fieldMessage, parsePort } from './SqlImportTab';

const mocked = vi.mocked(api);

const PREVIEW: SqlPreview = {
  columns: [
    { name: 'po_number', db_type: 'text', kind: 'string' },
    { name: 'amount', db_type: 'numeric', kind: 'number' },
    { name: 'ordered_on', db_type: 'date', kind: 'date' },
  ],
  rows: [
    ['PO-1', '120.50', '2024-05-01'],
    ['PO-2', '', '2024-05-02'],
  ],
  id_column: 'po_number',
};

const IMPORTING: Dataset = {
  id: 'sql-1',
  kind: 'reference',
  name: 'erp: purchase_orders',
  source_type: 'postgres',
  source_file: 'postgres://reader@db.local:5432/erp',
  columns: [
    { name: 'po_number', type: 'string' },
    { name: 'amount', type: 'number' },
    { name: 'ordered_on', type: 'date' },
  ],
  row_count: 0,
  id_column: 'po_number',
  filename_column: null,
  created_at: '2024-05-01T10:00:00Z',
  status: 'importing',
  version: 0,
  error: null,
  rows_imported: 0,
  sql: {
    connection: { engine: 'postgres', host: 'db.local', port: 5432, database: 'erp', user: 'reader' },
    query: 'SELECT po_number, amount, ordered_on FROM purchase_orders',
    statement_timeout_seconds: null,
  },
};

/** The request the filled-in form below makes, unless a test changes something. */
const REQUEST: SqlImportRequest = {
  name: null,
  connection: { engine: 'postgres', host: 'db.local', port: 5432, database: 'erp', user: 'reader' },
  query: 'SELECT po_number, amount, ordered_on FROM purchase_orders',
  password: 's3cret',
  save_password: false,
  id_column: null,
  statement_timeout_seconds: null,
};

let view: Rendered | null = null;
let onImported: ReturnType<typeof vi.fn<(d: Dataset) => Promise<void>>>;

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);
const text = (selector: string) => $(selector)?.textContent ?? '';
const optionValues = (selector: string) => [...($<HTMLSelectElement>(selector)?.options ?? [])].map((o) => o.value);

beforeEach(() => {
  vi.clearAllMocks();
  mocked.previewSql.mockResolvedValue(PREVIEW);
  mocked.importSql.mockResolvedValue(IMPORTING);
  onImported = vi.fn(async () => undefined);
});

afterEach(() => {
  view?.unmount();
  view = null;
});

async function openDatabaseTab() {
  view = await render(<ImportWizard onImported={onImported} />);
  await click($('#import-tab-sql'));
}

async function fillConnection() {
  await change($('#sql-host'), 'db.local');
  await change($('#sql-database'), 'erp');
  await change($('#sql-user'), 'reader');
  await change($('#sql-password'), 's3cret');
  await change($('#sql-query'), REQUEST.query);
}

describe('SqlImportTab', () => {
  it('is a tab beside the file import, with labelled connection fields, a masked password and its note', async () => {
    view = await render(<ImportWizard onImported={onImported} />);
    expect($('#import-tab-file')?.getAttribute('aria-selected')).toBe('true');
    expect($('#import-panel-sql')?.hidden).toBe(true);
    await click($('#import-tab-sql'));
    expect($('#import-tab-sql')?.getAttribute('aria-selected')).toBe('true');
    expect($('#import-panel-sql')?.hidden).toBe(false);
    expect($('#import-panel-file')?.hidden).toBe(true);

    for (const id of ['sql-host', 'sql-port', 'sql-database', 'sql-user', 'sql-password', 'sql-query', 'sql-name', 'sql-id-column', 'sql-save-password']) {
      expect($(`label[for="${id}"]`), id).not.toBeNull();
    }
    expect($<HTMLInputElement>('#sql-port')?.value).toBe('5432');
    expect($<HTMLInputElement>('#sql-password')?.type).toBe('password');
    expect(text('#sql-password-hint')).toContain('Used for this import only');
    expect(text('#sql-password-hint')).toContain('not stored in the workspace');
    expect($('#sql-password')?.getAttribute('aria-describedby')).toContain('sql-password-hint');
    expect(text('label[for="sql-save-password"]')).toContain('Remember in ~/.pgpass');
    // Nothing to remember until a password is typed.
    expect($<HTMLInputElement>('#sql-save-password')?.disabled).toBe(true);
    expect($('#sql-query')?.classList.contains('mono')).toBe(true);
    // The id column is chosen from a preview.
    expect($<HTMLSelectElement>('#sql-id-column')?.disabled).toBe(true);

    // Switching back keeps what was typed in either tab.
    await change($('#sql-database'), 'erp');
    await click($('#import-tab-file'));
    await click($('#import-tab-sql'));
    expect($<HTMLInputElement>('#sql-database')?.value).toBe('erp');
  });

  it('previews the columns with their database and Matchbook types, and the first rows', async () => {
    await openDatabaseTab();
    await fillConnection();
    await click($('#sql-preview-button'));

    expect(mocked.previewSql).toHaveBeenCalledWith(REQUEST);
    const headers = [...document.querySelectorAll('#sql-preview-table thead th')];
    expect(headers.map((th) => th.firstChild?.textContent)).toEqual(['po_number', 'amount', 'ordered_on']);
    expect(headers.map((th) => th.querySelector('.col-type')?.textContent)).toEqual(['text → string', 'numeric → number', 'date → date']);
    const rows = [...document.querySelectorAll('#sql-preview-table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual(PREVIEW.rows);
    expect(text('#sql-preview')).toContain('3 columns · first 2 rows');

    // The id column: the query's columns, the preview's guess chosen and marked.
    expect($<HTMLSelectElement>('#sql-id-column')?.disabled).toBe(false);
    expect(optionValues('#sql-id-column')).toEqual(['po_number', 'amount', 'ordered_on']);
    expect($<HTMLSelectElement>('#sql-id-column')?.value).toBe('po_number');
    expect(text('#sql-preview-table th.import-col-id')).toContain('po_number');

    // Changing the query makes the preview out of date.
    await change($('#sql-query'), 'SELECT 1');
    expect($('#sql-preview')).toBeNull();
  });

  it('offers "none" when the query has no id column of its own', async () => {
    mocked.previewSql.mockResolvedValue({ ...PREVIEW, id_column: null });
    await openDatabaseTab();
    await fillConnection();
    await click($('#sql-preview-button'));
    expect(optionValues('#sql-id-column')).toEqual(['', 'po_number', 'amount', 'ordered_on']);
    expect($<HTMLSelectElement>('#sql-id-column')?.value).toBe('');
  });

  it('imports with the chosen id column, name and remembered password, then reports it importing and forgets the password', async () => {
    await openDatabaseTab();
    await fillConnection();
    await change($('#sql-port'), '6543');
    await click($('#sql-preview-button'));
    await change($('#sql-id-column'), 'amount');
    await change($('#sql-name'), 'ERP orders');
    await click($('#sql-save-password'));
    await click($('#sql-import-submit'));

    expect(mocked.importSql).toHaveBeenCalledWith({
      ...REQUEST,
      name: 'ERP orders',
      connection: { ...REQUEST.connection, port: 6543 },
      save_password: true,
      id_column: 'amount',
    });
    expect(onImported).toHaveBeenCalledWith(IMPORTING);
    expect(text('#sql-notice')).toContain('Importing “erp: purchase_orders”');
    // Used once: the password leaves the form; the connection stays for the next query.
    expect($<HTMLInputElement>('#sql-password')?.value).toBe('');
    expect($<HTMLInputElement>('#sql-save-password')?.checked).toBe(false);
    expect($<HTMLInputElement>('#sql-host')?.value).toBe('db.local');
    expect($<HTMLTextAreaElement>('#sql-query')?.value).toBe('');
    expect($('#sql-preview')).toBeNull();
  });

  it('imports without a preview, the id column guessed and no password: the password file is used', async () => {
    await openDatabaseTab();
    await fillConnection();
    await change($('#sql-password'), '');
    await change($('#sql-port'), '');
    await click($('#sql-import-submit'));
    expect(mocked.importSql).toHaveBeenCalledWith({ ...REQUEST, password: null, connection: { ...REQUEST.connection, port: null } });
  });

  it('shows each error next to the field it names, and clears it when that field is edited', async () => {
    await openDatabaseTab();
    await fillConnection();
    const cases: [string, string, string, string][] = [
      ['connection.host', 'connection.host: is required', 'sql-host', 'Host is required'],
      ['connection.database', 'connection.database: is required', 'sql-database', 'Database is required'],
      ['connection.user', 'connection.user: is required', 'sql-user', 'User is required'],
      ['password', 'password: password authentication failed for user "reader"', 'sql-password', 'password authentication failed for user "reader"'],
      ['query', 'query: only one read-only statement (SELECT, WITH, VALUES or TABLE) can be imported', 'sql-query', 'only one read-only statement'],
    ];
    for (const [field, message, input, shown] of cases) {
      mocked.previewSql.mockRejectedValueOnce(new ApiCallError({ code: 'validation_error', message, field }));
      await click($('#sql-preview-button'));
      expect(text(`#${input}-error`), field).toContain(shown);
      expect($(`#${input}`)?.getAttribute('aria-invalid'), field).toBe('true');
      expect($(`#${input}`)?.getAttribute('aria-describedby'), field).toContain(`${input}-error`);
      expect(document.activeElement?.id, field).toBe(input);
      // Only there: not also in the box for errors without a field.
      expect($('#sql-error')).toBeNull();
    }
    await change($('#sql-query'), 'SELECT * FROM purchase_orders');
    expect($('#sql-query-error')).toBeNull();
    expect($('#sql-query')?.getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a server that cannot be reached under the connection, an unknown id column at the select, others in a box', async () => {
    await openDatabaseTab();
    await fillConnection();
    mocked.previewSql.mockRejectedValueOnce(new ApiCallError({ code: 'validation_error', message: 'connection: could not connect to db.local:5432: Connection refused', field: 'connection' }));
    await click($('#sql-preview-button'));
    expect(text('#sql-connection-error')).toBe('could not connect to db.local:5432: Connection refused');
    // Editing any connection field clears it.
    await change($('#sql-host'), 'db2.local');
    expect($('#sql-connection-error')).toBeNull();

    await click($('#sql-preview-button'));
    mocked.importSql.mockRejectedValueOnce(new ApiCallError({ code: 'validation_error', message: 'id_column: the query has no column "po" (it has po_number, amount)', field: 'id_column' }));
    await click($('#sql-import-submit'));
    expect(text('#sql-id-column-error')).toBe('the query has no column "po" (it has po_number, amount)');
    expect(onImported).not.toHaveBeenCalled();

    mocked.importSql.mockRejectedValueOnce(new ApiCallError({ code: 'storage_error', message: 'the workspace is read-only' }));
    await click($('#sql-import-submit'));
    expect($('#sql-error')?.getAttribute('role')).toBe('alert');
    expect(text('#sql-error')).toContain('The import could not start');
    expect(text('#sql-error')).toContain('the workspace is read-only');
  });

  it('refuses a port that is not a number before asking the server', async () => {
    await openDatabaseTab();
    await fillConnection();
    await change($('#sql-port'), '54x2');
    await click($('#sql-preview-button'));
    expect(mocked.previewSql).not.toHaveBeenCalled();
    expect(text('#sql-port-error')).toContain('whole number from 1 to 65535');
    await change($('#sql-port'), '5432');
    expect($('#sql-port-error')).toBeNull();
  });
});

describe('helpers', () => {
  it('reads the port', () => {
    expect(parsePort('')).toBeNull();
    expect(parsePort(' 5433 ')).toBe(5433);
    expect(parsePort('0')).toBe('invalid');
    expect(parsePort('70000')).toBe('invalid');
    expect(parsePort('5.5')).toBe('invalid');
  });

  it('words a field message for the place it is shown', () => {
    expect(fieldMessage('connection.host', 'connection.host: is required')).toBe('Host is required');
    expect(fieldMessage('query', 'query: syntax error at or near "SELEC"')).toBe('syntax error at or near "SELEC"');
  });
});
