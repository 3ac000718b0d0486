/**
 * Mean squared error and PSNR between two images of the same shape, over every sample of every
 * channel (for RGB: "PSNR-RGB" as CompressAI reports it, one MSE over all R, G and B samples).
 */
import type { RawImage } from '../media/types.js';
import { invalidRange } from '../validate.js';

/** The peak sample value of an image's sample type: 255, 65535, or 1 for floats. */
export function peakOf(image: RawImage): number {
  if (image.data instanceof Uint8Array) return 255;
  if (image.data instanceof Uint16Array) return 65535;
  return 1;
}

/** Throws a RangeError unless `a` and `b` have the same width, height and channel count. */
export function checkSameShape(a: RawImage, b: RawImage, name = 'distorted'): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw invalidRange(
      `an image of ${a.width}×${a.height}×${a.channels} (as the reference)`,
      name,
      `${b.width}×${b.height}×${b.channels}`,
    );
  }
  if (a.data.length !== b.data.length || a.data.length !== a.width * a.height * a.channels) {
    throw invalidRange(`${a.width * a.height * a.channels} samples`, `${name}.data.length`, b.data.length);
  }
}

/** Mean of the squared sample differences. */
export function mse(reference: RawImage, distorted: RawImage): number {
  checkSameShape(reference, distorted);
  const x = reference.data, y = distorted.data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    sum += d * d;
  }
  return sum / x.length;
}

/**
 * Peak signal-to-noise ratio in dB: 10·log10(peak² / MSE), peak 255 for 8-bit samples (see
 * {@link peakOf}). Identical images give `Infinity`.
 */
export function psnr(reference: RawImage, distorted: RawImage, peak = peakOf(reference)): number {
  const e = mse(reference, distorted);
  return e === 0 ? Infinity : 10 * Math.log10((peak * peak) / e);
}
