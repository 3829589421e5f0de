// Packages screen: the package configs (bundles of document types judged together, spec A.8) with their editor, running a bundle, and the package runs with their verdicts, filtered by verdict, each opened to its slots, evidence and rules.
import { useCallback, useEffect, useRef, useState } from 'react';

import { createPackageConfig, deletePackageConfig, listConfigs, listPackageConfigs, listPackageRuns, patchPackageConfig, runPackage } from '../api';
import { errorText, toApiCallError } from '../apiError';
import type { InputRow } from '../bindings/InputRow';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { PackageConfig } from '../bindings/PackageConfig';
import type { PackageRun } from '../bindings/PackageRun';
import type { PackageVerdict } from '../bindings/PackageVerdict';
import { BundleForm } from '../components/BundleForm';
import { ErrorBanner } from '../components/ErrorBanner';
import { PackageEditor } from '../components/PackageEditor';
import { PackageRunView } from '../components/PackageRunView';
import { formatDateTime } from '../format';
import { focusField, goTo } from '../navigation';
import { bundleInputOf, emptyPackageForm, formOfPackage, packageFieldId, packageInputOf, VERDICT_LABEL, VERDICTS, type PackageForm } from '../packages';
import '../styles/data.css';

interface Props {
  active: boolean;
  /** Open a slot's matching run in the review desk. */
  onReview: (runId: string) => void;
}

export function PackagesScreen({ active, onReview }: Props) {
  const [packages, setPackages] = useState<PackageConfig[] | null>(null);
  const [configs, setConfigs] = useState<MatchingConfig[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [form, setForm] = useState<PackageForm>(emptyPackageForm());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [running, setRunning] = useState(false);
  const [runs, setRuns] = useState<PackageRun[]>([]);
  const [verdict, setVerdict] = useState<PackageVerdict | ''>('');
  const [openRun, setOpenRun] = useState<PackageRun | null>(null);
  const onError = useCallback((text: string) => setError(text), []);

  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;

  /** Reloads the lists; `select` picks a package (null: a new one), else the one shown stays (its unsaved edits too). */
  const reload = useCallback(async (select?: string | null) => {
    try {
      const [p, c] = await Promise.all([listPackageConfigs(), listConfigs()]);
      setPackages(p);
      setConfigs(c);
      const current = selectedRef.current;
      const next = select !== undefined ? select : current && p.some((x) => x.id === current) ? current : (p[0]?.id ?? null);
      const chosen = p.find((x) => x.id === next) ?? null;
      if (select !== undefined || chosen?.id !== current) {
        setSelectedId(chosen?.id ?? null);
        setForm(chosen ? formOfPackage(chosen) : emptyPackageForm(c[0]?.id ?? ''));
      }
    } catch (e) {
      setError(errorText(e, 'Could not load the packages'));
    }
  }, []);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

  const loadRuns = useCallback(async () => {
    if (!selectedId) {
      setRuns([]);
      return;
    }
    try {
      setRuns(await listPackageRuns(selectedId, verdict || undefined));
    } catch (e) {
      setError(errorText(e, 'Could not load the package runs'));
    }
  }, [selectedId, verdict]);

  useEffect(() => {
    if (active) void loadRuns();
  }, [active, loadRuns]);

  const selected = packages?.find((p) => p.id === selectedId) ?? null;

  const select = (p: PackageConfig | null) => {
    setSelectedId(p?.id ?? null);
    setForm(p ? formOfPackage(p) : emptyPackageForm(configs[0]?.id ?? ''));
    setErrors({});
    setOpenRun(null);
  };

  const save = async () => {
    setSaving(true);
    setErrors({});
    setError(null);
    try {
      const input = packageInputOf(form);
      const saved = selected ? await patchPackageConfig(selected.id, input) : await createPackageConfig(input);
      setNotice(selected ? 'Saved the package.' : 'Created the package.');
      await reload(saved.id);
    } catch (e) {
      const err = toApiCallError(e);
      if (err.field) setErrors({ [packageFieldId(err.field)]: err.message });
      else setError(errorText(err, 'Could not save the package'));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!selected) return;
    setSaving(true);
    try {
      await deletePackageConfig(selected.id);
      setNotice(`Deleted ${selected.name} and its runs.`);
      await reload(null);
    } catch (e) {
      setError(errorText(e, 'Could not delete the package'));
    } finally {
      setSaving(false);
    }
  };

  const run = async (documents: Record<string, InputRow[]>) => {
    if (!selected) return;
    setRunning(true);
    setError(null);
    try {
      const result = await runPackage(bundleInputOf(selected.id, documents));
      setOpenRun(result);
      await loadRuns();
    } catch (e) {
      setError(errorText(e, 'Could not run the bundle'));
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="packages-screen">
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />
      <div className="columns">
        <div className="card package-list">
          <h3>Packages</h3>
          {packages && packages.length === 0 && (
            <p className="muted" id="packages-empty">
              No package yet: define the document types a bundle holds.{' '}
              {configs.length === 0 ? (
                <button type="button" id="packages-empty-action" className="link" onClick={() => goTo('configs')}>
                  Create a config first
                </button>
              ) : (
                <button type="button" id="packages-empty-action" className="link" onClick={() => focusField('pk-name')}>
                  Define the first one
                </button>
              )}
            </p>
          )}
          <ul>
            {packages?.map((p) => (
              <li key={p.id} data-package-id={p.id} className={p.id === selectedId ? 'selected' : ''}>
                <button type="button" className="link" onClick={() => select(p)}>
                  {p.name}
                </button>
                <span className="muted"> {p.document_type_configs.map((s) => s.document_type).join(' + ')}</span>
              </li>
            ))}
          </ul>
          <button type="button" id="package-new" onClick={() => select(null)}>
            New package
          </button>
        </div>
        <PackageEditor form={form} onChange={setForm} configs={configs} errors={errors} saving={saving} isNew={!selected} onSave={() => void save()} onDelete={() => void remove()} />
      </div>
      {selected && (
        <div className="columns">
          <BundleForm pkg={selected} configs={configs} running={running} onRun={(d) => void run(d)} onError={onError} />
          <div className="card package-runs">
            <h3>Runs</h3>
            <label htmlFor="package-runs-status">Verdict</label>
            <select id="package-runs-status" value={verdict} onChange={(e) => setVerdict(e.target.value as PackageVerdict | '')}>
              <option value="">All verdicts</option>
              {VERDICTS.map((v) => (
                <option key={v} value={v}>
                  {VERDICT_LABEL[v]}
                </option>
              ))}
            </select>
            <table id="package-runs">
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id} data-package-run-id={r.id} data-verdict={r.status} className={openRun?.id === r.id ? 'selected' : ''}>
                    <td>
                      <button type="button" className="link open-package-run" onClick={() => setOpenRun(r)}>
                        {formatDateTime(r.created_at)}
                      </button>
                    </td>
                    <td className={`verdict verdict-${r.status}`}>{VERDICT_LABEL[r.status]}</td>
                    <td className="muted">{Object.values(r.input_documents).flat().join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {runs.length === 0 && (
              <p className="muted" id="package-runs-empty">
                {verdict ? (
                  <>
                    No run with the verdict {VERDICT_LABEL[verdict]} yet.{' '}
                    <button type="button" className="link" onClick={() => setVerdict('')}>
                      Show all runs
                    </button>
                  </>
                ) : (
                  'No run yet: read a bundle’s documents on the left and run it.'
                )}
              </p>
            )}
          </div>
        </div>
      )}
      {openRun && <PackageRunView run={openRun} onReview={onReview} onError={onError} />}
    </div>
  );
}
