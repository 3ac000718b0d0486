/** rANS over static tables: round trips (random and adversarial), size against the ideal, argument errors. */
import { afterAll, describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { RansCoder, quantizeCdf, ransLanes, type CdfTableSet } from '../../src/entropy/index.js';
import { gaussianTables, INT32_MAX, INT32_MIN, latentLike, randInt, rng } from './helpers.js';

const tables = gaussianTables(16);
const coder = new RansCoder(tables);
afterAll(() => coder.dispose());

function roundTrip(c: RansCoder, symbols: Int32Array, indexes: Int32Array): Uint8Array {
  const bytes = c.encode(symbols, indexes);
  expect(Array.from(c.decode(bytes, indexes))).toEqual(Array.from(symbols));
  return bytes;
}

/** A single table set with one table given by its pmf. */
function singleTable(pmf: number[], offset: number, precision = 16): CdfTableSet {
  const cdf = quantizeCdf(pmf, precision);
  return { cdfs: cdf, cdfLengths: Int32Array.of(cdf.length), offsets: Int32Array.of(offset), precision };
}

describe('RansCoder round trips', () => {
  it('codes hyperprior-like data at every length around the lane threshold', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 255, 256, 257, 258, 259, 1000, 4097]) {
      const { symbols, indexes } = latentLike(tables, n, n);
      roundTrip(coder, symbols, indexes);
    }
    expect(ransLanes(255)).toBe(1);
    expect(ransLanes(256)).toBe(4);
  });

  it('codes empty arrays', () => {
    const bytes = roundTrip(coder, new Int32Array(0), new Int32Array(0));
    expect(bytes.length).toBeLessThanOrEqual(2);
  });

  it('codes a single symbol, in and out of its table', () => {
    for (const v of [0, 1, -1, 3, -1000, INT32_MAX, INT32_MIN]) roundTrip(coder, Int32Array.of(v), Int32Array.of(5));
  });

  it('codes every int32 extreme through the escape, in both table ends', () => {
    const values = [INT32_MIN, INT32_MIN + 1, -(2 ** 30), -65537, 65536, 2 ** 30, INT32_MAX - 1, INT32_MAX];
    const n = 400;
    const symbols = Int32Array.from({ length: n }, (_, i) => values[i % values.length]!);
    const indexes = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0 : tables.cdfLengths.length - 1));
    roundTrip(coder, symbols, indexes);
  });

  it('codes values just outside each table edge (the escape range)', () => {
    const symbols: number[] = [];
    const indexes: number[] = [];
    for (let t = 0; t < tables.cdfLengths.length; t++) {
      const lo = tables.offsets[t]!;
      const hi = lo + tables.cdfLengths[t]! - 3; // last directly coded value
      for (const v of [lo - 3, lo - 2, lo - 1, lo, hi, hi + 1, hi + 2, hi + 3]) {
        symbols.push(v);
        indexes.push(t);
      }
    }
    roundTrip(coder, Int32Array.from(symbols), Int32Array.from(indexes));
  });

  it('codes streams where every symbol escapes', () => {
    const next = rng(3);
    const n = 3000;
    const symbols = Int32Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1) * randInt(next, 2000, INT32_MAX));
    const indexes = Int32Array.from({ length: n }, () => randInt(next, 0, 15));
    const bytes = roundTrip(coder, symbols, indexes);
    expect(bytes.length * 8).toBeCloseTo(coder.idealBits(symbols, indexes), -3);
  });

  it('codes runs of one identical symbol in almost no space', () => {
    const n = 100_000;
    const bytes = roundTrip(coder, new Int32Array(n), new Int32Array(n)); // 0 at the smallest scale
    expect(bytes.length).toBeLessThan(100);
  });

  it('codes random values (mostly escapes) with random indexes at both ends', () => {
    const next = rng(11);
    const n = 5000;
    const symbols = Int32Array.from({ length: n }, () => randInt(next, INT32_MIN, INT32_MAX));
    const indexes = Int32Array.from({ length: n }, () => (next() < 0.5 ? 0 : 15));
    roundTrip(coder, symbols, indexes);
  });

  it('works at other precisions, with a one-symbol (escape-only) table and extreme offsets', () => {
    const p12 = singleTable([0.5, 0.25, 0.125, 0.125], -1, 12);
    const p1 = singleTable([1, 1], 7, 1); // one value and the escape, at precision 1
    const escapeOnly: CdfTableSet = { cdfs: Int32Array.of(0, 1 << 16), cdfLengths: Int32Array.of(2), offsets: Int32Array.of(0), precision: 16 };
    const highOffset = singleTable([1, 1, 1, 1], INT32_MAX - 2); // values INT32_MAX-2 .. INT32_MAX
    const lowOffset = singleTable([1, 1, 1, 1], INT32_MIN);
    for (const t of [p12, p1, escapeOnly, highOffset, lowOffset]) {
      const c = new RansCoder(t);
      const next = rng(5);
      const base = t.offsets[0]!;
      const symbols = Int32Array.from({ length: 2000 }, () => {
        const r = next();
        if (r < 0.8) return Math.min(INT32_MAX, base + randInt(next, 0, 3));
        return r < 0.9 ? INT32_MIN : INT32_MAX;
      });
      roundTrip(c, symbols, new Int32Array(symbols.length));
      c.dispose();
    }
  });

  it('decodes into a caller-supplied array', () => {
    const { symbols, indexes } = latentLike(tables, 1000, 9);
    const out = new Int32Array(1000);
    expect(coder.decode(coder.encode(symbols, indexes), indexes, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(symbols));
  });

  it('accepts subarray views without copying them', () => {
    const { symbols, indexes } = latentLike(tables, 2000, 13);
    const bytes = coder.encode(symbols.subarray(500, 1500), indexes.subarray(500, 1500));
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(Array.from(coder.decode(padded.subarray(5, 5 + bytes.length), indexes.subarray(500, 1500)))).toEqual(
      Array.from(symbols.subarray(500, 1500)),
    );
  });
});

describe('RansCoder size', () => {
  it('is within 0.5 % of the information content under the tables', () => {
    const { symbols, indexes } = latentLike(tables, 200_000, 21);
    const bytes = coder.encode(symbols, indexes);
    const ideal = coder.idealBits(symbols, indexes);
    expect(bytes.length * 8).toBeGreaterThanOrEqual(ideal);
    expect((bytes.length * 8) / ideal - 1).toBeLessThan(0.005);
  });

  it('matches the entropy of a known source to within the table quantization', () => {
    const pmf = [0.5, 0.25, 0.125, 0.0625, 0.0625];
    const t = singleTable([...pmf, 1e-9], 0);
    const c = new RansCoder(t);
    const next = rng(8);
    const n = 100_000;
    const symbols = Int32Array.from({ length: n }, () => {
      let u = next();
      for (let s = 0; s < pmf.length; s++) {
        u -= pmf[s]!;
        if (u < 0) return s;
      }
      return pmf.length - 1;
    });
    const bytes = c.encode(symbols, new Int32Array(n));
    const entropy = -pmf.reduce((acc, p) => acc + p * Math.log2(p), 0) * n; // 1.875 bits per symbol
    expect(Math.abs((bytes.length * 8) / entropy - 1)).toBeLessThan(0.01);
    c.dispose();
  });
});

describe('RansCoder arguments', () => {
  it('rejects invalid tables with a RangeError naming the entry', () => {
    const make = (cdfs: number[], lengths: number[], offsets = lengths.map(() => 0), precision = 16) =>
      () => new RansCoder({ cdfs: Int32Array.from(cdfs), cdfLengths: Int32Array.from(lengths), offsets: Int32Array.from(offsets), precision });
    expect(make([0, 100, 100, 65536], [4])).toThrow(
      new RangeError('Expected a strictly increasing CDF (every frequency >= 1), a value above 100 for cdfs[2] (table 0) but received number 100'),
    );
    expect(make([0, 65536, 0, 200, 100, 65536], [2, 4])).toThrow(
      new RangeError('Expected a strictly increasing CDF (every frequency >= 1), a value above 200 for cdfs[4] (table 1) but received number 100'),
    );
    expect(make([0, 100, 65535], [3])).toThrow(
      new RangeError('Expected 65536 (1 << precision) as the last CDF entry for cdfs[2] (table 0) but received number 65535'),
    );
    expect(make([1, 100, 65536], [3])).toThrow(new RangeError('Expected 0 as the first CDF entry for cdfs[0] (table 0) but received number 1'));
    expect(make([0], [1])).toThrow(new RangeError('Expected an integer between 2 and 65537 for cdfLengths[0] but received number 1'));
    expect(make([0, 100, 65536], [4])).toThrow(new RangeError('Expected the sum of cdfLengths (4) for cdfs.length but received number 3'));
    expect(make([0, 65536], [2], [0, 0])).toThrow(RangeError);
    expect(make([], [])).toThrow(RangeError);
    expect(make([0, 2, 5], [3], [0], 2)).toThrow(
      new RangeError('Expected 4 (1 << precision) as the last CDF entry for cdfs[2] (table 0) but received number 5'),
    );
    expect(make([0, 1, 2, 65536], [4], [INT32_MAX])).toThrow( // its values offset .. offset+1 must fit int32
      new RangeError(`Expected an integer between ${INT32_MIN} and ${INT32_MAX - 1} for offsets[0] but received number ${INT32_MAX}`),
    );
    expect(() => new RansCoder({ ...tables, precision: 17 })).toThrow(
      new RangeError('Expected an integer between 1 and 16 for tables.precision but received number 17'),
    );
    expect(() => new RansCoder({ ...tables, cdfs: new Float32Array(3) as unknown as Int32Array })).toThrow(
      new TypeError('Expected an Int32Array for tables.cdfs but received a Float32Array of length 3'),
    );
  });

  it('rejects an index outside the table set, at encode and decode', () => {
    const symbols = new Int32Array(10);
    const indexes = new Int32Array(10);
    indexes[3] = 16;
    expect(() => coder.encode(symbols, indexes)).toThrow(
      new RangeError('Expected an integer between 0 and 15 for indexes[3] but received number 16'),
    );
    indexes[3] = -1;
    expect(() => coder.encode(symbols, indexes)).toThrow(
      new RangeError('Expected an integer between 0 and 15 for indexes[3] but received number -1'),
    );
    const bytes = coder.encode(symbols, new Int32Array(10));
    expect(() => coder.decode(bytes, indexes)).toThrow(
      new RangeError('Expected an integer between 0 and 15 for indexes[3] but received number -1'),
    );
  });

  it('rejects wrong kinds and lengths', () => {
    expect(() => coder.encode([1, 2] as unknown as Int32Array, new Int32Array(2))).toThrow(
      new TypeError('Expected an Int32Array for symbols but received an array of length 2'),
    );
    expect(() => coder.encode(new Int32Array(2), new Int32Array(3))).toThrow(
      new RangeError('Expected an Int32Array of length 2 (one index per symbol) for indexes but received a Int32Array of length 3'),
    );
    expect(() => coder.decode(new Uint8Array(2), new Int32Array(2), new Int32Array(1))).toThrow(RangeError);
    expect(() => coder.decode(new Int8Array(2) as unknown as Uint8Array, new Int32Array(2))).toThrow(TypeError);
  });

  it('throws ERR_DISPOSED after dispose', () => {
    const c = new RansCoder(tables);
    expect(c.memoryBytes).toBeGreaterThan(0);
    c.dispose();
    c.dispose();
    expect(c.disposed).toBe(true);
    expect(() => c.encode(new Int32Array(1), new Int32Array(1))).toThrow(CodecError);
    try {
      c.encode(new Int32Array(1), new Int32Array(1));
    } catch (err) {
      expect((err as CodecError).code).toBe('ERR_DISPOSED');
    }
  });
});
