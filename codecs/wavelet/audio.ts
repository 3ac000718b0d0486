/**
 * Audio through a wavelet model. Each channel is coded on its own with the mono model, at the
 * model's rate, in overlapping chunks that the decoder joins with a Hann cross-fade — the shared
 * streaming sessions of src/api/audio-sessions.ts do the resampling, chunking, channels and length
 * for `encode()`, `decode()` and the Node streams alike; this module codes one chunk:
 *
 *   chunk (n samples) → zero-pad to F·f samples (f = downsampling factor, F = ⌈n / f⌉ ≥ 1)
 *     → y = encoder(x, gain) [C, F] → rANS (one table per latent channel) → section payload
 *   section payload → ŷ [C, F] → decoder(ŷ, invGain) → F·f samples (the session keeps n)
 *
 * Section payloads (little-endian):
 *
 *   chunk section (one per chunk and channel, chunk-major):
 *     u32 F                    latent frames of the chunk (1 … L / f)
 *     rANS bytes               the chunk's ŷ
 *   end section (last, in streamed files only — parameter layout 2 with the streamed flag):
 *     u32 0                    (a chunk has at least one frame, so F = 0 marks the end section)
 *     u64 N                    frames per channel of the original signal (at its own rate), < 2⁴⁸
 *
 * A chunk decodes without knowing the signal's length. The latent access (issue 6) works on whole
 * channels: `[C, 1, F]` per channel.
 */
import type { AudioChunkCoder } from '../../src/api/audio-sessions.js';
import { LIMITS } from '../../src/container/header.js';
import { CodecError } from '../../src/errors.js';
import { resampleWhole } from '../../src/media/resampler.js';
import type { Latent } from '../../src/tensor.js';
import type { WaveletRateLevel } from './manifest.js';
import type { WaveletModel } from './model.js';
import { normaliseLatent } from './image.js';
import type { WaveletAudioParams } from './params.js';

/** Longest signal (samples per channel at the model rate) {@link channelLatents} takes whole: 10 minutes at 24 kHz (the decoder's activations of a whole channel stay near 250 MB). */
export const MAX_LATENT_SAMPLES = 24_000 * 600;
const END_SECTION_LENGTH = 12;

function padded(samples: Float32Array, factor: number): Latent {
  const frames = Math.max(1, Math.ceil(samples.length / factor));
  const data = new Float32Array(frames * factor);
  data.set(samples);
  return { data, channels: 1, height: 1, width: data.length };
}

/** One chunk of one channel (model rate) → its section payload. */
export async function encodeAudioChunk(model: WaveletModel, samples: Float32Array, level: WaveletRateLevel): Promise<Uint8Array> {
  const x = padded(samples, model.manifest.downsamplingFactor);
  const { bytes } = model.code(await model.analyse(x, level), level);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, x.width / model.manifest.downsamplingFactor, true);
  out.set(bytes, 4);
  return out;
}

/** The end section of a streamed file of `frames` frames per channel. */
export function encodeAudioEndSection(frames: number): Uint8Array {
  const out = new Uint8Array(END_SECTION_LENGTH);
  new DataView(out.buffer).setBigUint64(4, BigInt(frames), true);
  return out;
}

/** A parsed audio section: a chunk of F latent frames (its rANS bytes), or the end section. */
export type WaveletAudioSection = { kind: 'chunk'; frames: number; bytes: Uint8Array } | { kind: 'end'; frames: number };

/** Parses a section payload (nothing decoded). Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT when malformed. */
export function parseAudioSection(payload: Uint8Array): WaveletAudioSection {
  if (payload.length < 4) throw new CodecError('ERR_BITSTREAM_TRUNCATED', `A wavelet audio chunk of ${payload.length} bytes is too short to hold its frame count: the file is truncated or corrupt.`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const frames = view.getUint32(0, true);
  if (frames > 0) return { kind: 'chunk', frames, bytes: payload.subarray(4) };
  if (payload.length < END_SECTION_LENGTH) throw new CodecError('ERR_BITSTREAM_TRUNCATED', `A wavelet audio end section of ${payload.length} bytes is too short to hold the length: the file is truncated or corrupt.`);
  if (payload.length > END_SECTION_LENGTH) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A wavelet audio end section has ${payload.length - END_SECTION_LENGTH} extra bytes: the file is corrupt.`);
  const total = view.getBigUint64(4, true);
  if (total > BigInt(LIMITS.maxFrames)) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A wavelet audio end section gives ${total} frames: the file is corrupt.`);
  return { kind: 'end', frames: Number(total) };
}

/** F·f samples of one channel at the model rate from a parsed chunk's rANS bytes. */
export async function decodeAudioChunk(model: WaveletModel, bytes: Uint8Array, frames: number, level: WaveletRateLevel): Promise<Float32Array> {
  const yHat = model.uncode(bytes, 1, frames, level);
  return (await model.synthesise(yHat, level.invGain)).data;
}

/** The chunk coder of one wavelet audio file (model, quality level, parameters) for the shared sessions; units are latent frames. */
export function waveletAudioCoder(model: WaveletModel, level: WaveletRateLevel, params: WaveletAudioParams): AudioChunkCoder<Uint8Array> {
  return {
    codecId: 'wavelet',
    plan: {
      codedRate: params.codedRate, unit: model.manifest.downsamplingFactor, layout: { chunkLength: params.chunkLength, overlap: params.overlap },
      fadeLength: params.fadeLength, fadeShape: 'hann', streamed: params.streamed,
    },
    encodeChunk: (samples) => encodeAudioChunk(model, samples, level),
    encodeEnd: encodeAudioEndSection,
    parseSection(payload) {
      const section = parseAudioSection(payload);
      return section.kind === 'end' ? section : { kind: 'chunk', units: section.frames, chunk: section.bytes };
    },
    decodeChunk: (bytes, frames) => decodeAudioChunk(model, bytes, frames, level),
  };
}

/** Resamples every channel whole with the streaming resampler (same samples as piecewise). */
export function resampleChannels(channels: readonly Float32Array[], from: number, to: number): Float32Array[] {
  return channels.map((c) => resampleWhole(c, from, to));
}

/** One channel's rate-normalised ŷ · invGain as a `[C, 1, F]` latent (the channel whole, no chunks). */
export async function channelLatents(model: WaveletModel, samples: Float32Array, level: WaveletRateLevel): Promise<Latent> {
  if (samples.length > MAX_LATENT_SAMPLES) {
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', `encodeLatents takes up to ${MAX_LATENT_SAMPLES} samples per channel whole; split the clip first.`);
  }
  const { yHat } = model.code(await model.analyse(padded(samples, model.manifest.downsamplingFactor), level), level);
  return normaliseLatent(yHat, level.invGain);
}

/** The model-rate samples (`length` of them) that a channel's rate-normalised latent decodes to. */
export async function channelFromLatents(model: WaveletModel, latent: Latent, length: number): Promise<Float32Array> {
  const ones = new Float32Array(latent.channels).fill(1);
  return (await model.synthesise(latent, ones)).data.slice(0, length);
}
