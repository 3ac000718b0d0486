/**
 * The Cool-chic ARM latent coder (native/src/coolchic_arm.h): the integer MLP against a BigInt transcription
 * of its definition and a hand-computed example, round trips over grid shapes and escapes, the bit
 * estimate against the coded size, a golden stream, untrusted input and argument errors.
 */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import {
  ARM_MAX_LATENT,
  ARM_WEIGHT_COUNT,
  armBits,
  armDecode,
  armEncode,
  armGridSizes,
  armPredict,
  type ArmGrid,
  type ArmGridSize,
} from '../../src/entropy/index.js';
import { randInt, rng } from './helpers.js';

// Offsets of the weight blocks: W0[16][16], b0[16], W1[16][16], b1[16], W2[16][2], b2[2].
const W0 = 0, B0 = 256, W1 = 272, B1 = 528, W2 = 544, B2 = 576;

/** The integer MLP exactly as the header comment defines it, in BigInt (>> on BigInt is floor). */
function referencePredict(w: Int32Array, ctx: ArrayLike<number>): [number, number] {
  const C = 1n << 40n;
  const clamp = (x: bigint): bigint => (x < -C ? -C : x > C ? C : x);
  const relu = (x: bigint): bigint => (x > 0n ? x : 0n);
  const W = (i: number): bigint => BigInt(w[i]!);
  const a = Array.from({ length: 16 }, (_, i) => BigInt(ctx[i]!) * 256n);
  const h = a.map((_, j) => {
    let acc = W(B0 + j) * 256n + 128n;
    for (let i = 0; i < 16; i++) acc += W(W0 + 16 * i + j) * a[i]!;
    return clamp(relu(acc >> 8n) + a[j]!);
  });
  const g = h.map((_, j) => {
    let acc = W(B1 + j) * 256n + 128n;
    for (let i = 0; i < 16; i++) acc += W(W1 + 16 * i + j) * h[i]!;
    return clamp(relu(acc >> 8n) + h[j]!);
  });
  const o = [0, 1].map((j) => {
    let acc = W(B2 + j) * 256n + 128n;
    for (let i = 0; i < 16; i++) acc += W(W2 + 2 * i + j) * g[i]!;
    return Number(acc >> 8n);
  });
  return [o[0]!, o[1]!];
}

/** Weights uniform in ±span, with the log-scale bias `sBias` (Q8). */
function randomWeights(seed: number, span: number, sBias = 0): Int32Array {
  const next = rng(seed);
  const w = Int32Array.from({ length: ARM_WEIGHT_COUNT }, () => randInt(next, -span, span));
  w[B2 + 1] = sBias;
  return w;
}

/** Small weights that make a working model: mean from the neighbours, log-scale around exp(0.5). */
function smallWeights(seed: number): Int32Array {
  const next = rng(seed);
  const w = Int32Array.from({ length: ARM_WEIGHT_COUNT }, () => randInt(next, -24, 24));
  w[B2] = 0;
  w[B2 + 1] = 128;
  return w;
}

/** Laplace-like latents: round(±Exp(scale)), with a few big outliers when `outliers`. */
function laplaceGrid(height: number, width: number, seed: number, scale = 1.5, outliers = false): ArmGrid {
  const next = rng(seed);
  const values = Int32Array.from({ length: height * width }, () => {
    if (outliers && next() < 0.01) return randInt(next, -ARM_MAX_LATENT, ARM_MAX_LATENT);
    const m = Math.round(-Math.log(1 - next()) * scale);
    return next() < 0.5 ? -m : m;
  });
  return { height, width, values };
}

function gridsOf(sizes: readonly ArmGridSize[], seed: number, scale?: number, outliers?: boolean): ArmGrid[] {
  return sizes.map(([h, w], g) => laplaceGrid(h, w, seed * 101 + g, scale, outliers));
}

function roundTrip(weights: Int32Array, grids: ArmGrid[]): Uint8Array {
  const bytes = armEncode(weights, grids);
  const back = armDecode(weights, bytes, grids.map((g) => [g.height, g.width] as const));
  expect(back.length).toBe(grids.length);
  back.forEach((b, g) => expect(Array.from(b)).toEqual(Array.from(grids[g]!.values)));
  return bytes;
}

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

describe('the integer ARM', () => {
  it('computes a hand-worked example', () => {
    const w = new Int32Array(ARM_WEIGHT_COUNT);
    w[W0 + 0] = 256; // W0[0][0] = 1.0
    w[W0 + 16 + 1] = -128; // W0[1][1] = -0.5
    w[B0 + 0] = 10;
    w[B0 + 2] = -3;
    w[W1 + 0] = 512; // W1[0][0] = 2.0
    w[W1 + 16] = -100; // W1[1][0]
    w[B1 + 0] = 1;
    w[W2 + 0] = 256; // W2[0][0] (-> mu)
    w[W2 + 2] = -64; // W2[1][0] (-> mu)
    w[W2 + 1] = 32; // W2[0][1] (-> s)
    w[B2] = 5;
    w[B2 + 1] = -300;
    // a = [768, 512, 0...]
    // layer 0: z0 = (256·768 + 2560 + 128) >> 8 = 778, h0 = 778 + 768 = 1546
    //          z1 = (−128·512 + 128) >> 8 = −256, h1 = 0 + 512 = 512;  z2 = (−768 + 128) >> 8 = −3, h2 = 0
    // layer 1: z0 = (512·1546 − 100·512 + 256 + 128) >> 8 = floor(2893.5) = 2893, g0 = 2893 + 1546 = 4439; g1 = 512
    // output:  mu = (256·4439 − 64·512 + 1280 + 128) >> 8 = floor(4316.5) = 4316
    //          s  = (32·4439 − 76800 + 128) >> 8 = floor(255.375) = 255
    const ctx = [3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(armPredict(w, ctx)).toEqual([4316, 255]);
    expect(referencePredict(w, ctx)).toEqual([4316, 255]);
  });

  it('equals the int64 definition on random contexts, in the int32 fast path and beyond it', () => {
    const next = rng(11);
    for (const [seed, span] of [[1, 20], [2, 300], [3, 4000], [4, 32768]] as const) {
      const w = randomWeights(seed, span, randInt(next, -500, 500));
      for (let k = 0; k < 60; k++) {
        const mag = [3, 100, 5000, ARM_MAX_LATENT][k % 4]!;
        const ctx = Array.from({ length: 16 }, () => (next() < 0.4 ? 0 : randInt(next, -mag, mag)));
        expect(armPredict(w, ctx)).toEqual(referencePredict(w, ctx));
      }
    }
  });

  it('clamps the activations at ±2^40 for extreme weights and latents', () => {
    const ctx = new Array<number>(16).fill(ARM_MAX_LATENT);
    const up = new Int32Array(ARM_WEIGHT_COUNT).fill(32768);
    // h = 2^39 + 2^15 + 2^28 < 2^40; layer 1's z ≈ 2^50, so g = 2^40; o = (16 · 2^15 · 2^40 + 2^23 + 128) >> 8
    expect(armPredict(up, ctx)).toEqual([2 ** 51 + 2 ** 15, 2 ** 51 + 2 ** 15]);
    expect(referencePredict(up, ctx)).toEqual([2 ** 51 + 2 ** 15, 2 ** 51 + 2 ** 15]);
    const down = new Int32Array(ARM_WEIGHT_COUNT).fill(-32768);
    expect(armPredict(down, ctx)).toEqual(referencePredict(down, ctx));
  });
});

describe('armEncode / armDecode', () => {
  it('round-trips grids of every shape, 1×1, 1×N, N×1 and odd sizes included', () => {
    const w = smallWeights(5);
    const shapes: ArmGridSize[][] = [
      [[1, 1]], [[1, 37]], [[29, 1]], [[7, 5]], [[2, 3], [3, 5], [5, 9]],
      armGridSizes(1, 1), armGridSizes(37, 53), armGridSizes(3, 130),
    ];
    shapes.forEach((sizes, k) => roundTrip(w, gridsOf(sizes, k)));
  });

  it('round-trips with random weights of every magnitude and wide or narrow latents', () => {
    for (const [seed, span, scale] of [[21, 40, 0.3], [22, 200, 4], [23, 3000, 20], [24, 32768, 2]] as const) {
      const next = rng(seed);
      const w = randomWeights(seed, span, randInt(next, -1200, 1000));
      roundTrip(w, gridsOf(armGridSizes(23, 31), seed, scale));
    }
  });

  it('codes latents far from the prediction through the escape, up to ±2^20', () => {
    const w = smallWeights(6);
    const grids = gridsOf(armGridSizes(40, 24), 6, 1.5, true);
    grids[0]!.values[0] = ARM_MAX_LATENT;
    grids[6]!.values[5] = -ARM_MAX_LATENT;
    roundTrip(w, grids);
  });

  it('returns the grids as views in coding order', () => {
    const w = smallWeights(7);
    const grids = gridsOf([[2, 2], [3, 3]], 7);
    const back = armDecode(w, armEncode(w, grids), [[2, 2], [3, 3]]);
    expect(back.map((b) => b.length)).toEqual([4, 9]);
    expect(back[1]!.buffer).toBe(back[0]!.buffer);
  });

  it('codes all-zero grids in a few bytes', () => {
    const w = smallWeights(8);
    w[B2 + 1] = -1024; // log-scale −4: the zero symbol takes nearly all slots
    const grids = armGridSizes(64, 64).map(([h, wd]) => ({ height: h, width: wd, values: new Int32Array(h * wd) }));
    expect(roundTrip(w, grids).length).toBeLessThan(20);
  });

  it('estimates the coded size within 1 %', () => {
    const w = smallWeights(9);
    const grids = gridsOf(armGridSizes(256, 384), 9, 2, true);
    const bits = armBits(w, grids);
    const coded = 8 * armEncode(w, grids).length;
    expect(coded).toBeGreaterThan(bits * 0.999);
    expect(coded).toBeLessThan(bits * 1.01);
  });

  it('writes the golden stream', () => {
    // Fixed weights and latents from mulberry32: any change of the format, the MLP or the tables changes these bytes.
    const nextW = rng(2024);
    const w = Int32Array.from({ length: ARM_WEIGHT_COUNT }, () => randInt(nextW, -48, 48));
    w[B2 + 1] = 64;
    const nextV = rng(7);
    const grids = ([[1, 2], [2, 3], [3, 5]] as const).map(([h, wd]) => ({
      height: h, width: wd, values: Int32Array.from({ length: h * wd }, () => randInt(nextV, -3, 3)),
    }));
    grids[2]!.values[7] = 1000; // one escape
    const bytes = roundTrip(w, grids);
    expect(Buffer.from(bytes).toString('hex')).toBe('060cf811938f4c020000fbd1281f62340fbaffffffff3df43365003d880971609c3204501900');
  });
});

describe('untrusted ARM streams', () => {
  const w = smallWeights(12);
  const sizes = armGridSizes(20, 30);
  const grids = gridsOf(sizes, 12, 2, true);
  const bytes = armEncode(w, grids);

  it('rejects every truncation with a CodecError', () => {
    for (let len = 0; len < bytes.length; len++) {
      expect(['ERR_BITSTREAM_TRUNCATED', 'ERR_BITSTREAM_CORRUPT']).toContain(outcome(() => armDecode(w, bytes.subarray(0, len), sizes)));
    }
    expect(outcome(() => armDecode(w, bytes.subarray(0, bytes.length - 1), sizes))).toBe('ERR_BITSTREAM_TRUNCATED');
  });

  it('rejects trailing bytes, other grid sizes and other weights as corrupt', () => {
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(outcome(() => armDecode(w, longer, sizes))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(outcome(() => armDecode(w, bytes, armGridSizes(20, 31)))).toBe('ERR_BITSTREAM_CORRUPT');
    expect(outcome(() => armDecode(w, bytes, sizes.slice(1)))).toBe('ERR_BITSTREAM_CORRUPT');
  });

  it('decodes flipped bits and random bytes to a CodecError or some latents, never anything else', () => {
    const next = rng(13);
    const seen = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const copy = bytes.slice();
      for (let f = 0; f < 1 + (k % 3); f++) {
        const bit = randInt(next, 0, copy.length * 8 - 1);
        copy[bit >> 3]! ^= 1 << (bit & 7);
      }
      seen.add(outcome(() => armDecode(w, copy, sizes)));
    }
    for (let k = 0; k < 100; k++) {
      const random = Uint8Array.from({ length: randInt(next, 0, 200) }, () => randInt(next, 0, 255));
      seen.add(outcome(() => armDecode(w, random, armGridSizes(randInt(next, 1, 64), randInt(next, 1, 64)))));
    }
    for (const s of seen) expect(['ok', 'ERR_BITSTREAM_CORRUPT', 'ERR_BITSTREAM_TRUNCATED']).toContain(s);
    expect(seen.has('ERR_BITSTREAM_CORRUPT')).toBe(true);
  });
});

describe('ARM argument errors', () => {
  const w = smallWeights(14);
  const grid = laplaceGrid(3, 4, 14);

  it('refuses weights of the wrong kind, count or range', () => {
    expect(() => armEncode(new Float32Array(ARM_WEIGHT_COUNT) as unknown as Int32Array, [grid])).toThrow(
      new TypeError('Expected an Int32Array for weights but received a Float32Array of length 578'));
    expect(() => armEncode(new Int32Array(577), [grid])).toThrow(
      new RangeError('Expected 578 ARM weights for weights.length but received number 577'));
    const bad = w.slice();
    bad[300] = 32769;
    let err: unknown;
    try {
      armDecode(bad, new Uint8Array(10), [[3, 4]]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('ERR_MODEL_INVALID');
    expect((err as CodecError).message).toMatch(/weights\[300\] but received number 32769/);
    bad[300] = -32768;
    expect(() => armBits(bad, [grid])).not.toThrow();
  });

  it('refuses latents beyond ±2^20, naming the grid and index', () => {
    const big = { height: 2, width: 2, values: Int32Array.of(0, 0, 0, ARM_MAX_LATENT + 1) };
    expect(() => armEncode(w, [grid, big])).toThrow(
      new RangeError('Expected an integer between -1048576 and 1048576 for levels[1].values[3] but received number 1048577'));
    expect(() => armBits(w, [big])).toThrow(RangeError);
    expect(() => armPredict(w, [ARM_MAX_LATENT + 1, ...new Array<number>(15).fill(0)])).toThrow(
      new RangeError('Expected an integer between -1048576 and 1048576 for context[0] but received number 1048577'));
  });

  it('refuses grids and sizes that do not fit', () => {
    expect(() => armEncode(w, [])).toThrow(new RangeError('Expected between 1 and 64 grids for levels.length but received number 0'));
    expect(() => armEncode(w, [{ height: 3, width: 5, values: grid.values }])).toThrow(
      new RangeError('Expected 15 latents (height × width) for levels[0].values.length but received number 12'));
    expect(() => armDecode(w, new Uint8Array(4), [[0, 4]])).toThrow(
      new RangeError('Expected an integer between 1 and 65536 for sizes[0][0] but received number 0'));
    expect(() => armDecode(w, new Uint8Array(4), [[65536, 65536]])).toThrow(
      new RangeError('Expected at most 268435456 latents in all for the grid sizes (height × width summed) but received number 4294967296'));
    expect(() => armPredict(w, [1, 2, 3])).toThrow(new RangeError('Expected 16 latents for context.length but received number 3'));
  });

  it('lists the grid sizes of an image coarsest first', () => {
    expect(armGridSizes(512, 768)).toEqual([[8, 12], [16, 24], [32, 48], [64, 96], [128, 192], [256, 384], [512, 768]]);
    expect(armGridSizes(37, 53)).toEqual([[1, 1], [2, 2], [3, 4], [5, 7], [10, 14], [19, 27], [37, 53]]);
  });
});
