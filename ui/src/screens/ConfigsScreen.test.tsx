// Behaviour of the configs screen against a mocked api: saving, strategy parameters, and validation errors shown at the named field.
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
  one_to_one: false,
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

const moreRow = (i: number) => document.querySelector<HTMLTableRowElement>(`#cfg-field_mappings-${i}-more`);
const moreToggle = (i: number) => document.querySelector<HTMLButtonElement>(`button[aria-controls="cfg-field_mappings-${i}-more"]`);
const messageOf = (selector: string) => {
  const id = document.querySelector(selector)?.getAttribute('aria-describedby') ?? '';
  return id ? (document.getElementById(id)?.textContent ?? '') : '';
};

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
      one_to_one: false,
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

  it('shows the parameters of each strategy, the further ones behind a per-row disclosure', async () => {
    await openConfig();
    // exact: how text is compared, defaulting to plain text.
    const normalizer = document.querySelector<HTMLSelectElement>('#cfg-field_mappings-0-normalizer');
    expect(normalizer?.value).toBe('');
    expect([...(normalizer?.options ?? [])].map((o) => o.textContent)).toEqual([
      'Text (default)',
      'Company name (ignores GmbH, Ltd, “The”…)',
      'Reference number (PO-2024-000123 = PO 2024/123)',
    ]);
    // numeric_range: tolerances and VAT in the row; partial deliveries and the mismatch weight behind "More settings".
    expect(document.querySelector('label[for="cfg-field_mappings-1-tax_rates"]')?.textContent).toBe('Total may include VAT at (%)');
    expect(moreRow(1)?.hidden).toBe(true);
    expect(moreToggle(1)?.getAttribute('aria-expanded')).toBe('false');
    await click(moreToggle(1));
    expect(moreRow(1)?.hidden).toBe(false);
    expect(moreRow(1)?.querySelector('#cfg-field_mappings-1-partial_shares')).not.toBeNull();
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-partial_score')?.placeholder).toBe('0.7');
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-mismatch_weight')?.placeholder).toBe('0.3');
    expect(moreRow(1)?.textContent).toContain('empty = same as the weight');

    // fuzzy: measure and rare words.
    await setValue('#cfg-field_mappings-0-strategy', 'fuzzy');
    expect(document.querySelector('#cfg-field_mappings-0-similarity_threshold')).not.toBeNull();
    expect(document.querySelector<HTMLSelectElement>('#cfg-field_mappings-0-measure')?.options[0]?.textContent).toBe('Best of all (default)');
    expect(document.querySelector('label[for="cfg-field_mappings-0-term_frequency"]')?.textContent).toContain('Rare words count more');

    // date_range: ± days, or a one-sided window described in words.
    await setValue('#cfg-field_mappings-0-strategy', 'date_range');
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-0-tolerance_days')?.placeholder).toBe('7');
    expect(document.querySelector('#cfg-field_mappings-0-days_after')).toBeNull();
    await setValue('#cfg-field_mappings-0-date_window', 'window');
    await setValue('#cfg-field_mappings-0-days_after', '45');
    expect(messageOf('#cfg-field_mappings-0-days_after')).toBe('Document 0 to 45 days after the reference date');
    await click(moreToggle(0));
    expect(document.querySelector('label[for="cfg-field_mappings-0-tolerance_days"]')?.textContent).toBe('Grace beyond the window (days)');
    expect(document.querySelector<HTMLSelectElement>('#cfg-field_mappings-0-date_order')?.options[0]?.textContent).toBe('Detect from data (default)');
  });

  it('saves the new parameters and one-to-one, leaving untouched ones out', async () => {
    mocked.updateConfig.mockResolvedValue({ ...config, one_to_one: true });
    await openConfig();
    await setValue('#cfg-field_mappings-0-normalizer', 'reference');
    await setValue('#cfg-field_mappings-1-tax_rates', '19, 20, 21');
    await click(moreToggle(1));
    await setValue('#cfg-field_mappings-1-partial_shares', '0.5');
    await setValue('#cfg-field_mappings-1-mismatch_weight', '0.6');
    const oneToOne = document.querySelector<HTMLInputElement>('#cfg-one_to_one');
    expect(oneToOne?.checked).toBe(false);
    await click(oneToOne);
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).toHaveBeenCalledWith('cfg', {
      name: 'Invoices to POs',
      reference_data_id: 'ref',
      document_set_id: 'docs',
      field_mappings: [
        { source: 'po', target: 'po_number', strategy: 'exact', weight: 0.7, normalizer: 'reference' },
        {
          source: 'total',
          target: 'amount',
          strategy: 'numeric_range',
          weight: 0.3,
          tolerance_percent: 1,
          tax_rates: [19, 20, 21],
          partial_shares: [0.5],
          mismatch_weight: 0.6,
        },
      ],
      threshold: 0.85,
      review_floor: 0.5,
      one_to_one: true,
    });
    expect(document.querySelector<HTMLInputElement>('#cfg-one_to_one')?.checked).toBe(true);
  });

  it('rejects a list that is not numbers next to its input, without saving', async () => {
    await openConfig();
    await setValue('#cfg-field_mappings-1-tax_rates', '19, abc');
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).not.toHaveBeenCalled();
    const input = document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-tax_rates');
    expect(input?.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf('#cfg-field_mappings-1-tax_rates')).toContain('“abc” is not a number');
    expect(document.activeElement).toBe(input);
  });

  it('shows a backend error about a further setting next to it, opening the row', async () => {
    mocked.updateConfig.mockRejectedValue(
      new ApiCallError({
        code: 'validation_error',
        message: 'field_mappings[1].partial_shares: each share lies strictly between 0 and 1',
        field: 'field_mappings[1].partial_shares',
      }),
    );
    await openConfig();
    expect(moreRow(1)?.hidden).toBe(true);
    await click(document.querySelector('#config-save'));
    expect(moreRow(1)?.hidden).toBe(false);
    const input = document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-partial_shares');
    expect(input?.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf('#cfg-field_mappings-1-partial_shares')).toBe('each share lies strictly between 0 and 1');
    expect(document.activeElement).toBe(input);
    expect(document.querySelector('.banner-error')).toBeNull();
  });

  it('shows a backend error about a VAT list under the row, naming the field', async () => {
    mocked.updateConfig.mockRejectedValue(
      new ApiCallError({
        code: 'validation_error',
        message: 'field_mappings[1].tax_rates: each rate is a percentage from 0 to below 100',
        field: 'field_mappings[1].tax_rates',
      }),
    );
    await openConfig();
    await click(document.querySelector('#config-save'));
    expect(messageOf('#cfg-field_mappings-1-tax_rates')).toBe('Total may include VAT at (%): each rate is a percentage from 0 to below 100');
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
