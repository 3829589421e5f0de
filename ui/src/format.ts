// Pure display helpers: percentages, confidence bands, durations/ETA, dates, evidence values and error texts.
import type { FieldNote } from './bindings/FieldNote';
import type { Phase } from './bindings/Phase';
import type { RunType } from './bindings/RunType';

/** Confidence 0..1 as a percentage with at most one decimal: 0.849 → "84.9%", 0.85 → "85%". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const tenths = Math.round(value * 1000) / 10;
  const text = Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1);
  return `${text}%`;
}

export type ConfidenceBand = 'matched' | 'review' | 'low';

/**
 * Where a confidence falls: at or above the threshold it is a match, within
 * [reviewFloor, threshold) it needs review, below the floor it is low.
 */
export function confidenceBand(confidence: number, threshold: number, reviewFloor: number): ConfidenceBand {
  if (confidence >= threshold) return 'matched';
  if (confidence >= reviewFloor) return 'review';
  return 'low';
}

export const BAND_LABEL: Record<ConfidenceBand, string> = {
  matched: 'above threshold',
  review: 'needs review',
  low: 'below review floor',
};

/** A span of seconds for people: "45 s", "1 min 35 s", "2 min", "1 h 5 min". */
export function formatSeconds(totalSeconds: number | null | undefined): string {
  if (totalSeconds === null || totalSeconds === undefined || !Number.isFinite(totalSeconds)) return '—';
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** The remaining time of a run: "about 1 min 35 s left", or "estimating…" while unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 1) return 'almost done';
  return `about ${formatSeconds(seconds)} left`;
}

/** Time between two ISO timestamps (end defaults to now); "—" when the start is unknown. */
export function formatDuration(startIso: string | null | undefined, endIso?: string | null, now: number = Date.now()): string {
  if (!startIso) return '—';
  const start = Date.parse(startIso);
  const end = endIso ? Date.parse(endIso) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return '—';
  const seconds = (end - start) / 1000;
  if (seconds < 1) return '< 1 s';
  return formatSeconds(seconds);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** An ISO timestamp in local time as "2024-05-01 14:03"; the raw text when it does not parse. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A count with thousands separators; "—" when unknown. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US');
}

/**
 * The (document, reference row) pairs a run scored after candidate search, for people:
 * 1234567 → "1,234,567 pairs compared"; "" while unknown (the run has not ended).
 */
export function formatPairsCompared(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  return `${formatCount(n)} ${n === 1 ? 'pair' : 'pairs'} compared`;
}

/** A 0..1 number shown to at most 3 decimals: 0.25 → "0.25", 1/3 → "0.333". */
export function formatWeight(w: number): string {
  if (!Number.isFinite(w)) return '—';
  return String(Math.round(w * 1000) / 1000);
}

export const MISSING_TEXT = 'missing';

/** How an evidence value is shown: an empty (or blank) value is marked as missing. */
export function evidenceValue(value: string | null | undefined): { text: string; missing: boolean } {
  if (value === null || value === undefined || value.trim() === '') return { text: MISSING_TEXT, missing: true };
  return { text: value, missing: false };
}

export const STRATEGY_LABEL: Record<string, string> = {
  exact: 'Exact',
  fuzzy: 'Fuzzy',
  date_range: 'Date range',
  numeric_range: 'Numeric range',
};

/** Every phase has a label: a phase added to the Rust enum fails the type check here. */
export const PHASE_LABEL: Record<Phase, string> = {
  queued: 'Queued',
  loading_reference: 'Loading reference data',
  learning: 'Learning the match model',
  matching: 'Matching',
  ai_resolving: 'AI resolving',
  finalizing: 'Finalizing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const RUN_TYPE_LABEL: Record<RunType, string> = {
  manual: 'Standard',
  smart: 'Smart',
};

/** A match weight in bits, signed: 3.217 → "+3.2 bits", -0.5 → "−0.5 bits", 1 → "+1 bit". */
export function formatBits(bits: number | null | undefined): string {
  if (bits === null || bits === undefined || !Number.isFinite(bits)) return '—';
  const r = Math.round(bits * 10) / 10;
  const abs = Math.abs(r);
  const sign = r > 0 ? '+' : r < 0 ? '−' : '±';
  return `${sign}${abs.toFixed(1)} ${abs === 1 ? 'bit' : 'bits'}`;
}

/** A 0..1 share as a percentage that keeps small values readable: 0.0004 → "0.04%", 0.25 → "25%". */
export function formatShare(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value > 0 && value < 0.001) return `${(value * 100).toPrecision(1)}%`;
  return formatPercent(value);
}

/** Where an error points to, e.g. "invoices.csv, row 4, column total_amount"; "" when nowhere. */
export function errorLocation(err: { file?: string | null; row?: number | null; column?: string | null }): string {
  const parts: string[] = [];
  if (err.file) parts.push(err.file);
  if (err.row !== null && err.row !== undefined) parts.push(`row ${err.row}`);
  if (err.column) parts.push(`column ${err.column}`);
  return parts.join(', ');
}

/**
 * An import error as one line naming the file, row and column:
 * "invoices.csv, row 4, column total_amount: not a number". The backend's message may already
 * start with that location; it is not repeated.
 */
export function formatImportError(err: {
  message: string;
  file?: string | null;
  row?: number | null;
  column?: string | null;
}): string {
  const location = errorLocation(err);
  if (!location) return err.message;
  const prefix = `${location}: `;
  const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return `${location}: ${detail}`;
}

/** A validation message without the "field: " prefix the backend puts in front of it. */
export function stripFieldPrefix(message: string, field: string | null | undefined): string {
  if (field && message.startsWith(`${field}: `)) return message.slice(field.length + 2);
  return message;
}

/** A human name for a validation field path: "field_mappings[1].weight" → "Mapping 2, weight". */
export function fieldLabel(field: string): string {
  const m = /^field_mappings\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (m) {
    const row = Number(m[1]) + 1;
    return m[2] ? `Mapping ${row}, ${m[2].replace(/_/g, ' ')}` : `Mapping ${row}`;
  }
  if (field === 'field_mappings') return 'Field mappings';
  return field.replace(/_/g, ' ');
}

function signedPercent(p: number): string {
  const rounded = Math.abs(p) < 0.05 ? 0 : p;
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(1)} %`;
}

function amount(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function days(n: number): string {
  return `${n} day${Math.abs(n) === 1 ? '' : 's'}`;
}

/** A field note in the words a finance reviewer uses ("differs +2.4 % …; tolerance 3 % or 10.00"). */
export function formatNote(note: FieldNote): string {
  if (note.kind === 'amount') {
    let base = note.share !== undefined && note.share !== null ? `${Math.round(note.share * 100)} % of the reference amount` : 'the reference amount';
    if (note.tax_rate !== undefined && note.tax_rate !== null) base += ` plus ${note.tax_rate} % VAT`;
    if (Math.abs(note.difference) < 0.005) return `equals ${base}`;
    const tolerance = [note.tolerance_percent > 0 ? `${note.tolerance_percent} %` : null, note.tolerance_absolute > 0 ? amount(note.tolerance_absolute) : null]
      .filter((t) => t !== null)
      .join(' or ');
    const sign = note.difference > 0 ? '+' : '-';
    return `differs ${signedPercent(note.difference_percent)} (${sign}${amount(Math.abs(note.difference))}) from ${base}; ${tolerance ? `tolerance ${tolerance}` : 'no tolerance'}`;
  }
  const when = note.days === 0 ? 'same day as the reference date' : `${days(Math.abs(note.days))} ${note.days > 0 ? 'after' : 'before'} the reference date`;
  if (note.window) {
    const [before, after] = note.window;
    const span = before > 0 && after > 0 ? `${days(before)} before to ${days(after)} after` : before > 0 ? `0 to ${days(before)} before` : `0 to ${days(after)} after`;
    return `${when}; window ${span}${note.tolerance_days > 0 ? `, ${days(note.tolerance_days)} grace` : ''}`;
  }
  return `${when}; tolerance ${days(note.tolerance_days)}`;
}

/**
 * A count the backend types as a 64-bit integer (bigint in the generated types) as a number:
 * over JSON it arrives as a plain number anyway, and no run gets near 2^53 rows.
 */
export function toCount(n: bigint | number | null | undefined): number {
  if (n === null || n === undefined) return 0;
  const v = Number(n);
  return Number.isFinite(v) ? v : 0;
}

/** "1 match" / "12 matches": a count with the word that goes with it. */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A 0..1 position as a whole-or-one-decimal percentage without the sign: 0.85 → "85", 0.875 → "87.5". */
function percentNumber(value: number): string {
  const tenths = Math.round(value * 1000) / 10;
  return Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1);
}

/** The confidence range of histogram bin `index` of `bins`: bin 16 of 20 → "80–85%". */
export function formatBinRange(index: number, bins: number): string {
  return `${percentNumber(index / bins)}–${percentNumber((index + 1) / bins)}%`;
}

const UNSAFE_FILE_CHARS = /[\\/:*?"<>|\u0000-\u001f]+/g;

/**
 * The file name the save dialog proposes for an export: "<config name> <date>.<ext>", with the
 * run's local date, and characters Windows or macOS refuse in file names replaced.
 */
export function exportFileName(configName: string, format: 'csv' | 'xlsx', dateIso: string | null | undefined, now: number = Date.now()): string {
  const parsed = dateIso ? Date.parse(dateIso) : NaN;
  const d = new Date(Number.isNaN(parsed) ? now : parsed);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const name = configName.replace(UNSAFE_FILE_CHARS, '-').replace(/\s+/g, ' ').replace(/^[\s.]+|[\s.]+$/g, '') || 'Matchbook export';
  return `${name} ${date}.${format}`;
}

/**
 * The path with the extension of the other export format swapped for `format`'s, so switching
 * CSV/XLSX does not leave "results.csv" to be written as a workbook. Other paths stay as typed.
 */
export function withExportExtension(path: string, format: 'csv' | 'xlsx'): string {
  const m = /\.(csv|xlsx)$/i.exec(path);
  if (!m) return path;
  return `${path.slice(0, m.index)}.${format}`;
}

/** What an export wrote: "Exported 12 matches and 1 unmatched document to /tmp/out.xlsx". */
export function formatExportOutcome(outcome: { path: string; matched: bigint | number; unmatched: bigint | number }): string {
  const matched = toCount(outcome.matched);
  const unmatched = toCount(outcome.unmatched);
  return `Exported ${plural(matched, 'match', 'matches')} and ${plural(unmatched, 'unmatched document', 'unmatched documents')} to ${outcome.path}`;
}
