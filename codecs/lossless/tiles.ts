/**
 * The tiled learned lossless layout (parameter layout version 2): the image is cut into tiles of
 * TILE × TILE pixels (raster order, the last ones smaller), each coded on its own by the learned model
 * (native/src/lossless_mlp.h) or, where that is smaller (tiny or synthetic content), by the MED coder.
 * Alpha, when present, is one MED-coded plane of the whole image after the tiles.
 *
 * Tile section: u8 mode (0 = MED stream of the tile's colour channels, 1 = learned-model stream), payload.
 * 8-bit images only; 16-bit images are written in the MED layout (version 1).
 */
import { losslessMlpDecode, losslessMlpEncode } from '../../src/entropy/index.js';
import { CodecError } from '../../src/errors.js';
import { medDecode, medEncode } from './med.js';

export const TILE = 1024;
export const MODE_MED = 0;
export const MODE_MLP = 1;

export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The tiles of a width × height image, raster order. */
export function tilesOf(width: number, height: number): TileRect[] {
  const out: TileRect[] = [];
  for (let y = 0; y < height; y += TILE) {
    for (let x = 0; x < width; x += TILE) out.push({ x, y, width: Math.min(TILE, width - x), height: Math.min(TILE, height - y) });
  }
  return out;
}

/** Colour channels coded in the tiles (gray → 1, RGB → 3); alpha is separate. */
export const colourChannels = (channels: number): 1 | 3 => (channels >= 3 ? 3 : 1);

/** The interleaved colour samples of one tile. */
export function extractTile(data: Uint8Array, width: number, channels: number, t: TileRect): Uint8Array {
  const cc = colourChannels(channels);
  const out = new Uint8Array(t.width * t.height * cc);
  let at = 0;
  for (let y = 0; y < t.height; y++) {
    let src = ((t.y + y) * width + t.x) * channels;
    for (let x = 0; x < t.width; x++, src += channels) for (let c = 0; c < cc; c++) out[at++] = data[src + c]!;
  }
  return out;
}

function placeTile(data: Uint8Array, width: number, channels: number, t: TileRect, tile: Uint8Array): void {
  const cc = colourChannels(channels);
  let at = 0;
  for (let y = 0; y < t.height; y++) {
    let dst = ((t.y + y) * width + t.x) * channels;
    for (let x = 0; x < t.width; x++, dst += channels) for (let c = 0; c < cc; c++) data[dst + c] = tile[at++]!;
  }
}

function withMode(mode: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = mode;
  out.set(payload, 1);
  return out;
}

/** Codes one tile both ways and keeps the smaller section. */
export function encodeTile(model: Uint8Array, tile: Uint8Array, t: TileRect, cc: 1 | 3, threads: number): Uint8Array {
  const med = medEncode({ width: t.width, height: t.height, channels: cc, bitDepth: 8, data: tile });
  const mlp = losslessMlpEncode(model, tile, t.width, t.height, cc, threads);
  return mlp.length < med.length ? withMode(MODE_MLP, mlp) : withMode(MODE_MED, med);
}

/** The alpha plane's MED section. */
export function encodeAlpha(data: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const n = width * height;
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) alpha[i] = data[i * channels + channels - 1]!;
  return medEncode({ width, height, channels: 1, bitDepth: 8, data: alpha });
}

/**
 * Decodes every tile section (and the alpha section) into an interleaved image. `model` is asked for
 * only when a tile uses the learned model.
 */
export function decodeTiles(sections: Uint8Array[], width: number, height: number, channels: number,
  model: () => Uint8Array, onTile?: (done: number, total: number) => void): Uint8Array {
  const tiles = tilesOf(width, height);
  const hasAlpha = channels === 2 || channels === 4;
  if (sections.length !== tiles.length + (hasAlpha ? 1 : 0)) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT',
      `A ${width}×${height} lossless image needs ${tiles.length + (hasAlpha ? 1 : 0)} sections but the file has ${sections.length}: it is corrupt.`);
  }
  const data = new Uint8Array(width * height * channels);
  const cc = colourChannels(channels);
  tiles.forEach((t, k) => {
    const section = sections[k]!;
    const payload = section.subarray(1);
    let tile: Uint8Array;
    try {
      if (section[0] === MODE_MED) tile = medDecode(payload, t.width, t.height, cc, 8) as Uint8Array;
      else if (section[0] === MODE_MLP) tile = losslessMlpDecode(model(), payload, t.width, t.height, cc);
      else throw new CodecError('ERR_BITSTREAM_CORRUPT', `Unknown tile mode ${section[0] ?? '(empty section)'}`);
    } catch (err) {
      if (err instanceof CodecError && err.code.startsWith('ERR_BITSTREAM')) {
        throw new CodecError(err.code, `Lossless tile ${k + 1} of ${tiles.length} (at ${t.x},${t.y}): ${err.message}`, { cause: err });
      }
      throw err;
    }
    placeTile(data, width, channels, t, tile);
    onTile?.(k + 1, tiles.length);
  });
  if (hasAlpha) {
    const alpha = medDecode(sections[tiles.length]!, width, height, 1, 8);
    for (let i = 0; i < width * height; i++) data[i * channels + channels - 1] = alpha[i]!;
  }
  return data;
}
