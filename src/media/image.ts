/**
 * Image I/O through sharp: any format sharp reads (PNG, JPEG, WebP, AVIF, TIFF, GIF, ...) to
 * interleaved samples, and planar float RGB for the networks and back.
 *
 * Deliberate choices: 16-bit input stays 16-bit (`bitDepth: 16`), alpha stays a channel (`hasAlpha`)
 * for the codec to code or refuse, EXIF orientation is applied, CMYK and other colour spaces are
 * converted to sRGB.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Sharp from 'sharp';
import { CodecError } from '../errors.js';
import type { RawImage } from './types.js';
import { invalidRange, invalidType } from '../validate.js';
import { encodePng } from './png.js';

let sharpModule: Promise<typeof Sharp> | undefined;

/**
 * sharp, imported on first use: loading libvips takes about 0.25 s, which commands that never read or
 * write an image file through it (`ncodec info`, decoding to PNG, audio) should not pay.
 */
function loadSharp(): Promise<typeof Sharp> {
  return (sharpModule ??= import('sharp').then((m) => m.default));
}

export interface LoadedImage extends RawImage {
  data: Uint8Array | Uint16Array;
  bitDepth: 8 | 16;
  hasAlpha: boolean;
}

/** Planar float RGB: three planes of `width * height` samples in [0, 1] (NCHW without N). */
export interface PlanarImage {
  data: Float32Array;
  width: number;
  height: number;
}

export function isRawImage(value: unknown): value is RawImage {
  return typeof value === 'object' && value !== null && ArrayBuffer.isView((value as RawImage).data) &&
    typeof (value as RawImage).width === 'number' && typeof (value as RawImage).height === 'number';
}

function fromRaw(image: RawImage): LoadedImage {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || width < 1) throw invalidRange('a positive integer', 'image.width', width);
  if (!Number.isInteger(height) || height < 1) throw invalidRange('a positive integer', 'image.height', height);
  if (![1, 2, 3, 4].includes(channels)) throw invalidRange('1, 2, 3 or 4', 'image.channels', channels);
  if (data.length !== width * height * channels) {
    throw invalidRange(`${width * height * channels} samples (width × height × channels)`, 'image.data.length', data.length);
  }
  const hasAlpha = channels === 2 || channels === 4;
  if (data instanceof Uint8Array) return { width, height, channels, data, bitDepth: 8, hasAlpha };
  if (data instanceof Uint16Array) return { width, height, channels, data, bitDepth: 16, hasAlpha };
  if (data instanceof Float32Array) {
    const out = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, data[i]! || 0)) * 65535);
    return { width, height, channels, data: out, bitDepth: 16, hasAlpha };
  }
  throw invalidType('a Uint8Array, Uint16Array or Float32Array', 'image.data', data);
}

/** Reads an image from a path, the bytes of an image file, or raw samples. Throws ERR_MEDIA_READ. */
export async function loadImage(input: string | Uint8Array | RawImage): Promise<LoadedImage> {
  if (isRawImage(input)) return fromRaw(input);
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw invalidType('a path, a Uint8Array or { data, width, height, channels }', 'input', input);
  }
  const name = typeof input === 'string' ? path.basename(input) : 'the input bytes';
  try {
    const source = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const sharp = await loadSharp();
    const meta = await sharp(source).metadata();
    const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
    const gray = meta.space === 'b-w' || meta.space === 'grey16';
    // sharp converts raw output to 8-bit sRGB unless told otherwise: name the output space explicitly.
    const space = gray ? (sixteen ? 'grey16' : 'b-w') : (sixteen ? 'rgb16' : 'srgb');
    const pipeline = sharp(source).rotate().toColourspace(space);
    const { data, info } = await pipeline.raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = info.channels as 1 | 2 | 3 | 4;
    const samples = sixteen
      ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return {
      width: info.width, height: info.height, channels, data: samples,
      bitDepth: sixteen ? 16 : 8, hasAlpha: channels === 2 || channels === 4,
    };
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError('ERR_MEDIA_READ', `Could not read ${name} as an image: ${(err as Error).message}`, { cause: err });
  }
}

/** The colour channels as planar float RGB in [0, 1]; gray is replicated to three planes, alpha left out. */
export function toPlanarRgb(image: LoadedImage): PlanarImage {
  const { width, height, channels, data } = image;
  const n = width * height;
  const scale = 1 / (image.bitDepth === 16 ? 65535 : 255);
  const out = new Float32Array(3 * n);
  const gray = channels <= 2;
  for (let i = 0; i < n; i++) {
    const at = i * channels;
    if (gray) {
      const v = data[at]! * scale;
      out[i] = v; out[n + i] = v; out[2 * n + i] = v;
    } else {
      out[i] = data[at]! * scale; out[n + i] = data[at + 1]! * scale; out[2 * n + i] = data[at + 2]! * scale;
    }
  }
  return { data: out, width, height };
}

/**
 * Writes raw samples to an image file; the format follows the extension (.png, .jpg, .webp, .avif,
 * .tiff). PNG is written without sharp (./png.ts) except gray + alpha; the rest through sharp.
 */
export async function saveImage(image: RawImage, file: string): Promise<void> {
  const img = fromRaw(image);
  try {
    // Gray + alpha stays with sharp, which writes it as RGBA (what loadImage reads back with its alpha).
    if (path.extname(file).toLowerCase() === '.png' && img.channels !== 2) {
      await writeFile(file, encodePng(img));
      return;
    }
    const sharp = await loadSharp();
    // sharp takes the sample depth of raw input from the typed array's type (Uint16Array = 16-bit).
    let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
    if (img.bitDepth === 16) pipeline = pipeline.toColourspace(img.channels <= 2 ? 'grey16' : 'rgb16');
    await pipeline.toFile(file);
  } catch (err) {
    throw new CodecError('ERR_MEDIA_WRITE', `Could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
