/**
 * The tensor every layer passes around — `Latent`, a batch-1 CHW float32 tensor (images in planar RGB,
 * latents y / z, 1-D signals with height 1) — and the one rule by which floats become integers.
 * No imports: media, entropy, runtime and the codecs all build on it.
 */

/** A batch-1 CHW float32 tensor. */
export interface Latent {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/**
 * Rounds half to even (as `torch.round` and C++ `nearbyint` do): the rule used wherever floats become
 * integers in this library, never `Math.round`.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
