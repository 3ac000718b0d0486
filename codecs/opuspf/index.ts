/**
 * `opuspf`: a classic core with a learned decoder-side post-filter — libopus 1.5.2 (core.ts; SILK at
 * 6 kbps) codes the audio, and a small network in the STFT domain (postfilter.ts) reshapes the
 * decoded spectrum and fills the band the core left empty with shaped noise, in the spirit of Opus
 * 1.5's LACE / NoLACE and of SBR-style bandwidth extension. The bitstream is plain Opus packets; only
 * the decoder runs a network.
 *
 * Any audio `loadAudio` reads is resampled to 48 kHz and coded channel by channel (a stereo file is
 * two mono signals, twice the bitrate) in overlapping chunks that the decoder cross-fades (the shared
 * sessions of src/api/audio-sessions.ts). Each chunk: libopus at the level's bitrate → one section
 * of packets (sections.ts; chunks.ts strings the steps together). Decoding: libopus → post-filter →
 * cross-fade → the original sample rate, channel count and length.
 *
 * Rate: `bitrateKbps` (the highest level ≤ it), `quality` (1 … n, the levels low to high) or the
 * model default (rate.ts). `decode(bytes, { postfilter: false })` gives the core alone. Files can
 * also be written and read piece by piece (`createAudioEncoder` / `createAudioDecoder`, used by the
 * Node streams of src/api/streams.ts). Bitstream: README.md.
 */
import path from 'node:path';
import { ChunkedAudioDecoder, ChunkedAudioEncoder, decodeAudioClip, encodeAudioClip } from '../../src/api/audio-sessions.js';
import { checkStreamModel } from '../../src/api/checks.js';
import { openModelCodec } from '../../src/api/model-codec.js';
import type {
  AudioDecodeOptions, AudioDecoderSession, AudioEncoderSession, AudioStreamFormat, CodecFactory, CodecInfo, DecodedAudio,
  EncodeOptions, MediaInput, OpenOptions, RawImage, StreamingAudioCodec,
} from '../../src/api/types.js';
import { readContainer, writeContainer } from '../../src/container/format.js';
import type { ContainerHeader } from '../../src/container/header.js';
import { CodecError } from '../../src/errors.js';
import { loadAudio } from '../../src/media/audio.js';
import { FADE_SHAPES, type FadeShape } from '../../src/media/split-crossfade.js';
import { checkMediaKind } from '../../src/media/sniff.js';
import type { ModelFamily, ModelFiles } from '../../src/model/store.js';
import type { Runtime } from '../../src/runtime/index.js';
import { StageClock, type StageTimes } from '../../src/runtime/stage-clock.js';
import { mulberry32 } from '../../src/prng.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import { OpusPfChunkCodec, opusPfChunkCoder, type OpusPfStage } from './chunks.js';
import { CORE_RATE, FRAME_SAMPLES, OpusCore } from './core.js';
import { parseManifest, type OpusPfManifest } from './manifest.js';
import { decodeParams, encodeParams, MAX_CHUNK_FRAMES, type OpusPfParams } from './params.js';
import { PostFilter } from './postfilter.js';
import { chooseRate, rateLevels, type OpusPfRate } from './rate.js';

export { parseManifest, type OpusPfManifest, type OpusPfLevel, type PostFilterSpec } from './manifest.js';
export { PostFilter, type PostFilterOptions } from './postfilter.js';
export { OpusCore } from './core.js';
export { rateLevels, chooseRate, type OpusPfRate } from './rate.js';

const ID = 'opuspf';
/** The model a codec opens when none is named. */
export const DEFAULT_MODEL = 'opuspf-v1';
/** Default chunk: 168 Opus frames (10.08 s at 48 kHz). */
export const DEFAULT_CHUNK_FRAMES = 168;
/** Default overlap of consecutive chunks: 2 frames (120 ms; README.md, "Chunks"). */
export const DEFAULT_OVERLAP_FRAMES = 2;
/** Default cross-fade, centred in the overlap: 1 frame (60 ms); 30 ms at each chunk edge are discarded. */
export const DEFAULT_FADE_FRAMES = 1;

/** Milliseconds spent in libopus, in the post-filter's STFT side (transforms, noise, overlap-add) and in its graph. */
export type OpusPfTimings = StageTimes<OpusPfStage>;

/** Encode options of opuspf: the common ones plus the chunking (recorded in the file). */
export interface OpusPfEncodeOptions extends EncodeOptions {
  /** Opus frames (60 ms) per chunk, 4 … 1000. Default {@link DEFAULT_CHUNK_FRAMES}. */
  chunkFrames?: number;
  /** Frames shared by consecutive chunks, 2 … chunkFrames / 2. Default {@link DEFAULT_OVERLAP_FRAMES}. */
  overlapFrames?: number;
  /** Frames of the cross-fade, centred in the overlap, 1 … overlapFrames. Default {@link DEFAULT_FADE_FRAMES}. */
  fadeFrames?: number;
  /** Cross-fade shape. Default `hann` (raised cosine; weights sum to one). */
  fadeShape?: FadeShape;
}

/** Decode options of opuspf: `postfilter` (default true; `false` gives the libopus core's output alone). */
export type OpusPfDecodeOptions = Pick<AudioDecodeOptions, 'postfilter'>;

/** How the opuspf family reads its models. */
const FAMILY: ModelFamily<OpusPfManifest> = {
  id: ID, defaultModel: DEFAULT_MODEL, parseManifest, filesOf: (m) => [m.postfilter.file],
};

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

/** An opuspf codec bound to one model, one ONNX runtime and one libopus instance; dispose it to free them. */
export class OpusPfCodec implements StreamingAudioCodec {
  readonly id = ID;
  readonly info: CodecInfo;
  private readonly clock = new StageClock<OpusPfStage>(['core', 'stft', 'network']);
  private readonly core = new OpusCore();
  private readonly chunkCodec: OpusPfChunkCodec;
  private disposed = false;

  private constructor(
    private readonly model: ModelFiles,
    private readonly manifest: OpusPfManifest,
    private readonly runtime: Runtime,
  ) {
    const filter = new PostFilter(manifest.postfilter, runtime, model.dir, this.clock);
    this.chunkCodec = new OpusPfChunkCodec(this.core, filter, this.clock);
    const levels = rateLevels(manifest);
    this.info = {
      id: ID, description: opuspf.description, media: ['audio'], modelId: model.id,
      qualities: levels.map((l) => l.quality), defaultQuality: chooseRate(manifest, {}).quality, bitratesKbps: levels.map((l) => l.kbps),
      postfilter: true,
    };
  }

  /** Resolves the model (id or folder), checks its manifest and files, and prepares the runtime. */
  static open(options: OpenOptions = {}): Promise<OpusPfCodec> {
    return openModelCodec(FAMILY, options, async ({ files, manifest, runtime }) => {
      // The native addon and the graph's session are loaded here, and the whole pipeline runs once on a
      // short signal, so the first encode and decode take as long as any other (see warmUp).
      OpusCore.warm();
      await runtime.session(path.join(files.dir, manifest.postfilter.file));
      const codec = new OpusPfCodec(files, manifest, runtime);
      await codec.warmUp();
      return codec;
    });
  }

  /**
   * Encodes and decodes 1.5 s of a synthetic 44.1 kHz signal (a chirp over noise; nothing is kept)
   * at the lowest and the highest level, so the first real call does not pay for warming up: the
   * JavaScript JIT of the resampler, chunking and STFT glue and the graph's first run (with the
   * WebAssembly libopus this replaced, a cold process spent ≈ 400 ms more on its first clip).
   */
  private async warmUp(): Promise<void> {
    const rate = 44100;
    const signal = new Float32Array(1.5 * rate);
    const random = mulberry32(1);
    for (let i = 0; i < signal.length; i++) {
      const t = i / rate;
      signal[i] = 0.2 * Math.sin(2 * Math.PI * (200 * t + 1500 * t * t)) + 0.02 * (random() - 0.5);
    }
    for (const level of [1, this.manifest.levels.length]) {
      await this.decode(await this.encode({ sampleRate: rate, channels: [signal] }, { quality: level }));
    }
    this.clock.reset();
  }

  /** The model's rates (quality level, nominal kbps, core budget), low to high. */
  get rates(): OpusPfRate[] {
    return rateLevels(this.manifest);
  }

  /** Milliseconds per stage (libopus, STFT side, graph) since the last encode or decode began. */
  get lastTimings(): OpusPfTimings {
    return this.clock.snapshot();
  }

  async encode(input: MediaInput, options: OpusPfEncodeOptions = {}): Promise<Uint8Array> {
    this.checkOpen();
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const params = this.paramsFor(options, false);
    await checkMediaKind(input, ID, ['audio']);
    const audio = await loadAudio(input as Exclude<MediaInput, RawImage>);
    const frames = audio.channels[0]!.length;
    this.clock.reset();
    const session = this.sessionFor({ sampleRate: audio.sampleRate, channels: audio.channels.length, frames }, params, options);
    return writeContainer(session.header, await encodeAudioClip(session, audio.channels));
  }

  /**
   * Decodes a whole file (made by `encode` or by a stream) to the original rate, channels and length;
   * `{ postfilter: false }` gives the libopus core's output without the post-filter.
   */
  async decode(bytes: Uint8Array, options: OpusPfDecodeOptions = {}): Promise<DecodedAudio> {
    this.checkOpen();
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    const postfilter = postfilterOption(options);
    const { header, sections } = readContainer(bytes);
    const params = this.checkHeader(header);
    const media = header.media as ContainerHeader['media'] & { kind: 'audio' };
    this.clock.reset();
    return { kind: 'audio', sampleRate: media.sampleRate, channels: await decodeAudioClip(opusPfChunkCoder(this.chunkCodec, params, postfilter), media, sections) };
  }

  /** An encoder session (the whole-clip kind when `format.frames` is given, else a streamed file). */
  createAudioEncoder(format: AudioStreamFormat, options: OpusPfEncodeOptions = {}): AudioEncoderSession {
    this.checkOpen();
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    return this.sessionFor(format, this.paramsFor(options, format?.frames === undefined), options);
  }

  /** A decoder session for a file with this header (either kind); `postfilter` as in {@link decode}. */
  createAudioDecoder(header: ContainerHeader, options: OpusPfDecodeOptions = {}): AudioDecoderSession {
    this.checkOpen();
    const postfilter = postfilterOption(options);
    const params = this.checkHeader(header);
    return new ChunkedAudioDecoder(opusPfChunkCoder(this.chunkCodec, params, postfilter), header.media as ContainerHeader['media'] & { kind: 'audio' });
  }

  /** Frees libopus' native state and the ONNX sessions; the codec cannot be used afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.core.dispose();
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private checkOpen(): void {
    if (this.disposed) throw new CodecError('ERR_DISPOSED', 'This opuspf codec has been disposed; open a new one.');
  }

  private sessionFor(format: AudioStreamFormat, params: OpusPfParams, options: EncodeOptions): ChunkedAudioEncoder {
    const level = this.rates[params.level - 1]!;
    const header = {
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      rate: { kind: 'bitrate' as const, kbps: level.kbps }, params: encodeParams(params),
    };
    return new ChunkedAudioEncoder(opusPfChunkCoder(this.chunkCodec, params, true, level.coreComplexity), format, header, options.onProgress);
  }

  /** The parameters an encoding with `options` writes; TypeError / RangeError for invalid options. */
  private paramsFor(options: OpusPfEncodeOptions, streamed: boolean): OpusPfParams {
    const rate = chooseRate(this.manifest, options);
    const chunkFrames = checkInteger(options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, 'options.chunkFrames', 4, MAX_CHUNK_FRAMES);
    const half = Math.floor(chunkFrames / 2);
    const overlapFrames = checkInteger(options.overlapFrames ?? DEFAULT_OVERLAP_FRAMES, 'options.overlapFrames', 2, half);
    const fadeFrames = checkInteger(options.fadeFrames ?? Math.min(DEFAULT_FADE_FRAMES, overlapFrames), 'options.fadeFrames', 1, overlapFrames);
    const fadeShape = options.fadeShape ?? 'hann';
    if (!FADE_SHAPES.includes(fadeShape)) throw invalidRange(`one of ${FADE_SHAPES.join(', ')}`, 'options.fadeShape', fadeShape);
    return {
      streamed, level: rate.quality, fadeShape, codedRate: CORE_RATE, unit: FRAME_SAMPLES,
      chunkFrames, overlapFrames, fadeFrames, coreBitrate: Math.round(rate.coreKbps * 1000),
    };
  }

  /** Checks codec id, model, media, parameters and rate of a stream; returns its parameters. */
  private checkHeader(header: ContainerHeader): OpusPfParams {
    checkStreamModel(header, ID, this.model);
    if (header.media.kind !== 'audio') throw corrupt('An opuspf stream must describe audio: the header is corrupt.');
    const params = decodeParams(header.params);
    if (params.unit !== this.manifest.frameSamples || params.codedRate !== this.manifest.sampleRate) {
      throw new CodecError('ERR_MODEL_MISMATCH', `This file was coded at ${params.codedRate} Hz in frames of ${params.unit} samples but model '${this.model.id}' runs its core at ${this.manifest.sampleRate} Hz in frames of ${this.manifest.frameSamples}.`);
    }
    const level = this.rates[params.level - 1];
    if (!level) throw corrupt(`The stream uses rate level ${params.level} but model '${this.model.id}' has ${this.rates.length}: the header is corrupt.`);
    if (params.coreBitrate !== Math.round(level.coreKbps * 1000)) {
      throw corrupt(`The stream's core bitrate ${params.coreBitrate} bit/s is not that of rate level ${params.level} of model '${this.model.id}' (${level.coreKbps} kbps): the header is corrupt.`);
    }
    const { rate } = header;
    if (rate.kind !== 'bitrate' || Math.abs(rate.kbps - level.kbps) > 1e-9) {
      throw corrupt(`The stream's rate setting does not match its rate level ${params.level} (${level.kbps} kbps): the header is corrupt.`);
    }
    return params;
  }
}

/** The `postfilter` decode option (default true); TypeError for anything but a boolean. */
function postfilterOption(options: OpusPfDecodeOptions): boolean {
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  const { postfilter } = options;
  if (postfilter !== undefined && typeof postfilter !== 'boolean') throw invalidType('a boolean', 'options.postfilter', postfilter);
  return postfilter ?? true;
}

/** Opens an opuspf codec (the typed way to get its options and the streaming sessions). */
export function openOpusPf(options: OpenOptions = {}): Promise<OpusPfCodec> {
  return OpusPfCodec.open(options);
}

export const opuspf: CodecFactory = {
  id: ID,
  description: 'Opus core (libopus 1.5.2 fixed point, SILK at low rates) + a learned decoder-side STFT post-filter (ONNX), 6-12 kbps per channel',
  media: ['audio'],
  open: (options: OpenOptions) => OpusPfCodec.open(options),
};
