// Behaviour of the configs screen against a mocked api: saving, strategy parameters, sample values, sliders, the schedule, the trial on 20 documents, and validation errors shown at the named field.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listConfigs: vi.fn(),
  listDatasets: vi.fn(),
  createConfig: vi.fn(),
  updateConfig: vi.fn(),
  deleteConfig: vi.fn(),
  datasetRows: vi.fn(),
  previewConfig: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { ConfigPreview } from '../bindings/ConfigPreview';
import type { Dataset } from '../bindings/Dataset';
import type { MatchResult } from '../bindings/MatchResult';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { RowPage } from '../bindings/RowPage';
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
    status: 'ready',
    version: 1,
    error: null,
    rows_imported: null,
    sql: null,
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
    status: 'ready',
    version: 1,
    error: null,
    rows_imported: null,
    sql: null,
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

const SAMPLE_ROWS: Record<string, RowPage> = {
  ref: {
    columns: ['po_number', 'amount'],
    rows: [
      { id: 'PO-1', values: ['PO-1', '100.00'] },
      { id: 'PO-2', values: ['PO-2', '250.00'] },
      { id: 'PO-3', values: ['PO-3', '100.00'] },
      { id: 'PO-4', values: ['PO-4', '75.50'] },
    ],
    total: 10,
    page: 1,
    limit: 5,
  },
  docs: {
    columns: ['po', 'total'],
    rows: [
      { id: 'INV-1', values: ['PO-1', '119.00'] },
      { id: 'INV-2', values: ['', '12.00'] },
    ],
    total: 5,
    page: 1,
    limit: 5,
  },
};

function result(n: number, document_id: string, matched: string | null, confidence: number, best: string | null = matched): MatchResult {
  return {
    id: `preview-${n}`,
    run_id: 'preview',
    document_id,
    document_filename: `${document_id.toLowerCase()}.pdf`,
    matched_reference_row_id: matched,
    confidence,
    status: 'pending',
    notes: null,
    evidence: null,
    candidates: best ? [{ rank: 1, reference_row_id: best, confidence, evidence: [] }] : [],
    contested: false,
    reviewed_at: null,
  };
}

const trial: ConfigPreview = {
  results: [result(1, 'INV-1', 'PO-1', 0.92), result(2, 'INV-2', null, 0.6, 'PO-2'), result(3, 'INV-3', null, 0.2, 'PO-4')],
  documents: 3,
  reference_rows: 10,
  elapsed_ms: 41,
};

let view: Rendered | null = null;

beforeEach(() => {
  vi.clearAllMocks();
  mocked.listConfigs.mockResolvedValue([config]);
  mocked.listDatasets.mockResolvedValue(datasets);
  mocked.datasetRows.mockImplementation(async (id, page, limit) => ({ ...(SAMPLE_ROWS[id] as RowPage), page, limit }));
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

  it('normalises the weights to hundredths adding up to 1', async () => {
    await openConfig();
    await setValue('#cfg-field_mappings-0-weight', '3');
    expect(document.querySelector('#weight-sum')?.textContent).toContain('must add up to 1');
    expect(document.querySelector('#normalise-weights')?.textContent).toBe('Normalise weights');
    await click(document.querySelector('#normalise-weights'));
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-0-weight')?.value).toBe('0.91');
    expect(document.querySelector<HTMLInputElement>('#cfg-field_mappings-1-weight')?.value).toBe('0.09');
    expect(document.querySelector('#weight-sum')?.textContent).toContain('✓');
  });

  it('shows sample values of the chosen columns under the pickers', async () => {
    await openConfig();
    expect(mocked.datasetRows).toHaveBeenCalledWith('ref', 1, 5);
    expect(mocked.datasetRows).toHaveBeenCalledWith('docs', 1, 5);
    expect(document.querySelector('#cfg-field_mappings-0-source-sample')?.textContent).toBe('e.g. PO-1');
    expect(document.querySelector('#cfg-field_mappings-0-target-sample')?.textContent).toBe('e.g. PO-1, PO-2, PO-3, …');
    expect(document.querySelector('#cfg-field_mappings-1-target-sample')?.textContent).toBe('e.g. 100.00, 250.00, 75.50');
    expect(document.querySelector('#cfg-field_mappings-0-target')?.getAttribute('aria-describedby')).toBe('cfg-field_mappings-0-target-sample');
    // Every column's values show as the option's tooltip, before it is chosen.
    const amount = [...(document.querySelector<HTMLSelectElement>('#cfg-field_mappings-0-target')?.options ?? [])].find((o) => o.value === 'amount');
    expect(amount?.title).toBe('e.g. 100.00, 250.00, 75.50');

    await setValue('#cfg-field_mappings-0-source', 'total');
    expect(document.querySelector('#cfg-field_mappings-0-source-sample')?.textContent).toBe('e.g. 119.00, 12.00');
    // The rows are read once per dataset.
    expect(mocked.datasetRows.mock.calls.filter(([id]) => id === 'ref')).toHaveLength(1);
  });

  it('takes document samples from every set when the config covers all documents', async () => {
    await openConfig();
    mocked.datasetRows.mockClear();
    await setValue('#cfg-document_set_id', '');
    expect(document.querySelector('#cfg-field_mappings-1-source-sample')?.textContent).toBe('e.g. 119.00, 12.00');
    expect(mocked.datasetRows).not.toHaveBeenCalled();
  });

  it('moves the threshold and review floor with sliders showing percentages', async () => {
    mocked.updateConfig.mockResolvedValue(config);
    await openConfig();
    const slider = document.querySelector<HTMLInputElement>('#threshold');
    expect(slider?.type).toBe('range');
    expect([slider?.min, slider?.max, slider?.step]).toEqual(['0', '1', '0.01']);
    expect(slider?.value).toBe('0.85');
    expect(document.querySelector('#threshold-percent')?.textContent).toBe('85%');
    expect(document.querySelector('label[for="threshold"]')?.textContent).toContain('Match threshold');

    await setValue('#threshold', '0.9');
    expect(document.querySelector<HTMLInputElement>('#cfg-threshold')?.value).toBe('0.9');
    expect(document.querySelector('#threshold-percent')?.textContent).toBe('90%');
    expect(slider?.getAttribute('aria-valuetext')).toBe('90%');
    await setValue('#review-floor', '0.62');
    expect(document.querySelector<HTMLInputElement>('#cfg-review_floor')?.value).toBe('0.62');
    expect(document.querySelector('#review-floor-percent')?.textContent).toBe('62%');
    expect(document.querySelector('#band-summary')?.textContent).toBe('Matched at 90% or more · needs review from 62% to below 90% · below 62%: no match');
    // Typing in the number box moves the slider too.
    await setValue('#cfg-review_floor', '0.55');
    expect(document.querySelector<HTMLInputElement>('#review-floor')?.value).toBe('0.55');

    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).toHaveBeenCalledWith('cfg', expect.objectContaining({ threshold: 0.9, review_floor: 0.55 }));
  });

  it('flags a review floor above the threshold as it is dragged, and does not save it', async () => {
    await openConfig();
    await setValue('#review-floor', '0.9');
    const floor = document.querySelector<HTMLInputElement>('#review-floor');
    expect(floor?.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf('#review-floor')).toBe('must not be above the match threshold (85%)');
    expect(messageOf('#cfg-review_floor')).toBe('must not be above the match threshold (85%)');
    expect(document.querySelector('#band-summary')).toBeNull();
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).not.toHaveBeenCalled();

    // Raising the threshold above it fixes it.
    await setValue('#threshold', '0.95');
    expect(floor?.getAttribute('aria-invalid')).toBeNull();
    expect(document.querySelector('#cfg-review_floor-error')).toBeNull();
  });

  it('tries the form on 20 documents and shows one row per document with a summary', async () => {
    mocked.previewConfig.mockResolvedValue(trial);
    await openConfig();
    expect(document.querySelector('#config-preview')?.textContent).toBe('Try on 20 documents');
    await setValue('#review-floor', '0.55');
    await click(document.querySelector('#config-preview'));
    expect(mocked.previewConfig).toHaveBeenCalledTimes(1);
    expect(mocked.previewConfig.mock.calls[0]).toEqual([
      {
        name: 'Invoices to POs',
        reference_data_id: 'ref',
        document_set_id: 'docs',
        field_mappings: config.field_mappings,
        threshold: 0.85,
        review_floor: 0.55,
        one_to_one: false,
      },
    ]);
    expect(mocked.updateConfig).not.toHaveBeenCalled();

    expect(document.querySelector('#config-preview-summary')?.textContent).toBe('1 of 3 matched, 1 in the review band — 41 ms');
    const cells = (doc: string) =>
      [...(document.querySelector(`#config-preview-results tr[data-preview-document="${doc}"]`)?.children ?? [])].map((c) => c.textContent);
    expect(cells('INV-1')).toEqual(['INV-1inv-1.pdf', 'PO-1', '92%', 'matched']);
    expect(cells('INV-2')).toEqual(['INV-2inv-2.pdf', 'no match · closest PO-2', '60%', 'review']);
    expect(cells('INV-3')).toEqual(['INV-3inv-3.pdf', 'no match · closest PO-4', '20%', 'below']);
    expect(document.querySelectorAll('#config-preview-results tbody tr')).toHaveLength(3);
    expect(document.querySelector('.config-preview-outdated')).toBeNull();

    // Once the form changes, the trial says it is out of date.
    await setValue('#threshold', '0.5');
    expect(document.querySelector('.config-preview-outdated')?.textContent).toContain('The form has changed');
  });

  it('shows a validation error of a trial at the named field, like a save', async () => {
    mocked.previewConfig.mockRejectedValue(
      new ApiCallError({ code: 'validation_error', message: 'field_mappings[0].target: no column po_nr in POs', field: 'field_mappings[0].target' }),
    );
    await openConfig();
    await click(document.querySelector('#config-preview'));
    const target = document.querySelector<HTMLSelectElement>('#cfg-field_mappings-0-target');
    expect(target?.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('cfg-field_mappings-0-target-error')?.textContent).toBe('reference column: no column po_nr in POs');
    expect(target?.getAttribute('aria-describedby')).toContain('cfg-field_mappings-0-target-error');
    expect(document.activeElement).toBe(target);
    expect(document.querySelector('#config-preview-results')).toBeNull();
    expect(document.querySelector('.banner-error')).toBeNull();
  });

  it('loads a cron schedule, shows it in the list and saves it unchanged', async () => {
    const scheduled: MatchingConfig = { ...config, schedule: { cron: '0 2 * * 1-5' } };
    mocked.listConfigs.mockResolvedValue([scheduled]);
    mocked.updateConfig.mockResolvedValue(scheduled);
    await openConfig();
    expect(document.querySelector('li[data-config-id="cfg"] .config-schedule')?.textContent).toBe('Runs by itself cron 0 2 * * 1-5');
    expect(document.querySelector<HTMLSelectElement>('#cfg-schedule-kind')?.value).toBe('cron');
    expect(document.querySelector<HTMLInputElement>('#cfg-schedule-cron')?.value).toBe('0 2 * * 1-5');
    expect(document.querySelector('#cfg-schedule-minutes')).toBeNull();
    expect(messageOf('#cfg-schedule-cron')).toContain('0 2 * * 1-5 = 02:00 on weekdays');
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).toHaveBeenCalledWith('cfg', expect.objectContaining({ schedule: { cron: '0 2 * * 1-5' } }));
  });

  it('offers never, every N minutes and cron, and sends only the chosen one', async () => {
    mocked.updateConfig.mockResolvedValue(config);
    await openConfig();
    expect(document.querySelector('li[data-config-id="cfg"] .config-schedule')).toBeNull();
    const kind = document.querySelector<HTMLSelectElement>('#cfg-schedule-kind');
    expect(kind?.value).toBe('never');
    expect([...(kind?.options ?? [])].map((o) => o.value)).toEqual(['never', 'interval', 'cron']);
    expect(document.querySelector('#cfg-schedule-minutes')).toBeNull();
    expect(document.querySelector('#cfg-schedule-cron')).toBeNull();

    await setValue('#cfg-schedule-kind', 'interval');
    expect(document.querySelector<HTMLInputElement>('#cfg-schedule-minutes')?.value).toBe('60');
    await setValue('#cfg-schedule-minutes', '30');
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).toHaveBeenLastCalledWith('cfg', expect.objectContaining({ schedule: { interval_minutes: 30 } }));

    // A cron typed and then abandoned for "never" is not sent: the schedule is removed.
    await setValue('#cfg-schedule-kind', 'cron');
    await setValue('#cfg-schedule-cron', '*/15 * * * *');
    await setValue('#cfg-schedule-kind', 'never');
    await click(document.querySelector('#config-save'));
    const sent = mocked.updateConfig.mock.lastCall?.[1];
    expect(sent).toBeDefined();
    expect(sent && 'schedule' in sent).toBe(false);
  });

  it('refuses minutes that are not a whole number next to the input, without saving', async () => {
    await openConfig();
    await setValue('#cfg-schedule-kind', 'interval');
    await setValue('#cfg-schedule-minutes', '0');
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).not.toHaveBeenCalled();
    const minutes = document.querySelector<HTMLInputElement>('#cfg-schedule-minutes');
    expect(minutes?.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf('#cfg-schedule-minutes')).toContain('whole number of minutes from 1 to 525600');
    expect(document.activeElement).toBe(minutes);
  });

  it('shows the backend\'s verdict on a cron expression at the cron input', async () => {
    mocked.updateConfig.mockRejectedValue(
      new ApiCallError({
        code: 'validation_error',
        message: "schedule: '61 * * * *' is not a cron expression: minute 61 is out of range (0-59)",
        field: 'schedule',
      }),
    );
    await openConfig();
    await setValue('#cfg-schedule-kind', 'cron');
    await setValue('#cfg-schedule-cron', '61 * * * *');
    await click(document.querySelector('#config-save'));
    expect(mocked.updateConfig).toHaveBeenCalledWith('cfg', expect.objectContaining({ schedule: { cron: '61 * * * *' } }));
    const cron = document.querySelector<HTMLInputElement>('#cfg-schedule-cron');
    expect(cron?.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf('#cfg-schedule-cron')).toBe("'61 * * * *' is not a cron expression: minute 61 is out of range (0-59)");
    expect(document.activeElement).toBe(cron);
    expect(document.querySelector('.banner-error')).toBeNull();
  });

  it('does not try a form that cannot be sent', async () => {
    await openConfig();
    await setValue('#cfg-field_mappings-0-weight', 'abc');
    await click(document.querySelector('#config-preview'));
    expect(mocked.previewConfig).not.toHaveBeenCalled();
    expect(document.querySelector('#cfg-field_mappings-0-weight')?.getAttribute('aria-invalid')).toBe('true');
  });
});
