// Settings: the open workspace and switching it; the switch for the local REST API (loopback only),
// its port, its address and its key, which is shown whole once, when created or rotated, because the
// workspace keeps only its hash; and About, with the diagnostics to copy.
import { useEffect, useRef, useState } from 'react';

import { apiStatus, rotateApiKey, setApiSettings } from '../api';
import { errorText } from '../apiError';
import type { ApiServerStatus } from '../bindings/ApiServerStatus';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { ErrorBanner } from '../components/ErrorBanner';
import { AboutSection } from './settings/AboutSection';
import { WorkspaceSection } from './settings/WorkspaceSection';

const STARTING_POLL_MS = 300;
/** The app waits at most 5 s for its port; a little longer here, then the status is shown as it is. */
const STARTING_MAX_POLLS = 25;

interface Props {
  active: boolean;
  /** After a switch of workspace, with the one now open (the window reloads every screen). */
  onWorkspaceChanged?: (info: WorkspaceInfo) => void;
}

export function SettingsScreen({ active, onWorkspaceChanged }: Props) {
  const [status, setStatus] = useState<ApiServerStatus | null>(null);
  const [port, setPort] = useState('');
  const [portError, setPortError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The whole key survives re-renders and tab switches until dismissed, but never a restart.
  const [newKey, setNewKey] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  const show = (s: ApiServerStatus) => {
    setStatus(s);
    setPort(String(s.settings.port));
    if (s.new_key) {
      setNewKey(s.new_key);
      setCopied(false);
    }
  };

  useEffect(() => {
    if (!active) return;
    apiStatus().then(show, (e: unknown) => setError(errorText(e, 'Could not read the API settings')));
  }, [active]);

  // Switched on but neither serving nor failed: the app is still starting the server (at start it
  // may wait a few seconds for the port while a previous instance closes), so ask again until it
  // is settled, for at most STARTING_MAX_POLLS times. A change made here meanwhile (a switch, a
  // rotation) makes the answers to questions asked before it stale.
  const starting = status !== null && status.settings.enabled && !status.running && !status.error;
  const polls = useRef(0);
  const changes = useRef(0);
  useEffect(() => {
    if (!active || !starting || polls.current >= STARTING_MAX_POLLS) return;
    const asked = changes.current;
    const timer = setTimeout(() => {
      polls.current += 1;
      apiStatus().then(
        (s) => {
          if (changes.current === asked) setStatus(s);
        },
        (e: unknown) => setError(errorText(e, 'Could not read the API settings')),
      );
    }, STARTING_POLL_MS);
    return () => clearTimeout(timer);
  }, [active, starting, status]);

  const parsedPort = (): number | null => {
    const n = Number(port.trim());
    if (!Number.isInteger(n) || n < 1024 || n > 65535) {
      setPortError('Choose a port from 1024 to 65535.');
      return null;
    }
    setPortError(null);
    return n;
  };

  const apply = async (enabled: boolean) => {
    const p = parsedPort();
    if (p === null) return;
    changes.current += 1;
    setBusy(true);
    try {
      show(await setApiSettings({ enabled, port: p }));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const rotate = async () => {
    changes.current += 1;
    setBusy(true);
    try {
      show(await rotateApiKey());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!newKey) return;
    try {
      await navigator.clipboard.writeText(newKey);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  const enabled = status?.settings.enabled ?? false;
  return (
    <div className="settings">
      <WorkspaceSection active={active} onChanged={(info) => onWorkspaceChanged?.(info)} />
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <section className="card" aria-labelledby="api-heading">
        <h2 id="api-heading">Local REST API</h2>
        <p className="muted">
          Scripts on this computer can import data, run configs and review results through the matching API. It
          listens on 127.0.0.1 only: nothing outside this computer can reach it.
        </p>
        <div className="api-switch">
          <label className="check">
            <input
              id="api-enabled"
              type="checkbox"
              checked={enabled}
              disabled={busy || status === null}
              onChange={(e) => void apply(e.target.checked)}
            />{' '}
            Serve the API
          </label>
          <label>
            Port{' '}
            <input
              id="api-port"
              inputMode="numeric"
              value={port}
              disabled={busy || status === null}
              aria-invalid={portError !== null}
              onChange={(e) => setPort(e.target.value)}
              onBlur={() => {
                if (enabled && port !== String(status?.settings.port)) void apply(true);
              }}
              size={6}
            />
          </label>
        </div>
        {portError && (
          <p id="api-port-error" className="field-error" role="alert">
            {portError}
          </p>
        )}
        <p id="api-state" aria-live="polite">
          {status === null
            ? 'Reading…'
            : status.running && status.url
              ? (
                  <>
                    Serving at <code id="api-url">{status.url}</code> — OpenAPI document at{' '}
                    <code>{status.url}/v1/openapi.json</code>
                  </>
                )
              : status.error
                ? <span className="field-error" id="api-server-error">{status.error}</span>
                : starting
                  ? 'Starting…'
                  : 'Not serving.'}
        </p>
      </section>

      <section className="card" aria-labelledby="api-key-heading">
        <h2 id="api-key-heading">API key</h2>
        {status?.key ? (
          <p>
            Active key <code id="api-key-prefix">{status.key.prefix}…</code>, created{' '}
            {new Date(status.key.created_at).toLocaleString()}. Send it as{' '}
            <code>Authorization: Bearer &lt;key&gt;</code>.
          </p>
        ) : (
          <p className="muted" id="api-key-none">
            No key yet: one is created the first time the API is served.
          </p>
        )}
        {newKey && (
          <div className="new-key" role="status">
            <p>
              <strong>Copy this key now.</strong> Matchbook keeps only a fingerprint of it and cannot show it again.
            </p>
            <code id="api-new-key" className="key-text">
              {newKey}
            </code>{' '}
            <button type="button" id="api-copy-key" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>{' '}
            <button type="button" onClick={() => setNewKey(null)}>
              Done
            </button>
          </div>
        )}
        <button type="button" id="api-rotate" disabled={busy || !status?.key} onClick={() => void rotate()}>
          Rotate key
        </button>
        <span className="muted"> The old key stops working at once.</span>
      </section>

      <AboutSection active={active} />
    </div>
  );
}
