/**
 * Quantization of a fitted Cool-chic model's networks (upsampling, ARM, synthesis). Each group has one
 * step 2^−e: a weight w becomes q = round_half_even(w · 2^e). The ARM's integers are scaled to Q8
 * (q · 2^(8 − e), e ≤ 8) for the native integer ARM, which is exact in fixed point; the upsampling
 * and synthesis run in float as q · 2^−e. The encoder picks each group's e by rate–distortion
 * (coolchic.ts); the integers are range-coded with the INR weight stream (weights.ts), one adaptive
 * context per tensor.
 */
import { ARM, NETWORK, SYNTHESIS, UPSAMPLING } from './coolchic-model.js';
import { roundHalfEvenDiv } from './fit.js';
import { MAX_ABS } from './quantize.js';

export type NetworkGroup = 'upsampling' | 'arm' | 'synthesis';
export const GROUPS: readonly NetworkGroup[] = ['upsampling', 'arm', 'synthesis'];
const MEMBERS: Record<NetworkGroup, readonly string[]> = { upsampling: UPSAMPLING, arm: ARM, synthesis: SYNTHESIS };

export function groupOf(name: string): NetworkGroup {
  return GROUPS.find((g) => MEMBERS[g].includes(name))!;
}

/** Step exponents e per group (the step is 2^−e). */
export type StepExponents = Record<NetworkGroup, number>;

/** Exponents the encoder tries per group; the ARM's stay ≤ 8 (Q8). */
export const EXPONENT_CANDIDATES: Record<NetworkGroup, readonly number[]> = {
  upsampling: [6, 7, 8, 9, 10],
  arm: [4, 5, 6, 7, 8],
  synthesis: [5, 6, 7, 8, 9, 10],
};
export const MAX_EXPONENT = 16;

/**
 * Where the integers start from: with a model that has a learned initial network (manifest
 * `coolchic.init`), each weight is coded as its difference from that start, w = base + q · 2^−e; the
 * ARM's base is itself rounded to Q8 so that its weights stay exact integers. Without one, base = 0.
 */
export type NetworkBase = ReadonlyMap<string, Float32Array> | null;

function baseOf(base: NetworkBase, name: string, length: number): Float32Array {
  const b = base?.get(name);
  if (!b) return new Float32Array(length);
  return groupOf(name) === 'arm' ? Float32Array.from(b, (v) => roundHalfEvenDiv(v, 1 / 256) / 256) : b;
}

/** The integers of one tensor at step 2^−e relative to `base`, clamped to ±MAX_ABS. */
export function quantizeTensor(w: Float32Array, e: number, base: Float32Array = new Float32Array(w.length)): Int32Array {
  const step = 2 ** -e;
  return Int32Array.from(w, (v, i) => Math.max(-MAX_ABS, Math.min(MAX_ABS, roundHalfEvenDiv(v - base[i]!, step))));
}

/** Integers of every network tensor (NETWORK order). */
export function quantizeNetwork(network: ReadonlyMap<string, Float32Array>, e: StepExponents, base: NetworkBase = null): Int32Array[] {
  return NETWORK.map((name) => {
    const w = network.get(name)!;
    return quantizeTensor(w, e[groupOf(name)], baseOf(base, name, w.length));
  });
}

/** Float tensors from their integers: base + q · 2^−e. */
export function dequantizeNetwork(ints: readonly Int32Array[], e: StepExponents, base: NetworkBase = null): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  NETWORK.forEach((name, t) => {
    const step = 2 ** -e[groupOf(name)];
    const b = baseOf(base, name, ints[t]!.length);
    out.set(name, Float32Array.from(ints[t]!, (q, i) => b[i]! + q * step));
  });
  return out;
}

/** The native ARM's Q8 weights (aw0, ab0, …, ab2 concatenated) from the network's integers (NETWORK order), the ARM's at 2^−e. */
export function armWeightsQ8(ints: readonly Int32Array[], e: number, base: NetworkBase = null): Int32Array {
  const scale = 2 ** (8 - e);
  const out: number[] = [];
  for (const name of ARM) {
    const q = ints[NETWORK.indexOf(name)]!;
    const b = baseOf(base, name, q.length);
    for (let i = 0; i < q.length; i++) out.push(Math.round(b[i]! * 256) + q[i]! * scale);
  }
  return Int32Array.from(out);
}
