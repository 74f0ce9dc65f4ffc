/**
 * Parsing of user-supplied (x, y) point lists (1D targets) and (x, y, z) lists (2D targets), pasted or
 * dropped as a file.
 *
 * Format: one point per line, x then y (then z for 2D), separated by a comma, semicolon, tab or spaces;
 * `.` is the decimal point. `#` starts a comment (to the end of the line); blank lines are ignored; the
 * first data line may be a header (no field that looks like a number, e.g. `x,y`) and is then skipped; a first
 * line with a field like `NaN`, `Infinity`, `0x10` or `1.2.3` is data, refused with its line number. Fields may be
 * wrapped in double quotes. Points are returned sorted by x; points sharing an x are merged into one
 * whose y is their average (so the result is a function of x). In 2D: sorted by x then y, and points
 * sharing (x, y) merged by averaging z.
 */

import { MAX_ABS_VALUE, outsideRange } from './limits.ts';

/** Most points accepted in one data set. */
export const MAX_CSV_POINTS = 100_000;
/** Largest accepted text, in characters. */
export const MAX_CSV_CHARS = 10_000_000;
/**
 * Most lines accepted, comments and blank lines included: twice the points, so a commented file fits. Counted
 * before anything is parsed, so an oversized text is refused in milliseconds (a 1,000,000-line paste was parsed
 * up to its 100,001st point first).
 */
export const MAX_CSV_LINES = 2 * MAX_CSV_POINTS;

/**
 * At least the number of lines of `text` (\n, \r\n or \r end a line), counting no further than `limit + 1`:
 * the larger of the \n and the \r counts, found with indexOf (native, ~10× faster than a character loop).
 */
function countLines(text: string, limit: number): number {
  const count = (ch: string) => {
    let n = 1;
    for (let i = text.indexOf(ch); i >= 0 && n <= limit; i = text.indexOf(ch, i + 1)) n++;
    return n;
  };
  const lf = count('\n');
  return lf > limit ? lf : Math.max(lf, count('\r'));
}

/** A malformed point list; `line` is 1-based (0 when the problem is not on one line). */
export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

export interface ParsedPoints {
  /** Sorted, distinct x values. */
  xs: number[];
  ys: number[];
  /** How many input points were merged away because their x repeated. */
  merged: number;
  /** The skipped header line, if there was one. */
  header: string | null;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a field looks like a number, valid or not: a digit first (after a sign or point), or NaN or Infinity. */
function looksNumeric(field: string): boolean {
  return /^[+-]?\.?\d/.test(field) || /^[+-]?(?:nan|inf(?:inity)?)$/i.test(field);
}
const SPLIT_RE = /\s*[,;\t]\s*|\s+/;

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).trim() : s;
}

/**
 * Sorts points by x and averages the y of points with equal x. Inputs must already be finite.
 * Returns fresh arrays.
 */
export function normalizePoints(xs: ArrayLike<number>, ys: ArrayLike<number>): { xs: number[]; ys: number[]; merged: number } {
  // Most files are already sorted with distinct x: then a copy does (a 100,000-point sort took 100+ ms).
  let increasing = true;
  for (let i = 1; i < xs.length && increasing; i++) increasing = xs[i] > xs[i - 1];
  if (increasing) return { xs: Array.from(xs, (x) => (x === 0 ? 0 : x)), ys: Array.from(ys), merged: 0 };
  const order = Array.from({ length: xs.length }, (_, i) => i).sort((p, q) => xs[p] - xs[q] || p - q);
  const ox: number[] = [];
  const oy: number[] = [];
  let merged = 0;
  for (let k = 0; k < order.length; ) {
    const x = xs[order[k]];
    let sum = 0;
    let count = 0;
    while (k < order.length && xs[order[k]] === x) {
      sum += ys[order[k]];
      count++;
      k++;
    }
    merged += count - 1;
    ox.push(x === 0 ? 0 : x);
    oy.push(sum / count);
  }
  return { xs: ox, ys: oy, merged };
}

/** The numeric rows of a point list, before any sorting or merging. */
interface ScannedRows {
  /** One array per column, in file order. */
  columns: number[][];
  header: string | null;
}

/**
 * Reads the rows of a point list with `names.length` columns (see the module notes for the format): what the
 * 2-column and the 3-column parsers share, so both give the same line-numbered errors and limits.
 */
function scanRows(text: string, names: readonly string[], expected: string, example: string): ScannedRows {
  if (typeof text !== 'string') throw new CsvError('expected text', 0);
  if (text.length > MAX_CSV_CHARS) {
    throw new CsvError(`the text is too large (${text.length.toLocaleString('en-US')} characters, at most ${MAX_CSV_CHARS.toLocaleString('en-US')}); keep at most ${MAX_CSV_POINTS.toLocaleString('en-US')} points`, 0);
  }
  if (countLines(text, MAX_CSV_LINES) > MAX_CSV_LINES) {
    throw new CsvError(`the text has more than ${MAX_CSV_LINES.toLocaleString('en-US')} lines; keep at most ${MAX_CSV_POINTS.toLocaleString('en-US')} points`, 0);
  }
  const width = names.length;
  const lines = text.split(/\r\n|\n|\r/);
  const columns: number[][] = names.map(() => []);
  let header: string | null = null;
  let seenData = false;
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const hash = lines[li].indexOf('#');
    const body = (hash >= 0 ? lines[li].slice(0, hash) : lines[li]).replace(/^\uFEFF/, '').trim();
    if (body === '') continue;
    const fields = body.split(SPLIT_RE).map(unquote);
    const numeric = fields.map((f) => NUMBER_RE.test(f));
    // A header names its columns: a line where some field looks like a number ("1, NaN") is a bad data line.
    if (!seenData && header === null && numeric.some((ok) => !ok) && !fields.some(looksNumeric)) {
      header = body;
      continue;
    }
    seenData = true;
    if (fields.length !== width) {
      throw new CsvError(`expected ${width} values (${expected}), got ${fields.length}: "${clip(body)}"`, lineNo);
    }
    const vals: number[] = [];
    for (let k = 0; k < width; k++) {
      const name = names[k];
      if (!numeric[k]) throw new CsvError(`${name} is not a number: "${clip(fields[k])}"`, lineNo);
      const v = Number(fields[k]);
      if (!Number.isFinite(v)) throw new CsvError(`${name} is not finite: "${clip(fields[k])}"`, lineNo);
      // The same bound as network values: what the GPU's float32 holds with headroom.
      if (Math.abs(v) > MAX_ABS_VALUE) throw new CsvError(`${name} = ${outsideRange(v)}`, lineNo);
      vals.push(v);
    }
    if (columns[0].length >= MAX_CSV_POINTS) throw new CsvError(`too many points (at most ${MAX_CSV_POINTS.toLocaleString('en-US')})`, lineNo);
    for (let k = 0; k < width; k++) columns[k].push(vals[k]);
  }
  if (columns[0].length === 0) throw new CsvError(`no points found (expected lines of "${example}")`, 0);
  return { columns, header };
}

/**
 * Parses an (x, y) point list (see the module notes for the format). Throws CsvError naming the
 * 1-based line of the first bad value; needs at least 2 distinct x and at most MAX_CSV_POINTS points.
 */
export function parseCsvPoints(text: string): ParsedPoints {
  const { columns, header } = scanRows(text, ['x', 'y'], 'x and y', 'x, y');
  const norm = normalizePoints(columns[0], columns[1]);
  if (norm.xs.length < 2) throw new CsvError('need at least 2 points with different x', 0);
  return { xs: norm.xs, ys: norm.ys, merged: norm.merged, header };
}

/** A parsed (x, y, z) point list: sorted by x, then y, with repeated (x, y) merged. */
export interface ParsedPoints3 {
  xs: number[];
  ys: number[];
  zs: number[];
  /** How many input points were merged away because their (x, y) repeated. */
  merged: number;
  /** The skipped header line, if there was one. */
  header: string | null;
}

/**
 * Sorts points by x, then y, and averages the z of points with equal (x, y) (so the result is a function of
 * (x, y)); −0 becomes 0. Inputs must already be finite and of equal length. Returns fresh arrays.
 */
export function normalizePoints3(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  zs: ArrayLike<number>,
): { xs: number[]; ys: number[]; zs: number[]; merged: number } {
  let increasing = true;
  for (let i = 1; i < xs.length && increasing; i++) increasing = xs[i] > xs[i - 1] || (xs[i] === xs[i - 1] && ys[i] > ys[i - 1]);
  if (increasing) return { xs: Array.from(xs, (x) => (x === 0 ? 0 : x)), ys: Array.from(ys, (y) => (y === 0 ? 0 : y)), zs: Array.from(zs), merged: 0 };
  const order = Array.from({ length: xs.length }, (_, i) => i).sort((p, q) => xs[p] - xs[q] || ys[p] - ys[q] || p - q);
  const ox: number[] = [];
  const oy: number[] = [];
  const oz: number[] = [];
  let merged = 0;
  for (let k = 0; k < order.length; ) {
    const x = xs[order[k]];
    const y = ys[order[k]];
    let sum = 0;
    let count = 0;
    while (k < order.length && xs[order[k]] === x && ys[order[k]] === y) {
      sum += zs[order[k]];
      count++;
      k++;
    }
    merged += count - 1;
    ox.push(x === 0 ? 0 : x);
    oy.push(y === 0 ? 0 : y);
    oz.push(sum / count);
  }
  return { xs: ox, ys: oy, zs: oz, merged };
}

/**
 * Parses an (x, y, z) point list for 2D targets: the format, limits and line-numbered errors of
 * `parseCsvPoints`, with three values a line. Points with the same (x, y) are merged (z averaged).
 * Needs at least 1 point.
 */
export function parseCsvPoints3(text: string): ParsedPoints3 {
  const { columns, header } = scanRows(text, ['x', 'y', 'z'], 'x, y and z', 'x, y, z');
  const norm = normalizePoints3(columns[0], columns[1], columns[2]);
  return { xs: norm.xs, ys: norm.ys, zs: norm.zs, merged: norm.merged, header };
}

function clip(s: string): string {
  return s.length > 30 ? `${s.slice(0, 30)}…` : s;
}
