/**
 * What the benchmark runs: one runner per codec, whether a classic baseline (sharp, ffmpeg) or an
 * ncodec codec opened from the registry. A runner turns the dataset's media into file bytes at one
 * rate setting and back; the benchmark times both calls and measures the result.
 */
import type { CodecSource, BenchSetting } from './types.js';

/** 8-bit interleaved RGB: what every image codec is fed and what metrics compare. */
export interface Rgb8Image {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** One mono clip at its own sample rate. */
export interface MonoClip {
  samples: Float32Array;
  sampleRate: number;
}

interface RunnerBase {
  /** Codec id as given to `--codecs`. */
  id: string;
  source: CodecSource;
  /** Encoder settings in words, for the report. */
  description: string;
  /** The rate settings to sweep, low to high rate. */
  settings: BenchSetting[];
  /** Frees whatever the runner holds (model sessions, temporary folders). */
  dispose(): Promise<void>;
}

export interface ImageRunner extends RunnerBase {
  encode(image: Rgb8Image, setting: BenchSetting): Promise<Uint8Array>;
  /** Decodes to 8-bit RGB of the source's size. */
  decode(bytes: Uint8Array, source: Rgb8Image): Promise<Rgb8Image>;
}

export interface AudioRunner extends RunnerBase {
  encode(clip: MonoClip, setting: BenchSetting): Promise<Uint8Array>;
  /** Decodes to mono at the source's sample rate (length may differ by a few samples; the caller aligns). */
  decode(bytes: Uint8Array, source: MonoClip): Promise<Float32Array>;
}

/** A codec id the runner factory does not know; the command turns it into a usage error. */
export class UnknownCodecError extends Error {
  constructor(readonly codec: string, readonly known: readonly string[]) {
    super(`Unknown codec '${codec}'. Known: ${known.join(', ')}.`);
    this.name = 'UnknownCodecError';
  }
}

/** A codec that cannot run here (model files missing, wrong media); the benchmark skips it. */
export class SkipCodecError extends Error {
  constructor(readonly codec: string, reason: string) {
    super(reason);
    this.name = 'SkipCodecError';
  }
}
