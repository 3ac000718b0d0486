/**
 * src/entropy/int-conv.ts (native/src/int_conv.cc): the integer 3×3 convolution of the networks that
 * pick entropy tables. Checked against a hand-computed layer (zero padding, weight orientation,
 * rounding shift = floor for negative values, clamps) and a BigInt reference on random layers;
 * bad arguments are RangeErrors from the addon.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CONV_INPUT, MAX_CONV_INPUT_CHANNELS, intConv3x3, type IntConvLayer } from '../../src/entropy/index.js';
import { randInt, rng } from './helpers.js';

/** out = clamp(floor((Σ w·in (zero padding) · mult + bias + 2^(shift−1)) / 2^shift), lo, hi), in BigInt. */
function reference(l: IntConvLayer, input: Int32Array, h: number, w: number): Int32Array {
  const out = new Int32Array(l.outChannels * h * w);
  for (let o = 0; o < l.outChannels; o++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let i = 0; i < l.inChannels; i++) {
          for (let k = 0; k < 9; k++) {
            const yy = y + Math.floor(k / 3) - 1;
            const xx = x + (k % 3) - 1;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            acc += l.weight[(o * l.inChannels + i) * 9 + k]! * input[i * h * w + yy * w + xx]!;
          }
        }
        const num = BigInt(acc) * BigInt(l.mult[o]!) + BigInt(l.bias[o]!) + (1n << BigInt(l.shift - 1));
        const d = 1n << BigInt(l.shift);
        let q = num / d;
        if (num % d !== 0n && num < 0n) q -= 1n; // floor, not truncation
        out[o * h * w + y * w + x] = Math.min(l.hi, Math.max(l.lo, Number(q)));
      }
    }
  }
  return out;
}

/** One input channel, 2×3: [[1, 2, 3], [4, 5, 6]]; three output channels (below). */
const input = Int32Array.of(1, 2, 3, 4, 5, 6);
const kernel = (taps: Record<number, number>) => Array.from({ length: 9 }, (_, k) => taps[k] ?? 0);

describe('intConv3x3', () => {
  it('computes a hand-worked layer: zero padding, kernel orientation, floor on negatives, clamps', () => {
    const layer: IntConvLayer = {
      inChannels: 1, outChannels: 1, shift: 1, lo: -100, hi: 100,
      weight: Int32Array.from(kernel({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1 })), mult: Int32Array.of(1), bias: Float64Array.of(0),
    };
    // Box sums with zero padding: corners 1+2+4+5 = 12, middle 21, right 2+3+5+6 = 16; then floor((s + 1) / 2).
    expect([...intConv3x3(layer, input, 2, 3)]).toEqual([6, 11, 8, 6, 11, 8]);

    // Centre tap −1, mult 3, shift 2: floor((−3x + 2) / 4) for x = 1..6 is −1, −1, −2, −3, −4, −4
    // (truncation toward zero would give 0, −1, −1, −2, −3, −4); lo = −3 clamps the last two.
    const negative = { ...layer, weight: Int32Array.from(kernel({ 4: -1 })), mult: Int32Array.of(3), shift: 2, lo: -3 };
    expect([...intConv3x3(negative, input, 2, 3)]).toEqual([-1, -1, -2, -3, -3, -3]);
    expect([...intConv3x3({ ...negative, lo: -100 }, input, 2, 3)]).toEqual([-1, -1, -2, -3, -4, -4]);

    // Top-left tap 2 reads in[y−1][x−1]: 0 on the first row and column, then 2·1, 2·2; bias 5, shift 1:
    // floor((a + 5 + 1) / 2) = 3, 3, 3, 3, 4, 5; ReLU-like lo = 0, hi = 4 clamps the last.
    const corner = { ...layer, weight: Int32Array.from(kernel({ 0: 2 })), bias: Float64Array.of(5), lo: 0, hi: 4 };
    expect([...intConv3x3(corner, input, 2, 3)]).toEqual([3, 3, 3, 3, 4, 4]);

    // The three layers as one: output channels are planar, in order.
    const all: IntConvLayer = {
      inChannels: 1, outChannels: 3, shift: 2, lo: -1000, hi: 1000,
      weight: Int32Array.from([...kernel({ 4: 4 }), ...kernel({ 4: -1 }), ...kernel({ 8: 4 })]),
      mult: Int32Array.of(1, 3, 1), bias: Float64Array.of(0, 0, -4),
    };
    // ch0: floor((4x + 2) / 4) = x; ch1 as above; ch2: in[y+1][x+1]·4 − 4 → 4·5 − 4 = 16 → 4 at (0,0), 4·6 − 4 = 20 → 5 at (0,1), else −4 → −1.
    expect([...intConv3x3(all, input, 2, 3)]).toEqual([1, 2, 3, 4, 5, 6, -1, -1, -2, -3, -4, -4, 4, 5, -1, -1, -1, -1]);
  });

  it('matches a BigInt reference on random layers at the bounds of its inputs', () => {
    const next = rng(14);
    for (let trial = 0; trial < 12; trial++) {
      const inChannels = randInt(next, 1, 6);
      const outChannels = randInt(next, 1, 5);
      const h = randInt(next, 1, 7);
      const w = randInt(next, 1, 9);
      const shift = randInt(next, 1, 40);
      const layer: IntConvLayer = {
        inChannels, outChannels, shift, lo: randInt(next, -(2 ** 31), 0), hi: randInt(next, 0, 2 ** 31 - 1),
        weight: Int32Array.from({ length: outChannels * inChannels * 9 }, () => randInt(next, -127, 127)),
        mult: Int32Array.from({ length: outChannels }, () => randInt(next, -(2 ** 20), 2 ** 20)),
        bias: Float64Array.from({ length: outChannels }, () => randInt(next, -(2 ** 40), 2 ** 40)),
      };
      const x = Int32Array.from({ length: inChannels * h * w }, () => (next() < 0.2 ? (next() < 0.5 ? -MAX_CONV_INPUT : MAX_CONV_INPUT) : randInt(next, -MAX_CONV_INPUT, MAX_CONV_INPUT)));
      expect([...intConv3x3(layer, x, h, w)], `trial ${trial}`).toEqual([...reference(layer, x, h, w)]);
    }
  });

  it('gives the same output on any thread count, for a layer large enough to be split (and a BigInt-checked corner)', () => {
    const next = rng(15);
    const inChannels = 40, outChannels = 22, h = 37, w = 41; // 40·9·22·37·41 ≈ 12 M products: threads start
    const layer: IntConvLayer = {
      inChannels, outChannels, shift: 12, lo: -(2 ** 20), hi: 2 ** 20,
      weight: Int32Array.from({ length: outChannels * inChannels * 9 }, () => randInt(next, -127, 127)),
      mult: Int32Array.from({ length: outChannels }, () => randInt(next, 1, 2 ** 12)),
      bias: Float64Array.from({ length: outChannels }, () => randInt(next, -(2 ** 30), 2 ** 30)),
    };
    const x = Int32Array.from({ length: inChannels * h * w }, () => randInt(next, -MAX_CONV_INPUT, MAX_CONV_INPUT));
    const one = intConv3x3(layer, x, h, w, 1);
    for (const threads of [2, 3, 5, 64]) expect(intConv3x3(layer, x, h, w, threads), `${threads} threads`).toEqual(one);
    // the reference on the first rows (it is slow): crop the input to 3 rows keeps rows 0–1 exact
    const rows = 3;
    const crop = new Int32Array(inChannels * rows * w);
    for (let i = 0; i < inChannels; i++) crop.set(x.subarray(i * h * w, i * h * w + rows * w), i * rows * w);
    const ref = reference(layer, crop, rows, w);
    for (let o = 0; o < outChannels; o++) {
      expect([...one.subarray(o * h * w, o * h * w + 2 * w)]).toEqual([...ref.subarray(o * rows * w, o * rows * w + 2 * w)]);
    }
  });

  it('does not overflow at the worst case: every weight ±127, every input ±16383, the most input channels', () => {
    const c = MAX_CONV_INPUT_CHANNELS;
    const layer: IntConvLayer = {
      inChannels: c, outChannels: 1, shift: 1, lo: -(2 ** 31), hi: 2 ** 31 - 1,
      weight: new Int32Array(c * 9).fill(127), mult: Int32Array.of(1), bias: Float64Array.of(0),
    };
    const x = new Int32Array(c * 9).fill(MAX_CONV_INPUT);
    // At the centre of 3×3 all 9 taps are inside: 127·16383·9·114 = 2 134 737 666 < 2^31.
    expect(intConv3x3(layer, x, 3, 3)[4]).toBe(Math.floor((127 * MAX_CONV_INPUT * 9 * c + 1) / 2));
    expect(intConv3x3({ ...layer, weight: layer.weight.map(() => -127) }, x, 3, 3)[4]).toBe(Math.floor((-127 * MAX_CONV_INPUT * 9 * c + 1) / 2));
  });

  it('rejects out-of-range weights, inputs, biases and channel counts with a RangeError', () => {
    const layer: IntConvLayer = {
      inChannels: 1, outChannels: 1, shift: 1, lo: 0, hi: 10,
      weight: Int32Array.from(kernel({ 4: 1 })), mult: Int32Array.of(1), bias: Float64Array.of(0),
    };
    expect(() => intConv3x3({ ...layer, weight: Int32Array.from(kernel({ 4: 128 })) }, input, 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3({ ...layer, weight: Int32Array.from(kernel({ 4: 128 })) }, input, 2, 3)).toThrow(/weight.*128/);
    expect(() => intConv3x3({ ...layer, weight: Int32Array.from(kernel({ 0: -128 })) }, input, 2, 3)).toThrow(/weight.*-128/);
    expect(() => intConv3x3(layer, Int32Array.of(1, 2, 3, 4, 5, MAX_CONV_INPUT + 1), 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3(layer, Int32Array.of(1, 2, 3, 4, 5, MAX_CONV_INPUT + 1), 2, 3)).toThrow(/input.*16384/);
    expect(() => intConv3x3(layer, Int32Array.of(-MAX_CONV_INPUT - 1, 2, 3, 4, 5, 6), 2, 3)).toThrow(/input.*-16384/);
    expect(() => intConv3x3(layer, Int32Array.of(-MAX_CONV_INPUT, 2, 3, 4, 5, MAX_CONV_INPUT), 2, 3)).not.toThrow();
    expect(() => intConv3x3({ ...layer, bias: Float64Array.of(0.5) }, input, 2, 3)).toThrow(/bias/);
    expect(() => intConv3x3({ ...layer, bias: Float64Array.of(2 ** 52) }, input, 2, 3)).toThrow(RangeError);
    const wide = MAX_CONV_INPUT_CHANNELS + 1;
    expect(() => intConv3x3({ ...layer, inChannels: wide, weight: new Int32Array(wide * 9) }, new Int32Array(wide * 6), 2, 3)).toThrow(/inChannels/);
  });

  it('rejects arrays of the wrong length with a RangeError', () => {
    const layer: IntConvLayer = {
      inChannels: 1, outChannels: 2, shift: 1, lo: 0, hi: 10,
      weight: new Int32Array(18), mult: Int32Array.of(1, 1), bias: Float64Array.of(0, 0),
    };
    expect(intConv3x3(layer, input, 2, 3)).toHaveLength(12);
    expect(() => intConv3x3(layer, input.subarray(1), 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3(layer, input, 3, 3)).toThrow(/input/);
    expect(() => intConv3x3({ ...layer, weight: new Int32Array(17) }, input, 2, 3)).toThrow(/weight/);
    expect(() => intConv3x3({ ...layer, mult: Int32Array.of(1) }, input, 2, 3)).toThrow(/mult/);
    expect(() => intConv3x3({ ...layer, bias: Float64Array.of(0) }, input, 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3({ ...layer, lo: 11 }, input, 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3({ ...layer, shift: 0 }, input, 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3({ ...layer, shift: 41 }, input, 2, 3)).toThrow(RangeError);
    expect(() => intConv3x3({ ...layer, weight: new Float64Array(18) as unknown as Int32Array }, input, 2, 3)).toThrow(TypeError);
  });
});
