// A dismissible banner for an error (or a short notice) at the top of a screen.
import type { ReactNode } from 'react';

interface Props {
  message: ReactNode | null;
  onDismiss: () => void;
  tone?: 'error' | 'info';
}

export function ErrorBanner({ message, onDismiss, tone = 'error' }: Props) {
  if (message === null || message === '') return null;
  return (
    <div className={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <span className="banner-text">{message}</span>
      <button type="button" className="banner-close" onClick={onDismiss} aria-label="Dismiss message">
        ×
      </button>
    </div>
  );
}
