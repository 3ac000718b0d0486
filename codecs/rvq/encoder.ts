/**
 * The rvq encoder session: planar audio at any rate, in pieces → container section payloads.
 *
 *   each channel ─► resample to the model rate (src/media/resampler.ts, streaming)
 *               ─► overlapping chunks (src/media/chunks.ts: L = chunk frames · hop, O = overlap
 *                  frames · hop) ─► per chunk, per channel: one chunk section (chunk-codec.ts)
 *
 * Channels are coded independently with the mono model (a stereo file holds two chunk sections per
 * chunk, channel 0 first); there is no joint stereo coding. Memory is bounded by one chunk per
 * channel plus the piece being pushed, whatever the length of the input, and the same input gives
 * the same sections whether it comes whole (`encode()`) or in pieces (the encode stream).
 *
 * When the length is known up front (`format.frames`), the header records it; otherwise the header
 * says 0 with the `streamed` flag and a final end section records it (sections.ts).
 */
import type { AudioEncoderSession, AudioStreamFormat, EncodeOptions } from '../../src/codec/types.js';
import type { ContainerHeader } from '../../src/container/header.js';
import { LIMITS } from '../../src/container/header.js';
import { ChunkSplitter, chunkCount, type SignalChunk } from '../../src/media/chunks.js';
import { Resampler, resampledLength } from '../../src/media/resampler.js';
import { invalidRange, invalidType } from '../../src/validate.js';
import type { RvqChunkCodec } from './chunk-codec.js';
import type { CodeAlphabet } from './codes.js';
import { encodeParams, type RvqParams } from './params.js';
import { encodeEndSection } from './sections.js';

/** Everything an encoder session needs from its codec. */
export interface RvqEncoderContext {
  chunkCodec: RvqChunkCodec;
  codecId: string;
  modelId: string;
  modelHash: Uint8Array;
  alphabet: CodeAlphabet;
}

export class RvqEncoderSession implements AudioEncoderSession {
  readonly header: Omit<ContainerHeader, 'version'>;
  private readonly resamplers: Resampler[];
  private readonly splitter: ChunkSplitter;
  private readonly expectedChunks: number | undefined;
  private frames = 0;
  private chunksDone = 0;
  private ended = false;

  constructor(
    private readonly context: RvqEncoderContext,
    private readonly format: AudioStreamFormat,
    private readonly params: RvqParams,
    kbps: number,
    private readonly onProgress?: EncodeOptions['onProgress'],
  ) {
    checkFormat(format);
    const { codedRate, hop } = params;
    const layout = { chunkLength: params.chunkFrames * hop, overlap: params.overlapFrames * hop };
    this.resamplers = Array.from({ length: format.channels }, () => new Resampler(format.sampleRate, codedRate));
    this.splitter = new ChunkSplitter(layout, format.channels);
    if (format.frames !== undefined) this.expectedChunks = chunkCount(resampledLength(format.frames, format.sampleRate, codedRate), layout);
    this.header = {
      codecId: context.codecId, modelId: context.modelId, modelHash: context.modelHash,
      media: { kind: 'audio', sampleRate: format.sampleRate, channels: format.channels, frames: format.frames ?? 0 },
      rate: { kind: 'bitrate', kbps },
      params: encodeParams(params),
    };
  }

  get bufferedFrames(): number {
    return this.splitter.bufferedFrames + Math.max(...this.resamplers.map((r) => r.bufferedFrames));
  }

  async push(channels: readonly Float32Array[]): Promise<Uint8Array[]> {
    if (this.ended) throw new RangeError('push() after end() on an rvq encoder session');
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
    if (this.params.streamed) sections.push(encodeEndSection(this.frames));
    return sections;
  }

  private async code(chunks: SignalChunk[]): Promise<Uint8Array[]> {
    const sections: Uint8Array[] = [];
    for (const chunk of chunks) {
      for (const samples of chunk.channels) {
        sections.push(await this.context.chunkCodec.encode(samples, this.params.nq, this.context.alphabet));
      }
      this.onProgress?.({ phase: 'encode', done: ++this.chunksDone, total: this.expectedChunks });
    }
    return sections;
  }
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
