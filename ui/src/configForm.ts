// Pure logic of the config form: editable drafts of every matching parameter and the schedule, number-list parsing, conversion to ConfigInput, weight normalisation, threshold checks, sample values.
import type { ConfigInput } from './bindings/ConfigInput';
import type { DateOrderSetting } from './bindings/DateOrderSetting';
import type { FieldMapping } from './bindings/FieldMapping';
import type { FuzzyMeasure } from './bindings/FuzzyMeasure';
import type { MatchingConfig } from './bindings/MatchingConfig';
import type { Normalizer } from './bindings/Normalizer';
import type { RowPage } from './bindings/RowPage';
import type { Schedule } from './bindings/Schedule';
import type { Strategy } from './bindings/Strategy';
import { formatPercent } from './format';

export const STRATEGIES: readonly Strategy[] = ['exact', 'fuzzy', 'date_range', 'numeric_range'];

/** Defaults the backend applies when a parameter is left empty (engine/src/domain.rs, strategy.rs). */
export const DEFAULTS = {
  similarity_threshold: 0.8,
  tolerance_days: 7,
  /** tolerance_days in a one-sided window: no grace period unless asked for. */
  grace_days: 0,
  days_before: 0,
  days_after: 0,
  tolerance_percent: 1,
  tolerance_absolute: 0,
  partial_score: 0.7,
  threshold: 0.85,
  review_floor: 0.5,
} as const;

/** Parameters typed as one number. */
export type NumberParam =
  | 'similarity_threshold'
  | 'tolerance_days'
  | 'tolerance_percent'
  | 'tolerance_absolute'
  | 'partial_score'
  | 'days_before'
  | 'days_after'
  | 'mismatch_weight';
/** Parameters typed as a comma-separated list of numbers. */
export type ListParam = 'tax_rates' | 'partial_shares';
/** Parameters chosen from a list; "" in the draft means the backend default. */
export type ChoiceParam = 'normalizer' | 'measure' | 'date_order';
/** Every per-mapping parameter, named as the backend names it (and its validation paths). */
export type ParamName = NumberParam | ListParam | ChoiceParam | 'term_frequency';

/** Which strategy parameters each strategy takes (mismatch_weight applies to every mapping). */
export const STRATEGY_PARAMS: Record<Strategy, readonly ParamName[]> = {
  exact: ['normalizer'],
  fuzzy: ['normalizer', 'similarity_threshold', 'measure', 'term_frequency'],
  date_range: ['tolerance_days', 'days_before', 'days_after', 'date_order'],
  numeric_range: ['tolerance_percent', 'tolerance_absolute', 'tax_rates', 'partial_shares', 'partial_score'],
};

const INTEGER_PARAMS: readonly ParamName[] = ['tolerance_days', 'days_before', 'days_after'];

/**
 * The parameters a mapping row sends: those of its strategy (for dates, the ones of the chosen
 * window kind) and mismatch_weight. Values typed for another strategy stay in the draft unsent.
 */
export function mappingParams(m: Pick<MappingDraft, 'strategy' | 'date_window'>): ParamName[] {
  const own = STRATEGY_PARAMS[m.strategy].filter(
    (p) => m.strategy !== 'date_range' || m.date_window || (p !== 'days_before' && p !== 'days_after'),
  );
  return [...own, 'mismatch_weight'];
}

/** Labels in the users' words, also used to name a field in its error message. */
export const PARAM_LABEL: Record<ParamName, string> = {
  normalizer: 'Compare as',
  similarity_threshold: 'Min. similarity',
  measure: 'Similarity measure',
  term_frequency: 'Rare words count more',
  tolerance_days: 'Tolerance (± days)',
  days_before: 'Days before',
  days_after: 'Days after',
  date_order: 'Dates like 03/04/2024',
  tolerance_percent: 'Within %',
  tolerance_absolute: 'or within (amount)',
  tax_rates: 'Total may include VAT at (%)',
  partial_shares: 'Partial deliveries (shares)',
  partial_score: 'Partial match score',
  mismatch_weight: 'Weight when contradicting',
};

/** tolerance_days means a grace period beyond the window when the window is one-sided. */
export const GRACE_LABEL = 'Grace beyond the window (days)';

/** The label of a parameter as shown for this row (tolerance_days depends on the window kind). */
export function paramLabel(p: ParamName, m: Pick<MappingDraft, 'strategy' | 'date_window'>): string {
  return p === 'tolerance_days' && m.date_window ? GRACE_LABEL : PARAM_LABEL[p];
}

/** Longer explanations, shown as tooltips and hints. */
export const PARAM_HINT: Partial<Record<ParamName, string>> = {
  normalizer: 'How text is cleaned before it is compared.',
  similarity_threshold: 'Similarity (0–1) below which the field counts as not matching. Default 0.8.',
  measure: 'How the similarity of two texts is measured.',
  term_frequency: 'A shared rare word (“Northbridge”) counts more than a common one (“Ltd”).',
  tolerance_days: 'Dates this many days apart still count, with a lower score the further apart. Default 7.',
  date_order: 'How to read dates where day and month could be swapped.',
  tolerance_percent: 'A difference within either the percentage or the amount counts as a match: 3 % or 10.00 means 3 %, but at least 10.00.',
  tolerance_absolute: 'A difference within either the percentage or the amount counts as a match: 3 % or 10.00 means 3 %, but at least 10.00.',
  tax_rates: 'Percentages separated by commas, e.g. 19, 20, 21: a document total that is the reference amount plus one of these rates matches fully.',
  partial_shares: 'Fractions separated by commas, e.g. 0.25, 0.5, 0.75: a document for that share of the reference amount is a partial match.',
  partial_score: 'The score (0–1) of a partial-delivery match. Default 0.7.',
  mismatch_weight: 'How much a contradicting value counts against a match; empty = same as the weight. Raise it for fields true matches almost never contradict.',
};

export const GRACE_HINT = 'Dates this many days outside the window still count, with a lower score. Default 0.';

/** The text shown for a choice's default (the empty value in the draft). */
export const NORMALIZER_LABEL: Record<Normalizer, string> = {
  text: 'Text',
  company_name: 'Company name (ignores GmbH, Ltd, “The”…)',
  reference: 'Reference number (PO-2024-000123 = PO 2024/123)',
};

export const MEASURE_LABEL: Record<FuzzyMeasure, string> = {
  best: 'Best of all',
  token_set: 'Token set (word order ignored)',
  jaro_winkler: 'Jaro-Winkler (names, typos)',
  levenshtein: 'Levenshtein (edit distance)',
  token_jaro_winkler: 'Word by word Jaro-Winkler (multi-word names)',
};

export const DATE_ORDER_LABEL: Record<DateOrderSetting, string> = {
  auto: 'Detect from data',
  day_first: 'Day first (31/12/2024)',
  month_first: 'Month first (12/31/2024)',
};

/** What the backend uses when a choice is left empty. */
export const CHOICE_DEFAULT = { normalizer: 'text', measure: 'best', date_order: 'auto' } as const;

/** One mapping row as typed: numbers and lists stay text until saved; "" means the default. */
export interface MappingDraft {
  key: number;
  source: string;
  target: string;
  strategy: Strategy;
  weight: string;
  /** Empty: the weight. */
  mismatch_weight: string;
  similarity_threshold: string;
  normalizer: Normalizer | '';
  measure: FuzzyMeasure | '';
  /** undefined: not set (the default, off). */
  term_frequency: boolean | undefined;
  tolerance_percent: string;
  tolerance_absolute: string;
  /** Comma-separated percentages. */
  tax_rates: string;
  /** Comma-separated fractions. */
  partial_shares: string;
  partial_score: string;
  /** Dates: a one-sided window (days_before/days_after) instead of ± tolerance_days. */
  date_window: boolean;
  /** ± days, when date_window is off. */
  tolerance_days: string;
  days_before: string;
  days_after: string;
  /** Grace beyond the window (sent as tolerance_days), when date_window is on. */
  grace_days: string;
  date_order: DateOrderSetting | '';
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
  /** undefined: not set (a new config; the backend default, off). */
  one_to_one: boolean | undefined;
  /** Which schedule the config runs on by itself; the other kind's text stays in the draft unsent. */
  schedule_kind: ScheduleKind;
  /** Minutes between runs, as typed. */
  schedule_minutes: string;
  /** A five-field cron expression, as typed. */
  schedule_cron: string;
}

/** Never (runs start by hand only), every N minutes, or on a cron expression. */
export type ScheduleKind = 'never' | 'interval' | 'cron';

export const SCHEDULE_KIND_LABEL: Record<ScheduleKind, string> = {
  never: 'Never (start runs by hand)',
  interval: 'Every N minutes',
  cron: 'Cron expression',
};

/** The longest interval the backend takes: a year of minutes (engine schedule.rs). */
export const MAX_INTERVAL_MINUTES = 525600;
/** What a new interval schedule starts at. */
const DEFAULT_INTERVAL_MINUTES = '60';

let nextKey = 1;
function newKey(): number {
  return nextKey++;
}

function numText(v: number | undefined | null): string {
  return v === undefined || v === null ? '' : String(v);
}

function listText(v: readonly number[] | undefined | null): string {
  return v === undefined || v === null ? '' : v.map(String).join(', ');
}

export function emptyMapping(weight = ''): MappingDraft {
  return {
    key: newKey(),
    source: '',
    target: '',
    strategy: 'exact',
    weight,
    mismatch_weight: '',
    similarity_threshold: '',
    normalizer: '',
    measure: '',
    term_frequency: undefined,
    tolerance_percent: '',
    tolerance_absolute: '',
    tax_rates: '',
    partial_shares: '',
    partial_score: '',
    date_window: false,
    tolerance_days: '',
    days_before: '',
    days_after: '',
    grace_days: '',
    date_order: '',
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
    one_to_one: undefined,
    schedule_kind: 'never',
    schedule_minutes: DEFAULT_INTERVAL_MINUTES,
    schedule_cron: '',
  };
}

export function mappingDraft(m: FieldMapping): MappingDraft {
  const window = m.days_before !== undefined || m.days_after !== undefined;
  return {
    key: newKey(),
    source: m.source,
    target: m.target,
    strategy: m.strategy,
    weight: numText(m.weight),
    mismatch_weight: numText(m.mismatch_weight),
    similarity_threshold: numText(m.similarity_threshold),
    normalizer: m.normalizer ?? '',
    measure: m.measure ?? '',
    term_frequency: m.term_frequency,
    tolerance_percent: numText(m.tolerance_percent),
    tolerance_absolute: numText(m.tolerance_absolute),
    tax_rates: listText(m.tax_rates),
    partial_shares: listText(m.partial_shares),
    partial_score: numText(m.partial_score),
    date_window: window,
    tolerance_days: window ? '' : numText(m.tolerance_days),
    days_before: numText(m.days_before),
    days_after: numText(m.days_after),
    grace_days: window ? numText(m.tolerance_days) : '',
    date_order: m.date_order ?? '',
    ...(m.rationale !== undefined ? { rationale: m.rationale } : {}),
  };
}

export function draftFromConfig(c: MatchingConfig): ConfigDraft {
  return {
    name: c.name,
    reference_data_id: c.reference_data_id,
    document_set_id: c.document_set_id ?? '',
    mappings: c.field_mappings.map(mappingDraft),
    threshold: numText(c.threshold),
    review_floor: numText(c.review_floor),
    one_to_one: c.one_to_one,
    ...scheduleDraft(c.schedule),
  };
}

/** The schedule fields of a draft for a stored schedule (none: never). */
export function scheduleDraft(s: Schedule | undefined): Pick<ConfigDraft, 'schedule_kind' | 'schedule_minutes' | 'schedule_cron'> {
  if (s !== undefined && 'interval_minutes' in s) return { schedule_kind: 'interval', schedule_minutes: String(s.interval_minutes), schedule_cron: '' };
  if (s !== undefined && 'cron' in s) return { schedule_kind: 'cron', schedule_minutes: DEFAULT_INTERVAL_MINUTES, schedule_cron: s.cron };
  return { schedule_kind: 'never', schedule_minutes: DEFAULT_INTERVAL_MINUTES, schedule_cron: '' };
}

/**
 * The schedule to send, or why it cannot be sent as typed (under the backend's field "schedule").
 * Whether a cron expression is valid is the backend's to say: its message names the part at fault.
 */
export function draftSchedule(d: Pick<ConfigDraft, 'schedule_kind' | 'schedule_minutes' | 'schedule_cron'>): { schedule?: Schedule; error?: string } {
  switch (d.schedule_kind) {
    case 'never':
      return {};
    case 'interval': {
      const text = d.schedule_minutes.trim();
      if (text === '') return { error: 'enter the minutes between runs' };
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_INTERVAL_MINUTES) {
        return { error: `must be a whole number of minutes from 1 to ${MAX_INTERVAL_MINUTES} (a year)` };
      }
      return { schedule: { interval_minutes: n } };
    }
    case 'cron': {
      const cron = d.schedule_cron.trim();
      if (cron === '') return { error: 'enter a cron expression, e.g. 0 2 * * 1-5 for 02:00 on weekdays' };
      return { schedule: { cron } };
    }
  }
}

/** A schedule in words for the configs list: "every 2 hours", "cron 0 2 * * 1-5"; "" for none. */
export function describeSchedule(s: Schedule | undefined): string {
  if (s === undefined) return '';
  if ('cron' in s) return `cron ${s.cron}`;
  const m = s.interval_minutes;
  const every = (n: number, unit: string) => (n === 1 ? `every ${unit}` : `every ${n} ${unit}s`);
  if (m % 1440 === 0) return every(m / 1440, 'day');
  if (m % 60 === 0) return every(m / 60, 'hour');
  return every(m, 'minute');
}

/** Parses a typed number; "" is undefined, anything unparsable is NaN. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}

/** A parsed list: its numbers (undefined when the text is empty), or why it cannot be sent. */
export type ListResult = { values: number[] | undefined; error?: undefined } | { values?: undefined; error: string };

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Splits a typed list of numbers. Items are separated by commas; when the text contains a
 * semicolon, semicolons separate and a comma may be a decimal comma ("7,7; 8,1"). Empty items
 * (a trailing comma) are skipped; `suffix` (e.g. "%") may end an item.
 */
export function parseNumberList(text: string, suffix = ''): { values: number[] | undefined; bad?: string } {
  const semicolons = text.includes(';');
  const items = text
    .split(semicolons ? ';' : ',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return { values: undefined };
  const values: number[] = [];
  for (const item of items) {
    let t = item;
    if (suffix && t.endsWith(suffix)) t = t.slice(0, -suffix.length).trim();
    if (semicolons) t = t.replace(',', '.');
    // Plain decimals only: Number() would also take "0x13" and "Infinity".
    const n = DECIMAL.test(t) ? Number(t) : NaN;
    if (!Number.isFinite(n)) return { values: undefined, bad: item };
    values.push(n);
  }
  return { values };
}

/** VAT rates in percent, each from 0 to below 100 (as the backend checks): "19, 20, 21" → [19, 20, 21]. */
export function parseTaxRates(text: string): ListResult {
  const { values, bad } = parseNumberList(text, '%');
  if (bad !== undefined) return { error: `“${bad}” is not a number; separate rates with commas, e.g. 19, 20, 21` };
  const wrong = values?.find((r) => r < 0 || r >= 100);
  if (wrong !== undefined) return { error: `${wrong} is not a VAT rate: each is a percentage from 0 to below 100` };
  return { values };
}

/** Shares of the reference amount, each strictly between 0 and 1: "0.25, 0.5" → [0.25, 0.5]. */
export function parsePartialShares(text: string): ListResult {
  const { values, bad } = parseNumberList(text);
  if (bad !== undefined) return { error: `“${bad}” is not a number; separate shares with commas, e.g. 0.25, 0.5, 0.75` };
  const wrong = values?.find((s) => s <= 0 || s >= 1);
  if (wrong !== undefined) return { error: `${wrong} is not a share: each lies strictly between 0 and 1 (a half is 0.5)` };
  return { values };
}

/**
 * A one-sided date window in words, from the typed days (empty = 0):
 * (0, 45) → "document 0 to 45 days after the reference date".
 */
export function describeWindow(before: string, after: string): string {
  const b = parseNumber(before) ?? 0;
  const a = parseNumber(after) ?? 0;
  if (!Number.isFinite(b) || !Number.isFinite(a) || b < 0 || a < 0) return '';
  const days = (n: number) => (n === 1 ? 'day' : 'days');
  if (b === 0 && a === 0) return 'document on the reference date';
  if (b === 0) return `document 0 to ${a} ${days(a)} after the reference date`;
  if (a === 0) return `document 0 to ${b} ${days(b)} before the reference date`;
  return `document from ${b} ${days(b)} before to ${a} ${days(a)} after the reference date`;
}

/** Field path → message, with the paths the backend uses ("field_mappings[1].weight"). */
export type FieldErrors = Record<string, string>;

/** The text typed for a parameter (tolerance_days is the grace period in window mode). */
function numberText(m: MappingDraft, p: NumberParam): string {
  return p === 'tolerance_days' && m.date_window ? m.grace_days : m[p];
}

/** Builds one FieldMapping; the parameters left empty stay absent. */
function mappingInput(m: MappingDraft, i: number, errors: FieldErrors): FieldMapping {
  const path = (name: string) => `field_mappings[${i}].${name}`;
  const weight = parseNumber(m.weight);
  if (weight === undefined) errors[path('weight')] = 'enter a weight';
  else if (Number.isNaN(weight)) errors[path('weight')] = 'must be a number';
  const mapping: FieldMapping = { source: m.source, target: m.target, strategy: m.strategy, weight: weight ?? 0 };
  for (const p of mappingParams(m)) {
    switch (p) {
      case 'normalizer':
        if (m.normalizer !== '') mapping.normalizer = m.normalizer;
        break;
      case 'measure':
        if (m.measure !== '') mapping.measure = m.measure;
        break;
      case 'date_order':
        if (m.date_order !== '') mapping.date_order = m.date_order;
        break;
      case 'term_frequency':
        if (m.term_frequency !== undefined) mapping.term_frequency = m.term_frequency;
        break;
      case 'tax_rates':
      case 'partial_shares': {
        const r = p === 'tax_rates' ? parseTaxRates(m.tax_rates) : parsePartialShares(m.partial_shares);
        if (r.error !== undefined) errors[path(p)] = r.error;
        else if (r.values !== undefined) mapping[p] = r.values;
        break;
      }
      default: {
        const v = parseNumber(numberText(m, p));
        if (v === undefined) break;
        if (Number.isNaN(v)) errors[path(p)] = 'must be a number';
        else if (INTEGER_PARAMS.includes(p) && !Number.isInteger(v)) errors[path(p)] = 'must be a whole number of days';
        else mapping[p] = v;
      }
    }
  }
  if (m.strategy === 'date_range' && m.date_window && m.days_before.trim() === '' && m.days_after.trim() === '' && !errors[path('days_before')]) {
    errors[path('days_before')] = 'enter the days before and/or after the reference date, or choose ± days';
  }
  if (m.rationale !== undefined) mapping.rationale = m.rationale;
  return mapping;
}

/**
 * Builds the ConfigInput to send. Checks what cannot be sent as typed (text where a number belongs,
 * a list item that is not a number or out of range); every other rule about values is the
 * backend's, whose errors name the same field paths.
 */
export function draftToInput(d: ConfigDraft): { input: ConfigInput | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const mappings = d.mappings.map((m, i) => mappingInput(m, i, errors));
  Object.assign(errors, thresholdErrors(d));
  const { schedule, error: scheduleError } = draftSchedule(d);
  if (scheduleError !== undefined) errors['schedule'] = scheduleError;
  const threshold = parseNumber(d.threshold);
  const reviewFloor = parseNumber(d.review_floor);
  if (Object.keys(errors).length > 0) return { input: null, errors };
  const input: ConfigInput = {
    name: d.name.trim(),
    reference_data_id: d.reference_data_id,
    document_set_id: d.document_set_id === '' ? null : d.document_set_id,
    field_mappings: mappings,
    threshold: threshold ?? null,
    review_floor: reviewFloor ?? null,
  };
  if (d.one_to_one !== undefined) input.one_to_one = d.one_to_one;
  if (schedule !== undefined) input.schedule = schedule;
  return { input, errors };
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

/**
 * Scales the weights so they add up to 1, in hundredths: people read and retype them, and 0.33
 * reads better than 0.3333. The hundredths add up to exactly 100: each weight is rounded down and
 * the hundredths left over go to the largest remainders (earlier rows first on ties). A weight
 * that is empty, unparsable or not positive (e.g. a row just added) first takes the mean of the
 * positive ones, so every mapping keeps a share; when none is positive, all become equal. No
 * weight ends at 0 (the backend refuses it) while there are at most 100 mappings.
 */
export function normaliseWeights(weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  const positive = weights.filter((w) => Number.isFinite(w) && w > 0);
  const fill = positive.length > 0 ? positive.reduce((a, b) => a + b, 0) / positive.length : 1;
  const filled = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : fill));
  const total = filled.reduce((a, b) => a + b, 0);
  const exact = filled.map((w) => (w / total) * 100);
  // The epsilon keeps 24.999999… (float noise for 25) from being rounded down.
  const hundredths = exact.map((x) => Math.floor(x + 1e-9));
  let left = 100 - hundredths.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - (hundredths[i] ?? 0) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && k < byRemainder.length; k++, left--) {
    const i = byRemainder[k % byRemainder.length]?.i ?? 0;
    hundredths[i] = (hundredths[i] ?? 0) + 1;
  }
  if (n <= 100) {
    for (let i = 0; i < n; i++) {
      if (hundredths[i] !== 0) continue;
      let largest = 0;
      for (let j = 1; j < n; j++) if ((hundredths[j] ?? 0) > (hundredths[largest] ?? 0)) largest = j;
      hundredths[largest] = (hundredths[largest] ?? 0) - 1;
      hundredths[i] = 1;
    }
  }
  return hundredths.map((h) => h / 100);
}

export function normaliseDraftWeights(mappings: readonly MappingDraft[]): MappingDraft[] {
  const weights = mappings.map((m) => parseNumber(m.weight) ?? NaN);
  const normalised = normaliseWeights(weights);
  return mappings.map((m, i) => ({ ...m, weight: String(normalised[i] ?? 0) }));
}

/**
 * What is wrong with the typed threshold and review floor, checked as they are typed or dragged
 * so the form shows it before a save: each a number from 0 to 1, the floor not above the
 * threshold (empty means the backend default).
 */
export function thresholdErrors(d: Pick<ConfigDraft, 'threshold' | 'review_floor'>): FieldErrors {
  const errors: FieldErrors = {};
  const check = (field: 'threshold' | 'review_floor', text: string): number | undefined => {
    const v = parseNumber(text);
    if (v === undefined) return undefined;
    if (Number.isNaN(v)) errors[field] = 'must be a number';
    else if (v < 0 || v > 1) errors[field] = 'must be between 0 and 1 (0.85 is 85 %)';
    else return v;
    return undefined;
  };
  const threshold = check('threshold', d.threshold) ?? (d.threshold.trim() === '' ? DEFAULTS.threshold : undefined);
  const floor = check('review_floor', d.review_floor);
  if (threshold !== undefined && floor !== undefined && floor > threshold) {
    errors.review_floor = `must not be above the match threshold (${formatPercent(threshold)})`;
  }
  return errors;
}

/** How many values a sample hint shows. */
export const SAMPLE_COUNT = 3;
const SAMPLE_CHARS = 24;

/**
 * The first distinct non-empty values of `column` over the first rows of one or more datasets
 * (all documents may span several sets), and whether there are more.
 */
export function columnSamples(pages: readonly Pick<RowPage, 'columns' | 'rows'>[], column: string, max = SAMPLE_COUNT): { values: string[]; more: boolean } {
  const seen: string[] = [];
  let more = false;
  for (const page of pages) {
    const index = page.columns.indexOf(column);
    if (index < 0) continue;
    for (const row of page.rows) {
      const v = (row.values[index] ?? '').trim();
      if (v === '' || seen.includes(v)) continue;
      if (seen.length >= max) {
        more = true;
        break;
      }
      seen.push(v);
    }
  }
  return { values: seen, more };
}

/** A sample hint: "e.g. ACME Corp., Globex Ltd, …" (long values cut); "" when there is none. */
export function formatSamples({ values, more }: { values: readonly string[]; more: boolean }): string {
  if (values.length === 0) return '';
  const cut = values.map((v) => (v.length > SAMPLE_CHARS ? `${v.slice(0, SAMPLE_CHARS - 1).trimEnd()}…` : v));
  return `e.g. ${cut.join(', ')}${more ? ', …' : ''}`;
}

/** Column → sample hint for every column of the given pages that has a value. */
export function samplesByColumn(pages: readonly Pick<RowPage, 'columns' | 'rows'>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const page of pages) {
    for (const column of page.columns) {
      if (column in out) continue;
      const text = formatSamples(columnSamples(pages, column));
      if (text) out[column] = text;
    }
  }
  return out;
}
