/**
 * The wavelet codec's parameters in the container header (docs/FORMAT.md leaves them to the codec).
 *
 *   offset  size  field
 *   0       1     parameter layout version = 1
 *   image:
 *   1       4     tile size T (u32 LE): T×T tiles in raster order, a multiple of the model's
 *                 downsampling factor, at most MAX_TILE_SIZE
 *   audio:
 *   1       4     coded rate (Hz, u32 LE): the model's sample rate, which the chunks are cut at
 *   5       4     chunk length L (samples at the coded rate, u32 LE), a multiple of the factor
 *   9       4     overlap O (samples, u32 LE), O < L
 *   13      4     fade length (samples, u32 LE), ≤ O, centred in the overlap (Hann)
 *
 * Sections: images — one y stream per tile in raster order, then the alpha stream if the image
 * has alpha; audio — for each chunk, one payload per channel (channel 0 first), see audio.ts.
 * The quality level is the container's rate setting (kind quality).
 */
import { CodecError } from '../../src/errors.js';

export const PARAMS_VERSION = 1;
/** Largest tile side: bounds the decoder's activations per tile. */
export const MAX_TILE_SIZE = 2048;
/** Longest audio chunk (samples at the coded rate): 60 s at 24 kHz. */
export const MAX_CHUNK_LENGTH = 24_000 * 60;

export interface WaveletImageParams {
  tileSize: number;
}

export interface WaveletAudioParams {
  codedRate: number;
  chunkLength: number;
  overlap: number;
  fadeLength: number;
}

const corrupt = (what: string): CodecError => new CodecError('ERR_BITSTREAM_CORRUPT', `The wavelet parameters are invalid (${what}): the header is corrupt.`);

function u32s(values: number[]): Uint8Array {
  const out = new Uint8Array(1 + 4 * values.length);
  out[0] = PARAMS_VERSION;
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(1 + 4 * i, v, true));
  return out;
}

function readU32s(bytes: Uint8Array, count: number): number[] {
  if (bytes.length >= 1 && bytes[0] !== PARAMS_VERSION) {
    throw new CodecError('ERR_UNSUPPORTED_VERSION', `Wavelet parameter layout ${bytes[0]} is not supported (this library reads ${PARAMS_VERSION}); upgrade neural-codec to read it.`);
  }
  if (bytes.length !== 1 + 4 * count) throw corrupt(`${bytes.length} bytes where ${1 + 4 * count} were expected`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => view.getUint32(1 + 4 * i, true));
}

export function encodeImageParams(p: WaveletImageParams): Uint8Array {
  return u32s([p.tileSize]);
}

export function decodeImageParams(bytes: Uint8Array, factor: number): WaveletImageParams {
  const [tileSize] = readU32s(bytes, 1) as [number];
  if (tileSize < factor || tileSize > MAX_TILE_SIZE || tileSize % factor !== 0) throw corrupt(`tile size ${tileSize} is not a multiple of ${factor} up to ${MAX_TILE_SIZE}`);
  return { tileSize };
}

export function encodeAudioParams(p: WaveletAudioParams): Uint8Array {
  return u32s([p.codedRate, p.chunkLength, p.overlap, p.fadeLength]);
}

export function decodeAudioParams(bytes: Uint8Array, factor: number, modelRate: number): WaveletAudioParams {
  const [codedRate, chunkLength, overlap, fadeLength] = readU32s(bytes, 4) as [number, number, number, number];
  if (codedRate !== modelRate) throw corrupt(`coded rate ${codedRate} Hz is not the model's ${modelRate} Hz`);
  if (chunkLength < factor || chunkLength > MAX_CHUNK_LENGTH || chunkLength % factor !== 0) throw corrupt(`chunk length ${chunkLength}`);
  if (overlap >= chunkLength || fadeLength > overlap) throw corrupt(`overlap ${overlap} / fade ${fadeLength} for chunks of ${chunkLength}`);
  return { codedRate, chunkLength, overlap, fadeLength };
}
