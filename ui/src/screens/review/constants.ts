// Sizes and delays of the review queue: how it pages, how tall its rows are, how long the search waits.

/** Results fetched per listResults call while scrolling. */
export const RESULTS_PAGE_SIZE = 200;
/** Height of a row of the list in pixels; review.css gives .result-item the same. */
export const ROW_HEIGHT = 56;
/** Rows rendered beyond each edge of the view, so quick scrolling shows no blank rows. */
export const OVERSCAN = 8;
/** The list's height when it cannot be measured (jsdom has no layout). */
export const FALLBACK_VIEWPORT = 600;
export const SEARCH_DEBOUNCE_MS = 250;
/** Pages fetched at most when looking for the next pending result after a decision. */
export const MAX_SCAN_PAGES = 5;
