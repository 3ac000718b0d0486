/**
 * The image side shared by the learned image codecs (hyperprior, wavelet): an image is cut into
 * independent tiles (src/media/tiles.ts), each padded to the model's downsampling factor and coded by
 * a family-specific {@link TileCoder} into a fixed number of sections; an alpha channel is coded
 * losslessly after the tiles (./alpha.ts). Decoding checks the section count against the
 * image size first, then reverses the steps and rounds to 8 bits.
 */
import { CodecError } from '../errors.js';
import { alphaPlane, decodeAlphaInto, encodeAlpha } from './alpha.js';
import type { LoadedImage } from '../media/image.js';
import { extractTile, planTiles, tileCount, writeTile } from '../media/tiles.js';
import type { Latent } from '../tensor.js';
import type { DecodedImage, Progress } from './types.js';

/** What a family does with one padded tile (planar RGB in [0, 1], sides multiples of the factor). */
export interface TileCoder {
  /** Sections each tile writes (e.g. 2 for a hyperprior's z and y streams). */
  readonly sectionsPerTile: number;
  encodeTile(x: Latent): Promise<Uint8Array[]>;
  /** x̂ of the padded tile from its sections. */
  decodeTile(sections: Uint8Array[], paddedHeight: number, paddedWidth: number): Promise<Latent>;
}

/** The image geometry a decoder reads from the container header. */
export interface ImageGeometry {
  width: number;
  height: number;
  channels: number;
}

/** Largest image coded (2²⁸ pixels, e.g. 16384×16384): the decoded output alone is up to 1 GiB. */
export const MAX_PIXELS = 2 ** 28;

/** Refuses images above {@link MAX_PIXELS} with a suggestion. */
export function checkImageSize(width: number, height: number, codec: string): void {
  if (width * height > MAX_PIXELS) {
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', `A ${width}×${height} image is larger than the ${MAX_PIXELS}-pixel limit of the ${codec} codec; split or downscale it first.`);
  }
}

/** The sections of an image: each tile's in raster order, then alpha when the image has one. */
export async function encodeTiledImage(
  image: LoadedImage, tileSize: number, factor: number, coder: TileCoder,
  onProgress?: (p: Progress) => void, timeAlpha: <T>(work: () => T) => T = (w) => w(),
): Promise<Uint8Array[]> {
  const { width, height } = image;
  const tiles = planTiles(width, height, tileSize, factor);
  const sections: Uint8Array[] = [];
  for (const [i, tile] of tiles.entries()) {
    sections.push(...(await coder.encodeTile(extractTile(image, tile))));
    onProgress?.({ phase: 'encode', done: i + 1, total: tiles.length });
  }
  if (image.hasAlpha) sections.push(timeAlpha(() => encodeAlpha(alphaPlane(image), width, height)));
  return sections;
}

/** The section count an image of this geometry needs (checked before any decoding). */
export function tiledSectionCount(geometry: ImageGeometry, tileSize: number, sectionsPerTile: number): number {
  const alpha = geometry.channels === 2 || geometry.channels === 4 ? 1 : 0;
  return sectionsPerTile * tileCount(geometry.width, geometry.height, tileSize) + alpha;
}

/** Decodes the sections of {@link encodeTiledImage} into an 8-bit image with the original channels. */
export async function decodeTiledImage(
  geometry: ImageGeometry, sections: readonly Uint8Array[], tileSize: number, factor: number, coder: TileCoder,
  timeAlpha: <T>(work: () => T) => T = (w) => w(),
): Promise<DecodedImage> {
  const { width, height, channels } = geometry;
  const expected = tiledSectionCount(geometry, tileSize, coder.sectionsPerTile);
  if (sections.length !== expected || width * height > MAX_PIXELS) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `A ${width}×${height} image in ${tileSize}-pixel tiles needs ${expected} sections but the file has ${sections.length}: the file is corrupt.`);
  }
  const out = new Uint8Array(width * height * channels);
  const per = coder.sectionsPerTile;
  for (const [i, tile] of planTiles(width, height, tileSize, factor).entries()) {
    const xHat = await coder.decodeTile(sections.slice(per * i, per * (i + 1)), tile.paddedHeight, tile.paddedWidth);
    writeTile(xHat, tile, out, width, channels);
  }
  if (channels === 2 || channels === 4) timeAlpha(() => decodeAlphaInto(sections[sections.length - 1]!, width, height, out, channels));
  return { kind: 'image', width, height, channels: channels as DecodedImage['channels'], data: out };
}
