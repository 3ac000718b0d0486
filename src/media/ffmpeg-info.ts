/**
 * What `ffmpeg -i <file>` says about its input, parsed from the stream lines it logs to stderr:
 *
 *     Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':
 *       Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 48x32 [SAR 1:1 DAR 3:2], 14 kb/s, 10 fps, 10 tbr, 10240 tbn (default)
 *       Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 16000 Hz, mono, fltp, 25 kb/s (default)
 *
 * That format has been stable from ffmpeg 4 to 7, and ffmpeg itself is always there (ffprobe is not
 * always shipped beside the npm build). Pure functions; src/media/video.ts runs ffmpeg.
 */

/** The first video stream that is not an attached picture (cover art), as ffmpeg describes it. */
export interface FfmpegVideoStream {
  codec: string;
  /** Pixel format, e.g. `yuv420p`, `yuvj420p`, `yuv444p`, `rgb24`. */
  pixFmt: string;
  width: number;
  height: number;
  /** From `N fps`, else `N tbr`; undefined when ffmpeg prints neither. */
  fps?: { num: number; den: number };
  /** `tv` → limited, `pc` (or a `yuvj` format) → full; undefined when unsaid. */
  range?: 'limited' | 'full';
  /** BT.709, or BT.601 for `bt470bg`/`smpte170m`; undefined when unsaid or another matrix. */
  matrix?: 'bt601' | 'bt709';
}

/** The first audio stream. */
export interface FfmpegAudioStream {
  codec: string;
  sampleRate: number;
  channels: number;
}

export interface FfmpegInputInfo {
  /** ffmpeg's demuxer names, e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, `yuv4mpegpipe`. */
  container: string;
  video?: FfmpegVideoStream;
  audio?: FfmpegAudioStream;
  /** The last `frame=` count of the progress line, when ffmpeg processed the stream. */
  frames?: number;
}

/** Splits at commas outside parentheses and brackets, trimming each part. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/**
 * A frame rate as a fraction: integers over 1, the NTSC rates (N·1000/1001) over 1001, anything else
 * in hundredths (ffmpeg prints two decimals), reduced.
 */
export function rationalFps(value: number): { num: number; den: number } {
  const whole = Math.round(value);
  if (Math.abs(whole - value) < 0.005) return { num: whole, den: 1 };
  const ntsc = Math.round((value * 1001) / 1000);
  if (Math.abs((ntsc * 1000) / 1001 - value) < 0.006) return { num: ntsc * 1000, den: 1001 };
  let num = Math.round(value * 100);
  let den = 100;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return { num, den };
}

function rateOf(parts: string[], unit: 'fps' | 'tbr'): { num: number; den: number } | undefined {
  for (const part of parts) {
    const m = new RegExp(`^(\\d+(?:\\.\\d+)?)(k?) ${unit}$`).exec(part);
    if (m) {
      const value = Number(m[1]) * (m[2] ? 1000 : 1);
      if (value > 0) return rationalFps(value);
    }
  }
  return undefined;
}

const MATRICES: Record<string, 'bt601' | 'bt709'> = { bt709: 'bt709', bt470bg: 'bt601', smpte170m: 'bt601' };

function parseVideo(body: string): FfmpegVideoStream | undefined {
  const parts = splitTopLevel(body);
  const format = /^(\w+)(?:\((.*)\))?$/.exec(parts[1] ?? '');
  const size = parts.map((p) => /^(\d+)x(\d+)(?:\s|$)/.exec(p)).find((m) => m !== null);
  if (!format || !size) return undefined;
  const pixFmt = format[1]!;
  const details = (format[2] ?? '').split(',').map((t) => t.trim());
  const stream: FfmpegVideoStream = { codec: (parts[0] ?? '').split(' ')[0]!, pixFmt, width: Number(size[1]), height: Number(size[2]) };
  const fps = rateOf(parts, 'fps') ?? rateOf(parts, 'tbr');
  if (fps) stream.fps = fps;
  if (details.includes('pc') || pixFmt.startsWith('yuvj')) stream.range = 'full';
  else if (details.includes('tv')) stream.range = 'limited';
  for (const token of details) {
    const matrix = MATRICES[token.split('/')[0]!];
    if (matrix) {
      stream.matrix = matrix;
      break;
    }
  }
  return stream;
}

/** Channel count of an ffmpeg layout name: mono, stereo, quad, `5.1(side)`, `N channels`, ... */
export function channelsOfLayout(layout: string): number | undefined {
  const name = layout.replace(/\(.*\)$/, '');
  const named: Record<string, number> = { mono: 1, stereo: 2, downmix: 2, quad: 4, hexagonal: 6, octagonal: 8, hexadecagonal: 16 };
  if (named[name] !== undefined) return named[name];
  const dotted = /^(\d+)\.(\d+)$/.exec(name);
  if (dotted) return Number(dotted[1]) + Number(dotted[2]);
  const counted = /^(\d+) channels$/.exec(name);
  return counted ? Number(counted[1]) : undefined;
}

function parseAudio(body: string): FfmpegAudioStream | undefined {
  const parts = splitTopLevel(body);
  const at = parts.findIndex((p) => /^\d+ Hz$/.test(p));
  if (at < 0) return undefined;
  const channels = channelsOfLayout(parts[at + 1] ?? '');
  if (channels === undefined) return undefined;
  return { codec: (parts[0] ?? '').split(' ')[0]!, sampleRate: parseInt(parts[at]!, 10), channels };
}

/**
 * The first input's container, first real video stream and first audio stream from ffmpeg's stderr
 * (log level info), or null when ffmpeg printed no `Input #0` (it could not open the file).
 */
export function parseFfmpegInfo(stderr: string): FfmpegInputInfo | null {
  const lines = stderr.split(/\r?\n|\r/);
  const start = lines.findIndex((l) => l.startsWith('Input #0, '));
  if (start < 0) return null;
  const info: FfmpegInputInfo = { container: /^Input #0, (.*), from '/.exec(lines[start]!)?.[1] ?? '' };
  for (const line of lines.slice(start + 1)) {
    if (/^(Output #|Stream mapping:|Input #1)/.test(line)) break;
    const m = /^\s+Stream #0:\d+[^:]*: (Video|Audio): (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Video' && !info.video && !m[2]!.includes('(attached pic)')) {
      const video = parseVideo(m[2]!);
      if (video) info.video = video;
    } else if (m[1] === 'Audio' && !info.audio) {
      const audio = parseAudio(m[2]!);
      if (audio) info.audio = audio;
    }
  }
  const counts = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  if (counts.length > 0) info.frames = Number(counts[counts.length - 1]![1]);
  return info;
}

/** The last `lines` non-empty lines of ffmpeg's stderr, joined with ' / ' (for error messages). */
export function stderrTail(stderr: string, lines = 3): string {
  return stderr.split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l && !l.startsWith('frame=')).slice(-lines).join(' / ') || 'no message';
}
