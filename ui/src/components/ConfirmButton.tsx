// A destructive button that asks for a second click ("Really delete?") instead of a modal dialog.
import { useEffect, useState } from 'react';

interface Props {
  label: string;
  confirmLabel?: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
  id?: string;
  title?: string;
}

export function ConfirmButton({ label, confirmLabel = 'Click again to confirm', onConfirm, disabled, className, id, title }: Props) {
  const [armed, setArmed] = useState(false);

  useEffect(() => {
    if (!armed) return;
    const timer = window.setTimeout(() => setArmed(false), 4000);
    return () => window.clearTimeout(timer);
  }, [armed]);

  return (
    <button
      type="button"
      id={id}
      title={title}
      className={`danger ${armed ? 'armed' : ''} ${className ?? ''}`.trim()}
      disabled={disabled}
      onClick={() => {
        if (armed) {
          setArmed(false);
          onConfirm();
        } else {
          setArmed(true);
        }
      }}
      onBlur={() => setArmed(false)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setArmed(false);
      }}
    >
      {armed ? confirmLabel : label}
    </button>
  );
}
