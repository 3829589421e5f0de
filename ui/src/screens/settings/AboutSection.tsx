// Settings > About: the version, the open workspace's file and size, SQLite and schema versions, where the logs go and the system, with a button that copies all of it as plain text for a support request.
import { useEffect, useState } from 'react';

import { diagnostics } from '../../api';
import { errorText } from '../../apiError';
import type { Diagnostics } from '../../bindings/Diagnostics';
import { diagnosticsLines, diagnosticsText } from '../../diagnostics';
import '../../styles/settings.css';

interface Props {
  active: boolean;
}

export function AboutSection({ active }: Props) {
  const [info, setInfo] = useState<Diagnostics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (!active) return;
    // Read afresh each time Settings opens: the workspace grows while the window is open.
    diagnostics().then(
      (d) => {
        setInfo(d);
        setError(null);
      },
      (e: unknown) => setError(errorText(e, 'Could not read the diagnostics')),
    );
  }, [active]);

  const copyAll = async () => {
    if (!info) return;
    try {
      await navigator.clipboard.writeText(diagnosticsText(info));
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  return (
    <section className="card" id="about" aria-labelledby="about-heading">
      <h2 id="about-heading">About Matchbook</h2>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {info === null ? (
        !error && <p className="muted">Reading…</p>
      ) : (
        <dl className="about-list" id="about-list">
          {diagnosticsLines(info).map(([label, value]) => (
            <div key={label} data-about={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      <button type="button" id="about-copy" disabled={info === null} onClick={() => void copyAll()}>
        Copy diagnostics
      </button>{' '}
      <span id="about-copy-state" className="muted" role="status">
        {copy === 'copied' ? 'Copied: paste it into your message to support.' : copy === 'failed' ? 'Could not reach the clipboard: select the lines above and copy them.' : ''}
      </span>
    </section>
  );
}
