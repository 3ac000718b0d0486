/**
 * Loads the native addon (`build/Release/ncodec_native.node`, built from `native/` by node-gyp when
 * the package is installed: the entropy coders, the integer networks, the STFT, the resampler loop,
 * the Cool-chic fitting step, libopus) and turns its errors into {@link CodecError}s.
 *
 * The addon is a thin N-API layer over a pure C++ core; this module declares its shape
 * ({@link NativeAddon}) and is the only place that touches it untyped.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CodecError } from './errors.js';
import { packageRoot } from './package.js';

/** A native rANS table set (native/src/cdf_tables.h). Owns native memory until `dispose()`. */
export interface NativeRansTables {
  encode(symbols: Int32Array, indexes: Int32Array): Uint8Array;
  /** Decodes `out.length` symbols into `out`. */
  decode(bytes: Uint8Array, indexes: Int32Array, out: Int32Array): void;
  idealBits(symbols: Int32Array, indexes: Int32Array): number;
  dispose(): void;
  readonly tableCount: number;
  readonly memoryBytes: number;
}

/**
 * A libopus 1.5.2 encoder + decoder (mono, fixed point; native/src/opus_coder.h). Results are libopus'
 * (≥ 0, or a negative OPUS_* error code). Owns native memory until `dispose()`.
 */
export interface NativeOpusCoder {
  /** An OPUS_SET_* control with one integer argument; RangeError for any other request. */
  encoderCtl(request: number, value: number): number;
  /** Encodes the frame `pcm` (1 … 5,760 samples) into `packet` (≥ 3,825 bytes); the packet's length. */
  encode(pcm: Int16Array, packet: Uint8Array): number;
  /** Decodes `packet` into `pcm` (its capacity, at most 5,760 samples, is the limit); the sample count. */
  decode(packet: Uint8Array, pcm: Int16Array): number;
  dispose(): void;
}

/**
 * Cool-chic fitting in native code (native/src/coolchic_fit.h): parameters, Adam's moments and a copy of
 * the target, until `dispose()`. One step at a time.
 */
export interface NativeCoolChicFitter {
  /** One Adam step on libuv's thread pool, with the proxy {@link proxy} draws; resolves to [mse, bits]. */
  step(seed: number, hard: boolean, lambda: number, lr: number, lrNetwork: number, t: number): Promise<[number, number]>;
  /** The quantization proxy of a step: uniform noise from mulberry32(seed), or round(y) − y when `hard`. */
  proxy(seed: number, hard: boolean, out: Float32Array): void;
  /** Copies the parameters (latents, then the network tensors) into `out`. */
  params(out: Float32Array): void;
  dispose(): void;
}

/** Tables as the native builders return them (precision is the caller's). */
export interface NativeTableArrays {
  cdfs: Int32Array;
  cdfLengths: Int32Array;
  offsets: Int32Array;
}

/** The functions and classes the addon exports (native/binding). */
export interface NativeAddon {
  RansTables: new (cdfs: Int32Array, cdfLengths: Int32Array, offsets: Int32Array, precision: number) => NativeRansTables;
  ransLanes(count: number): number;
  adaptiveEncode(symbols: Int32Array, contexts: Int32Array, alphabetSizes: Int32Array, increment: number, limit: number): Uint8Array;
  adaptiveDecode(
    bytes: Uint8Array, contexts: Int32Array, alphabetSizes: Int32Array, increment: number, limit: number, out: Int32Array,
  ): void;
  adaptiveIdealBits(symbols: Int32Array, contexts: Int32Array, alphabetSizes: Int32Array, increment: number, limit: number): number;
  quantizeCdf(pmf: Float64Array, precision: number): Int32Array;
  buildGaussianTables(scaleTable: Float64Array, tailBoundMultiplier: number, precision: number): NativeTableArrays;
  buildFactorizedTables(
    pmfs: Float64Array, pmfLengths: Int32Array, tailMass: Float64Array, offsets: Int32Array, precision: number,
  ): NativeTableArrays;
  tailBoundMultiplier(tailMass: number): number;
  intConv3x3(
    input: Int32Array, inChannels: number, height: number, width: number, weight: Int32Array, mult: Int32Array,
    bias: Float64Array, outChannels: number, shift: number, lo: number, hi: number, output: Int32Array, threads?: number,
  ): void;
  losslessMlpEncode(model: Uint8Array, pixels: Uint8Array, width: number, height: number, channels: number, threads: number): Uint8Array;
  losslessMlpDecode(model: Uint8Array, bytes: Uint8Array, width: number, height: number, channels: number, pixels: Uint8Array): void;
  losslessMlpBits(model: Uint8Array, pixels: Uint8Array, width: number, height: number, channels: number, threads: number): number;
  /** native/src/coolchic_arm.h: the Cool-chic ARM latent coder (sizes: (height, width) pairs in coding order). */
  armEncode(weights: Int32Array, values: Int32Array, sizes: Int32Array): Uint8Array;
  armDecode(weights: Int32Array, bytes: Uint8Array, sizes: Int32Array, values: Int32Array): void;
  armBits(weights: Int32Array, values: Int32Array, sizes: Int32Array): number;
  /** [muFix, sFix] of the integer MLP for one context of 16 latents. */
  armPredict(weights: Int32Array, context: Int32Array): [number, number];
  /** native/src/resample.h: the resampler's inner loop (src/media/resampler.ts). */
  resampleBlock(
    buffer: Float32Array, bufferStart: number, phases: Float32Array, up: number, whole: number, part: number, reach: number,
    base: number, rem: number, out: Float32Array,
  ): void;
  /** native/src/coolchic_fit.h: the inr codec's Cool-chic fitting step (codecs/inr/coolchic-steppers.ts). */
  CoolChicFitter: new (height: number, width: number, params: Float32Array, target: Float32Array, threads: number) => NativeCoolChicFitter;
  /** native/src/opus_coder.h: libopus for opuspf's core (codecs/opuspf/libopus.ts). */
  OpusCoder: new (rate: number, application: number) => NativeOpusCoder;
  /** native/src/stft.h: opuspf's post-filter transforms (re, im, magnitude: frames × bins each, written). */
  stftAnalyse(x: Float32Array, nFft: number, hop: number, re: Float32Array, im: Float32Array, magnitude: Float32Array): void;
  stftSynthesise(
    re: Float32Array, im: Float32Array, gains: Float32Array, noise: 0 | 1, seed: number, nFft: number, hop: number, out: Float32Array,
  ): void;
}

const ADDON_FILE = join('build', 'Release', 'ncodec_native.node');

let cached: NativeAddon | undefined;

/**
 * The native addon, loaded once. Throws `CodecError` `ERR_NATIVE_ADDON` when it was not built or does not
 * load, saying how to build it.
 */
export function loadNative(): NativeAddon {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  const path = join(root, ADDON_FILE);
  try {
    cached = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    const built = existsSync(path);
    throw new CodecError(
      'ERR_NATIVE_ADDON',
      built
        ? `The native entropy coder at ${path} does not load (${(err as Error).message}). ` +
            `Rebuild it for this Node.js version with \`npm run build\` (or \`npm rebuild neural-codec\`) in ${root}.`
        : `The native entropy coder is not built (${path} is missing). Run \`npm install\` (or \`npm run build\`) ` +
            `in ${root}; it compiles native/ with node-gyp, which needs Python 3 and a C++17 compiler.`,
      { cause: err },
    );
  }
  return cached;
}

/**
 * Rethrows an error from the addon: errors carrying a bitstream code become {@link CodecError}s, everything
 * else (TypeError, RangeError) passes through unchanged.
 */
export function rethrowNative(err: unknown): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_BITSTREAM_CORRUPT' || code === 'ERR_BITSTREAM_TRUNCATED' || code === 'ERR_DISPOSED') {
    throw new CodecError(code, (err as Error).message, { cause: err });
  }
  throw err;
}

/** Runs a native call, converting its errors with {@link rethrowNative}. */
export function callNative<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    rethrowNative(err);
  }
}
