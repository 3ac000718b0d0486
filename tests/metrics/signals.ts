/**
 * Deterministic test images and signals, generated identically by tests/metrics/reference.py
 * (the NumPy/SciPy script that computed the expected values pasted into the metric tests).
 */
import type { RawImage } from '../../src/api/types.js';

/** Integer pattern image: (7x + 13y + 50c + 3·(xy mod 17)) mod 256. */
export function patternImage(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = (x * 7 + y * 13 + c * 50 + ((x * y) % 17) * 3) % 256;
    }
  }
  return { data, width, height, channels: 3 };
}

/** The pattern plus a deterministic offset in [−spread, spread], clipped to [0, 255]. */
export function noisyImage(ref: RawImage, spread = 10): RawImage {
  const { width, height } = ref;
  const data = new Uint8Array(ref.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        data[i] = Math.min(255, Math.max(0, ref.data[i]! + ((x * 31 + y * 17 + c * 5) % (2 * spread + 1)) - spread));
      }
    }
  }
  return { data, width, height, channels: 3 };
}

/** 255 − the image (negative structure: exercises MS-SSIM's ReLU). */
export function invertedImage(ref: RawImage): RawImage {
  return { ...ref, data: Uint8Array.from(ref.data, (v) => 255 - v) };
}

/** Uniform noise in [−0.5, 0.5) from a 32-bit LCG (Numerical Recipes constants). */
export function lcgNoise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** A speech-like test clip: two tones under a 3 Hz envelope, noise, and a near-silent gap. */
export function testClip(sampleRate: number, seconds: number): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const noise = lcgNoise(n, 12345);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const env = 0.2 + 0.8 * Math.sin(2 * Math.PI * 3 * t) ** 2;
    let v = env * (0.5 * Math.sin(2 * Math.PI * 440 * t) + 0.25 * Math.sin(2 * Math.PI * 1234.5 * t) * (i / n)) + 0.05 * noise[i]!;
    if (t >= 0.5 && t < 0.75) v *= 0.001;
    out[i] = v;
  }
  return out;
}

/** A degraded version: scaled, a 5-sample echo, added noise. */
export function degradedClip(ref: Float32Array): Float32Array {
  const noise = lcgNoise(ref.length, 999);
  const out = new Float32Array(ref.length);
  for (let i = 0; i < ref.length; i++) out[i] = 0.8 * ref[i]! + 0.1 * (i >= 5 ? ref[i - 5]! : 0) + 0.05 * noise[i]!;
  return out;
}
