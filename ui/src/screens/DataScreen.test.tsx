// Behaviour of the data screen against a mocked api: import request, import errors naming file/row/column, rows view.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listDatasets: vi.fn(),
  importDataset: vi.fn(),
  deleteDataset: vi.fn(),
  datasetRows: vi.fn(),
  pickFile: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Dataset } from '../bindings/Dataset';
import { click, render, settle, type Rendered } from '../testing';
import { DataScreen } from './DataScreen';

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
};

let view: Rendered | null = null;

beforeEach(() => {
  vi.clearAllMocks();
  mocked.listDatasets.mockResolvedValue([po]);
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
});

async function type(selector: string, value: string) {
  const el = document.querySelector<HTMLInputElement>(selector);
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(el, value);
    el?.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await settle();
}

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

  it('sends the import request with only the fields filled in', async () => {
    mocked.importDataset.mockResolvedValue({ ...po, id: 'new', name: 'invoices', kind: 'documents' });
    view = await render(<DataScreen active />);
    await click(document.querySelector('input[name="import-kind"][value="documents"]'));
    await type('#import-path', '/data/invoices.csv');
    await type('#import-filename-column', 'file');
    await click(document.querySelector('#import-submit'));
    expect(mocked.importDataset).toHaveBeenCalledWith({ path: '/data/invoices.csv', kind: 'documents', filename_column: 'file' });
    expect(document.querySelector('[role="status"]')?.textContent).toContain('Imported “invoices”');
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
    await type('#import-path', '/data/invoices.csv');
    await click(document.querySelector('#import-submit'));
    const box = document.querySelector('#import-error');
    expect(box?.getAttribute('role')).toBe('alert');
    expect(box?.textContent).toContain('invoices.csv, row 4, column total_amount: "12,40 EUR" is not a number');
  });

  it('fills the path from the file dialog', async () => {
    mocked.pickFile.mockResolvedValue('/picked/po.tsv');
    view = await render(<DataScreen active />);
    const browse = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Browse…');
    await click(browse ?? null);
    expect(document.querySelector<HTMLInputElement>('#import-path')?.value).toBe('/picked/po.tsv');
  });
});
