import { describe, expect, it } from 'vitest';
import { CsvError, MAX_CSV_POINTS, normalizePoints, parseCsvPoints, parseCsvPoints3 } from '../../src/model/csv.ts';

function fails(text: string): CsvError {
  try {
    parseCsvPoints(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error('expected a CsvError');
}

describe('parseCsvPoints', () => {
  it('accepts comma, semicolon, tab and whitespace separators, CRLF and CR line ends', () => {
    const want = { xs: [0, 1, 2, 3], ys: [5, 6, 7, 8] };
    for (const text of ['0,5\n1,6\n2,7\n3,8', '0;5\r\n1;6\r\n2;7\r\n3;8\r\n', '0\t5\r1\t6\r2\t7\r3\t8', '0 5\n 1   6 \n2\t 7\n3 , 8']) {
      const r = parseCsvPoints(text);
      expect({ xs: r.xs, ys: r.ys }).toEqual(want);
    }
  });

  it('skips a header, comments, blank lines, a BOM, and unquotes fields', () => {
    const r = parseCsvPoints('\uFEFF# measured\n"x","y"\n\n1, 2   # first\n  \n"3","4.5e1"\n# end');
    expect(r.header).toBe('"x","y"');
    expect(r.xs).toEqual([1, 3]);
    expect(r.ys).toEqual([2, 45]);
  });

  it('sorts by x and averages the y of repeated x', () => {
    const r = parseCsvPoints('3,1\n1,2\n3,3\n2,0\n1,4');
    expect(r.xs).toEqual([1, 2, 3]);
    expect(r.ys).toEqual([3, 0, 2]);
    expect(r.merged).toBe(2);
  });

  it('names the 1-based line of a bad value', () => {
    expect(fails('x,y\n1,2\n2,1e400\n').message).toBe('line 3: y is not finite: "1e400"');
    expect(fails('1,2\n\n3,NaN').line).toBe(3);
    expect(fails('1,2\n3,inf').message).toMatch(/line 2: y is not a number/);
    expect(fails('1,2\n0x10,3').message).toMatch(/line 2: x is not a number: "0x10"/);
    expect(fails('1,2\n3,4,5').message).toMatch(/line 2: expected 2 values \(x and y\), got 3/);
    expect(fails('1,2\n3').message).toMatch(/line 2: expected 2 values/);
    // A second non-numeric line is not a header.
    expect(fails('x,y\na,b\n1,2').message).toMatch(/line 2: x is not a number/);
  });

  it('needs two distinct x and caps the point count', () => {
    expect(fails('').message).toMatch(/no points/);
    expect(fails('# only a comment\nx,y').message).toMatch(/no points/);
    expect(fails('1,2').message).toMatch(/at least 2 points/);
    expect(fails('1,2\n1,3').message).toMatch(/at least 2 points/);
    const lines = Array.from({ length: MAX_CSV_POINTS + 1 }, (_, i) => `${i},${i}`).join('\n');
    expect(fails(lines).message).toBe(`line ${MAX_CSV_POINTS + 1}: too many points (at most ${MAX_CSV_POINTS.toLocaleString('en-US')})`);
    expect(parseCsvPoints(lines.slice(0, lines.lastIndexOf('\n'))).xs).toHaveLength(MAX_CSV_POINTS);
  });

  it('rejects non-text input', () => {
    expect(() => parseCsvPoints(undefined as unknown as string)).toThrow(CsvError);
  });

  it('normalizePoints keeps -0 out and leaves inputs untouched', () => {
    const xs = [0, -0, 1];
    const r = normalizePoints(xs, [1, 3, 5]);
    expect(Object.is(r.xs[0], 0)).toBe(true);
    expect(r.ys).toEqual([2, 5]);
    expect(xs).toEqual([0, -0, 1]);
  });
});

describe('the value bound', () => {
  it('refuses CSV values and data targets beyond ±1e15 with the line or the field named', async () => {
    expect(() => parseCsvPoints('0, 1\n1, 2e15\n')).toThrow(CsvError);
    expect(() => parseCsvPoints('0, 1\n1, 2e15\n')).toThrow(/line 2: y = 2e15 is outside ±1e15/);
    expect(parseCsvPoints('0, 1\n1, 1e15\n').ys[1]).toBe(1e15);
    const { validateTargetSpec } = await import('../../src/model/targets.ts');
    expect(() => validateTargetSpec({ kind: 'data', xs: [0, 1e39], ys: [0, 1] })).toThrow(/xs\[1\]: 1e39 is outside ±1e15/);
  });
});

describe('size limits before parsing', () => {
  it('refuses a text of more than MAX_CSV_LINES lines at once, before reading its points', () => {
    // A bad value on line 2 would be reported first if the points were read before the lines were counted.
    const text = 'x,y\n1,zz\n' + '1,2\n'.repeat(1_000_000);
    const t0 = performance.now();
    expect(() => parseCsvPoints(text)).toThrow(/^the text has more than 200,000 lines; keep at most 100,000 points$/);
    expect(() => parseCsvPoints3(text)).toThrow(/more than 200,000 lines/);
    // About 2 ms each here; generous for a loaded machine.
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('a first line is a header only when it names columns', () => {
  it('refuses a first line with a number-like field (NaN, Infinity, hex, a bad decimal) by its line number, in 1D and 2D', () => {
    for (const first of ['1, NaN', 'Infinity,1', '0x10,1', '-inf, 2', '1.2.3, 4', '.5e, 1']) {
      expect(() => parseCsvPoints(`${first}\n0,0\n2,1`), first).toThrow(/line 1: /);
    }
    expect(() => parseCsvPoints3('1,2,NaN\n1,1,1\n2,2,2')).toThrow(/line 1: z is not a number/);
  });

  it('still skips a header of names', () => {
    for (const header of ['x,y', 'x; y', '"x","y"', 'time (s)\tvalue']) {
      expect(parseCsvPoints(`${header}\n0,0\n2,1`).header, header).not.toBeNull();
    }
    expect(parseCsvPoints3('x,y,z\n0,0,1\n1,1,2').header).toBe('x,y,z');
  });
});
