// Behaviour of the Strategies screen against a mocked api: generate from the chosen data and prompt, the mappings with their reasons and the column profile, edit and save weights, try on 20 documents, create a config.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listDatasets: vi.fn(),
  listStrategies: vi.fn(),
  generateStrategy: vi.fn(),
  patchStrategy: vi.fn(),
  previewConfig: vi.fn(),
  createConfigFromStrategy: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Dataset } from '../bindings/Dataset';
import type { MatchingStrategy } from '../bindings/MatchingStrategy';
import { click, render, type Rendered } from '../testing';
import { StrategiesScreen } from './StrategiesScreen';

const mocked = vi.mocked(api);

const dataset = (id: string, kind: Dataset['kind'], name: string): Dataset => ({
  id,
  kind,
  name,
  source_type: 'csv',
  source_file: null,
  columns: [],
  row_count: 10,
  id_column: null,
  filename_column: null,
  created_at: '',
  status: 'ready',
  version: 1,
  error: null,
  rows_imported: null,
  sql: null,
});

const learned = (version = 1, weights = [0.7, 0.3]): MatchingStrategy =>
  ({
    id: 's1',
    name: 'Learned',
    matching_config_id: null,
    reference_data_id: 'ref',
    document_set_id: 'docs',
    target_type: 'run',
    user_prompt: 'ignore the description',
    version,
    version_hash: 'abc123abc123',
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-01T10:00:00Z',
    links: { self: '/v1/matching/strategies/s1' },
    strategy: {
      field_mappings: [
        { source: 'po_reference', target: 'po_number', strategy: 'fuzzy', weight: weights[0], normalizer: 'reference', rationale: '90 % of the values are found in the reference column.' },
        { source: 'vendor_name', target: 'vendor_name', strategy: 'fuzzy', weight: weights[1], rationale: 'Company names.' },
      ],
      threshold: 0.9,
      thresholds: { match: 0.9, review_floor: 0.6 },
      one_to_one: false,
      blocking_keys: [],
      blocking_strategy: 'parallel',
      field_estimates: [{ source: 'po_reference', target: 'po_number', levels: ['different', 'similar', 'same'], m: [0.01, 0.09, 0.9], u: [0.98, 0.0196, 0.0004], match_weight: [-6.6, 2.2, 11.1] }],
      match_share: 0.9,
      columns: [
        { side: 'documents', name: 'po_reference', role: 'reference', null_rate: 0.1, distinct: 180, samples: ['PO 2024/10000', '2024-10259'] },
        { side: 'reference', name: 'po_number', role: 'identifier', null_rate: 0, distinct: 300, samples: ['PO-2024-10000'] },
      ],
      edge_cases: ['description: free text, left out'],
      data_quality_notes: 'Every column is filled in at least 80 % of the rows.',
      cardinality_notes: '',
      prompt_notes: 'Ignored: description.',
    },
  }) as MatchingStrategy;

let view: Rendered | null = null;

beforeEach(() => {
  vi.clearAllMocks();
  mocked.listDatasets.mockResolvedValue([dataset('ref', 'reference', 'Orders'), dataset('docs', 'documents', 'Invoices')]);
  mocked.listStrategies.mockResolvedValue([]);
});

afterEach(() => {
  view?.unmount();
  view = null;
});

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);

async function type(selector: string, value: string): Promise<void> {
  const el = $<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(selector);
  if (!el) throw new Error(`no ${selector}`);
  await act(async () => {
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

describe('StrategiesScreen', () => {
  it('says what to do first, then generates a strategy from the chosen data and prompt', async () => {
    view = await render(<StrategiesScreen active />);
    expect($('#strategy-empty')?.textContent).toContain('Generate a strategy');
    expect($<HTMLSelectElement>('#st-reference')?.value).toBe('ref');
    await type('#st-documents', 'docs');
    await type('#st-prompt', ' ignore the description ');
    mocked.generateStrategy.mockResolvedValue(learned());
    await click($('#st-generate'));
    expect(mocked.generateStrategy).toHaveBeenCalledWith({ reference_data_id: 'ref', target_type: 'run', document_set_id: 'docs', user_prompt: 'ignore the description' });
    expect($('li[data-strategy-id="s1"]')?.textContent).toContain('Learned');
    const row = $('tr[data-mapping="po_reference->po_number"]');
    expect(row?.textContent).toContain('found in the reference column');
    expect(row?.textContent).toContain('normaliser reference');
    expect($('tr[data-column="documents:po_reference"]')?.textContent).toContain('PO 2024/10000');
    expect($('tr[data-column="documents:po_reference"] [data-col="null-rate"]')?.textContent).toBe('10%');
    expect($('#strategy-notes')?.textContent).toContain('description: free text');
    expect($('.strategy-detail')?.textContent).toContain('Ignored: description.');
    expect($('#strategy-mu-chart td[data-level="same"]')?.textContent).toContain('+11.1 bits');
  });

  it('shows a field the backend refuses next to it', async () => {
    view = await render(<StrategiesScreen active />);
    mocked.generateStrategy.mockRejectedValue(new ApiCallError({ code: 'validation_error', message: 'document_set_id: has no documents', field: 'document_set_id' }));
    await click($('#st-generate'));
    expect($('#st-documents-error')?.textContent).toBe('has no documents');
  });

  it('edits weights and the band, saves them as a new version, tries them and makes a config', async () => {
    mocked.listStrategies.mockResolvedValue([learned()]);
    view = await render(<StrategiesScreen active />);
    await click($('li[data-strategy-id="s1"] button'));
    expect($<HTMLButtonElement>('#st-save')?.disabled).toBe(true);
    await type('#st-weight-0', '0.6');
    expect($('#st-weights-error')?.textContent).toContain('add up to 0.9');
    expect($<HTMLButtonElement>('#st-create-config')?.disabled).toBe(true);
    await type('#st-weight-1', '0.4');
    await type('#st-review-floor', '0.5');
    mocked.patchStrategy.mockResolvedValue(learned(2, [0.6, 0.4]));
    await click($('#st-save'));
    expect(mocked.patchStrategy).toHaveBeenCalledWith('s1', {
      strategy: {
        field_mappings: [
          expect.objectContaining({ source: 'po_reference', weight: 0.6, rationale: '90 % of the values are found in the reference column.' }),
          expect.objectContaining({ source: 'vendor_name', weight: 0.4 }),
        ],
        thresholds: { review_floor: 0.5 },
      },
    });
    expect($('.strategy-detail')?.textContent).toContain('Saved as version 2.');

    mocked.previewConfig.mockResolvedValue({ results: [], documents: 20, reference_rows: 300, elapsed_ms: 12 });
    await click($('#st-preview'));
    expect(mocked.previewConfig).toHaveBeenCalledWith(expect.objectContaining({ reference_data_id: 'ref', document_set_id: 'docs', threshold: 0.9 }), 20);
    expect($('#strategy-preview-summary')?.textContent).toContain('0 of 20 matched');

    mocked.createConfigFromStrategy.mockResolvedValue({ id: 'cfg9', name: 'Learned' } as never);
    await click($('#st-create-config'));
    expect(mocked.createConfigFromStrategy).toHaveBeenCalledWith('s1', { name: 'Learned' });
    expect($('.strategy-detail')?.textContent).toContain('Created the config “Learned”');
  });
});
