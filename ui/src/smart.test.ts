// Tests of smart.ts: which strategies a config can smart-run with, when ai-resolve can start, and the waterfall of match weights.
import { describe, expect, it } from 'vitest';

import type { FieldEvidence } from './bindings/FieldEvidence';
import type { MatchingStrategy } from './bindings/MatchingStrategy';
import { aiResolveState, log2Odds, probabilityOf, rarityNote, strategiesForConfig, strategyLabel, waterfallOf } from './smart';

const strategy = (id: string, reference: string, config: string | null, updated = '2024-05-01T10:00:00Z'): MatchingStrategy =>
  ({ id, name: null, matching_config_id: config, reference_data_id: reference, updated_at: updated, created_at: '2024-05-01T09:00:00Z', version: 1 }) as MatchingStrategy;

const field = (source: string, matchWeight: number | undefined, missing = false): FieldEvidence => ({
  source,
  target: `${source}_ref`,
  strategy: 'fuzzy',
  weight: 0.5,
  score: 1,
  source_value: 'x',
  target_value: 'x',
  missing,
  ...(matchWeight === undefined ? {} : { match_weight: matchWeight }),
});

describe('strategiesForConfig', () => {
  it('offers the config’s own strategies first, then those of its reference data for no config, newest first', () => {
    const list = [
      strategy('free-old', 'ref', null, '2024-05-01T10:00:00Z'),
      strategy('other-config', 'ref', 'cfg2'),
      strategy('other-data', 'ref2', null),
      strategy('own', 'ref', 'cfg1', '2024-04-01T10:00:00Z'),
      strategy('free-new', 'ref', null, '2024-05-02T10:00:00Z'),
    ];
    expect(strategiesForConfig(list, { id: 'cfg1', reference_data_id: 'ref' }).map((s) => s.id)).toEqual(['own', 'free-new', 'free-old']);
    expect(strategiesForConfig(list, { id: 'cfg3', reference_data_id: 'ref3' })).toEqual([]);
  });

  it('names a strategy by its name, else by when it was learned, with a version past the first', () => {
    expect(strategyLabel({ name: 'Learned', created_at: '', version: 1 })).toBe('Learned');
    expect(strategyLabel({ name: '  ', created_at: 'x', version: 3 })).toBe('Strategy of x (v3)');
  });
});

describe('aiResolveState', () => {
  it('lets only completed runs be resolved, and says why not', () => {
    expect(aiResolveState({ status: 'completed' }).disabled).toBe(false);
    expect(aiResolveState({ status: 'ai_resolving' })).toEqual({ disabled: true, title: 'AI resolve is working on this run.' });
    expect(aiResolveState({ status: 'running' }).title).toContain('once it has completed');
    expect(aiResolveState({ status: 'failed' }).disabled).toBe(true);
  });
});

describe('waterfallOf', () => {
  it('works the prior back from the confidence and adds each field’s weight', () => {
    const w = waterfallOf([field('po', 5), field('vendor', -1)], 0.8);
    expect(log2Odds(0.8)).toBeCloseTo(2);
    expect(w?.steps.map((s) => [s.label, Number(s.bits.toFixed(6))])).toEqual([
      ['Prior', -2],
      ['po → po_ref', 5],
      ['vendor → vendor_ref', -1],
    ]);
    expect(w?.steps[1]?.from).toBeCloseTo(-2);
    expect(w?.steps[1]?.to).toBeCloseTo(3);
    expect(w?.total).toBeCloseTo(2);
    expect(w?.probability).toBe(0.8);
    expect(w?.priorFromModel).toBe(false);
  });

  it('keeps the rarity of a weighed shared value for its bar, and names it only when it is a bit or more from the average', () => {
    const w = waterfallOf([{ ...field('surname', 6), rarity: 2.4 }, { ...field('given', 3, true), rarity: 3 }, field('po', 1)], 0.9);
    expect(w?.steps[1]?.rarity).toBe(2.4);
    expect(w?.steps[2]?.rarity).toBeUndefined();
    expect(w?.steps[3]?.rarity).toBeUndefined();
    expect(rarityNote(2.4)).toBe('rare value');
    expect(rarityNote(-1.5)).toBe('common value');
    expect(rarityNote(0.4)).toBeNull();
    expect(rarityNote(undefined)).toBeNull();
  });

  it('counts a missing field as no effect', () => {
    const w = waterfallOf([field('po', 4), field('date', 3, true)], probabilityOf(1));
    expect(w?.steps[2]).toMatchObject({ bits: 0, missing: true });
    expect(w?.steps[0]?.bits).toBeCloseTo(-3);
  });

  it('uses the model’s prior when the confidence is exactly 0 or 1, and gives up without one', () => {
    const w = waterfallOf([field('po', 40)], 1, -10);
    expect(w?.steps[0]?.bits).toBe(-10);
    expect(w?.total).toBe(30);
    expect(w?.priorFromModel).toBe(true);
    expect(waterfallOf([field('po', 40)], 1)).toBeNull();
  });

  it('draws nothing without match weights (a standard run)', () => {
    expect(waterfallOf([field('po', undefined)], 0.9)).toBeNull();
    expect(waterfallOf(null, 0.9)).toBeNull();
  });
});
