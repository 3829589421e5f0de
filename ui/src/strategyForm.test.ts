// Tests of strategyForm.ts: the draft of a strategy's weights and band, its errors, the deep-merge patch and the trial config.
import { describe, expect, it } from 'vitest';

import type { MatchingStrategy } from './bindings/MatchingStrategy';
import type { StrategyPlan } from './bindings/StrategyPlan';
import { draftErrors, draftOfPlan, isDirty, normaliseDraft, patchOf, previewInputOf, roleLabel } from './strategyForm';

const plan = {
  field_mappings: [
    { source: 'po_reference', target: 'po_number', strategy: 'fuzzy', weight: 0.7, normalizer: 'reference', rationale: 'found in the reference column' },
    { source: 'vendor_name', target: 'vendor_name', strategy: 'fuzzy', weight: 0.3, rationale: 'company names' },
  ],
  threshold: 0.9,
  thresholds: { match: 0.9, review_floor: 0.6 },
  one_to_one: true,
  blocking_keys: [],
  blocking_strategy: 'parallel',
  field_estimates: [],
  match_share: 0.9,
  columns: [],
  edge_cases: [],
  data_quality_notes: '',
  cardinality_notes: '',
} as StrategyPlan;

const strategy = { id: 's1', name: 'Learned', reference_data_id: 'ref', document_set_id: 'docs', strategy: plan } as MatchingStrategy;

describe('strategy drafts', () => {
  it('starts from the plan and is clean', () => {
    const d = draftOfPlan(plan);
    expect(d).toEqual({ weights: ['0.7', '0.3'], threshold: '0.9', reviewFloor: '0.6' });
    expect(isDirty(d, plan)).toBe(false);
    expect(draftErrors(d)).toEqual({});
    expect(patchOf(plan, d)).toEqual({ strategy: {} });
  });

  it('checks weights, their sum and the band as the backend would', () => {
    expect(draftErrors({ weights: ['x', '0'], threshold: '1.2', reviewFloor: '0.5' })).toEqual({
      'weight-0': 'Enter a number.',
      'weight-1': 'Must be above 0.',
      threshold: 'A number from 0 to 1.',
    });
    expect(draftErrors({ weights: ['0.5', '0.3'], threshold: '0.8', reviewFloor: '0.9' })).toEqual({
      weights: 'The weights add up to 0.8; they must add up to 1 (Normalise does it).',
      review_floor: 'Must not be above the threshold.',
    });
    expect(normaliseDraft({ weights: ['3', '1'], threshold: '0.8', reviewFloor: '0.5' }).weights).toEqual(['0.75', '0.25']);
  });

  it('patches only what changed: every mapping (rationale kept) when a weight did, the floor under thresholds', () => {
    const d = { weights: ['0.6', '0.4'], threshold: '0.9', reviewFloor: '0.5' };
    expect(isDirty(d, plan)).toBe(true);
    expect(patchOf(plan, d)).toEqual({
      strategy: {
        field_mappings: [
          { ...plan.field_mappings[0], weight: 0.6 },
          { ...plan.field_mappings[1], weight: 0.4 },
        ],
        thresholds: { review_floor: 0.5 },
      },
    });
    expect(patchOf(plan, { ...draftOfPlan(plan), threshold: '0.95' })).toEqual({ strategy: { threshold: 0.95 } });
    expect(patchOf(plan, { ...d, weights: ['1', '1'] })).toBeNull();
  });

  it('tries the strategy as drafted on its own data, without the rationale', () => {
    const input = previewInputOf(strategy, { weights: ['0.5', '0.5'], threshold: '0.8', reviewFloor: '0.4' }, '');
    expect(input).toEqual({
      name: 'Strategy trial',
      reference_data_id: 'ref',
      document_set_id: 'docs',
      field_mappings: [
        { source: 'po_reference', target: 'po_number', strategy: 'fuzzy', weight: 0.5, normalizer: 'reference' },
        { source: 'vendor_name', target: 'vendor_name', strategy: 'fuzzy', weight: 0.5 },
      ],
      threshold: 0.8,
      review_floor: 0.4,
      one_to_one: true,
    });
    expect(previewInputOf(strategy, { weights: ['2', '2'], threshold: '0.8', reviewFloor: '0.4' }, 'x')).toBeNull();
    expect(roleLabel('company_name')).toBe('company name');
  });
});
