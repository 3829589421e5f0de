// The top bar's Help menu: reopen the guided first start, list the keyboard shortcuts, show About (in Settings).
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';

import { focusField, goTo } from '../navigation';
import { ShortcutsDialog } from '../screens/review/ShortcutsDialog';
import '../styles/guide.css';

interface Props {
  onGuide: () => void;
}

export function HelpMenu({ onGuide }: Props) {
  const [open, setOpen] = useState(false);
  const [shortcuts, setShortcuts] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  // A click anywhere else closes the menu, as menus do.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    rootRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  // The dialog takes the keys while open: the review desk behind it must not act on them.
  useEffect(() => {
    if (!shortcuts) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setShortcuts(false);
      if (e.key.length === 1 || e.key === 'Escape') e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [shortcuts]);

  const onMenuKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const items = [...(rootRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
    } else return;
    // Handled here: not a review-desk shortcut nor a tab switch.
    e.preventDefault();
    e.stopPropagation();
  };
  const showAbout = () => {
    goTo('settings');
    // Once the Settings screen is shown: a hidden section cannot be scrolled to.
    setTimeout(() => focusField('about'), 0);
  };
  const choose = (what: () => void) => {
    setOpen(false);
    what();
  };

  return (
    <div className="help-menu" ref={rootRef} onKeyDown={onMenuKey}>
      <button
        type="button"
        id="help-menu"
        ref={buttonRef}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="help-menu-items"
        onClick={() => setOpen((o) => !o)}
      >
        Help
      </button>
      {open && (
        <div id="help-menu-items" className="menu card" role="menu" aria-label="Help">
          <button type="button" id="help-guide" role="menuitem" onClick={() => choose(onGuide)}>
            Guided tour
          </button>
          <button type="button" id="help-shortcuts" role="menuitem" onClick={() => choose(() => setShortcuts(true))}>
            Keyboard shortcuts
          </button>
          <button type="button" id="help-about" role="menuitem" onClick={() => choose(showAbout)}>
            About Matchbook
          </button>
        </div>
      )}
      {shortcuts && <ShortcutsDialog onClose={() => setShortcuts(false)} />}
    </div>
  );
}
