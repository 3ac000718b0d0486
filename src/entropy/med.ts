/**
 * Spatial prediction for lossless image coding: the median edge detector (MED) of LOCO-I / JPEG-LS
 * (Weinberger, Seroussi, Sapiro 2000). For a pixel x with neighbours a (left), b (above), c (above-left):
 *
 *   pred = min(a, b)  if c >= max(a, b)    (an edge above or to the left)
 *          max(a, b)  if c <= min(a, b)
 *          a + b - c  otherwise             (a smooth plane)
 *
 * Residuals are taken modulo 2^bits and folded to the signed range around zero, so reconstruction is
 * exact for any residual and the alphabet never grows.
 */
import { adaptiveDecode, adaptiveEncode } from './adaptive.js';

function med(a: number, b: number, c: number): number {
  const mx = a > b ? a : b;
  const mn = a > b ? b : a;
  if (c >= mx) return mn;
  if (c <= mn) return mx;
  return a + b - c;
}

/** Predicts each sample of one plane (row-major) from its causal neighbours; missing neighbours are taken from what exists. */
function predictAt(plane: ArrayLike<number>, width: number, i: number, x: number, y: number): number {
  if (y === 0) return x === 0 ? 0 : plane[i - 1]!;
  if (x === 0) return plane[i - width]!;
  return med(plane[i - 1]!, plane[i - width]!, plane[i - width - 1]!);
}

/** Residuals of a plane: (x − pred) mod 2^bits, as unsigned values. */
export function residuals(plane: ArrayLike<number>, width: number, height: number, bits: number): Int32Array {
  const mask = (1 << bits) - 1;
  const out = new Int32Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) out[i] = (plane[i]! - predictAt(plane, width, i, x, y)) & mask;
  }
  return out;
}

/** Inverse of `residuals`: rebuilds the plane in place, in causal order. */
export function reconstruct(res: Int32Array, width: number, height: number, bits: number, out: Uint8Array | Uint16Array | Int32Array): void {
  const mask = (1 << bits) - 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) out[i] = (res[i]! + predictAt(out, width, i, x, y)) & mask;
  }
}

/**
 * MED residuals of a plane of signed integers (the symbols of a latent channel): x − pred, exact and
 * unbounded (no wrap); the same prediction as {@link residuals}.
 */
export function signedResiduals(plane: Int32Array, width: number, height: number): Int32Array {
  const out = new Int32Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) out[i] = plane[i]! - predictAt(plane, width, i, x, y);
  }
  return out;
}

/**
 * Inverse of {@link signedResiduals}: rebuilds the plane into `out` in causal order. `out` may be
 * `res` itself: sample i reads `res[i]` and only samples of `out` before i.
 */
export function signedReconstruct(res: Int32Array, width: number, height: number, out: Int32Array): void {
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) out[i] = res[i]! + predictAt(out, width, i, x, y);
  }
}

/** Folds an unsigned residual mod 2^bits to 0, 1, 2, … for 0, −1, +1, −2, … (a zigzag over the signed range). */
export function fold(u: number, bits: number): number {
  const half = 1 << (bits - 1);
  const s = u >= half ? u - (1 << bits) : u;
  return s >= 0 ? 2 * s : -2 * s - 1;
}

/** Inverse of `fold`. */
export function unfold(z: number, bits: number): number {
  const s = z & 1 ? -((z + 1) >> 1) : z >> 1;
  return s & ((1 << bits) - 1);
}

const ONE_PLANE = Int32Array.of(256);

/** Codes one 8-bit plane losslessly: MED residuals, folded, one adaptive 256-symbol model. */
export function encodeMedPlane(plane: Uint8Array, width: number, height: number): Uint8Array {
  const res = residuals(plane, width, height, 8);
  for (let i = 0; i < res.length; i++) res[i] = fold(res[i]!, 8);
  return adaptiveEncode(res, new Int32Array(res.length), ONE_PLANE);
}

/** Inverse of {@link encodeMedPlane}. Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT. */
export function decodeMedPlane(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  const res = adaptiveDecode(bytes, new Int32Array(n), ONE_PLANE);
  for (let i = 0; i < n; i++) res[i] = unfold(res[i]!, 8);
  const plane = new Uint8Array(n);
  reconstruct(res, width, height, 8, plane);
  return plane;
}
