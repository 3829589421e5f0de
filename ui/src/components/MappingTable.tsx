// The field-mapping rows of a config: source → target with sample values, strategy with its parameters, weight, a per-row disclosure of further settings; add/remove/normalise.
import { useState, type ReactNode } from 'react';

import type { Strategy } from '../bindings/Strategy';
import {
  CHOICE_DEFAULT,
  DATE_ORDER_LABEL,
  DEFAULTS,
  GRACE_HINT,
  MEASURE_LABEL,
  NORMALIZER_LABEL,
  PARAM_HINT,
  PARAM_LABEL,
  STRATEGIES,
  describeWindow,
  emptyMapping,
  normaliseDraftWeights,
  paramLabel,
  weightSum,
  weightsSumToOne,
  type ChoiceParam,
  type FieldErrors,
  type MappingDraft,
  type NumberParam,
  type ParamName,
} from '../configForm';
import { STRATEGY_LABEL, formatWeight } from '../format';
import { FieldError, fieldInputId } from './FieldError';

interface Props {
  mappings: MappingDraft[];
  onChange: (mappings: MappingDraft[]) => void;
  sourceColumns: string[];
  targetColumns: string[];
  /** Column → "e.g. …" hint from the first rows of the chosen document set(s). */
  sourceSamples?: Record<string, string>;
  /** Column → "e.g. …" hint from the first rows of the chosen reference data. */
  targetSamples?: Record<string, string>;
  errors: FieldErrors;
}

const NO_SAMPLES: Record<string, string> = {};

function ColumnSelect({
  id,
  label,
  value,
  options,
  placeholder,
  samples,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: string[];
  placeholder: string;
  samples: Record<string, string>;
  error?: string;
  onChange: (v: string) => void;
}) {
  const known = value === '' || options.includes(value);
  const sample = value === '' ? '' : (samples[value] ?? '');
  const sampleId = `${id}-sample`;
  const describedBy = [error ? `${id}-error` : '', sample ? sampleId : ''].filter(Boolean).join(' ');
  return (
    <div className="column-pick">
      <select
        id={id}
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      >
        <option value="">{placeholder}</option>
        {!known && <option value={value}>{value} (not in the data)</option>}
        {options.map((c) => (
          // The tooltip shows a column's values before it is chosen.
          <option key={c} value={c} title={samples[c]}>
            {c}
          </option>
        ))}
      </select>
      {sample && (
        <p className="column-sample" id={sampleId} title={sample}>
          {sample}
        </p>
      )}
    </div>
  );
}

export function MappingTable({ mappings, onChange, sourceColumns, targetColumns, sourceSamples = NO_SAMPLES, targetSamples = NO_SAMPLES, errors }: Props) {
  const update = (index: number, patch: Partial<MappingDraft>) => {
    onChange(mappings.map((m, i) => (i === index ? { ...m, ...patch } : m)));
  };
  const remove = (index: number) => onChange(mappings.filter((_, i) => i !== index));
  const add = () => onChange([...mappings, emptyMapping()]);

  const { sum, complete } = weightSum(mappings);
  const sumOk = weightsSumToOne(mappings);
  const tableError = errors['field_mappings'];

  return (
    <fieldset className="mappings">
      <legend>Field mappings</legend>
      <table className="table mapping-table">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Document field</th>
            <th scope="col" aria-hidden="true" />
            <th scope="col">Reference column</th>
            <th scope="col">Strategy</th>
            <th scope="col">Parameters</th>
            <th scope="col">Weight</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {mappings.map((m, i) => (
            <MappingRowView
              key={m.key}
              index={i}
              mapping={m}
              sourceColumns={sourceColumns}
              targetColumns={targetColumns}
              sourceSamples={sourceSamples}
              targetSamples={targetSamples}
              errors={errors}
              onUpdate={(patch) => update(i, patch)}
              onRemove={mappings.length > 1 ? () => remove(i) : undefined}
            />
          ))}
        </tbody>
      </table>
      <div className="mapping-actions">
        <button type="button" onClick={add}>
          + Add mapping
        </button>
        <button
          id="normalise-weights"
          type="button"
          onClick={() => onChange(normaliseDraftWeights(mappings))}
          disabled={mappings.length === 0}
          title="Scale the weights so they add up to 1, keeping their proportions"
        >
          Normalise weights
        </button>
        <span className={`weight-sum ${sumOk ? 'ok' : 'bad'}`} id="weight-sum" aria-live="polite">
          Weights add up to {formatWeight(sum)}
          {!complete && ' (some are empty)'}
          {sumOk ? ' ✓' : ' — they must add up to 1'}
        </span>
      </div>
      <FieldError id={`${fieldInputId('field_mappings')}-error`} message={tableError} />
    </fieldset>
  );
}

interface RowProps {
  index: number;
  mapping: MappingDraft;
  sourceColumns: string[];
  targetColumns: string[];
  sourceSamples: Record<string, string>;
  targetSamples: Record<string, string>;
  errors: FieldErrors;
  onUpdate: (patch: Partial<MappingDraft>) => void;
  onRemove: (() => void) | undefined;
}

/**
 * Which parameters a row shows in the row itself and which under "More settings", by strategy
 * (and, for dates, the kind of window). mismatch_weight is always a further setting.
 */
export function paramLayout(m: Pick<MappingDraft, 'strategy' | 'date_window'>): { primary: ParamName[]; advanced: ParamName[] } {
  switch (m.strategy) {
    case 'exact':
      return { primary: ['normalizer'], advanced: ['mismatch_weight'] };
    case 'fuzzy':
      return { primary: ['normalizer', 'similarity_threshold'], advanced: ['measure', 'term_frequency', 'mismatch_weight'] };
    case 'date_range':
      return m.date_window
        ? { primary: ['days_before', 'days_after'], advanced: ['tolerance_days', 'date_order', 'mismatch_weight'] }
        : { primary: ['tolerance_days'], advanced: ['date_order', 'mismatch_weight'] };
    case 'numeric_range':
      return { primary: ['tolerance_percent', 'tolerance_absolute', 'tax_rates'], advanced: ['partial_shares', 'partial_score', 'mismatch_weight'] };
  }
}

/** Whether a parameter differs from its default in the draft (something typed or chosen). */
function isSet(m: MappingDraft, p: ParamName): boolean {
  if (p === 'term_frequency') return m.term_frequency !== undefined;
  if (p === 'tolerance_days') return (m.date_window ? m.grace_days : m.tolerance_days).trim() !== '';
  return m[p].trim() !== '';
}

const CHOICE_LABELS: { [P in ChoiceParam]: Record<string, string> } = {
  normalizer: NORMALIZER_LABEL,
  measure: MEASURE_LABEL,
  date_order: DATE_ORDER_LABEL,
};

/** How an error of a mapping field is introduced: "document field: …", "Total may include VAT at (%): …". */
function errorLabel(name: string, m: MappingDraft): string {
  if (name === 'source') return 'document field';
  if (name === 'target') return 'reference column';
  if (name in PARAM_LABEL) return paramLabel(name as ParamName, m);
  return name.replace(/_/g, ' ');
}

const LIST_PLACEHOLDER = { tax_rates: 'e.g. 19, 20, 21', partial_shares: 'e.g. 0.25, 0.5, 0.75' } as const;

function MappingRowView({ index, mapping: m, sourceColumns, targetColumns, sourceSamples, targetSamples, errors, onUpdate, onRemove }: RowProps) {
  const [expanded, setExpanded] = useState(false);
  const n = index + 1;
  const rowPath = `field_mappings[${index}]`;
  const path = (name: string) => `${rowPath}.${name}`;
  const idOf = (name: string) => fieldInputId(path(name));
  const invalid = (name: string) => (errors[path(name)] ? true : undefined);
  const windowText = m.strategy === 'date_range' && m.date_window ? describeWindow(m.days_before, m.days_after) : '';
  const windowHintId = `${fieldInputId(rowPath)}-window`;
  const describedBy = (name: string) =>
    errors[path(name)] ? `${idOf(name)}-error` : windowText && (name === 'days_before' || name === 'days_after') ? windowHintId : undefined;
  const { primary, advanced } = paramLayout(m);

  const rowError = errors[rowPath];
  // Under the row: errors of its own inputs, and of any other field of this mapping the form does
  // not show (so none is lost); the further settings show theirs next to the input.
  const shownInRow = ['source', 'target', 'strategy', 'weight', ...primary];
  const order = (name: string) => (shownInRow.includes(name) ? shownInRow.indexOf(name) : shownInRow.length);
  const cellErrors = Object.keys(errors)
    .filter((k) => k.startsWith(`${rowPath}.`))
    .map((k) => k.slice(rowPath.length + 1))
    .filter((name) => !(advanced as string[]).includes(name))
    .sort((a, b) => order(a) - order(b))
    .map((name) => ({ path: path(name), label: errorLabel(name, m), message: errors[path(name)] ?? '' }));
  const advancedError = advanced.some((p) => errors[path(p)]);
  const open = expanded || advancedError;
  const setCount = advanced.filter((p) => isSet(m, p)).length;
  const advancedId = `${fieldInputId(rowPath)}-more`;

  const renderParam = (p: ParamName, inline: boolean) => {
    const label = paramLabel(p, m);
    const hint = p === 'tolerance_days' && m.date_window ? GRACE_HINT : PARAM_HINT[p];
    const id = idOf(p);
    let control: ReactNode;
    if (p === 'term_frequency') {
      return (
        <div key={p} className="param param-check" title={hint}>
          <label htmlFor={id} className="small">
            <input
              id={id}
              type="checkbox"
              checked={m.term_frequency === true}
              onChange={(e) => onUpdate({ term_frequency: e.target.checked ? true : undefined })}
              aria-invalid={invalid(p)}
              aria-describedby={describedBy(p)}
            />{' '}
            {label}
          </label>
          {inline && <FieldError id={`${id}-error`} message={errors[path(p)]} />}
        </div>
      );
    } else if (p === 'normalizer' || p === 'measure' || p === 'date_order') {
      const labels = CHOICE_LABELS[p];
      const value = m[p];
      const fallback = CHOICE_DEFAULT[p];
      control = (
        <select
          id={id}
          className="param-select"
          title={value === '' ? `${labels[fallback]} (default)` : labels[value]}
          value={value}
          onChange={(e) => onUpdate({ [p]: e.target.value } as Partial<MappingDraft>)}
          aria-invalid={invalid(p)}
          aria-describedby={describedBy(p)}
        >
          <option value="">{labels[fallback]} (default)</option>
          {Object.entries(labels)
            .filter(([v]) => v !== fallback || value === fallback)
            .map(([v, text]) => (
              <option key={v} value={v}>
                {text}
              </option>
            ))}
        </select>
      );
    } else if (p === 'tax_rates' || p === 'partial_shares') {
      control = (
        <input
          id={id}
          type="text"
          inputMode="decimal"
          className="list-input"
          placeholder={LIST_PLACEHOLDER[p]}
          value={m[p]}
          onChange={(e) => onUpdate({ [p]: e.target.value } as Partial<MappingDraft>)}
          aria-invalid={invalid(p)}
          aria-describedby={describedBy(p)}
        />
      );
    } else {
      const np: NumberParam = p;
      const grace = np === 'tolerance_days' && m.date_window;
      const whole = np === 'tolerance_days' || np === 'days_before' || np === 'days_after';
      const fraction = np === 'similarity_threshold' || np === 'partial_score';
      // Empty means the default, shown greyed: for the mismatch weight, the weight itself.
      const placeholder = np === 'mismatch_weight' ? m.weight.trim() : String(grace ? DEFAULTS.grace_days : DEFAULTS[np]);
      control = (
        <input
          id={id}
          type="number"
          className="narrow"
          step={whole ? 1 : fraction ? 0.01 : 'any'}
          min={0}
          max={fraction ? 1 : undefined}
          placeholder={placeholder}
          value={grace ? m.grace_days : m[np]}
          onChange={(e) => onUpdate((grace ? { grace_days: e.target.value } : { [np]: e.target.value }) as Partial<MappingDraft>)}
          aria-invalid={invalid(p)}
          aria-describedby={describedBy(p)}
        />
      );
    }
    return (
      <div key={p} className="param" title={hint}>
        <label htmlFor={id} className="small muted">
          {label}
        </label>
        {control}
        {p === 'mismatch_weight' && !errors[path(p)] && <p className="hint param-hint">empty = same as the weight</p>}
        {inline && <FieldError id={`${id}-error`} message={errors[path(p)]} />}
      </div>
    );
  };

  const hasErrorRow = Boolean(rowError) || cellErrors.length > 0;

  return (
    <>
      <tr className={hasErrorRow ? 'has-error' : open ? 'has-more' : undefined} id={fieldInputId(rowPath)}>
        <td className="num muted">{n}</td>
        <td>
          <ColumnSelect
            id={idOf('source')}
            label={`Mapping ${n}: document field`}
            value={m.source}
            options={sourceColumns}
            placeholder="Choose field…"
            samples={sourceSamples}
            error={errors[path('source')]}
            onChange={(source) => onUpdate({ source })}
          />
        </td>
        <td aria-hidden="true" className="arrow">
          →
        </td>
        <td>
          <ColumnSelect
            id={idOf('target')}
            label={`Mapping ${n}: reference column`}
            value={m.target}
            options={targetColumns}
            placeholder="Choose column…"
            samples={targetSamples}
            error={errors[path('target')]}
            onChange={(target) => onUpdate({ target })}
          />
        </td>
        <td>
          <select
            id={idOf('strategy')}
            className="strategy-select"
            aria-label={`Mapping ${n}: strategy`}
            value={m.strategy}
            onChange={(e) => onUpdate({ strategy: e.target.value as Strategy })}
            aria-invalid={invalid('strategy')}
          >
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {STRATEGY_LABEL[s]}
              </option>
            ))}
          </select>
        </td>
        <td>
          <div className="params">
            {m.strategy === 'date_range' && (
              <div className="param">
                <label htmlFor={idOf('date_window')} className="small muted">
                  Dates match
                </label>
                <select
                  id={idOf('date_window')}
                  className="param-select"
                  value={m.date_window ? 'window' : 'around'}
                  onChange={(e) => onUpdate({ date_window: e.target.value === 'window' })}
                >
                  <option value="around">within ± days</option>
                  <option value="window">in a window</option>
                </select>
              </div>
            )}
            {primary.map((p) => renderParam(p, false))}
          </div>
          {windowText && (
            <p className="hint window-text" id={windowHintId}>
              {windowText[0]?.toUpperCase()}
              {windowText.slice(1)}
            </p>
          )}
          <button
            type="button"
            className="link small more-toggle"
            aria-expanded={open}
            aria-controls={advancedId}
            onClick={() => setExpanded(!open)}
            disabled={advancedError}
          >
            {open ? '▾ Fewer settings' : '▸ More settings'}
            {setCount > 0 && ` (${setCount} set)`}
          </button>
        </td>
        <td>
          <input
            id={idOf('weight')}
            type="number"
            className="narrow"
            step="any"
            min={0}
            max={1}
            placeholder="e.g. 0.25"
            aria-label={`Mapping ${n}: weight`}
            value={m.weight}
            onChange={(e) => onUpdate({ weight: e.target.value })}
            aria-invalid={invalid('weight')}
            aria-describedby={describedBy('weight')}
          />
        </td>
        <td>
          {onRemove && (
            <button type="button" className="icon small" onClick={onRemove} aria-label={`Remove mapping ${n}`} title="Remove this mapping">
              ✕
            </button>
          )}
        </td>
      </tr>
      {hasErrorRow && (
        <tr className={`error-row ${open ? 'has-more' : ''}`}>
          <td />
          <td colSpan={7}>
            <FieldError id={`${fieldInputId(rowPath)}-error`} message={rowError} />
            {cellErrors.map((e) => (
              <FieldError key={e.path} id={`${fieldInputId(e.path)}-error`} message={`${e.label}: ${e.message}`} />
            ))}
          </td>
        </tr>
      )}
      <tr className="more-row" id={advancedId} hidden={!open}>
        <td />
        <td colSpan={5}>
          <div className="params more-params">{advanced.filter((p) => p !== 'mismatch_weight').map((p) => renderParam(p, true))}</div>
        </td>
        <td colSpan={2}>{renderParam('mismatch_weight', true)}</td>
      </tr>
    </>
  );
}
