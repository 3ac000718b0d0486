/**
 * Adaptive binary range coding, for side information that is coded one decision at a time with
 * contexts that depend on what was decoded before (the video codec's motion vectors). The coder is
 * LZMA's (Pavlov; carry propagation through a cached byte), with 15-bit probabilities; each context is
 * a two-rate estimator (as in VVC's CABAC): p = (p_fast + p_slow) / 2, p_fast adapting by 1/16 and
 * p_slow by 1/128 per decision, so a context learns quickly from few decisions and settles later.
 *
 * Everything is integer arithmetic on numbers below 2^33, so encoder and decoder agree on every
 * machine. The stream leaves out LZMA's leading zero byte; the encoder ends on a value with as many
 * trailing zero bytes as the final interval allows and drops them, and the decoder reads zeros past
 * the end (at most {@link OVERREAD_LIMIT} of them; more means a corrupt stream).
 *
 * It runs in TypeScript: the streams it codes are a few hundred decisions per frame, far too few for a
 * native call to pay off.
 */
import { CodecError } from '../errors.js';

const PROB_BITS = 15;
const PROB_ONE = 1 << PROB_BITS;
const HALF = PROB_ONE >> 1;
const TOP = 2 ** 24;
const FAST_SHIFT = 4;
const SLOW_SHIFT = 7;
/** Zero bytes the decoder may read past the stream's end before it calls the stream corrupt. */
export const OVERREAD_LIMIT = 8;

/** The adaptive probability of one binary context (probability of a 0, 15 bits, from both rates). */
export class BitContext {
  private fast = HALF;
  private slow = HALF;

  /** P(bit = 0) · 2^15, in [1, 2^15 − 1]. */
  get p0(): number {
    return (this.fast + this.slow) >> 1;
  }

  /** Estimated cost of coding `bit` now, in bits (for encoder decisions; not part of the format). */
  cost(bit: number): number {
    const p = this.p0;
    return -Math.log2((bit ? PROB_ONE - p : p) / PROB_ONE);
  }

  update(bit: number): void {
    if (bit) {
      this.fast -= this.fast >> FAST_SHIFT;
      this.slow -= this.slow >> SLOW_SHIFT;
    } else {
      this.fast += (PROB_ONE - this.fast) >> FAST_SHIFT;
      this.slow += (PROB_ONE - this.slow) >> SLOW_SHIFT;
    }
  }
}

/** A set of contexts addressed by index, created fresh (every probability ½). */
export function bitContexts(count: number): BitContext[] {
  return Array.from({ length: count }, () => new BitContext());
}

export class BinaryRangeEncoder {
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private readonly out: number[] = [];

  /** Codes `bit` with `context`'s probability and updates the context. */
  encode(bit: number, context: BitContext): void {
    this.put(bit ? 1 : 0, context.p0);
    context.update(bit);
  }

  /** Codes `bit` at probability ½ (no context). */
  encodeBypass(bit: number): void {
    this.put(bit ? 1 : 0, HALF);
  }

  /** Codes the low `count` bits of `value`, most significant first, at probability ½. */
  encodeBits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.put(Math.floor(value / 2 ** i) & 1, HALF);
  }

  /** Ends the stream and returns its bytes; the encoder is spent. */
  finish(): Uint8Array {
    // a value in [low, low + range) with its low 24 bits zero (range ≥ 2^24 makes one exist)
    this.low = Math.ceil(this.low / TOP) * TOP;
    for (let i = 0; i < 5; i++) this.shiftLow();
    let end = this.out.length;
    while (end > 1 && this.out[end - 1] === 0) end--;
    // out[0] is always 0 (LZMA's first byte), and so is left out
    return Uint8Array.from(this.out.slice(1, end));
  }

  private put(bit: number, p0: number): void {
    const bound = (this.range >>> PROB_BITS) * p0;
    if (bit === 0) this.range = bound;
    else {
      this.low += bound;
      this.range -= bound;
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
  }

  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= 2 ** 32) {
      const carry = this.low >= 2 ** 32 ? 1 : 0;
      let temp = this.cache;
      do {
        this.out.push((temp + carry) & 0xff);
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / TOP) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low % TOP) * 256;
  }
}

export class BinaryRangeDecoder {
  private code = 0;
  private range = 0xffffffff;
  private position = 0;

  /** `where` names the stream in error messages. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
  ) {
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.next();
  }

  decode(context: BitContext): number {
    const bit = this.get(context.p0);
    context.update(bit);
    return bit;
  }

  decodeBypass(): number {
    return this.get(HALF);
  }

  /** Decodes `count` bits at probability ½, most significant first. */
  decodeBits(count: number): number {
    let v = 0;
    for (let i = 0; i < count; i++) v = v * 2 + this.get(HALF);
    return v;
  }

  private get(p0: number): number {
    const bound = (this.range >>> PROB_BITS) * p0;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      bit = 0;
    } else {
      this.code -= bound;
      this.range -= bound;
      bit = 1;
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.code = ((this.code * 256) >>> 0) + this.next();
    }
    return bit;
  }

  private next(): number {
    const p = this.position++;
    if (p < this.bytes.length) return this.bytes[p]!;
    if (p - this.bytes.length >= OVERREAD_LIMIT) {
      throw new CodecError('ERR_BITSTREAM_CORRUPT', `${this.where}: the stream ends ${OVERREAD_LIMIT} bytes before its decisions do; the file is corrupt.`);
    }
    return 0;
  }
}
