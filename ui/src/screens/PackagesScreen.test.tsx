// Behaviour of the Packages screen against a mocked api: the editor with the three-way rule, refusals under their field, a bundle picked from documents and judged, the run with its slots and rules, the verdict filter, and the way to the review desk.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listPackageConfigs: vi.fn(),
  listConfigs: vi.fn(),
  listPackageRuns: vi.fn(),
  createPackageConfig: vi.fn(),
  patchPackageConfig: vi.fn(),
  deletePackageConfig: vi.fn(),
  runPackage: vi.fn(),
  datasetRows: vi.fn(),
  listResults: vi.fn(),
  packageDocumentsFromFile: vi.fn(),
  onFileDrop: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { PackageConfig } from '../bindings/PackageConfig';
import type { PackageRun } from '../bindings/PackageRun';
import { bundleInputOf, emptyPackageForm, formOfPackage, packageFieldId, packageInputOf } from '../packages';
import { act } from 'react';

import { change, click, render, settle, type Rendered } from '../testing';
import { PackagesScreen } from './PackagesScreen';

const mocked = vi.mocked(api);

const config = (id: string, name: string, docs: string): MatchingConfig => ({ id, name, document_set_id: docs }) as unknown as MatchingConfig;

const threeWay: PackageConfig = {
  id: 'pk1',
  name: 'Invoice + PO + delivery note',
  document_type_configs: [
    { document_type: 'invoice', matching_config_id: 'c-inv', presence: 'required' },
    { document_type: 'delivery_note', matching_config_id: 'c-dn', presence: 'expected' },
  ],
  pass_criteria: { all_required_matched: true, min_confidence: 0.8, allow_review_on_expected: true },
  rules: [
    {
      kind: 'three_way',
      invoice_type: 'invoice',
      delivery_type: 'delivery_note',
      invoice_amount_field: 'total_amount',
      delivered_quantity_field: 'delivered_quantity',
      unit_price_column: 'unit_price',
      quantity_tolerance_percent: 2,
      price_tolerance_percent: 1,
      on_fail: 'review',
    },
  ],
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
};

const held: PackageRun = {
  id: 'run1',
  package_config_id: 'pk1',
  status: 'review',
  document_results: [
    { document_type: 'invoice', matching_config_id: 'c-inv', matching_run_id: 'm-inv', presence: 'required', document_found: true, status: 'matched', confidence: 0.97, matched_reference_row_id: 'po_7', error: null },
    { document_type: 'delivery_note', matching_config_id: 'c-dn', matching_run_id: 'm-dn', presence: 'expected', document_found: true, status: 'matched', confidence: 0.95, matched_reference_row_id: 'po_7', error: null },
  ],
  input_documents: { invoice: ['doc_1'], delivery_note: ['dn_4'] },
  rule_results: [{ kind: 'three_way', status: 'failed', message: 'invoiced 1250.00 net exceeds the delivered 60 at 12.5 = 750.00', invoiced: 1250, delivered_value: 750, allowed: 765 }],
  error: null,
  created_at: '2026-12-01T11:00:00Z',
  completed_at: '2026-12-01T11:00:00Z',
};

let view: Rendered | null = null;
let dropped: ((paths: string[], x: number, y: number) => void) | null = null;
const $ = <T extends Element = HTMLElement>(css: string) => view?.container.querySelector<T>(css) ?? null;

beforeEach(() => {
  mocked.listPackageConfigs.mockResolvedValue([threeWay]);
  mocked.listConfigs.mockResolvedValue([config('c-inv', 'Invoices to POs', 'docs-inv'), config('c-dn', 'Delivery notes to POs', 'docs-dn')]);
  mocked.listPackageRuns.mockResolvedValue([]);
  mocked.datasetRows.mockImplementation(async (id: string) => ({
    columns: ['document_id', 'po_reference'],
    rows: id === 'docs-inv' ? [{ id: 'doc_1', values: ['doc_1', 'PO-7'] }] : [{ id: 'dn_4', values: ['dn_4', 'PO-7'] }],
    total: 1,
    page: 1,
    limit: 200,
  }));
  mocked.onFileDrop.mockImplementation(async (handler) => {
    dropped = handler;
    return () => {};
  });
  mocked.listResults.mockResolvedValue({ data: [], pagination: { page: 1, limit: 1, total: 0, total_pages: 0 } } as never);
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.clearAllMocks();
});

describe('packages form', () => {
  it('round-trips a package with its rule and names the inputs of backend fields', () => {
    expect(packageInputOf(formOfPackage(threeWay))).toEqual({
      name: threeWay.name,
      document_type_configs: threeWay.document_type_configs,
      pass_criteria: threeWay.pass_criteria,
      rules: threeWay.rules,
    });
    expect(packageInputOf(emptyPackageForm('c1')).rules).toEqual([]);
    expect(packageFieldId('document_type_configs[1].matching_config_id')).toBe('pk-slot-1-config');
    expect(packageFieldId('rules[0].unit_price_column')).toBe('pk-tw-unit_price_column');
    expect(packageFieldId('pass_criteria.min_confidence')).toBe('pk-min_confidence');
    expect(bundleInputOf('pk1', { invoice: [{ document_id: 'a', values: {} }], contract: [] })).toEqual({
      package_config_id: 'pk1',
      input_documents: { invoice: [{ document_id: 'a', values: {} }] },
    });
  });
});

describe('PackagesScreen', () => {
  it('shows the package with its three-way rule and a refusal under the field it names', async () => {
    view = await render(<PackagesScreen active onReview={() => {}} />);
    expect($<HTMLInputElement>('#pk-name')?.value).toBe('Invoice + PO + delivery note');
    expect($<HTMLInputElement>('#pk-three-way')?.checked).toBe(true);
    expect($<HTMLInputElement>('#pk-tw-quantity_tolerance_percent')?.value).toBe('2');
    mocked.patchPackageConfig.mockRejectedValue(new ApiCallError({ code: 'validation_error', message: '"price" is not a column of Purchase orders', field: 'rules[0].unit_price_column' }));
    await change($('#pk-tw-unit_price_column'), 'price');
    await click($('#pk-save'));
    expect(mocked.patchPackageConfig).toHaveBeenCalledWith('pk1', expect.objectContaining({ rules: [expect.objectContaining({ unit_price_column: 'price' })] }));
    expect($('#pk-tw-unit_price_column-error')?.textContent).toContain('not a column');
  });

  it('creates a new package from the editor', async () => {
    mocked.createPackageConfig.mockResolvedValue({ ...threeWay, id: 'pk2', name: 'Invoices only', rules: [] });
    view = await render(<PackagesScreen active onReview={() => {}} />);
    await click($('#package-new'));
    await change($('#pk-name'), 'Invoices only');
    await click($('button[aria-label="Remove delivery_note"]'));
    await click($('#pk-save'));
    expect(mocked.createPackageConfig).toHaveBeenCalledWith({
      name: 'Invoices only',
      document_type_configs: [{ document_type: 'invoice', matching_config_id: 'c-inv', presence: 'required' }],
      pass_criteria: { all_required_matched: true, min_confidence: 0.8, allow_review_on_expected: true },
      rules: [],
    });
  });

  it('runs a bundle of picked documents, shows its verdict, slots and rule, and opens a slot in review', async () => {
    mocked.runPackage.mockResolvedValue(held);
    const onReview = vi.fn();
    view = await render(<PackagesScreen active onReview={onReview} />);
    await change($('#bundle-invoice-doc'), 'doc_1');
    await change($('#bundle-delivery_note-doc'), 'dn_4');
    mocked.listPackageRuns.mockResolvedValue([held]);
    await click($('#bundle-run'));
    expect(mocked.runPackage).toHaveBeenCalledWith({
      package_config_id: 'pk1',
      input_documents: {
        invoice: [{ document_id: 'doc_1', values: { document_id: 'doc_1', po_reference: 'PO-7' } }],
        delivery_note: [{ document_id: 'dn_4', values: { document_id: 'dn_4', po_reference: 'PO-7' } }],
      },
    });
    expect($('#package-run')?.getAttribute('data-verdict')).toBe('review');
    expect($('[data-slot="delivery_note"]')?.getAttribute('data-slot-status')).toBe('matched');
    expect($('[data-rule="three_way"]')?.textContent).toContain('exceeds');
    expect($('tr[data-package-run-id="run1"]')?.getAttribute('data-verdict')).toBe('review');
    await click($('[data-slot="delivery_note"] .open-slot-review'));
    expect(onReview).toHaveBeenCalledWith('m-dn');
  });

  it('filters the runs by verdict', async () => {
    view = await render(<PackagesScreen active onReview={() => {}} />);
    expect(mocked.listPackageRuns).toHaveBeenLastCalledWith('pk1', undefined);
    await change($('#package-runs-status'), 'review');
    expect(mocked.listPackageRuns).toHaveBeenLastCalledWith('pk1', 'review');
  });

  it('reads a bundle document from a file, and says why a file cannot be read', async () => {
    mocked.packageDocumentsFromFile.mockResolvedValueOnce([{ document_id: 'invoice.xml', values: { invoice_number: 'INV-1' } }]);
    view = await render(<PackagesScreen active onReview={() => {}} />);
    await change($('#bundle-invoice-file'), '/tmp/invoice.xml');
    await click($('#bundle-invoice-read'));
    expect(mocked.packageDocumentsFromFile).toHaveBeenCalledWith('/tmp/invoice.xml');
    expect($('#bundle-invoice-chosen')?.textContent).toBe('invoice.xml');
    mocked.packageDocumentsFromFile.mockRejectedValueOnce(new ApiCallError({ code: 'import_error', message: 'broken.xml: The XML is malformed at byte 12', file: 'broken.xml' }));
    await change($('#bundle-invoice-file'), '/tmp/broken.xml');
    await click($('#bundle-invoice-read'));
    expect(view?.container.textContent).toContain('malformed');
  });

  it('reads a file dropped on a document type into that type', async () => {
    mocked.packageDocumentsFromFile.mockResolvedValueOnce([{ document_id: 'DN-9', values: { delivered_quantity: '3' } }]);
    view = await render(<PackagesScreen active onReview={() => {}} />);
    const target = $('[data-bundle-slot="delivery_note"] legend');
    document.elementFromPoint = () => target;
    await act(async () => dropped?.(['/tmp/dn.csv'], 10, 10));
    await settle();
    expect(mocked.packageDocumentsFromFile).toHaveBeenCalledWith('/tmp/dn.csv');
    expect($('#bundle-delivery_note-chosen')?.textContent).toBe('DN-9');
    expect($('#bundle-invoice-chosen')?.textContent).toBe('No document');
  });
});
