/**
 * Recognising still-image files by their first bytes, so that audio codecs can refuse an image with
 * `ERR_UNSUPPORTED_MEDIA` (and say so) instead of handing it to ffmpeg, and so that `encode` without a
 * codec picks the default one of the input's media.
 */
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { CodecError } from '../errors.js';
import { invalidType } from '../validate.js';
import { isRawAudio } from './audio.js';
import { isRawImage } from './image.js';
import type { MediaKind } from './types.js';

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  bytes.length >= at + text.length && [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/** The image format of a file's first bytes (png, jpeg, gif, webp, tiff, bmp, avif/heif), or null. */
export function imageFormatOf(head: Uint8Array): string | null {
  if (head.length >= 4 && head[0] === 0x89 && ascii(head, 1, 'PNG')) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii(head, 0, 'GIF8')) return 'gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (ascii(head, 0, 'II*\0') || ascii(head, 0, 'MM\0*')) return 'tiff';
  if (ascii(head, 0, 'BM') && head.length >= 26) return 'bmp';
  if (ascii(head, 4, 'ftyp') && ['avif', 'avis', 'heic', 'heix', 'mif1'].some((brand) => ascii(head, 8, brand))) return 'avif/heif';
  return null;
}

/** {@link imageFormatOf} of the first bytes of a file or buffer; null when the file cannot be read. */
export async function sniffImageFormat(input: string | Uint8Array): Promise<string | null> {
  if (input instanceof Uint8Array) return imageFormatOf(input.subarray(0, 32));
  try {
    const file = await open(input, 'r');
    try {
      const head = new Uint8Array(32);
      const { bytesRead } = await file.read(head, 0, 32, 0);
      return imageFormatOf(head.subarray(0, bytesRead));
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
}

/**
 * The one rule for what an encoder input holds: raw samples by their shape, a file or its bytes by
 * whether they start like an image (anything else is taken for audio, which ffmpeg reads). A path
 * that cannot be read fails with ERR_MEDIA_READ.
 */
export async function mediaKindOf(input: unknown): Promise<MediaKind> {
  return (await describeInput(input)).kind;
}

async function describeInput(input: unknown): Promise<{ kind: MediaKind; what: string }> {
  if (isRawImage(input)) return { kind: 'image', what: 'raw image samples' };
  if (isRawAudio(input)) return { kind: 'audio', what: 'raw audio samples' };
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw invalidType('a path, a Uint8Array, a raw image or raw audio', 'input', input);
  }
  if (typeof input === 'string') {
    try {
      await access(input, constants.R_OK);
    } catch (err) {
      throw new CodecError('ERR_MEDIA_READ', `Could not read ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const format = await sniffImageFormat(input);
  return format === null ? { kind: 'audio', what: 'an audio file' } : { kind: 'image', what: `a ${format.toUpperCase()} image` };
}

/**
 * {@link mediaKindOf} for a codec that codes only `accepts`: any other kind fails with
 * ERR_UNSUPPORTED_MEDIA, naming what was given.
 */
export async function checkMediaKind(input: unknown, codec: string, accepts: readonly MediaKind[]): Promise<MediaKind> {
  const { kind, what } = await describeInput(input);
  if (!accepts.includes(kind)) {
    throw new CodecError('ERR_UNSUPPORTED_MEDIA',
      `The ${codec} codec codes ${accepts.map((k) => (k === 'image' ? 'images' : k)).join(' and ')} only but was given ${what}; use ${kind === 'image' ? 'an image' : 'an audio'} codec (ncodec models lists them).`);
  }
  return kind;
}
