/**
 * The INR codec's parameters in the container header: the architecture of the block networks and
 * the quantization of their weights, everything a decoder needs besides the weight stream. Layout
 * (little-endian):
 *
 *   offset  size  field
 *   0       1     parameter layout version = 1
 *   1       1     medium: 1 image, 2 audio
 *   2       2     block side S (image, ≤ 1024) or block length (audio, ≤ 32768), u16
 *   4       2     width W (u16), 6: depth L (u8), 7: octaves of the positional encoding (u8)
 *   8       1     output channels C (1 or 3)
 *   9       4     ω₀ (f32), 13: ω_h (f32)
 *   17      4     output scale (f32): the audio peak (samples = output · scale); 1 for images
 *   21      6·T   per tensor (T = 2(L + 1), order w0, b0, …): step Δ (f32), max |q| (u16)
 *
 * Sections: the weight stream (weights.ts), then for images with alpha the alpha plane (lossless).
 * The quality level is the container's rate setting.
 */
import { CodecError } from '../../src/errors.js';
import { MAX_AUDIO_BLOCK, MAX_IMAGE_BLOCK } from './manifest.js';
import { MAX_ABS } from './quantize.js';

export const PARAMS_VERSION = 1;
const FIXED = 21;

export interface InrParams {
  medium: 'image' | 'audio';
  block: number;
  width: number;
  depth: number;
  octaves: number;
  channels: number;
  omega: [number, number];
  scale: number;
  /** Δ per tensor. */
  steps: Float32Array;
  /** max |q| per tensor (the alphabet of its context is 2·maxAbs + 1). */
  maxAbs: Int32Array;
}

export function encodeParams(p: InrParams): Uint8Array {
  const out = new Uint8Array(FIXED + 6 * p.steps.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, PARAMS_VERSION);
  v.setUint8(1, p.medium === 'image' ? 1 : 2);
  v.setUint16(2, p.block, true);
  v.setUint16(4, p.width, true);
  v.setUint8(6, p.depth);
  v.setUint8(7, p.octaves);
  v.setUint8(8, p.channels);
  v.setFloat32(9, p.omega[0], true);
  v.setFloat32(13, p.omega[1], true);
  v.setFloat32(17, p.scale, true);
  p.steps.forEach((s, t) => {
    v.setFloat32(FIXED + 6 * t, s, true);
    v.setUint16(FIXED + 6 * t + 4, p.maxAbs[t]!, true);
  });
  return out;
}

function corrupt(what: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `The INR parameters are invalid (${what}): the header is corrupt.`);
}

/** Parses and range-checks the parameters. Throws ERR_UNSUPPORTED_VERSION / ERR_BITSTREAM_CORRUPT. */
export function decodeParams(bytes: Uint8Array): InrParams {
  if (bytes.length >= 1 && bytes[0] !== PARAMS_VERSION) {
    throw new CodecError('ERR_UNSUPPORTED_VERSION', `INR parameter layout ${bytes[0]} is not supported (this library reads ${PARAMS_VERSION}); upgrade neural-codec to read it.`);
  }
  if (bytes.length < FIXED) throw corrupt(`${bytes.length} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mediumCode = v.getUint8(1);
  if (mediumCode !== 1 && mediumCode !== 2) throw corrupt(`medium ${mediumCode}`);
  const medium = mediumCode === 1 ? 'image' : 'audio';
  const block = v.getUint16(2, true);
  const width = v.getUint16(4, true), depth = v.getUint8(6), octaves = v.getUint8(7), channels = v.getUint8(8);
  if (block < 2 || block > (medium === 'image' ? MAX_IMAGE_BLOCK : MAX_AUDIO_BLOCK)) throw corrupt(`block ${block}`);
  if (width < 1 || width > 1024 || depth < 1 || depth > 16 || octaves > 16) throw corrupt(`width ${width}, depth ${depth}, octaves ${octaves}`);
  if (channels !== 1 && channels !== 3) throw corrupt(`${channels} output channels`);
  const omega: [number, number] = [v.getFloat32(9, true), v.getFloat32(13, true)];
  const scale = v.getFloat32(17, true);
  if (!omega.every((o) => Number.isFinite(o) && o > 0) || !Number.isFinite(scale) || scale <= 0) throw corrupt('ω₀ or scale');
  const tensors = 2 * (depth + 1);
  if (bytes.length !== FIXED + 6 * tensors) throw corrupt(`${bytes.length} bytes for ${tensors} tensors`);
  const steps = new Float32Array(tensors), maxAbs = new Int32Array(tensors);
  for (let t = 0; t < tensors; t++) {
    steps[t] = v.getFloat32(FIXED + 6 * t, true);
    maxAbs[t] = v.getUint16(FIXED + 6 * t + 4, true);
    if (!Number.isFinite(steps[t]!) || steps[t]! <= 0 || maxAbs[t]! > MAX_ABS) throw corrupt(`tensor ${t} step or range`);
  }
  return { medium, block, width, depth, octaves, channels, omega, scale, steps, maxAbs };
}
