/**
 * The two entropy models of learned image/audio codecs as latent sub-codecs (CompressAI's
 * `EntropyBottleneck` and `GaussianConditional`), both coding with static rANS tables from the
 * manifest through the native coder — no per-symbol coding in JavaScript.
 *
 * Quantisation follows the manifest exactly, in float32 as the networks compute:
 *
 *   z (factorized prior, Ballé et al. 2018):  v = round_half_even(z − median_c), table c,
 *                                              ẑ = float32(v + median_c)
 *   y (Gaussian conditional, Minnen 2018):    v = round_half_even(y − μ), table index(σ),
 *                                              ŷ = float32(v + μ)
 *
 * `Math.fround(a − b)` of two float32 values equals the float32 subtraction (a double has more than
 * 2·24 + 2 bits, so rounding twice is harmless); table indexes come from `buildScaleIndexes`.
 */
import { signedReconstruct, signedResiduals } from './med.js';
import { RansCoder } from './rans.js';
import { buildScaleIndexes, concatTableSets, type CdfTableSet } from './tables.js';
import { CodecError } from '../errors.js';
import { roundHalfEven, type Latent } from '../tensor.js';

/** v = round_half_even(fround(x − shift)) element-wise; `shift` is per element, or per channel of `plane` elements. */
export function quantize(x: Float32Array, shift: Float32Array, plane = 1): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = roundHalfEven(Math.fround(x[i]! - shift[plane === 1 ? i : Math.floor(i / plane)]!));
  return out;
}

/** x̂ = float32(v + shift), the inverse of {@link quantize} up to the rounding. */
export function dequantize(v: Int32Array, shift: Float32Array, plane = 1): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! + shift[plane === 1 ? i : Math.floor(i / plane)]!;
  return out;
}

/**
 * Channels of a factorized latent coded as spatial prediction residuals: the symbols v of each listed
 * channel are replaced by their MED residuals (`signedResiduals`, LOCO-I's predictor over the channel's
 * plane in raster order) and coded with the matching table of `tables` — the JPEG treatment of DC
 * coefficients, for the low-pass channels whose neighbours are alike. Lossless: the decoder rebuilds v.
 */
export interface LatentPrediction {
  /** Channel indexes, distinct, in [0, C). */
  channels: Int32Array;
  /** One residual table per listed channel, in the same order. */
  tables: CdfTableSet;
}

/**
 * Entropy bottleneck for z: one learned factorized density (one table) per channel, symbols
 * relative to the channel's median; optionally some channels coded as prediction residuals.
 */
export class FactorizedLatentCodec implements Disposable {
  private readonly coder: RansCoder;
  /** Coder table of each channel: c, or C + k for the k-th predicted channel. */
  private readonly tableOf: Int32Array;
  private readonly predicted: Int32Array;

  constructor(tables: CdfTableSet, private readonly medians: Float32Array, prediction?: LatentPrediction) {
    const channels = medians.length;
    this.tableOf = Int32Array.from({ length: channels }, (_, c) => c);
    this.predicted = prediction?.channels ?? new Int32Array(0);
    if (prediction) {
      if (prediction.tables.cdfLengths.length !== this.predicted.length) {
        throw new RangeError(`${this.predicted.length} predicted channels need as many residual tables, not ${prediction.tables.cdfLengths.length}`);
      }
      this.predicted.forEach((c, k) => {
        if (!(c >= 0 && c < channels) || this.tableOf[c] !== c) throw new RangeError(`predicted channel ${c} is out of range or listed twice`);
        this.tableOf[c] = channels + k;
      });
    }
    this.coder = new RansCoder(prediction ? concatTableSets(tables, prediction.tables) : tables);
  }

  /** Codes z; returns the bytes and ẑ (what the decoder will reconstruct). */
  encode(z: Latent): { bytes: Uint8Array; zHat: Latent } {
    const plane = z.height * z.width;
    const symbols = quantize(z.data, this.medians, plane);
    const zHat = { channels: z.channels, height: z.height, width: z.width, data: dequantize(symbols, this.medians, plane) };
    const coded = this.predicted.length ? symbols.slice() : symbols;
    for (const c of this.predicted) coded.set(signedResiduals(symbols.subarray(c * plane, (c + 1) * plane), z.width, z.height), c * plane);
    return { bytes: this.coder.encode(coded, this.indexes(z.channels, plane)), zHat };
  }

  /** Decodes ẑ of the given shape. Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT. */
  decode(bytes: Uint8Array, shape: Omit<Latent, 'data'>): Latent {
    const plane = shape.height * shape.width;
    const symbols = this.coder.decode(bytes, this.indexes(shape.channels, plane));
    for (const c of this.predicted) {
      const residuals = symbols.subarray(c * plane, (c + 1) * plane);
      signedReconstruct(residuals, shape.width, shape.height, residuals); // in place: reads only earlier samples
    }
    return { channels: shape.channels, height: shape.height, width: shape.width, data: dequantize(symbols, this.medians, plane) };
  }

  dispose(): void {
    this.coder.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private indexes(channels: number, plane: number): Int32Array {
    const out = new Int32Array(channels * plane);
    for (let c = 0; c < channels; c++) out.fill(this.tableOf[c] ?? c, c * plane, (c + 1) * plane);
    return out;
  }
}

/**
 * Gaussian conditional for y: each element is coded with the table of its predicted scale σ, as an
 * integer offset from its predicted mean μ (both from h_s).
 */
export class GaussianLatentCodec implements Disposable {
  private readonly coder: RansCoder;

  constructor(tables: CdfTableSet, private readonly scaleTable: Float32Array) {
    this.coder = new RansCoder(tables);
  }

  /** Codes y given h_s's scales and means (same shape as y). */
  encode(y: Latent, scales: Latent, means: Latent): Uint8Array {
    checkSameShape(y, scales, means);
    const symbols = quantize(y.data, means.data);
    return this.coder.encode(symbols, buildScaleIndexes(scales.data, this.scaleTable));
  }

  /** Decodes ŷ = v + μ. Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT. */
  decode(bytes: Uint8Array, scales: Latent, means: Latent): Latent {
    checkSameShape(scales, scales, means);
    const symbols = this.coder.decode(bytes, buildScaleIndexes(scales.data, this.scaleTable));
    return { channels: means.channels, height: means.height, width: means.width, data: dequantize(symbols, means.data) };
  }

  dispose(): void {
    this.coder.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function checkSameShape(a: Latent, ...others: Latent[]): void {
  for (const b of others) {
    if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width || b.data.length !== a.data.length) {
      throw new CodecError('ERR_MODEL_INVALID', `h_s returned ${b.channels}×${b.height}×${b.width} where ${a.channels}×${a.height}×${a.width} was expected: the model does not match its manifest.`);
    }
  }
}
