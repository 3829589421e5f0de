// Tests of the config form logic: draft conversion and round-trips, schedules, list parsing, weight normalisation, threshold checks, sample hints.
import { describe, expect, it } from 'vitest';

import type { MatchingConfig } from './bindings/MatchingConfig';
import {
  columnSamples,
  describeSchedule,
  describeWindow,
  draftFromConfig,
  draftSchedule,
  draftToInput,
  emptyDraft,
  emptyMapping,
  formatSamples,
  normaliseDraftWeights,
  normaliseWeights,
  parseNumberList,
  parsePartialShares,
  parseTaxRates,
  samplesByColumn,
  thresholdErrors,
  weightsSumToOne,
  type MappingDraft,
} from './configForm';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('normaliseWeights', () => {
  const hundredths = (xs: number[]) => xs.map((x) => Math.round(x * 100));
  it('scales weights to add up to 1, in hundredths', () => {
    expect(normaliseWeights([2, 1, 1])).toEqual([0.5, 0.25, 0.25]);
    expect(normaliseWeights([3, 0.3])).toEqual([0.91, 0.09]);
    expect(normaliseWeights([0.7, 0.7])).toEqual([0.5, 0.5]);
  });
  it('keeps the sum exactly 1, giving the hundredths left over to the largest remainders', () => {
    const thirds = normaliseWeights([1, 1, 1]);
    expect(thirds).toEqual([0.34, 0.33, 0.33]);
    expect(sum(hundredths(thirds))).toBe(100);
    // 1/7 = 14.29 hundredths: floors add to 98; the two largest remainders (all equal: the first two) get one more.
    const sevenths = normaliseWeights([1, 1, 1, 1, 1, 1, 1]);
    expect(sevenths).toEqual([0.15, 0.15, 0.14, 0.14, 0.14, 0.14, 0.14]);
    // 0.456/0.789 → 57.79 and 0.333/0.789 → 42.21: the larger remainder (0.79) rounds up.
    expect(normaliseWeights([0.456, 0.333])).toEqual([0.58, 0.42]);
    for (const weights of [[0.2, 0.3, 0.1, 0.05], [5, 7, 11, 13, 17], [0.001, 1, 1]]) {
      const out = normaliseWeights(weights);
      expect(sum(hundredths(out))).toBe(100);
      for (const w of out) expect(Math.round(w * 100) / 100).toBe(w);
    }
  });
  it('leaves no weight at 0, even a tiny one', () => {
    const out = normaliseWeights([0.001, 1, 1]);
    expect(out).toEqual([0.01, 0.49, 0.5]);
  });
  it('gives empty or non-positive weights the mean of the others', () => {
    expect(normaliseWeights([0.5, 0.5, Number.NaN])).toEqual([0.34, 0.33, 0.33]);
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
    expect(normaliseDraftWeights([emptyMapping('1'), emptyMapping('1'), emptyMapping('')]).map((r) => r.weight)).toEqual(['0.34', '0.33', '0.33']);
  });
});

describe('thresholdErrors', () => {
  it('accepts a floor at or below the threshold, and empty values (the defaults)', () => {
    expect(thresholdErrors({ threshold: '0.85', review_floor: '0.5' })).toEqual({});
    expect(thresholdErrors({ threshold: '0.6', review_floor: '0.6' })).toEqual({});
    expect(thresholdErrors({ threshold: '', review_floor: '' })).toEqual({});
  });
  it('rejects a floor above the threshold, naming the threshold', () => {
    expect(thresholdErrors({ threshold: '0.7', review_floor: '0.75' })).toEqual({ review_floor: 'must not be above the match threshold (70%)' });
    // An empty threshold is the default 85 %.
    expect(thresholdErrors({ threshold: '', review_floor: '0.9' })).toEqual({ review_floor: 'must not be above the match threshold (85%)' });
  });
  it('rejects text and values outside 0..1', () => {
    expect(thresholdErrors({ threshold: 'high', review_floor: '0.5' })).toEqual({ threshold: 'must be a number' });
    expect(thresholdErrors({ threshold: '85', review_floor: '-0.1' })).toEqual({
      threshold: 'must be between 0 and 1 (0.85 is 85 %)',
      review_floor: 'must be between 0 and 1 (0.85 is 85 %)',
    });
  });
  it('stop a save', () => {
    const d = emptyDraft();
    d.threshold = '0.6';
    d.review_floor = '0.7';
    const { input, errors } = draftToInput(d);
    expect(input).toBeNull();
    expect(errors).toEqual({ review_floor: 'must not be above the match threshold (60%)' });
  });
});

describe('sample values', () => {
  const page = {
    columns: ['supplier', 'amount', 'note'],
    rows: [
      { id: '1', values: ['ACME Corp.', '10.00', ''] },
      { id: '2', values: ['Globex Ltd', '12.50', ''] },
      { id: '3', values: ['ACME Corp.', '10.00', ''] },
      { id: '4', values: ['Initech', '7.00', ''] },
      { id: '5', values: ['Umbrella International Holdings plc', '9.99', ''] },
    ],
  };
  it('takes the first distinct non-empty values of a column, saying whether there are more', () => {
    expect(columnSamples([page], 'supplier')).toEqual({ values: ['ACME Corp.', 'Globex Ltd', 'Initech'], more: true });
    expect(columnSamples([page], 'supplier', 5)).toEqual({
      values: ['ACME Corp.', 'Globex Ltd', 'Initech', 'Umbrella International Holdings plc'],
      more: false,
    });
    expect(columnSamples([page], 'note')).toEqual({ values: [], more: false });
    expect(columnSamples([page], 'missing')).toEqual({ values: [], more: false });
  });
  it('merges several datasets by column name', () => {
    const other = { columns: ['amount', 'supplier'], rows: [{ id: 'x', values: ['1.00', 'Hooli'] }] };
    expect(columnSamples([{ ...page, rows: page.rows.slice(0, 1) }, other], 'supplier')).toEqual({ values: ['ACME Corp.', 'Hooli'], more: false });
  });
  it('formats a hint, cutting long values', () => {
    expect(formatSamples({ values: ['ACME Corp.', 'Globex Ltd'], more: true })).toBe('e.g. ACME Corp., Globex Ltd, …');
    expect(formatSamples({ values: ['Umbrella International Holdings plc'], more: false })).toBe('e.g. Umbrella International…');
    expect(formatSamples({ values: [], more: false })).toBe('');
  });
  it('maps every column with a value to its hint', () => {
    expect(samplesByColumn([page])).toEqual({
      supplier: 'e.g. ACME Corp., Globex Ltd, Initech, …',
      amount: 'e.g. 10.00, 12.50, 7.00, …',
    });
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
      one_to_one: false,
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
      one_to_one: false,
    });
  });
});

/** A stored config using every mapping parameter, explicit defaults included. */
function fullConfig(): MatchingConfig {
  return {
    id: 'c2',
    name: 'Everything',
    reference_data_id: 'ref',
    document_set_id: null,
    target_type: 'reference',
    target_value: {},
    field_mappings: [
      { source: 'po', target: 'po_number', strategy: 'exact', weight: 0.2, normalizer: 'reference', mismatch_weight: 0.6 },
      { source: 'code', target: 'code', strategy: 'exact', weight: 0.05, normalizer: 'text' },
      {
        source: 'vendor',
        target: 'supplier',
        strategy: 'fuzzy',
        weight: 0.2,
        normalizer: 'company_name',
        similarity_threshold: 0.75,
        measure: 'jaro_winkler',
        term_frequency: true,
        mismatch_weight: 0,
      },
      { source: 'name', target: 'name', strategy: 'fuzzy', weight: 0.05, measure: 'best', term_frequency: false },
      {
        source: 'total',
        target: 'amount',
        strategy: 'numeric_range',
        weight: 0.2,
        tolerance_percent: 3,
        tolerance_absolute: 10,
        tax_rates: [19, 20, 7.7],
        partial_shares: [0.25, 0.5, 0.75],
        partial_score: 0.6,
        mismatch_weight: 0.4,
      },
      { source: 'date', target: 'po_date', strategy: 'date_range', weight: 0.15, days_before: 0, days_after: 45, tolerance_days: 3, date_order: 'day_first' },
      { source: 'due', target: 'due_date', strategy: 'date_range', weight: 0.1, tolerance_days: 10, date_order: 'auto', rationale: 'due dates drift' },
      { source: 'sent', target: 'sent_date', strategy: 'date_range', weight: 0.05, days_after: 30 },
    ],
    threshold: 0.8,
    review_floor: 0.4,
    one_to_one: true,
    created_at: '',
    updated_at: '',
  };
}

describe('new matching parameters', () => {
  it('round-trip every field of a stored config unchanged', () => {
    const config = fullConfig();
    const { input, errors } = draftToInput(draftFromConfig(config));
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'Everything',
      reference_data_id: 'ref',
      document_set_id: null,
      field_mappings: config.field_mappings,
      threshold: 0.8,
      review_floor: 0.4,
      one_to_one: true,
    });
  });

  it('load into the draft as typed text and choices', () => {
    const [exact, , fuzzy, , amount, window, around, afterOnly] = draftFromConfig(fullConfig()).mappings as MappingDraft[];
    expect(exact).toMatchObject({ normalizer: 'reference', mismatch_weight: '0.6' });
    expect(fuzzy).toMatchObject({ normalizer: 'company_name', measure: 'jaro_winkler', term_frequency: true, mismatch_weight: '0' });
    expect(amount).toMatchObject({ tax_rates: '19, 20, 7.7', partial_shares: '0.25, 0.5, 0.75', partial_score: '0.6' });
    // A one-sided window: tolerance_days is the grace period beyond it.
    expect(window).toMatchObject({ date_window: true, days_before: '0', days_after: '45', grace_days: '3', tolerance_days: '', date_order: 'day_first' });
    expect(around).toMatchObject({ date_window: false, tolerance_days: '10', grace_days: '', date_order: 'auto' });
    expect(afterOnly).toMatchObject({ date_window: true, days_before: '', days_after: '30' });
  });

  it('send edits back, leaving the untouched fields as they were', () => {
    const config = fullConfig();
    const draft = draftFromConfig(config);
    const amount = draft.mappings[4] as MappingDraft;
    draft.mappings[4] = { ...amount, tax_rates: '21', partial_shares: '', mismatch_weight: '' };
    draft.one_to_one = false;
    const { input } = draftToInput(draft);
    const { partial_shares: _shares, mismatch_weight: _mismatch, ...rest } = config.field_mappings[4]!;
    expect(input?.field_mappings[4]).toEqual({ ...rest, tax_rates: [21] });
    expect(input?.field_mappings.filter((_, i) => i !== 4)).toEqual(config.field_mappings.filter((_, i) => i !== 4));
    expect(input?.one_to_one).toBe(false);
  });

  it('leave optional fields absent when nothing was typed or chosen', () => {
    const d = emptyDraft();
    d.mappings = (['exact', 'fuzzy', 'numeric_range', 'date_range'] as const).map((strategy) => ({ ...emptyMapping('0.25'), source: 's', target: 't', strategy }));
    const window = { ...emptyMapping('0'), source: 's', target: 't', strategy: 'date_range' as const, date_window: true, days_after: '45' };
    d.mappings.push(window);
    const { input, errors } = draftToInput(d);
    expect(errors).toEqual({});
    for (const m of input!.field_mappings.slice(0, 4)) expect(Object.keys(m).sort()).toEqual(['source', 'strategy', 'target', 'weight']);
    expect(input!.field_mappings[4]).toEqual({ source: 's', target: 't', strategy: 'date_range', weight: 0, days_after: 45 });
    expect('one_to_one' in input!).toBe(false);
    d.one_to_one = true;
    expect(draftToInput(d).input?.one_to_one).toBe(true);
  });

  it('send only the parameters of the strategy and of the chosen date window', () => {
    const d = emptyDraft();
    const typed: MappingDraft = {
      ...emptyMapping('1'),
      source: 's',
      target: 't',
      strategy: 'date_range',
      normalizer: 'company_name',
      measure: 'levenshtein',
      term_frequency: true,
      tax_rates: '19',
      tolerance_days: '5',
      days_before: '2',
      days_after: '40',
      grace_days: '1',
    };
    d.mappings = [typed];
    expect(draftToInput(d).input?.field_mappings[0]).toEqual({ source: 's', target: 't', strategy: 'date_range', weight: 1, tolerance_days: 5 });
    d.mappings = [{ ...typed, date_window: true }];
    expect(draftToInput(d).input?.field_mappings[0]).toEqual({
      source: 's',
      target: 't',
      strategy: 'date_range',
      weight: 1,
      days_before: 2,
      days_after: 40,
      tolerance_days: 1,
    });
    d.mappings = [{ ...typed, strategy: 'exact' }];
    expect(draftToInput(d).input?.field_mappings[0]).toEqual({ source: 's', target: 't', strategy: 'exact', weight: 1, normalizer: 'company_name' });
  });

  it('report what cannot be sent under the backend field paths', () => {
    const d = emptyDraft();
    d.mappings = [
      { ...emptyMapping('0.5'), strategy: 'numeric_range', tax_rates: '19, abc', partial_shares: '25, 50', partial_score: 'high' },
      { ...emptyMapping('0.25'), strategy: 'date_range', date_window: true },
      { ...emptyMapping('0.25'), strategy: 'date_range', date_window: true, days_after: '4.5', grace_days: 'x', mismatch_weight: 'lots' },
    ];
    const { input, errors } = draftToInput(d);
    expect(input).toBeNull();
    expect(errors).toEqual({
      'field_mappings[0].tax_rates': '“abc” is not a number; separate rates with commas, e.g. 19, 20, 21',
      'field_mappings[0].partial_shares': '25 is not a share: each lies strictly between 0 and 1 (a half is 0.5)',
      'field_mappings[0].partial_score': 'must be a number',
      'field_mappings[1].days_before': 'enter the days before and/or after the reference date, or choose ± days',
      'field_mappings[2].days_after': 'must be a whole number of days',
      'field_mappings[2].tolerance_days': 'must be a number',
      'field_mappings[2].mismatch_weight': 'must be a number',
    });
  });
});

describe('number lists', () => {
  it('parse valid tax rates', () => {
    expect(parseTaxRates('19, 20, 21')).toEqual({ values: [19, 20, 21] });
    expect(parseTaxRates('19,20,21')).toEqual({ values: [19, 20, 21] });
    expect(parseTaxRates(' 19 %, 7.7%, 0 ')).toEqual({ values: [19, 7.7, 0] });
    expect(parseTaxRates('7,7; 8,1; 2.6')).toEqual({ values: [7.7, 8.1, 2.6] });
    expect(parseTaxRates('19, 20,')).toEqual({ values: [19, 20] });
  });
  it('parse valid partial shares', () => {
    expect(parsePartialShares('0.25, 0.5, 0.75')).toEqual({ values: [0.25, 0.5, 0.75] });
    expect(parsePartialShares('.5')).toEqual({ values: [0.5] });
    expect(parsePartialShares('0,25; 0,5')).toEqual({ values: [0.25, 0.5] });
  });
  it('treat an empty list as not set', () => {
    for (const text of ['', '   ', ' , ', ';']) {
      expect(parseTaxRates(text)).toEqual({ values: undefined });
      expect(parsePartialShares(text)).toEqual({ values: undefined });
    }
  });
  it('reject garbage, naming the item', () => {
    expect(parseTaxRates('19, abc').error).toContain('“abc” is not a number');
    expect(parseTaxRates('19 20').error).toContain('“19 20” is not a number');
    expect(parseTaxRates('19, %').error).toContain('“%” is not a number');
    expect(parseTaxRates('0x13').error).toContain('is not a number');
    expect(parsePartialShares('0.5, half').error).toContain('“half” is not a number');
    expect(parsePartialShares('25%').error).toContain('“25%” is not a number');
    expect(parseNumberList('1, Infinity')).toEqual({ values: undefined, bad: 'Infinity' });
  });
  it('reject values the backend would refuse', () => {
    expect(parseTaxRates('19, 100').error).toBe('100 is not a VAT rate: each is a percentage from 0 to below 100');
    expect(parseTaxRates('-5').error).toContain('-5 is not a VAT rate');
    expect(parsePartialShares('0.5, 1').error).toContain('1 is not a share');
    expect(parsePartialShares('0').error).toContain('0 is not a share');
    expect(parsePartialShares('25, 50').error).toContain('25 is not a share');
  });
});

describe('describeWindow', () => {
  it('puts a one-sided date window in words', () => {
    expect(describeWindow('0', '45')).toBe('document 0 to 45 days after the reference date');
    expect(describeWindow('', '45')).toBe('document 0 to 45 days after the reference date');
    expect(describeWindow('10', '')).toBe('document 0 to 10 days before the reference date');
    expect(describeWindow('5', '30')).toBe('document from 5 days before to 30 days after the reference date');
    expect(describeWindow('', '1')).toBe('document 0 to 1 day after the reference date');
    expect(describeWindow('', '')).toBe('document on the reference date');
    expect(describeWindow('x', '3')).toBe('');
  });
});

describe('schedules', () => {
  const stored = (schedule?: MatchingConfig['schedule']): MatchingConfig => ({
    ...fullConfig(),
    ...(schedule !== undefined ? { schedule } : {}),
  });

  it('round-trip an interval, a cron expression and none', () => {
    const interval = draftFromConfig(stored({ interval_minutes: 90 }));
    expect([interval.schedule_kind, interval.schedule_minutes]).toEqual(['interval', '90']);
    expect(draftToInput(interval).input?.schedule).toEqual({ interval_minutes: 90 });

    const cron = draftFromConfig(stored({ cron: '0 2 * * 1-5' }));
    expect([cron.schedule_kind, cron.schedule_cron]).toEqual(['cron', '0 2 * * 1-5']);
    expect(draftToInput(cron).input?.schedule).toEqual({ cron: '0 2 * * 1-5' });

    const never = draftFromConfig(stored());
    expect(never.schedule_kind).toBe('never');
    const { input } = draftToInput(never);
    expect(input).not.toBeNull();
    expect(input && 'schedule' in input).toBe(false);
  });

  it('send only the chosen kind, so switching to never removes the schedule', () => {
    const d = { ...draftFromConfig(stored({ cron: '0 2 * * 1-5' })), schedule_kind: 'never' as const };
    expect(draftSchedule(d)).toEqual({});
    expect(draftSchedule({ ...d, schedule_kind: 'interval', schedule_minutes: ' 15 ' })).toEqual({ schedule: { interval_minutes: 15 } });
    expect(draftSchedule({ ...d, schedule_kind: 'cron', schedule_cron: '  */30 * * * * ' })).toEqual({ schedule: { cron: '*/30 * * * *' } });
    expect(emptyDraft().schedule_kind).toBe('never');
  });

  it('refuse what cannot be sent under the field "schedule", leaving cron rules to the backend', () => {
    const d = emptyDraft();
    for (const minutes of ['0', '525601', '1.5', '-5', 'abc', '1e3']) {
      expect(draftSchedule({ ...d, schedule_kind: 'interval', schedule_minutes: minutes }).error).toContain('whole number of minutes from 1 to 525600');
    }
    expect(draftSchedule({ ...d, schedule_kind: 'interval', schedule_minutes: ' ' }).error).toBe('enter the minutes between runs');
    expect(draftSchedule({ ...d, schedule_kind: 'interval', schedule_minutes: '525600' }).schedule).toEqual({ interval_minutes: 525600 });
    expect(draftSchedule({ ...d, schedule_kind: 'cron', schedule_cron: '' }).error).toContain('enter a cron expression');
    expect(draftSchedule({ ...d, schedule_kind: 'cron', schedule_cron: '61 * * * *' }).schedule).toEqual({ cron: '61 * * * *' });

    const { input, errors } = draftToInput({ ...draftFromConfig(fullConfig()), schedule_kind: 'interval', schedule_minutes: '0' });
    expect(input).toBeNull();
    expect(Object.keys(errors)).toEqual(['schedule']);
  });

  it('describe a schedule in words', () => {
    expect(describeSchedule(undefined)).toBe('');
    expect(describeSchedule({ interval_minutes: 1 })).toBe('every minute');
    expect(describeSchedule({ interval_minutes: 45 })).toBe('every 45 minutes');
    expect(describeSchedule({ interval_minutes: 60 })).toBe('every hour');
    expect(describeSchedule({ interval_minutes: 180 })).toBe('every 3 hours');
    expect(describeSchedule({ interval_minutes: 1440 })).toBe('every day');
    expect(describeSchedule({ interval_minutes: 2880 })).toBe('every 2 days');
    expect(describeSchedule({ cron: '0 2 * * 1-5' })).toBe('cron 0 2 * * 1-5');
  });
});
