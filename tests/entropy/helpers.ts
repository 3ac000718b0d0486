/** Shared helpers of the entropy tests: a seeded PRNG and small table sets. */
import { mulberry32 } from '../../src/prng.js';
import { buildGaussianTables, defaultScaleTable, type CdfTableSet } from '../../src/entropy/index.js';

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** mulberry32 (src/prng.ts): a small seeded PRNG, uniform in [0, 1). */
export const rng = mulberry32;

/** Integer in [lo, hi]. */
export function randInt(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** Round half to even (the library's rounding of latents). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Gaussian tables over `levels` log-spaced scales (0.11 .. 256 by default). */
export function gaussianTables(levels = 16, max = 256): CdfTableSet {
  return buildGaussianTables(defaultScaleTable(0.11, max, levels));
}

/** Hyperprior-like data for `tables`: value ~ round(N(0, s²)) near each table's own scale. */
export function latentLike(tables: CdfTableSet, count: number, seed: number): { symbols: Int32Array; indexes: Int32Array } {
  const next = rng(seed);
  const symbols = new Int32Array(count);
  const indexes = new Int32Array(count);
  const tableCount = tables.cdfLengths.length;
  for (let i = 0; i < count; i++) {
    const t = randInt(next, 0, tableCount - 1);
    indexes[i] = t;
    const halfWidth = -tables.offsets[t]!;
    const scale = Math.max(halfWidth / 6.1, 0.05);
    const u1 = 1 - next();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * next());
    symbols[i] = roundHalfEven(normal * scale);
  }
  return { symbols, indexes };
}
