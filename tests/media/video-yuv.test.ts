/** src/media/yuv.ts: BT.601/709 in both ranges, chroma layout, padding, and the 4:4:4 detour. */
import { describe, expect, it } from 'vitest';
import type { VideoColour } from '../../src/media/types.js';
import {
  allocFrame, chromaSize, chromaTo444, defaultColour, frameByteLength, frameFrom444, rgbPlanarToYuv, yuvToRgbPlanar,
} from '../../src/media/yuv.js';

const COLOURS: VideoColour[] = [
  { matrix: 'bt601', range: 'limited' }, { matrix: 'bt709', range: 'limited' },
  { matrix: 'bt601', range: 'full' }, { matrix: 'bt709', range: 'full' },
];

/** A planar RGB image of one colour. */
function solid(width: number, height: number, [r, g, b]: [number, number, number]): Float32Array {
  const n = width * height;
  const out = new Float32Array(3 * n);
  out.fill(r, 0, n).fill(g, n, 2 * n).fill(b, 2 * n);
  return out;
}

/** A smooth planar RGB image (slow gradients, as chroma subsampling assumes). */
function smooth(width: number, height: number): Float32Array {
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = 0.1 + 0.8 * (x / width);
      out[n + y * width + x] = 0.2 + 0.6 * (y / height);
      out[2 * n + y * width + x] = 0.5 + 0.3 * Math.sin((x + y) / 9);
    }
  }
  return out;
}

const first = (colour: VideoColour, rgb: [number, number, number]) => {
  const f = rgbPlanarToYuv(solid(2, 2, rgb), 2, 2, 2, 2, colour);
  return [f.y[0], f.u[0], f.v[0]];
};

describe('colour conversion', () => {
  it('maps white, black and red to the values of the standards', () => {
    expect(first(COLOURS[0]!, [1, 1, 1])).toEqual([235, 128, 128]);
    expect(first(COLOURS[0]!, [0, 0, 0])).toEqual([16, 128, 128]);
    expect(first(COLOURS[2]!, [1, 1, 1])).toEqual([255, 128, 128]);
    expect(first(COLOURS[2]!, [0, 0, 0])).toEqual([0, 128, 128]);
    expect(first(COLOURS[0]!, [1, 0, 0])).toEqual([81, 90, 240]); // BT.601 limited red
    expect(first(COLOURS[1]!, [1, 0, 0])).toEqual([63, 102, 240]); // BT.709 limited red
    expect(first(COLOURS[3]!, [0, 0, 1])).toEqual([18, 255, 116]); // BT.709 full blue: Cb clamps at 255
  });

  it('reads those values back as the colours', () => {
    const frame = allocFrame(2, 2);
    frame.y.fill(235);
    expect([...yuvToRgbPlanar(frame, COLOURS[0]!, 2, 2)]).toEqual(new Array(12).fill(1));
    frame.y.fill(16);
    expect([...yuvToRgbPlanar(frame, COLOURS[1]!, 2, 2)]).toEqual(new Array(12).fill(0));
    frame.y.fill(81); frame.u.fill(90); frame.v.fill(240);
    const red = yuvToRgbPlanar(frame, COLOURS[0]!, 2, 2);
    expect(red[0]).toBeCloseTo(1, 2);
    expect(red[4]).toBeCloseTo(0, 2);
    expect(red[8]).toBeCloseTo(0, 2);
  });

  it('round-trips RGB → YUV → RGB within 8-bit precision on smooth images, all matrices and ranges, odd sizes', () => {
    for (const colour of COLOURS) {
      const [w, h] = [33, 17];
      const rgb = smooth(w, h);
      const back = yuvToRgbPlanar(rgbPlanarToYuv(rgb, w, h, w, h, colour), colour, w, h);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < rgb.length; i++) {
        worst = Math.max(worst, Math.abs(back[i]! - rgb[i]!));
        sum += Math.abs(back[i]! - rgb[i]!);
      }
      expect(worst, `${colour.matrix} ${colour.range}`).toBeLessThan(0.035);
      expect(sum / rgb.length, `${colour.matrix} ${colour.range}`).toBeLessThan(0.005);
    }
  });

  it('keeps solid colours to within a step of 8 bits', () => {
    for (const colour of COLOURS) {
      const rgb = solid(5, 3, [0.3, 0.6, 0.2]);
      const back = yuvToRgbPlanar(rgbPlanarToYuv(rgb, 5, 3, 5, 3, colour), colour, 5, 3);
      for (let i = 0; i < rgb.length; i++) expect(Math.abs(back[i]! - rgb[i]!)).toBeLessThan(1.5 / 219);
    }
  });

  it('crops the padding on the way in and replicates the edges on the way out', () => {
    const colour = COLOURS[1]!;
    const [w, h, pw, ph] = [5, 3, 8, 4];
    const rgb = smooth(pw, ph);
    const frame = rgbPlanarToYuv(rgb, pw, ph, w, h, colour);
    expect([frame.width, frame.height, frame.y.length, frame.u.length, frame.v.length]).toEqual([5, 3, 15, 6, 6]);
    const padded = yuvToRgbPlanar(frame, colour, pw, ph);
    const n = pw * ph;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) {
          const edge = padded[c * n + Math.min(y, h - 1) * pw + Math.min(x, w - 1)];
          expect(padded[c * n + y * pw + x]).toBe(edge);
        }
      }
    }
    expect(() => yuvToRgbPlanar(frame, colour, 4, 4)).toThrow(RangeError);
    expect(() => rgbPlanarToYuv(rgb, pw, ph, w, h, { matrix: 'bt2020' as 'bt709', range: 'limited' })).toThrow(/colour.matrix/);
  });

  it('converts every pixel as the formulas say, at even and odd sizes with padding', () => {
    // the documented conversion, written plainly: clip to [0, 1], luma per pixel, chroma from the
    // mean RGB of each 2×2 block's pixels inside the picture, rounded, clamped to the range
    const clip = (v: number) => Math.min(1, Math.max(0, v));
    let seed = 3;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 1.2 - 0.1;
    for (const colour of COLOURS) {
      const [kr, kb] = colour.matrix === 'bt601' ? [0.299, 0.114] : [0.2126, 0.0722];
      const kg = 1 - kr - kb;
      const limited = colour.range === 'limited';
      const sample = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));
      for (const [w, h, pw, ph] of [[6, 4, 8, 4], [7, 5, 8, 8], [1, 3, 2, 4]] as const) {
        const rgb = Float32Array.from({ length: 3 * pw * ph }, random);
        const n = pw * ph;
        const frame = rgbPlanarToYuv(rgb, pw, ph, w, h, colour);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const i = y * pw + x;
            const luma = kr * clip(rgb[i]!) + kg * clip(rgb[n + i]!) + kb * clip(rgb[2 * n + i]!);
            expect(frame.y[y * w + x]).toBe(limited ? sample(16 + 219 * luma, 16, 235) : sample(255 * luma, 0, 255));
          }
        }
        const cw = Math.ceil(w / 2);
        for (let cy = 0; cy < Math.ceil(h / 2); cy++) {
          for (let cx = 0; cx < cw; cx++) {
            let r = 0, g = 0, b = 0, count = 0;
            for (let y = 2 * cy; y < Math.min(h, 2 * cy + 2); y++) {
              for (let x = 2 * cx; x < Math.min(w, 2 * cx + 2); x++) {
                const i = y * pw + x;
                r += clip(rgb[i]!); g += clip(rgb[n + i]!); b += clip(rgb[2 * n + i]!); count++;
              }
            }
            r /= count; g /= count; b /= count;
            const luma = kr * r + kg * g + kb * b;
            const scale = limited ? 224 : 255, lo = limited ? 16 : 0, hi = limited ? 240 : 255;
            expect(frame.u[cy * cw + cx]).toBe(sample(128 + (scale / (2 * (1 - kb))) * (b - luma), lo, hi));
            expect(frame.v[cy * cw + cx]).toBe(sample(128 + (scale / (2 * (1 - kr))) * (r - luma), lo, hi));
          }
        }
      }
    }
  });

  it('clips out-of-range RGB and clamps to the limited range', () => {
    const f = rgbPlanarToYuv(solid(2, 2, [1.5, -0.2, 2]), 2, 2, 2, 2, COLOURS[0]!);
    expect(Math.min(...f.y, ...f.u, ...f.v)).toBeGreaterThanOrEqual(16);
    expect(Math.max(...f.y)).toBeLessThanOrEqual(235);
    expect(Math.max(...f.u, ...f.v)).toBeLessThanOrEqual(240);
  });
});

describe('4:2:0 layout', () => {
  it('sizes chroma by ceil and picks the default colour by height', () => {
    expect(chromaSize(33, 17)).toEqual({ width: 17, height: 9 });
    expect(frameByteLength(33, 17)).toBe(33 * 17 + 2 * 17 * 9);
    expect(defaultColour(576)).toEqual({ matrix: 'bt601', range: 'limited' });
    expect(defaultColour(720)).toEqual({ matrix: 'bt709', range: 'limited' });
  });

  it('undoes its 4:4:4 expansion exactly (odd sizes too)', () => {
    const frame = allocFrame(7, 5);
    frame.y.forEach((_, i) => { frame.y[i] = (i * 37) & 255; });
    frame.u.forEach((_, i) => { frame.u[i] = (i * 91) & 255; });
    frame.v.forEach((_, i) => { frame.v[i] = (i * 53 + 7) & 255; });
    const back = frameFrom444(chromaTo444(frame), 7, 5);
    expect([back.y, back.u, back.v]).toEqual([frame.y, frame.u, frame.v]);
  });
});
