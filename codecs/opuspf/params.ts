/**
 * The opuspf codec's parameters in the container header (docs/FORMAT.md leaves them to the codec).
 * Layout version 1, 20 bytes, little-endian:
 *
 *   offset  size  field
 *   0       1     parameter layout version = 1
 *   1       1     flags: bit 0 `streamed` — the header's frame count is 0 (unknown when it was
 *                 written) and the last section is the end section holding it; other bits 0
 *   2       1     level: the model's rate level (1 … n, its `levels` from low to high)
 *   3       1     cross-fade shape: 0 linear, 1 hann, 2 equal-power
 *   4       4     coded sample rate (u32): the core's rate the chunks are coded at (48000)
 *   8       2     unit (u16): samples per Opus frame (2880 = 60 ms)
 *   10      2     chunk frames (u16, 2 … 1000): Opus frames per chunk; chunk length L = frames · unit
 *   12      2     overlap frames (u16, 1 … chunk frames / 2): O = frames · unit
 *   14      2     fade frames (u16, 1 … overlap frames): the cross-fade, centred in the overlap
 *   16      4     core bitrate (u32, bits per second): the libopus target of the level
 *
 * The rate is the container's rate setting (kind bitrate, the level's kbps).
 */
import { CodecError } from '../../src/errors.js';
import { FADE_SHAPES, type FadeShape } from '../../src/media/split-crossfade.js';

export const PARAMS_VERSION = 1;
const PARAMS_LENGTH = 20;
const FLAG_STREAMED = 1;
/** Longest chunk in Opus frames: 60 s (bounds the decoder's spectra, ≈ 100 MB per chunk). */
export const MAX_CHUNK_FRAMES = 1000;

export interface OpusPfParams {
  streamed: boolean;
  /** Rate level, 1 … the model's level count. */
  level: number;
  fadeShape: FadeShape;
  codedRate: number;
  unit: number;
  chunkFrames: number;
  overlapFrames: number;
  fadeFrames: number;
  /** libopus target bitrate (bits per second). */
  coreBitrate: number;
}

export function encodeParams(p: OpusPfParams): Uint8Array {
  const out = new Uint8Array(PARAMS_LENGTH);
  const v = new DataView(out.buffer);
  out[0] = PARAMS_VERSION;
  out[1] = p.streamed ? FLAG_STREAMED : 0;
  out[2] = p.level;
  out[3] = FADE_SHAPES.indexOf(p.fadeShape);
  v.setUint32(4, p.codedRate, true);
  v.setUint16(8, p.unit, true);
  v.setUint16(10, p.chunkFrames, true);
  v.setUint16(12, p.overlapFrames, true);
  v.setUint16(14, p.fadeFrames, true);
  v.setUint32(16, p.coreBitrate, true);
  return out;
}

function corrupt(what: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `The opuspf parameters are invalid (${what}): the header is corrupt.`);
}

/**
 * Parses and range-checks the parameters (not against a model: the codec does that). Throws
 * ERR_UNSUPPORTED_VERSION for another layout version, ERR_BITSTREAM_CORRUPT otherwise.
 */
export function decodeParams(bytes: Uint8Array): OpusPfParams {
  if (bytes.length >= 1 && bytes[0] !== PARAMS_VERSION) {
    throw new CodecError('ERR_UNSUPPORTED_VERSION', `opuspf parameter layout ${bytes[0]} is not supported (this library reads ${PARAMS_VERSION}); upgrade neural-codec to read it.`);
  }
  if (bytes.length !== PARAMS_LENGTH) throw corrupt(`${bytes.length} bytes where ${PARAMS_LENGTH} were expected`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = bytes[1]!;
  const fadeShape = FADE_SHAPES[bytes[3]!];
  const p: OpusPfParams = {
    streamed: (flags & FLAG_STREAMED) !== 0, level: bytes[2]!, fadeShape: fadeShape ?? 'hann',
    codedRate: v.getUint32(4, true), unit: v.getUint16(8, true), chunkFrames: v.getUint16(10, true),
    overlapFrames: v.getUint16(12, true), fadeFrames: v.getUint16(14, true), coreBitrate: v.getUint32(16, true),
  };
  if ((flags & ~FLAG_STREAMED) !== 0) throw corrupt(`unknown flags ${flags}`);
  if (fadeShape === undefined) throw corrupt(`fade shape ${bytes[3]}`);
  if (p.level < 1) throw corrupt('rate level 0');
  if (p.chunkFrames < 2 || p.chunkFrames > MAX_CHUNK_FRAMES) throw corrupt(`${p.chunkFrames} frames per chunk`);
  if (p.overlapFrames < 1 || 2 * p.overlapFrames > p.chunkFrames) throw corrupt(`${p.overlapFrames} of ${p.chunkFrames} chunk frames overlapping`);
  if (p.fadeFrames < 1 || p.fadeFrames > p.overlapFrames) throw corrupt(`a fade of ${p.fadeFrames} frames in an overlap of ${p.overlapFrames}`);
  return p;
}
