/**
 * The video benchmark as a library call: dataset → clips (first N frames, read once) → runners
 * (x264/x265 through ffmpeg, ncodec video codecs) → per-clip RD points → BD-rates against the anchor,
 * per clip and averaged, as one typed report.
 */
import os from 'node:os';
import type { OpenOptions } from '../../api/types.js';
import { DEFAULT_BASELINE_THREADS, DEFAULT_CRF, VIDEO_BASELINES, isVideoBaseline, videoBaseline, type VideoBaseline } from '../baselines/video.js';
import { SkipCodecError, UnknownCodecError } from '../runners.js';
import type { BenchProgress, SkippedCodec } from '../types.js';
import { clipBd, meanBd } from './bd.js';
import { listVideoDataset, type FrameRate, type FrameSize } from './dataset.js';
import { measureClip } from './measure.js';
import { ncodecVideoRunner, videoCodecIds } from './ncodec.js';
import { ffmpegVersion, ffmpegVideoEncoders } from './process.js';
import type { VideoRunner } from './runners.js';
import { loadSourceClip } from './source.js';
import type { VideoBenchEnvironment, VideoBenchReport, VideoClip } from './types.js';

export const DEFAULT_VIDEO_CODECS: readonly string[] = ['x264', 'x265'];
export const DEFAULT_VIDEO_ANCHOR = 'x264';
export const DEFAULT_GOP = 32;

export interface VideoBenchOptions {
  /** A video file or a folder of them. */
  dataset: string;
  /** Only the first N files (sorted by name). */
  limit?: number;
  /** Codec ids: x264, x265 and ncodec video codecs (`video`, `video@<model>`). Default x264,x265. */
  codecs?: readonly string[];
  /** Code the first N frames of each clip (default all). */
  frames?: number;
  /** Intra period of every codec (default 32). */
  gop?: number;
  /** Model levels for ncodec codecs (default all). */
  qualities?: readonly number[];
  /** CRF sweeps of the baselines. */
  crf?: Partial<Record<VideoBaseline, readonly number[]>>;
  /** Threads of the baseline encoders and decoders (0 = their choice; default 1). */
  baselineThreads?: number;
  /** Count the baselines' SEI NAL units (default: removed). */
  keepSei?: boolean;
  /** BD-rate anchor (default x264). */
  anchor?: string;
  /** Size and rate of raw `.yuv` files (default: size from the name, 30 fps). */
  size?: FrameSize;
  fps?: FrameRate;
  /** How ncodec codecs are opened (device, threads). */
  open?: OpenOptions;
  onProgress?: (progress: BenchProgress) => void;
  onWarning?: (message: string) => void;
}

/** Codec ids usable in the video benchmark: the baselines and registered codecs that code video. */
export function knownVideoCodecs(): string[] {
  return [...VIDEO_BASELINES, ...videoCodecIds()];
}

async function openRunner(id: string, options: VideoBenchOptions, gop: number): Promise<VideoRunner> {
  if (isVideoBaseline(id)) {
    return videoBaseline(id, { gop, crf: options.crf?.[id], threads: options.baselineThreads, keepSei: options.keepSei });
  }
  try {
    return await ncodecVideoRunner(id, { open: options.open, qualities: options.qualities, gop });
  } catch (err) {
    if (err instanceof UnknownCodecError) throw new UnknownCodecError(err.codec, knownVideoCodecs());
    throw err;
  }
}

async function environment(): Promise<VideoBenchEnvironment> {
  let encoders: string[] = [];
  try {
    encoders = (await ffmpegVideoEncoders()).filter((e) => e === 'libx264' || e === 'libx265');
  } catch { /* no ffmpeg: the baselines say so when they are opened */ }
  return {
    node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length,
    versions: { ffmpeg: await ffmpegVersion() }, loadAverage: os.loadavg()[0] ?? 0, encoders,
  };
}

/**
 * Runs the video benchmark. Throws UnknownCodecError for a codec id nobody knows; skips (and reports)
 * codecs that cannot run here, such as x265 with an ffmpeg built without it.
 */
export async function runVideoBench(options: VideoBenchOptions): Promise<VideoBenchReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const warn = options.onWarning ?? (() => {});
  const gop = options.gop ?? DEFAULT_GOP;
  const anchor = options.anchor ?? DEFAULT_VIDEO_ANCHOR;
  const files = await listVideoDataset(options.dataset, options.limit);
  const env = await environment();
  const skipped: SkippedCodec[] = [];
  const runners: VideoRunner[] = [];
  try {
    for (const id of options.codecs ?? DEFAULT_VIDEO_CODECS) {
      try {
        runners.push(await openRunner(id, options, gop));
      } catch (err) {
        if (!(err instanceof SkipCodecError)) throw err;
        skipped.push({ codec: id, reason: err.message });
        warn(`skipping ${id}: ${err.message}`);
      }
    }
    if (!runners.some((r) => r.id === anchor)) warn(`the anchor '${anchor}' is not among the codecs run: no BD-rate against it`);
    const total = files.length * runners.reduce((n, r) => n + r.settings.length, 0);
    let done = 0;
    const clips: VideoClip[] = [];
    for (const file of files) {
      const source = await loadSourceClip(file, { size: options.size, fps: options.fps, maxFrames: options.frames });
      if (options.frames !== undefined && source.frames.length < options.frames) {
        warn(`${source.name} has only ${source.frames.length} frames (asked for ${options.frames}): coding all of them`);
      }
      const results = await measureClip(source, runners, {
        onStep: (label) => options.onProgress?.({ done: ++done, total, label }),
      });
      clips.push({
        name: source.name, width: source.width, height: source.height, frames: source.frames.length, fps: source.fps,
        colour: source.colour, results,
      });
    }
    const bd = clips.flatMap((c) => clipBd(c, anchor));
    return {
      format: 'neural-codec-bench-video/1',
      media: 'video',
      dataset: options.dataset,
      anchor,
      frames: options.frames ?? null,
      gop,
      startedAt: startedAt.toISOString(),
      elapsedMs: performance.now() - t0,
      environment: env,
      codecs: runners.map((r) => ({ codec: r.id, source: r.source, description: r.description, settings: r.settings })),
      baselines: runners.flatMap((r) => (r.baseline ? [r.baseline] : [])),
      skipped,
      clips,
      bd,
      bdMean: meanBd(bd),
    };
  } finally {
    for (const r of runners) await r.dispose();
  }
}

export { DEFAULT_CRF, DEFAULT_BASELINE_THREADS };
