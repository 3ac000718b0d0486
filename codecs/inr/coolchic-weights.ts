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

/** The integers of one tensor at step 2^−e, clamped to ±MAX_ABS. */
export function quantizeTensor(w: Float32Array, e: number): Int32Array {
  const step = 2 ** -e;
  return Int32Array.from(w, (v) => Math.max(-MAX_ABS, Math.min(MAX_ABS, roundHalfEvenDiv(v, step))));
}

/** Integers of every network tensor (NETWORK order). */
export function quantizeNetwork(network: ReadonlyMap<string, Float32Array>, e: StepExponents): Int32Array[] {
  return NETWORK.map((name) => quantizeTensor(network.get(name)!, e[groupOf(name)]));
}

/** Float tensors of the upsampling and synthesis from their integers. */
export function dequantizeNetwork(ints: readonly Int32Array[], e: StepExponents): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  NETWORK.forEach((name, t) => {
    const step = 2 ** -e[groupOf(name)];
    out.set(name, Float32Array.from(ints[t]!, (q) => q * step));
  });
  return out;
}

/** The native ARM's Q8 weights (aw0, ab0, …, ab2 concatenated) from the network's integers (NETWORK order), the ARM's at 2^−e. */
export function armWeightsQ8(ints: readonly Int32Array[], e: number): Int32Array {
  const scale = 2 ** (8 - e);
  const parts = ARM.map((name) => ints[NETWORK.indexOf(name)]!);
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) for (const q of p) out[at++] = q * scale;
  return out;
}
