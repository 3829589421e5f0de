// Pipelines screen (Cognite-style entity matching, spec B.7/B.8): define a pipeline over two datasets and the fields compared, run it and watch its status, then review the run: its matches by type and score, and its suggested rules with the matches each makes and its conflicts; accepted and rejected rules and matches feed the next run.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { createPipeline, decidePipelineMatch, listDatasets, listPipelines, takePipelineRule, updatePipeline } from '../api';
import { errorText, toApiCallError } from '../apiError';
import type { Dataset } from '../bindings/Dataset';
import type { Pipeline } from '../bindings/Pipeline';
import type { PipelineMatch } from '../bindings/PipelineMatch';
import type { PipelineRunResult } from '../bindings/PipelineRunResult';
import type { PipelineRunSummary } from '../bindings/PipelineRunSummary';
import { ErrorBanner } from '../components/ErrorBanner';
import { focusField, goTo } from '../navigation';
import { countByType, emptyPipelineForm, entityLabel, externalIdOf, formOfPipeline, pipelineFieldId, specOf, updateOf, type PipelineForm } from '../pipelines';
import { MatchesPanel } from './pipelines/MatchesPanel';
import { PipelineEditor } from './pipelines/PipelineEditor';
import { RulesPanel } from './pipelines/RulesPanel';
import { isFinished, usePipelineRun } from './pipelines/usePipelineRun';
import '../styles/data.css';
import '../styles/pipelines.css';

interface Props {
  active: boolean;
}

export function PipelinesScreen({ active }: Props) {
  const [datasets, setDatasets] = useState<Dataset[]>([]);
  const [pipelines, setPipelines] = useState<Pipeline[] | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [form, setForm] = useState<PipelineForm>(emptyPipelineForm([]));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [busy, setBusy] = useState(false);

  const selectedRef = useRef<number | null>(null);
  selectedRef.current = selectedId;
  const selected = pipelines?.find((p) => p.id === selectedId) ?? null;

  /** Reloads datasets and pipelines; `select` picks a pipeline (null: a new one), else the one shown stays. */
  const reload = useCallback(async (select?: number | null) => {
    try {
      const [d, p] = await Promise.all([listDatasets(), listPipelines()]);
      setDatasets(d);
      setPipelines(p);
      const current = selectedRef.current;
      const next = select !== undefined ? select : current !== null && p.some((x) => x.id === current) ? current : (p[p.length - 1]?.id ?? null);
      if (select !== undefined || next !== current) {
        const chosen = p.find((x) => x.id === next) ?? null;
        setSelectedId(chosen?.id ?? null);
        setForm(chosen ? formOfPipeline(chosen, d) : emptyPipelineForm(d));
        setErrors({});
      } else if (next === null) {
        // A new pipeline's form made before the datasets arrived starts from them now.
        setForm((f) => (f.sourceId || f.targetId ? f : emptyPipelineForm(d)));
      }
    } catch (e) {
      setError(errorText(e, 'Could not load the pipelines'));
    }
  }, []);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

  const { runs, jobId, result, show, start } = usePipelineRun(active, selectedId, () => void reload(), setError);

  const select = (p: Pipeline | null) => {
    setSelectedId(p?.id ?? null);
    setForm(p ? formOfPipeline(p, datasets) : emptyPipelineForm(datasets));
    setErrors({});
  };

  const save = async () => {
    setSaving(true);
    setErrors({});
    setError(null);
    try {
      const saved = selected ? await updatePipeline(selected.id, updateOf(form)) : await createPipeline(specOf(form));
      setNotice(selected ? 'Saved the pipeline.' : 'Created the pipeline: run it to see its matches.');
      await reload(saved.id);
    } catch (e) {
      const err = toApiCallError(e);
      const at = err.field ? pipelineFieldId(err.field) : null;
      if (at) setErrors({ [at]: err.message });
      else setError(errorText(err, 'Could not save the pipeline'));
    } finally {
      setSaving(false);
    }
  };

  /** Stores a decision's answer (the pipeline) in the list. */
  const decided = async (call: Promise<Pipeline>, what: string) => {
    setBusy(true);
    try {
      const p = await call;
      setPipelines((list) => list?.map((x) => (x.id === p.id ? p : x)) ?? null);
      setNotice(`${what} The next run uses it.`);
    } catch (e) {
      setError(errorText(e, 'Could not record the decision'));
    } finally {
      setBusy(false);
    }
  };

  const takeRule = (index: number, accept: boolean) => {
    if (!selected || !result) return;
    void decided(takePipelineRule(selected.id, result.jobId, index, accept), accept ? `Accepted rule ${index + 1}.` : `Rejected rule ${index + 1}: it is not suggested again.`);
  };

  const decideMatch = (m: PipelineMatch, confirm: boolean) => {
    if (!selected) return;
    const s = externalIdOf(m.source);
    const t = externalIdOf(m.target);
    void decided(decidePipelineMatch(selected.id, s, t, confirm), confirm ? `Confirmed ${s} → ${t}.` : `Rejected ${s} → ${t}.`);
  };

  return (
    <div className="pipelines-screen">
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />
      <div className="sidebar-layout">
        <div className="card pipeline-list">
          <h3>Pipelines</h3>
          {pipelines && pipelines.length === 0 && (
            <p className="muted" id="pipelines-empty">
              No pipeline yet: choose the datasets to match and the fields to compare.{' '}
              {datasets.length < 2 ? (
                <button type="button" id="pipelines-empty-action" className="link" onClick={() => goTo('data')}>
                  Import two datasets first
                </button>
              ) : (
                <button type="button" id="pipelines-empty-action" className="link" onClick={() => focusField('pl-name')}>
                  Create the first one
                </button>
              )}
            </p>
          )}
          <ul className="plain-list">
            {pipelines?.map((p) => (
              <li key={p.id} data-pipeline-id={p.id}>
                <button type="button" className={`list-button${p.id === selectedId ? ' selected' : ''}`} onClick={() => select(p)}>
                  <span className="list-title">{p.name ?? `Pipeline ${p.id}`}</span>
                  <span className="muted small">
                    {' '}
                    {p.rules.length} rules · {p.confirmedMatches.length} confirmed · {p.rejectedMatches.length} rejected
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <button type="button" id="pipeline-new" onClick={() => select(null)}>
            New pipeline
          </button>
        </div>
        <div className="column">
          {selected && <RunCard pipeline={selected} runs={runs} jobId={jobId} result={result} onRun={() => void start()} onShow={show} />}
          {selected ? (
            // A stored pipeline's settings fold away: the run and its review are what is worked on.
            <details className="card pipeline-settings" key={selected.id} open={Object.keys(errors).length > 0 || undefined}>
              <summary id="pipeline-settings">Settings: datasets, fields, threshold</summary>
              <PipelineEditor form={form} onChange={setForm} datasets={datasets} errors={errors} saving={saving} isNew={false} onSave={() => void save()} />
            </details>
          ) : (
            <PipelineEditor form={form} onChange={setForm} datasets={datasets} errors={errors} saving={saving} isNew onSave={() => void save()} />
          )}
        </div>
      </div>
      {selected && result?.status === 'Completed' && <RunReview pipeline={selected} result={result} busy={busy} onTake={takeRule} onDecide={decideMatch} />}
    </div>
  );
}

interface RunCardProps {
  pipeline: Pipeline;
  runs: PipelineRunSummary[];
  jobId: number | null;
  result: PipelineRunResult | null;
  onRun: () => void;
  onShow: (jobId: number) => void;
}

/** Runs the pipeline, picks the run shown, and says how it went. */
function RunCard({ pipeline, runs, jobId, result, onRun, onShow }: RunCardProps) {
  const going = result !== null && !isFinished(result.status);
  const counts = result?.matches ? countByType(result.matches) : null;
  return (
    <div className="card pipeline-run-card">
      <div className="toolbar">
        <button type="button" id="pipeline-run" className="primary" disabled={going} onClick={onRun}>
          {going ? 'Running…' : 'Run'}
        </button>
        {runs.length > 0 && (
          <>
            <label htmlFor="pipeline-runs">Run</label>
            <select id="pipeline-runs" value={jobId ?? ''} onChange={(e) => onShow(Number(e.target.value))}>
              {runs.map((r, i) => (
                <option key={r.jobId} value={r.jobId}>
                  #{runs.length - i} · {new Date(r.createdTime).toLocaleString()} · {r.status}
                </option>
              ))}
            </select>
          </>
        )}
        {result && (
          <span id="pipeline-run-status" className={`status status-${result.status.toLowerCase()}`} data-status={result.status} data-job-id={result.jobId}>
            {result.status}
          </span>
        )}
      </div>
      {runs.length === 0 && <p className="muted">Not run yet. {pipeline.rules.length > 0 ? `${pipeline.rules.length} accepted rules apply.` : ''}</p>}
      {result?.errorMessage && <p className="run-error">{result.errorMessage}</p>}
      {counts && result?.matches && (
        <p id="pipeline-run-counts" data-rule={counts.rule} data-model={counts.model} data-confirmed={counts['previously-confirmed']}>
          {result.matches.length} matches: {counts['previously-confirmed']} confirmed, {counts.rule} by rules, {counts.model} by the model; {result.generatedRules?.length ?? 0} rules suggested.
        </p>
      )}
      {result?.errors?.map((e) => (
        <p key={e} className="muted small">
          Warning: {e}
        </p>
      ))}
    </div>
  );
}

interface ReviewProps {
  pipeline: Pipeline;
  result: PipelineRunResult;
  busy: boolean;
  onTake: (index: number, accept: boolean) => void;
  onDecide: (match: PipelineMatch, confirm: boolean) => void;
}

/** A completed run's rules and matches, side by side. */
function RunReview({ pipeline, result, busy, onTake, onDecide }: ReviewProps) {
  const matches = useMemo(() => result.matches ?? [], [result]);
  const field = pipeline.modelParameters.matchFields?.[0];
  // Rules name sources and targets by id: the run's matches give their readable names.
  const labels = useMemo(() => {
    const sources = new Map<string, string>();
    const targets = new Map<string, string>();
    for (const m of matches) {
      sources.set(externalIdOf(m.source), entityLabel(m.source, field?.source));
      targets.set(externalIdOf(m.target), entityLabel(m.target, field?.target));
    }
    return { sources, targets };
  }, [matches, field?.source, field?.target]);
  return (
    <div className="pipeline-review">
      <RulesPanel pipeline={pipeline} rules={result.generatedRules ?? []} suggested={result.suggestedRules ?? []} labels={labels} busy={busy} onTake={onTake} />
      <MatchesPanel pipeline={pipeline} matches={matches} busy={busy} onDecide={onDecide} />
    </div>
  );
}
