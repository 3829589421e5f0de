// The selected row of the review queue, by index, mirrored in a ref for callbacks that outlive a render.
import { useCallback, useRef, useState, type MutableRefObject } from 'react';

export interface Selection {
  /** Index of the selected row in the whole queue; -1 when none. */
  selectedIndex: number;
  /** The same index, current inside async callbacks and ref callbacks. */
  indexRef: MutableRefObject<number>;
  selectIndex: (index: number) => void;
}

export function useSelection(): Selection {
  const [selectedIndex, setSelectedIndex] = useState(-1);
  const indexRef = useRef(-1);
  const selectIndex = useCallback((index: number) => {
    indexRef.current = index;
    setSelectedIndex(index);
  }, []);
  return { selectedIndex, indexRef, selectIndex };
}
