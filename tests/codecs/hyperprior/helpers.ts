import path from 'node:path';
import { openHyperprior, type HyperpriorCodec, type HyperpriorOpenOptions } from '../../../codecs/hyperprior/index.js';
import type { DecodedMedia } from '../../../src/api/types.js';
import { loadImage, type LoadedImage } from '../../../src/media/image.js';
import { psnr } from '../../../src/metrics/index.js';

export const root = path.join(__dirname, '../../..');
export const images = path.join(root, 'fixtures/images');
/** The small test model made by scripts/make-fixtures-hyperprior.sh (not the shipped model). */
export const TINY_MODEL = path.join(root, 'fixtures/models/hyperprior/tiny-test');
export const goldenDir = path.join(root, 'fixtures/hyperprior');

export function image(name: string): string {
  return path.join(images, name);
}

/** The tiny test model; one intra-op thread so encodes are reproducible. */
export function openTiny(options: HyperpriorOpenOptions = {}): Promise<HyperpriorCodec> {
  return openHyperprior({ model: TINY_MODEL, threads: 1, ...options });
}

/** PSNR of the colour channels of a decoded image against its 8-bit source (alpha left out). */
export function colourPsnr(source: LoadedImage, decoded: DecodedMedia): number {
  if (decoded.kind !== 'image') throw new Error('not an image');
  const colour = source.channels >= 3 ? 3 : 1;
  const strip = (data: ArrayLike<number>, channels: number, scale: number) => {
    const n = source.width * source.height;
    const out = new Uint8Array(n * colour);
    for (let i = 0; i < n; i++) for (let c = 0; c < colour; c++) out[i * colour + c] = Math.round(data[i * channels + c]! * scale);
    return out;
  };
  const scale = source.bitDepth === 16 ? 255 / 65535 : 1;
  const ref = { data: strip(source.data, source.channels, scale), width: source.width, height: source.height, channels: colour as 1 | 3 };
  const dist = { data: strip(decoded.data, decoded.channels, 1), width: decoded.width, height: decoded.height, channels: colour as 1 | 3 };
  return psnr(ref, dist);
}

export { loadImage };
