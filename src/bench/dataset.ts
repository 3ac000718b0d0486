/**
 * Datasets: any folder of images or audio (or one file). Without one, the project's own fixtures
 * (`fixtures/images`, `fixtures/audio` under the package root, wherever the command is run from).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CodecError } from '../errors.js';
import { packageRoot } from '../package.js';
import { loadAudio } from '../media/audio.js';
import type { LoadedImage } from '../media/image.js';
import type { MonoClip, Rgb8Image } from './runners.js';
import type { BenchMedia } from './types.js';

const EXTENSIONS: Record<BenchMedia, readonly string[]> = {
  image: ['.png', '.jpg', '.jpeg', '.webp', '.avif', '.tif', '.tiff', '.gif', '.ppm', '.pgm'],
  audio: ['.wav', '.flac', '.mp3', '.ogg', '.oga', '.opus', '.m4a', '.aac'],
};

/** The default dataset of a media kind: the project's fixtures. */
export function defaultDataset(media: BenchMedia): string {
  return path.join(packageRoot(), 'fixtures', media === 'image' ? 'images' : 'audio');
}

/**
 * The media files of a dataset, sorted by name: the files of a folder (not recursive) whose
 * extension fits the media, or the one file given. At most `limit` of them.
 */
export async function listDataset(dataset: string, media: BenchMedia, limit?: number): Promise<string[]> {
  let info;
  try {
    info = await stat(dataset);
  } catch {
    throw new CodecError('ERR_MEDIA_READ', `Dataset ${dataset} does not exist: pass --dataset <folder or file>.`);
  }
  let files: string[];
  if (info.isFile()) {
    files = [dataset];
  } else {
    const names = (await readdir(dataset)).filter((n) => EXTENSIONS[media].includes(path.extname(n).toLowerCase())).sort();
    files = names.map((n) => path.join(dataset, n));
  }
  if (files.length === 0) {
    throw new CodecError('ERR_MEDIA_READ', `No ${media} files (${EXTENSIONS[media].join(' ')}) in ${dataset}.`);
  }
  return limit === undefined ? files : files.slice(0, limit);
}

/** 8-bit RGB of any loaded image: 16-bit rounded to 8, gray replicated, alpha dropped. */
export function toRgb8(image: LoadedImage): Rgb8Image {
  const { width, height, channels, data } = image;
  if (channels === 3 && data instanceof Uint8Array) return { data, width, height, channels: 3 };
  const n = width * height;
  const out = new Uint8Array(3 * n);
  const sixteen = image.bitDepth === 16;
  const gray = channels <= 2;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = data[i * channels + (gray ? 0 : c)]!;
      out[3 * i + c] = sixteen ? Math.round(v / 257) : v;
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** A clip as the audio benchmark codes it: mono (downmixed), at the file's own sample rate. */
export async function loadClip(file: string): Promise<MonoClip> {
  const audio = await loadAudio(file, { mono: true });
  return { samples: audio.channels[0] ?? new Float32Array(0), sampleRate: audio.sampleRate };
}
