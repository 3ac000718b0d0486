/**
 * Scale-invariant signal-to-noise ratio (SI-SNR, also SI-SDR; Le Roux et al., "SDR — half-baked or
 * well done?", ICASSP 2019). Both signals are made zero-mean; the estimate is projected onto the
 * reference, s = (⟨ŝ, s⟩ / ‖s‖²)·s, and SI-SNR = 10·log10(‖s_target‖² / ‖ŝ − s_target‖²) in dB.
 * No epsilon is added: a perfect estimate gives `Infinity`, a silent reference `NaN`.
 */
import { invalidRange } from '../validate.js';

export function siSnr(reference: Float32Array | Float64Array, estimate: Float32Array | Float64Array): number {
  if (reference.length !== estimate.length) {
    throw invalidRange(`${reference.length} samples (as the reference)`, 'estimate.length', estimate.length);
  }
  const n = reference.length;
  let meanX = 0, meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += reference[i]!;
    meanY += estimate[i]!;
  }
  meanX /= n;
  meanY /= n;
  let xy = 0, xx = 0;
  for (let i = 0; i < n; i++) {
    const x = reference[i]! - meanX, y = estimate[i]! - meanY;
    xy += x * y;
    xx += x * x;
  }
  const alpha = xy / xx;
  let target = 0, noise = 0;
  for (let i = 0; i < n; i++) {
    const s = alpha * (reference[i]! - meanX);
    const e = estimate[i]! - meanY - s;
    target += s * s;
    noise += e * e;
  }
  return 10 * Math.log10(target / noise);
}
