/**
 * `hyperprior`: learned lossy image coding with a mean-scale hyperprior (Ballé et al., *Variational
 * image compression with a scale hyperprior*, ICLR 2018; Minnen et al., NeurIPS 2018) whose rate is
 * chosen by gain vectors (Cui et al., CVPR 2021) — one model, `quality` 1..8.
 *
 * Per tile (tiles.ts): pad → g_a → h_a → z stream → h_s → y stream (latent.ts); decoding runs
 * backwards through g_s, crops, and rounds to 8 bits. Alpha is coded losslessly beside the colour
 * (alpha.ts). Container parameters and sections: params.ts. Model files: manifest.ts.
 *
 * Decoded images are 8-bit with the original channel count: gray input is coded as RGB and decoded
 * as the mean of the three reconstructed planes; 16-bit input is coded from its float values
 * (sample / 65535) and decodes as 8-bit.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeContainer, readContainer } from '../../src/container/format.js';
import type { ContainerHeader } from '../../src/container/header.js';
import type {
  Codec, CodecFactory, CodecInfo, DecodedImage, EncodeOptions, MediaInput, OpenOptions,
} from '../../src/codec/types.js';
import { CodecError } from '../../src/errors.js';
import { isRawAudio } from '../../src/media/audio.js';
import { loadImage } from '../../src/media/image.js';
import { Runtime } from '../../src/runtime/index.js';
import { checkModelHash, resolveModel, type ModelFiles } from '../../src/runtime/models.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import { alphaPlane, decodeAlphaInto, encodeAlpha } from './alpha.js';
import { HyperpriorLatentCodec } from './latent.js';
import { parseManifest, type HyperpriorManifest, type RateLevel } from './manifest.js';
import { HyperpriorNetworks, emptyTimings, type StageTimings } from './networks.js';
import { MAX_TILE_SIZE, decodeParams, encodeParams } from './params.js';
import { extractTile, planTiles, tileCount, writeTile } from './tiles.js';

export { parseManifest, type HyperpriorManifest, type RateLevel } from './manifest.js';
export type { StageTimings } from './networks.js';
export { MAX_TILE_SIZE } from './params.js';

const ID = 'hyperprior';
/** The model a codec opens when none is named. */
export const DEFAULT_MODEL = 'msh-vr-cpu';
/** Default tile side: images up to 1024×1024 are coded whole. */
export const DEFAULT_TILE_SIZE = 1024;
/** Largest image coded (2²⁸ pixels, e.g. 16384×16384): the decoded output alone is up to 1 GiB. */
export const MAX_PIXELS = 2 ** 28;

/** Options of {@link openHyperprior}: the common open options plus the tile size. */
export interface HyperpriorOpenOptions extends OpenOptions {
  /**
   * Side of the independent tiles large images are cut into; a multiple of the model's downsampling
   * factor (64), at most {@link MAX_TILE_SIZE}. Smaller tiles use less memory and show more seams.
   */
  tileSize?: number;
}

function checkTileSize(value: unknown, factor: number): number {
  const size = checkInteger(value ?? DEFAULT_TILE_SIZE, 'options.tileSize', factor, MAX_TILE_SIZE);
  if (size % factor !== 0) throw invalidRange(`a multiple of ${factor} up to ${MAX_TILE_SIZE}`, 'options.tileSize', size);
  return size;
}

function loadManifest(model: ModelFiles): HyperpriorManifest {
  const manifest = parseManifest(model.manifest);
  for (const graph of Object.values(manifest.graphs)) {
    if (!existsSync(path.join(model.dir, graph.file))) {
      throw new CodecError('ERR_MODEL_NOT_FOUND', `The hyperprior model ${model.dir} lacks ${graph.file}, which its manifest names; re-export or reinstall the model.`);
    }
  }
  return manifest;
}

function latentCodecFor(networks: HyperpriorNetworks, manifest: HyperpriorManifest): HyperpriorLatentCodec {
  try {
    return new HyperpriorLatentCodec(networks, manifest);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new CodecError('ERR_MODEL_INVALID', `The hyperprior manifest's entropy tables are invalid (${err.message}); re-export the model.`, { cause: err });
  }
}

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

/** A hyperprior codec bound to one model and one ONNX runtime; dispose it to free both. */
export class HyperpriorCodec implements Codec {
  readonly id = ID;
  readonly info: CodecInfo;
  private readonly timings: StageTimings;

  private constructor(
    private readonly model: ModelFiles,
    private readonly manifest: HyperpriorManifest,
    private readonly runtime: Runtime,
    private readonly latent: HyperpriorLatentCodec,
    networks: HyperpriorNetworks,
    private readonly tileSize: number,
  ) {
    this.timings = networks.timings;
    this.info = {
      id: ID, description: hyperprior.description, media: ['image'], modelId: model.id,
      qualities: manifest.rateLevels.map((l) => l.quality), defaultQuality: manifest.defaultQuality,
    };
  }

  /** Resolves the model (id or folder), checks its manifest and prepares the runtime and tables. */
  static async open(options: HyperpriorOpenOptions = {}): Promise<HyperpriorCodec> {
    if (options.model !== undefined && typeof options.model !== 'string') throw invalidType('a model id or folder path', 'options.model', options.model);
    const model = resolveModel(ID, options.model, DEFAULT_MODEL);
    const manifest = loadManifest(model);
    const tileSize = checkTileSize(options.tileSize, manifest.downsamplingFactor);
    const runtime = await Runtime.create({ device: options.device, threads: options.threads });
    const networks = new HyperpriorNetworks(runtime, manifest, model.dir);
    try {
      return new HyperpriorCodec(model, manifest, runtime, latentCodecFor(networks, manifest), networks, tileSize);
    } catch (err) {
      await runtime.dispose();
      throw err;
    }
  }

  /** Milliseconds per stage (g_a, h_a, h_s, g_s, entropy coding) of the last encode or decode. */
  get lastTimings(): StageTimings {
    return { ...this.timings };
  }

  async encode(input: MediaInput, options: EncodeOptions = {}): Promise<Uint8Array> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const level = this.levelFor(options.quality);
    if (isRawAudio(input)) throw new CodecError('ERR_UNSUPPORTED_MEDIA', 'The hyperprior codec codes images only; use an audio codec (rvq) for audio.');
    const image = await loadImage(input);
    const { width, height } = image;
    if (width * height > MAX_PIXELS) {
      throw new CodecError('ERR_UNSUPPORTED_MEDIA', `A ${width}×${height} image is larger than the ${MAX_PIXELS}-pixel limit of the hyperprior codec; split or downscale it first.`);
    }
    Object.assign(this.timings, emptyTimings());
    const tiles = planTiles(width, height, this.tileSize, this.manifest.downsamplingFactor);
    const sections: Uint8Array[] = [];
    for (const [i, tile] of tiles.entries()) {
      const { z, y } = await this.latent.encode(extractTile(image, tile), level);
      sections.push(z, y);
      options.onProgress?.({ phase: 'encode', done: i + 1, total: tiles.length });
    }
    if (image.hasAlpha) sections.push(this.timed(() => encodeAlpha(alphaPlane(image), width, height)));
    return writeContainer({
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      media: { kind: 'image', width, height, channels: image.channels, bitDepth: image.bitDepth },
      rate: { kind: 'quality', value: level.quality },
      params: encodeParams({ tileSize: this.tileSize }),
    }, sections);
  }

  async decode(bytes: Uint8Array): Promise<DecodedImage> {
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    const { header, sections } = readContainer(bytes);
    const level = this.checkHeader(header);
    const { media } = header;
    if (media.kind !== 'image') throw corrupt('A hyperprior stream must describe an image: the header is corrupt.');
    const { width, height, channels } = media;
    const { tileSize } = decodeParams(header.params, this.manifest.downsamplingFactor);
    const alpha = channels === 2 || channels === 4 ? 1 : 0;
    const expected = 2 * tileCount(width, height, tileSize) + alpha;
    if (sections.length !== expected || width * height > MAX_PIXELS) {
      throw corrupt(`A ${width}×${height} image in ${tileSize}-pixel tiles needs ${expected} sections but the file has ${sections.length}: the file is corrupt.`);
    }
    Object.assign(this.timings, emptyTimings());
    const out = new Uint8Array(width * height * channels);
    const tiles = planTiles(width, height, tileSize, this.manifest.downsamplingFactor);
    for (const [i, tile] of tiles.entries()) {
      const streams = { z: sections[2 * i]!, y: sections[2 * i + 1]! };
      const xHat = await this.latent.decode(streams, tile.paddedHeight, tile.paddedWidth, level);
      writeTile(xHat, tile, out, width, channels);
    }
    if (alpha) this.timed(() => decodeAlphaInto(sections[sections.length - 1]!, width, height, out, channels));
    return { kind: 'image', width, height, channels: channels as DecodedImage['channels'], data: out };
  }

  async dispose(): Promise<void> {
    this.latent.dispose();
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** The rate level of `quality` (default: the manifest's); RangeError listing the valid levels. */
  private levelFor(quality: unknown): RateLevel {
    const q = quality ?? this.manifest.defaultQuality;
    if (typeof q !== 'number') throw invalidType('an integer quality level', 'options.quality', q);
    const level = this.manifest.rateLevels.find((l) => l.quality === q);
    if (!level) throw invalidRange(`one of the quality levels ${this.info.qualities.join(', ')}`, 'options.quality', q);
    return level;
  }

  /** Checks codec id, model and rate of a stream; returns its rate level. */
  private checkHeader(header: ContainerHeader): RateLevel {
    if (header.codecId !== ID) {
      throw new CodecError('ERR_UNKNOWN_CODEC', `This is a '${header.codecId}' stream, not a hyperprior one; decode it with the top-level decode().`);
    }
    if (!header.modelHash) throw corrupt('A hyperprior stream must carry its model hash: the header is corrupt.');
    if (header.modelId !== this.model.id && !sameBytes(header.modelHash, this.model.hash)) {
      throw new CodecError('ERR_MODEL_MISMATCH', `This file was encoded with hyperprior model '${header.modelId}' but this codec has model '${this.model.id}' open; open it with { model: '${header.modelId}' } or use the top-level decode().`);
    }
    checkModelHash(this.model, header.modelHash);
    const { rate } = header;
    const level = rate.kind === 'quality' ? this.manifest.rateLevels.find((l) => l.quality === rate.value) : undefined;
    if (!level) throw corrupt(`The stream's rate setting is not a quality level of model '${this.model.id}' (${this.info.qualities.join(', ')}): the header is corrupt.`);
    return level;
  }

  private timed<T>(work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.timings.entropy += performance.now() - start;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Opens a hyperprior codec with hyperprior-specific options (the tile size). */
export function openHyperprior(options: HyperpriorOpenOptions = {}): Promise<HyperpriorCodec> {
  return HyperpriorCodec.open(options);
}

export const hyperprior: CodecFactory = {
  id: ID,
  description: 'Learned lossy images: mean-scale hyperprior with gain-unit rate levels (ONNX) + rANS',
  media: ['image'],
  open: (options: OpenOptions) => HyperpriorCodec.open(options),
};
