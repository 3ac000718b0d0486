/**
 * Classic image baselines through sharp, set up as in shared/reference/kodak/sharp (whose published
 * points they must reproduce): raw 8-bit RGB in, the encoder's file out, decoded back with sharp.
 *
 * - `jpeg`: `.jpeg({ quality, mozjpeg: true, chromaSubsampling: '4:2:0' })`, qualities 10, 20, …, 90, 95
 * - `webp`: `.webp({ quality })` (lossy, effort 4), qualities 10, 20, …, 90, 95
 * - `avif`: `.avif({ quality, chromaSubsampling: '4:4:4' })` (libaom, effort 4), qualities 20, 30, …, 90
 */
import sharp from 'sharp';
import type { ImageRunner, Rgb8Image } from '../runners.js';
import type { BenchSetting } from '../types.js';

export const IMAGE_BASELINES = ['jpeg', 'webp', 'avif'] as const;
export type ImageBaseline = (typeof IMAGE_BASELINES)[number];

type Sharp = ReturnType<typeof sharp>;

const TENS_TO_95 = [10, 20, 30, 40, 50, 60, 70, 80, 90, 95];

const SETUP: Record<ImageBaseline, { description: string; qualities: number[]; encode: (s: Sharp, quality: number) => Sharp }> = {
  jpeg: {
    description: "sharp .jpeg({ quality, mozjpeg: true, chromaSubsampling: '4:2:0' })",
    qualities: TENS_TO_95,
    encode: (s, quality) => s.jpeg({ quality, mozjpeg: true, chromaSubsampling: '4:2:0' }),
  },
  webp: {
    description: 'sharp .webp({ quality }) (lossy, effort 4)',
    qualities: TENS_TO_95,
    encode: (s, quality) => s.webp({ quality }),
  },
  avif: {
    description: "sharp .avif({ quality, chromaSubsampling: '4:4:4' }) (libaom, effort 4)",
    qualities: [20, 30, 40, 50, 60, 70, 80, 90],
    encode: (s, quality) => s.avif({ quality, chromaSubsampling: '4:4:4' }),
  },
};

export function isImageBaseline(id: string): id is ImageBaseline {
  return (IMAGE_BASELINES as readonly string[]).includes(id);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes any image file sharp reads to 8-bit RGB. */
export async function decodeToRgb8(bytes: Uint8Array): Promise<Rgb8Image> {
  const { data, info } = await sharp(asBuffer(bytes)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

/** A runner for one sharp baseline; `qualities` overrides its default sweep. */
export function imageBaseline(id: ImageBaseline, qualities?: readonly number[]): ImageRunner {
  const setup = SETUP[id];
  const settings: BenchSetting[] = (qualities ?? setup.qualities).map((value) => ({ kind: 'quality', value }));
  return {
    id,
    source: 'baseline',
    description: setup.description,
    settings,
    async encode(image, setting) {
      const input = sharp(asBuffer(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });
      const out = await setup.encode(input, setting.value).toBuffer();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
    decode: (bytes) => decodeToRgb8(bytes),
    async dispose() { /* nothing held */ },
  };
}
