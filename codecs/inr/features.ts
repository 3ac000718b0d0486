/**
 * Positional encoding: Fourier features of block-local coordinates (Mildenhall et al., NeRF 2020;
 * Tancik et al., NeurIPS 2020), as Strümpler et al. ("Implicit Neural Representations for Image
 * Compression", ECCV 2022) add in front of a SIREN. A sample at index i of a block of side S has the
 * coordinate c = (2i + 1)/S − 1 ∈ (−1, 1) per axis and the features
 *
 *   γ(c) = [c, sin(π c), cos(π c), sin(2π c), cos(2π c), …, sin(2^(L−1) π c), cos(2^(L−1) π c)],
 *
 * 1 + 2L per axis; a 2-D coordinate concatenates the x and the y features. Every block uses the same
 * local coordinates (a partial block at the image border covers only part of them), so one table
 * per axis serves all blocks.
 */

/** Features per axis for `octaves` octaves. */
export function axisFeatureCount(octaves: number): number {
  return 1 + 2 * octaves;
}

/** γ(c) for the S indices of one axis: S rows of 1 + 2L values. */
export function axisFeatures(size: number, octaves: number): Float32Array {
  const f = axisFeatureCount(octaves);
  const out = new Float32Array(size * f);
  for (let i = 0; i < size; i++) {
    const c = (2 * i + 1) / size - 1;
    out[i * f] = c;
    for (let k = 0; k < octaves; k++) {
      const a = Math.PI * 2 ** k * c;
      out[i * f + 1 + 2 * k] = Math.sin(a);
      out[i * f + 2 + 2 * k] = Math.cos(a);
    }
  }
  return out;
}

/**
 * Features of every position of a block (row-major, x fastest for 2-D): S^dims rows of
 * dims · (1 + 2L) values.
 */
export function blockFeatures(size: number, octaves: number, dims: 1 | 2): Float32Array {
  const axis = axisFeatures(size, octaves);
  if (dims === 1) return axis;
  const f = axisFeatureCount(octaves);
  const out = new Float32Array(size * size * 2 * f);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const at = (y * size + x) * 2 * f;
      out.set(axis.subarray(x * f, x * f + f), at);
      out.set(axis.subarray(y * f, y * f + f), at + f);
    }
  }
  return out;
}
