/**
 * The inverse real FFT (src/media/fft.ts): inverse(forward(x)) = x, as numpy's irfft(rfft(x)). The
 * forward transform is checked against a direct DFT in tests/metrics/audio.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RealFft, realFft } from '../../src/media/fft.js';
import { mulberry32 } from '../../src/prng.js';

function randomSignal(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: n }, () => random() - 0.5);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('RealFft', () => {
  it('inverts the forward transform (inverse(forward(x)) = x), into Float64Array and Float32Array', () => {
    for (const size of [2, 4, 8, 32, 512, 1024, 4096]) {
      const x = randomSignal(size, 100 + size);
      const fft = realFft(size);
      const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins);
      fft.forward(x, re, im);
      const back = new Float64Array(size);
      fft.inverse(re, im, back);
      expect(maxAbsDiff(back, x), `size ${size}`).toBeLessThan(1e-12);
      const back32 = new Float32Array(size);
      fft.inverse(re, im, back32);
      expect(maxAbsDiff(back32, x), `size ${size}`).toBeLessThan(1e-6);
    }
  });

  it('ignores the imaginary parts of the DC and Nyquist bins, as irfft does', () => {
    const size = 16;
    const fft = new RealFft(size);
    const x = randomSignal(size, 5);
    const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins);
    fft.forward(x, re, im);
    im[0] = 3;
    im[size / 2] = -2;
    const back = new Float64Array(size);
    fft.inverse(re, im, back);
    expect(maxAbsDiff(back, x)).toBeLessThan(1e-12);
  });

  it('inverts a single bin to a cosine of the right amplitude', () => {
    const size = 64, k = 5;
    const fft = new RealFft(size);
    const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins);
    re[k] = size / 2;
    const out = new Float64Array(size);
    fft.inverse(re, im, out);
    const expected = Float64Array.from({ length: size }, (_, j) => Math.cos((2 * Math.PI * k * j) / size));
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-12);
  });
});
