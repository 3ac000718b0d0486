/**
 * Weight quantization (Strümpler et al. 2022, §3.2): each tensor t (w0, b0, w1, …, over all blocks)
 * gets one uniform step Δ_t = σ_t · 2^(2 − bits), σ_t the tensor's standard deviation, and its
 * weights become the integers q = round_half_even(w / Δ_t). For Gaussian-like weights the entropy of
 * q is about `bits` bits per weight (h(w) − log₂ Δ ≈ log₂(σ√(2πe)) − log₂ Δ ≈ bits + 0.05), so
 * `bits` trades rate against precision evenly across layers of different scale. Decoding is
 * w = q · Δ_t in float32.
 */
import { roundHalfEvenDiv } from './fit.js';

/** Largest |q| the bitstream codes (its alphabet is 2·maxAbs + 1 ≤ 32767 symbols). */
export const MAX_ABS = 16383;

/** Δ_t for every tensor; a constant tensor gets a step that keeps it exact enough (its |value| · 2⁻¹⁰, or 2⁻²⁰), an empty one 1. */
export function stepSizes(params: readonly Float32Array[], bits: number): Float32Array {
  return Float32Array.from(params, (p) => {
    if (p.length === 0) return 1;
    let sum = 0, sq = 0;
    for (const v of p) { sum += v; sq += v * v; }
    const mean = sum / p.length;
    const sd = Math.sqrt(Math.max(0, sq / p.length - mean * mean));
    const step = sd > 0 ? sd * 2 ** (2 - bits) : Math.max(Math.abs(mean) * 2 ** -10, 2 ** -20);
    return Math.fround(step);
  });
}

/** The integers of every tensor, clamped to ±MAX_ABS. */
export function quantize(params: readonly Float32Array[], steps: Float32Array): Int32Array[] {
  return params.map((p, t) => Int32Array.from(p, (v) => Math.max(-MAX_ABS, Math.min(MAX_ABS, roundHalfEvenDiv(v, steps[t]!)))));
}

/** Float32 weights from the integers: q · Δ_t. */
export function dequantize(ints: readonly Int32Array[], steps: Float32Array): Float32Array[] {
  return ints.map((q, t) => Float32Array.from(q, (v) => v * steps[t]!));
}
