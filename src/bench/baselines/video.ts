/**
 * Classic video baselines through ffmpeg, in a low-delay configuration (no B-frames, one intra frame
 * every GOP frames, no scene-cut intra frames), over a CRF sweep:
 *
 * - `x264`: `-c:v libx264 -preset medium -bf 0 -g GOP -keyint_min GOP -sc_threshold 0 -crf C -threads T`
 * - `x265`: `-c:v libx265 -preset medium -crf C -x265-params bframes=0:keyint=GOP:min-keyint=GOP:scenecut=0[:pools=T:frame-threads=T]`
 *
 * The encoders get the clip's frames exactly as the other codecs see them: raw yuv420p on stdin (odd
 * sizes padded to even by repeating the last column / row, cropped again after decoding). They write
 * the raw Annex B elementary stream (`-f h264` / `-f hevc`), so no container overhead is counted. By
 * default the SEI NAL units are taken out of that stream before it is counted and decoded: x264 and
 * x265 write their version and full option string there (about 0.7 and 2 kB), which no decoder needs
 * and which would dominate the rate of a short low-rate clip. The stream is decoded with ffmpeg to
 * yuv420p rawvideo without any frame-rate conversion (`-vsync passthrough`), and decoded frame i is
 * source frame i (never matched by timestamp).
 *
 * Threads (default 1, the same for the encoder and ffmpeg's decoder) make the runs reproducible and
 * the timings comparable between machines; 0 leaves the choice to the encoder and decoder. Medium's
 * lookahead and MB-tree stay on, as `-tune zerolatency` is not used.
 */
import { CodecError } from '../../errors.js';
import type { YuvFrame } from '../../media/types.js';
import { ffmpegRun, ffmpegVideoEncoders } from '../video/process.js';
import type { DecodedFrames, EncodedVideo, VideoRunner } from '../video/runners.js';
import { frameBytes, joinFrames, splitFrames, type SourceClip } from '../video/source.js';
import type { BaselineConfig, VideoSetting } from '../video/types.js';
import { SkipCodecError } from '../runners.js';

export const VIDEO_BASELINES = ['x264', 'x265'] as const;
export type VideoBaseline = (typeof VIDEO_BASELINES)[number];

/** Default CRF sweeps, high to low rate (about 0.5 down to 0.015 bpp on QCIF). */
export const DEFAULT_CRF: Record<VideoBaseline, readonly number[]> = {
  x264: [18, 23, 28, 33, 38, 43],
  x265: [20, 25, 30, 35, 40, 45],
};

export const DEFAULT_BASELINE_THREADS = 1;

const ENCODER: Record<VideoBaseline, { lib: string; stream: 'h264' | 'hevc' }> = {
  x264: { lib: 'libx264', stream: 'h264' },
  x265: { lib: 'libx265', stream: 'hevc' },
};

export interface VideoBaselineOptions {
  /** Intra period (keyint); every GOP-th frame is an IDR frame. */
  gop: number;
  /** CRF sweep (default {@link DEFAULT_CRF}). */
  crf?: readonly number[];
  /** Encoder and decoder threads; 0 = their own choice. Default 1. */
  threads?: number;
  /** Count the SEI NAL units too (default: taken out). */
  keepSei?: boolean;
}

export function isVideoBaseline(id: string): id is VideoBaseline {
  return (VIDEO_BASELINES as readonly string[]).includes(id);
}

/** The encoder arguments after the input, for one CRF. */
export function encoderArgs(id: VideoBaseline, crf: number, gop: number, threads: number): string[] {
  if (id === 'x264') {
    return ['-c:v', 'libx264', '-preset', 'medium', '-bf', '0', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
      '-crf', String(crf), ...(threads > 0 ? ['-threads', String(threads)] : []), '-f', 'h264'];
  }
  const pools = threads > 0 ? `:pools=${threads}:frame-threads=${threads}` : '';
  return ['-c:v', 'libx265', '-preset', 'medium', '-crf', String(crf),
    '-x265-params', `bframes=0:keyint=${gop}:min-keyint=${gop}:scenecut=0${pools}:log-level=error`, '-f', 'hevc'];
}

/** NAL unit type of the NAL whose header starts at `data[i]`. */
function nalType(stream: 'h264' | 'hevc', header: number): number {
  return stream === 'h264' ? header & 0x1f : (header >> 1) & 0x3f;
}

function isSei(stream: 'h264' | 'hevc', type: number): boolean {
  return stream === 'h264' ? type === 6 : type === 39 || type === 40;
}

/**
 * The NAL units of an Annex B stream as [start, end) byte ranges, each starting at its start code
 * (`00 00 01`, or `00 00 00 01`), so that concatenating ranges gives a valid stream.
 */
export function annexBUnits(data: Uint8Array): Array<[number, number]> {
  const starts: number[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      starts.push(i > 0 && data[i - 1] === 0 ? i - 1 : i);
      i += 2;
    }
  }
  return starts.map((s, k) => [s, k + 1 < starts.length ? starts[k + 1]! : data.length]);
}

/** The stream without its SEI NAL units, and how many bytes they held. */
export function stripSei(data: Uint8Array, stream: 'h264' | 'hevc'): { bytes: Uint8Array; removed: number } {
  const keep: Array<[number, number]> = [];
  let removed = 0;
  for (const [s, e] of annexBUnits(data)) {
    const header = data[s] === 0 && data[s + 1] === 0 && data[s + 2] === 1 ? s + 3 : s + 4;
    if (header < e && isSei(stream, nalType(stream, data[header]!))) removed += e - s;
    else keep.push([s, e]);
  }
  if (removed === 0) return { bytes: data, removed };
  const out = new Uint8Array(data.length - removed);
  let o = 0;
  for (const [s, e] of keep) {
    out.set(data.subarray(s, e), o);
    o += e - s;
  }
  return { bytes: out, removed };
}

/** Frames padded to even width and height by repeating the last column and row (4:2:0 encoders need it). */
export function padToEven(frames: readonly YuvFrame[]): YuvFrame[] {
  const first = frames[0];
  if (!first || (first.width % 2 === 0 && first.height % 2 === 0)) return [...frames];
  const w = first.width + (first.width & 1), h = first.height + (first.height & 1);
  const padPlane = (src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array => {
    const out = new Uint8Array(dw * dh);
    for (let y = 0; y < dh; y++) {
      const row = Math.min(y, sh - 1) * sw;
      for (let x = 0; x < dw; x++) out[y * dw + x] = src[row + Math.min(x, sw - 1)]!;
    }
    return out;
  };
  // Chroma is ceil(w/2) × ceil(h/2) before and after: only luma grows.
  return frames.map((f) => ({ width: w, height: h, y: padPlane(f.y, f.width, f.height, w, h), u: f.u, v: f.v }));
}

/** Frames cropped to `width`×`height` (the top-left part). */
export function cropFrames(frames: readonly YuvFrame[], width: number, height: number): YuvFrame[] {
  const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
  const crop = (src: Uint8Array, sw: number, dw: number, dh: number): Uint8Array => {
    if (sw === dw && src.length === dw * dh) return src;
    const out = new Uint8Array(dw * dh);
    for (let y = 0; y < dh; y++) out.set(src.subarray(y * sw, y * sw + dw), y * dw);
    return out;
  };
  return frames.map((f) => {
    if (f.width === width && f.height === height) return f;
    const scw = (f.width + 1) >> 1;
    return { width, height, y: crop(f.y, f.width, width, height), u: crop(f.u, scw, cw, ch), v: crop(f.v, scw, cw, ch) };
  });
}

function rateText(fps: { num: number; den: number }): string {
  return `${fps.num}/${fps.den}`;
}

/**
 * A runner for one ffmpeg baseline. Throws SkipCodecError when the ffmpeg found has no such encoder
 * (the benchmark reports the codec as skipped and goes on).
 */
export async function videoBaseline(id: VideoBaseline, options: VideoBaselineOptions): Promise<VideoRunner> {
  const { lib, stream } = ENCODER[id];
  const encoders = await ffmpegVideoEncoders();
  if (!encoders.includes(lib)) {
    throw new SkipCodecError(id, `the ffmpeg found has no ${lib} encoder (\`ffmpeg -encoders\` does not list it); install an ffmpeg built with ${lib} or set NCODEC_FFMPEG`);
  }
  const threads = options.threads ?? DEFAULT_BASELINE_THREADS;
  const crf = [...(options.crf ?? DEFAULT_CRF[id])];
  const keepSei = options.keepSei ?? false;
  const { gop } = options;
  const config: BaselineConfig = {
    codec: id,
    command: `ffmpeg -f rawvideo -pix_fmt yuv420p -s WxH -r FPS -i pipe:0 ${encoderArgs(id, 0, gop, threads).join(' ').replace('-crf 0', '-crf <crf>')} out.${stream}`,
    preset: 'medium', bframes: 0, keyint: gop, crf, threads, stream, seiRemoved: !keepSei,
  };
  const description = `ffmpeg ${lib} preset medium, low delay (no B-frames, keyint ${gop}, no scene cuts), CRF sweep, ` +
    `${threads > 0 ? `${threads} thread${threads === 1 ? '' : 's'}` : 'default threads'}, raw ${stream} elementary stream${keepSei ? '' : ' without SEI'}`;
  return {
    id,
    source: 'baseline',
    description,
    settings: crf.map((value): VideoSetting => ({ kind: 'crf', value })),
    baseline: config,
    async encode(clip: SourceClip, setting: VideoSetting): Promise<EncodedVideo> {
      const padded = padToEven(clip.frames);
      const { width, height } = padded[0]!;
      const args = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s:v', `${width}x${height}`, '-r', rateText(clip.fps), '-i', 'pipe:0',
        ...encoderArgs(id, setting.value, gop, threads), 'pipe:1'];
      const run = await ffmpegRun(args, { stdin: joinFrames(padded), benchmark: true, code: 'ERR_MEDIA_WRITE' });
      const coded = new Uint8Array(run.stdout.buffer, run.stdout.byteOffset, run.stdout.byteLength);
      const { bytes, removed } = keepSei ? { bytes: coded, removed: 0 } : stripSei(coded, stream);
      return { bytes, ffmpegMs: run.benchMs, seiBytesRemoved: removed };
    },
    async decode(bytes: Uint8Array, clip: SourceClip): Promise<DecodedFrames> {
      const w = clip.width + (clip.width & 1), h = clip.height + (clip.height & 1);
      const args = [...(threads > 0 ? ['-threads', String(threads)] : []), '-f', stream, '-i', 'pipe:0',
        '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'];
      const run = await ffmpegRun(args, { stdin: bytes, benchmark: true, code: 'ERR_MEDIA_READ' });
      const size = frameBytes(w, h);
      if (run.stdout.length % size !== 0) {
        throw new CodecError('ERR_MEDIA_READ', `${id} decoded ${run.stdout.length} bytes, not a whole number of ${w}×${h} frames`);
      }
      const data = new Uint8Array(run.stdout.buffer, run.stdout.byteOffset, run.stdout.byteLength);
      const frames = cropFrames(splitFrames(data, w, h, run.stdout.length / size), clip.width, clip.height);
      return { frames, ffmpegMs: run.benchMs };
    },
    async dispose() { /* nothing held: streams go through pipes */ },
  };
}
