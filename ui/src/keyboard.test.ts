// Tests of the shortcut mappings in keyboard.ts: the review desk's and the pipeline lists'.
import { describe, expect, it } from 'vitest';

import { isTypingTarget, listKeyAction, REVIEW_SHORTCUTS, reviewKeyAction } from './keyboard';

const body = { tagName: 'BODY' };

describe('reviewKeyAction', () => {
  it('maps j/k and arrows to moves', () => {
    expect(reviewKeyAction({ key: 'j', target: body })).toBe('next');
    expect(reviewKeyAction({ key: 'ArrowDown', target: body })).toBe('next');
    expect(reviewKeyAction({ key: 'k', target: body })).toBe('prev');
    expect(reviewKeyAction({ key: 'ArrowUp', target: body })).toBe('prev');
    expect(reviewKeyAction({ key: 'Home', target: body })).toBe('first');
    expect(reviewKeyAction({ key: 'End', target: body })).toBe('last');
    expect(reviewKeyAction({ key: 'PageDown', target: body })).toBe('page-down');
    expect(reviewKeyAction({ key: 'PageUp', target: body })).toBe('page-up');
  });

  it('maps a and r to decisions', () => {
    expect(reviewKeyAction({ key: 'a', target: body })).toBe('approve');
    expect(reviewKeyAction({ key: 'r', target: { tagName: 'BUTTON' } })).toBe('reject');
  });

  it('ignores keys typed in text fields', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT', 'input']) {
      expect(reviewKeyAction({ key: 'a', target: { tagName } })).toBeNull();
      expect(reviewKeyAction({ key: 'j', target: { tagName } })).toBeNull();
      expect(reviewKeyAction({ key: 'ArrowDown', target: { tagName } })).toBeNull();
    }
    expect(reviewKeyAction({ key: 'r', target: { tagName: 'DIV', isContentEditable: true } })).toBeNull();
  });

  it('lets Escape leave a text field', () => {
    expect(reviewKeyAction({ key: 'Escape', target: { tagName: 'TEXTAREA' } })).toBe('leave-field');
    expect(reviewKeyAction({ key: 'Escape', target: body })).toBeNull();
  });

  it('ignores modified keys, other keys and held-down decisions', () => {
    expect(reviewKeyAction({ key: 'a', ctrlKey: true, target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'r', metaKey: true, target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'j', altKey: true, target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'x', target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'A', target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'a', repeat: true, target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'j', repeat: true, target: body })).toBe('next');
  });

  it('maps undo, redo, note, help and candidates 1-5', () => {
    expect(reviewKeyAction({ key: 'u', target: body })).toBe('undo');
    expect(reviewKeyAction({ key: 'U', target: body })).toBe('redo');
    expect(reviewKeyAction({ key: 'z', ctrlKey: true, target: body })).toBe('undo');
    expect(reviewKeyAction({ key: 'z', metaKey: true, target: body })).toBe('undo');
    expect(reviewKeyAction({ key: 'Z', ctrlKey: true, shiftKey: true, target: body })).toBe('redo');
    expect(reviewKeyAction({ key: 'y', ctrlKey: true, target: body })).toBe('redo');
    expect(reviewKeyAction({ key: 'n', target: body })).toBe('note');
    expect(reviewKeyAction({ key: '?', target: body })).toBe('help');
    expect(reviewKeyAction({ key: '/', target: body })).toBe('search');
    for (const n of ['1', '2', '3', '4', '5']) expect(reviewKeyAction({ key: n, target: body })).toBe(`pick-${n}`);
    expect(reviewKeyAction({ key: '6', target: body })).toBeNull();
    expect(reviewKeyAction({ key: '2', repeat: true, target: body })).toBeNull();
    expect(reviewKeyAction({ key: 'u', repeat: true, target: body })).toBeNull();
  });

  it('leaves Ctrl+Z in a text field to the field', () => {
    expect(reviewKeyAction({ key: 'z', ctrlKey: true, target: { tagName: 'TEXTAREA' } })).toBeNull();
    expect(reviewKeyAction({ key: 'u', target: { tagName: 'TEXTAREA' } })).toBeNull();
  });

  it('works with real DOM elements', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const li = document.createElement('li');
    expect(isTypingTarget(input)).toBe(true);
    expect(isTypingTarget(textarea)).toBe(true);
    expect(isTypingTarget(li)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
    expect(reviewKeyAction({ key: 'a', target: li })).toBe('approve');
    expect(reviewKeyAction({ key: 'a', target: input })).toBeNull();
  });

  it('leaves keys typed in the search box, the filter fields and the sort select to them', () => {
    const search = document.createElement('input');
    search.type = 'search';
    const percent = document.createElement('input');
    percent.type = 'number';
    const sort = document.createElement('select');
    for (const target of [search, percent, sort]) {
      for (const key of ['a', 'r', 'j', 'k', 'u', 'U', 'n', '1', '5', '?', '/', 'Home', 'End', 'PageDown', 'ArrowDown']) {
        expect(reviewKeyAction({ key, target })).toBeNull();
      }
      expect(reviewKeyAction({ key: 'z', ctrlKey: true, target })).toBeNull();
      expect(reviewKeyAction({ key: 'Escape', target })).toBe('leave-field');
    }
  });
});

describe('suggestion keys', () => {
  it('s accepts, d dismisses (never on a held key), g goes to the next suggestion', () => {
    expect(reviewKeyAction({ key: 's' })).toBe('accept-suggestion');
    expect(reviewKeyAction({ key: 'd' })).toBe('dismiss-suggestion');
    expect(reviewKeyAction({ key: 's', repeat: true })).toBeNull();
    expect(reviewKeyAction({ key: 'g' })).toBe('next-suggestion');
    expect(reviewKeyAction({ key: 's', target: { tagName: 'textarea' } })).toBeNull();
    expect(REVIEW_SHORTCUTS.some((s) => s.keys.includes('s'))).toBe(true);
  });
});

describe('list keys (pipeline rules and matches)', () => {
  it('move with j/k or arrows, accept with a, reject with r; not while typing nor on a held key', () => {
    expect(listKeyAction({ key: 'j' })).toBe('next');
    expect(listKeyAction({ key: 'ArrowUp' })).toBe('prev');
    expect(listKeyAction({ key: 'Home' })).toBe('first');
    expect(listKeyAction({ key: 'a' })).toBe('accept');
    expect(listKeyAction({ key: 'r' })).toBe('reject');
    expect(listKeyAction({ key: 'a', repeat: true })).toBeNull();
    expect(listKeyAction({ key: 'a', target: { tagName: 'INPUT' } })).toBeNull();
    expect(listKeyAction({ key: 's' })).toBeNull();
    expect(listKeyAction({ key: 'z', ctrlKey: true })).toBeNull();
  });
});
