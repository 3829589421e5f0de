// Tests of the display helpers in format.ts.
import { describe, expect, it } from 'vitest';

import {
  PHASE_LABEL,
  RUN_TYPE_LABEL,
  confidenceBand,
  formatBits,
  formatShare,
  errorLocation,
  exportFileName,
  evidenceValue,
  fieldLabel,
  formatBinRange,
  formatCount,
  formatDuration,
  formatEta,
  formatExportOutcome,
  formatImportError,
  formatNote,
  formatPairsCompared,
  formatPercent,
  formatSeconds,
  formatWeight,
  plural,
  stripFieldPrefix,
  toCount,
  withExportExtension,
} from './format';

describe('formatPercent', () => {
  it('shows confidence as a percentage with at most one decimal', () => {
    expect(formatPercent(0.85)).toBe('85%');
    expect(formatPercent(0.849)).toBe('84.9%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.12345)).toBe('12.3%');
    expect(formatPercent(0.9999)).toBe('100%');
  });
  it('shows a dash when unknown', () => {
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(undefined)).toBe('—');
    expect(formatPercent(Number.NaN)).toBe('—');
  });
});

describe('confidenceBand', () => {
  it('classifies by threshold and review floor', () => {
    expect(confidenceBand(0.9, 0.85, 0.5)).toBe('matched');
    expect(confidenceBand(0.85, 0.85, 0.5)).toBe('matched');
    expect(confidenceBand(0.8499, 0.85, 0.5)).toBe('review');
    expect(confidenceBand(0.5, 0.85, 0.5)).toBe('review');
    expect(confidenceBand(0.4999, 0.85, 0.5)).toBe('low');
    expect(confidenceBand(0, 0.85, 0.5)).toBe('low');
  });
  it('has no review band when the floor equals the threshold', () => {
    expect(confidenceBand(0.7, 0.7, 0.7)).toBe('matched');
    expect(confidenceBand(0.69, 0.7, 0.7)).toBe('low');
  });
});

describe('durations and ETA', () => {
  it('formats seconds for people', () => {
    expect(formatSeconds(95)).toBe('1 min 35 s');
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(120)).toBe('2 min');
    expect(formatSeconds(3600)).toBe('1 h');
    expect(formatSeconds(3900)).toBe('1 h 5 min');
    expect(formatSeconds(59.6)).toBe('1 min');
  });
  it('formats an ETA', () => {
    expect(formatEta(95)).toBe('about 1 min 35 s left');
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(0)).toBe('almost done');
  });
  it('formats the duration between two timestamps', () => {
    expect(formatDuration('2024-05-01T10:00:00Z', '2024-05-01T10:01:35Z')).toBe('1 min 35 s');
    expect(formatDuration('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.300Z')).toBe('< 1 s');
    expect(formatDuration(null, '2024-05-01T10:00:00Z')).toBe('—');
    expect(formatDuration('2024-05-01T10:00:00Z', null, Date.parse('2024-05-01T10:00:45Z'))).toBe('45 s');
  });
});

describe('evidenceValue', () => {
  it('marks empty values as missing', () => {
    expect(evidenceValue('')).toEqual({ text: 'missing', missing: true });
    expect(evidenceValue('   ')).toEqual({ text: 'missing', missing: true });
    expect(evidenceValue(null)).toEqual({ text: 'missing', missing: true });
  });
  it('shows present values as they are', () => {
    expect(evidenceValue('PO-1001')).toEqual({ text: 'PO-1001', missing: false });
    expect(evidenceValue('0')).toEqual({ text: '0', missing: false });
  });
});

describe('import errors', () => {
  it('names file, row and column', () => {
    expect(formatImportError({ message: 'not a number', file: 'invoices.csv', row: 4, column: 'total_amount' })).toBe(
      'invoices.csv, row 4, column total_amount: not a number',
    );
  });
  it('does not repeat a location the message already has', () => {
    expect(
      formatImportError({
        message: 'invoices.csv, row 4, column total_amount: not a number',
        file: 'invoices.csv',
        row: 4,
        column: 'total_amount',
      }),
    ).toBe('invoices.csv, row 4, column total_amount: not a number');
  });
  it('works with only part of the location', () => {
    expect(formatImportError({ message: 'The file could not be read', file: 'po.csv' })).toBe('po.csv: The file could not be read');
    expect(formatImportError({ message: 'duplicate column', file: 'po.csv', row: 1, column: null })).toBe('po.csv, row 1: duplicate column');
    expect(formatImportError({ message: 'no such file' })).toBe('no such file');
    expect(errorLocation({ row: 0 })).toBe('row 0');
  });
});

describe('validation messages', () => {
  it('strips the field prefix and names fields for people', () => {
    expect(stripFieldPrefix('field_mappings[1].weight: must be a number greater than 0', 'field_mappings[1].weight')).toBe(
      'must be a number greater than 0',
    );
    expect(stripFieldPrefix('something else', 'name')).toBe('something else');
    expect(fieldLabel('field_mappings[1].weight')).toBe('Mapping 2, weight');
    expect(fieldLabel('field_mappings[0]')).toBe('Mapping 1');
    expect(fieldLabel('review_floor')).toBe('review floor');
  });
});

describe('numbers', () => {
  it('formats counts and weights', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
    expect(formatWeight(1 / 3)).toBe('0.333');
    expect(formatWeight(0.25)).toBe('0.25');
  });
  it('formats the pairs a run compared with thousands separators', () => {
    expect(formatPairsCompared(1234567)).toBe('1,234,567 pairs compared');
    expect(formatPairsCompared(0)).toBe('0 pairs compared');
    expect(formatPairsCompared(1)).toBe('1 pair compared');
    expect(formatPairsCompared(null)).toBe('');
    expect(formatPairsCompared(undefined)).toBe('');
  });
});

describe('formatNote', () => {
  const amount = { kind: 'amount' as const, difference_percent: 0, difference: 0, tolerance_percent: 0, tolerance_absolute: 0.01 };
  it('says which VAT rate and share make two amounts equal', () => {
    expect(formatNote({ ...amount, tax_rate: 7 })).toBe('equals the reference amount plus 7 % VAT');
    expect(formatNote({ ...amount, tax_rate: 19, share: 0.5 })).toBe('equals 50 % of the reference amount plus 19 % VAT');
    expect(formatNote(amount)).toBe('equals the reference amount');
  });

  it('gives a difference in percent and money, with the tolerance', () => {
    expect(formatNote({ ...amount, difference_percent: 2.4, difference: 24, tolerance_percent: 3, tolerance_absolute: 10 })).toBe(
      'differs +2.4 % (+24.00) from the reference amount; tolerance 3 % or 10.00',
    );
    expect(formatNote({ ...amount, difference_percent: -12.5, difference: -1250.5, tolerance_absolute: 0 })).toBe(
      'differs -12.5 % (-1,250.50) from the reference amount; no tolerance',
    );
  });

  it('counts days against the window or the tolerance', () => {
    expect(formatNote({ kind: 'days', days: 12, window: [0, 45], tolerance_days: 0 })).toBe('12 days after the reference date; window 0 to 45 days after');
    expect(formatNote({ kind: 'days', days: -1, window: [10, 45], tolerance_days: 2 })).toBe(
      '1 day before the reference date; window 10 days before to 45 days after, 2 days grace',
    );
    expect(formatNote({ kind: 'days', days: 0, tolerance_days: 7 })).toBe('same day as the reference date; tolerance 7 days');
  });
});

describe('toCount', () => {
  it('reads 64-bit counts whether they arrive as numbers or bigints', () => {
    expect(toCount(12)).toBe(12);
    expect(toCount(BigInt(7))).toBe(7);
    expect(toCount(null)).toBe(0);
    expect(toCount(undefined)).toBe(0);
  });
});

describe('plural', () => {
  it('picks the word for one or many, with thousands separators', () => {
    expect(plural(1, 'match', 'matches')).toBe('1 match');
    expect(plural(0, 'match', 'matches')).toBe('0 matches');
    expect(plural(1234, 'match', 'matches')).toBe('1,234 matches');
  });
});

describe('formatBinRange', () => {
  it('labels a histogram bin with its confidence range', () => {
    expect(formatBinRange(0, 20)).toBe('0–5%');
    expect(formatBinRange(16, 20)).toBe('80–85%');
    expect(formatBinRange(19, 20)).toBe('95–100%');
    expect(formatBinRange(2, 8)).toBe('25–37.5%');
  });
});

describe('exportFileName', () => {
  it('names the file after the config and the run date, with the format extension', () => {
    const iso = new Date(2024, 4, 1, 14, 3).toISOString();
    expect(exportFileName('Invoices to POs', 'xlsx', iso)).toBe('Invoices to POs 2024-05-01.xlsx');
    expect(exportFileName('Invoices to POs', 'csv', iso)).toBe('Invoices to POs 2024-05-01.csv');
  });
  it('replaces characters file systems refuse and falls back to now without a date', () => {
    const now = new Date(2025, 0, 9, 8, 0).getTime();
    expect(exportFileName('AP/AR: "Q1" <2025>', 'csv', null, now)).toBe('AP-AR- -Q1- -2025- 2025-01-09.csv');
    expect(exportFileName(' ..  ', 'xlsx', 'not a date', now)).toBe('Matchbook export 2025-01-09.xlsx');
  });
});

describe('withExportExtension', () => {
  it('swaps a csv/xlsx extension for the chosen format and leaves other paths alone', () => {
    expect(withExportExtension('/tmp/out.csv', 'xlsx')).toBe('/tmp/out.xlsx');
    expect(withExportExtension('C:\\exports\\May.XLSX', 'csv')).toBe('C:\\exports\\May.csv');
    expect(withExportExtension('/tmp/out.txt', 'xlsx')).toBe('/tmp/out.txt');
    expect(withExportExtension('', 'csv')).toBe('');
  });
});

describe('formatExportOutcome', () => {
  it('says how many matches and unmatched documents went where', () => {
    expect(formatExportOutcome({ path: '/tmp/may.xlsx', matched: 12, unmatched: 3 })).toBe(
      'Exported 12 matches and 3 unmatched documents to /tmp/may.xlsx',
    );
    expect(formatExportOutcome({ path: 'a.csv', matched: BigInt(1), unmatched: BigInt(1) })).toBe('Exported 1 match and 1 unmatched document to a.csv');
  });
});

describe('smart-run labels', () => {
  it('labels every phase, run type and match weight', () => {
    expect(PHASE_LABEL.learning).toBe('Learning the match model');
    expect(PHASE_LABEL.ai_resolving).toBe('AI resolving');
    expect(RUN_TYPE_LABEL.smart).toBe('Smart');
    expect(formatBits(3.217)).toBe('+3.2 bits');
    expect(formatBits(-0.5)).toBe('−0.5 bits');
    expect(formatBits(1)).toBe('+1.0 bit');
    expect(formatBits(0)).toBe('±0.0 bits');
    expect(formatShare(0.0004)).toBe('0.04%');
    expect(formatShare(0.25)).toBe('25%');
  });
});
