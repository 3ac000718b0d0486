/**
 * The weight stream: the quantized weights of all block networks, coded with the native adaptive
 * range coder (src/entropy/adaptive.ts). Each tensor (w0, b0, w1, …) is one context with its own
 * adaptive model over the alphabet −maxAbs … maxAbs (symbol q + maxAbs), so layers of different
 * statistics never share counts; within a tensor the weights of all blocks follow each other, so the
 * model has thousands of symbols to learn from. maxAbs travels in the header (params.ts).
 */
import { adaptiveDecode, adaptiveEncode } from '../../src/entropy/adaptive.js';
import { CodecError } from '../../src/errors.js';

/** Adaptive-model options of the weight stream (encoder and decoder must agree). */
const ADAPTIVE = { increment: 24, limit: 1 << 16 } as const;

/** max |q| of each tensor. */
export function maxAbsOf(ints: readonly Int32Array[]): Int32Array {
  return Int32Array.from(ints, (q) => q.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
}

function layout(lengths: readonly number[], maxAbs: Int32Array): { contexts: Int32Array; sizes: Int32Array } {
  const total = lengths.reduce((a, b) => a + b, 0);
  const contexts = new Int32Array(total);
  let at = 0;
  lengths.forEach((n, t) => { contexts.fill(t, at, at + n); at += n; });
  return { contexts, sizes: Int32Array.from(maxAbs, (m) => 2 * m + 1) };
}

/** Codes every tensor's integers (|q| ≤ maxAbs[t]). */
export function encodeWeights(ints: readonly Int32Array[], maxAbs: Int32Array): Uint8Array {
  const { contexts, sizes } = layout(ints.map((q) => q.length), maxAbs);
  const symbols = new Int32Array(contexts.length);
  let at = 0;
  ints.forEach((q, t) => { for (const v of q) symbols[at++] = v + maxAbs[t]!; });
  return adaptiveEncode(symbols, contexts, sizes, ADAPTIVE);
}

/** Decodes tensors of the given lengths. Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT. */
export function decodeWeights(bytes: Uint8Array, lengths: readonly number[], maxAbs: Int32Array): Int32Array[] {
  const { contexts, sizes } = layout(lengths, maxAbs);
  let symbols: Int32Array;
  try {
    symbols = adaptiveDecode(bytes, contexts, sizes, ADAPTIVE);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `The INR weight stream does not decode: ${(err as Error).message}`, { cause: err });
  }
  let at = 0;
  return lengths.map((n, t) => {
    const q = new Int32Array(n);
    for (let i = 0; i < n; i++) q[i] = symbols[at++]! - maxAbs[t]!;
    return q;
  });
}
