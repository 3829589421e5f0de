// The field-mapping rows of a config: source → target, strategy with its parameters, weight; add/remove/normalise.
import type { Strategy } from '../bindings/Strategy';
import {
  DEFAULTS,
  PARAM_LABEL,
  STRATEGIES,
  STRATEGY_PARAMS,
  emptyMapping,
  normaliseDraftWeights,
  weightSum,
  weightsSumToOne,
  type FieldErrors,
  type MappingDraft,
  type ParamName,
} from '../configForm';
import { STRATEGY_LABEL, formatWeight } from '../format';
import { FieldError, fieldInputId } from './FieldError';

interface Props {
  mappings: MappingDraft[];
  onChange: (mappings: MappingDraft[]) => void;
  sourceColumns: string[];
  targetColumns: string[];
  errors: FieldErrors;
}

function ColumnSelect({
  id,
  label,
  value,
  options,
  placeholder,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: string[];
  placeholder: string;
  error?: string;
  onChange: (v: string) => void;
}) {
  const known = value === '' || options.includes(value);
  return (
    <select
      id={id}
      aria-label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <option value="">{placeholder}</option>
      {!known && <option value={value}>{value} (not in the data)</option>}
      {options.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </select>
  );
}

export function MappingTable({ mappings, onChange, sourceColumns, targetColumns, errors }: Props) {
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
          {mappings.map((m, i) => {
            const path = (name: string) => `field_mappings[${i}].${name}`;
            const rowError = errors[`field_mappings[${i}]`];
            const cellErrors = ['source', 'target', 'strategy', 'weight', ...STRATEGY_PARAMS[m.strategy]]
              .map((n) => ({ path: path(n), message: errors[path(n)] }))
              .filter((e): e is { path: string; message: string } => Boolean(e.message));
            return (
              <MappingRowView
                key={m.key}
                index={i}
                mapping={m}
                sourceColumns={sourceColumns}
                targetColumns={targetColumns}
                errors={errors}
                rowError={rowError}
                cellErrors={cellErrors}
                onUpdate={(patch) => update(i, patch)}
                onRemove={mappings.length > 1 ? () => remove(i) : undefined}
              />
            );
          })}
        </tbody>
      </table>
      <div className="mapping-actions">
        <button type="button" onClick={add}>
          + Add mapping
        </button>
        <button type="button" onClick={() => onChange(normaliseDraftWeights(mappings))} disabled={mappings.length === 0}>
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
  errors: FieldErrors;
  rowError: string | undefined;
  cellErrors: { path: string; message: string }[];
  onUpdate: (patch: Partial<MappingDraft>) => void;
  onRemove: (() => void) | undefined;
}

function MappingRowView({ index, mapping: m, sourceColumns, targetColumns, errors, rowError, cellErrors, onUpdate, onRemove }: RowProps) {
  const n = index + 1;
  const path = (name: string) => `field_mappings[${index}].${name}`;
  const idOf = (name: string) => fieldInputId(path(name));
  const invalid = (name: string) => (errors[path(name)] ? true : undefined);
  const describedBy = (name: string) => (errors[path(name)] ? `${idOf(name)}-error` : undefined);
  const params = STRATEGY_PARAMS[m.strategy];

  return (
    <>
      <tr className={rowError || cellErrors.length > 0 ? 'has-error' : undefined} id={fieldInputId(`field_mappings[${index}]`)}>
        <td className="num muted">{n}</td>
        <td>
          <ColumnSelect
            id={idOf('source')}
            label={`Mapping ${n}: document field`}
            value={m.source}
            options={sourceColumns}
            placeholder="Choose field…"
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
          {params.length === 0 && <span className="muted small param-none">none</span>}
          {params.map((p: ParamName) => (
            <label key={p} className="param">
              <span className="small muted">{PARAM_LABEL[p]}</span>
              <input
                id={idOf(p)}
                type="number"
                className="narrow"
                step={p === 'tolerance_days' ? 1 : p === 'similarity_threshold' ? 0.01 : 'any'}
                min={0}
                max={p === 'similarity_threshold' ? 1 : undefined}
                placeholder={String(DEFAULTS[p])}
                value={m[p]}
                onChange={(e) => onUpdate({ [p]: e.target.value } as Partial<MappingDraft>)}
                aria-invalid={invalid(p)}
                aria-describedby={describedBy(p)}
              />
            </label>
          ))}
          </div>
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
      {(rowError || cellErrors.length > 0) && (
        <tr className="error-row">
          <td />
          <td colSpan={7}>
            <FieldError id={`${fieldInputId(`field_mappings[${index}]`)}-error`} message={rowError} />
            {cellErrors.map((e) => (
              <FieldError key={e.path} id={`${fieldInputId(e.path)}-error`} message={`${e.path.split('.').pop()?.replace(/_/g, ' ')}: ${e.message}`} />
            ))}
          </td>
        </tr>
      )}
    </>
  );
}
