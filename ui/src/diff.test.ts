// Tests of the character diff that highlights differences in the evidence panel.
import { describe, expect, it } from 'vitest';

import { diffChars, MAX_DIFF_LENGTH } from './diff';

const marked = (segs: { text: string; same: boolean }[]) => segs.map((s) => (s.same ? s.text : `[${s.text}]`)).join('');

describe('diffChars', () => {
  it('marks a typo on both sides and keeps the rest plain', () => {
    const d = diffChars('Rockline Transprt', 'Rockline Transport');
    expect(marked(d.a)).toBe('Rockline Transprt');
    expect(marked(d.b)).toBe('Rockline Transp[o]rt');
  });

  it('marks substituted and extra characters', () => {
    const d = diffChars('PO-2024-012845', 'PO-2024-012345');
    expect(marked(d.a)).toBe('PO-2024-012[8]45');
    expect(marked(d.b)).toBe('PO-2024-012[3]45');
    expect(marked(diffChars('616.49', '516.49').b)).toBe('[5]16.49');
  });

  it('ignores case, and leaves equal or empty values unmarked', () => {
    expect(marked(diffChars('ROCKLINE', 'Rockline').a)).toBe('ROCKLINE');
    expect(diffChars('', 'abc')).toEqual({ a: [], b: [{ text: 'abc', same: false }] });
    expect(diffChars('same', 'same').b).toEqual([{ text: 'same', same: true }]);
  });

  it('keeps every character, in order, on both sides', () => {
    const a = 'Müller GmbH & Co. KG';
    const b = 'Mueller GmbH Co KG';
    const d = diffChars(a, b);
    expect(d.a.map((s) => s.text).join('')).toBe(a);
    expect(d.b.map((s) => s.text).join('')).toBe(b);
    expect(marked(d.b)).toBe('M[ue]ller GmbH Co KG');
  });

  it('does not compare values too long to show', () => {
    const long = 'x'.repeat(MAX_DIFF_LENGTH + 1);
    expect(diffChars(long, 'y').a).toEqual([{ text: long, same: true }]);
  });
});
