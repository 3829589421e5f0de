// Which characters of two values differ, for highlighting in the evidence panel: a longest common
// subsequence of characters, compared without case (the normalisers ignore case too).

export interface Segment {
  text: string;
  /** Part of the common subsequence (shown plain); false: differs (highlighted). */
  same: boolean;
}

/** Values longer than this are shown without highlighting: the table is quadratic in length. */
export const MAX_DIFF_LENGTH = 200;

function segments(chars: string[], keep: boolean[]): Segment[] {
  const out: Segment[] = [];
  chars.forEach((c, i) => {
    const same = keep[i] ?? false;
    const last = out[out.length - 1];
    if (last && last.same === same) last.text += c;
    else out.push({ text: c, same });
  });
  return out;
}

/**
 * Splits `a` and `b` into runs of characters they share (in order) and runs that differ. Equal
 * values (ignoring case) are one shared run each; values too long to compare are one shared run.
 */
export function diffChars(a: string, b: string): { a: Segment[]; b: Segment[] } {
  const ca = Array.from(a);
  const cb = Array.from(b);
  const whole = (chars: string[]): Segment[] => (chars.length ? [{ text: chars.join(''), same: true }] : []);
  if (a.toLowerCase() === b.toLowerCase() || ca.length > MAX_DIFF_LENGTH || cb.length > MAX_DIFF_LENGTH) {
    return { a: whole(ca), b: whole(cb) };
  }
  const la = ca.map((c) => c.toLowerCase());
  const lb = cb.map((c) => c.toLowerCase());
  const n = la.length;
  const m = lb.length;
  // lcs[i][j]: length of the common subsequence of la[i..] and lb[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = la[i] === lb[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const keepA = new Array<boolean>(n).fill(false);
  const keepB = new Array<boolean>(m).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (la[i] === lb[j]) {
      keepA[i++] = true;
      keepB[j++] = true;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) i++;
    else j++;
  }
  return { a: segments(ca, keepA), b: segments(cb, keepB) };
}
