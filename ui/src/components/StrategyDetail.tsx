// One strategy: its mappings with their rationale (weights, threshold and review floor editable, saved as a new version), a trial on the first documents, "Create config from strategy", the m/u estimates and the profile of every column.
import { useEffect, useRef, useState } from 'react';

import { createConfigFromStrategy, patchStrategy, previewConfig } from '../api';
import { errorText, toApiCallError } from '../apiError';
import type { ConfigPreview } from '../bindings/ConfigPreview';
import type { Dataset } from '../bindings/Dataset';
import type { MatchingStrategy } from '../bindings/MatchingStrategy';
import { STRATEGY_LABEL, fieldLabel, formatDateTime, formatPercent, formatWeight, stripFieldPrefix } from '../format';
import { strategyLabel } from '../smart';
import { draftErrors, draftOfPlan, isDirty, normaliseDraft, patchOf, previewInputOf, type StrategyDraft } from '../strategyForm';
import { ColumnProfiles } from './ColumnProfiles';
import { ConfigPreviewTable } from './ConfigPreviewTable';
import { ErrorBanner } from './ErrorBanner';
import { FieldError } from './FieldError';
import { MuChart } from './MuChart';

interface Props {
  strategy: MatchingStrategy;
  datasets: Dataset[];
  onSaved: (strategy: MatchingStrategy) => void;
}

interface Trial {
  preview: ConfigPreview;
  reviewFloor: number;
  key: string;
}

/** Shown when a mapping parameter is set: "normaliser reference", "tax rates 19, 20 %". */
function mappingParams(m: MatchingStrategy['strategy']['field_mappings'][number]): string {
  const parts: string[] = [];
  if (m.normalizer) parts.push(`normaliser ${m.normalizer}`);
  if (m.measure) parts.push(`measure ${m.measure}`);
  if (m.similarity_threshold !== undefined) parts.push(`similarity ≥ ${formatWeight(m.similarity_threshold)}`);
  if (m.tax_rates && m.tax_rates.length > 0) parts.push(`tax rates ${m.tax_rates.join(', ')} %`);
  if (m.tolerance_percent !== undefined) parts.push(`± ${m.tolerance_percent} %`);
  if (m.days_before !== undefined || m.days_after !== undefined) parts.push(`${m.days_before ?? 0} days before to ${m.days_after ?? 0} after`);
  else if (m.tolerance_days !== undefined) parts.push(`± ${m.tolerance_days} days`);
  if (m.term_frequency) parts.push('rare words count more');
  return parts.join(' · ');
}

export function StrategyDetail({ strategy, datasets, onSaved }: Props) {
  const plan = strategy.strategy;
  const [draft, setDraft] = useState<StrategyDraft>(() => draftOfPlan(plan));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [trying, setTrying] = useState(false);
  const [trial, setTrial] = useState<Trial | null>(null);
  const [configName, setConfigName] = useState(() => strategy.name ?? '');
  const trialSeq = useRef(0);

  // A saved version (or another strategy) replaces what was typed.
  useEffect(() => {
    setDraft(draftOfPlan(strategy.strategy));
  }, [strategy.id, strategy.version, strategy.strategy]);
  useEffect(() => {
    setConfigName(strategy.name ?? '');
    setTrial(null);
    setError(null);
    setNotice(null);
    trialSeq.current++;
  }, [strategy.id, strategy.name]);

  const errors = draftErrors(draft);
  const dirty = isDirty(draft, plan);
  const datasetName = (id: string | null) => (id === null ? 'all document sets' : (datasets.find((d) => d.id === id)?.name ?? 'a deleted dataset'));

  const showError = (e: unknown, what: string) => {
    const err = toApiCallError(e);
    setError(err.field ? `${fieldLabel(err.field.replace(/^strategy\./, ''))}: ${stripFieldPrefix(err.message, err.field)}` : errorText(err, what));
  };

  const save = async () => {
    const patch = patchOf(plan, draft);
    if (!patch) return;
    setSaving(true);
    setError(null);
    setNotice(null);
    try {
      const saved = await patchStrategy(strategy.id, patch);
      setNotice(`Saved as version ${saved.version}.`);
      onSaved(saved);
    } catch (e) {
      showError(e, 'Could not save the strategy');
    } finally {
      setSaving(false);
    }
  };

  const tryOut = async () => {
    const input = previewInputOf(strategy, draft, configName || strategyLabel(strategy));
    if (!input) return;
    const seq = ++trialSeq.current;
    setTrying(true);
    setError(null);
    try {
      const preview = await previewConfig(input, 20);
      if (seq === trialSeq.current) setTrial({ preview, reviewFloor: input.review_floor ?? 0, key: JSON.stringify(draft) });
    } catch (e) {
      if (seq === trialSeq.current) showError(e, 'Could not try the strategy');
    } finally {
      if (seq === trialSeq.current) setTrying(false);
    }
  };

  const createConfig = async () => {
    const name = configName.trim();
    if (!name) {
      setError('Name the config first.');
      return;
    }
    setSaving(true);
    setError(null);
    setNotice(null);
    try {
      const config = await createConfigFromStrategy(strategy.id, { name });
      setNotice(`Created the config “${config.name}”. Start it, or smart-run it with this strategy, on the Runs screen.`);
    } catch (e) {
      showError(e, 'Could not create the config');
    } finally {
      setSaving(false);
    }
  };

  const patchWeight = (i: number, value: string) => setDraft((d) => ({ ...d, weights: d.weights.map((w, j) => (j === i ? value : w)) }));

  return (
    <article className="strategy-detail" data-strategy-id={strategy.id} aria-labelledby="strategy-heading">
      <header className="card-head">
        <h2 id="strategy-heading">{strategyLabel(strategy)}</h2>
        <p className="small muted">
          Learned from {datasetName(strategy.reference_data_id)} ← {datasetName(strategy.document_set_id)} · version {strategy.version} ({strategy.version_hash}) · updated{' '}
          {formatDateTime(strategy.updated_at)}
        </p>
        {strategy.user_prompt && (
          <p className="small">
            <span className="muted">Prompt:</span> “{strategy.user_prompt}”{plan.prompt_notes && <span className="muted"> · {plan.prompt_notes}</span>}
          </p>
        )}
      </header>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />

      <section aria-labelledby="strategy-mappings-heading">
        <h3 id="strategy-mappings-heading">Proposed mappings</h3>
        {plan.field_mappings.length === 0 ? (
          <p className="empty">No document column could be paired with a reference column. Check the two tables share some values, or name the fields in the prompt.</p>
        ) : (
          <div className="table-wrap">
            <table id="strategy-mappings" className="table dense strategy-mappings">
              <thead>
                <tr>
                  <th scope="col">Document field → reference column, and why</th>
                  <th scope="col">Comparison</th>
                  <th scope="col" className="num">
                    Weight
                  </th>
                </tr>
              </thead>
              <tbody>
                {plan.field_mappings.map((m, i) => (
                  <tr key={`${m.source}-${m.target}`} data-mapping={`${m.source}->${m.target}`}>
                    <th scope="row">
                      <span className="mono">{m.source}</span> <span aria-label="compared with">→</span> <span className="mono">{m.target}</span>
                      {m.rationale && <div className="small muted rationale">{m.rationale}</div>}
                    </th>
                    <td>
                      {STRATEGY_LABEL[m.strategy] ?? m.strategy}
                      {mappingParams(m) && <div className="small muted">{mappingParams(m)}</div>}
                    </td>
                    <td className="num">
                      <input
                        id={`st-weight-${i}`}
                        className="narrow"
                        type="number"
                        min={0}
                        max={1}
                        step={0.01}
                        value={draft.weights[i] ?? ''}
                        aria-label={`Weight of ${m.source}`}
                        aria-invalid={errors[`weight-${i}`] ? true : undefined}
                        onChange={(e) => patchWeight(i, e.target.value)}
                      />
                      <FieldError id={`st-weight-${i}-error`} message={errors[`weight-${i}`]} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <FieldError id="st-weights-error" message={errors['weights']} />
      </section>

      <div className="field-grid strategy-band">
        <div className="field">
          <label htmlFor="st-threshold">Match threshold</label>
          <input id="st-threshold" className="narrow" type="number" min={0} max={1} step={0.01} value={draft.threshold} onChange={(e) => setDraft((d) => ({ ...d, threshold: e.target.value }))} aria-invalid={errors['threshold'] ? true : undefined} />
          <FieldError id="st-threshold-error" message={errors['threshold']} />
        </div>
        <div className="field">
          <label htmlFor="st-review-floor">Review floor</label>
          <input id="st-review-floor" className="narrow" type="number" min={0} max={1} step={0.01} value={draft.reviewFloor} onChange={(e) => setDraft((d) => ({ ...d, reviewFloor: e.target.value }))} aria-invalid={errors['review_floor'] ? true : undefined} />
          <FieldError id="st-review-floor-error" message={errors['review_floor']} />
        </div>
        <p className="hint">
          Estimated {formatPercent(plan.match_share)} of the documents have a match{plan.one_to_one ? ' · one-to-one: each reference row goes to one document at most' : ''}.
          {plan.model && ` A smart run decides by match probability: match from ${formatPercent(plan.model.threshold)}, review from ${formatPercent(plan.model.review_floor)}.`}
        </p>
      </div>

      <div className="form-actions">
        <button id="st-save" type="button" className="primary" onClick={() => void save()} disabled={!dirty || saving || Object.keys(errors).length > 0}>
          {saving ? 'Saving…' : 'Save changes'}
        </button>
        <button id="st-normalise" type="button" onClick={() => setDraft(normaliseDraft)} disabled={plan.field_mappings.length === 0}>
          Normalise weights
        </button>
        <button id="st-discard" type="button" onClick={() => setDraft(draftOfPlan(plan))} disabled={!dirty}>
          Discard changes
        </button>
        <button id="st-preview" type="button" onClick={() => void tryOut()} disabled={trying || Object.keys(errors).length > 0} title="Match the first 20 documents with this strategy as shown, without saving anything">
          {trying ? 'Trying…' : 'Try on 20 documents'}
        </button>
      </div>
      {trial && <ConfigPreviewTable idPrefix="strategy-preview" preview={trial.preview} reviewFloor={trial.reviewFloor} outdated={trial.key !== JSON.stringify(draft)} />}

      <section className="strategy-create" aria-labelledby="strategy-create-heading">
        <h3 id="strategy-create-heading">Create config from strategy</h3>
        <div className="toolbar">
          <label htmlFor="st-config-name">Config name</label>
          <input id="st-config-name" type="text" value={configName} onChange={(e) => setConfigName(e.target.value)} placeholder="e.g. Invoices to POs (learned)" />
          <button id="st-create-config" type="button" className="primary" onClick={() => void createConfig()} disabled={saving || dirty || !configName.trim()}>
            Create config
          </button>
        </div>
        <p className="hint">{dirty ? 'Save or discard your changes first: the config is made from the saved strategy.' : 'The config gets these mappings, threshold and review floor; the strategy stays as it is.'}</p>
      </section>

      {plan.field_estimates.length > 0 && (
        <details className="strategy-estimates">
          <summary>Match model: m and u per field and agreement level</summary>
          <MuChart id="strategy-mu-chart" estimates={plan.field_estimates} />
        </details>
      )}

      <section aria-labelledby="strategy-profile-heading">
        <h3 id="strategy-profile-heading">Columns as profiled</h3>
        <ColumnProfiles columns={plan.columns} />
      </section>

      <section aria-labelledby="strategy-notes-heading" id="strategy-notes">
        <h3 id="strategy-notes-heading">Edge cases and notes</h3>
        {plan.edge_cases.length > 0 ? (
          <ul className="edge-cases">
            {plan.edge_cases.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No column was left out.</p>
        )}
        {plan.data_quality_notes && <p className="small">{plan.data_quality_notes}</p>}
        {plan.cardinality_notes && <p className="small">{plan.cardinality_notes}</p>}
      </section>
    </article>
  );
}
