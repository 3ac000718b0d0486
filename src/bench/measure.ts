/**
 * The measuring loop: every item of the dataset through every runner at every setting, one call at
 * a time (so timings are not disturbed by each other), with per-item results kept and per-point
 * means and medians computed from them. The reference side of each metric is prepared once per item.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadImage } from '../media/image.js';
import { prepareMelDistance, type MelDistanceOptions } from '../metrics/mel.js';
import { MS_SSIM_MIN_SIDE, msSsimDb, prepareMsSsim } from '../metrics/msssim.js';
import { psnr } from '../metrics/psnr.js';
import { siSnr } from '../metrics/sisnr.js';
import { stoi } from '../metrics/stoi.js';
import { loadClip, toRgb8 } from './dataset.js';
import type { AudioRunner, ImageRunner } from './runners.js';
import type { AudioItemResult, AudioPoint, BenchProgress, CodecResult, ImageItemResult, ImagePoint, BenchSetting } from './types.js';

export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Mean of the non-null values, or null if there are none. */
function meanOrNull(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? mean(present) : null;
}

/** The value of `fn()` and its wall time in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

function settingLabel(s: BenchSetting): string {
  return s.kind === 'quality' ? `q=${s.value}` : `${s.value} kbps`;
}

/** Slots for every (runner, setting): items are appended as the dataset is walked. */
function slots<I>(runners: ReadonlyArray<{ settings: BenchSetting[] }>): I[][][] {
  return runners.map((r) => r.settings.map(() => []));
}

export interface MeasureOptions {
  onProgress?: (progress: BenchProgress) => void;
}

export async function measureImages(files: readonly string[], runners: readonly ImageRunner[], options: MeasureOptions = {}): Promise<CodecResult<ImagePoint>[]> {
  const results = slots<ImageItemResult>(runners);
  const total = files.length * runners.reduce((n, r) => n + r.settings.length, 0);
  let done = 0;
  for (const file of files) {
    const item = path.basename(file);
    const source = toRgb8(await loadImage(file));
    const pixels = source.width * source.height;
    const msssimRef = Math.min(source.width, source.height) > MS_SSIM_MIN_SIDE ? prepareMsSsim(source) : null;
    for (const [r, runner] of runners.entries()) {
      for (const [s, setting] of runner.settings.entries()) {
        const [bytes, encodeMs] = await timed(() => runner.encode(source, setting));
        const [decoded, decodeMs] = await timed(() => runner.decode(bytes, source));
        results[r]![s]!.push({
          item, width: source.width, height: source.height,
          bytes: bytes.length, bpp: (bytes.length * 8) / pixels,
          psnr: psnr(source, decoded), msSsim: msssimRef ? msssimRef.compare(decoded) : null,
          encodeMs, decodeMs,
        });
        options.onProgress?.({ done: ++done, total, label: `${runner.id} ${settingLabel(setting)} ${item}` });
      }
    }
  }
  return runners.map((runner, r) => ({
    codec: runner.id, source: runner.source, description: runner.description,
    points: runner.settings.map((setting, s): ImagePoint => {
      const items = results[r]![s]!;
      const ms = meanOrNull(items.map((i) => i.msSsim));
      return {
        setting,
        bpp: mean(items.map((i) => i.bpp)),
        psnr: mean(items.map((i) => i.psnr)),
        msSsim: ms,
        msSsimDb: ms === null ? null : msSsimDb(ms),
        encodeMsMedian: median(items.map((i) => i.encodeMs)),
        decodeMsMedian: median(items.map((i) => i.decodeMs)),
        items,
      };
    }),
  }));
}

/** Seconds of audio per second of encode + decode, over all items (∞ when nothing took time). */
export function realTimeFactor(items: readonly Pick<AudioItemResult, 'seconds' | 'encodeMs' | 'decodeMs'>[]): number {
  const seconds = items.reduce((n, i) => n + i.seconds, 0);
  const ms = items.reduce((n, i) => n + i.encodeMs + i.decodeMs, 0);
  return ms > 0 ? seconds / (ms / 1000) : Infinity;
}

/** Trims or zero-pads decoded audio to the source length. */
function align(decoded: Float32Array, length: number): Float32Array {
  if (decoded.length === length) return decoded;
  const out = new Float32Array(length);
  out.set(decoded.subarray(0, length));
  return out;
}

export interface AudioMeasureOptions extends MeasureOptions {
  /** Compute STOI (default true). */
  stoi?: boolean;
  /** Mel distance variant (default: DAC's). */
  mel?: MelDistanceOptions;
}

export async function measureAudio(files: readonly string[], runners: readonly AudioRunner[], options: AudioMeasureOptions = {}): Promise<CodecResult<AudioPoint>[]> {
  const results = slots<AudioItemResult>(runners);
  const total = files.length * runners.reduce((n, r) => n + r.settings.length, 0);
  const withStoi = options.stoi ?? true;
  let done = 0;
  for (const file of files) {
    const item = path.basename(file);
    const clip = await loadClip(file);
    const seconds = clip.samples.length / clip.sampleRate;
    const mel = prepareMelDistance(clip.samples, clip.sampleRate, options.mel);
    for (const [r, runner] of runners.entries()) {
      for (const [s, setting] of runner.settings.entries()) {
        const [bytes, encodeMs] = await timed(() => runner.encode(clip, setting));
        const [decoded, decodeMs] = await timed(() => runner.decode(bytes, clip));
        const estimate = align(decoded, clip.samples.length);
        results[r]![s]!.push({
          item, sampleRate: clip.sampleRate, seconds,
          bytes: bytes.length, kbps: (bytes.length * 8) / seconds / 1000,
          melDistance: mel.compare(estimate),
          siSnr: siSnr(clip.samples, estimate),
          stoi: withStoi ? stoi(clip.samples, estimate, clip.sampleRate) : null,
          encodeMs, decodeMs,
        });
        options.onProgress?.({ done: ++done, total, label: `${runner.id} ${settingLabel(setting)} ${item}` });
      }
    }
  }
  return runners.map((runner, r) => ({
    codec: runner.id, source: runner.source, description: runner.description,
    points: runner.settings.map((setting, s): AudioPoint => {
      const items = results[r]![s]!;
      return {
        setting,
        kbps: mean(items.map((i) => i.kbps)),
        melDistance: mean(items.map((i) => i.melDistance)),
        siSnr: mean(items.map((i) => i.siSnr)),
        stoi: meanOrNull(items.map((i) => i.stoi)),
        encodeMsMedian: median(items.map((i) => i.encodeMs)),
        decodeMsMedian: median(items.map((i) => i.decodeMs)),
        realTime: realTimeFactor(items),
        items,
      };
    }),
  }));
}
