/** Adaptive range coder: round trips, size against its own model's ideal, argument errors. */
import { describe, expect, it } from 'vitest';
import {
  adaptiveDecode,
  adaptiveEncode,
  adaptiveIdealBits,
  DEFAULT_ADAPTIVE_LIMIT,
  type AdaptiveOptions,
} from '../../src/entropy/index.js';
import { randInt, rng } from './helpers.js';

function roundTrip(symbols: Int32Array, contexts: Int32Array, sizes: Int32Array, options?: AdaptiveOptions): Uint8Array {
  const bytes = adaptiveEncode(symbols, contexts, sizes, options);
  expect(Array.from(adaptiveDecode(bytes, contexts, sizes, options))).toEqual(Array.from(symbols));
  return bytes;
}

/** Skewed, drifting symbols over several contexts. */
function skewed(n: number, sizes: Int32Array, seed: number): { symbols: Int32Array; contexts: Int32Array } {
  const next = rng(seed);
  const contexts = Int32Array.from({ length: n }, () => randInt(next, 0, sizes.length - 1));
  const symbols = Int32Array.from(contexts, (c, i) => {
    const size = sizes[c]!;
    const centre = Math.floor((size * i) / n);
    const v = centre + Math.floor(-Math.log(1 - next()) * (2 + c)) * (next() < 0.5 ? -1 : 1);
    return ((v % size) + size) % size;
  });
  return { symbols, contexts };
}

describe('adaptive coder round trips', () => {
  it('codes empty input as zero bytes', () => {
    expect(roundTrip(new Int32Array(0), new Int32Array(0), Int32Array.of(4)).length).toBe(0);
  });

  it('codes a single symbol, at both ends of the alphabet', () => {
    for (const s of [0, 4095]) roundTrip(Int32Array.of(s), Int32Array.of(0), Int32Array.of(4096));
  });

  it('codes skewed, non-stationary symbols over 1024- and 4096-symbol alphabets', () => {
    const sizes = Int32Array.of(1024, 4096, 3, 1);
    const { symbols, contexts } = skewed(50_000, sizes, 1);
    roundTrip(symbols, contexts, sizes);
  });

  it('codes uniform random symbols, all identical symbols and a one-symbol alphabet', () => {
    const next = rng(2);
    const n = 20_000;
    roundTrip(Int32Array.from({ length: n }, () => randInt(next, 0, 32767)), new Int32Array(n), Int32Array.of(32768));
    const same = roundTrip(new Int32Array(n).fill(7), new Int32Array(n), Int32Array.of(1024));
    expect(same.length).toBeLessThan(300);
    expect(roundTrip(new Int32Array(n), new Int32Array(n), Int32Array.of(1)).length).toBeLessThanOrEqual(5);
  });

  it('codes the largest alphabet the limit allows and non-default options', () => {
    const next = rng(3);
    const big = DEFAULT_ADAPTIVE_LIMIT / 2;
    roundTrip(Int32Array.from({ length: 5000 }, () => randInt(next, 0, big - 1)), new Int32Array(5000), Int32Array.of(big));
    const sizes = Int32Array.of(16, 200);
    const { symbols, contexts } = skewed(20_000, sizes, 4);
    for (const options of [{ increment: 1, limit: 400 }, { increment: 1000, limit: 1 << 16 }, { limit: 4096 }]) {
      roundTrip(symbols, contexts, sizes, options);
    }
  });

  it('decodes into a caller-supplied array', () => {
    const sizes = Int32Array.of(10);
    const symbols = Int32Array.of(1, 2, 3, 9, 0);
    const out = new Int32Array(5);
    expect(adaptiveDecode(adaptiveEncode(symbols, new Int32Array(5), sizes), new Int32Array(5), sizes, { out })).toBe(out);
    expect(Array.from(out)).toEqual([1, 2, 3, 9, 0]);
  });
});

describe('adaptive coder size', () => {
  it('is within 1 % of its own model’s ideal size (and never below it)', () => {
    const sizes = Int32Array.of(1024, 1024, 256);
    const { symbols, contexts } = skewed(200_000, sizes, 5);
    const bytes = adaptiveEncode(symbols, contexts, sizes);
    const ideal = adaptiveIdealBits(symbols, contexts, sizes);
    expect(bytes.length * 8).toBeGreaterThanOrEqual(ideal);
    expect((bytes.length * 8) / ideal - 1).toBeLessThan(0.01);
  });

  it('learns a static skewed source down to near its entropy', () => {
    const next = rng(6);
    const n = 100_000;
    const symbols = Int32Array.from({ length: n }, () => (next() < 0.9 ? 0 : randInt(next, 1, 15)));
    const entropy = (-(0.9 * Math.log2(0.9)) - 15 * (0.1 / 15) * Math.log2(0.1 / 15)) * n;
    const bytes = adaptiveEncode(symbols, new Int32Array(n), Int32Array.of(16));
    expect((bytes.length * 8) / entropy).toBeLessThan(1.03);
  });
});

describe('adaptive coder arguments', () => {
  const sizes = Int32Array.of(8, 4);
  it('rejects symbols outside their alphabet and contexts outside the list', () => {
    expect(() => adaptiveEncode(Int32Array.of(0, 4), Int32Array.of(0, 1), sizes)).toThrow(
      new RangeError('Expected an integer between 0 and 3 for symbols[1] but received number 4'),
    );
    expect(() => adaptiveEncode(Int32Array.of(-1), Int32Array.of(0), sizes)).toThrow(
      new RangeError('Expected an integer between 0 and 7 for symbols[0] but received number -1'),
    );
    expect(() => adaptiveEncode(Int32Array.of(0, 0), Int32Array.of(0, 2), sizes)).toThrow(
      new RangeError('Expected an integer between 0 and 1 for contexts[1] but received number 2'),
    );
    expect(() => adaptiveDecode(new Uint8Array(8), Int32Array.of(-5), sizes)).toThrow(
      new RangeError('Expected an integer between 0 and 1 for contexts[0] but received number -5'),
    );
  });

  it('rejects alphabet sizes and options out of range', () => {
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0), Int32Array.of(32769))).toThrow(
      new RangeError('Expected an integer between 1 and 32768 (limit / 2) for alphabetSizes[0] but received number 32769'),
    );
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0), Int32Array.of(600), { limit: 1000 })).toThrow(
      new RangeError('Expected an integer between 1 and 500 (limit / 2) for alphabetSizes[0] but received number 600'),
    );
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0), Int32Array.of(0))).toThrow(RangeError);
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0), sizes, { limit: 70000 })).toThrow(
      new RangeError('Expected an integer between 2 and 65536 for options.limit but received number 70000'),
    );
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0), sizes, { increment: 0 })).toThrow(
      new RangeError('Expected an integer between 1 and 32768 for options.increment but received number 0'),
    );
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0), sizes, { increment: 1.5 })).toThrow(RangeError);
  });

  it('rejects wrong kinds and lengths', () => {
    expect(() => adaptiveEncode(Int32Array.of(0), Int32Array.of(0, 0), sizes)).toThrow(
      new RangeError('Expected an Int32Array of length 1 (one context per symbol) for contexts but received a Int32Array of length 2'),
    );
    expect(() => adaptiveEncode(Uint8Array.of(0) as unknown as Int32Array, Int32Array.of(0), sizes)).toThrow(
      new TypeError('Expected an Int32Array for symbols but received a Uint8Array of length 1'),
    );
    expect(() => adaptiveDecode([] as unknown as Uint8Array, Int32Array.of(0), sizes)).toThrow(TypeError);
  });
});
