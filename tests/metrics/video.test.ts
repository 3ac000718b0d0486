/** Video metrics on 4:2:0 frames: per-plane PSNR, the 6:1:1 weighting, the cap, sequence figures, RGB. */
import { describe, expect, it } from 'vitest';
import type { YuvFrame } from '../../src/media/types.js';
import {
  PSNR_CAP_DB, chromaSize, meanPsnr, msePsnr, mseYuv420, psnrOfMse, psnrRgb, psnrYuv420, yuv420ToRgb8,
} from '../../src/metrics/video.js';

/** A frame with every sample of each plane set to one value. */
function flat(width: number, height: number, y: number, u: number, v: number): YuvFrame {
  const c = chromaSize(width, height);
  return {
    width, height,
    y: new Uint8Array(width * height).fill(y),
    u: new Uint8Array(c.width * c.height).fill(u),
    v: new Uint8Array(c.width * c.height).fill(v),
  };
}

const db = (mse: number): number => 10 * Math.log10((255 * 255) / mse);

describe('psnrYuv420', () => {
  it('gives each plane its PSNR and weights them 6:1:1', () => {
    const ref = flat(8, 6, 100, 100, 100);
    const dec = flat(8, 6, 110, 105, 101); // MSE 100, 25, 1
    const p = psnrYuv420(ref, dec);
    expect(p.y).toBeCloseTo(db(100), 10);
    expect(p.u).toBeCloseTo(db(25), 10);
    expect(p.v).toBeCloseTo(db(1), 10);
    expect(p.yuv).toBeCloseTo((6 * db(100) + db(25) + db(1)) / 8, 10);
  });

  it('caps identical planes at 100 dB', () => {
    const ref = flat(4, 4, 50, 60, 70);
    expect(psnrYuv420(ref, flat(4, 4, 50, 60, 70))).toEqual({ y: PSNR_CAP_DB, u: PSNR_CAP_DB, v: PSNR_CAP_DB, yuv: PSNR_CAP_DB });
    expect(psnrOfMse(0)).toBe(100);
    expect(psnrOfMse(1e-12)).toBe(100);
    const p = psnrYuv420(ref, flat(4, 4, 51, 60, 70));
    expect(p.u).toBe(100);
    expect(p.yuv).toBeCloseTo((6 * db(1) + 200) / 8, 10);
  });

  it('handles odd sizes (chroma ceil(w/2) × ceil(h/2))', () => {
    expect(chromaSize(5, 3)).toEqual({ width: 3, height: 2 });
    const e = mseYuv420(flat(5, 3, 10, 20, 30), flat(5, 3, 12, 20, 27));
    expect(e).toEqual({ y: 4, u: 0, v: 9 });
  });

  it('rejects frames of another size or with wrong plane lengths', () => {
    expect(() => psnrYuv420(flat(8, 6, 0, 0, 0), flat(8, 4, 0, 0, 0))).toThrow('Expected a frame of 8×6 (as the reference) for decoded but received');
    const bad = flat(8, 6, 0, 0, 0);
    bad.u = new Uint8Array(5);
    expect(() => psnrYuv420(flat(8, 6, 0, 0, 0), bad)).toThrow(RangeError);
    expect(() => psnrYuv420(flat(8, 6, 0, 0, 0), bad)).toThrow('Expected 12 chroma samples for decoded.u.length but received number 5');
  });
});

describe('sequence figures', () => {
  it('meanPsnr averages per-frame PSNRs; msePsnr takes the PSNR of the mean MSE', () => {
    const ref = flat(4, 2, 100, 100, 100);
    const frames = [psnrYuv420(ref, flat(4, 2, 101, 100, 100)), psnrYuv420(ref, flat(4, 2, 110, 100, 100))];
    const mean = meanPsnr(frames);
    expect(mean.y).toBeCloseTo((db(1) + db(100)) / 2, 10);
    expect(mean.yuv).toBeCloseTo((frames[0]!.yuv + frames[1]!.yuv) / 2, 10);
    const pooled = msePsnr([mseYuv420(ref, flat(4, 2, 101, 100, 100)), mseYuv420(ref, flat(4, 2, 110, 100, 100))]);
    expect(pooled.y).toBeCloseTo(db(50.5), 10);
    expect(pooled.u).toBe(100);
    expect(pooled.yuv).toBeCloseTo((6 * db(50.5) + 200) / 8, 10);
    expect(() => meanPsnr([])).toThrow(RangeError);
  });
});

describe('RGB', () => {
  it('maps limited-range black, white and grey to 0, 255 and mid grey', () => {
    const bt601 = { matrix: 'bt601', range: 'limited' } as const;
    expect([...yuv420ToRgb8(flat(2, 2, 16, 128, 128), bt601).subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...yuv420ToRgb8(flat(2, 2, 235, 128, 128), bt601).subarray(0, 3)]).toEqual([255, 255, 255]);
    expect([...yuv420ToRgb8(flat(2, 2, 0, 128, 128), bt601).subarray(0, 3)]).toEqual([0, 0, 0]); // clamped
    expect([...yuv420ToRgb8(flat(2, 2, 128, 128, 128), { matrix: 'bt709', range: 'full' }).subarray(0, 3)]).toEqual([128, 128, 128]);
  });

  it('uses the matrix: red in BT.601 and BT.709 limited range', () => {
    // R'G'B' = (1, 0, 0): BT.601 Y 81, Cb 90, Cr 240; BT.709 Y 63, Cb 102, Cr 240.
    const r601 = [...yuv420ToRgb8(flat(2, 2, 81, 90, 240), { matrix: 'bt601', range: 'limited' }).subarray(0, 3)];
    const r709 = [...yuv420ToRgb8(flat(2, 2, 63, 102, 240), { matrix: 'bt709', range: 'limited' }).subarray(0, 3)];
    for (const rgb of [r601, r709]) {
      expect(rgb[0]).toBeGreaterThanOrEqual(253);
      expect(rgb[1]).toBeLessThanOrEqual(2);
      expect(rgb[2]).toBeLessThanOrEqual(2);
    }
    // The same samples read with the other matrix are visibly another colour.
    const wrong = [...yuv420ToRgb8(flat(2, 2, 81, 90, 240), { matrix: 'bt709', range: 'limited' }).subarray(0, 3)];
    expect(Math.abs(wrong[1]! - r601[1]!) + Math.abs(wrong[0]! - r601[0]!)).toBeGreaterThan(10);
  });

  it('repeats each chroma sample over its 2×2 block (odd sizes included)', () => {
    const f = flat(3, 3, 128, 128, 128);
    f.v[1] = 200; // chroma column 1, row 0 → luma column 2, rows 0 and 1
    const rgb = yuv420ToRgb8(f, { matrix: 'bt601', range: 'full' });
    const red = (x: number, y: number): number => rgb[3 * (y * 3 + x)]!;
    expect(red(2, 0)).toBeGreaterThan(200);
    expect(red(2, 1)).toBeGreaterThan(200);
    expect(red(1, 0)).toBe(128);
    expect(red(2, 2)).toBe(128);
  });

  it('psnrRgb is 100 for identical frames and finite otherwise', () => {
    const colour = { matrix: 'bt709', range: 'limited' } as const;
    const ref = flat(6, 4, 120, 110, 140);
    expect(psnrRgb(ref, flat(6, 4, 120, 110, 140), colour)).toBe(100);
    const p = psnrRgb(ref, flat(6, 4, 130, 110, 140), colour);
    // Y +10 in limited range moves R, G and B alike by 10·255/219 ≈ 11.6 (one rounding either way).
    expect(p).toBeGreaterThan(db(12.2 ** 2));
    expect(p).toBeLessThan(db(11 ** 2));
  });
});
