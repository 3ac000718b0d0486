/**
 * The lossless benchmark as a library call: dataset → 8-bit RGB images (read once) → runners (ncodec
 * codecs, sharp's PNG and lossless WebP, JPEG XL through cjxl/djxl) → per image and codec the coded
 * size, the encode and decode times and the exactness of the decode → per codec the pixel-weighted
 * summary, as one typed report.
 *
 * Every codec is fed the same pixels: each file as 8-bit RGB (`toRgb8`: 16-bit rounded to 8, gray
 * replicated, alpha dropped), so a gray or 16-bit file is not coded as itself. Each runner first codes
 * a small crop once, untimed, so that no first image pays for loading a library or a model.
 */
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { listCodecs } from '../../api/registry.js';
import { loadImage } from '../../media/image.js';
import { defaultDataset, listDataset, toRgb8 } from '../dataset.js';
import { mean } from '../measure.js';
import { SkipCodecError, UnknownCodecError, type Rgb8Image } from '../runners.js';
import type { BenchProgress, SkippedCodec } from '../types.js';
import { exactDifference } from './exact.js';
import { DEFAULT_JXL_EFFORT, JXL_ID, jxlRunner } from './jxl.js';
import { ncodecLosslessRunner, type LosslessRunner } from './runners.js';
import { SHARP_LOSSLESS, isSharpLossless, sharpLosslessRunner } from './sharp.js';
import type { LosslessBenchEnvironment, LosslessBenchReport, LosslessCodecResult, LosslessItemResult, LosslessSourceItem, LosslessSummary } from './types.js';

export const DEFAULT_LOSSLESS_CODECS: readonly string[] = ['lossless', 'lossless:med', 'png', 'webp-lossless', JXL_ID];
export const DEFAULT_LOSSLESS_THREADS = 1;

export interface LosslessBenchOptions {
  /** Folder (or file) of images; default the project's fixtures/images. */
  dataset?: string;
  /** Only the first N images (sorted by name). */
  limit?: number;
  /** Codec ids (default {@link DEFAULT_LOSSLESS_CODECS}). */
  codecs?: readonly string[];
  /** `cjxl -e` (1–9, default 7). */
  jxlEffort?: number;
  /** Threads of every codec: ncodec codecs, cjxl/djxl, libvips (default 1). */
  threads?: number;
  onProgress?: (progress: BenchProgress) => void;
  /** Skipped codecs. */
  onWarning?: (message: string) => void;
}

/** Codec ids usable in the lossless bench: the baselines and the registered image codecs. */
export function knownLosslessCodecs(): string[] {
  const ncodec = listCodecs().filter((c) => c.media.includes('image')).flatMap((c) => (c.id === 'lossless' ? [c.id, 'lossless:med'] : [c.id]));
  return [...ncodec, ...SHARP_LOSSLESS, JXL_ID];
}

async function openRunner(id: string, effort: number, threads: number): Promise<LosslessRunner> {
  if (isSharpLossless(id)) return sharpLosslessRunner(id);
  if (id === JXL_ID) return jxlRunner(effort, threads);
  try {
    return await ncodecLosslessRunner(id, threads);
  } catch (err) {
    if (err instanceof UnknownCodecError) throw new UnknownCodecError(err.codec, knownLosslessCodecs());
    throw err;
  }
}

/** The first 32×32 (or less) of an image: what a runner codes once before the timed runs. */
function crop(image: Rgb8Image, side = 32): Rgb8Image {
  const width = Math.min(side, image.width);
  const height = Math.min(side, image.height);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { data, width, height, channels: 3 };
}

async function warmUp(runner: LosslessRunner, image: Rgb8Image): Promise<void> {
  try {
    await runner.decode((await runner.encode(image)).value, image);
  } catch { /* a real failure shows on the real images */ }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One image through one runner: never throws; a failure is recorded in the result. */
async function measureOne(runner: LosslessRunner, item: LosslessSourceItem, source: Rgb8Image): Promise<LosslessItemResult> {
  const result: LosslessItemResult = {
    item: item.item, width: source.width, height: source.height, bytes: null, bpp: null,
    encodeMs: null, decodeMs: null, encodeToolMs: null, decodeToolMs: null, exact: false, failure: null,
  };
  let bytes: Uint8Array;
  try {
    const encoded = await runner.encode(source);
    bytes = encoded.value;
    Object.assign(result, { bytes: bytes.length, bpp: (bytes.length * 8) / (source.width * source.height), encodeMs: encoded.ms, encodeToolMs: encoded.toolMs });
  } catch (err) {
    return { ...result, failure: `encode failed: ${errorText(err)}` };
  }
  try {
    const decoded = await runner.decode(bytes, source);
    const difference = exactDifference(source, decoded.value);
    return { ...result, decodeMs: decoded.ms, decodeToolMs: decoded.toolMs, exact: difference === null, failure: difference === null ? null : `not exact: ${difference}` };
  } catch (err) {
    return { ...result, failure: `decode failed: ${errorText(err)}` };
  }
}

function meanOf(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? mean(present) : null;
}

/** Sums and means over the images a codec coded and decoded. */
export function summarise(items: readonly LosslessItemResult[]): LosslessSummary {
  const coded = items.filter((i) => i.bytes !== null && i.decodeMs !== null);
  const pixels = coded.reduce((n, i) => n + i.width * i.height, 0);
  const bytes = coded.reduce((n, i) => n + i.bytes!, 0);
  return {
    images: items.length,
    coded: coded.length,
    exact: items.filter((i) => i.exact).length,
    pixels,
    bytes,
    bpp: pixels > 0 ? (bytes * 8) / pixels : null,
    meanImageBpp: meanOf(coded.map((i) => i.bpp)),
    encodeMsMean: meanOf(coded.map((i) => i.encodeMs)),
    decodeMsMean: meanOf(coded.map((i) => i.decodeMs)),
    encodeToolMsMean: meanOf(coded.map((i) => i.encodeToolMs)),
    decodeToolMsMean: meanOf(coded.map((i) => i.decodeToolMs)),
  };
}

function environment(threads: number): LosslessBenchEnvironment {
  const versions: Record<string, string> = {};
  for (const key of ['sharp', 'vips', 'png', 'zlib-ng', 'webp'] as const) {
    const v = (sharp.versions as Record<string, string | undefined>)[key];
    if (v) versions[key] = v;
  }
  return {
    node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length,
    versions, loadAverage: os.loadavg()[0] ?? 0, threads,
  };
}

/** Opens every codec asked for into `runners`; returns the ones that cannot run here, with the reason. */
async function openRunners(ids: readonly string[], effort: number, threads: number, runners: LosslessRunner[], warn: (m: string) => void): Promise<SkippedCodec[]> {
  const skipped: SkippedCodec[] = [];
  for (const id of ids) {
    try {
      runners.push(await openRunner(id, effort, threads));
    } catch (err) {
      if (!(err instanceof SkipCodecError)) throw err;
      skipped.push({ codec: id, reason: err.message });
      warn(`skipping ${id}: ${err.message}`);
    }
  }
  return skipped;
}

/**
 * Runs the lossless benchmark. Throws UnknownCodecError for a codec id nobody knows, CodecError
 * (ERR_MEDIA_READ) for a dataset that cannot be read; a codec failing on an image is recorded.
 */
export async function runLosslessBench(options: LosslessBenchOptions = {}): Promise<LosslessBenchReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const warn = options.onWarning ?? (() => {});
  const dataset = options.dataset ?? defaultDataset('image');
  const files = await listDataset(dataset, 'image', options.limit);
  const effort = options.jxlEffort ?? DEFAULT_JXL_EFFORT;
  const threads = options.threads ?? DEFAULT_LOSSLESS_THREADS;
  const concurrency = sharp.concurrency();
  sharp.concurrency(threads);
  const env = environment(threads);
  const runners: LosslessRunner[] = [];
  try {
    const skipped = await openRunners(options.codecs ?? DEFAULT_LOSSLESS_CODECS, effort, threads, runners, warn);
    const results = runners.map((): LosslessItemResult[] => []);
    const items: LosslessSourceItem[] = [];
    const total = files.length * runners.length;
    let done = 0;
    for (const file of files) {
      const loaded = await loadImage(file);
      const source = toRgb8(loaded);
      const item: LosslessSourceItem = { item: path.basename(file), width: loaded.width, height: loaded.height, channels: loaded.channels, bitDepth: loaded.bitDepth };
      if (items.length === 0) for (const runner of runners) await warmUp(runner, crop(source));
      items.push(item);
      for (const [r, runner] of runners.entries()) {
        results[r]!.push(await measureOne(runner, item, source));
        options.onProgress?.({ done: ++done, total, label: `${runner.id} ${item.item}` });
      }
    }
    const codecs = runners.map((runner, r): LosslessCodecResult => ({
      codec: runner.id, source: runner.source, description: runner.description, summary: summarise(results[r]!), items: results[r]!,
    }));
    return {
      format: 'neural-codec-lossless-bench/1', dataset, items, startedAt: startedAt.toISOString(),
      elapsedMs: performance.now() - t0, environment: env, jxlEffort: effort, codecs, skipped,
    };
  } finally {
    for (const r of runners) await r.dispose();
    sharp.concurrency(concurrency);
  }
}
