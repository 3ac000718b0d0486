/**
 * Adaptive multi-symbol range coding (native/src/adaptive_codec.h) for symbols whose statistics are
 * learned on the fly: RVQ codebook indices, quantized network weights. Each symbol names the context
 * (one adaptive model) that codes it; a context's model covers `alphabetSizes[context]` symbols.
 *
 * Model: counts start at 1 for every symbol; after each coded symbol its count grows by `increment`;
 * when the total exceeds `limit`, all counts are halved (rounding up). Encoder and decoder update the
 * same way, so the decoder needs only the contexts, the alphabet sizes and the options. Cumulative
 * counts live in a Fenwick tree, so coding costs O(log alphabet) per symbol.
 */
import { checkInteger, checkInt32Array, checkUint8Array, invalidRange, invalidType } from '../validate.js';
import { callNative, loadNative } from '../native.js';

/** Options of the adaptive models; encoder and decoder must use the same. */
export interface AdaptiveOptions {
  /**
   * Added to a symbol's count after it is coded; at most `limit / 2`. Larger values adapt faster.
   * Default {@link DEFAULT_ADAPTIVE_INCREMENT}.
   */
  increment?: number;
  /**
   * Counts are halved when their total exceeds this; at most 65536 (the range coder's precision).
   * Every alphabet size must be at most `limit / 2`. Default {@link DEFAULT_ADAPTIVE_LIMIT}.
   */
  limit?: number;
}

export const DEFAULT_ADAPTIVE_INCREMENT = 32;
export const DEFAULT_ADAPTIVE_LIMIT = 1 << 16;
/** Largest `limit`; the largest alphabet is `limit / 2`. */
export const MAX_ADAPTIVE_LIMIT = 1 << 16;

function resolveOptions(options: AdaptiveOptions | undefined): { increment: number; limit: number } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidType('an options object', 'options', options);
  }
  const limit = checkInteger(options?.limit ?? DEFAULT_ADAPTIVE_LIMIT, 'options.limit', 2, MAX_ADAPTIVE_LIMIT);
  const increment = checkInteger(options?.increment ?? DEFAULT_ADAPTIVE_INCREMENT, 'options.increment', 1, Math.floor(limit / 2));
  return { increment, limit };
}

function checkContexts(contexts: unknown, count: number, alphabetSizes: unknown): [Int32Array, Int32Array] {
  const ctx = checkInt32Array(contexts, 'contexts');
  if (ctx.length !== count) throw invalidRange(`an Int32Array of length ${count} (one context per symbol)`, 'contexts', ctx);
  return [ctx, checkInt32Array(alphabetSizes, 'alphabetSizes')];
}

/**
 * Encodes `symbols[i]` with the adaptive model of context `contexts[i]`. Throws RangeError for a symbol
 * outside its context's alphabet, a context outside `alphabetSizes`, or an alphabet size outside
 * `1 .. limit / 2`.
 */
export function adaptiveEncode(
  symbols: Int32Array,
  contexts: Int32Array,
  alphabetSizes: Int32Array,
  options?: AdaptiveOptions,
): Uint8Array {
  const syms = checkInt32Array(symbols, 'symbols');
  const [ctx, sizes] = checkContexts(contexts, syms.length, alphabetSizes);
  const { increment, limit } = resolveOptions(options);
  return callNative(() => loadNative().adaptiveEncode(syms, ctx, sizes, increment, limit));
}

/**
 * Decodes `contexts.length` symbols (into `out` when given). Throws CodecError
 * ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT for a stream that ends early or is inconsistent.
 */
export function adaptiveDecode(
  bytes: Uint8Array,
  contexts: Int32Array,
  alphabetSizes: Int32Array,
  options?: AdaptiveOptions & { out?: Int32Array },
): Int32Array {
  checkUint8Array(bytes, 'bytes');
  const ctx = checkInt32Array(contexts, 'contexts');
  const sizes = checkInt32Array(alphabetSizes, 'alphabetSizes');
  const { increment, limit } = resolveOptions(options);
  const out = options?.out === undefined ? new Int32Array(ctx.length) : checkInt32Array(options.out, 'options.out');
  if (out.length !== ctx.length) {
    throw invalidRange(`an Int32Array of length ${ctx.length} (one slot per context)`, 'options.out', out);
  }
  callNative(() => loadNative().adaptiveDecode(bytes, ctx, sizes, increment, limit, out));
  return out;
}

/**
 * Ideal size in bits of {@link adaptiveEncode}'s output under its own models: the sum over symbols of
 * `-log2(count / total)` at the moment each symbol is coded. The coded size exceeds it only by the range
 * coder's overhead (a few bytes of flush plus well under 0.01 bit per symbol).
 */
export function adaptiveIdealBits(
  symbols: Int32Array,
  contexts: Int32Array,
  alphabetSizes: Int32Array,
  options?: AdaptiveOptions,
): number {
  const syms = checkInt32Array(symbols, 'symbols');
  const [ctx, sizes] = checkContexts(contexts, syms.length, alphabetSizes);
  const { increment, limit } = resolveOptions(options);
  return callNative(() => loadNative().adaptiveIdealBits(syms, ctx, sizes, increment, limit));
}
