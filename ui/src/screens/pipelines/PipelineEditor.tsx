// The pipeline editor: source and target datasets, the field pairs compared (source column → target column, from the datasets' columns), feature type, score threshold and rule generation; refusals under their field.
import type { Dataset } from '../../bindings/Dataset';
import { FieldError } from '../../components/FieldError';
import { columnsOf, defaultFieldPair, FEATURE_TYPES, type FieldPair, type PipelineForm } from '../../pipelines';

interface Props {
  form: PipelineForm;
  onChange: (form: PipelineForm) => void;
  datasets: Dataset[];
  /** Refusals by element id (see pipelineFieldId). */
  errors: Record<string, string>;
  saving: boolean;
  isNew: boolean;
  onSave: () => void;
}

/** The columns to offer: the dataset's, and the one chosen even if the dataset lacks it. */
function options(columns: string[], chosen: string): string[] {
  return columns.includes(chosen) || chosen === '' ? columns : [chosen, ...columns];
}

export function PipelineEditor({ form, onChange, datasets, errors, saving, isNew, onSave }: Props) {
  const source = datasets.find((d) => d.id === form.sourceId);
  const target = datasets.find((d) => d.id === form.targetId);
  const set = (patch: Partial<PipelineForm>) => onChange({ ...form, ...patch });
  const setField = (i: number, patch: Partial<FieldPair>) => set({ fields: form.fields.map((f, k) => (k === i ? { ...f, ...patch } : f)) });
  // A new dataset has other columns: the pairs start again from its columns.
  const setDataset = (side: 'sourceId' | 'targetId', id: string) => {
    const next = { ...form, [side]: id };
    const s = datasets.find((d) => d.id === next.sourceId);
    const t = datasets.find((d) => d.id === next.targetId);
    onChange({ ...next, fields: [defaultFieldPair(s, t)] });
  };

  return (
    // The service checks the values and says what is wrong under the field; the browser's own
    // checks would stop the form with a bubble of their own instead.
    <form
      noValidate
      className={`form pipeline-editor${isNew ? ' card' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      {isNew && <h3>New pipeline</h3>}
      <div className="field">
        <label htmlFor="pl-name">Name</label>
        <input id="pl-name" type="text" value={form.name} onChange={(e) => set({ name: e.target.value })} />
        <FieldError id="pl-name-error" message={errors['pl-name']} />
      </div>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="pl-source">Sources (matched from)</label>
          <select id="pl-source" value={form.sourceId} onChange={(e) => setDataset('sourceId', e.target.value)}>
            <option value="">Choose a dataset</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.row_count} rows)
              </option>
            ))}
          </select>
          <FieldError id="pl-source-error" message={errors['pl-source']} />
        </div>
        <div className="field">
          <label htmlFor="pl-target">Targets (matched to)</label>
          <select id="pl-target" value={form.targetId} onChange={(e) => setDataset('targetId', e.target.value)}>
            <option value="">Choose a dataset</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.row_count} rows)
              </option>
            ))}
          </select>
          <FieldError id="pl-target-error" message={errors['pl-target']} />
        </div>
      </div>
      <fieldset className="field pipeline-fields" id="pl-fields">
        <legend>Fields compared (the first one is also the one rules are generated on)</legend>
        {form.fields.map((f, i) => (
          <div className="input-row" key={i} data-field-pair={i}>
            <select id={`pl-field-${i}-source`} aria-label={`Source field ${i + 1}`} value={f.source} onChange={(e) => setField(i, { source: e.target.value })}>
              {options(columnsOf(source), f.source).map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <span className="arrow">→</span>
            <select id={`pl-field-${i}-target`} aria-label={`Target field ${i + 1}`} value={f.target} onChange={(e) => setField(i, { target: e.target.value })}>
              {options(columnsOf(target), f.target).map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <button type="button" id={`pl-field-${i}-remove`} className="link" disabled={form.fields.length === 1} onClick={() => set({ fields: form.fields.filter((_, k) => k !== i) })}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" id="pl-field-add" onClick={() => set({ fields: [...form.fields, defaultFieldPair(source, target, form.fields)] })}>
          Add a field pair
        </button>
        <FieldError id="pl-fields-error" message={errors['pl-fields']} />
      </fieldset>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="pl-feature-type">Feature type</label>
          <select id="pl-feature-type" value={form.featureType} onChange={(e) => set({ featureType: e.target.value })}>
            {FEATURE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <FieldError id="pl-feature-type-error" message={errors['pl-feature-type']} />
        </div>
        <div className="field">
          <label htmlFor="pl-threshold">Score threshold (model matches)</label>
          <input id="pl-threshold" type="number" min="0" max="1" step="0.05" value={form.threshold} onChange={(e) => set({ threshold: e.target.value })} />
          <FieldError id="pl-threshold-error" message={errors['pl-threshold']} />
        </div>
      </div>
      <label className="check-label">
        <input id="pl-generate-rules" type="checkbox" checked={form.generateRules} onChange={(e) => set({ generateRules: e.target.checked })} />
        Suggest rules from the matches
      </label>
      <div className="form-actions">
        <button type="submit" id="pl-save" className="primary" disabled={saving}>
          {isNew ? 'Create pipeline' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
