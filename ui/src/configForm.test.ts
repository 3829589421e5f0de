// Tests of the config form logic: draft conversion and weight normalisation.
import { describe, expect, it } from 'vitest';

import type { MatchingConfig } from './bindings/MatchingConfig';
import { draftFromConfig, draftToInput, emptyDraft, emptyMapping, normaliseDraftWeights, normaliseWeights, weightsSumToOne } from './configForm';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('normaliseWeights', () => {
  it('scales weights to add up to 1', () => {
    expect(normaliseWeights([2, 1, 1])).toEqual([0.5, 0.25, 0.25]);
    const thirds = normaliseWeights([1, 1, 1]);
    expect(thirds).toEqual([0.3333, 0.3333, 0.3334]);
    expect(Math.abs(sum(thirds) - 1)).toBeLessThan(1e-9);
  });
  it('gives empty or non-positive weights the mean of the others', () => {
    expect(normaliseWeights([0.5, 0.5, Number.NaN])).toEqual([0.3333, 0.3333, 0.3334]);
    expect(normaliseWeights([0.6, 0])).toEqual([0.5, 0.5]);
  });
  it('splits equally when no weight is positive', () => {
    expect(normaliseWeights([0, 0, 0, 0])).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(normaliseWeights([])).toEqual([]);
  });
  it('normalises draft rows', () => {
    const rows = [
      { ...emptyMapping('3') },
      { ...emptyMapping('1') },
    ];
    const out = normaliseDraftWeights(rows);
    expect(out.map((r) => r.weight)).toEqual(['0.75', '0.25']);
    expect(weightsSumToOne(out)).toBe(true);
    expect(weightsSumToOne(rows)).toBe(false);
  });
});

describe('draftToInput', () => {
  it('builds a ConfigInput with only the parameters of each strategy', () => {
    const d = emptyDraft();
    d.name = '  Invoices to POs ';
    d.reference_data_id = 'ref';
    d.mappings = [
      { ...emptyMapping('0.5'), source: 'po', target: 'po_number', strategy: 'fuzzy', similarity_threshold: '0.9', tolerance_days: '3' },
      { ...emptyMapping('0,5'), source: 'date', target: 'po_date', strategy: 'date_range', tolerance_days: '' },
    ];
    const { input, errors } = draftToInput(d);
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'Invoices to POs',
      reference_data_id: 'ref',
      document_set_id: null,
      field_mappings: [
        { source: 'po', target: 'po_number', strategy: 'fuzzy', weight: 0.5, similarity_threshold: 0.9 },
        { source: 'date', target: 'po_date', strategy: 'date_range', weight: 0.5 },
      ],
      threshold: 0.85,
      review_floor: 0.5,
    });
  });

  it('reports text that is not a number under the field path the backend uses', () => {
    const d = emptyDraft();
    d.mappings = [
      { ...emptyMapping('1'), strategy: 'date_range', tolerance_days: '2.5' },
      { ...emptyMapping('abc') },
      { ...emptyMapping('') },
    ];
    d.threshold = 'high';
    const { input, errors } = draftToInput(d);
    expect(input).toBeNull();
    expect(Object.keys(errors).sort()).toEqual([
      'field_mappings[0].tolerance_days',
      'field_mappings[1].weight',
      'field_mappings[2].weight',
      'threshold',
    ]);
  });

  it('round-trips a stored config', () => {
    const config: MatchingConfig = {
      id: 'c1',
      name: 'C',
      reference_data_id: 'ref',
      document_set_id: 'docs',
      target_type: 'reference',
      target_value: {},
      field_mappings: [{ source: 'a', target: 'b', strategy: 'numeric_range', weight: 1, tolerance_percent: 2, tolerance_absolute: 0.5, rationale: 'why' }],
      threshold: 0.9,
      review_floor: 0.6,
      created_at: '',
      updated_at: '',
    };
    const { input } = draftToInput(draftFromConfig(config));
    expect(input).toEqual({
      name: 'C',
      reference_data_id: 'ref',
      document_set_id: 'docs',
      field_mappings: config.field_mappings,
      threshold: 0.9,
      review_floor: 0.6,
    });
  });
});
