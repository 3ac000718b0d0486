/**
 * The measuring loop of one clip: every runner at every setting, one call at a time (so timings do
 * not disturb each other). Decoded frames are aligned with the source BY INDEX: frame i of the
 * decoder's output is compared with source frame i, and a decoder that returns another number of
 * frames (or another size) fails the run rather than being matched up by timestamps.
 */
import { performance } from 'node:perf_hooks';
import { CodecError } from '../../errors.js';
import type { YuvFrame } from '../../media/types.js';
import { meanPsnr, mseYuv420, msePsnr, psnrOfMse, yuv420ToRgb8, type YuvMse, type YuvPsnr } from '../../metrics/video.js';
import { videoSettingLabel, type VideoRunner } from './runners.js';
import type { SourceClip } from './source.js';
import type { VideoCurve, VideoPoint, VideoSetting } from './types.js';

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

/** bytes × 8 / (width × height × frames). */
export function videoBpp(bytes: number, width: number, height: number, frames: number): number {
  return (bytes * 8) / (width * height * frames);
}

/** Throws unless `decoded` has as many frames as `source`, each of the source's size. */
export function checkAlignment(source: readonly YuvFrame[], decoded: readonly YuvFrame[], what: string): void {
  if (decoded.length !== source.length) {
    throw new CodecError('ERR_MEDIA_READ', `${what} decoded ${decoded.length} frames for ${source.length} source frames: frames are compared by index, so every frame must come back`);
  }
  const i = decoded.findIndex((f, k) => f.width !== source[k]!.width || f.height !== source[k]!.height);
  if (i >= 0) {
    throw new CodecError('ERR_MEDIA_READ', `${what} decoded frame ${i} at ${decoded[i]!.width}×${decoded[i]!.height}, the source is ${source[i]!.width}×${source[i]!.height}`);
  }
}

/** Most bytes of source RGB kept per clip; a longer or larger clip converts its frames again for each point. */
const RGB_CACHE_BYTES = 256 * 2 ** 20;

/** 8-bit RGB of the clip's source frames, converted once per clip and kept (up to {@link RGB_CACHE_BYTES}). */
function rgbReference(clip: SourceClip): (i: number) => Uint8Array {
  if (clip.width * clip.height * 3 * clip.frames.length > RGB_CACHE_BYTES) return (i) => yuv420ToRgb8(clip.frames[i]!, clip.colour);
  const cache: Uint8Array[] = [];
  return (i) => (cache[i] ??= yuv420ToRgb8(clip.frames[i]!, clip.colour));
}

function rgbMse(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum / a.length;
}

export interface ClipMeasureOptions {
  /** Called after each (runner, setting) with its label. */
  onStep?: (label: string) => void;
}

/** Quality of decoded frames against the clip: per-frame YUV/RGB PSNRs and their sequence figures. */
export function frameQuality(clip: SourceClip, decoded: readonly YuvFrame[], refRgb: (i: number) => Uint8Array = rgbReference(clip)):
  Pick<VideoPoint, 'psnrY' | 'psnrU' | 'psnrV' | 'psnrYuv' | 'psnrRgb' | 'psnrYuvOfMse' | 'framePsnrYuv'> {
  const mses: YuvMse[] = [], psnrs: YuvPsnr[] = [], rgb: number[] = [];
  decoded.forEach((frame, i) => {
    const e = mseYuv420(clip.frames[i]!, frame);
    mses.push(e);
    const y = psnrOfMse(e.y), u = psnrOfMse(e.u), v = psnrOfMse(e.v);
    psnrs.push({ y, u, v, yuv: (6 * y + u + v) / 8 });
    rgb.push(psnrOfMse(rgbMse(refRgb(i), yuv420ToRgb8(frame, clip.colour))));
  });
  const seq = meanPsnr(psnrs);
  return {
    psnrY: seq.y, psnrU: seq.u, psnrV: seq.v, psnrYuv: seq.yuv,
    psnrRgb: rgb.reduce((s, x) => s + x, 0) / rgb.length,
    psnrYuvOfMse: msePsnr(mses).yuv,
    framePsnrYuv: psnrs.map((p) => p.yuv),
  };
}

async function measurePoint(clip: SourceClip, runner: VideoRunner, setting: VideoSetting, refRgb: (i: number) => Uint8Array): Promise<VideoPoint> {
  const [encoded, encodeMs] = await timed(() => runner.encode(clip, setting));
  const [decoded, decodeMs] = await timed(() => runner.decode(encoded.bytes, clip));
  checkAlignment(clip.frames, decoded.frames, `${runner.id} ${videoSettingLabel(setting)} on ${clip.name}`);
  const n = clip.frames.length;
  return {
    setting,
    bytes: encoded.bytes.length,
    bpp: videoBpp(encoded.bytes.length, clip.width, clip.height, n),
    ...frameQuality(clip, decoded.frames, refRgb),
    encodeMs, decodeMs,
    encodeFps: n / (encodeMs / 1000),
    decodeFps: n / (decodeMs / 1000),
    ffmpegEncodeMs: encoded.ffmpegMs,
    ffmpegDecodeMs: decoded.ffmpegMs,
    seiBytesRemoved: encoded.seiBytesRemoved,
  };
}

/** Every runner's curve on one clip. */
export async function measureClip(clip: SourceClip, runners: readonly VideoRunner[], options: ClipMeasureOptions = {}): Promise<VideoCurve[]> {
  const refRgb = rgbReference(clip);
  const curves: VideoCurve[] = [];
  for (const runner of runners) {
    const points: VideoPoint[] = [];
    for (const setting of runner.settings) {
      points.push(await measurePoint(clip, runner, setting, refRgb));
      options.onStep?.(`${runner.id} ${videoSettingLabel(setting)} ${clip.name}`);
    }
    curves.push({ codec: runner.id, points });
  }
  return curves;
}
