/**
 * The rvq decoder session: section payloads in order → planar audio at the original rate, as soon as
 * it is final.
 *
 *   chunk sections of chunk i (one per channel) ─► audio at the model rate (chunk-codec.ts)
 *     ─► cross-fade with chunk i − 1 (src/media/chunks.ts CrossFader: holds the last O samples)
 *     ─► resample to the original rate ─► cut to the original length N
 *
 * The length: with a known N (header), the chunk plan is known from the start and every section is
 * checked against it. In a streamed file N arrives in the end section; until then a chunk shorter than
 * the chunk length must be the last, and the cross-fader holds the last chunk's final O ≥ hop samples,
 * so the hop padding of the last chunk is never handed out before N is known.
 *
 * Decoding fewer codebooks (`maxCodebooks` m): only the first m streams of each chunk are decoded,
 * which gives the audio an m-codebook encoding would have given (quantizer.ts).
 */
import type { AudioDecoderSession, AudioDecodeOptions } from '../../src/codec/types.js';
import type { AudioDescription } from '../../src/container/header.js';
import { LIMITS } from '../../src/container/header.js';
import { CodecError } from '../../src/errors.js';
import { CrossFader, chunkCount, chunkSpan, type ChunkLayout } from '../../src/media/chunks.js';
import { Resampler, resampledLength } from '../../src/media/resampler.js';
import { invalidRange, invalidType } from '../../src/validate.js';
import type { RvqChunkCodec } from './chunk-codec.js';
import type { CodeAlphabet } from './codes.js';
import type { RvqParams } from './params.js';
import { parseSection } from './sections.js';

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', `${message}: the file is corrupt.`);
}

function truncated(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_TRUNCATED', `${message}: the file is truncated.`);
}

/** Codebooks to decode: all `nq`, or at most `maxCodebooks`. */
export function codebooksToDecode(nq: number, options: AudioDecodeOptions): number {
  const max = options.maxCodebooks;
  if (max === undefined) return nq;
  if (typeof max !== 'number' || Number.isNaN(max)) throw invalidType('a number of codebooks', 'options.maxCodebooks', max);
  if (!Number.isInteger(max) || max < 1) throw invalidRange('a positive integer', 'options.maxCodebooks', max);
  return Math.min(max, nq);
}

export class RvqDecoderSession implements AudioDecoderSession {
  readonly sampleRate: number;
  readonly channels: number;
  private readonly layout: ChunkLayout;
  private readonly fader: CrossFader;
  private readonly resamplers: Resampler[];
  private readonly codebooks: number;
  /** Original frames N and frames at the model rate N′, once known. */
  private frames: number | undefined;
  private codedFrames: number | undefined;
  private sections = 0;
  /** Decoded channels of the chunk in progress, and their frame count. */
  private pending: Float32Array[] = [];
  private pendingFrames = 0;
  /** Frames of every completed chunk. */
  private chunkFrames: number[] = [];
  private emitted = 0;
  private endSeen = false;
  private ended = false;

  constructor(
    private readonly chunkCodec: RvqChunkCodec,
    media: AudioDescription,
    private readonly params: RvqParams,
    private readonly alphabet: CodeAlphabet,
    options: AudioDecodeOptions = {},
  ) {
    this.sampleRate = media.sampleRate;
    this.channels = media.channels;
    this.codebooks = codebooksToDecode(params.nq, options);
    const { hop } = params;
    this.layout = { chunkLength: params.chunkFrames * hop, overlap: params.overlapFrames * hop };
    this.fader = new CrossFader({ overlap: this.layout.overlap, fadeLength: params.fadeFrames * hop, shape: params.fadeShape, channels: this.channels });
    this.resamplers = Array.from({ length: this.channels }, () => new Resampler(params.codedRate, media.sampleRate));
    if (!params.streamed) this.setFrames(media.frames);
  }

  get bufferedFrames(): number {
    const pending = this.pending.reduce((n, p) => Math.max(n, p.length), 0);
    return pending + this.fader.bufferedFrames + Math.max(...this.resamplers.map((r) => r.bufferedFrames));
  }

  /** Chunks the file holds (known once the length is), and sections with the end section. */
  static expectedSections(frames: number, media: AudioDescription, params: RvqParams): number {
    const coded = resampledLength(frames, media.sampleRate, params.codedRate);
    const chunks = chunkCount(coded, { chunkLength: params.chunkFrames * params.hop, overlap: params.overlapFrames * params.hop });
    return chunks * media.channels + (params.streamed ? 1 : 0);
  }

  async push(payload: Uint8Array): Promise<Float32Array[]> {
    if (this.ended) throw new RangeError('push() after end() on an rvq decoder session');
    if (this.endSeen) throw corrupt('A section follows the end section of an rvq stream');
    const section = parseSection(payload, this.params.nq);
    const index = this.sections++;
    if (section.kind === 'end') {
      if (!this.params.streamed) throw corrupt('An rvq file whose header gives its length holds an end section');
      if (this.pending.length > 0) throw corrupt(`The end section of an rvq stream comes after ${this.pending.length} of the ${this.channels} channels of a chunk`);
      if (section.frames > LIMITS.maxFrames) throw corrupt(`The end section gives ${section.frames} frames`);
      this.setFrames(section.frames);
      this.endSeen = true;
      this.checkChunkCount();
      return this.empty();
    }
    const chunk = Math.floor(index / this.channels);
    this.checkChunkFrames(chunk, section.frames);
    const audio = await this.chunkCodec.decode(section, this.codebooks, this.alphabet);
    this.pending.push(audio);
    if (this.pending.length < this.channels) return this.empty();
    const joined = this.fader.push(this.pending);
    this.pending = [];
    this.chunkFrames.push(section.frames);
    return this.resample(joined, false);
  }

  async end(): Promise<Float32Array[]> {
    if (this.ended) return this.empty();
    this.ended = true;
    if (this.params.streamed && !this.endSeen) throw truncated(`The rvq stream ended after ${this.sections} sections, before its end section`);
    if (this.pending.length > 0) throw truncated(`The rvq stream ended after ${this.pending.length} of the ${this.channels} channels of a chunk`);
    this.checkChunkCount();
    const tail = this.fader.end(this.codedFrames!);
    const out = this.resample(tail, true);
    const want = this.frames! - this.emitted;
    if (want < 0) throw corrupt('An rvq stream decodes to more samples than its length');
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
    this.codedFrames = resampledLength(frames, this.sampleRate, this.params.codedRate);
  }

  /** Frames of chunk `chunk` against the plan (known length) or the streaming rules. */
  private checkChunkFrames(chunk: number, frames: number): void {
    const { chunkFrames, overlapFrames, hop } = this.params;
    if (frames > chunkFrames) throw corrupt(`An rvq chunk has ${frames} frames, more than the ${chunkFrames} of a chunk`);
    if (this.pending.length > 0 && this.pendingFrames !== frames) throw corrupt(`The channels of rvq chunk ${chunk} have different lengths`);
    this.pendingFrames = frames;
    if (this.codedFrames !== undefined) {
      const count = chunkCount(this.codedFrames, this.layout);
      if (chunk >= count) throw corrupt(`An rvq file of ${this.frames} frames has ${count} chunks but holds more`);
      const expected = Math.ceil(chunkSpan(chunk, this.codedFrames, this.layout).length / hop);
      if (frames !== expected) throw corrupt(`Rvq chunk ${chunk} has ${frames} frames where its length needs ${expected}`);
      return;
    }
    const previous = this.chunkFrames[this.chunkFrames.length - 1];
    if (previous !== undefined && previous < chunkFrames && this.pending.length === 0) throw corrupt(`Rvq chunk ${chunk} follows a short (last) chunk`);
    if (chunk > 0 && frames <= overlapFrames) throw corrupt(`Rvq chunk ${chunk} has ${frames} frames, not more than the overlap`);
  }

  private checkChunkCount(): void {
    const count = chunkCount(this.codedFrames!, this.layout);
    const seen = this.chunkFrames.length;
    if (seen < count) throw truncated(`The rvq stream holds ${seen} of its ${count} chunks`);
    if (seen > count) throw corrupt(`The rvq stream holds ${seen} chunks where its length needs ${count}`);
    if (count > 0) {
      const last = Math.ceil(chunkSpan(count - 1, this.codedFrames!, this.layout).length / this.params.hop);
      if (this.chunkFrames[count - 1] !== last) throw corrupt(`The last rvq chunk has ${this.chunkFrames[count - 1]} frames where the length needs ${last}`);
    }
  }

  /** Resamples samples at the model rate to the original rate; `final` flushes the resamplers. */
  private resample(channels: Float32Array[], final: boolean): Float32Array[] {
    const out = channels.map((c, i) => {
      const r = this.resamplers[i]!;
      const head = r.push(c);
      if (!final) return head;
      const rest = r.flush();
      if (rest.length === 0) return head;
      const joined = new Float32Array(head.length + rest.length);
      joined.set(head);
      joined.set(rest, head.length);
      return joined;
    });
    if (!final) this.emitted += out[0]!.length;
    return out;
  }

  private empty(): Float32Array[] {
    return Array.from({ length: this.channels }, () => new Float32Array(0));
  }
}
