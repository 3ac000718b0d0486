/**
 * The rvq codec's parameters in the container header (docs/FORMAT.md leaves them to the codec).
 * Layout version 1, 26 bytes, little-endian:
 *
 *   offset  size  field
 *   0       1     parameter layout version = 1
 *   1       1     flags: bit 0 `streamed` — the header's frame count is 0 (unknown when it was
 *                 written) and the last section is the end section holding it; other bits 0
 *   2       1     nq: codebooks coded per frame (1 … the model's n_q)
 *   3       1     cross-fade shape: 0 linear, 1 hann, 2 equal-power
 *   4       4     coded sample rate (u32): the model rate the chunks are coded at (24000)
 *   8       2     hop (u16): samples per latent frame (320)
 *   10      2     chunk frames (u16, ≥ 2): latent frames per chunk; chunk length L = frames · hop
 *   12      2     overlap frames (u16, 1 … chunk frames / 2): O = frames · hop
 *   14      2     fade frames (u16, 1 … overlap frames): the cross-fade, centred in the overlap
 *   16      6     adaptive increments (3 × u16) of code-stream modes 1, 2, 3 (codes.ts)
 *   22      4     adaptive limit (u32, ≤ 65536) of the range coder's models
 *
 * The rate is the container's rate setting (kind bitrate, nq · bitsPerCode · frame rate / 1000 kbps).
 */
import { CodecError } from '../../src/errors.js';
import { FADE_SHAPES, type FadeShape } from '../../src/media/split-crossfade.js';

export const PARAMS_VERSION = 1;
const PARAMS_LENGTH = 26;
const FLAG_STREAMED = 1;

export interface RvqParams {
  streamed: boolean;
  nq: number;
  fadeShape: FadeShape;
  codedRate: number;
  hop: number;
  chunkFrames: number;
  overlapFrames: number;
  fadeFrames: number;
  /** Model increments of the adaptive code-stream modes 1, 2, 3. */
  increments: [number, number, number];
  limit: number;
}

export function encodeParams(p: RvqParams): Uint8Array {
  const out = new Uint8Array(PARAMS_LENGTH);
  const v = new DataView(out.buffer);
  out[0] = PARAMS_VERSION;
  out[1] = p.streamed ? FLAG_STREAMED : 0;
  out[2] = p.nq;
  out[3] = FADE_SHAPES.indexOf(p.fadeShape);
  v.setUint32(4, p.codedRate, true);
  v.setUint16(8, p.hop, true);
  v.setUint16(10, p.chunkFrames, true);
  v.setUint16(12, p.overlapFrames, true);
  v.setUint16(14, p.fadeFrames, true);
  p.increments.forEach((inc, i) => v.setUint16(16 + 2 * i, inc, true));
  v.setUint32(22, p.limit, true);
  return out;
}

function corrupt(what: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `The rvq parameters are invalid (${what}): the header is corrupt.`);
}

/**
 * Parses and range-checks the parameters (not against a model: the codec does that). Throws
 * ERR_UNSUPPORTED_VERSION for another layout version, ERR_BITSTREAM_CORRUPT otherwise.
 */
export function decodeParams(bytes: Uint8Array): RvqParams {
  if (bytes.length >= 1 && bytes[0] !== PARAMS_VERSION) {
    throw new CodecError('ERR_UNSUPPORTED_VERSION', `rvq parameter layout ${bytes[0]} is not supported (this library reads ${PARAMS_VERSION}); upgrade neural-codec to read it.`);
  }
  if (bytes.length !== PARAMS_LENGTH) throw corrupt(`${bytes.length} bytes where ${PARAMS_LENGTH} were expected`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = bytes[1]!;
  const fadeShape = FADE_SHAPES[bytes[3]!];
  const p = {
    streamed: (flags & FLAG_STREAMED) !== 0, nq: bytes[2]!, fadeShape: fadeShape ?? 'hann',
    codedRate: v.getUint32(4, true), hop: v.getUint16(8, true), chunkFrames: v.getUint16(10, true),
    overlapFrames: v.getUint16(12, true), fadeFrames: v.getUint16(14, true),
    increments: [v.getUint16(16, true), v.getUint16(18, true), v.getUint16(20, true)] as [number, number, number], limit: v.getUint32(22, true),
  };
  if ((flags & ~FLAG_STREAMED) !== 0) throw corrupt(`unknown flags ${flags}`);
  if (fadeShape === undefined) throw corrupt(`fade shape ${bytes[3]}`);
  if (p.nq < 1) throw corrupt('no codebooks');
  if (p.hop < 1 || p.codedRate < 1 || p.codedRate > 768_000) throw corrupt(`hop ${p.hop} at ${p.codedRate} Hz`);
  if (p.chunkFrames < 2 || p.overlapFrames < 1 || 2 * p.overlapFrames > p.chunkFrames) throw corrupt(`${p.overlapFrames} of ${p.chunkFrames} chunk frames overlapping`);
  if (p.fadeFrames < 1 || p.fadeFrames > p.overlapFrames) throw corrupt(`a fade of ${p.fadeFrames} frames in an overlap of ${p.overlapFrames}`);
  if (p.limit < 2 || p.limit > 1 << 16 || p.increments.some((i) => i < 1 || i > p.limit / 2)) throw corrupt(`adaptive increments ${p.increments.join(', ')}, limit ${p.limit}`);
  return p;
}
