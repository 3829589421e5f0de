// Pure logic of the config form: editable drafts, conversion to ConfigInput, weight normalisation.
import type { ConfigInput } from './bindings/ConfigInput';
import type { FieldMapping } from './bindings/FieldMapping';
import type { MatchingConfig } from './bindings/MatchingConfig';
import type { Strategy } from './bindings/Strategy';

export const STRATEGIES: readonly Strategy[] = ['exact', 'fuzzy', 'date_range', 'numeric_range'];

/** Defaults the backend applies when a parameter is left empty (engine/src/domain.rs). */
export const DEFAULTS = {
  similarity_threshold: 0.8,
  tolerance_days: 7,
  tolerance_percent: 1,
  tolerance_absolute: 0,
  threshold: 0.85,
  review_floor: 0.5,
} as const;

export type ParamName = 'similarity_threshold' | 'tolerance_days' | 'tolerance_percent' | 'tolerance_absolute';

/** Which parameters each strategy takes. */
export const STRATEGY_PARAMS: Record<Strategy, readonly ParamName[]> = {
  exact: [],
  fuzzy: ['similarity_threshold'],
  date_range: ['tolerance_days'],
  numeric_range: ['tolerance_percent', 'tolerance_absolute'],
};

export const PARAM_LABEL: Record<ParamName, string> = {
  similarity_threshold: 'Min. similarity',
  tolerance_days: 'Tolerance (days)',
  tolerance_percent: 'Tolerance %',
  tolerance_absolute: 'Tolerance abs.',
};

/** One mapping row as typed: numbers stay text until saved. */
export interface MappingDraft {
  key: number;
  source: string;
  target: string;
  strategy: Strategy;
  weight: string;
  similarity_threshold: string;
  tolerance_days: string;
  tolerance_percent: string;
  tolerance_absolute: string;
  rationale?: string;
}

export interface ConfigDraft {
  name: string;
  reference_data_id: string;
  /** "" means every document in the workspace. */
  document_set_id: string;
  mappings: MappingDraft[];
  threshold: string;
  review_floor: string;
}

let nextKey = 1;
function newKey(): number {
  return nextKey++;
}

function numText(v: number | undefined | null): string {
  return v === undefined || v === null ? '' : String(v);
}

export function emptyMapping(weight = ''): MappingDraft {
  return {
    key: newKey(),
    source: '',
    target: '',
    strategy: 'exact',
    weight,
    similarity_threshold: '',
    tolerance_days: '',
    tolerance_percent: '',
    tolerance_absolute: '',
  };
}

export function emptyDraft(): ConfigDraft {
  return {
    name: '',
    reference_data_id: '',
    document_set_id: '',
    mappings: [emptyMapping('1')],
    threshold: String(DEFAULTS.threshold),
    review_floor: String(DEFAULTS.review_floor),
  };
}

export function draftFromConfig(c: MatchingConfig): ConfigDraft {
  return {
    name: c.name,
    reference_data_id: c.reference_data_id,
    document_set_id: c.document_set_id ?? '',
    mappings: c.field_mappings.map((m) => ({
      key: newKey(),
      source: m.source,
      target: m.target,
      strategy: m.strategy,
      weight: numText(m.weight),
      similarity_threshold: numText(m.similarity_threshold),
      tolerance_days: numText(m.tolerance_days),
      tolerance_percent: numText(m.tolerance_percent),
      tolerance_absolute: numText(m.tolerance_absolute),
      ...(m.rationale !== undefined ? { rationale: m.rationale } : {}),
    })),
    threshold: numText(c.threshold),
    review_floor: numText(c.review_floor),
  };
}

/** Parses a typed number; "" is undefined, anything unparsable is NaN. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}

/** Field path → message, with the paths the backend uses ("field_mappings[1].weight"). */
export type FieldErrors = Record<string, string>;

/**
 * Builds the ConfigInput to send. Only checks what cannot be sent at all (text where a number
 * belongs); every rule about values is the backend's, whose errors name the same field paths.
 */
export function draftToInput(d: ConfigDraft): { input: ConfigInput | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const mappings: FieldMapping[] = d.mappings.map((m, i) => {
    const weight = parseNumber(m.weight);
    if (weight === undefined) errors[`field_mappings[${i}].weight`] = 'enter a weight';
    else if (Number.isNaN(weight)) errors[`field_mappings[${i}].weight`] = 'must be a number';
    const mapping: FieldMapping = { source: m.source, target: m.target, strategy: m.strategy, weight: weight ?? 0 };
    for (const p of STRATEGY_PARAMS[m.strategy]) {
      const v = parseNumber(m[p]);
      if (v === undefined) continue;
      if (Number.isNaN(v)) errors[`field_mappings[${i}].${p}`] = 'must be a number';
      else if (p === 'tolerance_days' && !Number.isInteger(v)) errors[`field_mappings[${i}].${p}`] = 'must be a whole number of days';
      else mapping[p] = v;
    }
    if (m.rationale !== undefined) mapping.rationale = m.rationale;
    return mapping;
  });
  const threshold = parseNumber(d.threshold);
  if (threshold !== undefined && Number.isNaN(threshold)) errors.threshold = 'must be a number';
  const reviewFloor = parseNumber(d.review_floor);
  if (reviewFloor !== undefined && Number.isNaN(reviewFloor)) errors.review_floor = 'must be a number';
  if (Object.keys(errors).length > 0) return { input: null, errors };
  return {
    input: {
      name: d.name.trim(),
      reference_data_id: d.reference_data_id,
      document_set_id: d.document_set_id === '' ? null : d.document_set_id,
      field_mappings: mappings,
      threshold: threshold ?? null,
      review_floor: reviewFloor ?? null,
    },
    errors,
  };
}

/** The sum of the weights that parse, and whether every weight parsed. */
export function weightSum(mappings: readonly MappingDraft[]): { sum: number; complete: boolean } {
  let sum = 0;
  let complete = true;
  for (const m of mappings) {
    const w = parseNumber(m.weight);
    if (w === undefined || Number.isNaN(w)) complete = false;
    else sum += w;
  }
  return { sum, complete };
}

/** How far from 1 the backend lets the weights be (engine validate.rs). */
export const WEIGHT_SUM_TOLERANCE = 0.001;

export function weightsSumToOne(mappings: readonly MappingDraft[]): boolean {
  const { sum, complete } = weightSum(mappings);
  return complete && Math.abs(sum - 1) <= WEIGHT_SUM_TOLERANCE;
}

function round4(n: number): number {
  return Math.round(n * 10000) / 10000;
}

/**
 * Scales the weights so they add up to 1, to 4 decimals (the last absorbs rounding). A weight that
 * is empty, unparsable or not positive (e.g. a row just added) first takes the mean of the positive
 * ones, so every mapping keeps a share; when none is positive, all become equal.
 */
export function normaliseWeights(weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  const positive = weights.filter((w) => Number.isFinite(w) && w > 0);
  const fill = positive.length > 0 ? positive.reduce((a, b) => a + b, 0) / positive.length : 1;
  const filled = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : fill));
  const total = filled.reduce((a, b) => a + b, 0);
  const rounded = filled.map((w) => round4(w / total));
  const lastIndex = n - 1;
  const othersSum = rounded.slice(0, lastIndex).reduce((a, b) => a + b, 0);
  rounded[lastIndex] = round4(1 - othersSum);
  return rounded;
}

export function normaliseDraftWeights(mappings: readonly MappingDraft[]): MappingDraft[] {
  const weights = mappings.map((m) => parseNumber(m.weight) ?? NaN);
  const normalised = normaliseWeights(weights);
  return mappings.map((m, i) => ({ ...m, weight: String(normalised[i] ?? 0) }));
}
