// Review screen: pick a run, filter and sort its queue, walk it with the keyboard in a virtualised list, approve or reject (one by one or in bulk) with the evidence in view.
// The state lives in the hooks of ./review (one concern each); this component wires them together and lays the screen out.
import { useEffect, useState } from 'react';

import { ErrorBanner } from '../components/ErrorBanner';
import { ResultDetail } from '../components/ResultDetail';
import { onReviewBandRequest, signalGuide } from '../guide';
import { goTo } from '../navigation';
import { cachedAt } from '../review';
import { nextRedo, nextUndo } from '../undo';
import { BulkApproveField } from './review/BulkApproveField';
import { BulkConfirmDialog } from './review/BulkConfirmDialog';
import { RESULTS_PAGE_SIZE } from './review/constants';
import { ResultsList } from './review/ResultsList';
import { ResultsPane } from './review/ResultsPane';
import { ReviewFilterBar } from './review/ReviewFilterBar';
import { ReviewToolbar } from './review/ReviewToolbar';
import { ShortcutsDialog } from './review/ShortcutsDialog';
import { useBulkApproval } from './review/useBulkApproval';
import { useDecisions, type DeskState } from './review/useDecisions';
import { useEvidence } from './review/useEvidence';
import { useKeepInView, useListViewport } from './review/useListViewport';
import { usePageCache } from './review/usePageCache';
import { useReviewCounts } from './review/useReviewCounts';
import { useReviewFilters } from './review/useReviewFilters';
import { useReviewKeyboard } from './review/useReviewKeyboard';
import { useReviewRuns, type ReviewRequest } from './review/useReviewRuns';
import { useRunContext } from './review/useRunContext';
import { useSelection } from './review/useSelection';
import { useSuggestions } from './review/useSuggestions';
import { useTick } from './review/useTick';
import '../styles/review.css';

export { RESULTS_PAGE_SIZE, ROW_HEIGHT, SEARCH_DEBOUNCE_MS } from './review/constants';

interface Props {
  active: boolean;
  /** A run to open, asked for by another screen; `seq` changes with every request. */
  request?: ReviewRequest;
}

export function ReviewScreen({ active, request = null }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [reloadTick, reloadQueue] = useTick();
  const [countTick, refreshCounts] = useTick();

  // Hook order is effect order: the queue starts over before the rows in view are fetched, and both before the selection is scrolled into view.
  const runs = useReviewRuns({ active, request, onError: setError, onShownRunFinished: reloadQueue });
  const { runId, runIdRef } = runs;
  const context = useRunContext(runs.run?.matching_config_id ?? null, runs.run?.strategy_id ?? null, runs.run?.id ?? null);
  const bandKnown = runId !== null && context.loadedFor === runId;
  const filters = useReviewFilters(bandKnown ? { reviewFloor: context.reviewFloor, threshold: context.threshold } : null);
  const { showBand, showAll } = filters;
  const selection = useSelection();
  const { selectedIndex, selectIndex } = selection;
  const viewport = useListViewport(selection.indexRef);
  const pages = usePageCache({ runId, query: filters.query, queryValid: filters.valid, reloadTick, selection, viewport, onError: setError });
  const { cache, total } = pages;
  const counts = useReviewCounts(runId, reloadTick, countTick);
  const selected = cachedAt(cache.pages, selectedIndex, RESULTS_PAGE_SIZE) ?? null;
  const evidence = useEvidence(selected, context.referenceDataId, runId);
  useKeepInView(viewport, selectedIndex);

  const desk: DeskState = { runId, runIdRef, saving, setSaving, setError, setNotice, refreshCounts, reloadQueue };
  const decisions = useDecisions({ desk, selected, selectIndex, pages, evidence });
  const suggestions = useSuggestions({ desk, selected, selectionRef: selection.indexRef, selectIndex, pages, evidence, record: decisions.record });
  const bulk = useBulkApproval({ desk, query: filters.query, queryValid: filters.valid, threshold: context.threshold, record: decisions.record });

  useReviewKeyboard(active, {
    bulkOpen: bulk.ask !== null,
    closeBulk: bulk.close,
    helpOpen,
    setHelpOpen,
    total,
    selected,
    selectedIndex,
    selectIndex,
    viewportHeight: viewport.viewportHeight,
    decide: decisions.decide,
    step: decisions.step,
    suggest: suggestions.answer,
    nextSuggestion: suggestions.next,
    setNotice,
  });

  // Another screen's run opens on its review band, unless that screen asked for all of it (a bundle's few documents).
  useEffect(() => {
    if (request?.widen) showAll();
    else if (request) showBand();
  }, [request, showAll, showBand]);
  useEffect(() => onReviewBandRequest(showBand), [showBand]);
  // The guided first start's "open the review band" step.
  useEffect(() => {
    if (active && bandKnown && filters.bandOn) signalGuide('band');
  }, [active, bandKnown, filters.bandOn]);

  const clearFilters = () => {
    filters.reset();
    runs.setConfigFilter('');
    runs.setBundlesOnly(false);
  };

  return (
    <div className="review-screen">
      <div className="card toolbar-card review-toolbar">
        <ReviewToolbar
          runs={runs.runs ?? []}
          runId={runId}
          onPickRun={runs.pickRun}
          configFiltered={runs.configFilter !== ''}
          status={filters.filters.status}
          onStatus={(status) => filters.setFilters((cur) => ({ ...cur, status }))}
          canUndo={!!nextUndo(decisions.history) && !saving}
          canRedo={!!nextRedo(decisions.history) && !saving}
          onStep={(kind) => void decisions.step(kind)}
          onShowShortcuts={() => setHelpOpen(true)}
        />
        <ReviewFilterBar
          configs={runs.configs}
          configFilter={runs.configFilter}
          onConfigFilter={runs.setConfigFilter}
          bundlesOnly={runs.bundlesOnly}
          onBundlesOnly={runs.setBundlesOnly}
          state={filters}
          onClear={clearFilters}
        >
          <BulkApproveField bulk={bulk} />
        </ReviewFilterBar>
      </div>
      {helpOpen && <ShortcutsDialog onClose={() => setHelpOpen(false)} />}
      {bulk.ask && <BulkConfirmDialog ask={bulk.ask} saving={saving} onConfirm={() => void bulk.confirm()} onCancel={bulk.close} />}
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />
      {!runId ? (
        <p className="empty card" id="review-empty">
          {runs.bundlesOnly ? 'No bundle is held for review.' : runs.configFilter ? 'This config has no run to review yet.' : 'No finished run to review yet.'}{' '}
          {runs.bundlesOnly || runs.configFilter ? (
            <button
              type="button"
              id="review-empty-action"
              className="link"
              onClick={() => {
                runs.setConfigFilter('');
                runs.setBundlesOnly(false);
              }}
            >
              Show every run
            </button>
          ) : (
            <button type="button" id="review-empty-action" className="link" onClick={() => goTo('runs')}>
              Start a run
            </button>
          )}
        </p>
      ) : (
        <div className="review-body">
          <ResultsPane total={cache.total} filters={filters.filters} counts={counts} bandOn={filters.bandOn} onShowAll={clearFilters}>
            <ResultsList
              pages={cache.pages}
              total={total}
              range={pages.range}
              stale={cache.stale}
              selectedIndex={selectedIndex}
              onSelect={selectIndex}
              context={context}
              listRef={viewport.listRef}
              onScroll={viewport.onScroll}
              shownRunId={cache.key.split('\u0000')[0] || undefined}
            />
          </ResultsPane>
          <section className="card detail-pane" aria-label="Evidence">
            {selected ? (
              <ResultDetail
                key={selected.id}
                result={selected}
                threshold={context.threshold}
                reviewFloor={context.reviewFloor}
                decisions={evidence.decisions}
                referenceColumns={context.referenceColumns}
                referenceRecords={evidence.records}
                notes={evidence.notes}
                onNotes={evidence.setNotes}
                onDecide={decisions.onDecide}
                onSuggestion={suggestions.onAnswer}
                modelPrior={context.modelPrior}
                saving={saving}
              />
            ) : selectedIndex >= 0 ? (
              <p className="muted">Loading…</p>
            ) : (
              <p className="empty">Select a result to see its evidence.</p>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
