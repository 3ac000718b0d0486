/** BD-rate / BD-quality: hand-checked cases and values from SciPy's PchipInterpolator (tests/metrics/reference.py). */
import { describe, expect, it } from 'vitest';
import { bdQuality, bdRate, Pchip } from '../../src/bench/bdrate.js';

const jpeg = {
  rate: [0.1564, 0.3025, 0.4318, 0.5474, 0.654, 0.7709, 0.9432, 1.2592, 1.9147, 2.7204],
  quality: [25.717, 28.145, 29.538, 30.513, 31.31, 32.087, 33.134, 34.675, 37.277, 39.777],
};
const webp = {
  rate: [0.2963, 0.407, 0.5127, 0.6207, 0.7218, 0.8237, 0.9343, 1.2163, 2.0104, 2.9285],
  quality: [29.151, 30.407, 31.443, 32.425, 33.238, 33.972, 34.693, 36.369, 39.557, 41.759],
};

describe('bdRate', () => {
  it('is 0 for identical curves', () => {
    expect(bdRate(jpeg, jpeg)).toBeCloseTo(0, 12);
  });

  it('is −50 % when every rate is halved, +100 % when doubled', () => {
    expect(bdRate(jpeg, { ...jpeg, rate: jpeg.rate.map((r) => r / 2) })).toBeCloseTo(-50, 10);
    expect(bdRate(jpeg, { ...jpeg, rate: jpeg.rate.map((r) => r * 2) })).toBeCloseTo(100, 10);
  });

  it('matches SciPy PCHIP integration (WebP vs JPEG on Kodak, sharp reference points)', () => {
    expect(bdRate(jpeg, webp)).toBeCloseTo(-25.30693940377329, 9);
    expect(bdRate({ rate: [0.2, 0.5, 1, 2], quality: [28, 31, 34, 37] }, { rate: [0.25, 0.4, 0.9, 1.6], quality: [29, 31, 34.5, 36] }))
      .toBeCloseTo(-18.14028156252632, 9);
  });

  it('does not depend on point order', () => {
    const shuffled = { rate: [...webp.rate].reverse(), quality: [...webp.quality].reverse() };
    expect(bdRate(jpeg, shuffled)).toBeCloseTo(-25.30693940377329, 9);
  });

  it('is null without overlap or with fewer than 2 points', () => {
    expect(bdRate({ rate: [1, 2], quality: [20, 21] }, { rate: [1, 2], quality: [30, 31] })).toBeNull();
    expect(bdRate({ rate: [1], quality: [20] }, jpeg)).toBeNull();
  });
});

describe('bdQuality', () => {
  it('matches SciPy and is exact for a constant shift', () => {
    expect(bdQuality(jpeg, webp)).toBeCloseTo(1.561168449449814, 9);
    expect(bdQuality(jpeg, { ...jpeg, quality: jpeg.quality.map((q) => q + 1.5) })).toBeCloseTo(1.5, 10);
  });
});

describe('Pchip', () => {
  it('interpolates the data points and preserves monotonicity', () => {
    const p = new Pchip([0, 1, 2, 3], [0, 1, 1, 2]);
    expect(p.at(1)).toBeCloseTo(1, 12);
    expect(p.at(1.5)).toBeCloseTo(1, 12); // flat between equal values: no overshoot
    expect(p.integrate(0, 3)).toBeGreaterThan(0);
  });

  it('rejects non-increasing abscissae', () => {
    expect(() => new Pchip([0, 0, 1], [1, 2, 3])).toThrow(RangeError);
  });
});
