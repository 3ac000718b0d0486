/**
 * Lossless baselines through sharp, at their strongest compression: raw 8-bit RGB in, the file out,
 * decoded back with sharp (`decodeToRgb8`, as the image bench does). Both calls are timed whole.
 *
 * - `png`: `.png({ compressionLevel: 9, adaptiveFiltering: true, palette: false })`. sharp's PNG
 *   filter is "none" unless `adaptiveFiltering` is set, which on photographs costs about 6 % (Kodak:
 *   14.27 bpp unfiltered, 13.44 bpp with libpng's per-row choice among all filters). sharp's PNG
 *   `effort` only drives palette quantisation, so with `palette: false` it changes nothing and is left out.
 * - `webp-lossless`: `.webp({ lossless: true, effort: 6 })`: libwebp method 6, the highest; quality
 *   stays at sharp's 80 (in lossless mode libwebp reads it as more effort: 100 is `cwebp -z 9`, which
 *   on three Kodak images was 0–1 % smaller for 15–20× the encode time).
 */
import sharp from 'sharp';
import { decodeToRgb8 } from '../baselines/image.js';
import type { Rgb8Image } from '../runners.js';
import { timedCall, type LosslessRunner } from './runners.js';

export const SHARP_LOSSLESS = ['png', 'webp-lossless'] as const;
export type SharpLossless = (typeof SHARP_LOSSLESS)[number];

type Sharp = ReturnType<typeof sharp>;

const SETUP: Record<SharpLossless, { description: string; encode: (s: Sharp) => Sharp }> = {
  png: {
    description: 'sharp .png({ compressionLevel: 9, adaptiveFiltering: true, palette: false })',
    encode: (s) => s.png({ compressionLevel: 9, adaptiveFiltering: true, palette: false }),
  },
  'webp-lossless': {
    description: 'sharp .webp({ lossless: true, effort: 6 }) (libwebp method 6, quality 80)',
    encode: (s) => s.webp({ lossless: true, effort: 6 }),
  },
};

export function isSharpLossless(id: string): id is SharpLossless {
  return (SHARP_LOSSLESS as readonly string[]).includes(id);
}

function rawInput(image: Rgb8Image): Sharp {
  const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return sharp(data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** A runner for one sharp baseline; sharp's libvips threads are the process-wide `sharp.concurrency()`. */
export function sharpLosslessRunner(id: SharpLossless): LosslessRunner {
  const setup = SETUP[id];
  return {
    id,
    source: 'baseline',
    description: `${setup.description}, libvips concurrency ${sharp.concurrency()}; sharp calls timed whole (raw RGB → file, file → raw RGB)`,
    encode: (image) => timedCall(async () => {
      const out = await setup.encode(rawInput(image)).toBuffer();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }),
    decode: (bytes) => timedCall(() => decodeToRgb8(bytes)),
    async dispose() { /* nothing held */ },
  };
}
