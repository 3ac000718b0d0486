/**
 * Images through a wavelet model: tiles (src/api/tiled-image.ts) each coded as one y stream, and
 * the latent access of issue 6 — the dequantized latent tensor of a whole image, and the image back
 * from such a tensor.
 */
import type { TileCoder } from '../../src/api/tiled-image.js';
import { CodecError } from '../../src/errors.js';
import type { LoadedImage } from '../../src/media/image.js';
import { extractTile, planTiles, writeTile } from '../../src/media/tiles.js';
import type { Latent } from '../../src/tensor.js';
import type { WaveletRateLevel } from './manifest.js';
import type { WaveletModel } from './model.js';

/** Largest image {@link imageLatents} takes whole (2²⁴ pixels, e.g. 4096×4096). */
export const MAX_LATENT_PIXELS = 2 ** 24;

/** Tiles through `model` at one rate level: analyse → code (encode); uncode → synthesise (decode). */
export function waveletTileCoder(model: WaveletModel, level: WaveletRateLevel): TileCoder {
  const f = model.manifest.downsamplingFactor;
  return {
    sectionsPerTile: 1,
    async encodeTile(x) {
      return [model.code(await model.analyse(x, level), level).bytes];
    },
    async decodeTile([bytes], paddedHeight, paddedWidth) {
      return model.synthesise(model.uncode(bytes!, paddedHeight / f, paddedWidth / f, level), level.invGain);
    },
  };
}

/** ŷ · invGain element-wise per channel: the latent in the units of quality-independent y/gain. */
export function normaliseLatent(yHat: Latent, invGain: Float32Array): Latent {
  const plane = yHat.height * yHat.width;
  const data = new Float32Array(yHat.data.length);
  for (let c = 0; c < yHat.channels; c++) {
    const g = invGain[c]!;
    for (let i = c * plane; i < (c + 1) * plane; i++) data[i] = yHat.data[i]! * g;
  }
  return { ...yHat, data };
}

/** The whole image's rate-normalised ŷ (C × ⌈H/f⌉ × ⌈W/f⌉): the image padded once, no tiles. */
export async function imageLatents(model: WaveletModel, image: LoadedImage, level: WaveletRateLevel): Promise<Latent> {
  const { width, height } = image;
  if (width * height > MAX_LATENT_PIXELS) {
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', `encodeLatents takes images up to ${MAX_LATENT_PIXELS} pixels whole; this one is ${width}×${height}: downscale or crop it first.`);
  }
  const [tile] = planTiles(width, height, Math.max(width, height) + model.manifest.downsamplingFactor, model.manifest.downsamplingFactor);
  const { yHat } = model.code(await model.analyse(extractTile(image, tile!), level), level);
  return normaliseLatent(yHat, level.invGain);
}

/** The 8-bit RGB image of `width`×`height` pixels that a rate-normalised latent decodes to. */
export async function imageFromLatents(model: WaveletModel, latent: Latent, width: number, height: number): Promise<Uint8Array> {
  const f = model.manifest.downsamplingFactor;
  const ones = new Float32Array(latent.channels).fill(1);
  const xHat = await model.synthesise(latent, ones);
  const out = new Uint8Array(width * height * 3);
  writeTile(xHat, { x: 0, y: 0, width, height, paddedWidth: latent.width * f, paddedHeight: latent.height * f }, out, width, 3);
  return out;
}
