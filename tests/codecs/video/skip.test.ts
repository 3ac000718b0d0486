/**
 * Layout 4's skipped blocks (codecs/video/skip.ts, the flags in motion.ts): which latent positions a
 * mask leaves out, the symbols coded and restored, the prediction copied over skipped blocks, the
 * encoder's rule, the symbol costs against what rANS writes, and the flags through the motion stream.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK, MotionContexts, decodeMotion, encodeMotion, type SkipMask } from '../../../codecs/video/motion.js';
import {
  SymbolCosts, allSkipped, blockBits, blockSse, chooseSkips, codedIndexes, codedSymbols, copySkipped, noneSkipped, scatterSymbols, skippedPositions,
} from '../../../codecs/video/skip.js';
import { RansCoder, buildGaussianTables } from '../../../src/entropy/index.js';

const mask = (rows: number, cols: number, skipped: number[]): SkipMask => {
  const skip = new Uint8Array(rows * cols);
  for (const b of skipped) skip[b] = 1;
  return { rows, cols, skip };
};

describe('skipped blocks', () => {
  it('maps each block to the 2×2 latent positions under it, leaving positions beyond the grid coded', () => {
    // 2×3 blocks over a 5×7 latent: rows 4 and column 6 lie beyond the blocks
    const positions = skippedPositions(mask(2, 3, [0, 5]), 5, 7)!;
    const rows = Array.from({ length: 5 }, (_, i) => Array.from(positions.subarray(i * 7, i * 7 + 7)).join(''));
    expect(rows).toEqual(['1100000', '1100000', '0000110', '0000110', '0000000']);
    expect(skippedPositions(mask(2, 3, []), 5, 7)).toBeUndefined();
    expect([allSkipped(mask(1, 2, [0, 1])), allSkipped(mask(1, 2, [1])), noneSkipped(mask(1, 2, []))]).toEqual([true, false, true]);
  });

  it('codes the symbols of the positions not skipped and restores the others as 0', () => {
    const positions = Uint8Array.of(0, 1, 1, 0); // a 2-channel latent of 4 positions
    const v = Int32Array.of(5, 6, 7, 8, -1, -2, -3, -4);
    const index = Int32Array.of(10, 11, 12, 13, 20, 21, 22, 23);
    const coded = codedSymbols(v, index, positions);
    expect(Array.from(coded.v)).toEqual([5, 8, -1, -4]);
    expect(Array.from(coded.index)).toEqual([10, 13, 20, 23]);
    expect(Array.from(codedIndexes(index, positions))).toEqual([10, 13, 20, 23]);
    expect(Array.from(scatterSymbols(coded.v, positions, v.length))).toEqual([5, 0, 0, 8, -1, 0, 0, -4]);
  });

  it('copies the prediction over skipped blocks only, clipped to the frame', () => {
    const [channels, height, width] = [3, BLOCK + 4, 2 * BLOCK];
    const xHat = new Float32Array(channels * height * width).fill(0.25);
    const pred = Float32Array.from({ length: xHat.length }, (_, i) => i / xHat.length);
    copySkipped(xHat, pred, channels, height, width, mask(2, 2, [1, 2])); // top right, bottom left (4 rows of it)
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (c * height + y) * width + x;
          const skipped = (y < BLOCK && x >= BLOCK) || (y >= BLOCK && x < BLOCK);
          expect(xHat[i]).toBe(skipped ? pred[i] : 0.25);
        }
      }
    }
  });

  it('skips a block when coding it gains less than its bits cost at λ', () => {
    const grid = { rows: 1, cols: 3 };
    const lambda = 0.01;
    const unit = (lambda * 255 * 255) / 3; // bits per unit of SSE gained
    // gains worth 10 bits against 5, 20 and 15 bits
    const ssePred = Float64Array.of(10 / unit, 10 / unit, 10 / unit);
    const decision = chooseSkips(ssePred, new Float64Array(3), Float64Array.of(5, 20, 15), lambda, grid);
    expect(Array.from(decision.skip)).toEqual([0, 1, 1]);
    // SSE per block over the visible samples only
    const a = new Float32Array(2 * BLOCK * 3).fill(1);
    const b = new Float32Array(a.length);
    expect(Array.from(blockSse(a, b, 1, 2, BLOCK * 3, grid, { height: 1, width: BLOCK + 2 }))).toEqual([BLOCK, 2, 0]);
  });

  it('prices symbols as rANS codes them (up to the stream\'s constant overhead)', () => {
    const tables = buildGaussianTables([0.2, 1, 4]);
    const costs = new SymbolCosts(tables);
    const n = 4000;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const index = Int32Array.from({ length: n }, (_, i) => i % 3);
    const v = Int32Array.from(index, (t) => Math.round(([0.2, 1, 4][t]! * (random() + random() + random() - 1.5) * 2)));
    v[5] = 200; // beyond its table: the escape
    const coder = new RansCoder(tables);
    try {
      const bytes = coder.encode(v, index).length;
      const bits = blockBits(costs, v, index, 1, n, { rows: 1, cols: n / 2 }).reduce((a, b) => a + b, 0);
      // the stream adds a constant (the coder's final states, the escape section's length) to the code lengths
      expect(bytes - bits / 8).toBeGreaterThan(0);
      expect(bytes - bits / 8).toBeLessThan(40 + 0.01 * bytes);
      expect(costs.cost(200, 1)).toBeGreaterThan(costs.cost(0, 1) + 8);
    } finally {
      coder.dispose();
    }
  });

  it('carries the flags at the end of the motion stream, with contexts the GOP keeps', () => {
    const field = { rows: 2, cols: 3, mv: Int32Array.of(0, 0, 4, -4, 4, -4, 0, 0, 0, 0, 1, 1) };
    const visible = { rows: 2, cols: 3 };
    const flags = mask(2, 3, [0, 1, 4]);
    const [enc, dec] = [new MotionContexts(), new MotionContexts()];
    for (let frame = 0; frame < 3; frame++) {
      const bytes = encodeMotion(field, visible, enc, flags);
      const decoded = decodeMotion(bytes, 2, 3, visible, dec, 'frame 1', true);
      expect(Array.from(decoded.mv)).toEqual(Array.from(field.mv));
      expect(decoded.skip).toEqual(flags);
    }
    // without flags (layouts 2 and 3) the stream is what it was
    const plain = encodeMotion(field, visible, new MotionContexts());
    expect(decodeMotion(plain, 2, 3, visible, new MotionContexts(), 'frame 1').skip).toBeUndefined();
    expect(() => encodeMotion(field, visible, new MotionContexts(), mask(1, 3, []))).toThrow(RangeError);
  });
});
