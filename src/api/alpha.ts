/**
 * Alpha beside the learned colour (tiled-image.ts, the inr codec): coded losslessly the way the `lossless` codec codes a plane —
 * MED prediction (LOCO-I), residuals mod 256 folded to 0, 1, 2, … for 0, −1, +1, …, one adaptive
 * 256-symbol model, native range coder. A constant (e.g. fully opaque) alpha costs a few bytes.
 *
 * The decoded image is 8-bit, so a 16-bit alpha is reduced to 8 bits first
 * (round_half_even(a · 255 / 65535)); 8-bit alpha comes back bit-exact.
 */
import { decodeMedPlane, encodeMedPlane } from '../entropy/med.js';
import type { LoadedImage } from '../media/image.js';
import { roundHalfEven } from '../tensor.js';

/** The 8-bit alpha plane of an image with alpha (the last channel). */
export function alphaPlane(image: LoadedImage): Uint8Array {
  const { channels, data } = image;
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  const sixteen = image.bitDepth === 16;
  for (let i = 0; i < n; i++) {
    const a = data[i * channels + channels - 1]!;
    out[i] = sixteen ? roundHalfEven((a * 255) / 65535) : a;
  }
  return out;
}

/** Codes an 8-bit plane of `width`×`height` samples. */
export function encodeAlpha(plane: Uint8Array, width: number, height: number): Uint8Array {
  return encodeMedPlane(plane, width, height);
}

/**
 * Decodes the plane and writes it as the last of `channels` interleaved channels of `out`.
 * Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT.
 */
export function decodeAlphaInto(bytes: Uint8Array, width: number, height: number, out: Uint8Array, channels: number): void {
  const plane = decodeMedPlane(bytes, width, height);
  for (let i = 0; i < plane.length; i++) out[i * channels + channels - 1] = plane[i]!;
}
