// A pipeline run's matches: filtered by matchType and by a score floor, sorted by score or source, a page at a time; the focused match is confirmed (a) or rejected (r) for the next runs.
import { useEffect, useMemo, useState } from 'react';

import type { MatchField } from '../../bindings/MatchField';
import type { Pipeline } from '../../bindings/Pipeline';
import type { PipelineMatch } from '../../bindings/PipelineMatch';
import { formatPercent } from '../../format';
import { countByType, entityLabel, externalIdOf, filterMatches, MATCH_TYPE_LABEL, MATCH_TYPES, matchDecision, NO_MATCH_FILTER, type MatchFilter, type MatchSort } from '../../pipelines';
import { KeyHint, KeyList, rowId } from './KeyList';

/** Rows shown at once: a run can match tens of thousands of sources. */
export const MATCH_PAGE = 100;

interface Props {
  pipeline: Pipeline;
  matches: PipelineMatch[];
  busy: boolean;
  onDecide: (match: PipelineMatch, confirm: boolean) => void;
}

const SORTS: { value: MatchSort; label: string }[] = [
  { value: 'score-desc', label: 'Score, highest first' },
  { value: 'score-asc', label: 'Score, lowest first' },
  { value: 'source', label: 'Source, A to Z' },
];

export function MatchesPanel({ pipeline, matches, busy, onDecide }: Props) {
  const [filter, setFilter] = useState<MatchFilter>(NO_MATCH_FILTER);
  const [index, setIndex] = useState(-1);
  const field: MatchField | undefined = pipeline.modelParameters.matchFields?.[0] ?? undefined;
  const shown = useMemo(() => filterMatches(matches, filter, field?.source), [matches, filter, field?.source]);
  const counts = useMemo(() => countByType(matches), [matches]);

  // A new run or filter starts at the top; a decision keeps the place.
  useEffect(() => setIndex(-1), [matches, filter]);

  const page = Math.floor(Math.max(0, index) / MATCH_PAGE);
  const pages = Math.max(1, Math.ceil(shown.length / MATCH_PAGE));
  const focused = index >= 0 ? shown[index] : undefined;

  const decide = (i: number, confirm: boolean) => {
    const m = shown[i];
    if (!m || busy) return;
    onDecide(m, confirm);
    setIndex(Math.min(shown.length - 1, i + 1));
  };

  return (
    <div className="card pipeline-matches-card">
      <h3>Matches</h3>
      <div className="toolbar">
        <label htmlFor="pipeline-match-type">Type</label>
        <select id="pipeline-match-type" value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.target.value as MatchFilter['type'] })}>
          <option value="">All ({matches.length})</option>
          {MATCH_TYPES.map((t) => (
            <option key={t} value={t}>
              {MATCH_TYPE_LABEL[t]} ({counts[t]})
            </option>
          ))}
        </select>
        <label htmlFor="pipeline-min-score">Score at least</label>
        <input id="pipeline-min-score" type="number" min="0" max="1" step="0.05" value={filter.minScore} placeholder="0" onChange={(e) => setFilter({ ...filter, minScore: e.target.value })} />
        <label htmlFor="pipeline-sort">Sort</label>
        <select id="pipeline-sort" value={filter.sort} onChange={(e) => setFilter({ ...filter, sort: e.target.value as MatchSort })}>
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <span className="muted" id="pipeline-match-count" data-count={shown.length}>
          {shown.length} of {matches.length}
        </span>
      </div>
      <KeyList id="pipeline-matches" label="Matches" count={shown.length} index={index} onIndex={setIndex} onDecide={decide}>
        {(pick) => (
          <table className="table dense">
            <thead>
              <tr>
                <th>Source</th>
                <th>Target</th>
                <th>Type</th>
                <th className="num">Score</th>
                <th>Decided</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(page * MATCH_PAGE, (page + 1) * MATCH_PAGE).map((m, k) => {
                const i = page * MATCH_PAGE + k;
                const source = externalIdOf(m.source);
                const target = externalIdOf(m.target);
                const decision = matchDecision(pipeline, source, target);
                return (
                  <tr
                    key={`${source}\u0000${target}`}
                    id={rowId('pipeline-matches', i)}
                    className={i === index ? 'selected focused' : ''}
                    aria-selected={i === index}
                    data-match-type={m.matchType}
                    data-score={m.score}
                    data-source={source}
                    data-target={target}
                    data-decision={decision ?? ''}
                    onClick={() => pick(i)}
                  >
                    <td title={source}>{entityLabel(m.source, field?.source)}</td>
                    <td title={target}>{entityLabel(m.target, field?.target)}</td>
                    <td>
                      <span className={`match-type match-type-${m.matchType}`}>{MATCH_TYPE_LABEL[m.matchType]}</span>
                    </td>
                    <td className="num">{formatPercent(m.score)}</td>
                    <td className={decision ? `decision decision-${decision}` : 'muted'}>{decision ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </KeyList>
      {shown.length === 0 && <p className="muted">No match{filter.type || filter.minScore ? ' passes the filter' : ''}.</p>}
      <div className="toolbar pipeline-match-actions">
        <button type="button" id="match-confirm" className="approve" disabled={!focused || busy} onClick={() => decide(index, true)}>
          Confirm <kbd>a</kbd>
        </button>
        <button type="button" id="match-reject" className="reject" disabled={!focused || busy} onClick={() => decide(index, false)}>
          Reject <kbd>r</kbd>
        </button>
        {pages > 1 && (
          <span className="pager">
            <button type="button" id="pipeline-matches-prev" disabled={page === 0} onClick={() => setIndex((page - 1) * MATCH_PAGE)}>
              Previous
            </button>
            <span className="muted">
              Page {page + 1} of {pages}
            </span>
            <button type="button" id="pipeline-matches-next" disabled={page + 1 >= pages} onClick={() => setIndex((page + 1) * MATCH_PAGE)}>
              Next
            </button>
          </span>
        )}
      </div>
      <KeyHint />
    </div>
  );
}
