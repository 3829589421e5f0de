// Smart runs and ai-resolve as pure functions: which strategies a config can smart-run with, when a run can be ai-resolved, and the waterfall of a decision's match weights.
import type { FieldEvidence } from './bindings/FieldEvidence';
import type { MatchingConfig } from './bindings/MatchingConfig';
import type { MatchingStrategy } from './bindings/MatchingStrategy';
import type { Run } from './bindings/Run';
import { formatDateTime } from './format';

/**
 * The strategies a smart run of `config` may use, newest first: the config's own, and those
 * learned from its reference data for no config in particular. The service refuses a strategy of
 * another config or of other reference data, so those are not offered.
 */
export function strategiesForConfig(strategies: readonly MatchingStrategy[], config: Pick<MatchingConfig, 'id' | 'reference_data_id'>): MatchingStrategy[] {
  return strategies
    .filter((s) => s.reference_data_id === config.reference_data_id && (s.matching_config_id === null || s.matching_config_id === config.id))
    .sort((a, b) => (a.matching_config_id === config.id ? 0 : 1) - (b.matching_config_id === config.id ? 0 : 1) || b.updated_at.localeCompare(a.updated_at));
}

/** A strategy as a list shows it: its name, else when it was learned; with its version. */
export function strategyLabel(s: Pick<MatchingStrategy, 'name' | 'created_at' | 'version'>): string {
  const name = s.name?.trim() ? s.name.trim() : `Strategy of ${formatDateTime(s.created_at)}`;
  return s.version > 1 ? `${name} (v${s.version})` : name;
}

/** Why ai-resolve can or cannot start on a run, for the button's state and tooltip. */
export function aiResolveState(run: Pick<Run, 'status'>): { disabled: boolean; title: string } {
  switch (run.status) {
    case 'completed':
      return { disabled: false, title: 'Suggest a decision for the pending results of the review band, learned from the data and from reviewers’ decisions' };
    case 'ai_resolving':
      return { disabled: true, title: 'AI resolve is working on this run.' };
    case 'queued':
    case 'running':
      return { disabled: true, title: 'AI resolve works on a run once it has completed.' };
    case 'failed':
    case 'cancelled':
      return { disabled: true, title: 'AI resolve works on completed runs only.' };
  }
}

/** log2 of the odds of a probability: 0.5 → 0, 0.8 → 2. Infinite at 0 and 1. */
export function log2Odds(p: number): number {
  return Math.log2(p / (1 - p));
}

/** The probability of log2 odds: 0 → 0.5, 2 → 0.8. */
export function probabilityOf(log2odds: number): number {
  return 1 / (1 + 2 ** -log2odds);
}

export interface WaterfallStep {
  kind: 'prior' | 'field';
  label: string;
  /** How far this step moves the log2 odds (0 for a field with a missing value). */
  bits: number;
  /** The log2 odds before and after the step. */
  from: number;
  to: number;
  missing: boolean;
  /** How much rarer than its column's average the shared value is, in bits, when the model weighed that. */
  rarity?: number;
}

export interface Waterfall {
  steps: WaterfallStep[];
  /** The log2 odds after every field. */
  total: number;
  /** The match probability they give (the result's confidence). */
  probability: number;
  /** The prior was read off the strategy's model rather than worked back from the confidence. */
  priorFromModel: boolean;
}

/**
 * The waterfall of a smart run's decision: the prior log2 odds, then each field's match weight, to
 * the final probability. The prior is worked back from the confidence (the model adds the weights
 * to it, so this is exact for the run's own model); a confidence of exactly 0 or 1 has infinite
 * odds, and then the strategy's prior is used when known. Null when the evidence has no match
 * weights (a standard run) or the prior cannot be known.
 */
/** How a weighed value's rarity reads beside its bar: "rare value" when at least a bit rarer than the column's average, "common value" when at least a bit commoner. */
export function rarityNote(rarity: number | undefined): string | null {
  if (rarity === undefined || !Number.isFinite(rarity) || Math.abs(rarity) < 1) return null;
  return rarity > 0 ? 'rare value' : 'common value';
}

export function waterfallOf(evidence: readonly FieldEvidence[] | null, confidence: number, modelPrior: number | null = null): Waterfall | null {
  if (!evidence || !evidence.some((f) => typeof f.match_weight === 'number')) return null;
  const weights = evidence.map((f) => (typeof f.match_weight === 'number' && !f.missing ? f.match_weight : 0));
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = confidence > 0 && confidence < 1 && Number.isFinite(log2Odds(confidence));
  const prior = exact ? log2Odds(confidence) - sum : modelPrior;
  if (prior === null || !Number.isFinite(prior)) return null;
  const steps: WaterfallStep[] = [{ kind: 'prior', label: 'Prior', bits: prior, from: 0, to: prior, missing: false }];
  let at = prior;
  evidence.forEach((f, i) => {
    const bits = weights[i] ?? 0;
    const missing = f.missing || typeof f.match_weight !== 'number';
    const rarity = !missing && typeof f.rarity === 'number' ? { rarity: f.rarity } : {};
    steps.push({ kind: 'field', label: `${f.source} → ${f.target}`, bits, from: at, to: at + bits, missing, ...rarity });
    at += bits;
  });
  return { steps, total: at, probability: exact ? confidence : probabilityOf(at), priorFromModel: !exact };
}
