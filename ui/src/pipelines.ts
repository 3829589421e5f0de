// Entity-matching pipelines in the UI's terms: the form that makes a pipeline (datasets, field pairs, feature type, threshold), a run's matches filtered and sorted, what the pipeline already decided about a match or a rule, and a rule in words.
import type { PipelineUpdate } from './api';
import type { Dataset } from './bindings/Dataset';
import type { EmRule } from './bindings/EmRule';
import type { GeneratedRule } from './bindings/GeneratedRule';
import type { MatchType } from './bindings/MatchType';
import type { Pipeline } from './bindings/Pipeline';
import type { PipelineMatch } from './bindings/PipelineMatch';
import type { PipelineSpec } from './bindings/PipelineSpec';
import type { TrueMatch } from './bindings/TrueMatch';

/** The feature types of spec B.5, the one that splits tags into letters and digits first. */
export const FEATURE_TYPES = ['bigramextratokenizers', 'simple', 'insensitive', 'bigram', 'frequencyweightedbigram', 'bigramcombo'] as const;

export const MATCH_TYPES: MatchType[] = ['previously-confirmed', 'rule', 'model'];

export const MATCH_TYPE_LABEL: Record<MatchType, string> = {
  'previously-confirmed': 'Confirmed',
  rule: 'Rule',
  model: 'Model',
};

export interface FieldPair {
  source: string;
  target: string;
}

export interface PipelineForm {
  name: string;
  sourceId: string;
  targetId: string;
  fields: FieldPair[];
  featureType: string;
  threshold: string;
  generateRules: boolean;
}

/** The pair a new field row starts with: the same column on both sides if there is one, else each side's first. */
export function defaultFieldPair(source: Dataset | undefined, target: Dataset | undefined, taken: FieldPair[] = []): FieldPair {
  const sourceCols = columnsOf(source);
  const targetCols = columnsOf(target);
  const free = sourceCols.filter((c) => !taken.some((f) => f.source === c));
  const shared = free.find((c) => targetCols.includes(c) && c !== 'id');
  if (shared) return { source: shared, target: shared };
  return { source: free[0] ?? sourceCols[0] ?? 'name', target: targetCols[0] ?? 'name' };
}

/** A dataset's columns as a pipeline reads them (each row an object of its columns). */
export function columnsOf(d: Dataset | undefined): string[] {
  return d ? d.columns.map((c) => c.name) : [];
}

/** A new pipeline: documents matched to reference data, name with name, rules generated. */
export function emptyPipelineForm(datasets: Dataset[]): PipelineForm {
  const source = datasets.find((d) => d.kind === 'documents') ?? datasets[0];
  const target = datasets.find((d) => d.kind === 'reference' && d.id !== source?.id) ?? datasets.find((d) => d.id !== source?.id);
  return {
    name: source && target ? `${source.name} to ${target.name}` : '',
    sourceId: source?.id ?? '',
    targetId: target?.id ?? '',
    fields: [defaultFieldPair(source, target)],
    featureType: FEATURE_TYPES[0],
    threshold: '0.5',
    generateRules: true,
  };
}

/** The dataset a selection names (by id or by name, as the service reads it); '' for none. */
function datasetIdOf(refs: PipelineSpec['sources']['dataSetIds'], datasets: Dataset[]): string {
  const first = refs[0];
  if (!first || !('externalId' in first)) return '';
  return datasets.find((d) => d.id === first.externalId || d.name === first.externalId)?.id ?? first.externalId;
}

/** The form showing a stored pipeline. */
export function formOfPipeline(p: Pipeline, datasets: Dataset[]): PipelineForm {
  const fields = p.modelParameters.matchFields ?? [];
  return {
    name: p.name ?? '',
    sourceId: datasetIdOf(p.sources.dataSetIds, datasets),
    targetId: datasetIdOf(p.targets.dataSetIds, datasets),
    fields: fields.length > 0 ? fields.map((f) => ({ ...f })) : [{ source: 'name', target: 'name' }],
    featureType: p.modelParameters.featureType ?? 'simple',
    threshold: String(p.scoreThreshold),
    generateRules: p.generateRules,
  };
}

/** The parts of a pipeline the form sets. The threshold is sent as typed (not a number: null), so the service names it. */
function formParts(f: PipelineForm) {
  const threshold = f.threshold.trim() === '' ? NaN : Number(f.threshold);
  return {
    name: f.name.trim() || null,
    sources: { resource: 'documents', dataSetIds: f.sourceId ? [{ externalId: f.sourceId }] : [] },
    targets: { resource: 'reference', dataSetIds: f.targetId ? [{ externalId: f.targetId }] : [] },
    modelParameters: { featureType: f.featureType, matchFields: f.fields.map((x) => ({ ...x })), classifier: null, ignoreMissingFields: null },
    scoreThreshold: threshold,
    generateRules: f.generateRules,
  };
}

/** The body that creates the pipeline the form describes. */
export function specOf(f: PipelineForm): PipelineSpec {
  return {
    externalId: null,
    description: null,
    trueMatches: [],
    confirmedMatches: [],
    rejectedMatches: [],
    useExistingMatches: false,
    replacements: [],
    rules: [],
    rejectedRules: [],
    scheduleInterval: null,
    ...formParts(f),
  };
}

/** The update that sets what the form shows on a stored pipeline (its rules and decisions stay). */
export function updateOf(f: PipelineForm): PipelineUpdate {
  const parts = formParts(f);
  return {
    name: { set: parts.name },
    sources: { set: parts.sources },
    targets: { set: parts.targets },
    modelParameters: { set: parts.modelParameters },
    scoreThreshold: { set: parts.scoreThreshold },
    generateRules: { set: parts.generateRules },
  };
}

/** The form element under which a refusal of `field` (the service's key path) is shown. */
export function pipelineFieldId(field: string): string | null {
  if (field === 'name') return 'pl-name';
  if (field.startsWith('sources')) return 'pl-source';
  if (field.startsWith('targets')) return 'pl-target';
  if (field === 'scoreThreshold') return 'pl-threshold';
  if (field === 'modelParameters.featureType') return 'pl-feature-type';
  if (field.startsWith('modelParameters')) return 'pl-fields';
  return null;
}

/** An entity's external id, as matches and decisions name it. */
export function externalIdOf(entity: Record<string, unknown>): string {
  const v = entity.externalId ?? entity.id;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** What a person reads for an entity: its value of `field`, else its external id. */
export function entityLabel(entity: Record<string, unknown>, field: string | undefined): string {
  const v = field ? entity[field] : undefined;
  return typeof v === 'string' && v !== '' ? v : externalIdOf(entity);
}

export type MatchSort = 'score-desc' | 'score-asc' | 'source';

export interface MatchFilter {
  type: MatchType | '';
  /** A number from 0 to 1 as typed; '' (or not a number) for no floor. */
  minScore: string;
  sort: MatchSort;
}

export const NO_MATCH_FILTER: MatchFilter = { type: '', minScore: '', sort: 'score-desc' };

/** The matches of one type (or all) at or above the floor, sorted; ties keep the run's order. */
export function filterMatches(matches: PipelineMatch[], f: MatchFilter, sourceField?: string): PipelineMatch[] {
  const floor = f.minScore.trim() === '' ? NaN : Number(f.minScore);
  const kept = matches.filter((m) => (f.type === '' || m.matchType === f.type) && (Number.isNaN(floor) || m.score >= floor));
  const label = (m: PipelineMatch) => entityLabel(m.source, sourceField);
  const order: Record<MatchSort, (a: PipelineMatch, b: PipelineMatch) => number> = {
    'score-desc': (a, b) => b.score - a.score,
    'score-asc': (a, b) => a.score - b.score,
    source: (a, b) => label(a).localeCompare(label(b)),
  };
  return kept.slice().sort(order[f.sort]);
}

export function countByType(matches: PipelineMatch[]): Record<MatchType, number> {
  const counts: Record<MatchType, number> = { 'previously-confirmed': 0, rule: 0, model: 0 };
  for (const m of matches) counts[m.matchType] += 1;
  return counts;
}

/** Whether a decision names the entity with external id `external` (by external id, or by id when whole). */
function names(id: number | undefined, externalId: string | undefined, external: string): boolean {
  return externalId === external || (id !== undefined && String(id) === external);
}

function hasPair(list: TrueMatch[], source: string, target: string): boolean {
  return list.some((m) => names(m.sourceId, m.sourceExternalId, source) && names(m.targetId, m.targetExternalId, target));
}

export type MatchDecision = 'confirmed' | 'rejected';

/** What the pipeline says of a pair already: confirmed, rejected, or nothing. */
export function matchDecision(p: Pipeline, source: string, target: string): MatchDecision | null {
  if (hasPair(p.confirmedMatches, source, target)) return 'confirmed';
  if (hasPair(p.rejectedMatches, source, target)) return 'rejected';
  return null;
}

/** A rule as a comparable key: its extractors, and its conditions in a fixed order (priority aside). */
function ruleKey(r: Pick<EmRule, 'extractors' | 'conditions'>): string {
  const conditions = r.conditions.map((c) => [c.conditionType, c.arguments.map((a) => a.join(':')).sort()]).sort();
  return JSON.stringify([r.extractors.map((e) => [e.entitySet, e.extractorType, e.field, e.pattern]), conditions]);
}

export type RuleDecision = 'accepted' | 'rejected';

/** Whether the pipeline took the rule already, or rejected it. */
export function ruleDecision(p: Pipeline, rule: GeneratedRule): RuleDecision | null {
  const key = ruleKey(rule);
  if (p.rules.some((r) => ruleKey(r) === key)) return 'accepted';
  if (p.rejectedRules.some((r) => ruleKey(r) === key)) return 'rejected';
  return null;
}

/** A rule in words: the pattern on each side with its field (`name ~ ^KKL_(\d+)…` → `name ~ (\d+)…`). */
export function ruleText(rule: Pick<EmRule, 'extractors'>): { source: string; target: string } {
  const side = (set: string) =>
    rule.extractors
      .filter((e) => e.entitySet === set)
      .map((e) => `${e.field} ~ ${e.pattern}`)
      .join(', ');
  return { source: side('sources'), target: side('targets') };
}
