/**
 * The learned lossless coder in the native addon (native/src/lossless_mlp.h): a causal per-pixel MLP
 * that predicts a discretized logistic mixture for R, G|R and B|R,G, run in integer arithmetic with the
 * model file's lookup tables, and a rANS coder over the resulting intervals. Every machine and thread
 * count codes and decodes the same bytes.
 *
 * `model` is the model file's bytes (models/lossless/<id>/model.bin); it is parsed and checked per call.
 * Images are 8-bit, interleaved, 1 (gray) or 3 (RGB) channels.
 */
import { callNative, loadNative } from '../native.js';
import { invalidRange } from '../validate.js';

function checkImage(pixels: Uint8Array, width: number, height: number, channels: number): void {
  if (!Number.isInteger(width) || width < 1 || width > 65536) throw invalidRange('an integer in [1, 65536]', 'width', width);
  if (!Number.isInteger(height) || height < 1 || height > 65536) throw invalidRange('an integer in [1, 65536]', 'height', height);
  if (channels !== 1 && channels !== 3) throw invalidRange('1 or 3', 'channels', channels);
  if (pixels.length !== width * height * channels) {
    throw invalidRange(`${width * height * channels} samples (width × height × channels)`, 'pixels.length', pixels.length);
  }
}

/** Codes an image; `threads` splits the encoder's network evaluations (the bytes do not depend on it). */
export function losslessMlpEncode(model: Uint8Array, pixels: Uint8Array, width: number, height: number, channels: number,
  threads = 1): Uint8Array {
  checkImage(pixels, width, height, channels);
  return callNative(() => loadNative().losslessMlpEncode(model, pixels, width, height, channels, Math.max(1, Math.floor(threads))));
}

/** Decodes a whole section made by {@link losslessMlpEncode}; truncated or corrupt sections throw CodecError. */
export function losslessMlpDecode(model: Uint8Array, bytes: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const pixels = new Uint8Array(width * height * channels);
  checkImage(pixels, width, height, channels);
  callNative(() => loadNative().losslessMlpDecode(model, bytes, width, height, channels, pixels));
  return pixels;
}

/** The ideal code length in bits (what the encoder writes, less the rANS overhead). */
export function losslessMlpBits(model: Uint8Array, pixels: Uint8Array, width: number, height: number, channels: number,
  threads = 1): number {
  checkImage(pixels, width, height, channels);
  return callNative(() => loadNative().losslessMlpBits(model, pixels, width, height, channels, Math.max(1, Math.floor(threads))));
}
