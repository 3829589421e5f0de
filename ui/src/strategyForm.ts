// The Strategies screen's edits as pure functions: a draft of a strategy's weights and band, what is wrong with it, the patch that saves it and the config input that tries it.
import type { ConfigInput } from './bindings/ConfigInput';
import type { MatchingStrategy } from './bindings/MatchingStrategy';
import type { StrategyPatch } from './bindings/StrategyPatch';
import type { StrategyPlan } from './bindings/StrategyPlan';
import { normaliseWeights, parseNumber, WEIGHT_SUM_TOLERANCE } from './configForm';
import { formatWeight } from './format';

/** What the screen lets a user change of a plan, as typed. */
export interface StrategyDraft {
  weights: string[];
  threshold: string;
  reviewFloor: string;
}

export function draftOfPlan(plan: StrategyPlan): StrategyDraft {
  return {
    weights: plan.field_mappings.map((m) => String(m.weight)),
    threshold: String(plan.threshold),
    reviewFloor: String(plan.thresholds.review_floor),
  };
}

/** Keys: `weight-<i>`, `weights` (their sum), `threshold`, `review_floor`. */
export type DraftErrors = Record<string, string>;

/** What is wrong with a draft before it is sent: the rules the backend checks, said next to the field. */
export function draftErrors(d: StrategyDraft): DraftErrors {
  const errors: DraftErrors = {};
  let sum = 0;
  let complete = true;
  d.weights.forEach((text, i) => {
    const w = parseNumber(text);
    if (w === undefined || Number.isNaN(w)) {
      errors[`weight-${i}`] = 'Enter a number.';
      complete = false;
    } else if (w <= 0) {
      errors[`weight-${i}`] = 'Must be above 0.';
      complete = false;
    } else sum += w;
  });
  if (complete && d.weights.length > 0 && Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE)
    errors['weights'] = `The weights add up to ${formatWeight(sum)}; they must add up to 1 (Normalise does it).`;
  const t = parseNumber(d.threshold);
  const f = parseNumber(d.reviewFloor);
  const unit = (x: number | undefined) => x !== undefined && !Number.isNaN(x) && x >= 0 && x <= 1;
  if (!unit(t)) errors['threshold'] = 'A number from 0 to 1.';
  if (!unit(f)) errors['review_floor'] = 'A number from 0 to 1.';
  else if (unit(t) && (f as number) > (t as number)) errors['review_floor'] = 'Must not be above the threshold.';
  return errors;
}

/** The draft's weights scaled to add up to 1 (in hundredths, as the config form does). */
export function normaliseDraft(d: StrategyDraft): StrategyDraft {
  const weights = normaliseWeights(d.weights.map((w) => parseNumber(w) ?? NaN));
  return { ...d, weights: weights.map(String) };
}

function sameNumber(text: string, value: number): boolean {
  const n = parseNumber(text);
  return n !== undefined && !Number.isNaN(n) && Math.abs(n - value) < 1e-12;
}

/** Whether the draft says something else than the plan. */
export function isDirty(d: StrategyDraft, plan: StrategyPlan): boolean {
  return (
    !sameNumber(d.threshold, plan.threshold) ||
    !sameNumber(d.reviewFloor, plan.thresholds.review_floor) ||
    d.weights.some((w, i) => !sameNumber(w, plan.field_mappings[i]?.weight ?? NaN))
  );
}

/**
 * The deep-merge patch that saves a valid draft: arrays replace, so changed weights send every
 * mapping (with its rationale and parameters kept); the threshold and floor only when changed.
 * Null when the draft has errors.
 */
export function patchOf(plan: StrategyPlan, d: StrategyDraft): StrategyPatch | null {
  if (Object.keys(draftErrors(d)).length > 0) return null;
  const strategy: Record<string, unknown> = {};
  if (d.weights.some((w, i) => !sameNumber(w, plan.field_mappings[i]?.weight ?? NaN)))
    strategy['field_mappings'] = plan.field_mappings.map((m, i) => ({ ...m, weight: parseNumber(d.weights[i] ?? '') ?? m.weight }));
  if (!sameNumber(d.threshold, plan.threshold)) strategy['threshold'] = parseNumber(d.threshold);
  if (!sameNumber(d.reviewFloor, plan.thresholds.review_floor)) strategy['thresholds'] = { review_floor: parseNumber(d.reviewFloor) };
  return { strategy };
}

/**
 * The config a trial of the strategy as drafted would use: its mappings with the drafted weights,
 * threshold and floor, on the data it was learned from. Null when the draft has errors.
 */
export function previewInputOf(s: MatchingStrategy, d: StrategyDraft, name: string): ConfigInput | null {
  if (Object.keys(draftErrors(d)).length > 0) return null;
  const plan = s.strategy;
  const input: ConfigInput = {
    name: name.trim() || 'Strategy trial',
    reference_data_id: s.reference_data_id,
    document_set_id: s.document_set_id,
    // The rationale explains a mapping; a config does not keep it.
    field_mappings: plan.field_mappings.map(({ rationale: _r, ...m }, i) => ({ ...m, weight: parseNumber(d.weights[i] ?? '') ?? m.weight })),
    threshold: parseNumber(d.threshold) ?? plan.threshold,
    review_floor: parseNumber(d.reviewFloor) ?? plan.thresholds.review_floor,
    one_to_one: plan.one_to_one,
  };
  if (plan.blocking_keys.length > 0) {
    input.blocking_keys = plan.blocking_keys;
    input.blocking_strategy = plan.blocking_strategy;
  }
  return input;
}

/** The profile's role of a column in words: "company_name" → "company name". */
export function roleLabel(role: string): string {
  return role.replace(/_/g, ' ');
}
