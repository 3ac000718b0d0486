/**
 * `rvq`: neural audio coding with a residual vector quantizer (SoundStream, Zeghidour et al. 2021;
 * EnCodec, Défossez et al. 2022; DAC, Kumar et al. 2023) — one mono 24 kHz model for every bitrate
 * it was trained for (1.5, 3, 6, 12 kbps = 2, 4, 8, 16 codebooks).
 *
 * Any audio `loadAudio` reads (WAV of any sample format, MP3, a video's soundtrack, raw samples) is
 * resampled to the model rate and coded channel by channel — a stereo file is two mono signals coded
 * independently, so it costs twice the bitrate — in overlapping chunks (10 s by default) that the
 * decoder cross-fades (the shared sessions of src/api/audio-sessions.ts). Each chunk: encoder network →
 * RVQ codes (quantizer.ts) → one adaptive range-coded stream per codebook (codes.ts) → one section
 * (sections.ts; latent.ts strings them together). Decoding gives the original sample rate,
 * channel count and length.
 *
 * Rate: `bitrateKbps` (the highest listed bitrate ≤ it), `quality` (1 … n, the listed bitrates low to
 * high) or the model default (rate.ts). `decode(bytes, { maxCodebooks })` decodes only the first
 * codebooks. Files can also be written and read piece by piece (`createAudioEncoder` /
 * `createAudioDecoder`, used by the Node streams of src/api/streams.ts). Bitstream: README.md.
 */
import path from 'node:path';
import { ChunkedAudioDecoder, ChunkedAudioEncoder, decodeAudioClip, encodeAudioClip } from '../../src/api/audio-sessions.js';
import { readContainer, writeContainer } from '../../src/container/format.js';
import type { ContainerHeader } from '../../src/container/header.js';
import type {
  AudioDecodeOptions, AudioDecoderSession, AudioEncoderSession, AudioStreamFormat, CodecFactory, CodecInfo, DecodedAudio,
  EncodeOptions, MediaInput, OpenOptions, RawImage, StreamingAudioCodec,
} from '../../src/api/types.js';
import { DEFAULT_ADAPTIVE_LIMIT } from '../../src/entropy/index.js';
import { checkStreamModel } from '../../src/api/checks.js';
import { CodecError } from '../../src/errors.js';
import { loadAudio } from '../../src/media/audio.js';
import { FADE_SHAPES, type FadeShape } from '../../src/media/split-crossfade.js';
import { checkMediaKind } from '../../src/media/sniff.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { ModelFamily, ModelFiles } from '../../src/model/store.js';
import { openModelCodec } from '../../src/api/model-codec.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import { RvqLatentCodec, rvqChunkCoder } from './latent.js';
import type { CodeAlphabet } from './codes.js';
import { parseManifest, type RvqManifest } from './manifest.js';
import { RvqNetworks, type RvqTimings } from './networks.js';
import { decodeParams, encodeParams, type RvqParams } from './params.js';
import { ResidualVectorQuantizer } from './quantizer.js';
import { chooseRate, codebooksToDecode, nominalKbps, rateLevels, type RvqRate } from './rate.js';

export { parseManifest, type RvqManifest, type RvqBitrate } from './manifest.js';
export { ResidualVectorQuantizer } from './quantizer.js';
export { rateLevels, chooseRate, type RvqRate } from './rate.js';
export type { RvqTimings } from './networks.js';

const ID = 'rvq';
/** The model a codec opens when none is named. */
export const DEFAULT_MODEL = 'rvq-cpu';
/** Default chunk: 750 frames (10 s at 24 kHz, hop 320). */
export const DEFAULT_CHUNK_FRAMES = 750;
/** Default overlap of consecutive chunks: 8 frames (107 ms; README.md, "Chunks"). */
export const DEFAULT_OVERLAP_FRAMES = 8;
/** Default cross-fade, centred in the overlap: 4 frames (53 ms); two frames at each chunk edge are discarded. */
export const DEFAULT_FADE_FRAMES = 4;
/** Model increments of the adaptive code-stream modes (codes.ts): small for near-uniform codes, large for skewed ones. */
export const ADAPTIVE_INCREMENTS: [number, number, number] = [4, 12, 32];

/** Encode options of rvq: the common ones plus the chunking (recorded in the file). */
export interface RvqEncodeOptions extends EncodeOptions {
  /** Latent frames per chunk (hop samples each at the model rate), 2 … 65535. Default {@link DEFAULT_CHUNK_FRAMES}. */
  chunkFrames?: number;
  /** Frames shared by consecutive chunks, 1 … chunkFrames / 2. Default {@link DEFAULT_OVERLAP_FRAMES} (at most chunkFrames / 2). */
  overlapFrames?: number;
  /** Frames of the cross-fade, centred in the overlap, 1 … overlapFrames. Default {@link DEFAULT_FADE_FRAMES} (at most overlapFrames). */
  fadeFrames?: number;
  /** Cross-fade shape. Default `hann` (raised cosine; weights sum to one). */
  fadeShape?: FadeShape;
}

/** How the rvq family reads its models. */
const FAMILY: ModelFamily<RvqManifest> = {
  id: ID, defaultModel: DEFAULT_MODEL, parseManifest,
  filesOf: (m) => [m.graphs.encoder.file, m.graphs.decoder.file, m.quantizer.file],
};

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

/** An rvq codec bound to one model and one ONNX runtime; dispose it to free both. */
export class RvqCodec implements StreamingAudioCodec {
  readonly id = ID;
  readonly info: CodecInfo;
  private readonly latentCodec: RvqLatentCodec;

  private constructor(
    private readonly model: ModelFiles,
    private readonly manifest: RvqManifest,
    private readonly runtime: Runtime,
    private readonly networks: RvqNetworks,
    quantizer: ResidualVectorQuantizer,
  ) {
    this.latentCodec = new RvqLatentCodec(manifest, networks, quantizer);
    const levels = rateLevels(manifest);
    this.info = {
      id: ID, description: rvq.description, media: ['audio'], modelId: model.id,
      qualities: levels.map((l) => l.quality), defaultQuality: chooseRate(manifest, {}).quality, bitratesKbps: levels.map((l) => l.kbps),
    };
  }

  /** Resolves the model (id or folder), checks its manifest and files, and prepares the runtime. */
  static open(options: OpenOptions = {}): Promise<RvqCodec> {
    return openModelCodec(FAMILY, options, ({ files, manifest, runtime }) => {
      const quantizer = ResidualVectorQuantizer.load(path.join(files.dir, manifest.quantizer.file), manifest);
      return new RvqCodec(files, manifest, runtime, new RvqNetworks(runtime, manifest, files.dir), quantizer);
    });
  }

  /** The model's rates (quality level, codebooks, nominal kbps), low to high. */
  get rates(): RvqRate[] {
    return rateLevels(this.manifest);
  }

  /** Milliseconds per stage (networks, quantizer, entropy coding) since the last encode or decode began. */
  get lastTimings(): RvqTimings {
    return this.networks.clock.snapshot();
  }

  async encode(input: MediaInput, options: RvqEncodeOptions = {}): Promise<Uint8Array> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const params = this.paramsFor(options, false);
    await checkMediaKind(input, ID, ['audio']);
    const audio = await loadAudio(input as Exclude<MediaInput, RawImage>);
    const frames = audio.channels[0]!.length;
    this.networks.clock.reset();
    const session = this.sessionFor({ sampleRate: audio.sampleRate, channels: audio.channels.length, frames }, params, options);
    return writeContainer(session.header, await encodeAudioClip(session, audio.channels));
  }

  /**
   * Decodes a whole file (made by `encode` or by a stream) to the original rate, channels and length.
   * `maxCodebooks` decodes only the first codebooks (lower quality, same length).
   */
  async decode(bytes: Uint8Array, options: AudioDecodeOptions = {}): Promise<DecodedAudio> {
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const { header, sections } = readContainer(bytes);
    const params = this.checkHeader(header);
    const media = header.media as ContainerHeader['media'] & { kind: 'audio' };
    const coder = this.coderFor(params, options);
    this.networks.clock.reset();
    return { kind: 'audio', sampleRate: media.sampleRate, channels: await decodeAudioClip(coder, media, sections) };
  }

  /** An encoder session (the whole-clip kind when `format.frames` is given, else a streamed file). */
  createAudioEncoder(format: AudioStreamFormat, options: RvqEncodeOptions = {}): AudioEncoderSession {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    return this.sessionFor(format, this.paramsFor(options, format?.frames === undefined), options);
  }

  /** A decoder session for a file with this header (either kind); `maxCodebooks` as in {@link decode}. */
  createAudioDecoder(header: ContainerHeader, options: AudioDecodeOptions = {}): AudioDecoderSession {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const params = this.checkHeader(header);
    return new ChunkedAudioDecoder(this.coderFor(params, options), header.media as ContainerHeader['media'] & { kind: 'audio' });
  }

  async dispose(): Promise<void> {
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private sessionFor(format: AudioStreamFormat, params: RvqParams, options: EncodeOptions): ChunkedAudioEncoder {
    const header = {
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      rate: { kind: 'bitrate' as const, kbps: nominalKbps(this.manifest, params.nq) }, params: encodeParams(params),
    };
    return new ChunkedAudioEncoder(this.coderFor(params), format, header, options.onProgress);
  }

  /** The chunk coder of a file with these parameters, decoding the codebooks `options` asks for. */
  private coderFor(params: RvqParams, options: AudioDecodeOptions = {}): ReturnType<typeof rvqChunkCoder> {
    return rvqChunkCoder(this.latentCodec, params, this.alphabetOf(params), codebooksToDecode(params.nq, options));
  }

  /** The parameters an encoding with `options` writes; TypeError / RangeError for invalid options. */
  private paramsFor(options: RvqEncodeOptions, streamed: boolean): RvqParams {
    const { nq } = chooseRate(this.manifest, options);
    const chunkFrames = checkInteger(options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, 'options.chunkFrames', 2, 65535);
    const half = Math.floor(chunkFrames / 2);
    const overlapFrames = checkInteger(options.overlapFrames ?? Math.min(DEFAULT_OVERLAP_FRAMES, half), 'options.overlapFrames', 1, half);
    const fadeFrames = checkInteger(options.fadeFrames ?? Math.min(DEFAULT_FADE_FRAMES, overlapFrames), 'options.fadeFrames', 1, overlapFrames);
    const fadeShape = options.fadeShape ?? 'hann';
    if (!FADE_SHAPES.includes(fadeShape)) throw invalidRange(`one of ${FADE_SHAPES.join(', ')}`, 'options.fadeShape', fadeShape);
    const { hop, sampleRate: codedRate } = this.manifest;
    return { streamed, nq, fadeShape, codedRate, hop, chunkFrames, overlapFrames, fadeFrames, increments: [...ADAPTIVE_INCREMENTS], limit: DEFAULT_ADAPTIVE_LIMIT };
  }

  /** The code alphabet and adaptive options of a file (from its parameters, not this library's defaults). */
  private alphabetOf(params: RvqParams): CodeAlphabet {
    return { size: this.manifest.codebookSize, bits: this.manifest.bitsPerCode, increments: params.increments, limit: params.limit };
  }

  /** Checks codec id, model, media, parameters and rate of a stream; returns its parameters. */
  private checkHeader(header: ContainerHeader): RvqParams {
    checkStreamModel(header, ID, this.model);
    if (header.media.kind !== 'audio') throw corrupt('An rvq stream must describe audio: the header is corrupt.');
    const params = decodeParams(header.params);
    if (params.hop !== this.manifest.hop || params.codedRate !== this.manifest.sampleRate) {
      throw new CodecError('ERR_MODEL_MISMATCH', `This file was coded at ${params.codedRate} Hz with hop ${params.hop} but model '${this.model.id}' runs at ${this.manifest.sampleRate} Hz with hop ${this.manifest.hop}.`);
    }
    if (params.nq > this.manifest.nCodebooks) throw corrupt(`The stream uses ${params.nq} codebooks but model '${this.model.id}' has ${this.manifest.nCodebooks}: the header is corrupt.`);
    const { rate } = header;
    if (rate.kind !== 'bitrate' || Math.abs(rate.kbps - nominalKbps(this.manifest, params.nq)) > 1e-9) {
      throw corrupt(`The stream's rate setting does not match its ${params.nq} codebooks: the header is corrupt.`);
    }
    return params;
  }
}

/** Opens an rvq codec (the typed way to get rvq-specific options and the streaming sessions). */
export function openRvq(options: OpenOptions = {}): Promise<RvqCodec> {
  return RvqCodec.open(options);
}

export const rvq: CodecFactory = {
  id: ID,
  description: 'Neural audio: SEANet autoencoder + residual vector quantizer (ONNX), 1.5-12 kbps per channel, adaptive range coding',
  media: ['audio'],
  open: (options: OpenOptions) => RvqCodec.open(options),
};
