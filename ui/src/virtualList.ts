// Windowing maths of a fixed-row-height virtual list: which rows to render, which pages to fetch, where to scroll.

/** Rows [start, end) of the list: end is exclusive. */
export interface RowRange {
  start: number;
  end: number;
}

export interface Viewport {
  /** Pixels scrolled from the top of the list. */
  scrollTop: number;
  /** Visible height of the list in pixels. */
  viewportHeight: number;
  /** Height of every row in pixels (> 0). */
  rowHeight: number;
  /** Extra rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
  overscan: number;
  /** Rows in the whole list. */
  total: number;
}

/** The rows to render: those in view plus `overscan` either side, clamped to the list. */
export function visibleRange({ scrollTop, viewportHeight, rowHeight, overscan, total }: Viewport): RowRange {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  // A scroll position past the end (the list just shrank) still shows the last rows, not nothing.
  const maxTop = Math.max(0, total * rowHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const lastExclusive = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const pad = Math.max(0, Math.floor(overscan));
  return { start: Math.max(0, first - pad), end: Math.min(total, Math.max(lastExclusive, first + 1) + pad) };
}

/** The 1-based page holding row `index` when pages hold `pageSize` rows. */
export function pageOf(index: number, pageSize: number): number {
  return Math.floor(Math.max(0, index) / pageSize) + 1;
}

/** Where row `index` sits inside its page. */
export function offsetInPage(index: number, pageSize: number): number {
  return Math.max(0, index) % pageSize;
}

/** The 1-based pages a range of rows needs, in order. */
export function pagesForRange(range: RowRange, pageSize: number): number[] {
  if (range.end <= range.start || pageSize <= 0) return [];
  const pages: number[] = [];
  for (let p = pageOf(range.start, pageSize); p <= pageOf(range.end - 1, pageSize); p++) pages.push(p);
  return pages;
}

/**
 * The scrollTop that brings row `index` fully into view while moving as little as possible (as
 * scrollIntoView({block: 'nearest'}) would): unchanged when the row is already visible.
 */
export function scrollTopToReveal(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  if (index < 0) return scrollTop;
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}
