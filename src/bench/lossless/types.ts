/**
 * Result types of the lossless benchmark (`ncodec bench image --lossless`): per image and codec the
 * coded size, the encode and decode wall times and whether the decode gave back the source pixels
 * exactly; per codec the pixel-weighted summary. Figures that do not exist (a tool's own timing for a
 * library codec, the size of an encode that failed) are `null`.
 */
import type { BenchEnvironment, CodecSource, SkippedCodec } from '../types.js';

/** One image of the dataset as the file holds it (every codec is fed its 8-bit RGB, see {@link LosslessBenchReport}). */
export interface LosslessSourceItem {
  /** File name within the dataset. */
  item: string;
  width: number;
  height: number;
  /** Channels and sample depth of the file itself, before the 8-bit RGB conversion. */
  channels: number;
  bitDepth: 8 | 16;
}

/** One image through one codec. */
export interface LosslessItemResult {
  item: string;
  width: number;
  height: number;
  /** Every byte of the coded file; null when encoding failed. */
  bytes: number | null;
  /** bytes × 8 / (width × height). */
  bpp: number | null;
  /** Wall time of the encode (what is timed depends on the runner: see its description). */
  encodeMs: number | null;
  decodeMs: number | null;
  /** The external tool's own time, from its log (cjxl/djxl "MP/s"); null for library codecs. */
  encodeToolMs: number | null;
  decodeToolMs: number | null;
  /** True when the decoded pixels equal the source's, sample for sample. */
  exact: boolean;
  /** Why it is not exact: the difference found, or the error that stopped the encode or decode. */
  failure: string | null;
}

/** A codec over the whole dataset; sums and means are over the images it coded (`coded`). */
export interface LosslessSummary {
  images: number;
  /** Images with an encode and a decode (failed ones are left out of the figures below). */
  coded: number;
  /** Images whose decode was bit-exact. */
  exact: number;
  pixels: number;
  bytes: number;
  /** Pixel-weighted: total bits / total pixels. */
  bpp: number | null;
  /** Mean of the per-image bpp (CompressAI's convention; equal to `bpp` when all images have one size). */
  meanImageBpp: number | null;
  /** Means per image of the wall times. */
  encodeMsMean: number | null;
  decodeMsMean: number | null;
  encodeToolMsMean: number | null;
  decodeToolMsMean: number | null;
}

export interface LosslessCodecResult {
  /** Codec id as given to `--codecs`. */
  codec: string;
  source: CodecSource;
  /** Encoder settings in words, and what the times measure. */
  description: string;
  summary: LosslessSummary;
  items: LosslessItemResult[];
}

export interface LosslessBenchEnvironment extends BenchEnvironment {
  /** 1-minute load average when the run started (other work on the machine slows every codec). */
  loadAverage: number;
  /** Threads each codec was given (`--threads`). */
  threads: number;
}

export interface LosslessBenchReport {
  format: 'neural-codec-lossless-bench/1';
  dataset: string;
  items: LosslessSourceItem[];
  startedAt: string;
  elapsedMs: number;
  environment: LosslessBenchEnvironment;
  /** JPEG XL effort (`cjxl -e`). */
  jxlEffort: number;
  codecs: LosslessCodecResult[];
  skipped: SkippedCodec[];
}
