// Tests of the virtual list maths in virtualList.ts.
import { describe, expect, it } from 'vitest';

import { offsetInPage, pageOf, pagesForRange, scrollTopToReveal, visibleRange } from './virtualList';

const view = { scrollTop: 0, viewportHeight: 600, rowHeight: 50, overscan: 5, total: 100_000 };

describe('visibleRange', () => {
  it('covers the rows in view plus the overscan', () => {
    expect(visibleRange(view)).toEqual({ start: 0, end: 17 });
    // Scrolled to row 1,000: rows 1,000-1,011 are visible.
    expect(visibleRange({ ...view, scrollTop: 50_000 })).toEqual({ start: 995, end: 1017 });
    // Half a row scrolled: the partly visible 13th row is included.
    expect(visibleRange({ ...view, scrollTop: 25, overscan: 0 })).toEqual({ start: 0, end: 13 });
  });

  it('stays a small window however long the list is', () => {
    const r = visibleRange({ ...view, scrollTop: 2_500_000 });
    expect(r.end - r.start).toBeLessThanOrEqual(12 + 2 * 5 + 1);
    expect(r.start).toBe(49_995);
  });

  it('clamps to the list', () => {
    expect(visibleRange({ ...view, total: 3 })).toEqual({ start: 0, end: 3 });
    expect(visibleRange({ ...view, total: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...view, scrollTop: -40 })).toEqual({ start: 0, end: 17 });
    // Scrolled past the end after the list shrank: the last rows, not an empty window.
    expect(visibleRange({ ...view, total: 20, scrollTop: 10_000 })).toEqual({ start: 3, end: 20 });
    expect(visibleRange({ ...view, total: 100_000, scrollTop: 99_999_999 })).toEqual({ start: 99_983, end: 100_000 });
  });

  it('shows at least one row in a viewport with no height', () => {
    expect(visibleRange({ ...view, viewportHeight: 0, overscan: 0 })).toEqual({ start: 0, end: 1 });
  });
});

describe('pages', () => {
  it('numbers pages from 1', () => {
    expect(pageOf(0, 200)).toBe(1);
    expect(pageOf(199, 200)).toBe(1);
    expect(pageOf(200, 200)).toBe(2);
    expect(pageOf(99_999, 200)).toBe(500);
    expect(offsetInPage(99_999, 200)).toBe(199);
    expect(offsetInPage(200, 200)).toBe(0);
  });

  it('lists the pages a range needs', () => {
    expect(pagesForRange({ start: 0, end: 17 }, 200)).toEqual([1]);
    expect(pagesForRange({ start: 190, end: 210 }, 200)).toEqual([1, 2]);
    expect(pagesForRange({ start: 200, end: 400 }, 200)).toEqual([2]);
    expect(pagesForRange({ start: 99_983, end: 100_000 }, 200)).toEqual([500]);
    expect(pagesForRange({ start: 5, end: 5 }, 200)).toEqual([]);
  });
});

describe('scrollTopToReveal', () => {
  it('does not move when the row is in view', () => {
    expect(scrollTopToReveal(3, 50, 0, 600)).toBe(0);
    expect(scrollTopToReveal(11, 50, 0, 600)).toBe(0);
  });

  it('scrolls just enough to show a row below or above the view', () => {
    // Row 12 spans 600-650: its bottom aligns with the viewport's.
    expect(scrollTopToReveal(12, 50, 0, 600)).toBe(50);
    expect(scrollTopToReveal(99_999, 50, 0, 600)).toBe(99_999 * 50 + 50 - 600);
    expect(scrollTopToReveal(2, 50, 500, 600)).toBe(100);
    expect(scrollTopToReveal(-1, 50, 500, 600)).toBe(500);
  });
});
