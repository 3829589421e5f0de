// A counter to bump so that effects keyed on it run again (reload the queue, refresh the counters).
import { useCallback, useState } from 'react';

/** The current count and a stable function that bumps it. */
export function useTick(): [number, () => void] {
  const [tick, setTick] = useState(0);
  const bump = useCallback(() => setTick((t) => t + 1), []);
  return [tick, bump];
}
