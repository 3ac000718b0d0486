/**
 * Audio through a wavelet model. Each channel is coded on its own with the mono model, at the
 * model's rate (src/media/resampler.ts), in overlapping chunks (src/media/chunks.ts) that the
 * decoder joins with a cross-fade:
 *
 *   chunk (n samples) → zero-pad to F·f samples (f = downsampling factor, F = ⌈n / f⌉ ≥ 1)
 *     → y = encoder(x, gain) [C, F] → rANS (one table per latent channel) → section payload
 *   section payload → ŷ [C, F] → decoder(ŷ, invGain) → F·f samples (the caller keeps n)
 *
 * A chunk's payload is `F` (u32 LE) followed by the rANS bytes, so a chunk decodes without knowing
 * the signal's length. The latent access (issue 6) works on whole channels: `[C, 1, F]` per channel.
 */
import { CodecError } from '../../src/errors.js';
import { CrossFader, planChunks, type ChunkLayout } from '../../src/media/chunks.js';
import { Resampler } from '../../src/media/resampler.js';
import type { Latent } from '../../src/runtime/latent.js';
import type { WaveletRateLevel } from './manifest.js';
import type { WaveletModel } from './model.js';
import { normaliseLatent } from './image.js';

/** Longest signal (samples per channel at the model rate) {@link channelLatents} takes whole: 10 minutes at 24 kHz (the decoder's activations of a whole channel stay near 250 MB). */
export const MAX_LATENT_SAMPLES = 24_000 * 600;

function padded(samples: Float32Array, factor: number): Latent {
  const frames = Math.max(1, Math.ceil(samples.length / factor));
  const data = new Float32Array(frames * factor);
  data.set(samples);
  return { data, channels: 1, height: 1, width: data.length };
}

/** One chunk of one channel (model rate) → its section payload. */
export async function encodeAudioChunk(model: WaveletModel, samples: Float32Array, level: WaveletRateLevel): Promise<Uint8Array> {
  const x = padded(samples, model.manifest.downsamplingFactor);
  const { bytes } = model.code(await model.analyse(x, level));
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, x.width / model.manifest.downsamplingFactor, true);
  out.set(bytes, 4);
  return out;
}

/** A section payload → F·f samples of one channel at the model rate; `maxFrames` bounds F (corrupt otherwise). */
export async function decodeAudioChunk(model: WaveletModel, payload: Uint8Array, level: WaveletRateLevel, maxFrames: number): Promise<Float32Array> {
  if (payload.length < 4) throw new CodecError('ERR_BITSTREAM_TRUNCATED', `A wavelet audio chunk of ${payload.length} bytes is too short to hold its frame count: the file is truncated or corrupt.`);
  const frames = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
  if (frames < 1 || frames > maxFrames) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A wavelet audio chunk claims ${frames} latent frames (expected 1 … ${maxFrames}): the file is corrupt.`);
  const yHat = model.uncode(payload.subarray(4), 1, frames);
  return (await model.synthesise(yHat, level.invGain)).data;
}

/** Resamples every channel whole with the streaming resampler (same samples as piecewise). */
export function resampleChannels(channels: readonly Float32Array[], from: number, to: number): Float32Array[] {
  return channels.map((c) => {
    if (from === to) return c;
    const r = new Resampler(from, to);
    const head = r.push(c);
    const tail = r.flush();
    const out = new Float32Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    return out;
  });
}

/** Section payloads of a whole clip at the model rate: chunk by chunk, channel 0 first within a chunk. */
export async function encodeAudioChunks(
  model: WaveletModel, channels: readonly Float32Array[], layout: ChunkLayout, level: WaveletRateLevel,
  onChunk?: (done: number, total: number) => void,
): Promise<Uint8Array[]> {
  const spans = planChunks(channels[0]?.length ?? 0, layout);
  const sections: Uint8Array[] = [];
  for (const span of spans) {
    for (const c of channels) sections.push(await encodeAudioChunk(model, c.subarray(span.start, span.start + span.length), level));
    onChunk?.(span.index + 1, spans.length);
  }
  return sections;
}

/** Decodes the sections of {@link encodeAudioChunks} for a clip of `length` samples per channel (model rate). */
export async function decodeAudioChunks(
  model: WaveletModel, sections: readonly Uint8Array[], channelCount: number, length: number, layout: ChunkLayout, fadeLength: number, level: WaveletRateLevel,
): Promise<Float32Array[]> {
  const spans = planChunks(length, layout);
  if (sections.length !== spans.length * channelCount) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `${length} samples in ${layout.chunkLength}-sample chunks of ${channelCount} channel(s) need ${spans.length * channelCount} sections but the file has ${sections.length}: the file is corrupt.`);
  }
  const f = model.manifest.downsamplingFactor;
  const fader = new CrossFader({ overlap: layout.overlap, fadeLength, channels: channelCount });
  const out = Array.from({ length: channelCount }, () => new Float32Array(length));
  let at = 0;
  const append = (pieces: Float32Array[]): void => {
    pieces.forEach((p, c) => out[c]!.set(p, at));
    at += pieces[0]!.length;
  };
  for (const span of spans) {
    const chunk: Float32Array[] = [];
    for (let c = 0; c < channelCount; c++) {
      const samples = await decodeAudioChunk(model, sections[span.index * channelCount + c]!, level, Math.ceil(layout.chunkLength / f));
      if (samples.length < span.length) throw new CodecError('ERR_BITSTREAM_CORRUPT', `A wavelet audio chunk decodes to ${samples.length} samples where ${span.length} were expected: the file is corrupt.`);
      chunk.push(samples.subarray(0, span.length));
    }
    append(fader.push(chunk));
  }
  if (spans.length) append(fader.end(length));
  return out;
}

/** One channel's rate-normalised ŷ · invGain as a `[C, 1, F]` latent (the channel whole, no chunks). */
export async function channelLatents(model: WaveletModel, samples: Float32Array, level: WaveletRateLevel): Promise<Latent> {
  if (samples.length > MAX_LATENT_SAMPLES) {
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', `encodeLatents takes up to ${MAX_LATENT_SAMPLES} samples per channel whole; split the clip first.`);
  }
  const { yHat } = model.code(await model.analyse(padded(samples, model.manifest.downsamplingFactor), level));
  return normaliseLatent(yHat, level.invGain);
}

/** The model-rate samples (`length` of them) that a channel's rate-normalised latent decodes to. */
export async function channelFromLatents(model: WaveletModel, latent: Latent, length: number): Promise<Float32Array> {
  const ones = new Float32Array(latent.channels).fill(1);
  return (await model.synthesise(latent, ones)).data.slice(0, length);
}
