// A pipeline run's generated rules: each with the matches it makes, its conflicts and overlaps, and what the pipeline decided of it; the focused rule is accepted (a: the next run matches by it) or rejected (r: never suggested again), and its matches are listed, conflicts first.
import { useEffect, useMemo, useState } from 'react';

import type { GeneratedRule } from '../../bindings/GeneratedRule';
import type { Pipeline } from '../../bindings/Pipeline';
import type { RuleMatch } from '../../bindings/RuleMatch';
import type { SuggestedRule } from '../../bindings/SuggestedRule';
import { formatPercent } from '../../format';
import { ruleDecision, ruleText } from '../../pipelines';
import { KeyHint, KeyList, rowId } from './KeyList';

/** Pairs of the focused rule shown at once. */
const RULE_MATCHES_SHOWN = 200;

interface Props {
  pipeline: Pipeline;
  rules: GeneratedRule[];
  /** The same rules in the older shape (same order): their readable patterns and mean scores. */
  suggested: SuggestedRule[];
  /** A readable name for a source or target external id, where the run knows one. */
  labels: { sources: Map<string, string>; targets: Map<string, string> };
  busy: boolean;
  onTake: (index: number, accept: boolean) => void;
}

/** A pair that disagrees with the run: the run matched the source to another target. */
function isConflict(m: RuleMatch): boolean {
  return !m.consistentMatch && m.existingMatchType !== 'none';
}

const refId = (r: RuleMatch['source']) => r.externalId ?? (r.id !== undefined ? String(r.id) : '');

export function RulesPanel({ pipeline, rules, suggested, labels, busy, onTake }: Props) {
  const [index, setIndex] = useState(rules.length > 0 ? 0 : -1);
  useEffect(() => setIndex(rules.length > 0 ? 0 : -1), [rules]);
  const focused = index >= 0 ? rules[index] : undefined;

  const take = (i: number, accept: boolean) => {
    if (!rules[i] || busy) return;
    onTake(i, accept);
    setIndex(Math.min(rules.length - 1, i + 1));
  };

  return (
    <div className="card pipeline-rules-card">
      <h3>Suggested rules</h3>
      <div className="rules-layout">
        <div>
          {rules.length === 0 ? (
            <p className="muted" id="pipeline-rules-empty">
              No new rule: {pipeline.generateRules ? 'the matches show no pattern the accepted rules do not already cover.' : 'this pipeline does not generate rules.'}
            </p>
          ) : (
            <KeyList id="pipeline-rules" label="Suggested rules" count={rules.length} index={index} onIndex={setIndex} onDecide={take}>
              {(pick) => (
                <table className="table dense">
                  <thead>
                    <tr>
                      <th>Source pattern → target</th>
                      <th className="num" title="Pairs the rule makes">Matches</th>
                      <th className="num" title="Sources the rule maps elsewhere than the run, or to two targets">Conflicts</th>
                      <th className="num" title="Sources another suggested rule maps too">Overlaps</th>
                      <th className="num" title="Mean score of the run's matches the rule explains">Score</th>
                      <th>Decided</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rules.map((r, i) => {
                      const s = suggested[i];
                      const text = ruleText(r);
                      const decision = ruleDecision(pipeline, r);
                      return (
                        <tr key={i} id={rowId('pipeline-rules', i)} className={i === index ? 'selected focused' : ''} aria-selected={i === index} data-rule-index={i} data-rule-status={decision ?? 'open'} data-conflicts={r.numConflicts} onClick={() => pick(i)}>
                          <td className="mono rule-pattern" title={`${text.source}  →  ${text.target}`}>
                            {s ? `${s.inputPattern} → ${s.predictPattern}` : `${text.source} → ${text.target}`}
                          </td>
                          <td className="num">{r.matches.length}</td>
                          <td className={`num${r.numConflicts > 0 ? ' conflicts' : ''}`}>{r.numConflicts}</td>
                          <td className="num">{r.numOverlaps}</td>
                          <td className="num">{s ? formatPercent(s.avgScore) : '—'}</td>
                          <td className={decision ? `decision decision-${decision}` : 'muted'}>{decision ?? '—'}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </KeyList>
          )}
          <div className="toolbar">
            <button type="button" id="rule-accept" className="approve" disabled={!focused || busy} onClick={() => take(index, true)}>
              Accept rule <kbd>a</kbd>
            </button>
            <button type="button" id="rule-reject" className="reject" disabled={!focused || busy} onClick={() => take(index, false)}>
              Reject rule <kbd>r</kbd>
            </button>
          </div>
          <KeyHint />
        </div>
        {focused && <RuleMatches rule={focused} labels={labels} />}
      </div>
    </div>
  );
}

function RuleMatches({ rule, labels }: { rule: GeneratedRule; labels: Props['labels'] }) {
  const text = ruleText(rule);
  // Conflicts first: they are what a reviewer must judge before accepting.
  const pairs = useMemo(() => rule.matches.slice().sort((a, b) => Number(isConflict(b)) - Number(isConflict(a))), [rule]);
  return (
    <div className="rule-matches-block">
      <h4>Matches this rule makes</h4>
      <p className="mono small">
        {text.source}
        <br />→ {text.target}
      </p>
      <div className="table-wrap rule-matches-wrap">
        <table className="table dense" id="rule-matches">
          <thead>
            <tr>
              <th>Source</th>
              <th>Target</th>
              <th>The run says</th>
            </tr>
          </thead>
          <tbody>
            {pairs.slice(0, RULE_MATCHES_SHOWN).map((m) => {
              const s = refId(m.source);
              const t = refId(m.target);
              const conflict = isConflict(m);
              return (
                <tr key={`${s}\u0000${t}`} data-consistent={m.consistentMatch} data-conflict={conflict} className={conflict ? 'conflict' : ''}>
                  <td title={s}>{labels.sources.get(s) ?? s}</td>
                  <td title={t}>{labels.targets.get(t) ?? t}</td>
                  <td>{m.consistentMatch ? `same (${m.existingMatchType})` : conflict ? `elsewhere (${m.existingMatchType})` : 'unmatched'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pairs.length > RULE_MATCHES_SHOWN && (
        <p className="muted small">
          The first {RULE_MATCHES_SHOWN} of {pairs.length}.
        </p>
      )}
    </div>
  );
}
