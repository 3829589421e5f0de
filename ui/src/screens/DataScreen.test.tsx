// Behaviour of the data screen against a mocked api: import wizard (preview, detected options, columns), import errors naming file/row/column, rows view; datasets from a database (status, polling while importing, cancel, refresh).
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listDatasets: vi.fn(),
  importDataset: vi.fn(),
  deleteDataset: vi.fn(),
  datasetRows: vi.fn(),
  pickFile: vi.fn(),
  previewImport: vi.fn(),
  previewSql: vi.fn(),
  importSql: vi.fn(),
  refreshDataset: vi.fn(),
  cancelImport: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Dataset } from '../bindings/Dataset';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportRequest } from '../bindings/ImportRequest';
import { PREVIEW_DELAY_MS } from '../components/ImportWizard';
import { click, render, settle, type Rendered } from '../testing';
import { DataScreen, POLL_MS } from './DataScreen';

const mocked = vi.mocked(api);

const po: Dataset = {
  id: 'ref',
  kind: 'reference',
  name: 'POs',
  source_type: 'csv',
  source_file: '/data/po.csv',
  columns: [
    { name: 'po_number', type: 'string' },
    { name: 'amount', type: 'number' },
  ],
  row_count: 250,
  id_column: 'po_number',
  filename_column: null,
  created_at: '2024-05-01T10:00:00Z',
  status: 'ready',
  version: 1,
  error: null,
  rows_imported: null,
  sql: null,
};

/** Reference data read from a database, at version 2. */
const erp: Dataset = {
  ...po,
  id: 'erp',
  name: 'erp: purchase_orders',
  source_type: 'postgres',
  source_file: 'postgres://reader@db.local:5432/erp',
  row_count: 1200,
  version: 2,
  sql: {
    connection: { engine: 'postgres', host: 'db.local', port: 5432, database: 'erp', user: 'reader' },
    query: 'SELECT po_number, amount FROM purchase_orders',
    statement_timeout_seconds: null,
  },
};

let view: Rendered | null = null;
let datasets: Dataset[] = [];

/** What the mocked backend reads from a CSV file: detects ";" and Windows-1252 unless told otherwise. */
function csvPreview(request: ImportRequest): ImportPreview {
  const header = request.has_header ?? true;
  const columns = header ? ['document_id', 'file', 'supplier', 'amount'] : ['column_1', 'column_2', 'column_3', 'column_4'];
  const rows = [
    ['INV-1', 'inv1.pdf', 'ACME Corp.', '12.40'],
    ['INV-2', 'inv2.pdf', 'Globex Ltd', ''],
  ];
  if (!header) rows.unshift(['document_id', 'file', 'supplier', 'amount']);
  return {
    file: 'invoices.csv',
    format: 'csv',
    delimiter: request.delimiter ?? ';',
    encoding: request.encoding ?? 'windows-1252',
    has_header: header,
    sheets: [],
    columns,
    rows,
    row_count: rows.length,
    id_column: header ? 'document_id' : undefined,
    filename_column: header && request.kind === 'documents' ? 'file' : undefined,
  };
}

function xlsxPreview(request: ImportRequest): ImportPreview {
  const sheet = request.sheet ?? 'Orders';
  return {
    file: 'po.xlsx',
    format: 'xlsx',
    has_header: true,
    sheets: ['Orders', 'Archive'],
    sheet,
    columns: sheet === 'Orders' ? ['po_number', 'amount'] : ['old_po', 'old_amount'],
    rows: [[sheet === 'Orders' ? 'PO-1' : 'OLD-1', '10.00']],
    row_count: 12,
    id_column: sheet === 'Orders' ? 'po_number' : 'old_po',
  };
}

beforeEach(() => {
  vi.clearAllMocks();
  vi.useFakeTimers();
  datasets = [po];
  mocked.listDatasets.mockImplementation(async () => datasets);
  mocked.previewImport.mockImplementation(async (request) => (request.path.endsWith('.xlsx') ? xlsxPreview(request) : csvPreview(request)));
  mocked.datasetRows.mockImplementation(async (_id, page, limit) => ({
    columns: ['po_number', 'amount'],
    rows: [{ id: `PO-${page}`, values: [`PO-${page}`, ''] }],
    total: 250,
    page,
    limit,
  }));
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.useRealTimers();
});

/** Types into an input or picks an option, as a user would. */
async function setValue(selector: string, value: string) {
  const el = document.querySelector<HTMLInputElement | HTMLSelectElement>(selector);
  if (!el) throw new Error(`no element ${selector}`);
  await act(async () => {
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
  await settle();
}

/** Lets the preview's debounce run out and its answer land. */
async function waitForPreview() {
  await act(async () => {
    vi.advanceTimersByTime(PREVIEW_DELAY_MS);
  });
  await settle();
}

async function chooseFile(path: string) {
  await setValue('#import-path', path);
  await waitForPreview();
}

const text = (selector: string) => document.querySelector(selector)?.textContent ?? '';
const optionTexts = (selector: string) => [...(document.querySelector<HTMLSelectElement>(selector)?.options ?? [])].map((o) => o.textContent);
const lastPreviewRequest = () => mocked.previewImport.mock.calls.at(-1)?.[0];

describe('DataScreen', () => {
  it('lists datasets and pages through the rows of the selected one, 100 at a time', async () => {
    view = await render(<DataScreen active />);
    expect(document.querySelector('tr[data-dataset-id="ref"]')?.textContent).toContain('Reference data');
    await click(document.querySelector('tr[data-dataset-id="ref"] button'));
    expect(mocked.datasetRows).toHaveBeenCalledWith('ref', 1, 100);
    expect(document.querySelector('.rows-view')?.textContent).toContain('page 1 of 3');
    const next = [...document.querySelectorAll('.rows-view button')].find((b) => b.textContent?.includes('Next'));
    await click(next ?? null);
    expect(mocked.datasetRows).toHaveBeenLastCalledWith('ref', 2, 100);
  });

  it('shows the options only once a file is chosen', async () => {
    view = await render(<DataScreen active />);
    expect(document.querySelector('#import-kind')).not.toBeNull();
    expect(document.querySelector('#import-delimiter')).toBeNull();
    expect(document.querySelector('#import-preview')).toBeNull();
    expect(document.querySelector<HTMLButtonElement>('#import-submit')?.disabled).toBe(true);
    for (const id of ['import-kind', 'import-name', 'import-path']) expect(document.querySelector(`label[for="${id}"]`)).not.toBeNull();
  });

  it('previews the first rows once typing pauses, showing what was detected', async () => {
    view = await render(<DataScreen active />);
    await setValue('#import-kind', 'documents');
    await setValue('#import-path', '/data/inv');
    await setValue('#import-path', '/data/invoices.csv');
    expect(mocked.previewImport).not.toHaveBeenCalled();
    await waitForPreview();
    // One request, for the path as it ended up, with nothing forced.
    expect(mocked.previewImport).toHaveBeenCalledTimes(1);
    expect(mocked.previewImport).toHaveBeenCalledWith({ path: '/data/invoices.csv', kind: 'documents' });

    const headers = [...document.querySelectorAll('#import-preview thead th')].map((th) => th.firstChild?.textContent);
    expect(headers).toEqual(['document_id', 'file', 'supplier', 'amount']);
    const rows = [...document.querySelectorAll('#import-preview tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['INV-1', 'inv1.pdf', 'ACME Corp.', '12.40'],
      ['INV-2', 'inv2.pdf', 'Globex Ltd', ''],
    ]);
    // The guessed id and file-name columns are marked in the preview.
    expect(text('#import-preview th.import-col-id')).toBe('document_idID');
    expect(text('#import-preview th.import-col-filename')).toBe('filefile name');

    expect(text('#import-format')).toBe('Text file (CSV) · 2 rows');
    expect(optionTexts('#import-delimiter')).toEqual(['Detected: semicolon', 'Comma', 'Semicolon', 'Tab', 'Pipe']);
    expect(optionTexts('#import-encoding')).toEqual(['Detected: Windows-1252', 'UTF-8', 'Windows-1252', 'UTF-16 LE', 'UTF-16 BE']);
    expect(document.querySelector<HTMLInputElement>('#import-header')?.checked).toBe(true);
    expect(text('label[for="import-header"]')).toContain('First row holds column names');
    expect(document.querySelector('#import-sheet')).toBeNull();
  });

  it('reads the file again when the delimiter, encoding or header is changed', async () => {
    view = await render(<DataScreen active />);
    await chooseFile('/data/invoices.csv');
    expect(mocked.previewImport).toHaveBeenCalledTimes(1);

    await setValue('#import-delimiter', ',');
    await waitForPreview();
    expect(lastPreviewRequest()).toEqual({ path: '/data/invoices.csv', kind: 'reference', delimiter: ',' });
    // The "Detected" choice still names what the file gave on its own.
    expect(optionTexts('#import-delimiter')[0]).toBe('Detected: semicolon');

    await setValue('#import-encoding', 'utf-16le');
    await waitForPreview();
    expect(lastPreviewRequest()).toEqual({ path: '/data/invoices.csv', kind: 'reference', delimiter: ',', encoding: 'utf-16le' });

    await click(document.querySelector('#import-header'));
    await waitForPreview();
    expect(lastPreviewRequest()).toEqual({ path: '/data/invoices.csv', kind: 'reference', delimiter: ',', encoding: 'utf-16le', has_header: false });
    expect(document.querySelector<HTMLInputElement>('#import-header')?.checked).toBe(false);
    expect([...document.querySelectorAll('#import-preview thead th')].map((th) => th.firstChild?.textContent)).toEqual([
      'column_1',
      'column_2',
      'column_3',
      'column_4',
    ]);
    expect(text('#import-preview tbody tr')).toContain('document_id');
    expect(mocked.previewImport).toHaveBeenCalledTimes(4);

    // Changing the kind also re-reads: the guesses depend on it.
    await setValue('#import-kind', 'documents');
    await waitForPreview();
    expect(lastPreviewRequest()?.kind).toBe('documents');
  });

  it('offers the sheets of a workbook and reads the one chosen', async () => {
    view = await render(<DataScreen active />);
    await chooseFile('/data/po.xlsx');
    expect(text('#import-format')).toBe('Excel workbook (XLSX) · 12 rows');
    expect(document.querySelector('#import-delimiter')).toBeNull();
    expect(document.querySelector('#import-encoding')).toBeNull();
    expect(optionTexts('#import-sheet')).toEqual(['Orders', 'Archive']);
    expect(document.querySelector<HTMLSelectElement>('#import-sheet')?.value).toBe('Orders');

    await setValue('#import-sheet', 'Archive');
    await waitForPreview();
    expect(lastPreviewRequest()).toEqual({ path: '/data/po.xlsx', kind: 'reference', sheet: 'Archive' });
    expect(document.querySelector<HTMLSelectElement>('#import-sheet')?.value).toBe('Archive');
    expect(text('#import-preview tbody')).toContain('OLD-1');
    expect(optionTexts('#import-id-column')).toEqual(['Guess (old_po)', 'old_po', 'old_amount']);
  });

  it('ignores a preview answer that arrives after a newer one', async () => {
    let answerFirst: ((p: ImportPreview) => void) | undefined;
    mocked.previewImport.mockImplementationOnce((request) => new Promise((resolve) => (answerFirst = () => resolve(csvPreview(request)))));
    view = await render(<DataScreen active />);
    await chooseFile('/data/invoices.csv');
    await setValue('#import-delimiter', '|');
    await waitForPreview();
    expect(mocked.previewImport).toHaveBeenCalledTimes(2);
    expect(text('#import-preview tbody')).toContain('INV-1');
    // The first (slow) answer comes last and says ";": it must not replace the newer one.
    await act(async () => answerFirst?.(csvPreview({ path: '/data/invoices.csv', kind: 'reference' })));
    await settle();
    expect(document.querySelector<HTMLSelectElement>('#import-delimiter')?.value).toBe('|');
    expect(optionTexts('#import-delimiter')[0]).toBe('Detect automatically');
  });

  it('lists the columns for the id and file name, and imports with every chosen option', async () => {
    const imported: Dataset = { ...po, id: 'new', name: 'March invoices', kind: 'documents', row_count: 2 };
    mocked.importDataset.mockImplementation(async () => {
      datasets = [po, imported];
      return imported;
    });
    view = await render(<DataScreen active />);
    await setValue('#import-kind', 'documents');
    await chooseFile('/data/invoices.csv');

    expect(optionTexts('#import-id-column')).toEqual(['Guess (document_id)', 'document_id', 'file', 'supplier', 'amount']);
    expect(optionTexts('#import-filename-column')).toEqual(['Guess (file)', 'document_id', 'file', 'supplier', 'amount']);
    await setValue('#import-id-column', 'supplier');
    await setValue('#import-filename-column', 'amount');
    expect(text('#import-preview th.import-col-id')).toBe('supplierID');
    await setValue('#import-delimiter', ';');
    await setValue('#import-encoding', 'windows-1252');
    await waitForPreview();
    await setValue('#import-name', 'March invoices');
    await click(document.querySelector('#import-submit'));

    expect(mocked.importDataset).toHaveBeenCalledWith({
      path: '/data/invoices.csv',
      kind: 'documents',
      name: 'March invoices',
      id_column: 'supplier',
      filename_column: 'amount',
      delimiter: ';',
      encoding: 'windows-1252',
    });
    expect(text('[role="status"]')).toContain('Imported “March invoices”');
    // The wizard starts over and the new dataset is selected.
    expect(document.querySelector<HTMLInputElement>('#import-path')?.value).toBe('');
    expect(document.querySelector<HTMLInputElement>('#import-name')?.value).toBe('');
    expect(document.querySelector('#import-preview')).toBeNull();
    expect(document.querySelector('#import-id-column')).toBeNull();
    expect(document.querySelector('tr[data-dataset-id="new"]')?.classList.contains('selected')).toBe(true);
    expect(mocked.datasetRows).toHaveBeenCalledWith('new', 1, 100);
    expect(text('#rows-heading')).toContain('March invoices');
  });

  it('leaves the file name column out for reference data', async () => {
    mocked.importDataset.mockResolvedValue(po);
    view = await render(<DataScreen active />);
    await chooseFile('/data/po.csv');
    expect(document.querySelector('#import-filename-column')).toBeNull();
    await click(document.querySelector('#import-submit'));
    expect(mocked.importDataset).toHaveBeenCalledWith({ path: '/data/po.csv', kind: 'reference' });
  });

  it('shows an import error naming file, row and column', async () => {
    mocked.importDataset.mockRejectedValue(
      new ApiCallError({
        code: 'import_error',
        message: 'invoices.csv, row 4, column total_amount: "12,40 EUR" is not a number',
        file: 'invoices.csv',
        row: 4,
        column: 'total_amount',
      }),
    );
    view = await render(<DataScreen active />);
    await chooseFile('/data/invoices.csv');
    await click(document.querySelector('#import-submit'));
    const box = document.querySelector('#import-error');
    expect(box?.getAttribute('role')).toBe('alert');
    expect(box?.textContent).toContain('The file could not be imported');
    expect(box?.textContent).toContain('invoices.csv, row 4, column total_amount: "12,40 EUR" is not a number');
    // The choices stay, so the user can fix them and try again.
    expect(document.querySelector<HTMLInputElement>('#import-path')?.value).toBe('/data/invoices.csv');
  });

  it('shows a preview error naming file, row and column', async () => {
    mocked.previewImport.mockRejectedValue(
      new ApiCallError({ code: 'import_error', message: 'the row has 3 values, the header 4', file: 'invoices.xlsx', row: 4, column: 'amount' }),
    );
    view = await render(<DataScreen active />);
    await chooseFile('/data/invoices.xlsx');
    const box = document.querySelector('#import-error');
    expect(box?.getAttribute('role')).toBe('alert');
    expect(box?.textContent).toContain('The file could not be read');
    expect(box?.textContent).toContain('invoices.xlsx, row 4, column amount: the row has 3 values, the header 4');
    expect(document.querySelector('#import-preview')).toBeNull();

    // A read that works clears it.
    mocked.previewImport.mockImplementation(async (request) => xlsxPreview(request));
    await click(document.querySelector('#import-header'));
    await waitForPreview();
    expect(document.querySelector('#import-error')).toBeNull();
    expect(document.querySelector('#import-preview')).not.toBeNull();
  });

  it('fills the path from the file dialog and previews the file', async () => {
    mocked.pickFile.mockResolvedValue('/picked/po.tsv');
    view = await render(<DataScreen active />);
    await click(document.querySelector('#import-browse'));
    expect(document.querySelector<HTMLInputElement>('#import-path')?.value).toBe('/picked/po.tsv');
    await waitForPreview();
    expect(mocked.previewImport).toHaveBeenCalledWith({ path: '/picked/po.tsv', kind: 'reference' });
    expect(document.querySelector('#import-preview')).not.toBeNull();
  });
});

describe('DataScreen with data from a database', () => {
  const row = (id: string) => document.querySelector(`tr[data-dataset-id="${id}"]`);
  const badge = (id: string) => row(id)?.querySelector('.dataset-status');

  /** Lets the poll's timer run out and the list it reads land. */
  async function nextPoll() {
    await act(async () => {
      vi.advanceTimersByTime(POLL_MS);
    });
    await settle();
  }

  it('shows each dataset\'s status, and the version of data read from a database', async () => {
    datasets = [po, erp, { ...erp, id: 'broken', name: 'broken', version: 0, row_count: 0, status: 'failed', error: 'relation "orders" does not exist' }];
    view = await render(<DataScreen active />);
    expect(badge('ref')?.textContent).toBe('Ready');
    expect(row('ref')?.querySelector('.dataset-version')).toBeNull();
    expect(badge('erp')?.textContent).toBe('Ready');
    expect(row('erp')?.querySelector('.dataset-version')?.textContent).toBe('v2');
    expect(row('erp')?.textContent).toContain('1,200');
    expect(badge('broken')?.textContent).toBe('Failed');
    expect(row('broken')?.getAttribute('data-status')).toBe('failed');
    expect(row('broken')?.querySelector('.dataset-error')?.textContent).toBe('relation "orders" does not exist');
    // No rows yet, no version to name.
    expect(row('broken')?.querySelector('.dataset-version')).toBeNull();
    // Nothing imports: nothing is polled.
    const reads = mocked.listDatasets.mock.calls.length;
    await nextPoll();
    expect(mocked.listDatasets.mock.calls.length).toBe(reads);
  });

  it('polls the list while a dataset imports, showing the rows read so far, until it is ready', async () => {
    datasets = [po, { ...erp, version: 0, row_count: 0, status: 'importing', rows_imported: 0 }];
    view = await render(<DataScreen active />);
    expect(badge('erp')?.textContent).toBe('Importing · 0 rows');
    expect(row('erp')?.querySelector('.dataset-cancel')).not.toBeNull();
    expect(row('erp')?.querySelector('.dataset-version')).toBeNull();

    datasets = [po, { ...erp, version: 0, row_count: 0, status: 'importing', rows_imported: 1500 }];
    await nextPoll();
    expect(badge('erp')?.textContent).toBe('Importing · 1,500 rows');

    // A read that changes nothing keeps polling.
    await nextPoll();
    expect(badge('erp')?.textContent).toBe('Importing · 1,500 rows');

    datasets = [po, { ...erp, version: 1, row_count: 3000, status: 'ready', rows_imported: null }];
    await nextPoll();
    expect(badge('erp')?.textContent).toBe('Ready');
    expect(row('erp')?.querySelector('.dataset-cancel')).toBeNull();
    expect(row('erp')?.querySelector('.dataset-version')?.textContent).toBe('v1');
    expect(row('erp')?.textContent).toContain('3,000');

    const reads = mocked.listDatasets.mock.calls.length;
    await nextPoll();
    await nextPoll();
    expect(mocked.listDatasets.mock.calls.length).toBe(reads);
  });

  it('does not poll while the screen is not shown', async () => {
    datasets = [{ ...erp, status: 'importing', rows_imported: 10 }];
    view = await render(<DataScreen active={false} />);
    await nextPoll();
    expect(mocked.listDatasets).not.toHaveBeenCalled();
  });

  it('cancels an import from the list: a first import\'s dataset goes away', async () => {
    datasets = [po, { ...erp, version: 0, row_count: 0, status: 'importing', rows_imported: 500 }];
    mocked.cancelImport.mockImplementation(async () => {
      const cancelled = datasets[1] as Dataset;
      datasets = [po];
      return cancelled;
    });
    view = await render(<DataScreen active />);
    await click(row('erp')?.querySelector('.dataset-cancel') ?? null);
    expect(mocked.cancelImport).toHaveBeenCalledWith('erp');
    expect(row('erp')).toBeNull();
  });

  it('shows the query and refreshes with the password typed (used once) or the password file', async () => {
    datasets = [erp];
    mocked.refreshDataset.mockImplementation(async () => {
      datasets = [{ ...erp, status: 'importing', rows_imported: 0 }];
      return datasets[0] as Dataset;
    });
    view = await render(<DataScreen active />);
    await click(row('erp')?.querySelector('button') ?? null);
    expect(text('#rows-heading')).toContain('erp: purchase_orders');
    expect(text('.rows-view')).toContain('postgres://reader@db.local:5432/erp · v2');
    expect(text('#dataset-sql-query')).toBe('SELECT po_number, amount FROM purchase_orders');
    expect(document.querySelector<HTMLInputElement>('#dataset-refresh-password')?.type).toBe('password');

    await setValue('#dataset-refresh-password', 'pw');
    await click(document.querySelector('#dataset-refresh'));
    expect(mocked.refreshDataset).toHaveBeenCalledWith('erp', { password: 'pw' });
    expect(document.querySelector<HTMLInputElement>('#dataset-refresh-password')?.value).toBe('');
    // Refreshing: v2 stays in use, progress shows, another refresh waits.
    expect(text('#dataset-importing')).toContain('Refreshing into v3');
    expect(text('#dataset-importing')).toContain('v2 stays in use');
    expect(document.querySelector<HTMLButtonElement>('#dataset-refresh')?.disabled).toBe(true);
    expect(badge('erp')?.textContent).toBe('Importing · 0 rows');

    // The refresh fails: v2 is still what runs use.
    datasets = [{ ...erp, status: 'failed', error: 'password authentication failed for user "reader"' }];
    await nextPoll();
    expect(text('#dataset-failed')).toContain('The last refresh failed; v2 stays in use');
    expect(text('#dataset-failed')).toContain('password authentication failed');

    // Again, with the password file.
    mocked.refreshDataset.mockRejectedValueOnce(new ApiCallError({ code: 'conflict', message: 'reference data erp is already importing; wait for it or cancel it first' }));
    await click(document.querySelector('#dataset-refresh'));
    expect(mocked.refreshDataset).toHaveBeenLastCalledWith('erp', { password: null });
    expect(text('#dataset-refresh-error')).toContain('already importing');
  });

  it('cancels a refresh from the rows view', async () => {
    datasets = [{ ...erp, status: 'importing', rows_imported: 700 }];
    mocked.cancelImport.mockImplementation(async () => {
      datasets = [erp];
      return erp;
    });
    view = await render(<DataScreen active />);
    await click(row('erp')?.querySelector('button') ?? null);
    expect(text('#dataset-importing')).toContain('700 rows read so far');
    await click(document.querySelector('#dataset-cancel'));
    expect(mocked.cancelImport).toHaveBeenCalledWith('erp');
    expect(badge('erp')?.textContent).toBe('Ready');
    expect(document.querySelector('#dataset-importing')).toBeNull();
  });

  it('has no refresh for files', async () => {
    view = await render(<DataScreen active />);
    await click(row('ref')?.querySelector('button') ?? null);
    expect(document.querySelector('#dataset-refresh')).toBeNull();
    expect(document.querySelector('#dataset-sql')).toBeNull();
  });

  it('imports from the database tab, selects the new dataset and follows it until it is ready', async () => {
    const started: Dataset = { ...erp, version: 0, row_count: 0, status: 'importing', rows_imported: 0 };
    mocked.previewSql.mockResolvedValue({
      columns: [
        { name: 'po_number', db_type: 'text', kind: 'string' },
        { name: 'amount', db_type: 'numeric', kind: 'number' },
      ],
      rows: [['PO-1', '10.00']],
      id_column: 'po_number',
    });
    mocked.importSql.mockImplementation(async () => {
      datasets = [po, started];
      return started;
    });
    view = await render(<DataScreen active />);
    await click(document.querySelector('#import-tab-sql'));
    await setValue('#sql-database', 'erp');
    await setValue('#sql-user', 'reader');
    await setValue('#sql-password', 'pw');
    await act(async () => {
      const q = document.querySelector<HTMLTextAreaElement>('#sql-query');
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(q, 'SELECT po_number, amount FROM purchase_orders');
      q?.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(document.querySelector('#sql-preview-button'));
    expect(text('#sql-preview-table')).toContain('numeric → number');
    await click(document.querySelector('#sql-import-submit'));
    expect(mocked.importSql).toHaveBeenCalledWith(expect.objectContaining({ password: 'pw', id_column: 'po_number', query: 'SELECT po_number, amount FROM purchase_orders' }));

    expect(row('erp')?.classList.contains('selected')).toBe(true);
    expect(badge('erp')?.textContent).toBe('Importing · 0 rows');
    expect(text('#dataset-importing')).toContain('Importing: 0 rows read so far');

    datasets = [po, { ...started, version: 1, row_count: 2, status: 'ready', rows_imported: null }];
    await nextPoll();
    expect(badge('erp')?.textContent).toBe('Ready');
    // The rows are read again once they are in.
    expect(mocked.datasetRows).toHaveBeenLastCalledWith('erp', 1, 100);
    expect(mocked.datasetRows.mock.calls.filter(([id]) => id === 'erp').length).toBeGreaterThanOrEqual(2);
  });
});
