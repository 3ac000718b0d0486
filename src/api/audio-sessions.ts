/**
 * The audio side shared by the chunked audio codecs (rvq, wavelet) — the audio counterpart of
 * tiled-image.ts: streaming encoder and decoder sessions (src/api/types.ts) that do everything but
 * code one chunk of one channel, which a family-specific {@link AudioChunkCoder} does.
 *
 *   encoding: each channel ─► resample to the coded rate (src/media/resampler.ts, streaming)
 *                          ─► overlapping chunks (src/media/split-crossfade.ts ChunkSplitter: L and O samples)
 *                          ─► per chunk, per channel: coder.encodeChunk ─► one chunk section
 *   decoding: the chunk sections of chunk i (one per channel) ─► coder.decodeChunk: units · unit samples
 *                          ─► cross-fade with chunk i − 1 (CrossFader: holds the last O samples)
 *                          ─► resample to the original rate ─► cut to the original length N
 *
 * Channels are coded independently with a mono model, chunk-major (chunk 0 channel 0, chunk 0
 * channel 1, chunk 1 channel 0, …). Memory is bounded by one chunk per channel plus the piece being
 * pushed, whatever the length of the input, and the same input gives the same sections whether it
 * comes whole ({@link encodeAudioClip}) or in pieces (the encode stream).
 *
 * Length: when it is known up front (`format.frames`) the header records it and the codec's
 * parameters say "not streamed"; otherwise the header gives 0 frames, the parameters say `streamed`
 * and a final end section (a payload no chunk can have, e.g. one starting with 0 units) records N.
 * With N known, the chunk plan (src/media/split-crossfade.ts) is known and every chunk's unit count is
 * checked against it, and each decoded chunk is cut to its span. In a streamed file N arrives last;
 * until then a chunk shorter than the chunk length must be the last, and the cross-fader holds back
 * the last min(O, …) ≥ unit samples of each chunk (streamed files need O ≥ unit), so the zero padding
 * of the last chunk (less than one unit) is never handed out before N is known. Malformed input fails with
 * ERR_BITSTREAM_CORRUPT / ERR_BITSTREAM_TRUNCATED.
 */
import type { AudioDescription, ContainerHeader } from '../container/header.js';
import { LIMITS } from '../container/header.js';
import { CodecError } from '../errors.js';
import { ChunkSplitter, CrossFader, chunkCount, chunkSpan, type ChunkLayout, type FadeShape, type SignalChunk } from '../media/split-crossfade.js';
import { Resampler, resampledLength, type ResamplerOptions } from '../media/resampler.js';
import { invalidRange, invalidType } from '../validate.js';
import type { AudioDecoderSession, AudioEncoderSession, AudioStreamFormat, Progress } from './types.js';

/** How a file's audio is cut into chunks and joined again: the numbers its codec parameters record. */
export interface ChunkedAudioPlan {
  /** The rate the chunks are coded at (the model's), Hz. */
  codedRate: number;
  /** Samples per coding unit (latent frame) at the coded rate: a chunk of n samples codes ⌈n / unit⌉ units. */
  unit: number;
  /** Chunk length L (a multiple of `unit`) and overlap O (≤ L / 2), samples at the coded rate. */
  layout: ChunkLayout;
  /** The cross-fade, centred in the overlap, ≤ O samples. */
  fadeLength: number;
  fadeShape: FadeShape;
  /** The header gives 0 frames and the last section is the end section (requires O ≥ unit). */
  streamed: boolean;
  /** The resampler between the media's rate and `codedRate`, both ways (default: {@link Resampler}'s). */
  resampler?: ResamplerOptions;
}

/** A section as a coder parsed it: one chunk of one channel (`units` coding units), or the end section. */
export type AudioSection<C> =
  | { kind: 'chunk'; units: number; chunk: C }
  | { kind: 'end'; frames: number };

/** What a codec family does with one mono chunk at the coded rate; the sessions do the rest. */
export interface AudioChunkCoder<C = unknown> {
  /** The codec id, for messages. */
  readonly codecId: string;
  readonly plan: ChunkedAudioPlan;
  /** The section payload of one chunk (1 … L samples; the coder pads it to whole units). */
  encodeChunk(samples: Float32Array): Promise<Uint8Array>;
  /** The end section of a streamed file of `frames` frames per channel (at the original rate). */
  encodeEnd(frames: number): Uint8Array;
  /** Parses a payload without decoding it; ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT when malformed. */
  parseSection(payload: Uint8Array): AudioSection<C>;
  /** The `units · unit` samples of a parsed chunk (the session cuts the padding). */
  decodeChunk(chunk: C, units: number): Promise<Float32Array>;
}

/** Longest clip (frames per channel) {@link decodeAudioClip} decodes into memory; longer ones need the decode stream. */
export const MAX_CLIP_FRAMES = 2 ** 31;

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `${message}: the file is corrupt.`);
}

function truncated(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_TRUNCATED', `${message}: the file is truncated.`);
}

function checkFormat(format: AudioStreamFormat): void {
  if (typeof format !== 'object' || format === null) throw invalidType('a { sampleRate, channels } object', 'format', format);
  const { sampleRate, channels, frames } = format;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > LIMITS.maxSampleRate) {
    throw invalidRange(`an integer sample rate between 1 and ${LIMITS.maxSampleRate}`, 'format.sampleRate', sampleRate);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > LIMITS.maxAudioChannels) {
    throw invalidRange(`an integer between 1 and ${LIMITS.maxAudioChannels}`, 'format.channels', channels);
  }
  if (frames !== undefined && (!Number.isSafeInteger(frames) || frames < 0 || frames > LIMITS.maxFrames)) {
    throw invalidRange(`an integer between 0 and ${LIMITS.maxFrames}`, 'format.frames', frames);
  }
}

/** Sections a file of `frames` frames holds: one per chunk and channel, plus the end section if streamed. */
export function chunkedSectionCount(frames: number, media: AudioDescription, plan: ChunkedAudioPlan): number {
  const coded = resampledLength(frames, media.sampleRate, plan.codedRate);
  return chunkCount(coded, plan.layout) * media.channels + (plan.streamed ? 1 : 0);
}

/** The container header of a chunked audio file, less its media (which the session adds). */
export type ChunkedAudioHeader = Omit<ContainerHeader, 'version' | 'media'>;

/**
 * An encoder session: planar audio at any rate, in pieces → section payloads. `plan.streamed` must
 * say whether `format.frames` is unknown (the codec writes that into `header.params`).
 */
export class ChunkedAudioEncoder implements AudioEncoderSession {
  readonly header: Omit<ContainerHeader, 'version'>;
  private readonly resamplers: Resampler[];
  private readonly splitter: ChunkSplitter;
  private readonly expectedChunks: number | undefined;
  private frames = 0;
  private chunksDone = 0;
  private ended = false;

  constructor(
    private readonly coder: AudioChunkCoder,
    readonly format: AudioStreamFormat,
    header: ChunkedAudioHeader,
    private readonly onProgress?: (progress: Progress) => void,
  ) {
    checkFormat(format);
    const { plan } = coder;
    if (plan.streamed !== (format.frames === undefined)) throw new RangeError(`${plan.streamed ? 'Streamed' : 'Whole-clip'} ${coder.codecId} encodings need ${plan.streamed ? 'no' : 'a'} format.frames`);
    this.resamplers = Array.from({ length: format.channels }, () => new Resampler(format.sampleRate, plan.codedRate, plan.resampler));
    this.splitter = new ChunkSplitter(plan.layout, format.channels);
    if (format.frames !== undefined) this.expectedChunks = chunkCount(resampledLength(format.frames, format.sampleRate, plan.codedRate), plan.layout);
    this.header = { ...header, media: { kind: 'audio', sampleRate: format.sampleRate, channels: format.channels, frames: format.frames ?? 0 } };
  }

  /** How this session cuts the audio (its coder's plan). */
  get plan(): ChunkedAudioPlan {
    return this.coder.plan;
  }

  get bufferedFrames(): number {
    return this.splitter.bufferedFrames + Math.max(...this.resamplers.map((r) => r.bufferedFrames));
  }

  async push(channels: readonly Float32Array[]): Promise<Uint8Array[]> {
    if (this.ended) throw new RangeError(`push() after end() on the ${this.coder.codecId} encoder session`);
    if (!Array.isArray(channels) || channels.length !== this.format.channels) {
      throw invalidRange(`an array of ${this.format.channels} Float32Array channels`, 'channels', channels);
    }
    const n = channels[0]!.length;
    channels.forEach((c, i) => {
      if (!(c instanceof Float32Array)) throw invalidType('a Float32Array', `channels[${i}]`, c);
      if (c.length !== n) throw invalidRange(`${n} samples (as channel 0)`, `channels[${i}].length`, c.length);
    });
    this.frames += n;
    if (this.format.frames !== undefined && this.frames > this.format.frames) {
      throw invalidRange(`at most ${this.format.frames} frames in all (format.frames)`, 'the pushed audio', this.frames);
    }
    return this.code(this.splitter.push(channels.map((c, i) => this.resamplers[i]!.push(c))));
  }

  async end(): Promise<Uint8Array[]> {
    if (this.ended) return [];
    this.ended = true;
    if (this.format.frames !== undefined && this.frames !== this.format.frames) {
      throw invalidRange(`${this.format.frames} frames in all (format.frames)`, 'the pushed audio', this.frames);
    }
    const chunks = this.splitter.push(this.resamplers.map((r) => r.flush()));
    chunks.push(...this.splitter.end());
    const sections = await this.code(chunks);
    if (this.coder.plan.streamed) sections.push(this.coder.encodeEnd(this.frames));
    return sections;
  }

  private async code(chunks: SignalChunk[]): Promise<Uint8Array[]> {
    const sections: Uint8Array[] = [];
    for (const chunk of chunks) {
      for (const samples of chunk.channels) sections.push(await this.coder.encodeChunk(samples));
      this.onProgress?.({ phase: 'encode', done: ++this.chunksDone, total: this.expectedChunks });
    }
    return sections;
  }
}

/**
 * A decoder session: section payloads in order → planar audio at the original rate, as soon as it
 * is final. Throws ERR_BITSTREAM_CORRUPT at construction for a plan that cannot be decoded.
 */
export class ChunkedAudioDecoder<C> implements AudioDecoderSession {
  readonly sampleRate: number;
  readonly channels: number;
  private readonly plan: ChunkedAudioPlan;
  private readonly fader: CrossFader;
  private readonly resamplers: Resampler[];
  /** Units of a whole chunk. */
  private readonly chunkUnits: number;
  /** Original frames N and frames at the coded rate N′, once known. */
  private frames: number | undefined;
  private codedFrames: number | undefined;
  private sections = 0;
  /** Decoded channels of the chunk in progress, and their unit count. */
  private pending: Float32Array[] = [];
  private pendingUnits = 0;
  /** Units of every completed chunk. */
  private completed: number[] = [];
  private emitted = 0;
  private endSeen = false;
  private ended = false;

  constructor(private readonly coder: AudioChunkCoder<C>, media: AudioDescription) {
    const { plan, codecId } = coder;
    this.plan = plan;
    this.sampleRate = media.sampleRate;
    this.channels = media.channels;
    const { layout, unit } = plan;
    if (plan.streamed && media.frames !== 0) throw new CodecError('ERR_BITSTREAM_CORRUPT', `Streamed ${codecId} files must give 0 frames in their header: the header is corrupt.`);
    if (plan.streamed && layout.overlap < unit) throw new CodecError('ERR_BITSTREAM_CORRUPT', `Streamed ${codecId} files need an overlap of at least ${unit} samples, not ${layout.overlap}: the header is corrupt.`);
    this.chunkUnits = Math.ceil(layout.chunkLength / unit);
    this.fader = new CrossFader({ overlap: layout.overlap, fadeLength: plan.fadeLength, shape: plan.fadeShape, channels: this.channels });
    this.resamplers = Array.from({ length: this.channels }, () => new Resampler(plan.codedRate, media.sampleRate, plan.resampler));
    if (!plan.streamed) this.setFrames(media.frames);
  }

  get bufferedFrames(): number {
    const pending = this.pending.reduce((n, p) => Math.max(n, p.length), 0);
    return pending + this.fader.bufferedFrames + Math.max(...this.resamplers.map((r) => r.bufferedFrames));
  }

  async push(payload: Uint8Array): Promise<Float32Array[]> {
    const { codecId } = this.coder;
    if (this.ended) throw new RangeError(`push() after end() on the ${codecId} decoder session`);
    if (this.endSeen) throw corrupt(`A section follows the end section of the ${codecId} stream`);
    const section = this.coder.parseSection(payload);
    const index = this.sections++;
    if (section.kind === 'end') {
      if (!this.plan.streamed) throw corrupt(`The ${codecId} file gives its length in its header but holds an end section`);
      if (this.pending.length > 0) throw corrupt(`The end section of the ${codecId} stream comes after ${this.pending.length} of the ${this.channels} channels of a chunk`);
      if (section.frames > LIMITS.maxFrames) throw corrupt(`The end section of the ${codecId} stream gives ${section.frames} frames`);
      this.setFrames(section.frames);
      this.endSeen = true;
      this.checkChunkCount();
      return this.empty();
    }
    const chunk = Math.floor(index / this.channels);
    const length = this.checkChunkUnits(chunk, section.units);
    const audio = await this.coder.decodeChunk(section.chunk, section.units);
    this.pending.push(length === undefined ? audio : audio.subarray(0, length));
    if (this.pending.length < this.channels) return this.empty();
    const joined = this.fader.push(this.pending);
    this.pending = [];
    this.completed.push(section.units);
    return this.resample(joined, false);
  }

  async end(): Promise<Float32Array[]> {
    if (this.ended) return this.empty();
    this.ended = true;
    const { codecId } = this.coder;
    if (this.plan.streamed && !this.endSeen) throw truncated(`The ${codecId} stream ended after ${this.sections} sections, before its end section`);
    if (this.pending.length > 0) throw truncated(`The ${codecId} stream ended after ${this.pending.length} of the ${this.channels} channels of a chunk`);
    this.checkChunkCount();
    const tail = this.fader.end(this.codedFrames!);
    const out = this.resample(tail, true);
    const want = this.frames! - this.emitted;
    if (want < 0) throw corrupt(`The ${codecId} stream decodes to more samples than its length`);
    this.emitted += want;
    return out.map((c) => {
      if (c.length === want) return c;
      const exact = new Float32Array(want);
      exact.set(c.subarray(0, want));
      return exact;
    });
  }

  private setFrames(frames: number): void {
    this.frames = frames;
    this.codedFrames = resampledLength(frames, this.sampleRate, this.plan.codedRate);
  }

  /**
   * Checks the units of chunk `chunk` against the plan (known length) or the streaming rules; returns
   * the chunk's length in samples when the length is known.
   */
  private checkChunkUnits(chunk: number, units: number): number | undefined {
    const { codecId } = this.coder;
    const { layout, unit } = this.plan;
    if (units > this.chunkUnits) throw corrupt(`Chunk ${chunk} of the ${codecId} stream has ${units} units, more than the ${this.chunkUnits} of a chunk`);
    if (this.pending.length > 0 && this.pendingUnits !== units) throw corrupt(`The channels of chunk ${chunk} of the ${codecId} stream have different lengths`);
    this.pendingUnits = units;
    if (this.codedFrames !== undefined) {
      const count = chunkCount(this.codedFrames, layout);
      if (chunk >= count) throw corrupt(`The ${codecId} file of ${this.frames} frames has ${count} chunks but holds more`);
      const { length } = chunkSpan(chunk, this.codedFrames, layout);
      const expected = Math.ceil(length / unit);
      if (units !== expected) throw corrupt(`Chunk ${chunk} of the ${codecId} file has ${units} units where its length needs ${expected}`);
      return length;
    }
    const previous = this.completed[this.completed.length - 1];
    if (previous !== undefined && previous < this.chunkUnits && this.pending.length === 0) throw corrupt(`Chunk ${chunk} of the ${codecId} stream follows a short (last) chunk`);
    if (chunk > 0 && units * unit <= layout.overlap) throw corrupt(`Chunk ${chunk} of the ${codecId} stream has ${units} units, not more than the overlap`);
    return undefined;
  }

  private checkChunkCount(): void {
    const { codecId } = this.coder;
    const { layout, unit } = this.plan;
    const count = chunkCount(this.codedFrames!, layout);
    const seen = this.completed.length;
    if (seen > count) throw corrupt(`The ${codecId} stream holds ${seen} chunks where its length needs ${count}`);
    this.completed.forEach((units, i) => {
      const expected = Math.ceil(chunkSpan(i, this.codedFrames!, layout).length / unit);
      if (units !== expected) throw corrupt(`Chunk ${i} of the ${codecId} stream has ${units} units where its length needs ${expected}`);
    });
    if (seen < count) throw truncated(`The ${codecId} stream holds ${seen} of its ${count} chunks`);
  }

  /** Resamples samples at the coded rate to the original rate; `final` flushes the resamplers. */
  private resample(channels: Float32Array[], final: boolean): Float32Array[] {
    const out = channels.map((c, i) => (final ? this.resamplers[i]!.end(c) : this.resamplers[i]!.push(c)));
    if (!final) this.emitted += out[0]!.length;
    return out;
  }

  private empty(): Float32Array[] {
    return Array.from({ length: this.channels }, () => new Float32Array(0));
  }
}

/** The sections of a whole clip, pushed through `session` in pieces of about one chunk (which keeps the resampled copy small). */
export async function encodeAudioClip(session: ChunkedAudioEncoder, channels: readonly Float32Array[]): Promise<Uint8Array[]> {
  const { plan, format } = session;
  const frames = channels[0]?.length ?? 0;
  const piece = Math.max(1, Math.ceil((plan.layout.chunkLength * format.sampleRate) / plan.codedRate));
  const sections: Uint8Array[] = [];
  for (let at = 0; at < frames; at += piece) {
    sections.push(...await session.push(channels.map((c) => c.subarray(at, Math.min(frames, at + piece)))));
  }
  sections.push(...await session.end());
  return sections;
}

/**
 * Decodes a whole file's sections (written by {@link encodeAudioClip} or a stream) to the original
 * rate, channels and length. Checks the section count against the length first (the end section's
 * length for a streamed file: ERR_BITSTREAM_TRUNCATED without one).
 */
export async function decodeAudioClip<C>(coder: AudioChunkCoder<C>, media: AudioDescription, sections: readonly Uint8Array[]): Promise<Float32Array[]> {
  const { codecId, plan } = coder;
  const session = new ChunkedAudioDecoder(coder, media);
  let frames = media.frames;
  if (plan.streamed) {
    const last = sections.length > 0 ? coder.parseSection(sections[sections.length - 1]!) : undefined;
    if (last?.kind !== 'end') throw truncated(`The streamed ${codecId} file ends before its end section`);
    frames = last.frames;
  }
  const expected = chunkedSectionCount(frames, media, plan);
  if (sections.length !== expected) {
    throw corrupt(`${frames} frames of ${media.channels}-channel audio need ${expected} ${codecId} sections but the file has ${sections.length}`);
  }
  if (frames > MAX_CLIP_FRAMES) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `A ${frames}-frame clip is too long to decode in memory; the header is corrupt or the file needs the decode stream.`);
  }
  const out = Array.from({ length: media.channels }, () => new Float32Array(frames));
  let at = 0;
  const append = (piece: Float32Array[]) => {
    piece.forEach((c, i) => out[i]!.set(c, at));
    at += piece[0]!.length;
  };
  for (const section of sections) append(await session.push(section));
  append(await session.end());
  return out;
}
