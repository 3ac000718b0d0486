/**
 * The wavelet codec's parameters in the container header (docs/FORMAT.md leaves them to the codec).
 * Integers are little-endian.
 *
 *   image, layout version 1 (5 bytes):
 *     offset  size  field
 *     0       1     parameter layout version = 1
 *     1       4     tile size T (u32): T×T tiles in raster order, a multiple of the model's
 *                   downsampling factor, at most MAX_TILE_SIZE
 *
 *   audio, layout version 1 (17 bytes; what `encode()` writes — the length is in the header):
 *     0       1     parameter layout version = 1
 *     1       4     coded rate (Hz, u32): the model's sample rate, which the chunks are cut at
 *     5       4     chunk length L (samples at the coded rate, u32), a multiple of the factor
 *     9       4     overlap O (samples, u32), O ≤ L / 2
 *     13      4     fade length (samples, u32), ≤ O, centred in the overlap (Hann)
 *
 *   audio, layout version 2 (18 bytes; what the encode stream writes):
 *     0       1     parameter layout version = 2
 *     1       1     flags: bit 0 `streamed` — the header's frame count is 0 (unknown when it was
 *                   written) and the last section is the end section holding it (audio.ts); the
 *                   other bits are 0. A streamed file has O ≥ the factor.
 *     2       16    coded rate, chunk length, overlap, fade length as in version 1
 *
 * Readers take audio layouts 1 and 2 (version 1 = version 2 with flags 0). Sections: images — one
 * y stream per tile in raster order, then the alpha stream if the image has alpha; audio — for each
 * chunk, one payload per channel (channel 0 first), then the end section if streamed (audio.ts).
 * The quality level is the container's rate setting (kind quality).
 */
import { CodecError } from '../../src/errors.js';

/** The layout version of image parameters, and of audio parameters of files whose header gives the length. */
export const PARAMS_VERSION = 1;
/** The layout version of audio parameters with flags (streamed files). */
export const AUDIO_PARAMS_VERSION_FLAGS = 2;
const FLAG_STREAMED = 1;
/** Largest tile side: bounds the decoder's activations per tile. */
export const MAX_TILE_SIZE = 2048;
/** Longest audio chunk (samples at the coded rate): 60 s at 24 kHz. */
export const MAX_CHUNK_LENGTH = 24_000 * 60;

export interface WaveletImageParams {
  tileSize: number;
}

export interface WaveletAudioParams {
  /** Header frames 0, end section last (layout version 2 with flag bit 0). */
  streamed: boolean;
  codedRate: number;
  chunkLength: number;
  overlap: number;
  fadeLength: number;
}

const corrupt = (what: string): CodecError => new CodecError('ERR_BITSTREAM_CORRUPT', `The wavelet parameters are invalid (${what}): the header is corrupt.`);

function unsupported(version: number, versions: readonly number[]): CodecError {
  return new CodecError('ERR_UNSUPPORTED_VERSION', `Wavelet parameter layout ${version} is not supported (this library reads ${versions.join(' and ')}); upgrade neural-codec to read it.`);
}

/** `prefix` bytes, then `values` as u32 LE. */
function u32s(prefix: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(prefix.length + 4 * values.length);
  out.set(prefix);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(prefix.length + 4 * i, v, true));
  return out;
}

/** `count` u32 LE values from offset `at`, after checking the total length. */
function readU32s(bytes: Uint8Array, at: number, count: number): number[] {
  if (bytes.length !== at + 4 * count) throw corrupt(`${bytes.length} bytes where ${at + 4 * count} were expected`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => view.getUint32(at + 4 * i, true));
}

export function encodeImageParams(p: WaveletImageParams): Uint8Array {
  return u32s([PARAMS_VERSION], [p.tileSize]);
}

export function decodeImageParams(bytes: Uint8Array, factor: number): WaveletImageParams {
  if (bytes.length >= 1 && bytes[0] !== PARAMS_VERSION) throw unsupported(bytes[0]!, [PARAMS_VERSION]);
  const [tileSize] = readU32s(bytes, 1, 1) as [number];
  if (tileSize < factor || tileSize > MAX_TILE_SIZE || tileSize % factor !== 0) throw corrupt(`tile size ${tileSize} is not a multiple of ${factor} up to ${MAX_TILE_SIZE}`);
  return { tileSize };
}

/** Layout 1 for a file whose header gives its length, layout 2 (with the `streamed` flag) for a streamed one. */
export function encodeAudioParams(p: WaveletAudioParams): Uint8Array {
  const values = [p.codedRate, p.chunkLength, p.overlap, p.fadeLength];
  return p.streamed ? u32s([AUDIO_PARAMS_VERSION_FLAGS, FLAG_STREAMED], values) : u32s([PARAMS_VERSION], values);
}

/**
 * Parses and range-checks audio parameters (layout 1 or 2) against the model's factor and rate.
 * Throws ERR_UNSUPPORTED_VERSION for another layout version, ERR_BITSTREAM_CORRUPT otherwise.
 */
export function decodeAudioParams(bytes: Uint8Array, factor: number, modelRate: number): WaveletAudioParams {
  const version = bytes[0];
  if (version !== undefined && version !== PARAMS_VERSION && version !== AUDIO_PARAMS_VERSION_FLAGS) throw unsupported(version, [PARAMS_VERSION, AUDIO_PARAMS_VERSION_FLAGS]);
  const flags = version === AUDIO_PARAMS_VERSION_FLAGS && bytes.length >= 2 ? bytes[1]! : 0;
  const [codedRate, chunkLength, overlap, fadeLength] = readU32s(bytes, version === AUDIO_PARAMS_VERSION_FLAGS ? 2 : 1, 4) as [number, number, number, number];
  const streamed = (flags & FLAG_STREAMED) !== 0;
  if ((flags & ~FLAG_STREAMED) !== 0) throw corrupt(`unknown flags ${flags}`);
  if (codedRate !== modelRate) throw corrupt(`coded rate ${codedRate} Hz is not the model's ${modelRate} Hz`);
  if (chunkLength < factor || chunkLength > MAX_CHUNK_LENGTH || chunkLength % factor !== 0) throw corrupt(`chunk length ${chunkLength}`);
  if (2 * overlap > chunkLength || fadeLength > overlap) throw corrupt(`overlap ${overlap} / fade ${fadeLength} for chunks of ${chunkLength}`);
  if (streamed && overlap < factor) throw corrupt(`overlap ${overlap} of a streamed file is shorter than the factor ${factor}`);
  return { streamed, codedRate, chunkLength, overlap, fadeLength };
}
