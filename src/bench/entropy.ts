/**
 * `ncodec bench entropy`: throughput and coding overhead of the native entropy coders on synthetic data
 * drawn like real latents, from a fixed seed (the same numbers on every run and machine).
 *
 * - rANS: hyperprior-like latents. Each symbol gets a scale spread log-uniformly over CompressAI's
 *   scale table (0.11 .. 256), the value round-half-even(N(0, scale²)), the index of that scale in the
 *   table (as `GaussianConditional.build_indexes` picks it), and 0.1 % of the values are replaced by
 *   heavy-tailed outliers (log-uniform magnitudes up to 2³¹) that take the escape path. The ideal size is
 *   the information content under the quantized tables, escapes counted at their escape-code length.
 * - Adaptive: RVQ-like codebook indices, four interleaved contexts (levels) over 1024 symbols with
 *   skewed (Laplacian) distributions whose centres drift and jump, so the models must keep adapting. The
 *   ideal size is that of the coder's own adaptive model at the moment each symbol is coded.
 *
 * Timings exclude data generation; each coder runs `reps` times and the median and best are reported.
 * Decoding writes into a preallocated array (the `out` parameter), as a streaming decoder would.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { adaptiveDecode, adaptiveEncode, adaptiveIdealBits, DEFAULT_ADAPTIVE_INCREMENT, DEFAULT_ADAPTIVE_LIMIT } from '../entropy/adaptive.js';
import { RansCoder } from '../entropy/rans.js';
import { buildGaussianTables, buildScaleIndexes, defaultScaleTable } from '../entropy/tables.js';
import { checkInteger, invalidType } from '../validate.js';
import { roundHalfEven } from '../tensor.js';

/** Options of {@link runEntropyBench}. */
export interface EntropyBenchOptions {
  /** Symbols per coder, default 10 000 000. */
  symbols?: number;
  /** PRNG seed, default 1. */
  seed?: number;
  /** Timed repetitions per coder and direction, default 5 (rANS) and 3 (adaptive, which is slower). */
  reps?: number;
  onProgress?: (message: string) => void;
}

/** Timings of one direction of one coder. */
export interface ThroughputStats {
  reps: number;
  medianMs: number;
  bestMs: number;
  /** Symbols per second at the median time. */
  symbolsPerSecond: number;
  /** Symbols per second at the best time. */
  bestSymbolsPerSecond: number;
}

/** Size of a coded stream against its ideal. */
export interface SizeStats {
  codedBytes: number;
  idealBytes: number;
  /** `(codedBytes / idealBytes - 1) * 100`. */
  overheadPercent: number;
  bitsPerSymbol: number;
}

export interface RansBenchResult extends SizeStats {
  symbols: number;
  tables: number;
  precision: number;
  /** Symbols outside their table (coded with the escape). */
  escapes: number;
  encode: ThroughputStats;
  decode: ThroughputStats;
}

export interface AdaptiveBenchResult extends SizeStats {
  symbols: number;
  contexts: number;
  alphabetSize: number;
  increment: number;
  limit: number;
  encode: ThroughputStats;
  decode: ThroughputStats;
}

export interface EntropyBenchResult {
  seed: number;
  rans: RansBenchResult;
  adaptive: AdaptiveBenchResult;
  environment: { node: string; platform: string; arch: string; cpu: string; cpus: number };
}

// ---------------------------------------------------------------------------------------------------
// Deterministic random numbers

/** xoshiro128** (Blackman & Vigna), seeded through splitmix32: uniform floats in [0, 1). */
export class Xoshiro128 {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Standard normal samples by the Box–Muller transform (both outputs used). */
class Normal {
  #spare: number | null = null;

  constructor(private readonly rng: Xoshiro128) {}

  next(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    const u1 = 1 - this.rng.next(); // (0, 1]
    const u2 = this.rng.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.#spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

// ---------------------------------------------------------------------------------------------------
// Data

const OUTLIER_RATE = 0.001;

interface RansData {
  symbols: Int32Array;
  indexes: Int32Array;
  scaleTable: Float64Array;
}

function ransData(count: number, rng: Xoshiro128): RansData {
  const scaleTable = defaultScaleTable();
  const logMin = Math.log(scaleTable[0]!);
  const logMax = Math.log(scaleTable[scaleTable.length - 1]!);
  const normal = new Normal(rng);
  const scales = new Float32Array(count);
  const symbols = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const scale = Math.exp(logMin + (logMax - logMin) * rng.next());
    scales[i] = scale;
    symbols[i] = roundHalfEven(normal.next() * scale);
    if (rng.next() < OUTLIER_RATE) {
      const magnitude = Math.min(2 ** 31, Math.floor(2 ** (31 * rng.next())));
      symbols[i] = rng.next() < 0.5 ? -magnitude : Math.min(magnitude, 2 ** 31 - 1);
    }
  }
  return { symbols, indexes: buildScaleIndexes(scales, scaleTable), scaleTable };
}

const ADAPTIVE_CONTEXTS = 4;
const ADAPTIVE_ALPHABET = 1024;
const SEGMENT = 250_000; // symbols between jumps of the distributions' centres

/**
 * RVQ-like indices: context = i % 4 (the level); level l draws a two-sided geometric (discrete
 * Laplacian) value of mean width 3·2^l around a centre that drifts slowly and jumps every 250 000
 * symbols, wrapped into 0..1023.
 */
function adaptiveData(count: number, rng: Xoshiro128): { symbols: Int32Array; contexts: Int32Array } {
  const symbols = new Int32Array(count);
  const contexts = new Int32Array(count);
  const centres = Array.from({ length: ADAPTIVE_CONTEXTS }, () => rng.next() * ADAPTIVE_ALPHABET);
  for (let i = 0; i < count; i++) {
    const level = i % ADAPTIVE_CONTEXTS;
    if (i % SEGMENT === 0 && i > 0) centres[level] = rng.next() * ADAPTIVE_ALPHABET;
    centres[level] = centres[level]! + 0.001; // slow drift
    const width = 3 * 2 ** level;
    const magnitude = Math.floor(-Math.log(1 - rng.next()) * width);
    const value = Math.floor(centres[level]!) + (rng.next() < 0.5 ? -magnitude : magnitude);
    symbols[i] = ((value % ADAPTIVE_ALPHABET) + ADAPTIVE_ALPHABET) % ADAPTIVE_ALPHABET;
    contexts[i] = level;
  }
  return { symbols, contexts };
}

// ---------------------------------------------------------------------------------------------------
// Measuring

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time<T>(reps: number, symbols: number, run: () => T): [T, ThroughputStats] {
  let result = run(); // warm-up (also the result checked by the caller)
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = run();
    times.push(performance.now() - t0);
  }
  const medianMs = median(times);
  const bestMs = Math.min(...times);
  return [
    result,
    { reps, medianMs, bestMs, symbolsPerSecond: (symbols / medianMs) * 1e3, bestSymbolsPerSecond: (symbols / bestMs) * 1e3 },
  ];
}

function sizeStats(codedBytes: number, idealBits: number, symbols: number): SizeStats {
  return {
    codedBytes,
    idealBytes: idealBits / 8,
    overheadPercent: idealBits > 0 ? ((codedBytes * 8) / idealBits - 1) * 100 : 0,
    bitsPerSymbol: symbols > 0 ? (codedBytes * 8) / symbols : 0,
  };
}

function checkRoundTrip(coder: string, expected: Int32Array, actual: Int32Array): void {
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) {
      throw new Error(`${coder} round trip failed at symbol ${i}: expected ${expected[i]}, decoded ${actual[i]}`);
    }
  }
}

function benchRans(count: number, seed: number, reps: number, progress: (m: string) => void): RansBenchResult {
  progress(`rANS: generating ${count} hyperprior-like symbols`);
  const { symbols, indexes, scaleTable } = ransData(count, new Xoshiro128(seed));
  const tables = buildGaussianTables(scaleTable);
  const coder = new RansCoder(tables);
  try {
    progress('rANS: encoding');
    const [bytes, encode] = time(reps, count, () => coder.encode(symbols, indexes));
    progress('rANS: decoding');
    const out = new Int32Array(count);
    const [decoded, decode] = time(reps, count, () => coder.decode(bytes, indexes, out));
    checkRoundTrip('rANS', symbols, decoded);
    let escapes = 0;
    for (let i = 0; i < count; i++) {
      const t = indexes[i]!;
      const s = symbols[i]! - tables.offsets[t]!;
      if (s < 0 || s >= tables.cdfLengths[t]! - 2) escapes++;
    }
    return {
      symbols: count, tables: coder.tableCount, precision: coder.precision, escapes,
      ...sizeStats(bytes.length, coder.idealBits(symbols, indexes), count), encode, decode,
    };
  } finally {
    coder.dispose();
  }
}

function benchAdaptive(count: number, seed: number, reps: number, progress: (m: string) => void): AdaptiveBenchResult {
  progress(`adaptive: generating ${count} RVQ-like symbols`);
  const { symbols, contexts } = adaptiveData(count, new Xoshiro128(seed ^ 0x5bd1e995));
  const sizes = new Int32Array(ADAPTIVE_CONTEXTS).fill(ADAPTIVE_ALPHABET);
  progress('adaptive: encoding');
  const [bytes, encode] = time(reps, count, () => adaptiveEncode(symbols, contexts, sizes));
  progress('adaptive: decoding');
  const out = new Int32Array(count);
  const [decoded, decode] = time(reps, count, () => adaptiveDecode(bytes, contexts, sizes, { out }));
  checkRoundTrip('adaptive', symbols, decoded);
  const idealBits = adaptiveIdealBits(symbols, contexts, sizes);
  return {
    symbols: count, contexts: ADAPTIVE_CONTEXTS, alphabetSize: ADAPTIVE_ALPHABET,
    increment: DEFAULT_ADAPTIVE_INCREMENT, limit: DEFAULT_ADAPTIVE_LIMIT,
    ...sizeStats(bytes.length, idealBits, count), encode, decode,
  };
}

/** Runs both coders' benchmarks (single-threaded; about 15 s for the default 10 M symbols). */
export async function runEntropyBench(opts: EntropyBenchOptions = {}): Promise<EntropyBenchResult> {
  if (typeof opts !== 'object' || opts === null) throw invalidType('an options object', 'opts', opts);
  const count = checkInteger(opts.symbols ?? 10_000_000, 'opts.symbols', 1, 100_000_000);
  const seed = checkInteger(opts.seed ?? 1, 'opts.seed', 0, 2 ** 32 - 1);
  const reps = opts.reps === undefined ? undefined : checkInteger(opts.reps, 'opts.reps', 1, 100);
  const progress = opts.onProgress ?? (() => {});
  const rans = benchRans(count, seed, reps ?? 5, progress);
  await new Promise((resolve) => setImmediate(resolve)); // let progress output flush between the two
  const adaptive = benchAdaptive(count, seed, reps ?? 3, progress);
  return {
    seed,
    rans,
    adaptive,
    environment: {
      node: process.version, platform: process.platform, arch: process.arch,
      cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length,
    },
  };
}

function fmtCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtRate(stats: ThroughputStats): string {
  return `${(stats.symbolsPerSecond / 1e6).toFixed(1)} (best ${(stats.bestSymbolsPerSecond / 1e6).toFixed(1)})`;
}

function fmtOverhead(p: number): string {
  return `${p >= 0 ? '+' : ''}${p.toFixed(p !== 0 && Math.abs(p) < 0.01 ? 4 : 3)} %`;
}

/** A small Markdown report of {@link runEntropyBench}'s result. */
export function formatEntropyBench(result: EntropyBenchResult): string {
  const { rans, adaptive, environment: env } = result;
  const row = (name: string, r: SizeStats & { symbols: number; encode: ThroughputStats; decode: ThroughputStats }) =>
    `| ${name} | ${fmtCount(r.symbols)} | ${fmtRate(r.encode)} | ${fmtRate(r.decode)} | ${fmtCount(r.codedBytes)} | ` +
    `${fmtCount(r.idealBytes)} | ${fmtOverhead(r.overheadPercent)} | ${r.bitsPerSymbol.toFixed(3)} |`;
  return [
    `Entropy coders, seed ${result.seed}, single-threaded (${env.cpu}, Node ${env.node}). ` +
      'Throughput in million symbols per second, median of the timed runs.',
    '',
    '| coder | symbols | encode Msym/s | decode Msym/s | coded bytes | ideal bytes | overhead | bits/symbol |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    row(`rANS, ${rans.tables} Gaussian tables, ${fmtCount(rans.escapes)} escapes`, rans),
    row(`adaptive range coder, ${adaptive.contexts} contexts × ${adaptive.alphabetSize}`, adaptive),
    '',
    'Ideal bytes: rANS, information content under the quantized tables (escapes at their escape-code length); ' +
      'adaptive, under its own model as it adapts.',
    '',
  ].join('\n');
}
