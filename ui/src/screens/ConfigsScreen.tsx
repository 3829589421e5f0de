// Configs screen: the list of matching configs and the create/edit form with field mappings (sample values), threshold sliders, one-to-one assignment, the schedule and a trial on 20 documents.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';

import { createConfig, datasetRows, deleteConfig, listConfigs, listDatasets, previewConfig, updateConfig } from '../api';
import { errorText, toApiCallError } from '../apiError';
import type { ConfigInput } from '../bindings/ConfigInput';
import type { ConfigPreview } from '../bindings/ConfigPreview';
import type { Dataset } from '../bindings/Dataset';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { RowPage } from '../bindings/RowPage';
import { ConfigPreviewTable } from '../components/ConfigPreviewTable';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBanner } from '../components/ErrorBanner';
import { FieldError, fieldInputId } from '../components/FieldError';
import { MappingTable } from '../components/MappingTable';
import { RangeField } from '../components/RangeField';
import {
  DEFAULTS,
  describeSchedule,
  draftFromConfig,
  draftToInput,
  emptyDraft,
  MAX_INTERVAL_MINUTES,
  parseNumber,
  samplesByColumn,
  SCHEDULE_KIND_LABEL,
  thresholdErrors,
  type ConfigDraft,
  type FieldErrors,
  type ScheduleKind,
} from '../configForm';
import { fieldLabel, formatDateTime, formatPercent, stripFieldPrefix } from '../format';
import { focusField, goTo } from '../navigation';
import '../styles/data.css';

/** Rows read per dataset for the sample values under the column pickers. */
const SAMPLE_ROWS = 5;
/** With "All documents", samples come from at most this many document sets. */
const SAMPLE_SETS = 5;

interface Props {
  active: boolean;
}

/** Field paths the form can show next to an input; any other goes to the banner. */
function isFormField(field: string, draft: ConfigDraft): boolean {
  if (['name', 'reference_data_id', 'document_set_id', 'field_mappings', 'threshold', 'review_floor', 'one_to_one', 'schedule'].includes(field)) return true;
  const m = /^field_mappings\[(\d+)\]/.exec(field);
  return m !== null && Number(m[1]) < draft.mappings.length;
}

interface Trial {
  preview: ConfigPreview;
  reviewFloor: number;
  /** The input tried, to tell when the form has moved on. */
  inputKey: string;
}

/** The review floor the backend uses for an input: the default is capped at the threshold. */
function effectiveFloor(input: ConfigInput): number {
  const threshold = input.threshold ?? DEFAULTS.threshold;
  return input.review_floor ?? Math.min(DEFAULTS.review_floor, threshold);
}

export function ConfigsScreen({ active }: Props) {
  const [configs, setConfigs] = useState<MatchingConfig[] | null>(null);
  const [datasets, setDatasets] = useState<Dataset[]>([]);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [draft, setDraft] = useState<ConfigDraft>(emptyDraft);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [trying, setTrying] = useState(false);
  const [trial, setTrial] = useState<Trial | null>(null);
  const [samplePages, setSamplePages] = useState<Record<string, RowPage>>({});
  const requestedSamples = useRef(new Set<string>());
  const trialSeq = useRef(0);
  const formRef = useRef<HTMLFormElement>(null);
  const focusErrorRef = useRef(false);

  const reload = useCallback(async () => {
    try {
      const [c, d] = await Promise.all([listConfigs(), listDatasets()]);
      setConfigs(c);
      setDatasets(d);
    } catch (e) {
      setError(errorText(e, 'Could not load the configs'));
    }
  }, []);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

  // After a failed save, move focus to the first field that was rejected.
  useEffect(() => {
    if (!focusErrorRef.current) return;
    focusErrorRef.current = false;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [fieldErrors]);

  const references = datasets.filter((d) => d.kind === 'reference');
  const documentSets = datasets.filter((d) => d.kind === 'documents');
  const datasetName = (id: string | null) => (id === null ? 'All documents' : (datasets.find((d) => d.id === id)?.name ?? 'missing dataset'));

  const targetColumns = useMemo(
    () => datasets.find((d) => d.id === draft.reference_data_id)?.columns.map((c) => c.name) ?? [],
    [datasets, draft.reference_data_id],
  );
  const sampleIds = useMemo(() => {
    const ids = draft.reference_data_id ? [draft.reference_data_id] : [];
    if (draft.document_set_id) ids.push(draft.document_set_id);
    else ids.push(...datasets.filter((d) => d.kind === 'documents').slice(0, SAMPLE_SETS).map((d) => d.id));
    return ids.filter((id) => datasets.some((d) => d.id === id));
  }, [datasets, draft.reference_data_id, draft.document_set_id]);

  // Samples are a help, not a must: a dataset whose rows cannot be read just shows none.
  useEffect(() => {
    for (const id of sampleIds) {
      if (requestedSamples.current.has(id)) continue;
      requestedSamples.current.add(id);
      void (async () => {
        try {
          const page = await datasetRows(id, 1, SAMPLE_ROWS);
          if (page) setSamplePages((p) => ({ ...p, [id]: page }));
        } catch {
          requestedSamples.current.delete(id);
        }
      })();
    }
  }, [sampleIds]);

  const targetSamples = useMemo(() => {
    const page = samplePages[draft.reference_data_id];
    return page ? samplesByColumn([page]) : {};
  }, [samplePages, draft.reference_data_id]);
  const sourceSamples = useMemo(() => {
    const ids = draft.document_set_id ? [draft.document_set_id] : sampleIds.filter((id) => id !== draft.reference_data_id);
    return samplesByColumn(ids.flatMap((id) => (samplePages[id] ? [samplePages[id]] : [])));
  }, [samplePages, sampleIds, draft.document_set_id, draft.reference_data_id]);

  const sourceColumns = useMemo(() => {
    if (draft.document_set_id) return datasets.find((d) => d.id === draft.document_set_id)?.columns.map((c) => c.name) ?? [];
    const seen = new Set<string>();
    for (const d of datasets) if (d.kind === 'documents') for (const c of d.columns) seen.add(c.name);
    return [...seen];
  }, [datasets, draft.document_set_id]);

  const forgetTrial = () => {
    trialSeq.current++;
    setTrial(null);
    setTrying(false);
  };

  const startNew = () => {
    setEditingId(null);
    setDraft(emptyDraft());
    setFieldErrors({});
    setNotice(null);
    forgetTrial();
  };

  const edit = (c: MatchingConfig) => {
    setEditingId(c.id);
    setDraft(draftFromConfig(c));
    setFieldErrors({});
    setNotice(null);
    forgetTrial();
  };

  const patch = (p: Partial<ConfigDraft>) => setDraft((d) => ({ ...d, ...p }));

  // The sliders are checked as they move; an older message about them would contradict that.
  const patchRange = (p: Partial<Pick<ConfigDraft, 'threshold' | 'review_floor'>>) => {
    patch(p);
    setFieldErrors((errors) => {
      const { threshold: _t, review_floor: _f, ...rest } = errors;
      return rest;
    });
  };
  const rangeErrors = thresholdErrors(draft);

  /** Shows a rejected save or trial where it belongs: at the named field, else in the banner. */
  const showApiError = (err: unknown, action: string) => {
    const apiErr = toApiCallError(err);
    if (apiErr.field && isFormField(apiErr.field, draft)) {
      focusErrorRef.current = true;
      setFieldErrors({ [apiErr.field]: stripFieldPrefix(apiErr.message, apiErr.field) });
    } else if (apiErr.field) {
      setFieldErrors({});
      setError(`${fieldLabel(apiErr.field)}: ${stripFieldPrefix(apiErr.message, apiErr.field)}`);
    } else {
      setFieldErrors({});
      setError(errorText(apiErr, `Could not ${action}`));
    }
  };

  const tryOut = async () => {
    setError(null);
    setNotice(null);
    const { input, errors } = draftToInput(draft);
    if (!input) {
      focusErrorRef.current = true;
      setFieldErrors(errors);
      return;
    }
    const seq = ++trialSeq.current;
    setTrying(true);
    try {
      const preview = await previewConfig(input);
      if (seq !== trialSeq.current) return;
      setFieldErrors({});
      setTrial({ preview, reviewFloor: effectiveFloor(input), inputKey: JSON.stringify(input) });
    } catch (err) {
      if (seq !== trialSeq.current) return;
      setTrial(null);
      showApiError(err, 'try the config');
    } finally {
      if (seq === trialSeq.current) setTrying(false);
    }
  };

  const currentInput = draftToInput(draft).input;
  const trialOutdated = trial !== null && (currentInput === null || JSON.stringify(currentInput) !== trial.inputKey);
  const bandText = (() => {
    const t = parseNumber(draft.threshold) ?? DEFAULTS.threshold;
    const f = parseNumber(draft.review_floor) ?? Math.min(DEFAULTS.review_floor, t);
    if (!Number.isFinite(t) || !Number.isFinite(f) || rangeErrors['threshold'] || rangeErrors['review_floor']) return null;
    return `Matched at ${formatPercent(t)} or more · needs review from ${formatPercent(f)} to below ${formatPercent(t)} · below ${formatPercent(f)}: no match`;
  })();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const { input, errors } = draftToInput(draft);
    if (!input) {
      focusErrorRef.current = true;
      setFieldErrors(errors);
      return;
    }
    setSaving(true);
    try {
      const saved = editingId ? await updateConfig(editingId, input) : await createConfig(input);
      setFieldErrors({});
      setEditingId(saved.id);
      setDraft(draftFromConfig(saved));
      setNotice(`Saved “${saved.name}”.`);
      await reload();
    } catch (err) {
      showApiError(err, 'save the config');
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!editingId) return;
    try {
      await deleteConfig(editingId);
      startNew();
      setNotice('Config deleted.');
      await reload();
    } catch (e) {
      setError(errorText(e, 'Could not delete the config'));
    }
  };

  const scheduleError = fieldErrors['schedule'];
  const scheduleInputProps = {
    'aria-invalid': scheduleError ? true : undefined,
    'aria-describedby': scheduleError ? 'cfg-schedule-error' : 'cfg-schedule-hint',
  } as const;

  const fieldProps = (path: string) => {
    const id = fieldInputId(path);
    const message = fieldErrors[path];
    return {
      id,
      'aria-invalid': message ? true : undefined,
      'aria-describedby': message ? `${id}-error` : undefined,
    } as const;
  };

  return (
    <div className="configs-screen sidebar-layout">
      <aside className="card sidebar" aria-labelledby="configs-heading">
        <div className="card-head row">
          <h2 id="configs-heading">Configs</h2>
          <button type="button" onClick={startNew} className={editingId === null ? 'primary-outline' : undefined}>
            + New config
          </button>
        </div>
        {configs === null ? (
          <p className="muted">Loading…</p>
        ) : configs.length === 0 ? (
          <p className="empty" id="configs-empty">
            No configs yet: a config says which fields to compare and how sure a match must be.{' '}
            {datasets.length === 0 ? (
              <button type="button" id="configs-empty-action" className="link" onClick={() => goTo('data')}>
                Import data first
              </button>
            ) : (
              <button type="button" id="configs-empty-action" className="link" onClick={() => focusField(fieldInputId('name'))}>
                Create the first one
              </button>
            )}
          </p>
        ) : (
          <ul className="plain-list config-list">
            {configs.map((c) => (
              <li key={c.id} data-config-id={c.id}>
                <button type="button" className={`list-button ${c.id === editingId ? 'selected' : ''}`} aria-current={c.id === editingId ? 'true' : undefined} onClick={() => edit(c)}>
                  <span className="list-title">{c.name}</span>
                  <span className="small muted">
                    {datasetName(c.reference_data_id)} ← {datasetName(c.document_set_id)}
                  </span>
                  <span className="small muted">
                    {c.field_mappings.length} mapping{c.field_mappings.length === 1 ? '' : 's'} · match ≥ {formatPercent(c.threshold)}
                    {c.one_to_one && ' · one-to-one'} · updated {formatDateTime(c.updated_at)}
                  </span>
                  {c.schedule && <span className="small muted config-schedule">Runs by itself {describeSchedule(c.schedule)}</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
      </aside>

      <section className="card config-form" aria-labelledby="config-form-heading">
        <h2 id="config-form-heading">{editingId ? `Edit “${configs?.find((c) => c.id === editingId)?.name ?? draft.name}”` : 'New config'}</h2>
        <ErrorBanner message={error} onDismiss={() => setError(null)} />
        <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />
        <form ref={formRef} onSubmit={save} className="form" noValidate>
          <div className="field-grid">
            <div className="field">
              <label htmlFor={fieldInputId('name')}>Name</label>
              <input type="text" value={draft.name} onChange={(e) => patch({ name: e.target.value })} placeholder="e.g. Invoices to POs" {...fieldProps('name')} />
              <FieldError id={`${fieldInputId('name')}-error`} message={fieldErrors['name']} />
            </div>
            <div className="field">
              <label htmlFor={fieldInputId('reference_data_id')}>Reference data</label>
              <select value={draft.reference_data_id} onChange={(e) => patch({ reference_data_id: e.target.value })} {...fieldProps('reference_data_id')}>
                <option value="">Choose reference data…</option>
                {references.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
              <FieldError id={`${fieldInputId('reference_data_id')}-error`} message={fieldErrors['reference_data_id']} />
            </div>
            <div className="field">
              <label htmlFor={fieldInputId('document_set_id')}>Documents</label>
              <select value={draft.document_set_id} onChange={(e) => patch({ document_set_id: e.target.value })} {...fieldProps('document_set_id')}>
                <option value="">All documents</option>
                {documentSets.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
              <FieldError id={`${fieldInputId('document_set_id')}-error`} message={fieldErrors['document_set_id']} />
            </div>
          </div>

          <MappingTable
            mappings={draft.mappings}
            onChange={(mappings) => patch({ mappings })}
            sourceColumns={sourceColumns}
            targetColumns={targetColumns}
            sourceSamples={sourceSamples}
            targetSamples={targetSamples}
            errors={fieldErrors}
          />

          <div className="field-grid">
            <RangeField
              path="threshold"
              sliderId="threshold"
              label="Match threshold"
              hint="A document matches when its best candidate reaches this confidence."
              value={draft.threshold}
              onChange={(threshold) => patchRange({ threshold })}
              error={fieldErrors['threshold'] ?? rangeErrors['threshold']}
            />
            <RangeField
              path="review_floor"
              sliderId="review-floor"
              label="Review floor"
              hint="Between this and the threshold, a match is flagged for review."
              value={draft.review_floor}
              onChange={(review_floor) => patchRange({ review_floor })}
              error={fieldErrors['review_floor'] ?? rangeErrors['review_floor']}
            />
          </div>
          {bandText && (
            <p className="hint band-summary" id="band-summary">
              {bandText}
            </p>
          )}

          <div className="field check-field">
            <label htmlFor={fieldInputId('one_to_one')}>
              <input
                type="checkbox"
                checked={draft.one_to_one === true}
                onChange={(e) => patch({ one_to_one: e.target.checked })}
                {...fieldProps('one_to_one')}
                aria-describedby={fieldErrors['one_to_one'] ? `${fieldInputId('one_to_one')}-error` : `${fieldInputId('one_to_one')}-hint`}
              />
              Each reference row matches at most one document
            </label>
            {!fieldErrors['one_to_one'] && (
              <p className="hint" id={`${fieldInputId('one_to_one')}-hint`}>
                One-to-one: when several documents match the same reference row, the row goes to the best overall assignment; the others get their next
                candidate (or no match) and show “lost a contested row” in Review.
              </p>
            )}
            <FieldError id={`${fieldInputId('one_to_one')}-error`} message={fieldErrors['one_to_one']} />
          </div>

          <div className="field schedule-field">
            <label htmlFor="cfg-schedule-kind">Schedule</label>
            <div className="schedule-controls">
              <select
                id="cfg-schedule-kind"
                value={draft.schedule_kind}
                onChange={(e) => patch({ schedule_kind: e.target.value as ScheduleKind })}
                aria-invalid={scheduleError && draft.schedule_kind === 'never' ? true : undefined}
                aria-describedby={scheduleError ? 'cfg-schedule-error' : 'cfg-schedule-hint'}
              >
                {(Object.keys(SCHEDULE_KIND_LABEL) as ScheduleKind[]).map((k) => (
                  <option key={k} value={k}>
                    {SCHEDULE_KIND_LABEL[k]}
                  </option>
                ))}
              </select>
              {draft.schedule_kind === 'interval' && (
                <>
                  <input
                    id="cfg-schedule-minutes"
                    type="number"
                    min={1}
                    max={MAX_INTERVAL_MINUTES}
                    step={1}
                    inputMode="numeric"
                    aria-label="Minutes between runs"
                    value={draft.schedule_minutes}
                    onChange={(e) => patch({ schedule_minutes: e.target.value })}
                    {...scheduleInputProps}
                  />
                  <span className="muted">minutes</span>
                </>
              )}
              {draft.schedule_kind === 'cron' && (
                <input
                  id="cfg-schedule-cron"
                  type="text"
                  spellCheck={false}
                  aria-label="Cron expression"
                  placeholder="0 2 * * 1-5"
                  value={draft.schedule_cron}
                  onChange={(e) => patch({ schedule_cron: e.target.value })}
                  {...scheduleInputProps}
                />
              )}
            </div>
            {!scheduleError && (
              <p className="hint" id="cfg-schedule-hint">
                {draft.schedule_kind === 'cron'
                  ? 'Minute hour day-of-month month day-of-week, in this computer’s time: 0 2 * * 1-5 = 02:00 on weekdays, */30 * * * * = every half hour. '
                  : ''}
                {draft.schedule_kind === 'never'
                  ? 'Runs start only when you start them.'
                  : 'Runs start by themselves while Matchbook is open; slots missed while it was closed give one run at the next start, and none starts while this config still has a run going.'}
              </p>
            )}
            <FieldError id="cfg-schedule-error" message={scheduleError} />
          </div>

          <div className="form-actions">
            <button id="config-save" type="submit" className="primary" disabled={saving}>
              {saving ? 'Saving…' : editingId ? 'Save changes' : 'Create config'}
            </button>
            <button
              id="config-preview"
              type="button"
              onClick={() => void tryOut()}
              disabled={trying}
              title="Match the first 20 documents with this form as it is, without saving anything"
            >
              {trying ? 'Trying…' : 'Try on 20 documents'}
            </button>
            {editingId && <ConfirmButton id="config-delete" label="Delete config" confirmLabel="Really delete?" onConfirm={() => void remove()} />}
          </div>
        </form>
        {trial && <ConfigPreviewTable preview={trial.preview} reviewFloor={trial.reviewFloor} outdated={trialOutdated} />}
      </section>
    </div>
  );
}
