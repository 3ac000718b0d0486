/**
 * Rational resampling compatible with Octave's `resample(x, p, q)`, as pystoi's `resample_oct` uses
 * it for STOI: a Kaiser-windowed sinc low-pass (60 dB rejection, roll-off a tenth of the cut-off
 * 1 / (2·max(p, q))), normalised to unit sum, applied polyphase (upsample by p, filter, keep every
 * q-th sample) with zero padding and the filter centred on each output sample, as SciPy's
 * `resample_poly(x, p, q, window=h)` does.
 */
import { besselI0 } from '../media/resampler.js';
import { invalidRange } from '../validate.js';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The anti-aliasing filter of Octave's resample for the reduced ratio p / q, normalised to sum 1. */
export function octaveResampleFilter(p: number, q: number): Float64Array {
  const stopbandCutoff = 1 / (2 * Math.max(p, q));
  const rollOff = stopbandCutoff / 10;
  const rejectionDb = 60;
  const half = Math.ceil((rejectionDb - 8) / (28.714 * rollOff));
  const beta = 0.1102 * (rejectionDb - 8.7);
  const length = 2 * half + 1;
  const h = new Float64Array(length);
  const i0beta = besselI0(beta);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const t = i - half;
    const arg = 2 * stopbandCutoff * t;
    const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
    const r = (2 * i) / (length - 1) - 1;
    const kaiser = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta;
    h[i] = kaiser * 2 * p * stopbandCutoff * sinc;
    sum += h[i]!;
  }
  for (let i = 0; i < length; i++) h[i]! /= sum;
  return h;
}

/** Resamples `x` from `fromRate` to `toRate` (integers); output length ⌈n·p / q⌉. */
export function resampleOctave(x: Float32Array | Float64Array, toRate: number, fromRate: number): Float64Array {
  if (!Number.isInteger(toRate) || toRate < 1) throw invalidRange('a positive integer', 'toRate', toRate);
  if (!Number.isInteger(fromRate) || fromRate < 1) throw invalidRange('a positive integer', 'fromRate', fromRate);
  const g = gcd(toRate, fromRate);
  const up = toRate / g, down = fromRate / g;
  if (up === 1 && down === 1) return Float64Array.from(x);
  const h = octaveResampleFilter(up, down);
  const half = (h.length - 1) / 2;
  const n = x.length;
  const outLength = Math.ceil((n * up) / down);
  const out = new Float64Array(outLength);
  // y[m] = up · Σ_k x[k] · h[m·down − k·up + half], over the k that keep the index inside h.
  for (let m = 0; m < outLength; m++) {
    const centre = m * down + half;
    const kMin = Math.max(0, Math.ceil((centre - (h.length - 1)) / up));
    const kMax = Math.min(n - 1, Math.floor(centre / up));
    let s = 0;
    for (let k = kMin, j = centre - kMin * up; k <= kMax; k++, j -= up) s += x[k]! * h[j]!;
    out[m] = up * s;
  }
  return out;
}
