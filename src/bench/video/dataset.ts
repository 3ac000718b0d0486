/**
 * Video datasets: one file, or the video files of a folder (not recursive, sorted by name). Raw
 * `.yuv` files (8-bit 4:2:0, I420) carry no header, so their size comes from `--size` or from the
 * name (`foreman_176x144_10f_i420.yuv`, `cisco_vt2people_320x192_i420.yuv`), and their rate from
 * `--fps` or 30 frames per second.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CodecError } from '../../errors.js';

/** Extensions taken from a folder: containers ffmpeg reads, y4m, and raw I420 `.yuv`. */
export const VIDEO_EXTENSIONS: readonly string[] = ['.y4m', '.mp4', '.mkv', '.webm', '.avi', '.mov', '.yuv'];

/** Frame rate of a raw `.yuv` without `--fps`. */
export const DEFAULT_RAW_FPS = { num: 30, den: 1 };

export interface FrameSize {
  width: number;
  height: number;
}

export interface FrameRate {
  num: number;
  den: number;
}

/** True for a raw `.yuv` file (no header: size and rate must be given). */
export function isRawYuv(file: string): boolean {
  return path.extname(file).toLowerCase() === '.yuv';
}

/**
 * The frame size in a raw file's name: the first `<W>x<H>` between separators
 * (`foreman_176x144_10f_i420.yuv` → 176×144), or undefined.
 */
export function sizeFromName(file: string): FrameSize | undefined {
  const m = /(?:^|[^0-9a-z])(\d{1,5})x(\d{1,5})(?=$|[^0-9])/i.exec(path.basename(file, path.extname(file)));
  if (!m) return undefined;
  const width = Number(m[1]), height = Number(m[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** `176x144` → {176, 144}; undefined for anything else. */
export function parseSize(text: string): FrameSize | undefined {
  const m = /^(\d{1,5})x(\d{1,5})$/i.exec(text.trim());
  if (!m) return undefined;
  const width = Number(m[1]), height = Number(m[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** `30`, `29.97`, `30000/1001` → a fraction; undefined for anything else or ≤ 0. */
export function parseFps(text: string): FrameRate | undefined {
  const t = text.trim();
  const frac = /^(\d+)\/(\d+)$/.exec(t);
  if (frac) {
    const num = Number(frac[1]), den = Number(frac[2]);
    return num > 0 && den > 0 ? { num, den } : undefined;
  }
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  const value = Number(t);
  if (!(value > 0)) return undefined;
  if (Number.isInteger(value)) return { num: value, den: 1 };
  // 29.97 → 30000/1001, 23.976 → 24000/1001, 59.94 → 60000/1001: the NTSC rates, exactly.
  const ntsc = Math.round(value * 1.001);
  if (Math.abs((ntsc * 1000) / 1001 - value) < 0.01) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(value * 1000), den: 1000 };
}

/**
 * The video files of `dataset`: the file itself, or the files of the folder with a video extension,
 * sorted by name, at most `limit`. Throws ERR_MEDIA_READ when there is none.
 */
export async function listVideoDataset(dataset: string, limit?: number): Promise<string[]> {
  let info;
  try {
    info = await stat(dataset);
  } catch {
    throw new CodecError('ERR_MEDIA_READ', `Dataset ${dataset} does not exist: pass --dataset <folder or video file>.`);
  }
  let files: string[];
  if (info.isFile()) {
    files = [dataset];
  } else {
    const names = (await readdir(dataset)).filter((n) => VIDEO_EXTENSIONS.includes(path.extname(n).toLowerCase())).sort();
    files = names.map((n) => path.join(dataset, n));
  }
  if (files.length === 0) throw new CodecError('ERR_MEDIA_READ', `No video files (${VIDEO_EXTENSIONS.join(' ')}) in ${dataset}.`);
  return limit === undefined ? files : files.slice(0, limit);
}
