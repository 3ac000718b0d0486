/**
 * Entropy coding of RVQ codes: one stream per codebook and chunk, coded with the native adaptive
 * range coder (src/entropy/adaptive.ts), one adaptive model per stream — so one model per codebook,
 * whose statistics (early codebooks are skewed, late ones close to uniform) are learned on the fly.
 *
 * A stream is coded in one of four modes:
 *   mode 0 `packed`:       the codes as plain `bitsPerCode`-bit integers, LSB first, ⌈F · bits / 8⌉ bytes;
 *   modes 1, 2, 3 `adaptive`: the range-coded codes (alphabet K, limit from the parameters) with the
 *                          model increment `increments[mode − 1]` (parameters; default 4, 12, 32).
 * The encoder writes the shortest, so a stream never costs more than plain packing. Why three
 * increments: a model that has seen n codes pays about log2(1 + increment · n / K) bits for a code it
 * has not seen, so near-uniform codes (a well-trained codebook, entropy ≈ 9.5 bits) code best with a
 * small increment and skewed ones (first codebooks, short or tonal signals) with a large one; on
 * 750-code streams, Zipf-distributed codes measured 4 best at entropy 9.4–9.9 bits, 8–16 at 7.5, 16–32
 * below 6 (README.md, "Entropy coding").
 *
 * Separate streams per codebook make prefix decoding cheap: the first m streams decode without
 * touching the rest (docs in README.md, "Decoding fewer codebooks").
 */
import { adaptiveDecode, adaptiveEncode, type AdaptiveOptions } from '../../src/entropy/index.js';

export const MODE_PACKED = 0;
/** Modes 1 … ADAPTIVE_MODES: adaptive coding with increments[mode − 1]. */
export const ADAPTIVE_MODES = 3;
export type StreamMode = 0 | 1 | 2 | 3;

/** One codebook's coded stream. */
export interface CodeStream {
  mode: StreamMode;
  bytes: Uint8Array;
}

/** What both sides must agree on: alphabet, plain bit width and the adaptive models' options. */
export interface CodeAlphabet {
  size: number;
  bits: number;
  /** Model increments of modes 1 … 3. */
  increments: readonly number[];
  /** Adaptive limit (see AdaptiveOptions). */
  limit: number;
}

/** `codes` as `bits`-bit integers, LSB first. */
export function packCodes(codes: Int32Array, bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((codes.length * bits) / 8));
  let acc = 0, filled = 0, at = 0;
  for (let i = 0; i < codes.length; i++) {
    acc |= codes[i]! << filled;
    filled += bits;
    while (filled >= 8) {
      out[at++] = acc & 0xff;
      acc >>>= 8;
      filled -= 8;
    }
  }
  if (filled > 0) out[at] = acc & 0xff;
  return out;
}

/** The inverse of {@link packCodes}; `null` unless `bytes` has exactly the expected length. */
export function unpackCodes(bytes: Uint8Array, count: number, bits: number, out = new Int32Array(count)): Int32Array | null {
  if (bytes.length !== Math.ceil((count * bits) / 8)) return null;
  const mask = (1 << bits) - 1;
  let acc = 0, filled = 0, at = 0;
  for (let i = 0; i < count; i++) {
    while (filled < bits) {
      acc |= bytes[at++]! << filled;
      filled += 8;
    }
    out[i] = acc & mask;
    acc >>>= bits;
    filled -= bits;
  }
  return out;
}

function adaptiveOptions(alphabet: CodeAlphabet, mode: number): AdaptiveOptions {
  return { increment: alphabet.increments[mode - 1]!, limit: alphabet.limit };
}

/** Codes one codebook's codes (each in 0 … size − 1) in the mode that gives the fewest bytes. */
export function encodeCodeStream(codes: Int32Array, alphabet: CodeAlphabet): CodeStream {
  let best: CodeStream = { mode: MODE_PACKED, bytes: packCodes(codes, alphabet.bits) };
  const contexts = new Int32Array(codes.length);
  const sizes = Int32Array.of(alphabet.size);
  for (let mode = 1; mode <= ADAPTIVE_MODES; mode++) {
    const bytes = adaptiveEncode(codes, contexts, sizes, adaptiveOptions(alphabet, mode));
    if (bytes.length < best.bytes.length) best = { mode: mode as StreamMode, bytes };
  }
  return best;
}

/**
 * `count` codes of one stream. Throws CodecError ERR_BITSTREAM_CORRUPT / ERR_BITSTREAM_TRUNCATED for
 * a stream that does not hold exactly `count` codes (the adaptive decoder checks its own framing).
 */
export function decodeCodeStream(stream: CodeStream, count: number, alphabet: CodeAlphabet, out?: Int32Array<ArrayBuffer>): Int32Array | null {
  if (stream.mode === MODE_PACKED) return unpackCodes(stream.bytes, count, alphabet.bits, out);
  return adaptiveDecode(stream.bytes, new Int32Array(count), Int32Array.of(alphabet.size), { ...adaptiveOptions(alphabet, stream.mode), out });
}
