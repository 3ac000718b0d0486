/**
 * `wavelet`: the wavelet-autoencoder family after WaLLoC (Jacobellis & Yadwadkar, "Learned
 * Compression for Compressed Learning", 2024) — a fixed invertible CDF 9/7 wavelet packet transform,
 * a linear 1×1 projection to a few latent channels (the whole encoder: the cheapest learned encoder
 * here), a factorized entropy bottleneck, and a deeper decoder; `quality` levels are gain vectors
 * (Cui et al. 2021). One codec id for two media, each with its own model (the container's model id
 * says which): images (RGB, model.ts on `[1, 3, H, W]`, tiles as the hyperprior codes them, alpha
 * lossless) and audio (mono 24 kHz model, each channel coded on its own in overlapping chunks,
 * through the shared streaming sessions of src/api/audio-sessions.ts: `encode()`/`decode()` and
 * `createAudioEncoder`/`createAudioDecoder` — hence `createEncodeStream({ codec: 'wavelet' })` and
 * `createDecodeStream()` — write and read the same sections; audio.ts, params.ts).
 *
 * Latent access: {@link WaveletCodec.encodeLatents} returns the dequantized latents — the symbols
 * the file would hold, as ŷ · invGain so that every quality level is in the same units — and
 * {@link WaveletCodec.decodeLatents} turns such latents (or ones a downstream model produced)
 * back into media:
 *
 * ```ts
 * await using codec = await openWavelet();
 * const latents = await codec.encodeLatents('photo.png', { quality: 4 });
 * // latents.kind === 'image': latents.latent is C × ⌈H/8⌉ × ⌈W/8⌉ (C = 48 for wavelet-vr-cpu)
 * const image = await codec.decodeLatents(latents);
 * ```
 */
import type { ContainerHeader } from '../../src/container/header.js';
import { readContainer, writeContainer } from '../../src/container/format.js';
import { checkStreamModel, levelOfHeader, levelOfOption } from '../../src/api/checks.js';
import { ChunkedAudioDecoder, ChunkedAudioEncoder, decodeAudioClip, encodeAudioClip } from '../../src/api/audio-sessions.js';
import { checkImageSize, decodeTiledImage, encodeTiledImage } from '../../src/api/tiled-image.js';
import type {
  AudioDecodeOptions, AudioDecoderSession, AudioEncoderSession, AudioStreamFormat, CodecFactory, CodecInfo, DecodedAudio,
  DecodedImage, DecodedMedia, EncodeOptions, MediaInput, OpenOptions, RawImage, StreamingAudioCodec,
} from '../../src/api/types.js';
import { CodecError } from '../../src/errors.js';
import { loadAudio } from '../../src/media/audio.js';
import { loadImage } from '../../src/media/image.js';
import { mediaKindOf } from '../../src/media/sniff.js';
import type { Latent } from '../../src/tensor.js';
import { loadModel, type ModelFiles } from '../../src/model/store.js';
import { checkOpenOptions, openModelCodec } from '../../src/api/model-codec.js';
import type { Runtime } from '../../src/runtime/session.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import { channelFromLatents, channelLatents, resampleChannels, waveletAudioCoder } from './audio.js';
import { imageFromLatents, imageLatents, waveletTileCoder } from './image.js';
import type { WaveletRateLevel } from './manifest.js';
import { WaveletModel, waveletFamily, type WaveletTimings } from './model.js';
import {
  MAX_TILE_SIZE, decodeAudioParams, decodeImageParams, encodeAudioParams, encodeImageParams, type WaveletAudioParams,
} from './params.js';

export { parseWaveletManifest, type WaveletBottleneck, type WaveletManifest, type WaveletRateLevel } from './manifest.js';
export type { WaveletTimings } from './model.js';

const ID = 'wavelet';
/** The image model a codec opens when none is named. */
export const DEFAULT_IMAGE_MODEL = 'wavelet-vr-cpu';
/** The audio model a codec opens when none is named. */
export const DEFAULT_AUDIO_MODEL = 'wavelet-audio-cpu';
export const DEFAULT_TILE_SIZE = 1024;
/** Audio chunks: 10 s at the model rate, 1,024 samples of overlap, a 768-sample Hann fade. */
export const DEFAULT_CHUNK_SECONDS = 10;
export const DEFAULT_OVERLAP = 1024;
export const DEFAULT_FADE = 768;

type Media = 'image' | 'audio';

/** Options of {@link openWavelet}: a model per medium and the image tile size. */
export interface WaveletOpenOptions extends OpenOptions {
  /** The image model (id or folder); default {@link DEFAULT_IMAGE_MODEL}. `model` may name either kind. */
  imageModel?: string;
  /** The audio model (id or folder); default {@link DEFAULT_AUDIO_MODEL}. */
  audioModel?: string;
  /** Side of the independent image tiles; a multiple of the factor (8), at most 2048. Default 1024. */
  tileSize?: number;
}

/** Options of {@link WaveletCodec.encode}: the common ones plus the audio chunk length. */
export interface WaveletEncodeOptions extends EncodeOptions {
  /** Audio chunk length in seconds (memory per chunk ∝ length); default 10. */
  chunkSeconds?: number;
}

/** Latents of an image: one `[C, ⌈H/f⌉, ⌈W/f⌉]` tensor of ŷ · invGain for the whole image (colour only). */
export interface WaveletImageLatents {
  kind: 'image';
  modelId: string;
  quality: number;
  /** Size of the image the latents decode to (the latent covers it padded to the factor). */
  width: number;
  height: number;
  latent: Latent;
}

/** Latents of audio: one `[C, 1, F]` tensor of ŷ · invGain per channel, at the model's rate. */
export interface WaveletAudioLatents {
  kind: 'audio';
  modelId: string;
  quality: number;
  /** Rate and length of the original; decodeLatents resamples back to them. */
  sampleRate: number;
  frames: number;
  /** The model's rate and the channel length at that rate (F = ⌈codedFrames / f⌉). */
  codedRate: number;
  codedFrames: number;
  channels: Latent[];
}

export type WaveletLatents = WaveletImageLatents | WaveletAudioLatents;

function checkModelOption(value: unknown, name: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalidType('a model id or folder path', name, value);
  return value;
}

/** A wavelet codec bound to an image model and an audio model (each opened on first use). */
export class WaveletCodec implements StreamingAudioCodec {
  readonly id = ID;
  readonly info: CodecInfo;
  private readonly models = new Map<Media, WaveletModel>();

  private constructor(
    private readonly runtime: Runtime,
    private readonly modelNames: Record<Media, string | undefined>,
    private readonly tileSize: number,
    first: WaveletModel,
  ) {
    this.models.set(first.manifest.media, first);
    const m = first.manifest;
    this.info = {
      id: ID, description: wavelet.description, media: ['image', 'audio'], modelId: first.files.id,
      qualities: m.rateLevels.map((l) => l.quality), defaultQuality: m.defaultQuality,
    };
  }

  /**
   * Resolves one model now — `model`, else `imageModel`, else `audioModel` when only that is
   * named, else the default image model — and the other medium's on first use. `info` describes
   * the model opened now.
   */
  static open(options: WaveletOpenOptions = {}): Promise<WaveletCodec> {
    checkOpenOptions(options);
    const names: Record<Media, string | undefined> = {
      image: checkModelOption(options.imageModel, 'options.imageModel'),
      audio: checkModelOption(options.audioModel, 'options.audioModel'),
    };
    const named = options.model;
    const tileSize = checkInteger(options.tileSize ?? DEFAULT_TILE_SIZE, 'options.tileSize', 8, MAX_TILE_SIZE);
    const firstMedia: Media = named === undefined && names.image === undefined && names.audio !== undefined ? 'audio' : 'image';
    const family = waveletFamily(firstMedia === 'image' ? DEFAULT_IMAGE_MODEL : DEFAULT_AUDIO_MODEL);
    return openModelCodec(family, { ...options, model: named ?? names[firstMedia] }, (loaded) => {
      const first = new WaveletModel(loaded, loaded.runtime);
      const media = first.manifest.media;
      if (named !== undefined) {
        if (names[media] !== undefined && names[media] !== named) throw invalidRange(`the same model as options.${media}Model`, 'options.model', named);
        names[media] = named;
      }
      if (tileSize % 8 !== 0) throw invalidRange(`a multiple of 8 up to ${MAX_TILE_SIZE}`, 'options.tileSize', tileSize);
      return new WaveletCodec(loaded.runtime, names, tileSize, first);
    });
  }

  /** Milliseconds per stage (encoder, decoder, entropy) of the last call, for the medium it coded. */
  lastTimings(media: Media = 'image'): WaveletTimings {
    return this.models.get(media)?.clock.snapshot() ?? { encoder: 0, decoder: 0, entropy: 0 };
  }

  /** The opened model of a medium (opening it now if needed); for inspection and benchmarks. */
  model(media: Media): WaveletModel {
    let model = this.models.get(media);
    if (!model) {
      const family = waveletFamily(media === 'image' ? DEFAULT_IMAGE_MODEL : DEFAULT_AUDIO_MODEL);
      model = this.checkMedia(new WaveletModel(loadModel(family, this.modelNames[media]), this.runtime), media);
      this.models.set(media, model);
    }
    return model;
  }

  async encode(input: MediaInput, options: WaveletEncodeOptions = {}): Promise<Uint8Array> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    return (await mediaKindOf(input)) === 'image' ? this.encodeImage(input as string | Uint8Array | RawImage, options) : this.encodeAudio(input, options);
  }

  async decode(bytes: Uint8Array): Promise<DecodedMedia> {
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    const { header, sections } = readContainer(bytes);
    const { model, level } = this.modelOfHeader(header);
    const { media } = header;
    model.clock.reset();
    if (media.kind === 'image') {
      const { tileSize } = decodeImageParams(header.params, model.manifest.downsamplingFactor);
      return decodeTiledImage(media, sections, tileSize, model.manifest.downsamplingFactor, waveletTileCoder(model, level));
    }
    if (media.kind !== 'audio') throw new CodecError('ERR_BITSTREAM_CORRUPT', 'A wavelet stream holds an image or audio: the header is corrupt.');
    const params = decodeAudioParams(header.params, model.manifest.downsamplingFactor, model.manifest.sampleRate!);
    const channels = await decodeAudioClip(waveletAudioCoder(model, level, params), media, sections);
    return { kind: 'audio', sampleRate: media.sampleRate, channels } satisfies DecodedAudio;
  }

  /**
   * An audio encoder session: a file whose header gives the length when `format.frames` is known,
   * else a streamed one (parameter layout 2, end section). `quality` and `chunkSeconds` as in encode().
   */
  createAudioEncoder(format: AudioStreamFormat, options: WaveletEncodeOptions = {}): AudioEncoderSession {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const model = this.model('audio');
    const level = this.levelFor(model, options.quality);
    return this.audioSession(model, level, format, this.audioParamsFor(model, options, format?.frames === undefined), options);
  }

  /** An audio decoder session for a wavelet audio file with this header (either kind); other options are ignored. */
  createAudioDecoder(header: ContainerHeader, options: AudioDecodeOptions = {}): AudioDecoderSession {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    if (header.media.kind !== 'audio') {
      throw new CodecError('ERR_UNSUPPORTED_MEDIA', `This ${header.codecId} file holds an image; decode it with decode(), not an audio decoder.`);
    }
    const { model, level } = this.modelOfHeader(header);
    const params = decodeAudioParams(header.params, model.manifest.downsamplingFactor, model.manifest.sampleRate!);
    return new ChunkedAudioDecoder(waveletAudioCoder(model, level, params), header.media);
  }

  /**
   * The dequantized latents the file would hold (ŷ · invGain, so independent of the quality's
   * gains): for an image one `[C, ⌈H/8⌉, ⌈W/8⌉]` tensor of the whole image (up to 2²⁴ pixels,
   * colour only), for audio one `[C, 1, F]` tensor per channel at the model rate.
   */
  async encodeLatents(input: MediaInput, options: { quality?: number } = {}): Promise<WaveletLatents> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    if ((await mediaKindOf(input)) === 'image') {
      const model = this.model('image');
      const level = this.levelFor(model, options.quality);
      const image = await loadImage(input as string | Uint8Array | RawImage);
      const latent = await imageLatents(model, image, level);
      return { kind: 'image', modelId: model.files.id, quality: level.quality, width: image.width, height: image.height, latent };
    }
    const model = this.model('audio');
    const level = this.levelFor(model, options.quality);
    const audio = await loadAudio(input as string | Uint8Array);
    const codedRate = model.manifest.sampleRate!;
    const coded = resampleChannels(audio.channels, audio.sampleRate, codedRate);
    const channels: Latent[] = [];
    for (const c of coded) channels.push(await channelLatents(model, c, level));
    return {
      kind: 'audio', modelId: model.files.id, quality: level.quality, sampleRate: audio.sampleRate,
      frames: audio.channels[0]?.length ?? 0, codedRate, codedFrames: coded[0]?.length ?? 0, channels,
    };
  }

  /** Media from latents shaped as {@link encodeLatents} returns them (8-bit RGB for images). */
  async decodeLatents(latents: WaveletLatents): Promise<DecodedMedia> {
    if (typeof latents !== 'object' || latents === null) throw invalidType('latents from encodeLatents()', 'latents', latents);
    if (latents.kind === 'image') {
      const model = this.model('image');
      const { latent, width, height } = latents;
      this.checkLatent(model, latent, Math.ceil(height / model.manifest.downsamplingFactor), Math.ceil(width / model.manifest.downsamplingFactor), 'latents.latent');
      const data = await imageFromLatents(model, latent, width, height);
      return { kind: 'image', width, height, channels: 3, data } satisfies DecodedImage;
    }
    if (latents.kind !== 'audio') throw invalidRange("'image' or 'audio'", 'latents.kind', (latents as { kind: unknown }).kind);
    const model = this.model('audio');
    const { codedRate, codedFrames, sampleRate, frames } = latents;
    if (codedRate !== model.manifest.sampleRate) throw invalidRange(`${model.manifest.sampleRate} (the audio model's rate)`, 'latents.codedRate', codedRate);
    const f = model.manifest.downsamplingFactor;
    const coded: Float32Array[] = [];
    for (const [i, latent] of latents.channels.entries()) {
      this.checkLatent(model, latent, 1, Math.max(1, Math.ceil(codedFrames / f)), `latents.channels[${i}]`);
      coded.push(await channelFromLatents(model, latent, codedFrames));
    }
    return { kind: 'audio', sampleRate, channels: fitLength(resampleChannels(coded, codedRate, sampleRate), frames) } satisfies DecodedAudio;
  }

  async dispose(): Promise<void> {
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async encodeImage(input: string | Uint8Array | RawImage, options: WaveletEncodeOptions): Promise<Uint8Array> {
    const model = this.model('image');
    const level = this.levelFor(model, options.quality);
    const image = await loadImage(input);
    checkImageSize(image.width, image.height, ID);
    model.clock.reset();
    const sections = await encodeTiledImage(image, this.tileSize, model.manifest.downsamplingFactor, waveletTileCoder(model, level), options.onProgress);
    return writeContainer({
      ...this.headerBase(model, level),
      media: { kind: 'image', width: image.width, height: image.height, channels: image.channels, bitDepth: image.bitDepth },
      params: encodeImageParams({ tileSize: this.tileSize }),
    }, sections);
  }

  private async encodeAudio(input: MediaInput, options: WaveletEncodeOptions): Promise<Uint8Array> {
    const model = this.model('audio');
    const level = this.levelFor(model, options.quality);
    const params = this.audioParamsFor(model, options, false);
    const audio = await loadAudio(input as string | Uint8Array);
    model.clock.reset();
    const format = { sampleRate: audio.sampleRate, channels: audio.channels.length, frames: audio.channels[0]?.length ?? 0 };
    const session = this.audioSession(model, level, format, params, options);
    return writeContainer(session.header, await encodeAudioClip(session, audio.channels));
  }

  /** The chunking an audio encoding with `options` writes (RangeError for a bad chunkSeconds). */
  private audioParamsFor(model: WaveletModel, options: WaveletEncodeOptions, streamed: boolean): WaveletAudioParams {
    const seconds = options.chunkSeconds ?? DEFAULT_CHUNK_SECONDS;
    if (typeof seconds !== 'number' || !(seconds >= 0.5 && seconds <= 60)) throw invalidRange('a number of seconds from 0.5 to 60', 'options.chunkSeconds', seconds);
    const codedRate = model.manifest.sampleRate!;
    const f = model.manifest.downsamplingFactor;
    const chunkLength = Math.max(2 * f, Math.round((seconds * codedRate) / f) * f);
    const overlap = Math.max(f, Math.min(DEFAULT_OVERLAP, chunkLength / 2)); // ≥ f, as streamed files need
    return { streamed, codedRate, chunkLength, overlap, fadeLength: Math.min(DEFAULT_FADE, overlap) };
  }

  private audioSession(model: WaveletModel, level: WaveletRateLevel, format: AudioStreamFormat, params: WaveletAudioParams, options: EncodeOptions): ChunkedAudioEncoder {
    const header = { ...this.headerBase(model, level), params: encodeAudioParams(params) };
    return new ChunkedAudioEncoder(waveletAudioCoder(model, level, params), format, header, options.onProgress);
  }

  private headerBase(model: WaveletModel, level: WaveletRateLevel): Pick<ContainerHeader, 'codecId' | 'modelId' | 'modelHash' | 'rate'> {
    return { codecId: ID, modelId: model.files.id, modelHash: model.files.hash, rate: { kind: 'quality', value: level.quality } };
  }

  private levelFor(model: WaveletModel, quality: unknown): WaveletRateLevel {
    return levelOfOption(quality, model.manifest.rateLevels, model.manifest.defaultQuality);
  }

  /** The open model of the header's medium (after checking the stream is a wavelet one made with it) and its level. */
  private modelOfHeader(header: ContainerHeader): { model: WaveletModel; level: WaveletRateLevel } {
    if (header.codecId !== ID) {
      throw new CodecError('ERR_UNKNOWN_CODEC', `This is a '${header.codecId}' stream, not a wavelet one; decode it with the top-level decode().`);
    }
    if (header.media.kind === 'video') throw new CodecError('ERR_BITSTREAM_CORRUPT', 'A wavelet stream holds an image or audio: the header is corrupt.');
    const model = this.model(header.media.kind);
    checkStreamModel(header, ID, model.files);
    return { model, level: levelOfHeader(header, model.manifest.rateLevels, model.files.id) };
  }

  private checkMedia(model: WaveletModel, media: Media): WaveletModel {
    if (model.manifest.media !== media) {
      model.dispose();
      throw new CodecError('ERR_MODEL_MISMATCH', `The wavelet model '${model.files.id}' codes ${model.manifest.media}, not ${media}; name a ${media} model with { ${media}Model }.`);
    }
    return model;
  }

  private checkLatent(model: WaveletModel, latent: Latent, height: number, width: number, name: string): void {
    const c = model.manifest.latentChannels;
    if (typeof latent !== 'object' || latent === null || !(latent.data instanceof Float32Array)) throw invalidType('a { data: Float32Array, channels, height, width } latent', name, latent);
    if (latent.channels !== c || latent.height !== height || latent.width !== width || latent.data.length !== c * height * width) {
      throw invalidRange(`a ${c}×${height}×${width} latent with ${c * height * width} values`, name, `${latent.channels}×${latent.height}×${latent.width} (${latent.data.length} values)`);
    }
  }
}

/** Cuts or zero-extends every channel to exactly `frames` samples (resampling rounds the length up). */
function fitLength(channels: Float32Array[], frames: number): Float32Array[] {
  return channels.map((c) => {
    if (c.length === frames) return c;
    const out = new Float32Array(frames);
    out.set(c.subarray(0, frames));
    return out;
  });
}

/** Opens a wavelet codec with its own options (a model per medium, tile size). */
export function openWavelet(options: WaveletOpenOptions = {}): Promise<WaveletCodec> {
  return WaveletCodec.open(options);
}

export const wavelet: CodecFactory = {
  id: ID,
  description: 'Learned images and audio: WaLLoC-style wavelet-packet autoencoder (linear encoder, ONNX) + rANS',
  media: ['image', 'audio'],
  open: (options: OpenOptions) => WaveletCodec.open(options),
};
