// The scroll position and measured height of the virtualised results list, and keeping the selected row in view.
import { useCallback, useEffect, useRef, useState, type MutableRefObject, type UIEvent } from 'react';

import { scrollTopToReveal } from '../../virtualList';
import { FALLBACK_VIEWPORT, ROW_HEIGHT } from './constants';

export interface ListViewport {
  scrollTop: number;
  viewportHeight: number;
  /** The list element's ref callback: measures it and follows its size. */
  listRef: (el: HTMLUListElement | null) => void;
  onScroll: (e: UIEvent<HTMLUListElement>) => void;
  /** A new queue starts at its top. */
  scrollToTop: () => void;
  /** Scrolls the least that shows row `index` whole. */
  reveal: (index: number) => void;
}

/** `selectedIndexRef` tells which row to show when the list (re)appears. */
export function useListViewport(selectedIndexRef: MutableRefObject<number>): ListViewport {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(FALLBACK_VIEWPORT);
  const elRef = useRef<HTMLUListElement | null>(null);
  const observerRef = useRef<ResizeObserver | null>(null);

  // The list's height decides how many rows to render; jsdom (no layout) gets the fallback.
  const listRef = useCallback(
    (el: HTMLUListElement | null) => {
      observerRef.current?.disconnect();
      observerRef.current = null;
      elRef.current = el;
      if (!el) return;
      const measure = () => setViewportHeight(el.clientHeight > 0 ? el.clientHeight : FALLBACK_VIEWPORT);
      measure();
      const top = scrollTopToReveal(selectedIndexRef.current, ROW_HEIGHT, 0, el.clientHeight > 0 ? el.clientHeight : FALLBACK_VIEWPORT);
      el.scrollTop = top;
      setScrollTop(top);
      if (typeof ResizeObserver !== 'undefined') {
        const observer = new ResizeObserver(measure);
        observer.observe(el);
        observerRef.current = observer;
      }
    },
    [selectedIndexRef],
  );

  // Only whole rows scrolled change what is rendered (overscan covers the partial row), so scrolling within a row re-renders nothing.
  const onScroll = useCallback((e: UIEvent<HTMLUListElement>) => {
    setScrollTop(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT) * ROW_HEIGHT);
  }, []);

  const scrollToTop = useCallback(() => {
    if (elRef.current) elRef.current.scrollTop = 0;
    setScrollTop(0);
  }, []);

  const reveal = useCallback(
    (index: number) => {
      const el = elRef.current;
      if (!el || index < 0) return;
      const top = scrollTopToReveal(index, ROW_HEIGHT, el.scrollTop, viewportHeight);
      if (top !== el.scrollTop) el.scrollTop = top;
      setScrollTop(top);
    },
    [viewportHeight],
  );

  return { scrollTop, viewportHeight, listRef, onScroll, scrollToTop, reveal };
}

/** Keeps the selected row in view: scrolling also makes the list fetch its page. */
export function useKeepInView(viewport: ListViewport, selectedIndex: number): void {
  const { reveal } = viewport;
  useEffect(() => reveal(selectedIndex), [reveal, selectedIndex]);
}
