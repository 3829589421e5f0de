// Strategies screen: learn a matching strategy from reference data and documents (with an optional prompt), list the strategies, and show the one picked (StrategyDetail: edit, try, make a config).
import { useCallback, useEffect, useState } from 'react';

import { generateStrategy, listDatasets, listStrategies } from '../api';
import { errorText, toApiCallError } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import type { GenerateStrategyInput } from '../bindings/GenerateStrategyInput';
import type { MatchingStrategy } from '../bindings/MatchingStrategy';
import { ErrorBanner } from '../components/ErrorBanner';
import { FieldError } from '../components/FieldError';
import { StrategyDetail } from '../components/StrategyDetail';
import { fieldLabel, formatDateTime, stripFieldPrefix } from '../format';
import { focusField, goTo } from '../navigation';
import { strategyLabel } from '../smart';
import '../styles/data.css';

interface Props {
  active: boolean;
}

interface Form {
  reference: string;
  documents: string;
  name: string;
  prompt: string;
}

const EMPTY_FORM: Form = { reference: '', documents: '', name: '', prompt: '' };

/** The generate request for the form; blank optional fields are left out. */
export function generateInputOf(f: Form): GenerateStrategyInput {
  return {
    reference_data_id: f.reference,
    target_type: 'run',
    ...(f.documents ? { document_set_id: f.documents } : {}),
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    ...(f.prompt.trim() ? { user_prompt: f.prompt.trim() } : {}),
  };
}

export function StrategiesScreen({ active }: Props) {
  const [datasets, setDatasets] = useState<Dataset[]>([]);
  const [strategies, setStrategies] = useState<MatchingStrategy[] | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [generating, setGenerating] = useState(false);

  const reload = useCallback(async () => {
    try {
      const [d, s] = await Promise.all([listDatasets(), listStrategies()]);
      setDatasets(d);
      setStrategies(s);
      setForm((f) => {
        const refs = d.filter((x) => x.kind === 'reference');
        const docs = d.filter((x) => x.kind === 'documents');
        return {
          ...f,
          reference: f.reference && refs.some((x) => x.id === f.reference) ? f.reference : (refs[0]?.id ?? ''),
          documents: f.documents && docs.some((x) => x.id === f.documents) ? f.documents : '',
        };
      });
    } catch (e) {
      setError(errorText(e, 'Could not load the strategies'));
    }
  }, []);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

  const references = datasets.filter((d) => d.kind === 'reference');
  const documentSets = datasets.filter((d) => d.kind === 'documents');
  const selected = strategies?.find((s) => s.id === selectedId) ?? null;

  const generate = async () => {
    setError(null);
    setFieldErrors({});
    setGenerating(true);
    try {
      const s = await generateStrategy(generateInputOf(form));
      setStrategies((prev) => [s, ...(prev ?? []).filter((x) => x.id !== s.id)]);
      setSelectedId(s.id);
    } catch (e) {
      const err = toApiCallError(e);
      if (err.field === 'reference_data_id' || err.field === 'document_set_id' || err.field === 'user_prompt') setFieldErrors({ [err.field]: stripFieldPrefix(err.message, err.field) });
      else setError(err.field ? `${fieldLabel(err.field)}: ${stripFieldPrefix(err.message, err.field)}` : errorText(err, 'Could not generate a strategy'));
    } finally {
      setGenerating(false);
    }
  };

  const replace = (s: MatchingStrategy) => setStrategies((prev) => (prev ?? []).map((x) => (x.id === s.id ? s : x)));
  const datasetName = (id: string | null) => (id === null ? 'all documents' : (datasets.find((d) => d.id === id)?.name ?? 'deleted dataset'));

  return (
    <div className="strategies-screen sidebar-layout">
      <aside className="card sidebar" aria-labelledby="strategies-heading">
        <h2 id="strategies-heading">Generate a strategy</h2>
        <p className="hint">Matchbook profiles both tables and proposes which fields to compare, how, and with what weights and threshold, learned from the data without labels.</p>
        <form
          className="form strategy-generate"
          onSubmit={(e) => {
            e.preventDefault();
            void generate();
          }}
          noValidate
        >
          <div className="field">
            <label htmlFor="st-reference">Reference data</label>
            <select id="st-reference" value={form.reference} onChange={(e) => setForm((f) => ({ ...f, reference: e.target.value }))} aria-invalid={fieldErrors['reference_data_id'] ? true : undefined}>
              {references.length === 0 && <option value="">No reference data yet</option>}
              {references.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            <FieldError id="st-reference-error" message={fieldErrors['reference_data_id']} />
          </div>
          <div className="field">
            <label htmlFor="st-documents">Documents</label>
            <select id="st-documents" value={form.documents} onChange={(e) => setForm((f) => ({ ...f, documents: e.target.value }))} aria-invalid={fieldErrors['document_set_id'] ? true : undefined}>
              <option value="">All documents</option>
              {documentSets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            <FieldError id="st-documents-error" message={fieldErrors['document_set_id']} />
          </div>
          <div className="field">
            <label htmlFor="st-name">Name (optional)</label>
            <input id="st-name" type="text" value={form.name} onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))} placeholder="e.g. Invoices to POs" />
          </div>
          <div className="field">
            <label htmlFor="st-prompt">Prompt (optional)</label>
            <textarea
              id="st-prompt"
              rows={2}
              value={form.prompt}
              onChange={(e) => setForm((f) => ({ ...f, prompt: e.target.value }))}
              placeholder="e.g. prioritise the PO number, ignore the description"
              aria-invalid={fieldErrors['user_prompt'] ? true : undefined}
            />
            <FieldError id="st-prompt-error" message={fieldErrors['user_prompt']} />
          </div>
          <button id="st-generate" type="submit" className="primary" disabled={generating || !form.reference}>
            {generating ? 'Generating…' : 'Generate strategy'}
          </button>
          {references.length === 0 && (
            <p className="hint">
              Import reference data and documents first.{' '}
              <button type="button" className="link" onClick={() => goTo('data')}>
                Go to Data
              </button>
            </p>
          )}
        </form>

        <h2 className="strategies-list-heading">Strategies</h2>
        {strategies === null ? (
          <p className="muted">Loading…</p>
        ) : strategies.length === 0 ? (
          <p className="empty" id="strategies-empty">
            No strategies yet.{' '}
            {references.length === 0 ? (
              <button type="button" id="strategies-empty-action" className="link" onClick={() => goTo('data')}>
                Import data first
              </button>
            ) : (
              <button type="button" id="strategies-empty-action" className="link" onClick={() => focusField('st-generate')}>
                Generate the first one
              </button>
            )}
          </p>
        ) : (
          <ul className="plain-list strategy-list">
            {strategies.map((s) => (
              <li key={s.id} data-strategy-id={s.id}>
                <button type="button" className={`list-button ${s.id === selectedId ? 'selected' : ''}`} aria-current={s.id === selectedId ? 'true' : undefined} onClick={() => setSelectedId(s.id)}>
                  <span className="list-title">{strategyLabel(s)}</span>
                  <span className="small muted">
                    {datasetName(s.reference_data_id)} ← {datasetName(s.document_set_id)}
                  </span>
                  <span className="small muted">
                    {s.strategy.field_mappings.length} mapping{s.strategy.field_mappings.length === 1 ? '' : 's'} · updated {formatDateTime(s.updated_at)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </aside>

      <section className="card strategy-pane" aria-label="Strategy">
        <ErrorBanner message={error} onDismiss={() => setError(null)} />
        {selected ? (
          <StrategyDetail strategy={selected} datasets={datasets} onSaved={replace} />
        ) : (
          <p className="empty" id="strategy-empty">
            {strategies && strategies.length > 0 ? 'Pick a strategy on the left to see its mappings, or generate a new one.' : 'Generate a strategy on the left: its proposed mappings, their reasons and the profile of every column appear here.'}
          </p>
        )}
      </section>
    </div>
  );
}
