/**
 * `hyperprior`: learned lossy image coding with a mean-scale hyperprior (Ballé et al., *Variational
 * image compression with a scale hyperprior*, ICLR 2018; Minnen et al., NeurIPS 2018) whose rate is
 * chosen by gain vectors (Cui et al., CVPR 2021) — one model, `quality` 1..8.
 *
 * Per tile (src/media/tiles.ts): pad → g_a → h_a → z stream → h_s → y stream (latent.ts); decoding runs
 * backwards through g_s, crops, and rounds to 8 bits. Alpha is coded losslessly beside the colour
 * (src/api/alpha.ts). Container parameters and sections: params.ts. Model files: manifest.ts.
 *
 * Decoded images are 8-bit with the original channel count: gray input is coded as RGB and decoded
 * as the mean of the three reconstructed planes; 16-bit input is coded from its float values
 * (sample / 65535) and decodes as 8-bit.
 */
import { writeContainer, readContainer } from '../../src/container/format.js';
import type { ContainerHeader } from '../../src/container/header.js';
import { checkStreamModel, levelOfHeader, levelOfOption } from '../../src/api/checks.js';
import { checkImageSize, decodeTiledImage, encodeTiledImage, type TileCoder } from '../../src/api/tiled-image.js';
import type {
  Codec, CodecFactory, CodecInfo, DecodedImage, EncodeOptions, MediaInput, OpenOptions, RawAudio,
} from '../../src/api/types.js';
import { CodecError } from '../../src/errors.js';
import { checkMediaKind } from '../../src/media/sniff.js';
import { loadImage } from '../../src/media/image.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { ModelFamily, ModelFiles } from '../../src/model/store.js';
import { openModelCodec } from '../../src/api/model-codec.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import { CheckerboardContext } from './checkerboard.js';
import { HyperpriorLatentCodec } from './latent.js';
import { parseManifest, type HyperpriorManifest, type RateLevel } from './manifest.js';
import { HyperpriorNetworks, type StageTimings } from './networks.js';
import { MAX_TILE_SIZE, decodeParams, encodeParams } from './params.js';

export { parseManifest, type HyperpriorManifest, type RateLevel } from './manifest.js';
export type { StageTimings } from './networks.js';
export { MAX_TILE_SIZE } from './params.js';

const ID = 'hyperprior';
/** The model a codec opens when none is named. */
export const DEFAULT_MODEL = 'msh-wf-cpu';
/** Default tile side: images up to 1024×1024 are coded whole. */
export const DEFAULT_TILE_SIZE = 1024;
export { MAX_PIXELS } from '../../src/api/tiled-image.js';

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

/** How the hyperprior family reads its models. */
const FAMILY: ModelFamily<HyperpriorManifest> = {
  id: ID, defaultModel: DEFAULT_MODEL, parseManifest,
  filesOf: (m) => [...Object.values(m.graphs).map((g) => g.file), ...(m.context ? [m.context.file] : [])],
};

function latentCodecFor(networks: HyperpriorNetworks, manifest: HyperpriorManifest, dir: string, threads: number): HyperpriorLatentCodec {
  const context = manifest.context ? new CheckerboardContext(manifest.context, dir, threads) : undefined;
  try {
    return new HyperpriorLatentCodec(networks, manifest, context);
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
  private readonly clock: HyperpriorNetworks['clock'];

  private constructor(
    private readonly model: ModelFiles,
    private readonly manifest: HyperpriorManifest,
    private readonly runtime: Runtime,
    private readonly latent: HyperpriorLatentCodec,
    networks: HyperpriorNetworks,
    private readonly tileSize: number,
  ) {
    this.clock = networks.clock;
    this.info = {
      id: ID, description: hyperprior.description, media: ['image'], modelId: model.id,
      qualities: manifest.rateLevels.map((l) => l.quality), defaultQuality: manifest.defaultQuality,
    };
  }

  /** Resolves the model (id or folder), checks its manifest and prepares the runtime and tables. */
  static open(options: HyperpriorOpenOptions = {}): Promise<HyperpriorCodec> {
    return openModelCodec(FAMILY, options, ({ files, manifest, runtime }) => {
      const tileSize = checkTileSize(options.tileSize, manifest.downsamplingFactor);
      const networks = new HyperpriorNetworks(runtime, manifest, files.dir);
      return new HyperpriorCodec(files, manifest, runtime, latentCodecFor(networks, manifest, files.dir, runtime.threads), networks, tileSize);
    });
  }

  /** Milliseconds per stage (g_a, h_a, h_s, g_s, entropy coding) of the last encode or decode. */
  get lastTimings(): StageTimings {
    return this.clock.snapshot();
  }

  async encode(input: MediaInput, options: EncodeOptions = {}): Promise<Uint8Array> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const level = levelOfOption(options.quality, this.manifest.rateLevels, this.manifest.defaultQuality);
    await checkMediaKind(input, ID, ['image']);
    const image = await loadImage(input as Exclude<MediaInput, RawAudio>);
    const { width, height } = image;
    checkImageSize(width, height, ID);
    this.clock.reset();
    const sections = await encodeTiledImage(image, this.tileSize, this.manifest.downsamplingFactor, this.tileCoder(level),
      options.onProgress, (work) => this.clock.time('entropy', work));
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
    const { tileSize } = decodeParams(header.params, this.manifest.downsamplingFactor);
    this.clock.reset();
    return decodeTiledImage(media, sections, tileSize, this.manifest.downsamplingFactor, this.tileCoder(level), (work) => this.clock.time('entropy', work));
  }

  async dispose(): Promise<void> {
    this.latent.dispose();
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** Checks codec id, model and rate of a stream; returns its rate level. */
  private checkHeader(header: ContainerHeader): RateLevel {
    checkStreamModel(header, ID, this.model);
    return levelOfHeader(header, this.manifest.rateLevels, this.model.id);
  }

  /**
   * Tiles through the latent pipeline at one rate level: the z and y streams of each tile, and with a
   * checkerboard context the y stream of the non-anchors as a third section.
   */
  private tileCoder(level: RateLevel): TileCoder {
    const context = this.manifest.context !== undefined;
    return {
      sectionsPerTile: context ? 3 : 2,
      encodeTile: async (x) => {
        const { z, y, yNonAnchors } = await this.latent.encode(x, level);
        return context ? [z, y, yNonAnchors!] : [z, y];
      },
      decodeTile: (sections, paddedHeight, paddedWidth) =>
        this.latent.decode({ z: sections[0]!, y: sections[1]!, ...(context ? { yNonAnchors: sections[2]! } : {}) }, paddedHeight, paddedWidth, level),
    };
  }
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
