// Behaviour of the configs screen against a mocked api: saving, and backend validation errors shown at the named field.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listConfigs: vi.fn(),
  listDatasets: vi.fn(),
  createConfig: vi.fn(),
  updateConfig: vi.fn(),
  deleteConfig: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Dataset } from '../bindings/Dataset';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import { click, render, settle, type Rendered } from '../testing';
import { ConfigsScreen } from './ConfigsScreen';

const mocked = vi.mocked(api);

const datasets: Dataset[] = [
  {
    id: 'ref',
    kind: 'reference',
    name: 'POs',
    source_type: 'csv',
    source_file: null,
    columns: [
      { name: 'po_number', type: 'string' },
      { name: 'amount', type: 'number' },
    ],
    row_count: 10,
    id_column: 'po_number',
    filename_column: null,
    created_at: '',
  },
  {
    id: 'docs',
    kind: 'documents',
    name: 'Invoices',
    source_type: 'csv',
    source_file: null,
    columns: [
      { name: 'po', type: 'string' },
      { name: 'total', type: 'number' },
    ],
    row_count: 5,
    id_column: 'document_id',
    filename_column: null,
    created_at: '',
  },
];

const config: MatchingConfig = {
  id: 'cfg',
  name: 'Invoices to POs',
  reference_data_id: 'ref',
  document_set_id: 'docs',
  target_type: 'reference',
  target_value: {},
  field_mappings: [
    { source: 'po', target: 'po_number', strategy: 'exact', weight: 0.7 },
    { source: 'total', target: 'amount', strategy: 'numeric_range', weight: 0.3, tolerance_percent: 1 },
  ],
  threshold: 0.85,
  review_floor: 0.5,
  created_at: '',
  updated_at: '',
};

let view: Rendered | null = null;

beforeEach(() => {
  vi.clearAllMocks();
  mocked.listConfigs.mockResolvedValue([config]);
  mocked.listDatasets.mockResolvedValue(datasets);
});

afterEach(() => {
  view?.unmount();
  view = null;
});

async function openConfig() {
  view = await render(<ConfigsScreen active />);
  await click(document.querySelector('li[data-config-id="cfg"] button'));
}

describe('ConfigsScreen', () => {
  it('loads a config into the form and saves it with update_config', async () => {
    mocked.updateConfig.mockResolvedValue(config);
    await openConfig();
    expect(document.querySelector<HTMLInputElement>('#cfg-name')?.value).toBe('Invoices to POs');
    expect(document.querySelector<HTMLSelectElement>('#cfg-field_mappings-1-source')?.value).toBe('total');
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-tolerance_percent')?.value).toBe('1');
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).toHaveBeenCalledWith('cfg', {
      name: 'Invoices to POs',
      reference_data_id: 'ref',
      document_set_id: 'docs',
      field_mappings: config.field_mappings,
      threshold: 0.85,
      review_floor: 0.5,
    });
  });

  it('shows a backend validation error next to the named field and focuses it', async () => {
    mocked.updateConfig.mockRejectedValue(
      new ApiCallError({ code: 'validation_error', message: 'field_mappings[1].weight: must be a number greater than 0', field: 'field_mappings[1].weight' }),
    );
    await openConfig();
    await click(document.querySelector('#config-save'));
    const weight = document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-weight');
    expect(weight?.getAttribute('aria-invalid')).toBe('true');
    const messageId = weight?.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(messageId)?.textContent).toContain('must be a number greater than 0');
    expect(document.activeElement).toBe(weight);
    expect(document.querySelector('.banner-error')).toBeNull();
  });

  it('puts errors about fields the form does not have in the banner', async () => {
    mocked.updateConfig.mockRejectedValue(new ApiCallError({ code: 'validation_error', message: 'target_type: unsupported', field: 'target_type' }));
    await openConfig();
    await click(document.querySelector('#config-save'));
    expect(document.querySelector('.banner-error')?.textContent).toContain('target type: unsupported');
  });

  it('normalises the weights', async () => {
    await openConfig();
    const weight0 = document.querySelector<HTMLInputElement>('#cfg-field_mappings-0-weight');
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
      setter?.call(weight0, '3');
      weight0?.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(document.querySelector('#weight-sum')?.textContent).toContain('must add up to 1');
    const normalise = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Normalise weights');
    await click(normalise ?? null);
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-0-weight')?.value).toBe('0.9091');
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-weight')?.value).toBe('0.0909');
    expect(document.querySelector('#weight-sum')?.textContent).toContain('✓');
  });
});
