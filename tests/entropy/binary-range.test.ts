/**
 * The adaptive binary range coder (src/entropy/binary-range.ts): random decisions with many contexts,
 * bypass bits and carry-heavy runs round-trip exactly; the size follows the decisions' entropy; the
 * bytes of a fixed input never change (the video format depends on them); the decoder's reads past the
 * end are bounded.
 */
import { describe, expect, it } from 'vitest';
import { BinaryRangeDecoder, BinaryRangeEncoder, BitContext, OVERREAD_LIMIT, bitContexts } from '../../src/entropy/binary-range.js';
import { CodecError } from '../../src/errors.js';
import { mulberry32 } from '../../src/prng.js';

type Op = { kind: 'ctx'; bit: number; ctx: number } | { kind: 'bypass'; bit: number } | { kind: 'bits'; value: number; count: number };

function encodeOps(ops: Op[], contexts: number): Uint8Array {
  const enc = new BinaryRangeEncoder();
  const ctx = bitContexts(contexts);
  for (const op of ops) {
    if (op.kind === 'ctx') enc.encode(op.bit, ctx[op.ctx]!);
    else if (op.kind === 'bypass') enc.encodeBypass(op.bit);
    else enc.encodeBits(op.value, op.count);
  }
  return enc.finish();
}

function decodeOps(bytes: Uint8Array, ops: Op[], contexts: number): Op[] {
  const dec = new BinaryRangeDecoder(bytes, 'test');
  const ctx = bitContexts(contexts);
  return ops.map((op): Op => {
    if (op.kind === 'ctx') return { ...op, bit: dec.decode(ctx[op.ctx]!) };
    if (op.kind === 'bypass') return { ...op, bit: dec.decodeBypass() };
    return { ...op, value: dec.decodeBits(op.count) };
  });
}

describe('binary range coder', () => {
  it('round-trips random decisions over contexts of every skew, with bypass bits', () => {
    const rng = mulberry32(11);
    for (let trial = 0; trial < 40; trial++) {
      const skews = Array.from({ length: 8 }, () => rng() ** 3);
      const ops: Op[] = [];
      const n = Math.floor(rng() * 3000);
      for (let i = 0; i < n; i++) {
        const u = rng();
        if (u < 0.8) {
          const ctx = Math.floor(rng() * 8);
          ops.push({ kind: 'ctx', ctx, bit: rng() < skews[ctx]! ? 1 : 0 });
        } else if (u < 0.9) ops.push({ kind: 'bypass', bit: rng() < 0.5 ? 1 : 0 });
        else {
          const count = 1 + Math.floor(rng() * 20);
          ops.push({ kind: 'bits', count, value: Math.floor(rng() * 2 ** count) });
        }
      }
      expect(decodeOps(encodeOps(ops, 8), ops, 8)).toEqual(ops);
    }
  });

  it('survives long carry chains (runs of the likelier and the rarer decision)', () => {
    for (const bit of [0, 1]) {
      const ops: Op[] = Array.from({ length: 20000 }, (_, i) => ({ kind: 'ctx', ctx: 0, bit: i % 5000 === 4999 ? 1 - bit : bit }));
      const bytes = encodeOps(ops, 1);
      expect(decodeOps(bytes, ops, 1)).toEqual(ops);
      expect(bytes.length).toBeLessThan(40);
    }
    const ones: Op[] = Array.from({ length: 4000 }, () => ({ kind: 'bypass', bit: 1 }));
    expect(decodeOps(encodeOps(ones, 1), ones, 1)).toEqual(ones);
  });

  it('codes close to the entropy of the decisions', () => {
    const rng = mulberry32(5);
    const p = 0.1;
    const ops: Op[] = Array.from({ length: 20000 }, () => ({ kind: 'ctx', ctx: 0, bit: rng() < p ? 1 : 0 }));
    const entropyBytes = (20000 * -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p))) / 8;
    const bytes = encodeOps(ops, 1);
    expect(bytes.length).toBeGreaterThan(entropyBytes * 0.97);
    expect(bytes.length).toBeLessThan(entropyBytes * 1.05);
    // the context's cost estimate agrees with what a settled context pays
    const ctx = new BitContext();
    for (let i = 0; i < 2000; i++) ctx.update(i % 10 === 0 ? 1 : 0);
    expect(ctx.cost(1)).toBeCloseTo(-Math.log2(0.1), 0);
    expect(ctx.cost(0)).toBeCloseTo(-Math.log2(0.9), 1);
  });

  it('writes the same bytes for the same decisions on every machine', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 64; i++) ops.push({ kind: 'ctx', ctx: i % 3, bit: (i * 7) % 5 === 0 ? 1 : 0 });
    ops.push({ kind: 'bits', value: 0x2b5, count: 10 }, { kind: 'bypass', bit: 1 });
    expect(Array.from(encodeOps(ops, 3))).toEqual([132, 73, 13, 96, 212, 165, 13, 195, 39]);
  });

  it('reads zeros past the end only so far, then calls the stream corrupt', () => {
    // nothing coded: no bytes at all (every trailing zero is dropped)
    expect(new BinaryRangeEncoder().finish().length).toBe(0);
    const dec = new BinaryRangeDecoder(new Uint8Array(0), 'frame 2: the motion stream');
    expect(() => {
      for (let i = 0; i < 8 * (OVERREAD_LIMIT + 4); i++) dec.decodeBypass();
    }).toThrow(new CodecError('ERR_BITSTREAM_CORRUPT', `frame 2: the motion stream: the stream ends ${OVERREAD_LIMIT} bytes before its decisions do; the file is corrupt.`));
  });
});
