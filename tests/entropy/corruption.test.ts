/**
 * Untrusted input: truncated, extended, bit-flipped and random streams must give a CodecError with the
 * right code (or, where the format cannot tell, some output) — never a crash, a hang or another error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { adaptiveDecode, adaptiveEncode, RansCoder } from '../../src/entropy/index.js';
import { gaussianTables, INT32_MAX, latentLike, randInt, rng } from './helpers.js';

const tables = gaussianTables(16);
const coder = new RansCoder(tables);
afterAll(() => coder.dispose());

/** The CodecError code a decode throws, 'ok' when it returns, rethrowing anything else. */
function outcome(decode: () => unknown): string {
  try {
    decode();
    return 'ok';
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
}

function ransStream(n: number, seed: number) {
  const { symbols, indexes } = latentLike(tables, n, seed);
  const next = rng(seed);
  for (let i = 0; i < n; i += 37) symbols[i] = randInt(next, -INT32_MAX, INT32_MAX); // escapes too
  return { symbols, indexes, bytes: coder.encode(symbols, indexes) };
}

function adaptiveStream(n: number, seed: number) {
  const next = rng(seed);
  const sizes = Int32Array.of(1024, 16, 2);
  const contexts = Int32Array.from({ length: n }, () => randInt(next, 0, 2));
  const symbols = Int32Array.from(contexts, (c) => Math.min(sizes[c]! - 1, Math.floor(-Math.log(1 - next()) * 8)));
  return { symbols, contexts, sizes, bytes: adaptiveEncode(symbols, contexts, sizes) };
}

/** Flips `flips` random bits of a copy of `bytes`. */
function flipBits(bytes: Uint8Array, flips: number, next: () => number): Uint8Array {
  const copy = bytes.slice();
  for (let k = 0; k < flips; k++) {
    const bit = randInt(next, 0, copy.length * 8 - 1);
    copy[bit >> 3]! ^= 1 << (bit & 7);
  }
  return copy;
}

describe('rANS streams', () => {
  for (const n of [1, 100, 3000]) {
    it(`detects every truncation as ERR_BITSTREAM_TRUNCATED (${n} symbols)`, () => {
      const { indexes, bytes } = ransStream(n, n);
      for (let len = 0; len < bytes.length; len++) {
        expect(outcome(() => coder.decode(bytes.subarray(0, len), indexes))).toBe('ERR_BITSTREAM_TRUNCATED');
      }
    });
  }

  it('reports trailing bytes and wrong symbol counts as ERR_BITSTREAM_CORRUPT', () => {
    const { indexes, bytes } = ransStream(500, 4);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(outcome(() => coder.decode(longer, indexes))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(outcome(() => coder.decode(bytes, indexes.subarray(0, 499)))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(outcome(() => coder.decode(bytes, new Int32Array(0)))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(outcome(() => coder.decode(coder.encode(new Int32Array(0), new Int32Array(0)), indexes))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('survives random bit flips: a CodecError or a decode, and mostly detected', () => {
    const next = rng(99);
    const { symbols, indexes, bytes } = ransStream(2000, 7);
    const counts: Record<string, number> = {};
    for (let trial = 0; trial < 1500; trial++) {
      const damaged = flipBits(bytes, randInt(next, 1, 4), next);
      let result = outcome(() => coder.decode(damaged, indexes));
      if (result === 'ok' && Array.from(coder.decode(damaged, indexes)).every((v, i) => v === symbols[i])) result = 'same';
      counts[result] = (counts[result] ?? 0) + 1;
    }
    expect(Object.keys(counts).every((k) => ['ok', 'same', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED'].includes(k))).toBe(true);
    expect(counts.ERR_BITSTREAM_CORRUPT ?? 0).toBeGreaterThan(1300);
  });

  it('survives random garbage of any length with any indexes', () => {
    const next = rng(5);
    for (let trial = 0; trial < 1500; trial++) {
      const bytes = Uint8Array.from({ length: randInt(next, 0, 300) }, () => randInt(next, 0, 255));
      if (trial % 3 === 0 && bytes.length > 2) {
        bytes[0] = randInt(next, 0, 60); // plausible headers reach the decoder loop
        bytes[1] = randInt(next, 0, 20);
      }
      const n = randInt(next, 0, 600);
      const indexes = Int32Array.from({ length: n }, () => randInt(next, 0, 15));
      expect(['ok', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED']).toContain(outcome(() => coder.decode(bytes, indexes)));
    }
  });
});

describe('adaptive range-coded streams', () => {
  for (const n of [1, 50, 3000]) {
    it(`detects every truncation as ERR_BITSTREAM_TRUNCATED (${n} symbols)`, () => {
      const { contexts, sizes, bytes } = adaptiveStream(n, n);
      for (let len = 0; len < bytes.length; len++) {
        expect(outcome(() => adaptiveDecode(bytes.subarray(0, len), contexts, sizes))).toBe('ERR_BITSTREAM_TRUNCATED');
      }
    });
  }

  it('reports trailing bytes as ERR_BITSTREAM_CORRUPT', () => {
    const { contexts, sizes, bytes } = adaptiveStream(500, 3);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(outcome(() => adaptiveDecode(longer, contexts, sizes))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(outcome(() => adaptiveDecode(bytes, new Int32Array(0), sizes))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('survives random bit flips: a CodecError or a decode, and mostly detected', () => {
    const next = rng(17);
    const { symbols, contexts, sizes, bytes } = adaptiveStream(2000, 8);
    const counts: Record<string, number> = {};
    for (let trial = 0; trial < 800; trial++) {
      const damaged = flipBits(bytes, randInt(next, 1, 4), next);
      let result = outcome(() => adaptiveDecode(damaged, contexts, sizes));
      if (result === 'ok' && Array.from(adaptiveDecode(damaged, contexts, sizes)).every((v, i) => v === symbols[i])) result = 'same';
      counts[result] = (counts[result] ?? 0) + 1;
    }
    expect(Object.keys(counts).every((k) => ['ok', 'same', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED'].includes(k))).toBe(true);
    expect(counts.ERR_BITSTREAM_CORRUPT ?? 0).toBeGreaterThan(700);
  });

  it('survives random garbage with any contexts and options', () => {
    const next = rng(23);
    for (let trial = 0; trial < 1000; trial++) {
      const bytes = Uint8Array.from({ length: randInt(next, 0, 200) }, () => randInt(next, 0, 255));
      const sizes = Int32Array.from({ length: randInt(next, 1, 4) }, () => randInt(next, 1, 4000));
      const contexts = Int32Array.from({ length: randInt(next, 0, 500) }, () => randInt(next, 0, sizes.length - 1));
      const options = { increment: randInt(next, 1, 64), limit: randInt(next, 8000, 65536) };
      expect(['ok', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED']).toContain(
        outcome(() => adaptiveDecode(bytes, contexts, sizes, options)),
      );
    }
  });
});
