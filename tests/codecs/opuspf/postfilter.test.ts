/**
 * The TypeScript post-filter against the PyTorch reference (models/train/postfilter/model.py):
 * fixtures/opuspf/tiny-test-gain-only.f32 is `PostFilter.forward` of the tiny-test net on two tones
 * with the noise term left out (Y = X · e^g), 12,000 float32 samples.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../codecs/opuspf/manifest.js';
import { PostFilter } from '../../../codecs/opuspf/postfilter.js';
import { Runtime } from '../../../src/runtime/index.js';
import { root, TINY_MODEL } from './helpers.js';

let runtime: Runtime;
let filter: PostFilter;
beforeAll(async () => {
  runtime = await Runtime.create({ threads: 1 });
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(TINY_MODEL, 'manifest.json'), 'utf8')));
  filter = new PostFilter(manifest.postfilter, runtime, TINY_MODEL);
});
afterAll(async () => { await runtime?.dispose(); });

function tones(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 48000) + 0.1 * Math.sin((2 * Math.PI * 3000 * i) / 48000);
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('opuspf post-filter', () => {
  it('reflect-pads short signals as numpy and torch pad: STFT then ISTFT gives them back', () => {
    for (const n of [1, 2, 3, 300, 1500]) {
      const x = tones(n);
      const spectrum = filter.stft(x);
      expect(spectrum.frames).toBe(1 + Math.floor(n / 256));
      expect(maxAbsDiff(filter.istft(spectrum, n), x)).toBeLessThan(1e-5);
    }
    // a DC signal of one sample: every padded frame is that sample, so bin 0 is Σ w = nFft / 2
    const dc = filter.stft(new Float32Array([0.5]));
    expect(dc.re[0]).toBeCloseTo(0.5 * 512, 3);
  });

  it('refuses arrays of the wrong size and bad shapes (native checks)', () => {
    const x = tones(1000);
    const spectrum = filter.stft(x);
    expect(() => filter.istft(spectrum, 2000)).toThrow(RangeError);
    expect(() => filter.istft({ ...spectrum, re: spectrum.re.subarray(1) }, 1000)).toThrow(/an array of 2052 values for re/);
  });

  /**
   * Measured: 1.2e-4 max abs (3.4e-5 RMS; the filter itself moves the signal by 2.8e-2 RMS). The
   * difference is PyTorch's float32 STFT: two pure tones leave 80 % of the bins below 1e-4, where the
   * float32 FFT's rounding (≈ 1e-6 absolute at these levels) changes ln(|X| + 1e-5) noticeably, and
   * perturbing this STFT by 1e-6 moves the output by 1e-4 too.
   */
  it('matches PyTorch without the noise term (≈ 1e-4 max abs)', async () => {
    const raw = readFileSync(path.join(root, 'fixtures/opuspf/tiny-test-gain-only.f32'));
    const expected = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(expected).toHaveLength(12000);
    const x = tones(12000);
    const got = await filter.apply(x, { noise: false });
    expect(got).toHaveLength(12000);
    expect(maxAbsDiff(got, expected)).toBeLessThan(2e-4);
    // the filter's effect (output − input) agrees to 0.5 % RMS
    let effect = 0, error = 0;
    for (let i = 0; i < x.length; i++) {
      effect += (expected[i]! - x[i]!) ** 2;
      error += (got[i]! - expected[i]!) ** 2;
    }
    expect(effect / x.length).toBeGreaterThan(1e-4);
    expect(Math.sqrt(error / effect)).toBeLessThan(5e-3);
  });

  it('is the identity for zero gains without noise (STFT then ISTFT)', () => {
    const x = tones(5000);
    const spectrum = filter.stft(x);
    expect(spectrum.frames).toBe(1 + Math.floor(5000 / 256));
    expect(maxAbsDiff(filter.istft(spectrum, x.length), x)).toBeLessThan(1e-5);
  });

  it('adds noise deterministically for a seed, differently for another', async () => {
    const x = tones(6000);
    const a = await filter.apply(x, { seed: 7 });
    expect(await filter.apply(x, { seed: 7 })).toEqual(a);
    expect(maxAbsDiff(a, await filter.apply(x, { seed: 8 }))).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(a, await filter.apply(x, { noise: false, seed: 7 }))).toBeGreaterThan(1e-4);
  });
});
