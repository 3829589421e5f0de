// Tests of the confidence histogram: band split of bins that straddle a line, marker placement, description.
import { afterEach, describe, expect, it } from 'vitest';

import { render, type Rendered } from '../testing';
import { Histogram, binSegments, histogramDescription } from './Histogram';

let view: Rendered | null = null;

afterEach(() => {
  view?.unmount();
  view = null;
});

const bands = { matched: 3, review: 2, below: 1, noCandidate: 4 };

describe('binSegments', () => {
  it('gives a whole bin one band when no line crosses it', () => {
    expect(binSegments(17, 20, 0.85, 0.5)).toEqual([{ band: 'matched', from: 0, to: 1 }]);
    expect(binSegments(16, 20, 0.85, 0.5)).toEqual([{ band: 'review', from: 0, to: 1 }]);
    expect(binSegments(10, 20, 0.85, 0.5)).toEqual([{ band: 'review', from: 0, to: 1 }]);
    expect(binSegments(9, 20, 0.85, 0.5)).toEqual([{ band: 'low', from: 0, to: 1 }]);
  });

  it('splits a bin where the threshold or the floor falls inside it', () => {
    const [review, matched] = binSegments(17, 20, 0.87, 0.5);
    expect(review?.band).toBe('review');
    expect(matched?.band).toBe('matched');
    expect(review?.to).toBeCloseTo(0.4);
    expect(matched?.from).toBeCloseTo(0.4);
    expect(binSegments(12, 20, 0.64, 0.61).map((s) => s.band)).toEqual(['low', 'review', 'matched']);
  });
});

describe('Histogram', () => {
  it('paints a straddling bar in both band colours and flips labels near the right edge', async () => {
    view = await render(<Histogram id="h" bins={[0, 0, 0, 1, 2, 0, 4, 8]} threshold={0.95} reviewFloor={0.8} bands={bands} />);
    const bars = [...document.querySelectorAll<HTMLElement>('#h [data-bin]')];
    expect(bars).toHaveLength(8);
    // 0.8 falls inside bin 6 (0.75–0.875): part low, part review.
    expect(bars[6]?.dataset.fill).toBe('mixed');
    expect(bars[6]?.style.background).toContain('linear-gradient');
    expect(bars[7]?.dataset.fill).toBe('mixed');
    expect(bars[3]?.dataset.fill).toBe('low');
    expect(bars[3]?.style.height).toBe('12.5%');
    const threshold = document.querySelector<HTMLElement>('#h [data-marker="threshold"]');
    expect(threshold?.style.left).toBe('95%');
    expect(threshold?.classList.contains('label-left')).toBe(true);
  });

  it('keeps empty runs drawable and says so', async () => {
    view = await render(<Histogram id="h" bins={Array.from({ length: 20 }, () => 0)} threshold={0.85} reviewFloor={0.5} bands={{ matched: 0, review: 0, below: 0, noCandidate: 0 }} />);
    const heights = [...document.querySelectorAll<HTMLElement>('#h [data-bin]')].map((b) => b.style.height);
    expect(new Set(heights)).toEqual(new Set(['0%']));
    expect(document.querySelector('#h')?.getAttribute('aria-label')).toContain('0 results');
  });

  it('describes the counts per band in words', () => {
    expect(histogramDescription([4, 1, 2, 3], 0.85, 0.5, bands)).toBe(
      'Confidence histogram of 10 results: 3 matched at or above the 85% threshold, 2 in the review band from 50%, 1 below the review floor, 4 with no candidate (counted in the lowest bar).',
    );
  });
});
