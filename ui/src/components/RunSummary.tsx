// The selected run at a glance: counters, run type, confidence histogram, counts per band and review status, AI suggestions, a smart run's m/u estimates, actions, export.
import type { BlockSizes } from '../bindings/BlockSizes';
import type { CandidateSearch } from '../bindings/CandidateSearch';
import type { FieldBlockSizes } from '../bindings/FieldBlockSizes';
import type { Run } from '../bindings/Run';
import type { RunSummary as Summary } from '../bindings/RunSummary';
import type { SuggestionSummary } from '../bindings/SuggestionSummary';
import { RUN_TYPE_LABEL, formatCount, formatDateTime, formatPairsCompared, formatPercent, toCount } from '../format';
import { isFinalStatus } from '../progressHub';
import { ExportPanel } from './ExportPanel';
import { Histogram, type BandCounts } from './Histogram';
import { MuChart } from './MuChart';
import { StatusBadge } from './StatusBadge';

interface Props {
  /** The run as the list knows it, kept live by progress events; the summary's copy may be older. */
  run: Run;
  summary: Summary | null;
  error: string | null;
  rerun: { disabled: boolean; title: string };
  onRerun: () => void;
  onOpenReview: () => void;
  /** Whether ai-resolve can start, and why not. */
  aiResolve: { disabled: boolean; title: string };
  onAiResolve: () => void;
  /** The smart run's strategy as the lists name it; null when unknown or a standard run. */
  strategyName?: string | null;
}

/** Whether there are results worth opening in the review desk. */
export function canReview(run: Run): boolean {
  return run.status === 'completed' || run.status === 'cancelled';
}

export function RunSummary({ run, summary, error, rerun, onRerun, onOpenReview, aiResolve, onAiResolve, strategyName = null }: Props) {
  const reviewable = canReview(run);
  return (
    <section id="run-summary" className="card run-summary" aria-labelledby="run-summary-heading" data-run-id={run.id}>
      <div className="card-head row run-summary-head">
        <h2 id="run-summary-heading">
          {run.config_name} <span className="muted run-summary-date">{formatDateTime(run.started_at ?? run.created_at)}</span>
        </h2>
        <div className="run-summary-actions">
          <StatusBadge status={run.status} />
          <button
            id="open-review"
            type="button"
            className="primary"
            onClick={onOpenReview}
            disabled={!reviewable}
            title={reviewable ? 'Open this run in the Review screen' : 'There is nothing to review until the run has finished.'}
          >
            Open in Review
          </button>
          <span className="rerun-wrap" title={aiResolve.title}>
            <button id="ai-resolve" type="button" onClick={onAiResolve} disabled={aiResolve.disabled} title={aiResolve.title}>
              {run.status === 'ai_resolving' ? 'AI resolving…' : 'AI resolve'}
            </button>
          </span>
          {/* A disabled button shows no tooltip in every webview: the wrapper carries it too. */}
          <span className="rerun-wrap" title={rerun.title}>
            <button
              id="rerun"
              type="button"
              onClick={onRerun}
              disabled={rerun.disabled}
              title={rerun.title}
              aria-describedby={rerun.disabled ? 'rerun-why' : undefined}
            >
              Re-run
            </button>
            {rerun.disabled && (
              <span id="rerun-why" className="visually-hidden">
                {rerun.title}
              </span>
            )}
          </span>
        </div>
      </div>
      {run.error && <p className="run-summary-error">{run.error}</p>}
      <dl className="run-stats">
        <div>
          <dt>Run type</dt>
          <dd id="run-type" data-run-type={run.run_type} title={run.run_type === 'smart' ? 'Decided by the strategy’s match model: the confidence is a match probability' : 'Decided by the config’s weights and threshold'}>
            {RUN_TYPE_LABEL[run.run_type]}
            {run.run_type === 'smart' && <span className="small muted run-strategy"> · {strategyName ?? run.strategy_id ?? 'strategy gone'}</span>}
          </dd>
        </div>
        <div>
          <dt>Rows processed</dt>
          <dd>
            {formatCount(run.rows_processed)} / {formatCount(run.rows_total)}
          </dd>
        </div>
        <div>
          <dt>Rows matched</dt>
          <dd>{formatCount(run.rows_matched)}</dd>
        </div>
        <div>
          <dt>Average confidence</dt>
          <dd title="Mean confidence of the matched rows">{formatPercent(run.avg_confidence)}</dd>
        </div>
        <div>
          <dt>Pairs compared</dt>
          <dd title={formatPairsCompared(run.pairs_compared) || undefined}>{formatCount(run.pairs_compared)}</dd>
        </div>
      </dl>
      {summary && <CandidateSearchNote search={summary.candidate_search} sizes={summary.block_sizes} />}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : summary === null ? (
        <p className="muted">Loading the summary…</p>
      ) : (
        <div className="run-summary-body">
          <div className="run-summary-chart">
            <h3>Confidence of the results{!isFinalStatus(run.status) && <span className="muted small"> (so far)</span>}</h3>
            <SummaryChart summary={summary} />
          </div>
          <ExportPanel key={run.id} run={run} />
        </div>
      )}
      {summary && <SuggestionLine suggestions={summary.suggestions} />}
      {summary?.field_estimates && (
        <details id="run-estimates" className="run-estimates" open>
          <summary>Match model: what the strategy estimated per field and agreement level</summary>
          <MuChart id="run-mu-chart" estimates={summary.field_estimates} />
        </details>
      )}
    </section>
  );
}

/** What ai-resolve settled on this run and what reviewers made of it. */
function SuggestionLine({ suggestions }: { suggestions: SuggestionSummary }) {
  const made = toCount(suggestions.made);
  if (made === 0)
    return (
      <p id="run-suggestions" className="run-suggestions small muted" data-made="0">
        AI resolve has settled none of this run’s results yet: start it with “AI resolve” once the run has completed.
      </p>
    );
  return (
    <p id="run-suggestions" className="run-suggestions small" data-made={made}>
      <span className="muted">AI resolve settled</span> <strong data-suggestions="made">{formatCount(made)}</strong>{' '}
      <span className="muted">{made === 1 ? 'result' : 'results'} with a suggestion:</span>{' '}
      <span data-suggestions="open">
        open <strong>{formatCount(toCount(suggestions.open))}</strong>
      </span>
      {' · '}
      <span data-suggestions="accepted">
        accepted <strong>{formatCount(toCount(suggestions.accepted))}</strong>
      </span>
      {' · '}
      <span data-suggestions="dismissed">
        dismissed <strong>{formatCount(toCount(suggestions.dismissed))}</strong>
      </span>
    </p>
  );
}

/**
 * How the run found its candidates: the keys its config names, or those picked per field; and the
 * block sizes it measured on its reference data (null for runs from before they were measured).
 */
function CandidateSearchNote({ search, sizes }: { search: CandidateSearch; sizes: BlockSizes | null }) {
  const named = search.named_keys.length > 0;
  return (
    <details id="run-candidate-search" className="run-candidate-search">
      <summary>
        Candidate search:{' '}
        {named
          ? `blocking keys named by the config, ${search.strategy === 'ordered_fallback' ? 'each in turn until one finds a candidate' : 'every key, candidates in union'}`
          : `keys picked per field; blocks up to ${formatCount(search.compared_whole_up_to)} rows compared whole, larger ones split by the other fields`}
      </summary>
      {named ? (
        <ol>
          {search.named_keys.map((key, i) => (
            <li key={i}>{key.fields.join(' + ')}</li>
          ))}
        </ol>
      ) : (
        <ul>
          {search.fields.map((f, i) => (
            <li key={i}>
              {f.source} → {f.target}: {f.keys.length > 0 ? f.keys.join(', ') : 'compared only, not searched'}
            </li>
          ))}
        </ul>
      )}
      {sizes && <BlockSizesTable sizes={sizes} />}
    </details>
  );
}

/**
 * Per field, how the reference rows fall into blocks of rows sharing one value: an oversized
 * block (a common surname, "Ltd", a popular suburb) shows as a large "largest" and share over
 * the limits.
 */
function BlockSizesTable({ sizes }: { sizes: BlockSizes }) {
  const whole = formatCount(sizes.compared_whole_up_to);
  const walked = formatCount(sizes.walked_up_to);
  const shareOf = (part: number, f: FieldBlockSizes) => (f.rows_with_value > 0 ? formatPercent(part / f.rows_with_value) : '—');
  return (
    <table id="run-block-sizes" className="table dense block-sizes" aria-label="Block sizes of the reference data, per field">
      <caption>Block sizes of the reference data (rows sharing one value; median and p99 weighted by rows)</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Values</th>
          <th scope="col">Largest block</th>
          <th scope="col">Median</th>
          <th scope="col">p99</th>
          <th scope="col" title={`Rows in blocks of more than ${whole} rows, which are split by the other fields`}>
            Over {whole}
          </th>
          <th scope="col" title={`Rows in blocks of more than ${walked} rows, which are not walked`}>
            Over {walked}
          </th>
        </tr>
      </thead>
      <tbody>
        {sizes.fields.map((f, i) => (
          <tr key={i} data-field={f.source}>
            <th scope="row">
              {f.source} → {f.target}
            </th>
            <td data-col="values">{formatCount(f.values)}</td>
            <td data-col="largest">
              {formatCount(f.largest)}
              {f.largest_value !== null && <span className="muted"> ({f.largest_value})</span>}
            </td>
            <td data-col="median">{formatCount(f.median)}</td>
            <td data-col="p99">{formatCount(f.p99)}</td>
            <td data-col="over-whole">{shareOf(f.rows_over_compared_whole, f)}</td>
            <td data-col="over-walked">{shareOf(f.rows_over_walked, f)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SummaryChart({ summary }: { summary: Summary }) {
  const bands: BandCounts = {
    matched: toCount(summary.matched),
    review: toCount(summary.review),
    below: toCount(summary.below),
    noCandidate: toCount(summary.no_candidate),
  };
  const bins = summary.histogram.map(toCount);
  const { threshold, review_floor: floor } = summary;
  const rows: { band: string; label: string; detail: string; count: number }[] = [
    { band: 'matched', label: 'Matched', detail: `at or above ${formatPercent(threshold)}`, count: bands.matched },
    { band: 'review', label: 'Review band', detail: `${formatPercent(floor)} to below ${formatPercent(threshold)}`, count: bands.review },
    { band: 'below', label: 'Below floor', detail: `under ${formatPercent(floor)}, with a candidate`, count: bands.below },
    { band: 'no_candidate', label: 'No candidate', detail: 'no reference row came near', count: bands.noCandidate },
  ];
  const counts = summary.counts;
  return (
    <>
      <Histogram id="histogram" bins={bins} threshold={threshold} reviewFloor={floor} bands={bands} />
      <ul className="band-counts" aria-label="Results per band">
        {rows.map((r) => (
          <li key={r.band} className={`band-count band-count-${r.band}`}>
            <span className="band-swatch" aria-hidden="true" />
            <span className="band-count-label">
              {r.label} <span className="muted small">{r.detail}</span>
            </span>
            <strong className="band-count-value" data-band={r.band}>
              {formatCount(r.count)}
            </strong>
          </li>
        ))}
      </ul>
      <p className="review-tally small">
        <span className="muted">Review:</span>
        <span data-review="pending">
          Pending <strong>{formatCount(toCount(counts.pending))}</strong>
        </span>
        <span data-review="approved">
          Approved <strong>{formatCount(toCount(counts.approved))}</strong>
        </span>
        <span data-review="rejected">
          Rejected <strong>{formatCount(toCount(counts.rejected))}</strong>
        </span>
      </p>
    </>
  );
}
