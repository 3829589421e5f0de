// The shell: top bar with the workspace path and the screen tabs; starts the progress channel once.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

import { watchProgress, workspaceInfo } from './api';
import { errorText } from './apiError';
import type { WorkspaceInfo } from './bindings/WorkspaceInfo';
import { ErrorBanner } from './components/ErrorBanner';
import { Guide } from './components/Guide';
import { HelpMenu } from './components/HelpMenu';
import { onGoTo } from './navigation';
import { publishProgress } from './progressHub';
import { ConfigsScreen } from './screens/ConfigsScreen';
import { DataScreen } from './screens/DataScreen';
import { PackagesScreen } from './screens/PackagesScreen';
import { PipelinesScreen } from './screens/PipelinesScreen';
import { ReviewScreen } from './screens/ReviewScreen';
import { RunsScreen } from './screens/RunsScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { StrategiesScreen } from './screens/StrategiesScreen';

export type Tab = 'data' | 'strategies' | 'configs' | 'runs' | 'packages' | 'pipelines' | 'review' | 'settings';

const TABS: { id: Tab; label: string }[] = [
  { id: 'data', label: 'Data' },
  { id: 'strategies', label: 'Strategies' },
  { id: 'configs', label: 'Configs' },
  { id: 'runs', label: 'Runs' },
  { id: 'packages', label: 'Packages' },
  { id: 'pipelines', label: 'Pipelines' },
  { id: 'review', label: 'Review' },
  { id: 'settings', label: 'Settings' },
];

let progressWatchStarted = false;

export function App() {
  const [tab, setTab] = useState<Tab>('data');
  const [workspace, setWorkspace] = useState<WorkspaceInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped by a switch of workspace: the screens remount under the new key and read it afresh.
  const [workspaceEpoch, setWorkspaceEpoch] = useState(0);
  const [reviewRequest, setReviewRequest] = useState<{ runId: string; seq: number; widen?: boolean } | null>(null);
  const [guideOpen, setGuideOpen] = useState(false);
  const tabRefs = useRef(new Map<Tab, HTMLButtonElement>());

  useEffect(() => onGoTo(setTab), []);

  useEffect(() => {
    workspaceInfo().then(setWorkspace, (e: unknown) => setError(errorText(e, 'Could not open the workspace')));
    if (!progressWatchStarted) {
      progressWatchStarted = true;
      watchProgress(publishProgress).catch((e: unknown) => {
        progressWatchStarted = false;
        setError(errorText(e, 'Live run progress is unavailable'));
      });
    }
  }, []);

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>, index: number) => {
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = (index + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    const t = TABS[next];
    if (!t) return;
    setTab(t.id);
    tabRefs.current.get(t.id)?.focus();
  };

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Matchbook</span>
        <div className="tabs" role="tablist" aria-label="Screens">
          {TABS.map((t, i) => (
            <button
              key={t.id}
              id={`nav-${t.id}`}
              ref={(el) => {
                if (el) tabRefs.current.set(t.id, el);
                else tabRefs.current.delete(t.id);
              }}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className="tab"
              onClick={() => setTab(t.id)}
              onKeyDown={(e) => onTabKey(e, i)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <span className="workspace" title={workspace?.path ?? ''}>
          {workspace ? (
            <>
              <span className="muted">Workspace</span> <span className="workspace-path">{workspace.path}</span>
            </>
          ) : (
            <span className="muted">Opening workspace…</span>
          )}
        </span>
        <HelpMenu onGuide={() => setGuideOpen(true)} />
      </header>
      <Guide key={`guide-${workspaceEpoch}`} open={guideOpen} onOpenChange={setGuideOpen} />
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <main className="screens" key={`screens-${workspaceEpoch}`}>
        <section id="panel-data" role="tabpanel" aria-labelledby="nav-data" hidden={tab !== 'data'} className="screen">
          <DataScreen active={tab === 'data'} />
        </section>
        <section id="panel-strategies" role="tabpanel" aria-labelledby="nav-strategies" hidden={tab !== 'strategies'} className="screen">
          <StrategiesScreen active={tab === 'strategies'} />
        </section>
        <section id="panel-configs" role="tabpanel" aria-labelledby="nav-configs" hidden={tab !== 'configs'} className="screen">
          <ConfigsScreen active={tab === 'configs'} />
        </section>
        <section id="panel-runs" role="tabpanel" aria-labelledby="nav-runs" hidden={tab !== 'runs'} className="screen">
          <RunsScreen
            active={tab === 'runs'}
            onReview={(runId) => {
              setReviewRequest((prev) => ({ runId, seq: (prev?.seq ?? 0) + 1 }));
              setTab('review');
            }}
          />
        </section>
        <section id="panel-packages" role="tabpanel" aria-labelledby="nav-packages" hidden={tab !== 'packages'} className="screen">
          <PackagesScreen
            active={tab === 'packages'}
            onReview={(runId) => {
              // A bundle's run holds its few documents: show them all, not only the review band.
              setReviewRequest((prev) => ({ runId, seq: (prev?.seq ?? 0) + 1, widen: true }));
              setTab('review');
            }}
          />
        </section>
        <section id="panel-pipelines" role="tabpanel" aria-labelledby="nav-pipelines" hidden={tab !== 'pipelines'} className="screen">
          <PipelinesScreen active={tab === 'pipelines'} />
        </section>
        <section id="panel-review" role="tabpanel" aria-labelledby="nav-review" hidden={tab !== 'review'} className="screen">
          <ReviewScreen active={tab === 'review'} request={reviewRequest} />
        </section>
        <section id="panel-settings" role="tabpanel" aria-labelledby="nav-settings" hidden={tab !== 'settings'} className="screen">
          <SettingsScreen
            active={tab === 'settings'}
            onWorkspaceChanged={(info) => {
              setWorkspace(info);
              setReviewRequest(null);
              setWorkspaceEpoch((n) => n + 1);
            }}
          />
        </section>
      </main>
    </div>
  );
}
