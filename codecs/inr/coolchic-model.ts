/**
 * The Cool-chic image model's layout (Ladune et al., ICCV 2023; Leguay et al. 2023; Kim et al., C3,
 * CVPR 2024), mirrored from models/train/inr/coolchic.py: seven latent grids from full resolution
 * down to 1/64, an autoregressive model (ARM) over 16 causal neighbours that gives each latent a
 * Laplace distribution, a hierarchical learned upsampling (one 3×3 kernel per ×2 stage) and a
 * synthesis of 1×1 layers (7 → 16 → 16 → 3) and two residual 3×3 convolutions.
 *
 * Parameters are named as the exported graphs name them: latents y0…y6, upsampling kernels k0…k5,
 * ARM aw0, ab0, aw1, ab1, aw2, ab2, synthesis sw0, sb0, sw1, sb1, sw2, sb2, cw0, cb0, cw1, cb1.
 */

import { ARM_CONTEXT, ARM_HIDDEN } from '../../src/entropy/arm.js';

export { ARM_CONTEXT, ARM_HIDDEN };
export const LEVELS = 7;
export const SYN_HIDDEN = 16;

export const LATENTS = Array.from({ length: LEVELS }, (_, l) => `y${l}`);
export const UPSAMPLING = Array.from({ length: LEVELS - 1 }, (_, l) => `k${l}`);
export const ARM = ['aw0', 'ab0', 'aw1', 'ab1', 'aw2', 'ab2'] as const;
export const SYNTHESIS = ['sw0', 'sb0', 'sw1', 'sb1', 'sw2', 'sb2', 'cw0', 'cb0', 'cw1', 'cb1'] as const;
/** The network tensors in stream order: upsampling, ARM, synthesis. */
export const NETWORK: readonly string[] = [...UPSAMPLING, ...ARM, ...SYNTHESIS];
export const PARAMS: readonly string[] = [...LATENTS, ...NETWORK];

/** Shape of every network tensor. */
export const NETWORK_SHAPES: ReadonlyMap<string, readonly number[]> = new Map<string, readonly number[]>([
  ...UPSAMPLING.map((k) => [k, [1, 1, 3, 3]] as [string, number[]]),
  ['aw0', [ARM_CONTEXT, ARM_HIDDEN]], ['ab0', [ARM_HIDDEN]], ['aw1', [ARM_HIDDEN, ARM_HIDDEN]], ['ab1', [ARM_HIDDEN]],
  ['aw2', [ARM_HIDDEN, 2]], ['ab2', [2]],
  ['sw0', [LEVELS, SYN_HIDDEN]], ['sb0', [SYN_HIDDEN]], ['sw1', [SYN_HIDDEN, SYN_HIDDEN]], ['sb1', [SYN_HIDDEN]],
  ['sw2', [SYN_HIDDEN, 3]], ['sb2', [3]], ['cw0', [3, 3, 3, 3]], ['cb0', [3]], ['cw1', [3, 3, 3, 3]], ['cb1', [3]],
]);

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** (height, width) of level l = ceil(H / 2^l) × ceil(W / 2^l), finest first. */
export function levelSizes(height: number, width: number): [number, number][] {
  return Array.from({ length: LEVELS }, (_, l) => [Math.ceil(height / 2 ** l), Math.ceil(width / 2 ** l)] as [number, number]);
}

/** Latents per image (all levels). */
export function latentCount(height: number, width: number): number {
  return levelSizes(height, width).reduce((n, [h, w]) => n + h * w, 0);
}

/**
 * Multiply-accumulates per decoded pixel: the ARM per latent (4/3 latents per pixel), the upsampling
 * stages (a 3×3 kernel on every channel of every stage) and the synthesis.
 */
export function macsPerPixel(height: number, width: number): number {
  const pixels = height * width;
  const sizes = levelSizes(height, width);
  const arm = ARM_CONTEXT * ARM_HIDDEN + ARM_HIDDEN * ARM_HIDDEN + ARM_HIDDEN * 2;
  let up = 0;
  for (let l = 0; l < LEVELS - 1; l++) up += 9 * (LEVELS - 1 - l) * sizes[l]![0] * sizes[l]![1];
  const syn = LEVELS * SYN_HIDDEN + SYN_HIDDEN * SYN_HIDDEN + SYN_HIDDEN * 3 + 2 * 81;
  return (arm * latentCount(height, width) + up) / pixels + syn;
}

/** Bilinear ×2 kernel: the upsampling's initial value. */
function bilinear(): Float32Array {
  const k = [0.25, 0.5, 0.25];
  return Float32Array.from({ length: 9 }, (_, i) => k[Math.floor(i / 3)]! * k[i % 3]!);
}

/**
 * Initial parameters (as coolchic.init_params): latents 0, bilinear upsampling, small ARM with a zero
 * output layer, Kaiming-uniform 1×1 synthesis layers, zero (identity) residual convolutions.
 */
export function initialNetwork(prng: () => number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const uniform = (n: number, bound: number): Float32Array => Float32Array.from({ length: n }, () => (prng() * 2 - 1) * bound);
  for (const k of UPSAMPLING) out.set(k, bilinear());
  out.set('aw0', uniform(ARM_CONTEXT * ARM_HIDDEN, 0.1 / Math.sqrt(ARM_CONTEXT)));
  out.set('ab0', new Float32Array(ARM_HIDDEN));
  out.set('aw1', uniform(ARM_HIDDEN * ARM_HIDDEN, 0.1 / Math.sqrt(ARM_HIDDEN)));
  out.set('ab1', new Float32Array(ARM_HIDDEN));
  out.set('aw2', new Float32Array(ARM_HIDDEN * 2));
  out.set('ab2', new Float32Array(2));
  out.set('sw0', uniform(LEVELS * SYN_HIDDEN, Math.sqrt(6 / LEVELS)));
  out.set('sb0', new Float32Array(SYN_HIDDEN));
  out.set('sw1', uniform(SYN_HIDDEN * SYN_HIDDEN, Math.sqrt(6 / SYN_HIDDEN)));
  out.set('sb1', new Float32Array(SYN_HIDDEN));
  out.set('sw2', uniform(SYN_HIDDEN * 3, Math.sqrt(1 / SYN_HIDDEN)));
  out.set('sb2', new Float32Array(3));
  for (const k of ['cw0', 'cw1']) out.set(k, new Float32Array(81));
  for (const k of ['cb0', 'cb1']) out.set(k, new Float32Array(3));
  return out;
}
