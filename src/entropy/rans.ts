/**
 * rANS coding over a set of static quantized CDF tables (native/src/rans_codec.h): whole arrays per call,
 * each symbol coded with the table its index names, values outside a table through the escape code.
 *
 * ```ts
 * const coder = new RansCoder(buildGaussianTables(defaultScaleTable()));
 * const bytes = coder.encode(symbols, indexes);
 * const back = coder.decode(bytes, indexes); // indexes.length symbols
 * coder.dispose(); // or `using coder = ...` where explicit resource management is available
 * ```
 */
import { CodecError } from '../errors.js';
import { checkInt32Array, checkUint8Array, invalidRange } from '../validate.js';
import { callNative, loadNative, type NativeRansTables } from '../native.js';
import { checkCdfTableSet, type CdfTableSet } from './tables.js';

function checkSameLength(array: Int32Array, name: string, expected: number, what: string): void {
  if (array.length !== expected) throw invalidRange(`an Int32Array of length ${expected} (${what})`, name, array);
}

/**
 * A table set prepared once for many encode/decode calls. Owns native memory: call {@link dispose}
 * (or use `using`) when done; the garbage collector frees it otherwise.
 */
export class RansCoder implements Disposable {
  /** Number of tables; indexes range over `0 .. tableCount - 1`. */
  readonly tableCount: number;
  /** CDF precision of the tables in bits. */
  readonly precision: number;
  #native: NativeRansTables | undefined;

  /**
   * Validates the tables (RangeError naming the first bad entry: non-monotone CDF, wrong first or last
   * entry, length < 2, ...) and builds the native lookups.
   */
  constructor(tables: CdfTableSet) {
    const t = checkCdfTableSet(tables);
    const { RansTables } = loadNative();
    this.#native = callNative(() => new RansTables(t.cdfs, t.cdfLengths, t.offsets, t.precision));
    this.tableCount = this.#native.tableCount;
    this.precision = t.precision;
  }

  /** Bytes of native memory held by the prepared tables (0 once disposed). */
  get memoryBytes(): number {
    return this.#native?.memoryBytes ?? 0;
  }

  /** True after {@link dispose}. */
  get disposed(): boolean {
    return this.#native === undefined;
  }

  /**
   * Encodes `symbols[i]` with table `indexes[i]`. Every int32 value is encodable: values outside a table
   * cost its escape symbol plus an Elias-gamma code. Throws RangeError for an index outside the set.
   */
  encode(symbols: Int32Array, indexes: Int32Array): Uint8Array {
    checkInt32Array(symbols, 'symbols');
    checkInt32Array(indexes, 'indexes');
    checkSameLength(indexes, 'indexes', symbols.length, 'one index per symbol');
    const native = this.#live();
    return callNative(() => native.encode(symbols, indexes));
  }

  /**
   * Decodes `indexes.length` symbols (into `out` when given, which must have that length). Throws
   * CodecError ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT for a stream that ends early or fails the
   * format's checks, RangeError for an index outside the set.
   */
  decode(bytes: Uint8Array, indexes: Int32Array, out?: Int32Array): Int32Array {
    checkUint8Array(bytes, 'bytes');
    checkInt32Array(indexes, 'indexes');
    const result = out === undefined ? new Int32Array(indexes.length) : checkInt32Array(out, 'out');
    checkSameLength(result, 'out', indexes.length, 'one slot per index');
    const native = this.#live();
    callNative(() => native.decode(bytes, indexes, result));
    return result;
  }

  /**
   * Ideal coded size in bits: the sum of `-log2(freq / 2^precision)` under the tables, plus the escape
   * code bits of out-of-table values. The encoder's output exceeds it by the rANS overhead only.
   */
  idealBits(symbols: Int32Array, indexes: Int32Array): number {
    checkInt32Array(symbols, 'symbols');
    checkInt32Array(indexes, 'indexes');
    checkSameLength(indexes, 'indexes', symbols.length, 'one index per symbol');
    const native = this.#live();
    return callNative(() => native.idealBits(symbols, indexes));
  }

  /** Frees the native tables now. Further calls throw CodecError ERR_DISPOSED. Idempotent. */
  dispose(): void {
    this.#native?.dispose();
    this.#native = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #live(): NativeRansTables {
    if (this.#native === undefined) throw new CodecError('ERR_DISPOSED', 'The RansCoder was disposed; create a new one');
    return this.#native;
  }
}

/** Number of interleaved rANS states the format uses for `count` symbols (4, or 1 for short arrays). */
export function ransLanes(count: number): number {
  return loadNative().ransLanes(count);
}
