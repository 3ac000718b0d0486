/**
 * Recognising still-image and video files by their first bytes, so that a codec can refuse another
 * medium with `ERR_UNSUPPORTED_MEDIA` (and say so) instead of handing it to ffmpeg, and so that `encode`
 * without a codec picks the default one of the input's media. Videos are told from audio-only files of
 * the same container by their tracks (src/media/tracks.ts): an .mp4 with a picture track is video, an
 * .m4a or audio-only .mp4 stays audio. Raw `.yuv` (no header) is video by its extension, as is any
 * file of a video extension whose content is not recognised.
 */
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import nodePath from 'node:path';
import { CodecError } from '../errors.js';
import { invalidType } from '../validate.js';
import { isRawAudio } from './audio.js';
import { isRawImage } from './image.js';
import { tracksOf, type ReadAt, type Tracks } from './tracks.js';
import type { MediaKind } from './types.js';

/** Extensions taken for video when the content does not say (raw .yuv never does). */
const VIDEO_EXTENSIONS = new Set(['.yuv', '.y4m', '.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.flv', '.ogv', '.mpg', '.mpeg', '.m2ts', '.mts', '.wmv']);

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
 * The one rule for what an encoder input holds: raw samples by their shape; a file or its bytes by
 * whether they start like an image, then like a video (a container with a picture track, a y4m, a
 * `.yuv` path); anything else is taken for audio, which ffmpeg reads. A path that cannot be read fails
 * with ERR_MEDIA_READ.
 */
export async function mediaKindOf(input: unknown): Promise<MediaKind> {
  return (await describeInput(input)).kind;
}

interface InputDescription {
  kind: MediaKind;
  /** How messages name it: 'a PNG image', 'a video file (MP4)', 'an audio file'. */
  what: string;
  /** For videos: whether a soundtrack was found. */
  hasAudio?: boolean;
}

/** The tracks of a file or buffer, or null when it is no container src/media/tracks.ts knows. */
async function sniffTracks(input: string | Uint8Array): Promise<Tracks | null> {
  if (input instanceof Uint8Array) {
    const readAt: ReadAt = async (offset, length) => input.subarray(offset, offset + length);
    return tracksOf(input.subarray(0, 32), readAt, input.length);
  }
  const file = await open(input, 'r');
  try {
    const { size } = await file.stat();
    const readAt: ReadAt = async (offset, length) => {
      const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await file.read(out, 0, out.length, offset);
      return out.subarray(0, bytesRead);
    };
    return await tracksOf(await readAt(0, 32), readAt, size);
  } finally {
    await file.close();
  }
}

async function describeInput(input: unknown): Promise<InputDescription> {
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
  if (format !== null) return { kind: 'image', what: `a ${format.toUpperCase()} image` };
  const tracks = await sniffTracks(input).catch(() => null);
  if (tracks?.video) return { kind: 'video', what: `a video file (${tracks.container})`, hasAudio: tracks.audio };
  if (!tracks && typeof input === 'string' && VIDEO_EXTENSIONS.has(nodePath.extname(input).toLowerCase())) {
    return { kind: 'video', what: `a video file (${nodePath.extname(input).slice(1).toLowerCase()})`, hasAudio: false };
  }
  return { kind: 'audio', what: 'an audio file' };
}

const CODES: Record<MediaKind, string> = { image: 'images', audio: 'audio', video: 'video' };
const A_CODEC: Record<MediaKind, string> = { image: 'an image', audio: 'an audio', video: 'a video' };

/**
 * {@link mediaKindOf} for a codec that codes only `accepts`: any other kind fails with
 * ERR_UNSUPPORTED_MEDIA, naming what was given. A video with a soundtrack given to an audio codec is
 * accepted as 'audio' (the codec codes its soundtrack, as it always has).
 */
export async function checkMediaKind(input: unknown, codec: string, accepts: readonly MediaKind[]): Promise<MediaKind> {
  const { kind, what, hasAudio } = await describeInput(input);
  if (accepts.includes(kind)) return kind;
  // An audio codec given a video codes its soundtrack (loadAudio reads it through ffmpeg).
  if (kind === 'video' && hasAudio && accepts.includes('audio')) return 'audio';
  const given = kind === 'video' && accepts.includes('audio') ? `${what} without a soundtrack` : what;
  throw new CodecError('ERR_UNSUPPORTED_MEDIA',
    `The ${codec} codec codes ${accepts.map((k) => CODES[k]).join(' and ')} only but was given ${given}; use ${A_CODEC[kind]} codec (ncodec models lists them).`);
}
