/**
 * The rate–distortion benchmark as a library call: dataset → runners (baselines and ncodec codecs) →
 * measurements → published curves → Bjøntegaard comparisons, as one typed report.
 */
import os from 'node:os';
import sharp from 'sharp';
import { listCodecs } from '../api/registry.js';
import type { EncodeOptions, OpenOptions } from '../api/types.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import type { MelDistanceOptions } from '../metrics/mel.js';
import { AUDIO_BASELINES, DEFAULT_BITRATES, audioBaseline, isAudioBaseline } from './baselines/audio.js';
import { IMAGE_BASELINES, imageBaseline, isImageBaseline } from './baselines/image.js';
import { audioCurve, bdComparisons, imageCurve, MEDIA_METRICS, publishedCurve } from './curves.js';
import { defaultDataset, listDataset } from './dataset.js';
import { measureAudio, measureImages } from './measure.js';
import { ncodecAudioRunner, ncodecImageRunner } from './ncodec.js';
import { loadReferences } from './reference.js';
import { SkipCodecError, UnknownCodecError, type AudioRunner, type ImageRunner } from './runners.js';
import type { AudioBenchReport, MelVariant, BenchEnvironment, BenchMedia, BenchProgress, BenchReport, ImageBenchReport, SkippedCodec } from './types.js';

export interface BenchOptions {
  /** Folder (or file) of media; default the project's fixtures (`fixtures/images`, `fixtures/audio`). */
  dataset?: string;
  /** Use only the first N items (sorted by name). */
  limit?: number;
  /** Codec ids: baselines (jpeg, webp, avif | opus, aac, mp3) and ncodec codecs. Default jpeg,webp,avif | opus,aac. */
  codecs?: readonly string[];
  /** Baseline quality sweep (images), and the model quality levels to use for ncodec codecs. */
  qualities?: readonly number[];
  /** Baseline bitrate sweep in kbps (audio). Default 6, 12, 24, 48. */
  bitrates?: readonly number[];
  /** The codec every other curve's BD-rate is measured against. Default jpeg | opus. */
  anchor?: string;
  /** Published curves: JSON files or folders of them. */
  references?: readonly string[];
  /** How ncodec codecs are opened (device, threads, model). */
  open?: OpenOptions;
  /** Fitting budget passed to every ncodec encode (codecs that fit at encode time, e.g. inr). */
  encode?: Pick<EncodeOptions, 'maxSteps' | 'maxSeconds'>;
  /** Compute STOI for audio (default true). */
  stoi?: boolean;
  /** Mel filter bank of the mel distance (default 'dac'). */
  mel?: MelVariant;
  onProgress?: (progress: BenchProgress) => void;
  /** Codecs skipped, reference files without curves, an anchor that was not run. */
  onWarning?: (message: string) => void;
}

export const DEFAULT_CODECS: Record<BenchMedia, readonly string[]> = { image: ['jpeg', 'webp', 'avif'], audio: ['opus', 'aac'] };
/** Mel distance settings per variant (everything else as DAC: 7 scales, power 1, log10, clamp 1e-5). */
export const MEL_OPTIONS: Record<MelVariant, MelDistanceOptions> = {
  dac: {},
  torchaudio: { melScale: 'htk', norm: 'none' },
};

export const DEFAULT_ANCHOR: Record<BenchMedia, string> = { image: 'jpeg', audio: 'opus' };

/** Codec ids usable for `media`: its baselines and the registered codecs that code it. */
export function knownCodecs(media: BenchMedia): string[] {
  const baselines: readonly string[] = media === 'image' ? IMAGE_BASELINES : AUDIO_BASELINES;
  return [...baselines, ...listCodecs().filter((c) => c.media.includes(media)).map((c) => c.id)];
}

async function openRunner(media: BenchMedia, id: string, options: BenchOptions): Promise<ImageRunner | AudioRunner> {
  if (media === 'image') {
    if (isImageBaseline(id)) return imageBaseline(id, options.qualities);
    if (isAudioBaseline(id)) throw new UnknownCodecError(id, knownCodecs(media));
    return withKnownCodecs(media, ncodecImageRunner(id, options.open, options.qualities, options.encode));
  }
  if (isAudioBaseline(id)) return audioBaseline(id, options.bitrates ?? DEFAULT_BITRATES);
  if (isImageBaseline(id)) throw new UnknownCodecError(id, knownCodecs(media));
  return withKnownCodecs(media, ncodecAudioRunner(id, options.open, options.qualities, options.encode));
}

/** Re-throws an unknown-codec error listing every id usable for the media, baselines included. */
async function withKnownCodecs<T>(media: BenchMedia, opening: Promise<T>): Promise<T> {
  try {
    return await opening;
  } catch (err) {
    if (err instanceof UnknownCodecError) throw new UnknownCodecError(err.codec, knownCodecs(media));
    throw err;
  }
}

async function environment(media: BenchMedia): Promise<BenchEnvironment> {
  const versions: Record<string, string> = {};
  if (media === 'image') {
    for (const key of ['sharp', 'vips', 'mozjpeg', 'webp', 'aom', 'heif'] as const) {
      const v = (sharp.versions as Record<string, string | undefined>)[key];
      if (v) versions[key] = v;
    }
  } else {
    try {
      versions.ffmpeg = (await runFfmpeg(['-version'])).toString('utf8').split('\n')[0]?.replace(/^ffmpeg version /, '').split(' ')[0] ?? 'unknown';
    } catch {
      versions.ffmpeg = 'unavailable';
    }
  }
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, versions };
}

/**
 * A saved report with other published curves and/or another anchor: references replaced by those in
 * `references` (when given) and every Bjøntegaard comparison recomputed. Measurements are untouched.
 */
export async function recompare(report: BenchReport, options: { references?: readonly string[]; anchor?: string; onWarning?: (message: string) => void }): Promise<BenchReport> {
  let references = report.references;
  if (options.references) {
    const loaded = await loadReferences(options.references, report.media);
    loaded.warnings.forEach((w) => options.onWarning?.(w));
    references = loaded.curves;
  }
  const anchor = options.anchor ?? report.anchor;
  const published = references.map(publishedCurve);
  const measured = report.media === 'image' ? report.codecs.map(imageCurve) : report.codecs.map(audioCurve);
  if (!measured.some((c) => c.label === anchor)) options.onWarning?.(`the anchor '${anchor}' is not among the measured codecs: no BD-rate against it`);
  const bd = bdComparisons(measured, published, anchor, MEDIA_METRICS[report.media]);
  return { ...report, anchor, references, bd };
}

/** Runs the benchmark for one kind of media. Throws UnknownCodecError for a codec id nobody knows. */
export async function runBench(media: 'image', options?: BenchOptions): Promise<ImageBenchReport>;
export async function runBench(media: 'audio', options?: BenchOptions): Promise<AudioBenchReport>;
export async function runBench(media: BenchMedia, options?: BenchOptions): Promise<BenchReport>;
export async function runBench(media: BenchMedia, options: BenchOptions = {}): Promise<BenchReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const warn = options.onWarning ?? (() => {});
  const dataset = options.dataset ?? defaultDataset(media);
  const files = await listDataset(dataset, media, options.limit);
  const anchor = options.anchor ?? DEFAULT_ANCHOR[media];
  const skipped: SkippedCodec[] = [];
  const runners: Array<ImageRunner | AudioRunner> = [];
  try {
    for (const id of options.codecs ?? DEFAULT_CODECS[media]) {
      try {
        runners.push(await openRunner(media, id, options));
      } catch (err) {
        if (!(err instanceof SkipCodecError)) throw err;
        skipped.push({ codec: id, reason: err.message });
        warn(`skipping ${id}: ${err.message}`);
      }
    }
    if (!runners.some((r) => r.id === anchor)) warn(`the anchor '${anchor}' is not among the codecs run: no BD-rate against it`);
    const { curves: references, warnings } = await loadReferences(options.references ?? [], media);
    warnings.forEach(warn);
    const base = {
      format: 'neural-codec-bench/1' as const,
      dataset,
      items: files.map((f) => f.split(/[\\/]/).pop()!),
      anchor,
      startedAt: startedAt.toISOString(),
      environment: await environment(media),
      skipped,
      references,
    };
    const published = references.map(publishedCurve);
    const metrics = MEDIA_METRICS[media];
    if (media === 'image') {
      const codecs = await measureImages(files, runners as ImageRunner[], { onProgress: options.onProgress });
      const bd = bdComparisons(codecs.map(imageCurve), published, anchor, metrics);
      return { ...base, media, codecs, bd, elapsedMs: performance.now() - t0 };
    }
    const mel = options.mel ?? 'dac';
    const codecs = await measureAudio(files, runners as AudioRunner[], {
      onProgress: options.onProgress, stoi: options.stoi, mel: MEL_OPTIONS[mel],
    });
    const bd = bdComparisons(codecs.map(audioCurve), published, anchor, metrics);
    return { ...base, media, mel, codecs, bd, elapsedMs: performance.now() - t0 };
  } finally {
    for (const r of runners) await r.dispose();
  }
}
