import { describe, expect, it } from 'vitest';
import { CsvError, MAX_CSV_CHARS, MAX_CSV_POINTS, normalizePoints3, parseCsvPoints3 } from '../../src/model/csv.ts';

function fails(text: string): CsvError {
  try {
    parseCsvPoints3(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

describe('parseCsvPoints3 (x, y, z rows)', () => {
  it('accepts comma, semicolon, tab and whitespace separators, CRLF and CR line ends', () => {
    const want = { xs: [0, 1, 2], ys: [5, 6, 7], zs: [-1, 0.5, 2e3] };
    for (const text of ['0,5,-1\n1,6,0.5\n2,7,2e3', '0;5;-1\r\n1;6;.5\r\n2;7;2E+3\r\n', '0\t5\t-1\r1\t6\t0.5\r2\t7\t2000', '0 5 -1\n 1   6  0.5 \n2\t 7 , 2000']) {
      const r = parseCsvPoints3(text);
      expect({ xs: r.xs, ys: r.ys, zs: r.zs }).toEqual(want);
      expect(r.merged).toBe(0);
    }
  });

  it('skips a header, comments, blank lines, a BOM, and unquotes fields', () => {
    const r = parseCsvPoints3('\uFEFF# scan\n"x","y","z"\n\n1, 2, 3   # first\n  \n"3","4.5e1","-7"\n# end');
    expect(r.header).toBe('"x","y","z"');
    expect(r.xs).toEqual([1, 3]);
    expect(r.ys).toEqual([2, 45]);
    expect(r.zs).toEqual([3, -7]);
  });

  it('sorts by x then y and averages the z of repeated (x, y)', () => {
    const r = parseCsvPoints3('1,2,10\n0,5,1\n1,1,4\n1,2,20\n0,5,3\n-0,-0,9');
    expect(r.xs).toEqual([0, 0, 1, 1]);
    expect(Object.is(r.xs[0], 0) && Object.is(r.ys[0], 0)).toBe(true);
    expect(r.ys).toEqual([0, 5, 1, 2]);
    expect(r.zs).toEqual([9, 2, 4, 15]);
    expect(r.merged).toBe(2);
  });

  it('accepts a single point (a 2D target needs at least 1)', () => {
    expect(parseCsvPoints3('x y z\n0.5 0.5 1')).toMatchObject({ xs: [0.5], ys: [0.5], zs: [1] });
  });

  it('names the 1-based line of a bad value, like the 2-column parser', () => {
    expect(fails('x,y,z\n1,2,3\n2,1,1e400\n').message).toBe('line 3: z is not finite: "1e400"');
    expect(fails('1,2,3\n\n3,NaN,1').message).toBe('line 3: y is not a number: "NaN"');
    expect(fails('1,2,3\nfoo,2,3').message).toBe('line 2: x is not a number: "foo"');
    expect(fails('1,2,3\n4,5').message).toBe('line 2: expected 3 values (x, y and z), got 2: "4,5"');
    expect(fails('1,2,3\n4,5,6,7').line).toBe(2);
    expect(fails('1,2,3\n1,2,2e15').message).toBe('line 2: z = 2e15 is outside ±1e15 (what float32 holds with headroom)');
    expect(fails('1,-1e16,3').message).toBe('line 1: y = -1e16 is outside ±1e15 (what float32 holds with headroom)');
    // Only the first data line may be a header.
    expect(fails('x,y,z\n1,2,3\nx,y,z').line).toBe(3);
  });

  it('rejects empty input, too much text, too many points, and non-text', () => {
    expect(fails('').message).toBe('no points found (expected lines of "x, y, z")');
    expect(fails('# nothing\nx,y,z\n').line).toBe(0);
    expect(fails('0,0,0\n'.repeat(1) + ' '.repeat(MAX_CSV_CHARS)).message).toMatch(/too large/);
    const many = Array.from({ length: MAX_CSV_POINTS + 1 }, (_, i) => `${i},0,1`).join('\n');
    expect(fails(many).message).toBe(`line ${MAX_CSV_POINTS + 1}: too many points (at most ${MAX_CSV_POINTS.toLocaleString('en-US')})`);
    expect(fails(42 as unknown as string).message).toBe('expected text');
  });

  it('parses MAX_CSV_POINTS points', () => {
    const text = Array.from({ length: MAX_CSV_POINTS }, (_, i) => `${i % 300},${Math.floor(i / 300)},${i}`).join('\n');
    const r = parseCsvPoints3(text);
    expect(r.xs).toHaveLength(MAX_CSV_POINTS);
    expect(r.merged).toBe(0);
  });

  it('normalizePoints3 merges repeated (x, y) by averaging z and returns fresh arrays', () => {
    const xs = [2, 1, 2];
    const r = normalizePoints3(xs, [0, 0, 0], [1, 2, 4]);
    expect(r).toEqual({ xs: [1, 2], ys: [0, 0], zs: [2, 2.5], merged: 1 });
    expect(r.xs).not.toBe(xs);
  });
});
