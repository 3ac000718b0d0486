/** pmf -> quantized CDF, Gaussian-conditional and factorized table sets. */
import { describe, expect, it } from 'vitest';
import {
  buildFactorizedTables,
  buildGaussianTables,
  buildScaleIndexes,
  defaultScaleTable,
  quantizeCdf,
  RansCoder,
  tailBoundMultiplier,
} from '../../src/entropy/index.js';
import { randInt, rng } from './helpers.js';

function expectValidCdf(cdf: Int32Array, symbols: number, precision: number): void {
  expect(cdf.length).toBe(symbols + 1);
  expect(cdf[0]).toBe(0);
  expect(cdf[symbols]).toBe(2 ** precision);
  for (let i = 0; i < symbols; i++) expect(cdf[i + 1]! - cdf[i]!).toBeGreaterThanOrEqual(1);
}

describe('quantizeCdf', () => {
  it('gives every symbol a frequency >= 1 and sums exactly to 1 << precision', () => {
    const next = rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const precision = randInt(next, 8, 16);
      const n = randInt(next, 1, Math.min(300, 2 ** precision));
      const pmf = Array.from({ length: n }, () => {
        const r = next();
        return r < 0.2 ? 0 : r < 0.4 ? 1e-12 * next() : next() ** 4;
      });
      pmf[randInt(next, 0, n - 1)] = 1; // not all zero
      expectValidCdf(quantizeCdf(pmf, precision), n, precision);
    }
  });

  it('handles as many symbols as slots, tiny precisions and unnormalized input', () => {
    expectValidCdf(quantizeCdf(new Float64Array(1 << 10).fill(1), 10), 1 << 10, 10);
    expect(Array.from(quantizeCdf([3, 1], 1))).toEqual([0, 1, 2]);
    expect(Array.from(quantizeCdf([30, 10], 2))).toEqual([0, 3, 4]);
    expect(Array.from(quantizeCdf(Float32Array.of(0.5, 0.25, 0.25), 4))).toEqual([0, 8, 12, 16]);
  });

  it('is proportional where it can be (largest remainders get the leftover slots)', () => {
    const pmf = [0.5, 0.3, 0.2 - 1e-6, 1e-6];
    const cdf = quantizeCdf(pmf, 16);
    const freq = Array.from({ length: 4 }, (_, i) => cdf[i + 1]! - cdf[i]!);
    expect(freq[3]).toBe(1);
    for (let i = 0; i < 3; i++) expect(Math.abs(freq[i]! - (pmf[i]! * 65535) / (1 - 1e-6))).toBeLessThanOrEqual(1);
  });

  it('rejects bad pmfs and precisions', () => {
    expect(() => quantizeCdf([0.5, -0.1])).toThrow(
      new RangeError('Expected a finite non-negative probability for pmf[1] but received number -0.1'),
    );
    expect(() => quantizeCdf([0.5, Number.NaN])).toThrow(RangeError);
    expect(() => quantizeCdf([0, 0])).toThrow(new RangeError('Expected at least one positive probability for pmf but received only zeros'));
    expect(() => quantizeCdf([], 16)).toThrow(RangeError);
    expect(() => quantizeCdf([1, 1, 1], 1)).toThrow(
      new RangeError('Expected an integer between 1 and 2 probabilities (one slot each at precision 1) for pmf.length but received number 3'),
    );
    expect(() => quantizeCdf([1], 0)).toThrow(new RangeError('Expected an integer between 1 and 16 for precision but received number 0'));
    expect(() => quantizeCdf('0.5' as unknown as number[])).toThrow(TypeError);
  });
});

describe('buildGaussianTables', () => {
  it('builds CompressAI’s scale-table set', () => {
    const scales = defaultScaleTable();
    expect(scales.length).toBe(64);
    expect(scales[0]).toBeCloseTo(0.11, 12);
    expect(scales[63]).toBeCloseTo(256, 10);
    const multiplier = tailBoundMultiplier(1e-9);
    expect(multiplier).toBeCloseTo(6.109410204869, 9); // -scipy.stats.norm.ppf(5e-10)
    const t = buildGaussianTables(scales);
    expect(t.precision).toBe(16);
    expect(t.cdfLengths.length).toBe(64);
    let base = 0;
    for (let i = 0; i < 64; i++) {
      const l = Math.ceil(scales[i]! * multiplier);
      expect(t.offsets[i]).toBe(-l);
      expect(t.cdfLengths[i]).toBe(2 * l + 3); // 2L+1 values, the escape, and cdf[0]
      expectValidCdf(t.cdfs.subarray(base, base + t.cdfLengths[i]!), 2 * l + 2, 16);
      base += t.cdfLengths[i]!;
    }
    expect(base).toBe(t.cdfs.length);
    // The smallest scale puts nearly everything on 0; the escape keeps the minimum frequency.
    const first = t.cdfs.subarray(0, t.cdfLengths[0]!);
    expect(first[2]! - first[1]!).toBeGreaterThan(65500);
    expect(first[first.length - 1]! - first[first.length - 2]!).toBe(1);
    new RansCoder(t).dispose();
  });

  it('takes a tail-bound multiplier or a tail mass and a precision', () => {
    const t = buildGaussianTables([1, 2], { tailBoundMultiplier: 3, precision: 12 });
    expect(Array.from(t.offsets)).toEqual([-3, -6]);
    expect(t.precision).toBe(12);
    expect(t.cdfs[t.cdfLengths[0]! - 1]).toBe(4096);
    expect(Array.from(buildGaussianTables([1], { tailMass: 0.01 }).offsets)).toEqual([-3]); // ceil(2.5758)
  });

  it('rejects scales whose table cannot fit the precision', () => {
    expect(() => buildGaussianTables([1, -2])).toThrow(RangeError);
    expect(() => buildGaussianTables([10], { precision: 6 })).toThrow(
      /^Expected a positive scale of at most 5\.07\d* \(its table must fit 6-bit precision\) for scaleTable\[0\] but received number 10$/,
    );
    expect(() => buildGaussianTables([1], { tailMass: 2 })).toThrow(RangeError);
  });
});

describe('buildFactorizedTables', () => {
  it('appends each channel’s tail mass as its escape symbol', () => {
    const t = buildFactorizedTables([[0.25, 0.5, 0.25], Float64Array.of(1)], [1e-3, 0], Int32Array.of(-1, 5));
    expect(Array.from(t.cdfLengths)).toEqual([5, 3]);
    expect(Array.from(t.offsets)).toEqual([-1, 5]);
    expectValidCdf(t.cdfs.subarray(0, 5), 4, 16);
    expect(Array.from(t.cdfs.subarray(5))).toEqual([0, 65535, 65536]);
    const coder = new RansCoder(t);
    const symbols = Int32Array.of(-1, 0, 1, 2, 5, 6, -100);
    const indexes = Int32Array.of(0, 0, 0, 0, 1, 1, 1);
    expect(Array.from(coder.decode(coder.encode(symbols, indexes), indexes))).toEqual(Array.from(symbols));
    coder.dispose();
  });

  it('rejects mismatched channels and bad probabilities', () => {
    expect(() => buildFactorizedTables([[1]], [0, 0], [0])).toThrow(
      new RangeError('Expected 1 values (one per channel) for tailMass.length but received number 2'),
    );
    expect(() => buildFactorizedTables([[1, -1]], [0], [0])).toThrow(
      new RangeError('Expected a finite non-negative probability for pmfs[1] but received number -1'),
    );
  });
});

describe('buildScaleIndexes', () => {
  it('picks the first table scale >= each scale, like GaussianConditional.build_indexes', () => {
    const table = [0.5, 1, 2, 4];
    expect(Array.from(buildScaleIndexes(Float32Array.of(0.1, 0.5, 0.6, 1, 3.9, 4, 100), table))).toEqual([0, 0, 1, 1, 3, 3, 3]);
  });
});
