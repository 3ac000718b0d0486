/**
 * A radix-2 FFT for real signals: the STFTs of the audio metrics and of the opuspf post-filter
 * (forward and inverse).
 *
 * A real frame of length n is packed into n/2 complex samples z[k] = x[2k] + i·x[2k+1], transformed
 * with an iterative radix-2 complex FFT of size n/2 (bit-reversal, then a radix-4 pass and radix-2 butterfly
 * passes with precomputed twiddles), and split into the n/2 + 1 bins of the real spectrum:
 * X[k] = E[k] + e^(−2πik/n)·O[k], E = (Z[k] + conj Z[n/2−k]) / 2, O = (Z[k] − conj Z[n/2−k]) / 2i.
 * Plans are cached by size; everything runs on Float64Arrays owned by the plan (no allocation per frame).
 */
import { invalidRange } from '../validate.js';

export class RealFft {
  /** Transform length (a power of two, ≥ 2). */
  readonly size: number;
  /** Number of bins of the one-sided spectrum, size / 2 + 1. */
  readonly bins: number;
  private readonly half: number;
  private readonly bitReverse: Uint32Array;
  private readonly cosHalf: Float64Array;
  private readonly sinHalf: Float64Array;
  private readonly cosFull: Float64Array;
  private readonly sinFull: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0 || size > 1 << 24) {
      throw invalidRange('a power of two between 2 and 2^24', 'size', size);
    }
    this.size = size;
    this.bins = size / 2 + 1;
    const m = size / 2;
    this.half = m;
    const bits = Math.round(Math.log2(m));
    this.bitReverse = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.bitReverse[i] = r;
    }
    // Twiddles of the size-m complex FFT: e^(−2πij/m), j < m/2.
    this.cosHalf = new Float64Array(Math.max(1, m >> 1));
    this.sinHalf = new Float64Array(Math.max(1, m >> 1));
    for (let j = 0; j < m / 2; j++) {
      this.cosHalf[j] = Math.cos((2 * Math.PI * j) / m);
      this.sinHalf[j] = -Math.sin((2 * Math.PI * j) / m);
    }
    // Twiddles of the real split: e^(−2πik/n), k ≤ m.
    this.cosFull = new Float64Array(m + 1);
    this.sinFull = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cosFull[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinFull[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /**
   * One-sided spectrum of `input` (its first `size` samples; missing samples count as zero).
   * Writes `bins` values into `outRe` and `outIm`.
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const m = this.half;
    const { re, im, bitReverse } = this;
    const n = Math.min(input.length, this.size);
    for (let k = 0; k < m; k++) {
      const j = bitReverse[k]!;
      const a = 2 * k;
      re[j] = a < n ? input[a]! : 0;
      im[j] = a + 1 < n ? input[a + 1]! : 0;
    }
    this.butterflies();
    const { cosFull, sinFull } = this;
    for (let k = 0; k <= m; k++) {
      const k1 = k === m ? 0 : k;
      const k2 = k === 0 ? 0 : m - k;
      const zr = re[k1]!, zi = im[k1]!;
      const wr = re[k2]!, wi = -im[k2]!; // conj Z[m − k]
      const er = 0.5 * (zr + wr), ei = 0.5 * (zi + wi);
      // O = (Z − conj Z') / 2i  →  (dr + i·di) / 2i = (di − i·dr) / 2
      const dr = zr - wr, di = zi - wi;
      const or = 0.5 * di, oi = -0.5 * dr;
      const c = cosFull[k]!, s = sinFull[k]!;
      outRe[k] = er + c * or - s * oi;
      outIm[k] = ei + c * oi + s * or;
    }
  }

  /**
   * The real signal of a one-sided spectrum (`bins` values of `inRe`, `inIm`; the imaginary parts of
   * bins 0 and size / 2 are ignored), as numpy's `irfft`: `inverse(forward(x)) = x`. Writes `size`
   * samples into `out`.
   *
   * The split of {@link forward} run backwards: E[k] = (X[k] + conj X[m−k]) / 2,
   * O[k] = (X[k] − conj X[m−k]) · e^(+2πik/n) / 2, Z[k] = E[k] + i·O[k], z = IFFT_m(Z), and
   * x[2j] = Re z[j], x[2j+1] = Im z[j]; the size-m inverse is conj(FFT(conj Z)) / m.
   */
  inverse(inRe: ArrayLike<number>, inIm: ArrayLike<number>, out: Float64Array | Float32Array): void {
    const m = this.half;
    const { re, im, bitReverse, cosFull, sinFull } = this;
    for (let k = 0; k < m; k++) {
      const xr = inRe[k]!, xi = k === 0 ? 0 : inIm[k]!;
      const yr = inRe[m - k]!, yi = m - k === m || m - k === 0 ? 0 : -inIm[m - k]!; // conj X[m − k]
      const er = 0.5 * (xr + yr), ei = 0.5 * (xi + yi);
      const dr = 0.5 * (xr - yr), di = 0.5 * (xi - yi);
      // e^(+2πik/n) = cos − i·sin with sinFull = −sin(2πk/n)
      const c = cosFull[k]!, s = -sinFull[k]!;
      const or = dr * c - di * s, oi = dr * s + di * c;
      // Z = E + i·O, conjugated for the forward butterflies
      const j = bitReverse[k]!;
      re[j] = er - oi;
      im[j] = -(ei + or);
    }
    this.butterflies();
    const scale = 1 / m;
    for (let j = 0; j < m; j++) {
      out[2 * j] = re[j]! * scale;
      out[2 * j + 1] = -im[j]! * scale;
    }
  }

  /** |X[k]|² for every bin of the one-sided spectrum. */
  power(input: ArrayLike<number>, out: Float64Array, scratchRe: Float64Array, scratchIm: Float64Array): void {
    this.forward(input, scratchRe, scratchIm);
    for (let k = 0; k < this.bins; k++) out[k] = scratchRe[k]! * scratchRe[k]! + scratchIm[k]! * scratchIm[k]!;
  }

  /**
   * The complex FFT of size m in place on bit-reversed `re`, `im`: the first two radix-2 passes fused
   * into one multiplication-free radix-4 pass (twiddles 1 and −i), then log2(m) − 2 radix-2 passes,
   * each twiddle loaded once per pass (twiddle-outer loops).
   */
  private butterflies(): void {
    const m = this.half;
    const { re, im, cosHalf, sinHalf } = this;
    let first = 2;
    if (m >= 4) {
      for (let s = 0; s < m; s += 4) {
        const r0 = re[s]!, i0 = im[s]!, r1 = re[s + 1]!, i1 = im[s + 1]!;
        const r2 = re[s + 2]!, i2 = im[s + 2]!, r3 = re[s + 3]!, i3 = im[s + 3]!;
        const ar = r0 + r1, ai = i0 + i1, br = r0 - r1, bi = i0 - i1;
        const cr = r2 + r3, ci = i2 + i3, dr = r2 - r3, di = i2 - i3;
        re[s] = ar + cr; im[s] = ai + ci;
        re[s + 2] = ar - cr; im[s + 2] = ai - ci;
        // (dr + i·di) · (−i) = di − i·dr
        re[s + 1] = br + di; im[s + 1] = bi - dr;
        re[s + 3] = br - di; im[s + 3] = bi + dr;
      }
      first = 8;
    }
    for (let len = first; len <= m; len <<= 1) {
      const halfLen = len >> 1;
      const step = m / len;
      for (let j = 0; j < halfLen; j++) {
        const wr = cosHalf[j * step]!, wi = sinHalf[j * step]!;
        for (let a = j; a < m; a += len) {
          const b = a + halfLen;
          const br = re[b]!, bi = im[b]!;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a]!, ai = im[a]!;
          re[b] = ar - tr; im[b] = ai - ti;
          re[a] = ar + tr; im[a] = ai + ti;
        }
      }
    }
  }
}

const plans = new Map<number, RealFft>();

/** A cached {@link RealFft} plan for `size`. Plans hold scratch buffers: use one per synchronous call. */
export function realFft(size: number): RealFft {
  let plan = plans.get(size);
  if (!plan) {
    plan = new RealFft(size);
    plans.set(size, plan);
  }
  return plan;
}
