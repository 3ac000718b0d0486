/**
 * Tiling, padding and cropping. An image is cut into independent tiles of at most `tileSize`²
 * pixels (raster order), so memory stays bounded whatever the image size; each tile is padded
 * right/bottom to a multiple of the model's downsampling factor by replicating its last row and
 * column (as the model was evaluated), coded on its own, and cropped back after decoding.
 *
 * Tiles share nothing, so a large image shows seams where tiles meet (no overlap or blending);
 * images up to `tileSize` on both sides are one tile and have none.
 */
import type { LoadedImage } from './image.js';
import type { Latent } from '../tensor.js';

/** A tile: its place in the image and its padded size. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
  paddedWidth: number;
  paddedHeight: number;
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/** Number of tiles of an image (without building them); `tileSize` must be positive. */
export function tileCount(width: number, height: number, tileSize: number): number {
  return Math.ceil(width / tileSize) * Math.ceil(height / tileSize);
}

/** The tiles of a `width`×`height` image in raster order; `tileSize` is a multiple of `factor`. */
export function planTiles(width: number, height: number, tileSize: number, factor: number): Tile[] {
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += tileSize) {
    for (let x = 0; x < width; x += tileSize) {
      const w = Math.min(tileSize, width - x);
      const h = Math.min(tileSize, height - y);
      tiles.push({ x, y, width: w, height: h, paddedWidth: roundUp(w, factor), paddedHeight: roundUp(h, factor) });
    }
  }
  return tiles;
}

/**
 * The colour of one tile as planar float RGB in [0, 1] (gray replicated to three planes, alpha left
 * out), padded by edge replication: pixel (i, j) of the padded tile is pixel
 * (min(i, h − 1), min(j, w − 1)) of the tile.
 */
export function extractTile(image: LoadedImage, tile: Tile): Latent {
  const { channels, data } = image;
  const { paddedWidth: pw, paddedHeight: ph } = tile;
  const plane = pw * ph;
  const out = new Float32Array(3 * plane);
  const value = normalisation(image.bitDepth);
  const gray = channels <= 2;
  for (let i = 0; i < ph; i++) {
    const row = (tile.y + Math.min(i, tile.height - 1)) * image.width + tile.x;
    for (let j = 0, k = i * pw; j < pw; j++, k++) {
      const at = (row + Math.min(j, tile.width - 1)) * channels;
      if (gray) {
        out[k] = out[plane + k] = out[2 * plane + k] = value[data[at]!]!;
      } else {
        out[k] = value[data[at]!]!; out[plane + k] = value[data[at + 1]!]!; out[2 * plane + k] = value[data[at + 2]!]!;
      }
    }
  }
  return { data: out, channels: 3, height: ph, width: pw };
}

const normalisations = new Map<number, Float32Array>();

/** float32(s / peak) for every sample value s: one division rounded once, as torch's `uint8 / 255`. */
function normalisation(bitDepth: 8 | 16): Float32Array {
  let table = normalisations.get(bitDepth);
  if (!table) {
    const peak = 2 ** bitDepth - 1;
    table = Float32Array.from({ length: peak + 1 }, (_, s) => s / peak);
    normalisations.set(bitDepth, table);
  }
  return table;
}

/** x ∈ [0, 1] (clipped; NaN → 0) to 8 bits: round_half_even(x · 255), without a call per sample. */
function to8Bit(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  const x = v * 255;
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && (f & 1) === 1) ? f + 1 : f;
}

/**
 * Crops a decoded tile (planar RGB, padded) into the interleaved 8-bit output of `channels` channels.
 * Colour output (3, 4 channels) takes R, G, B; gray output (1, 2 channels) takes the mean of the
 * three planes. An alpha channel, if any, is left for the caller.
 */
export function writeTile(xHat: Latent, tile: Tile, out: Uint8Array, imageWidth: number, channels: number): void {
  const plane = xHat.width * xHat.height;
  const d = xHat.data;
  const gray = channels <= 2;
  for (let i = 0; i < tile.height; i++) {
    for (let j = 0; j < tile.width; j++) {
      const k = i * xHat.width + j;
      const at = ((tile.y + i) * imageWidth + tile.x + j) * channels;
      if (gray) {
        out[at] = to8Bit((d[k]! + d[plane + k]! + d[2 * plane + k]!) / 3);
      } else {
        out[at] = to8Bit(d[k]!); out[at + 1] = to8Bit(d[plane + k]!); out[at + 2] = to8Bit(d[2 * plane + k]!);
      }
    }
  }
}
