/**
 * Static entropy tables: quantized CDFs in the CompressAI format, and builders for the two table sets of
 * learned compression — the Gaussian conditional (a table per scale of a log-spaced scale table) and
 * the factorized prior (a table per channel). See docs/ENTROPY.md for the format.
 *
 * The builders are integer-exact after one floating-point scaling step (native/src/quantize_cdf.h), but
 * models ship their tables in the manifest and the runtime uses those; building here is for training
 * exports, tests and benchmarks.
 */
import { checkInteger, checkInt32Array, invalidRange, invalidType } from '../validate.js';
import { callNative, loadNative } from '../native.js';

/**
 * A set of quantized CDF tables. Table `i` occupies `cdfLengths[i]` entries of `cdfs` (tables are
 * concatenated in order): `cdf[0] = 0`, strictly increasing, last entry `1 << precision`. It has
 * `n = cdfLengths[i] - 1` symbols; symbols `0 .. n-2` code the values `offsets[i] .. offsets[i] + n - 2`,
 * symbol `n - 1` is the escape for every other value.
 */
export interface CdfTableSet {
  cdfs: Int32Array;
  cdfLengths: Int32Array;
  offsets: Int32Array;
  /** Bits of the CDF scale, 1..16. */
  precision: number;
}

/** Default CDF precision: frequencies out of 2^16. */
export const DEFAULT_PRECISION = 16;
/** CompressAI's default tail mass of the Gaussian conditional: the probability left outside a table. */
export const DEFAULT_TAIL_MASS = 1e-9;

/** A pmf or other list of numbers. */
export type NumberArray = Float64Array | Float32Array | readonly number[];

function checkNumberArray(value: unknown, name: string): Float64Array {
  if (value instanceof Float64Array) return value;
  if (value instanceof Float32Array) return Float64Array.from(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return Float64Array.from(value as number[]);
  throw invalidType('a Float64Array, Float32Array or array of numbers', name, value);
}

function checkPrecision(value: unknown, name = 'options.precision'): number {
  return checkInteger(value ?? DEFAULT_PRECISION, name, 1, 16);
}

/** Checks the kinds of a {@link CdfTableSet}; the native layer checks the values. */
export function checkCdfTableSet(value: unknown, name = 'tables'): CdfTableSet {
  if (typeof value !== 'object' || value === null) throw invalidType('a CdfTableSet object', name, value);
  const t = value as Partial<CdfTableSet>;
  return {
    cdfs: checkInt32Array(t.cdfs, `${name}.cdfs`),
    cdfLengths: checkInt32Array(t.cdfLengths, `${name}.cdfLengths`),
    offsets: checkInt32Array(t.offsets, `${name}.offsets`),
    precision: checkPrecision(t.precision, `${name}.precision`),
  };
}

/** The tables of `a` followed by those of `b` (table `i` of `b` becomes `a`'s count + `i`); same precision. */
export function concatTableSets(a: CdfTableSet, b: CdfTableSet): CdfTableSet {
  if (a.precision !== b.precision) throw invalidRange(`precision ${a.precision} like the first set`, 'tables.precision', b.precision);
  const join = (x: Int32Array, y: Int32Array) => { const out = new Int32Array(x.length + y.length); out.set(x); out.set(y, x.length); return out; };
  return { cdfs: join(a.cdfs, b.cdfs), cdfLengths: join(a.cdfLengths, b.cdfLengths), offsets: join(a.offsets, b.offsets), precision: a.precision };
}

/**
 * Quantizes a pmf (non-negative, not all zero; normalized here) into a CDF of `pmf.length + 1` entries:
 * `cdf[0] = 0`, last `1 << precision`, every symbol at frequency >= 1. Proportional shares with the
 * largest-remainder method in integer arithmetic; symbols whose share is below one slot get exactly 1.
 */
export function quantizeCdf(pmf: NumberArray, precision: number = DEFAULT_PRECISION): Int32Array {
  const p = checkNumberArray(pmf, 'pmf');
  const prec = checkPrecision(precision, 'precision');
  return callNative(() => loadNative().quantizeCdf(p, prec));
}

/** `-Φ⁻¹(tailMass / 2)`: the half-width, in standard deviations, that leaves `tailMass` outside. */
export function tailBoundMultiplier(tailMass: number = DEFAULT_TAIL_MASS): number {
  if (typeof tailMass !== 'number') throw invalidType('a number', 'tailMass', tailMass);
  if (!(tailMass > 0 && tailMass < 1)) throw invalidRange('a number between 0 and 1 (exclusive)', 'tailMass', tailMass);
  return loadNative().tailBoundMultiplier(tailMass);
}

/**
 * CompressAI's scale table: `levels` scales spaced evenly in log between `min` and `max`
 * (`exp(linspace(log 0.11, log 256, 64))` by default).
 */
export function defaultScaleTable(min = 0.11, max = 256, levels = 64): Float64Array {
  if (!(min > 0 && max > min)) throw invalidRange('0 < min < max', 'the scale range', `${min}..${max}`);
  checkInteger(levels, 'levels', 2, 65536);
  const lo = Math.log(min);
  const hi = Math.log(max);
  return Float64Array.from({ length: levels }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (levels - 1)));
}

/** Options of {@link buildGaussianTables}. */
export interface GaussianTableOptions {
  /** Probability mass outside each table, which sets the half-width; default 1e-9 (CompressAI). */
  tailMass?: number;
  /** Half-width of the table for scale `s` is `ceil(s * tailBoundMultiplier)`; overrides `tailMass`. */
  tailBoundMultiplier?: number;
  /** CDF precision in bits, default 16. */
  precision?: number;
}

/**
 * The Gaussian-conditional table set (CompressAI `GaussianConditional.update_scale_table`): for each
 * scale `s`, the values `-L..L` with `L = ceil(s * tailBoundMultiplier)` get the mass of N(0, s²) on
 * `[v - 0.5, v + 0.5]`, and the escape gets the two tails beyond. `offsets[i] = -L`.
 */
export function buildGaussianTables(scaleTable: NumberArray, options: GaussianTableOptions = {}): CdfTableSet {
  const scales = checkNumberArray(scaleTable, 'scaleTable');
  const precision = checkPrecision(options.precision);
  let multiplier: number;
  if (options.tailBoundMultiplier !== undefined) {
    multiplier = options.tailBoundMultiplier;
    if (typeof multiplier !== 'number') throw invalidType('a number', 'options.tailBoundMultiplier', multiplier);
    if (!(multiplier > 0 && Number.isFinite(multiplier))) {
      throw invalidRange('a positive finite number', 'options.tailBoundMultiplier', multiplier);
    }
  } else {
    multiplier = tailBoundMultiplier(options.tailMass ?? DEFAULT_TAIL_MASS);
  }
  const t = callNative(() => loadNative().buildGaussianTables(scales, multiplier, precision));
  return { ...t, precision };
}

/**
 * Factorized (entropy-bottleneck) tables: channel `c` codes the values `offsets[c] ..
 * offsets[c] + pmfs[c].length - 1` with probabilities `pmfs[c]`, and its escape has probability
 * `tailMass[c]` (CompressAI `EntropyBottleneck`: the likelihood mass outside the quantile range).
 */
export function buildFactorizedTables(
  pmfs: readonly NumberArray[],
  tailMass: NumberArray,
  offsets: Int32Array | readonly number[],
  options: { precision?: number } = {},
): CdfTableSet {
  if (!Array.isArray(pmfs)) throw invalidType('an array of pmfs (one per channel)', 'pmfs', pmfs);
  const precision = checkPrecision(options.precision);
  const channels = pmfs.map((p, c) => checkNumberArray(p, `pmfs[${c}]`));
  const tails = checkNumberArray(tailMass, 'tailMass');
  const offs = offsets instanceof Int32Array ? offsets : Int32Array.from(checkNumberArray(offsets, 'offsets'));
  if (tails.length !== channels.length) {
    throw invalidRange(`${channels.length} values (one per channel)`, 'tailMass.length', tails.length);
  }
  if (offs.length !== channels.length) {
    throw invalidRange(`${channels.length} values (one per channel)`, 'offsets.length', offs.length);
  }
  const lengths = Int32Array.from(channels, (p) => p.length);
  const flat = new Float64Array(lengths.reduce((a, b) => a + b, 0));
  let base = 0;
  for (const p of channels) {
    flat.set(p, base);
    base += p.length;
  }
  const t = callNative(() => loadNative().buildFactorizedTables(flat, lengths, tails, offs, precision));
  return { ...t, precision };
}

/**
 * Table index of each scale (CompressAI `GaussianConditional.build_indexes`): the first entry of
 * `scaleTable` (ascending) that is >= the scale, the last entry for larger scales. Each scale is first
 * rounded to float32, as the networks compute it, so encoder and decoder agree.
 */
export function buildScaleIndexes(scales: Float32Array | Float64Array, scaleTable: NumberArray): Int32Array {
  const table = Float32Array.from(checkNumberArray(scaleTable, 'scaleTable'));
  if (!(scales instanceof Float32Array || scales instanceof Float64Array)) {
    throw invalidType('a Float32Array or Float64Array', 'scales', scales);
  }
  const out = new Int32Array(scales.length);
  const last = table.length - 1;
  for (let i = 0; i < scales.length; i++) {
    const s = Math.fround(scales[i] as number);
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((table[mid] as number) >= s) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}
